"""A build that reuses the live database (``build(..., reuse=live)``) gives exactly the tables of a full build,
and falls back to the full build whenever anything but the workbook changed."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from etl.build import build
from etl.issues import InputError
from tests.minimal_source import initiative_row, make_minimal_source, make_workbook

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 24)
#: Columns that differ between any two builds (when, how long, which run).
VOLATILE = {"run_id", "started_at", "finished_at", "duration_s"}


#: meta keys that differ between any two builds (when, and the version id each build gets)
PER_BUILD = ("built_at", "version_id")


def tables(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows (volatile columns and the meta keys of PER_BUILD blanked) and the macros. Rows sorted: the
    statistics files are loaded in parallel, so two full builds store their values in different orders; the
    issues in stored order (the Daten page lists them so)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for (name,) in con.execute("select table_name from duckdb_tables() where database_name = current_database()"
                                   " order by 1").fetchall():
            cur = con.execute(f"select * from {name} order by {'rowid' if name == 'validation_issue' else 'all'}")
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
            out[name] = [tuple(None if c in VOLATILE or (name == "meta" and row[0] in PER_BUILD and c == "value")
                               else v for c, v in zip(cols, row)) for row in rows]
        out["(macros)"] = con.execute("select distinct function_name, function_type from duckdb_functions() "
                                      "where function_type like '%macro' and not internal order by 1").fetchall()
        return out
    finally:
        con.close()


def both_ways(source: Path, live: Path, tmp: Path):
    """(report, tables) of the build reusing ``live`` and of the full build of ``source``."""
    reused = build(source, tmp / "reused.duckdb", today=TODAY, reuse=live)
    full = build(source, tmp / "full.duckdb", today=TODAY)
    assert reused.issues == full.issues and reused.row_counts == full.row_counts
    assert reused.data_tests == full.data_tests and reused.files == full.files
    got, want = tables(tmp / "reused.duckdb"), tables(tmp / "full.duckdb")
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == want[name], name
    return reused, full


def live_of(source: Path, tmp: Path) -> Path:
    live = tmp / "live.duckdb"
    build(source, live, today=TODAY)
    return live


def test_sample_with_a_changed_workbook_equals_the_full_build(tmp_path):
    source = tmp_path / "sample"
    shutil.copytree(ROOT / "data" / "sample", source)
    live = live_of(source, tmp_path)
    book = next((source / "portfolio").glob("*.xlsx"))
    wb = load_workbook(book)
    ws = wb["Initiativen"]
    header = [c.value for c in ws[3]]
    status = header.index("Status") + 1
    # a status unlike the last one of its history: a warning of the workbook
    ws.cell(4, status).value = "Abgeschlossen" if ws.cell(4, status).value != "Abgeschlossen" else "Umsetzung"
    ws.cell(5, header.index("Titel") + 1).value = "Neuer Titel"
    ws.cell(6, header.index("Gemeinden ") + 1).value = "Görlitz"
    ws.cell(7, header.index("Gesamtkosten €") + 1).value = None
    wb.save(book)
    reused, full = both_ways(source, live, tmp_path)
    assert reused.reused and not full.reused
    assert any(i.file == book.name and i.row == 4 and i.severity == "warning" for i in reused.issues)


def test_minimal_source_with_a_changed_workbook_equals_the_full_build(tmp_path):
    source = make_minimal_source(tmp_path / "src")
    live = live_of(source, tmp_path)
    make_workbook(source / "portfolio" / "portfolio.xlsx", status="In Umsetzung",
                  extra_initiative=initiative_row("I-002", "Dorfladen", "Bewilligt"))
    reused, _ = both_ways(source, live, tmp_path)
    assert reused.reused


@pytest.mark.parametrize("change", ["statistics", "catalogue", "workbook renamed", "file added", "other code"])
def test_anything_but_the_workbook_changed_builds_in_full(tmp_path, change):
    source = make_minimal_source(tmp_path / "src")
    live = live_of(source, tmp_path)
    make_workbook(source / "portfolio" / "portfolio.xlsx", status="In Umsetzung")
    if change == "statistics":
        path = source / "statistik" / "bev.csv"
        path.write_bytes(path.read_bytes().replace(b";4303;", b";4304;"))
    elif change == "catalogue":
        path = source / "indikatoren.csv"
        path.write_text(path.read_text(encoding="utf-8").replace("Einwohner;", "Einwohnerzahl;", 1),
                        encoding="utf-8")
    elif change == "workbook renamed":
        (source / "portfolio" / "portfolio.xlsx").rename(source / "portfolio" / "neu.xlsx")
        path = source / "quellen.csv"
        path.write_text(path.read_text(encoding="utf-8").replace("portfolio.xlsx", "neu.xlsx"), encoding="utf-8")
    elif change == "file added":
        (source / "notiz.txt").write_text("x", encoding="utf-8")
    else:  # a live database built by other ETL code
        con = duckdb.connect(str(live))
        con.execute("update meta set value = 'other' where key = 'etl_code'")
        con.close()
    reused, _ = both_ways(source, live, tmp_path)
    assert not reused.reused


def test_a_faulty_workbook_fails_as_in_the_full_build(tmp_path):
    source = make_minimal_source(tmp_path / "src")
    live = live_of(source, tmp_path)
    make_workbook(source / "portfolio" / "portfolio.xlsx", status="gibt es nicht")
    with pytest.raises(InputError) as full:
        build(source, tmp_path / "full.duckdb", today=TODAY)
    before = live.read_bytes()
    with pytest.raises(InputError) as reused:
        build(source, tmp_path / "reused.duckdb", today=TODAY, reuse=live)
    assert reused.value.issues == full.value.issues and full.value.issues
    assert live.read_bytes() == before and not (tmp_path / "reused.duckdb").exists()
