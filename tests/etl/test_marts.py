"""The marts of ``etl/marts``: the day-dependent macros on made-up dates, the mart tables against the fixture
lists of ``tests/fixture_db.py``, and their comments."""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from etl import marts
from tests.fixture_db import FIXTURE_TODAY, INDICATORS, INITIATIVE, INITIATIVES, KPIS, MILESTONES, SCHEMA, STAND, \
    overdue_milestones, status_dates

D = dt.date
MART_TABLES = ["initiative_span", "milestone_state", "kpi_rating"]


@pytest.fixture()
def con(fixture_db):
    """The fixture database, opened read-only the way the app opens it (attached, then ``use``)."""
    c = duckdb.connect()
    c.execute(f"attach '{fixture_db}' as monitor (read_only)")
    c.execute("use monitor")
    yield c
    c.close()


@pytest.mark.parametrize("due, done, status, as_of, expected", [
    (D(2025, 5, 1), D(2025, 4, 1), "In Umsetzung", D(2025, 6, 1), "erledigt"),
    (D(2025, 5, 1), D(2025, 5, 1), "In Umsetzung", D(2025, 5, 1), "erledigt"),  # done on the day itself
    (None, D(2025, 4, 1), "Idee", D(2025, 6, 1), "erledigt"),
    (D(2025, 5, 1), D(2025, 5, 20), "In Umsetzung", D(2025, 6, 1), "verspätet erledigt"),
    (D(2025, 5, 1), D(2025, 5, 20), "Verworfen", D(2025, 6, 1), "verspätet erledigt"),  # done counts
    (D(2025, 5, 1), None, "In Umsetzung", D(2025, 6, 1), "überfällig"),
    (D(2025, 5, 1), D(2025, 7, 1), "In Umsetzung", D(2025, 6, 1), "überfällig"),  # done after as_of
    (D(2025, 8, 1), D(2025, 7, 1), "In Umsetzung", D(2025, 6, 1), "offen"),  # done after as_of, not yet due
    (D(2025, 6, 1), None, "In Umsetzung", D(2025, 6, 1), "offen"),  # due today is not overdue
    (None, None, "In Umsetzung", D(2025, 6, 1), "offen"),
    (D(2025, 5, 1), None, "Verworfen", D(2025, 6, 1), "entfallen"),
    (D(2025, 8, 1), None, "Verworfen", D(2025, 6, 1), "entfallen"),
    (D(2025, 5, 1), None, None, D(2025, 6, 1), "überfällig"),  # status not yet recorded on as_of
])
def test_milestone_state_rule(con, due, done, status, as_of, expected):
    got = con.execute("select milestone_state_on(?::date, ?::date, ?, ?::date)", [due, done, status, as_of])
    assert got.fetchone()[0] == expected


def _expected_state(milestone: tuple, as_of: dt.date) -> str:
    """The rule of the macro, written out for the fixture's milestones (an independent check)."""
    initiative_id, _, due, done = milestone
    if done is not None and done <= as_of:
        return "verspätet erledigt" if due is not None and done > due else "erledigt"
    if INITIATIVE[initiative_id]["status"] == "Verworfen":
        return "entfallen"
    return "überfällig" if due is not None and due < as_of else "offen"


def _rows(con, sql: str, params=()) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def test_milestone_state_mart_holds_the_state_on_the_stand(con):
    df = _rows(con, "select * from milestone_state order by initiative_id, seq")
    assert len(df) == len(MILESTONES)
    assert list(df["title"]) == [m[1] for m in sorted(MILESTONES, key=lambda m: m[0])]
    assert set(pd.to_datetime(df["stand"]).dt.date) == {STAND}
    assert list(df["state"]) == [_expected_state(m, STAND) for m in sorted(MILESTONES, key=lambda m: m[0])]
    assert list(df["initiative_status"]) == [INITIATIVE[i]["status"] for i in df["initiative_id"]]


@pytest.mark.parametrize("as_of", [FIXTURE_TODAY, D(2025, 1, 1), D(2026, 3, 31)])
def test_milestones_on_gives_the_state_on_any_day(con, as_of):
    df = _rows(con, "select * from milestones_on(?) order by initiative_id, seq", [as_of])
    ordered = sorted(MILESTONES, key=lambda m: m[0])
    assert list(df["state"]) == [_expected_state(m, as_of) for m in ordered]
    overdue = {(r.initiative_id, r.title) for r in df.itertuples() if r.state == "überfällig"}
    assert overdue == {(m[0], m[1]) for m in overdue_milestones(as_of)}


