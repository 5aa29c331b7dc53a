"""The command line ``python -m monitor.report``: files written, German messages, exit codes like the ETL,
and the same content as the functions the page calls."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import openpyxl
import pytest

from monitor.report import content, xlsx
from monitor.report.__main__ import main
from monitor.report.model import ReportParams
from tests import report_support as rs
from tests.fixture_db import BOXBERG, DEFAULT_FROM, DEFAULT_TO, MUNICIPALITY_NAME, ROOT

PERIOD = ["--from", DEFAULT_FROM.isoformat(), "--to", DEFAULT_TO.isoformat()]
STEM = f"bericht_{DEFAULT_FROM.isoformat()}_{DEFAULT_TO.isoformat()}"


@pytest.fixture
def cli(fixture_db, monkeypatch):
    """Run main() in-process on the fixture database; the environment is restored afterwards."""
    monkeypatch.setenv("REGIONALMONITOR_DB", str(fixture_db))

    def run(*args: str) -> int:
        return main([*PERIOD, "--db", str(fixture_db), "--no-charts", *args])
    return run


def test_writes_three_files(cli, tmp_path, capsys):
    assert cli("--out", str(tmp_path)) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{STEM}.{ext}" for ext in ("docx", "pdf", "xlsx"))
    assert all(p.stat().st_size > 1000 for p in tmp_path.iterdir())
    out = capsys.readouterr().out
    assert "Fertig in" in out and STEM in out


def test_same_content_as_the_page_functions(cli, tmp_path):
    assert cli("--out", str(tmp_path), "--format", "xlsx", "--theme", "Mobilität,tourism",
               "--municipality", MUNICIPALITY_NAME[BOXBERG]) == 0
    report = content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO, ("mobility", "tourism"), (BOXBERG,)))
    assert (tmp_path / f"{STEM}.xlsx").read_bytes() == xlsx.to_xlsx(report)
    assert [p.suffix for p in tmp_path.iterdir()] == [".xlsx"]


def test_internal_variant_and_assessment_file(cli, tmp_path):
    text = tmp_path / "einschaetzung.txt"
    text.write_text("=1+1 Stand gut.\n\nZweiter Absatz.", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("--out", str(out), "--format", "xlsx", "--internal", "--assessment-file", str(text)) == 0
    data = (out / f"{STEM}_intern.xlsx").read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for c in wb["Einschätzung"]["A"]]
    assert [c.value for c in cells[4:]] == ["=1+1 Stand gut.", "Zweiter Absatz."]
    assert all(c.data_type == "s" for c in cells[4:])
    raw = rs.zip_text(data)
    assert all(v not in raw for v in rs.CONTACT_VALUES)
    assert all(i["initiative_id"] in raw for i in rs.NON_PUBLIC)


@pytest.mark.parametrize("args, message", [
    (["--theme", "Landwirtschaft"], "Unbekanntes Thema"),
    (["--municipality", "Atlantis"], "Unbekannte Gemeinde"),
])
def test_unknown_selection_exits_1(cli, tmp_path, capsys, args, message):
    assert cli("--out", str(tmp_path), *args) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_missing_database_exits_1(tmp_path, capsys, monkeypatch, fixture_db):
    monkeypatch.setenv("REGIONALMONITOR_DB", str(fixture_db))
    code = main([*PERIOD, "--db", str(tmp_path / "fehlt.duckdb"), "--out", str(tmp_path / "o"), "--no-charts"])
    assert code == 1
    assert "python -m etl" in capsys.readouterr().err


def test_reversed_period_exits_1(cli, tmp_path, capsys):
    code = main(["--from", DEFAULT_TO.isoformat(), "--to", DEFAULT_FROM.isoformat(), "--out", str(tmp_path)])
    assert code == 1 and "beginnt nach seinem Ende" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--from", "2025-13-01", "--to", "2026-01-01", "--out", "x"],
                                  [*PERIOD, "--out", "x", "--format", "odt"], [*PERIOD]])
def test_wrong_call_exits_2(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_module_runs_as_a_program(fixture_db, tmp_path):
    env = {**os.environ, "REGIONALMONITOR_DB": str(fixture_db)}
    done = subprocess.run([sys.executable, "-m", "monitor.report", *PERIOD, "--db", str(fixture_db), "--out",
                           str(tmp_path), "--format", "xlsx", "--no-charts", "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / f"{STEM}.xlsx").is_file()
    assert "WARNING" not in done.stderr and "Traceback" not in done.stderr
