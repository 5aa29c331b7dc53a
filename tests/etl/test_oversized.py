"""Oversized input either loads in bounded memory or is refused with a German message; it never exhausts
memory or hangs. The big files are generated into a temp folder (never committed), the ETL runs as a child
process whose peak RSS is taken from ``resource.getrusage(RUSAGE_CHILDREN)`` in a small wrapper process
(a memory assertion, not a timing one); a subprocess timeout is only the safety net against a hang.

Sizes: the suite runs the statistics file at ``REGIONALMONITOR_OVERSIZED_MB`` MB (default 200, the size the
issue names) and the workbook at 100,000 rows. Set ``REGIONALMONITOR_OVERSIZED_MB=50`` to run a smaller,
proportional statistics file on a slow machine.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.make_bad_inputs import (write_big_ffcsv, write_big_workbook, write_long_line, write_phantom_rows_xlsx,
                                   write_xlsx, write_zip_bomb_xlsx)
from tests.conftest import MINIMAL_TODAY
from tests.minimal_source import FF_HEADER, statistics_lines

ROOT = Path(__file__).resolve().parents[2]
TODAY = MINIMAL_TODAY
STAT_MB = int(os.environ.get("REGIONALMONITOR_OVERSIZED_MB", "200"))
WORKBOOK_ROWS = 100_000
PEAK_LIMIT_MB = 1536  # 1.5 GB
LONG_LINE_PEAK_MB = 500  # a file with an overlong line is refused by a streamed scan, never read whole
TIMEOUT_S = 300

WRAPPER = """
import json, resource, subprocess, sys
try:
    p = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=float(sys.argv[1]))
    rc, out, err = p.returncode, p.stdout, p.stderr
except subprocess.TimeoutExpired as exc:
    rc, out, err = "timeout", "", str(exc)
