"""Property-based tests (hypothesis) of the ETL's parsers: no input crashes them; each either parses or is
refused the project's way (None / a bad mask / ``ValueError`` where the caller turns it into an issue,
``InputError`` for a whole file). Values, special values, periods, amounts, dates, keys, and the three
statistics formats (GENESIS flat file, GENESIS table, INKAR). Kept fast: a moderate number of examples each.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etl import portfolio, reference
from etl.issues import InputError
from etl.keys import normalise_region_key
from etl.statistics import (INKAR_COLUMNS, detect_format, install_macros, load_statistics_file, parse_period,
                            parse_value)
from etl.statistics.values import value_refusal
from tests.minimal_source import FF_HEADER, statistics_lines

FAST = settings(max_examples=80, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
FILES = settings(max_examples=15, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

#: Characters the parsers treat specially, so that random text often comes close to a valid cell.
NUMBERISH = "0123456789.,-+()/ xXprsePRSE\t\u00a0€e:T"
cells = st.one_of(st.text(max_size=24), st.text(alphabet=NUMBERISH, max_size=16))


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    install_macros(c)
    yield c
    c.close()


# ------------------------------------------------------------------------------------ values, special values
@FAST
@given(cells)
@example("9" * 400)  # beyond a double
@example("(1.812)")
@example("1,5 P")
def test_value_parses_to_a_finite_number_or_is_refused_with_a_reason(raw):
    got = parse_value(raw)
    if got is None:
        message, expected = value_refusal(raw)
        assert message and expected
        return
    value, flag = got
    assert value is None or math.isfinite(value)
    assert flag in {None, "zero", "secret", "later", "unreliable", "not_applicable", "limited", "provisional",
                    "revised", "estimated", "final"}


@FAST
@given(st.lists(cells, max_size=12))
@example(["9" * 400, "0\n", "(1\x0b)", "\u0663"])
def test_sql_value_rule_agrees_with_python(con, raws):
    got = con.execute("select list_transform(?::varchar[], lambda v: rm_value(v))", [raws]).fetchone()[0]
    got = [None if g["flag"] == "invalid" else (g["value"], g["flag"]) for g in got]
    assert got == [parse_value(raw) for raw in raws]


periods = st.one_of(st.text(max_size=16), st.text(alphabet="0123456789.- ", max_size=12),
                    st.dates().map(lambda d: d.strftime(d.isoformat() if d.day % 2 else "%d.%m.%Y")))


@FAST
@given(st.lists(periods, max_size=12))
@example(["0000-01-01", "31.02.2024", "9999-9999", "2024\n", "\u0662\u0660\u0662\u0664"])
def test_period_parses_or_is_none_and_sql_agrees(con, raws):
    got = [parse_period(raw) for raw in raws]
    assert all(g is None or isinstance(g, dt.date) for g in got)
    assert con.execute("select list_transform(?::varchar[], lambda t: rm_period(t))", [raws]).fetchone()[0] == got


# ------------------------------------------------------------------------------------------------- keys
hints = st.one_of(st.none(), st.sampled_from(["KREISE", "GEMEIN", "DLAND", "DINSG", "REGBEZ", "GEOGM1",
                                              "Kreise", "Gemeinden", "Gemeindeverbände", "Bund", "Länder"]),
                  st.text(max_size=10))
keys = st.one_of(st.text(max_size=14), st.text(alphabet="0123456789 \"\tDGdg", max_size=14),
                 st.integers(0, 10**13).map(str))


@FAST
@given(keys, hints)
@example("0", "Bund")
@example("146260000000", "GEMEIN")
def test_region_key_normalises_or_is_none(raw, hint):
    got = normalise_region_key(raw, hint)
    if got is not None:
        key, level = got
        assert key == "DG" or key.isdigit(), got
        assert level in {"bund", "land", "regbez", "kreis", "verband", "gemeinde"}, got


# ---------------------------------------------------------------------- workbook cells: dates, amounts, flags
workbook_cells = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31)), st.dates(), cells,
    st.sampled_from(["184.500,00 €", "12.500", "1,234.50", "31.12.24", "2024-12-31T10:00", "ja", "Nein", "–",
                     "−5", "1e400", "EUR 12", "45000", "0"]))


@FAST
@given(st.lists(workbook_cells, max_size=8))
def test_workbook_dates_parse_or_are_marked_bad(raw):
    series = pd.Series(raw, dtype=object)
    out, bad = portfolio.parse_date(series)
    assert len(out) == len(bad) == len(raw)
    ok = out.dropna()
    assert ((ok >= portfolio.EARLIEST_DATE) & (ok <= portfolio.LATEST_DATE)).all()
    assert not (bad & out.notna()).any()


@FAST
@given(st.lists(workbook_cells, max_size=8), st.booleans())
def test_workbook_amounts_parse_to_finite_numbers_or_are_marked_bad(raw, thousands):
    out, bad = portfolio.parse_number(pd.Series(raw, dtype=object), thousands=thousands, strip_units="€|EUR")
    assert len(out) == len(bad) == len(raw)
    assert out.dropna().map(math.isfinite).all()
    assert not (bad & out.notna()).any()


@FAST
@given(st.lists(workbook_cells, max_size=8))
def test_workbook_flags_parse_or_are_marked_bad(raw):
    out, bad = portfolio.parse_bool(pd.Series(raw, dtype=object))
    assert len(out) == len(bad) == len(raw)
    assert not (bad & out.notna()).any()


# ------------------------------------------------------------------- reference files: dates and numbers
@FAST
@given(periods)
def test_reference_date_parses_or_raises_value_error(raw):
    try:
        got = reference.parse_date(raw)
    except ValueError:
        return
    assert got is None or isinstance(got, dt.date)


@FAST
@given(cells)
def test_reference_number_parses_or_raises_value_error(raw):
    try:
        got = reference.parse_number(raw)
    except ValueError:
        return
    assert got is None or isinstance(got, float)


# --------------------------------------------------------------------------------- whole statistics files
ff_cells = st.one_of(cells, st.sampled_from(["14626110", "GEMEIN", "KREISE", "2024-12-31", "31.12.2024", "12411",
                                             "4389", "-", ".", "(12,3)", '"a;b"', '"', "x"]))


def _row(cells_: list[str]) -> str:
    return ";".join(c.replace("\n", " ").replace("\r", " ") for c in cells_)


@st.composite
def ffcsv_files(draw) -> bytes:
    """A GENESIS flat file: the real header, some real rows, rows of random cells (any count), random bytes."""
    good = statistics_lines()[1:]
    lines = [FF_HEADER] + draw(st.lists(st.sampled_from(good), max_size=3))
    lines += draw(st.lists(st.lists(ff_cells, min_size=0, max_size=20).map(_row), max_size=4))
    tail = draw(st.binary(max_size=40))
    return ("\n".join(lines) + "\n").encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])),
                                             errors="replace") + tail


@st.composite
def table_files(draw) -> bytes:
    """A GENESIS table: title block, header lines, data rows of random cells, optional footer."""
    width = draw(st.integers(1, 5))
    lines = ["GENESIS-Tabelle: " + draw(st.sampled_from(["12411-01-01-5", "", "x"])),
             draw(st.text(max_size=30)).replace("\n", " "),
             ";;" + ";".join(draw(st.lists(st.sampled_from(["31.12.2024", "2023", "Insgesamt", "", "Anzahl"]),
                                           min_size=width, max_size=width)))]
    lines += draw(st.lists(st.lists(ff_cells, min_size=1, max_size=width + 3).map(_row), max_size=5))
    if draw(st.booleans()):
        lines += ["__________", "(C) Statistisches Landesamt"]
    return ("\n".join(lines) + "\n").encode(draw(st.sampled_from(["utf-8", "cp1252"])), errors="replace")


@st.composite
def inkar_files(draw) -> bytes:
    """An INKAR export: the real header, rows of random cells near the real shape."""
    header = ";".join(c.capitalize() for c in INKAR_COLUMNS)
    row = st.lists(st.one_of(ff_cells, st.sampled_from(["Kreise", "Gemeinden", "14626000", "2019-2021", ""])),
                   min_size=7, max_size=11).map(_row)
    lines = [header] + draw(st.lists(row, max_size=5))
    return ("\n".join(lines) + "\n").encode("utf-8")


def assert_loads_or_input_error(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    con = duckdb.connect()
    try:
        try:
            result = load_statistics_file(con, path, "datei.csv")
        except InputError as exc:
            assert exc.issues and all(i.file == path.name for i in exc.issues if i.file)
            staged = con.execute("select count(*) from duckdb_tables() where table_name = 'stg_statistic'")
            if staged.fetchone()[0]:  # (a file refused before staging never creates the table)
                assert con.execute("select count(*) from stg_statistic").fetchone()[0] == 0
            return
        assert result.rows >= 0
        assert con.execute("select count(*) from stg_statistic where value = 'infinity'::double "
                           "or value = '-infinity'::double").fetchone()[0] == 0
    finally:
        con.close()


@FILES
@given(ffcsv_files())
def test_flat_files_load_or_are_refused(tmp_path, content):
    assert_loads_or_input_error(tmp_path / "datei.csv", content)


@FILES
@given(table_files())
def test_genesis_tables_load_or_are_refused(tmp_path, content):
    assert_loads_or_input_error(tmp_path / "datei.csv", content)


@FILES
@given(inkar_files())
def test_inkar_exports_load_or_are_refused(tmp_path, content):
    assert_loads_or_input_error(tmp_path / "datei.csv", content)


@FILES
@given(st.binary(max_size=300))
def test_any_bytes_are_detected_or_refused(tmp_path, content):
    path = tmp_path / "datei.csv"
    path.write_bytes(content)
    try:
        fmt, encoding = detect_format(path)
    except InputError:
        return
    assert fmt in {"genesis_ffcsv", "genesis_table", "inkar"}
    assert encoding
