"""Every broken input of the corpus ``tests/fixtures/bad/`` is refused by ``python -m etl`` the same way:
exit code 1, a German message in stderr naming the file, the place and what was expected, no traceback, and
the previous database byte-identical (sha256) with no temporary files left beside it.

Each case is a copy of the minimal good source folder (``tests/minimal_source.py``) with the case's files
laid over it (see ``tests/make_bad_inputs.py``). One good database is built once and copied per case; the
cases run as subprocesses, a few at a time, so the file stays fast.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_TODAY

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "fixtures" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if (p / "case.json").is_file())
TODAY = MINIMAL_TODAY
TIMEOUT_S = 120


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def overlay(case: str, source: Path) -> dict:
    """Lay the case's files over ``source`` and delete its ``remove`` files; returns case.json."""
    folder = BAD / case
    spec = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    for f in folder.rglob("*"):
        if f.is_file() and f.name != "case.json":
            target = source / f.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, target)
    for rel in spec["remove"]:
        (source / rel).unlink()
    return spec


class Runner:
    """Runs the cases lazily, a few in parallel: ``result(case)`` waits for that case only."""

    def __init__(self, base: Path, source: Path, db: Path):
        self.base, self.source, self.db = base, source, db
        self.pool = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)))
        self.futures: dict = {}

    def _run(self, case: str) -> dict:
        work = self.base / case
        src = work / "src"
        shutil.copytree(self.source, src)
        spec = overlay(case, src)
        db = work / "monitor.duckdb"
        shutil.copyfile(self.db, db)
        proc = subprocess.run([sys.executable, "-m", "etl", "--source", str(src), "--db", str(db), "--quiet",
                               "--today", TODAY.isoformat()], capture_output=True, text=True, cwd=ROOT,
                              timeout=TIMEOUT_S)
        return {"spec": spec, "proc": proc, "db": db, "work": work}

    def result(self, case: str) -> dict:
        if not self.futures:
            self.futures = {c: self.pool.submit(self._run, c) for c in CASES}
        return self.futures[case].result()


@pytest.fixture(scope="module")
def runner(tmp_path_factory, minimal_build):
    r = Runner(tmp_path_factory.mktemp("bad"), minimal_build.source, minimal_build.db)
    yield r
    r.pool.shutdown(wait=True, cancel_futures=True)


def test_corpus_is_complete():
    assert len(CASES) >= 15
    for case in CASES:
        spec = json.loads((BAD / case / "case.json").read_text(encoding="utf-8"))
        assert spec["what"] and spec["expect"], case
        assert any(f.name != "case.json" for f in (BAD / case).rglob("*") if f.is_file()) or spec["remove"], case


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_in_german_and_db_untouched(case, runner):
    good_digest = sha256(runner.db)
    res = runner.result(case)
    proc, spec = res["proc"], res["spec"]
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, f"{case}: exit {proc.returncode}\n{out[-3000:]}"
    assert "Traceback" not in out and "Interner Fehler" not in out, out[-3000:]
    assert "Import abgebrochen" in proc.stderr and "FEHLER" in proc.stderr
    assert "Die bisherige Datenbank bleibt unverändert." in proc.stderr
    missing = [frag for frag in spec["expect"] if frag not in proc.stderr]
    assert not missing, f"{case}: {missing} not in\n{proc.stderr}"
    # every error line names a file and says what was wrong (and most say what was expected)
    errors = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip().startswith("FEHLER")]
    assert errors and all("Datei " in ln for ln in errors), errors
    assert any("erwartet:" in ln for ln in errors), errors
    assert sha256(res["db"]) == good_digest
    assert sorted(p.name for p in res["work"].iterdir()) == ["etl_runs.jsonl", "monitor.duckdb",
                                                             "monitor.duckdb.lock", "src"]
    log = [json.loads(line) for line in (res["work"] / "etl_runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert log[-1]["status"] == "failed" and log[-1]["errors"]
