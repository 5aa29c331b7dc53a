"""Faults around the import, answered like bad input (German message naming the path, database untouched, no
leftovers): a killed or terminated import, stale temporary files of dead runs, a full disk or read-only
folder, a symbolic link out of the source folder."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pytest

from etl import build as build_module
from etl.__main__ import EXIT_TERMINATED, main
from etl.statistics.encoding import TRANSCODE_PREFIX
from etl.storage import remove_stale_temporaries, temporary_path
from tests.conftest import MINIMAL_TODAY
from tests.make_bad_inputs import write_big_ffcsv

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 180
KEPT = "Die bisherige Datenbank bleibt unverändert."


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def case(minimal_build, tmp_path):
    """A copy of the good source folder and database: (source, db, sha256 of db)."""
    src = tmp_path / "src"
    shutil.copytree(minimal_build.source, src)
    db = tmp_path / "db" / "monitor.duckdb"
    db.parent.mkdir()
    shutil.copyfile(minimal_build.db, db)
    return src, db, sha256(db)


def etl_cmd(src: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "etl", "--source", str(src), "--db", str(db), "--quiet",
            "--today", MINIMAL_TODAY.isoformat()]


def run_etl(src: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(etl_cmd(src, db), capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT_S)


def temporaries(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if ".tmp-" in p.name)


def start_slow_import(src: Path, db: Path) -> subprocess.Popen:
    """An import of a 40 MB statistics file, returned once its temporary database exists (mid-build)."""
    write_big_ffcsv(src / "statistik" / "gross.csv", 40 * 10**6)
    with (src / "quellen.csv").open("a", encoding="utf-8") as fh:
        fh.write("statistik/gross.csv;Große Datei;Test;31.12.2024;dl-de/by-2-0;ja\n")
    proc = subprocess.Popen(etl_cmd(src, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + TIMEOUT_S
    while not temporary_path(db, proc.pid).exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return proc


# ------------------------------------------------------------------------------------------- killed import
def test_sigterm_stops_the_import_in_german_and_leaves_nothing(case):
    src, db, digest = case
    proc = start_slow_import(src, db)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=TIMEOUT_S)
    assert proc.returncode == EXIT_TERMINATED == 143, (proc.returncode, err)
    assert "Import abgebrochen (Signal SIGTERM" in err and KEPT in err, err
    assert "Traceback" not in err
    assert sha256(db) == digest
    assert temporaries(db) == []
    log = [json.loads(line) for line in (db.parent / "etl_runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert log[-1]["status"] == "failed"


@pytest.mark.parametrize("signum, code, words", [
    (signal.SIGTERM, EXIT_TERMINATED, "Import abgebrochen (Signal SIGTERM"),
    (signal.SIGINT, 1, "Import abgebrochen (Strg+C)"),
])
def test_a_signal_during_a_duckdb_query_is_still_that_signal(tmp_path, monkeypatch, capsys, signum, code, words):
    """DuckDB answers the exception a signal handler raises mid-query with its own 'Query interrupted'."""
    def query_when_the_signal_comes(*args, **kwargs):
        threading.Timer(0.2, os.kill, (os.getpid(), signum)).start()
        with duckdb.connect() as con:
            con.execute("SELECT sum(a.range * b.range) FROM range(30000) a, range(30000) b").fetchall()
        raise AssertionError("the query ended before the signal came")

    monkeypatch.setattr(build_module, "build", query_when_the_signal_comes)
    assert main(["--source", str(tmp_path), "--db", str(tmp_path / "m.duckdb"), "--quiet"]) == code
    err = capsys.readouterr().err
    assert words in err and KEPT in err and "Interner Fehler" not in err, err


def test_the_next_run_removes_what_a_killed_import_left(case):
    src, db, digest = case
    proc = start_slow_import(src, db)
    proc.kill()  # SIGKILL: no clean-up possible
    proc.communicate(timeout=TIMEOUT_S)
    left = temporaries(db)
    assert f".monitor.duckdb.tmp-{proc.pid}" in left
    assert sha256(db) == digest
    (src / "statistik" / "gross.csv").unlink()  # the next run is the ordinary small one
    res = run_etl(src, db)
    assert res.returncode == 0, res.stderr
    assert temporaries(db) == []


def test_stale_temporaries_of_dead_runs_go_those_of_live_runs_stay(tmp_path, monkeypatch):
    system_tmp = tmp_path / "systmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))  # the transcoded copies' folder
    folder = tmp_path / "daten"
    folder.mkdir()
    db = folder / "monitor.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead_pid = int(dead.stdout)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for pid in (dead_pid, live.pid, os.getpid()):
            tmp = temporary_path(db, pid)
            tmp.write_bytes(b"x")
            tmp.with_name(tmp.name + ".wal").write_bytes(b"x")
            tmp.with_name(tmp.name + ".spill").mkdir()
            (system_tmp / f"{TRANSCODE_PREFIX}{pid}_a1b2.csv").write_bytes(b"x")
        (folder / ".monitor.duckdb.tmp-keinepid").write_bytes(b"x")  # not a run's file: left alone
        removed = remove_stale_temporaries(db)
        assert {p.name for p in removed} == {f".monitor.duckdb.tmp-{dead_pid}{s}" for s in ("", ".wal", ".spill")} \
            | {f"{TRANSCODE_PREFIX}{dead_pid}_a1b2.csv"}
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [".monitor.duckdb.tmp-keinepid"]
            + [f".monitor.duckdb.tmp-{pid}{s}" for pid in (live.pid, os.getpid()) for s in ("", ".wal", ".spill")])
        assert sorted(p.name for p in system_tmp.iterdir()) == sorted(
            f"{TRANSCODE_PREFIX}{pid}_a1b2.csv" for pid in (live.pid, os.getpid()))
    finally:
        live.kill()
        live.wait()


# ------------------------------------------------------------------------------- full disk, read-only folder
def test_database_path_below_a_file_is_explained(case, tmp_path):
    src, _, _ = case
    blocker = tmp_path / "daten.txt"
    blocker.write_text("kein Ordner", encoding="utf-8")
    res = run_etl(src, blocker / "monitor.duckdb")
    assert res.returncode == 1, res.stderr
    assert "Interner Fehler" not in res.stderr and "Traceback" not in res.stderr
    assert "passt nicht" in res.stderr and str(blocker) in res.stderr and "--db" in res.stderr
    assert blocker.read_text(encoding="utf-8") == "kein Ordner"


@pytest.mark.parametrize("failure, fragments", [
    (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), ["Kein Speicherplatz mehr frei im Ordner", "Platz schaffen"]),
    (OSError(errno.EROFS, os.strerror(errno.EROFS)), ["schreibgeschützt", "Schreibschutz aufheben"]),
    (OSError(errno.EACCES, os.strerror(errno.EACCES)), ["Keine Berechtigung für", "Schreibrechte"]),
    (duckdb.IOException('IO Error: Could not write file "x": No space left on device'),
     ["Kein Speicherplatz mehr frei im Ordner"]),
])
def test_full_disk_or_read_only_folder_is_explained(case, monkeypatch, capsys, failure, fragments):
    """Simulated at the last write of the new database (tests run as root: chmod would not stop them)."""
    src, db, digest = case
    if isinstance(failure, OSError):
        failure.filename = str(temporary_path(db))

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(build_module, "_write_run", fail)
    rc = main(["--source", str(src), "--db", str(db), "--quiet", "--today", MINIMAL_TODAY.isoformat()])
    err = capsys.readouterr().err
    assert rc == 1, err
    assert "Interner Fehler" not in err and KEPT in err
    assert str(db.parent) in err, err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert sha256(db) == digest
    assert temporaries(db) == []


# ------------------------------------------------------------------------------------------ symbolic links
def test_link_out_of_the_source_folder_is_refused_unread(case, tmp_path):
    src, db, digest = case
    secret = tmp_path / "geheim.csv"
    secret.write_text("GEHEIME-ERSTE-ZEILE;root:x:0:0\nzweite;zeile\n", encoding="utf-8")
    (src / "statistik" / "passwd.csv").symlink_to(secret)
    with (src / "quellen.csv").open("a", encoding="utf-8") as fh:
        fh.write("statistik/passwd.csv;Verknüpfung;Test;31.12.2024;dl-de/by-2-0;ja\n")
    res = run_etl(src, db)
    assert res.returncode == 1, res.stderr
    assert "Datei statistik/passwd.csv" in res.stderr and "außerhalb des Quellordners" in res.stderr, res.stderr
    log = (db.parent / "etl_runs.jsonl").read_text(encoding="utf-8")
    for text in (res.stdout, res.stderr, log):
        assert "GEHEIM" not in text and "root:x" not in text
    assert sha256(db) == digest


def test_link_inside_the_source_folder_is_read(case):
    src, db, _ = case
    manifest = src / "quellen.csv"
    shutil.move(manifest, src / "portfolio" / "quellen-original.csv")
    manifest.symlink_to(Path("portfolio") / "quellen-original.csv")
    res = run_etl(src, db)
    assert res.returncode == 0, res.stderr


def test_required_file_linked_out_of_the_folder_is_refused(case, tmp_path):
    src, db, digest = case
    outside = tmp_path / "gemeinden-aussen.csv"
    shutil.move(src / "gemeinden.csv", outside)
    (src / "gemeinden.csv").symlink_to(outside)
    res = run_etl(src, db)
    assert res.returncode == 1, res.stderr
    assert "Datei gemeinden.csv" in res.stderr and "außerhalb des Quellordners" in res.stderr
    assert "Pflichtdatei fehlt" not in res.stderr
    assert sha256(db) == digest
