"""The whole build on a small source folder: tables filled, flags kept, atomic replacement, run log."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.build import build
from etl.issues import InputError
from tests.minimal_source import FF_HEADER, MUNIS, ff_row, make_minimal_source, make_workbook

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 24)


@pytest.fixture()
def source(tmp_path) -> Path:
    return make_minimal_source(tmp_path / "src")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_fills_tables_and_keeps_reasons(source, tmp_path):
    db = tmp_path / "m.duckdb"
    report = build(source, db, today=TODAY)
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    assert q("select count(*) from municipality") == [(2,)]
    assert q("select value from indicator_value where indicator_id='population' and region_key='14626' "
             "and year=2024") == [(sum(p for _, _, p in MUNIS),)]
    assert q("select value, flag from indicator_value where region_key='14'") == [(None, "secret")]
    assert q("select count(*) from indicator_value where region_key in ('14626999', '14612000')") == [(0,)]
    # change across the census break is not a number, and says why
    assert q("select value, flag from indicator_value where indicator_id='population_change' "
             "and region_key='14626060' and year=2024") == [(None, "break")]
    assert q("select count(*) from initiative") == [(1,)]
    assert q("select synthetic from source where source_id='statistik/bev.csv'") == [(True,)]
    assert dict(q("select key, value from meta"))["synthetic"] == "true"
    warnings = [i for i in report.issues if i.severity == "warning"]
    dissolved = [w for w in warnings if "14626999" in (w.value or "")]
    assert len(dissolved) == 1 and "existiert nicht mehr" in dissolved[0].message
    assert "wurden nicht geladen" in dissolved[0].message and "aktuell" not in dissolved[0].message
    runs = q("select status, row_counts from etl_run")
    assert runs[0][0] == "ok" and json.loads(runs[0][1])["initiative"] == 1
    assert q("select count(*) from data_test where failing_rows > 0 and test_name not like 'population%'") == [(0,)]


def test_failed_build_leaves_database_byte_identical(source, tmp_path):
    db = tmp_path / "m.duckdb"
    build(source, db, today=TODAY)
    before = digest(db)
    make_workbook(source / "portfolio" / "portfolio.xlsx", status="Erfunden")
    with pytest.raises(InputError) as exc:
        build(source, db, today=TODAY)
    assert any(i.column == "Status" and i.sheet == "Initiativen" for i in exc.value.issues)
    assert digest(db) == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]
    log = [json.loads(line) for line in (tmp_path / "etl_runs.jsonl").read_text().splitlines()]
    assert log[-1]["status"] == "failed" and "Status" in " ".join(log[-1]["errors"])
    assert "erika" not in (tmp_path / "etl_runs.jsonl").read_text()


def test_second_build_keeps_run_history(source, tmp_path):
    db = tmp_path / "m.duckdb"
    build(source, db, today=TODAY)
    build(source, db, today=TODAY)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from etl_run").fetchone()[0] == 2


def test_file_without_provenance_is_refused(source, tmp_path):
    shutil.copy(source / "statistik" / "bev.csv", source / "statistik" / "bev2.csv")
    with pytest.raises(InputError) as exc:
        build(source, tmp_path / "m.duckdb", today=TODAY)
    assert [i.file for i in exc.value.issues] == ["statistik/bev2.csv"]
    assert not (tmp_path / "m.duckdb").exists()


def test_file_listed_without_its_folder_gets_the_right_path(source, tmp_path):
    manifest = (source / "quellen.csv").read_text(encoding="utf-8")
    (source / "quellen.csv").write_text(manifest.replace("statistik/bev.csv;", "bev.csv;"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        build(source, tmp_path / "m.duckdb", today=TODAY)
    issue = next(i for i in exc.value.issues if i.file == "statistik/bev.csv")
    assert "quellen.csv nennt 'bev.csv', die Datei liegt aber unter 'statistik/bev.csv'" in issue.message


def test_catalogue_row_matching_nothing_says_what_the_file_contains(source, tmp_path):
    with (source / "indikatoren.csv").open("a", encoding="utf-8") as fh:  # a typo in the variable code
        fh.write("women;Frauen;Women;demography;Personen;;0;StaLa;dl-de/by-2-0;Frauen;file;bev.csv;12411;BEVSTX;"
                 "GES=GESW;;\n")
    report = build(source, tmp_path / "m.duckdb", today=TODAY)
    issue = next(i for i in report.issues if i.value == "women" and "keine Werte" in i.message)
    assert issue.severity == "warning"
    assert "gesucht: Statistik 12411, Merkmal BEVSTX, Dimensionen GES=GESW" in issue.message
    assert "die Datei bev.csv enthält Statistik 12411; Merkmal BEVSTD; Dimensionen keine" in issue.message


def test_cli_reports_errors_in_german_without_traceback(source, tmp_path):
    (source / "gemeinden.csv").write_text("ags;name;kind;lat;lon\n1462606;X;Gemeinde;51;14\n", encoding="utf-8")
    db = tmp_path / "m.duckdb"
    p = subprocess.run([sys.executable, "-m", "etl", "--source", str(source), "--db", str(db)],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr and "Zeile 2" in p.stderr and "Spalte ags" in p.stderr
    assert not db.exists()


def test_cli_builds_the_sample(tmp_path):
    db = tmp_path / "sample.duckdb"
    p = subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "--quiet"], capture_output=True, text=True,
                       cwd=ROOT)
    assert p.returncode == 0, p.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*), sum(population) from municipality").fetchone() == (53, 243958)
    assert con.execute("select count(*) from initiative").fetchone()[0] >= 40
    themes = {r[0] for r in con.execute("select distinct theme from indicator").fetchall()}
    assert themes == {"mobility", "supply", "tourism", "value_chains", "demography"}
    per_theme = con.execute("select theme, count(*) from indicator group by 1").fetchall()
    assert all(n >= 3 for _, n in per_theme)
    formats = {r[0] for r in con.execute("select distinct format from source where kind='statistics'").fetchall()}
    assert formats == {"genesis_ffcsv", "genesis_table", "inkar"}
    assert con.execute("select count(*) from indicator_value where flag is not null").fetchone()[0] > 0
    failing = con.execute("select test_name from data_test where failing_rows > 0").fetchall()
    assert failing == []
    kpi_tests = [r[0] for r in con.execute("select test_name from data_test where test_name like 'kpi_%'").fetchall()]
    assert len(kpi_tests) == 7  # the sample's KPIs fit the indicators they name and what the initiatives do
    # every file of the sample is described in quellen.csv (the manifest itself needs no line of its own)
    undescribed = con.execute("select file from validation_issue where message like '%Herkunftsangabe%'").fetchall()
    assert undescribed == []


def test_overlapping_exports_newest_reference_date_wins(source, tmp_path):
    lines = [FF_HEADER, ff_row("14626060", "GEMEIN", 2024, "4400")]
    (source / "statistik" / "bev_neu.csv").write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))
    with (source / "quellen.csv").open("a", encoding="utf-8") as fh:
        fh.write("statistik/bev_neu.csv;Bevölkerung (berichtigt);StaLa Sachsen;31.03.2025;dl-de/by-2-0;ja\n")
    report = build(source, tmp_path / "m.duckdb", today=TODAY)
    con = duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True)
    rows = con.execute("select value, source_id from indicator_value where indicator_id='population' "
                       "and region_key='14626060' and year=2024").fetchall()
    assert rows == [(4400.0, "statistik/bev_neu.csv")]
    assert any("verschiedene Werte" in i.message for i in report.issues)


def test_formula_over_the_population_carries_its_break(minimal_build):
    # the minimal catalogue: population (break at the census) and its change as a formula without a break
    with duckdb.connect(str(minimal_build.db), read_only=True) as con:
        breaks = dict(con.execute("select indicator_id, series_break from indicator").fetchall())
        name = con.execute("select name_de from indicator where indicator_id = 'population'").fetchone()[0]
    day, note = breaks["population"].split("|")
    assert breaks["population_change"] == f"{day}|{note} (übernommen aus {name})"