def test_initiative_span_has_one_row_per_initiative_with_the_period_dates(con):
    df = _rows(con, "select * from initiative_span").set_index("initiative_id")
    assert sorted(df.index) == sorted(INITIATIVE)
    for ini in INITIATIVES:
        hist = status_dates(ini["initiative_id"])
        row = df.loc[ini["initiative_id"]]
        assert pd.Timestamp(row["first_date"]).date() == (hist[0][0] if hist else ini["start_date"])
        closed = ini["status"] in ("Abgeschlossen", "Verworfen")
        assert bool(row["closed"]) is closed
        reached = [d for d, s in hist if s == ini["status"]]
        expected_closed = max(reached) if closed and reached else None
        assert (None if pd.isna(row["closed_date"]) else pd.Timestamp(row["closed_date"]).date()) == expected_closed


def test_kpi_rating_names_and_rates_every_kpi(con):
    df = _rows(con, "select * from kpi_rating order by initiative_id, seq")
    indicators = {i["indicator_id"]: i for i in INDICATORS}
    ordered = sorted(KPIS, key=lambda k: k[0])
    assert len(df) == len(KPIS)
    assert list(df["name"]) == [indicators[k[2]]["name_de"] if k[2] else k[1] for k in ordered]
    assert list(df["unit"]) == [k[3] or (indicators[k[2]]["unit"] if k[2] else "") for k in ordered]
    for row, (_, _, _, _, baseline, target, _, actual, _) in zip(df.itertuples(), ordered):
        if actual is None or target is None:
            assert pd.isna(row.reached) and pd.isna(row.progress)
            continue
        lower_is_better = baseline is not None and baseline > target
        assert bool(row.reached) is (actual <= target if lower_is_better else actual >= target)
        base = baseline or 0.0
        assert row.progress == pytest.approx(100 * (actual - base) / (target - base))


def _kpi_mart(rows: list[tuple]) -> pd.DataFrame:
    """kpi_rating built from made-up KPIs (baseline, target, actual) in an empty database."""
    c = duckdb.connect()
    c.execute(SCHEMA.read_text(encoding="utf-8"))
    c.executemany("insert into kpi (initiative_id, seq, name, baseline, target, actual)"
                  " values ('I-1', ?, 'K', ?, ?, ?)", [(n, *r) for n, r in enumerate(rows, 1)])
    marts.build_marts(c)
    return c.execute("select reached, progress from kpi_rating order by seq").df()


REACHED_CASES = [((0.0, 10.0, 10.0), True), ((0.0, 10.0, 9.0), False), ((60.0, 30.0, 25.0), True),
                 ((60.0, 30.0, 40.0), False), ((None, 10.0, 12.0), True), ((0.0, 10.0, None), None),
                 ((0.0, None, 5.0), None)]
PROGRESS_CASES = [((0.0, 400.0, 420.0), 105.0), ((60.0, 30.0, 25.0), 116.66666666666667),
                  ((4.0, 10.0, 6.0), 100 * 2 / 6), ((0.0, 0.0, 5.0), None), ((0.0, 10.0, None), None),
                  ((None, 10.0, 5.0), 50.0)]


def test_kpi_reached_rule_on_made_up_values():
    df = _kpi_mart([values for values, _ in REACHED_CASES])
    assert [None if pd.isna(r) else bool(r) for r in df["reached"]] == [e for _, e in REACHED_CASES]


def test_kpi_progress_rule_on_made_up_values():
    df = _kpi_mart([values for values, _ in PROGRESS_CASES])
    for got, (_, expected) in zip(df["progress"], PROGRESS_CASES):
        assert pd.isna(got) if expected is None else got == pytest.approx(expected)


def test_every_mart_column_and_macro_is_commented(con):
    cols = _rows(con, "select table_name, column_name, comment from duckdb_columns() where database_name = 'monitor'"
                      " and table_name in (select unnest(?))", [MART_TABLES])
    assert set(cols["table_name"]) == set(MART_TABLES)
    assert cols["comment"].notna().all() and (cols["comment"].str.len() > 10).all()
    tables = _rows(con, "select table_name, comment from duckdb_tables() where database_name = 'monitor'")
    assert tables.set_index("table_name").loc[MART_TABLES, "comment"].notna().all()
    macros = _rows(con, "select function_name, comment from duckdb_functions() where database_name = 'monitor'"
                        " and function_name in ('milestone_state_on', 'milestones_on')")
    assert len(macros) == 2 and macros["comment"].notna().all()


def test_a_mart_column_without_description_stops_the_build(tmp_path, monkeypatch):
    (tmp_path / "010_x.sql").write_text("-- @table x: Test.\n-- @column a: Eine Spalte.\n"
                                        "create table x as select 1 as a, 2 as b;\n", encoding="utf-8")
    monkeypatch.setattr(marts, "MARTS_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"\['b'\]"):
        marts.build_marts(duckdb.connect())