print(json.dumps({"rc": rc, "out": out[-4000:], "err": err[-6000:],
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_etl(source: Path, db: Path) -> dict:
    """Run ``python -m etl`` in a wrapper; returns rc, out, err and the child's peak RSS in MB."""
    cmd = [sys.executable, "-c", WRAPPER, str(TIMEOUT_S), sys.executable, "-m", "etl", "--source", str(source),
           "--db", str(db), "--quiet", "--today", TODAY.isoformat()]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT_S + 60)
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def good(minimal_build):
    return minimal_build.source, minimal_build.db


@pytest.fixture()
def case(good, tmp_path):
    """A fresh copy of the good source folder and database for one test: (source, db, sha256 of db)."""
    source, db = good
    src = tmp_path / "src"
    shutil.copytree(source, src)
    target = tmp_path / "monitor.duckdb"
    shutil.copyfile(db, target)
    return src, target, sha256(target)


def add_source(src: Path, rel: str, title: str = "Große Datei") -> None:
    with (src / "quellen.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{rel};{title};Test;31.12.2024;dl-de/by-2-0;ja\n")


def assert_refused(res: dict, db: Path, digest: str, *fragments: str) -> None:
    assert res["rc"] == 1, res
    assert "Traceback" not in res["err"] and "Interner Fehler" not in res["err"]
    assert "Die bisherige Datenbank bleibt unverändert." in res["err"]
    for frag in fragments:
        assert frag in res["err"], (frag, res["err"])
    assert sha256(db) == digest
    assert res["peak_mb"] < PEAK_LIMIT_MB


def test_big_flat_file_loads_in_bounded_memory(case):
    src, db, _ = case
    big = src / "statistik" / "gross.csv"
    rows = write_big_ffcsv(big, STAT_MB * 10**6)
    # a dissolved municipality at the very end: its warning must name the line, counted across the whole file
    with big.open("a", encoding="utf-8") as fh:
        fh.write("12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;2024-12-31;GEMEIN;Gemeinden;14626999;"
                 "Aufgelöst;GES;Geschlecht;;Insgesamt;-;Anzahl;X000000;Synthetisches Merkmal 0\n")
    rows += 1
    add_source(src, "statistik/gross.csv")
    with (src / "indikatoren.csv").open("a", encoding="utf-8") as fh:
        fh.write("big_x;Groß;Big;demography;Anzahl;;1;Test;CC0;erstes Merkmal der großen Datei;file;gross.csv;"
                 "12411;X000000;;;\n")
    res = run_etl(src, db)
    assert res["rc"] == 0, res["err"]
    assert res["peak_mb"] < PEAK_LIMIT_MB, res["peak_mb"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        size, = con.execute("select size_bytes from source where source_id = 'statistik/gross.csv'").fetchone()
        assert size == big.stat().st_size >= STAT_MB * 10**6
        # every row was read: the rows without a catalogue entry are counted in the run's info issues
        info = con.execute("select message from validation_issue where file = 'statistik/gross.csv' "
                           "and message like '%ohne Indikator im Katalog%'").fetchall()
        counted = sum(int(m.split(" ", 1)[0]) for (m,) in info)
        loaded, = con.execute("select count(*) from indicator_value where indicator_id = 'big_x'").fetchone()
        assert loaded == 50  # 2 municipalities x 25 years of the first variable
        if len(info) < 50:  # (the summary lists at most 50 variables)
            assert counted + loaded + 1 == rows
        dissolved = con.execute("select row, message from validation_issue where file = 'statistik/gross.csv' "
                                "and value = '14626999'").fetchall()
        assert [r for r, _ in dissolved] == [rows + 1]  # header is line 1, so data row n is line n + 1
        assert "existiert nicht mehr" in dissolved[0][1]
    finally:
        con.close()


def test_workbook_with_100000_rows_loads_in_bounded_memory(case):
    src, db, _ = case
    write_big_workbook(src / "portfolio" / "portfolio.xlsx", WORKBOOK_ROWS)
    res = run_etl(src, db)
    assert res["rc"] == 0, res["err"]
    assert res["peak_mb"] < PEAK_LIMIT_MB, res["peak_mb"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from initiative").fetchone()[0] == WORKBOOK_ROWS
    finally:
        con.close()


def test_sheet_with_too_many_rows_is_refused(case):
    src, db, digest = case
    rows = [["ID", "Titel", "Thema", "Gemeinden", "Status"]]
    rows += ([f"I-{i}", "x"] for i in range(1, 150_002))
    write_xlsx(src / "portfolio" / "portfolio.xlsx", {"Initiativen": rows})
    assert_refused(run_etl(src, db), db, digest, "Datei portfolio.xlsx", "Blatt Initiativen", "150.002 Zeilen",
                   "höchstens 150.000 Zeilen")


def test_zip_bomb_workbook_is_refused_before_unpacking(case):
    src, db, digest = case
    write_zip_bomb_xlsx(src / "portfolio" / "portfolio.xlsx", 600 << 20)
    res = run_etl(src, db)
    assert_refused(res, db, digest, "Datei portfolio.xlsx", "ZIP-Bombe", "xl/worksheets/sheet1.xml")
    assert res["peak_mb"] < 600  # nothing was unpacked


def test_million_formatted_empty_rows_are_skipped(case):
    src, db, _ = case
    write_phantom_rows_xlsx(src / "portfolio" / "portfolio.xlsx", 1_000_000)
    res = run_etl(src, db)
    assert res["rc"] == 0, res["err"]
    assert res["peak_mb"] < PEAK_LIMIT_MB
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select list(initiative_id) from initiative").fetchone()[0] == ["I-001"]
    finally:
        con.close()


def test_100_mb_line_without_newline_is_refused(case):
    src, db, digest = case
    write_long_line(src / "statistik" / "lang.csv", 100 << 20)
    add_source(src, "statistik/lang.csv")
    assert_refused(run_etl(src, db), db, digest, "Datei lang.csv", "Zeile 2", "länger als 1 MiB")


@pytest.mark.parametrize("size_mb", [2, 50])
def test_long_line_of_separators_is_refused_before_duckdb_reads_it(case, size_mb):
    """A line of ``x;x;…`` (countless fields) between good lines: DuckDB's CSV reader took gigabytes and
    minutes on it, so the line must be refused before DuckDB sees the file (speed: bench/bench_long_line.py)."""
    src, db, digest = case
    path = src / "statistik" / "lang.csv"
    write_long_line(path, size_mb << 20, fill=b"x;")
    with path.open("ab") as fh:
        fh.write(b"\n" + statistics_lines()[1].encode("utf-8") + b"\n")
    add_source(src, "statistik/lang.csv")
    res = run_etl(src, db)
    assert_refused(res, db, digest, "Datei lang.csv", "Zeile 2", "länger als 1 MiB")
    assert res["peak_mb"] < LONG_LINE_PEAK_MB, res["peak_mb"]
    assert "x;x;x" not in res["err"]  # the line itself is not printed


def test_file_without_any_newline_is_refused(case):
    src, db, digest = case
    (src / "statistik" / "lang.csv").write_bytes(b"\xef\xbb\xbf" + FF_HEADER.encode() + b";" + b"x" * (20 << 20))
    add_source(src, "statistik/lang.csv")
    assert_refused(run_etl(src, db), db, digest, "Datei lang.csv", "Zeile 1", "erste Zeile ist länger als 1 MiB")


def test_huge_genesis_table_is_refused_with_advice(case):
    src, db, digest = case
    row = "14626110;      Görlitz, Stadt;" + ";".join(["55186"] * 40) + "\r\n"
    with (src / "statistik" / "tabelle.csv").open("w", encoding="cp1252", newline="") as fh:
        fh.write("GENESIS-Tabelle: 12411-01-01-5\r\nBevölkerung\r\n;;" + ";".join(["31.12.2024"] * 40) + "\r\n")
        fh.write(row * ((33 << 20) // len(row) + 1))
    add_source(src, "statistik/tabelle.csv")
    assert_refused(run_etl(src, db), db, digest, "Datei tabelle.csv", "zu groß für das Tabellenformat", "Flatfile")


def test_huge_municipality_list_is_refused(case):
    src, db, digest = case
    line = "14626110;Görlitz;Stadt;55186;2024-12-31;51.15;14.98\n"
    with (src / "gemeinden.csv").open("a", encoding="utf-8") as fh:
        fh.write(line * ((65 << 20) // len(line) + 1))
    assert_refused(run_etl(src, db), db, digest, "Datei gemeinden.csv", "unplausibel groß")


def test_error_deep_in_a_big_file_names_its_line(case):
    """DuckDB reads big files in parallel; the line numbers in messages still count the file's real lines."""
    src, db, digest = case
    big = src / "statistik" / "gross.csv"
    rows = write_big_ffcsv(big, 40 * 10**6)
    with big.open("a", encoding="utf-8") as fh:
        fh.write("12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;2024-12-31;GEMEIN;Gemeinden;14626110;"
                 "Görlitz;GES;Geschlecht;;Insgesamt;ca. 55.000;Anzahl;X000000;Synthetisches Merkmal 0\n")
    add_source(src, "statistik/gross.csv")
    assert_refused(run_etl(src, db), db, digest, "Datei gross.csv", f"Zeile {rows + 2}", "Spalte value",
                   "ca. 55.000")


def test_field_beyond_the_csv_limit_is_refused(case):
    """A 200 KB field (beyond Python's csv limit of 128 KiB) is a German error with its line, not a crash."""
    src, db, digest = case
    with (src / "gemeinden.csv").open("a", encoding="utf-8") as fh:
        fh.write("14626999;" + "X" * 200_000 + ";Gemeinde;1;2024-12-31;51.2;14.7\n")
    assert_refused(run_etl(src, db), db, digest, "Datei gemeinden.csv", "Zeile 4", "länger als 128 KiB")
