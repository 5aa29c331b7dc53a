"""Data functions of the Überblick, Initiativen and Daten pages on the fixture database, checked against numbers
computed from the fixture's Python lists."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from monitor.data import initiatives, overview, sources
from monitor.data.filters import Filters
from tests.fixture_db import (BOXBERG, DEFAULT_FROM, DEFAULT_TO, FIXTURE_TODAY, INITIATIVE, KPIS, MILESTONES,
                              ROUNDS, initiatives_where, last_activity, overdue_milestones, status_dates)

F = Filters(DEFAULT_FROM, DEFAULT_TO)


def _reached(k) -> bool:
    baseline, target, actual = k[4], k[5], k[7]
    return actual <= target if baseline is not None and baseline > target else actual >= target


@pytest.mark.parametrize("f", [F, F.with_(themes=("mobility",)), F.with_(municipalities=(BOXBERG,)),
                               F.with_(statuses=("Verworfen", "Ruht")), F.with_(date_from=date(2026, 1, 1))])
def test_key_figures(fixture_db, f):
    rows = initiatives_where(date_from=f.date_from, date_to=f.date_to, themes=f.themes,
                             municipalities=f.municipalities, statuses=f.statuses)
    ids = {i["initiative_id"] for i in rows}
    k = overview.key_figures(f, FIXTURE_TODAY)
    assert k.initiatives == len(rows)
    assert k.in_progress == sum(i["status"] == "In Umsetzung" for i in rows)
    assert k.completed == sum(i["status"] == "Abgeschlossen" for i in rows)
    assert k.funding_granted_eur == sum(i["funding_granted_eur"] or 0 for i in rows)
    assert k.total_cost_eur == sum(i["total_cost_eur"] or 0 for i in rows if i["status"] != "Verworfen")
    assert k.overdue_milestones == len(overdue_milestones(FIXTURE_TODAY, ids))


def test_status_counts_cover_all_statuses_in_order(fixture_db):
    from monitor.core.vocab import STATUSES

    df = overview.status_counts(F.with_(themes=("supply",)))
    assert list(df["status"]) == list(STATUSES)
    rows = initiatives_where(themes=("supply",))
    assert dict(zip(df["status"], df["initiatives"])) == {s: sum(i["status"] == s for i in rows) for s in STATUSES}


def test_theme_progress(fixture_db):
    df = overview.theme_progress(F, FIXTURE_TODAY).set_index("theme")
    assert list(df.index) == ["mobility", "supply", "tourism", "value_chains"]
    for theme, row in df.iterrows():
        rows = [i for i in initiatives_where() if i["theme"] == theme]
        ids = {i["initiative_id"] for i in rows}
        ms = [m for m in MILESTONES if m[0] in ids]
        assert row["initiatives"] == len(rows)
        assert row["milestones_done"] == sum(m[3] is not None for m in ms)
        assert row["milestones_done_late"] == sum(m[3] is not None and m[3] > m[2] for m in ms)
        assert row["milestones_overdue"] == len(overdue_milestones(FIXTURE_TODAY, ids))
        open_ok = [m for m in ms
                   if m[3] is None and m[2] >= FIXTURE_TODAY and INITIATIVE[m[0]]["status"] != "Verworfen"]
        assert row["milestones_open"] == len(open_ok)
        rated = [k for k in KPIS if k[0] in ids and k[7] is not None and k[5] is not None]
        assert row["kpis_rated"] == len(rated)
        assert row["kpis_reached"] == sum(_reached(k) for k in rated)
        assert row["funding_granted_eur"] == sum(i["funding_granted_eur"] or 0 for i in rows)
    # a selected theme without initiatives still gets its (empty) row
    empty = overview.theme_progress(F.with_(themes=("tourism",), statuses=("Abgeschlossen",)), FIXTURE_TODAY)
    assert list(empty["theme"]) == ["tourism"] and int(empty["initiatives"].iloc[0]) == 0


@pytest.mark.parametrize("f", [F, F.with_(themes=("mobility",)), F.with_(municipalities=(BOXBERG,)),
                               F.with_(statuses=("Verworfen", "Ruht")), F.with_(themes=("tourism",),
                               statuses=("Abgeschlossen",)), F.with_(date_from=date(1990, 1, 1),
                                                                    date_to=date(1990, 12, 31))])
def test_load_derives_key_figures_and_counts_like_their_own_queries(fixture_db, f):
    """overview.load takes the key figures and status counts from the per-theme sums and the status mix; they
    must equal what key_figures/status_counts/theme_progress compute (also for an empty selection)."""
    data = overview.load(f, FIXTURE_TODAY)
    assert data.key == overview.key_figures(f, FIXTURE_TODAY)
    assert data.key.initiatives == len(initiatives_where(date_from=f.date_from, date_to=f.date_to, themes=f.themes,
                                                          municipalities=f.municipalities, statuses=f.statuses))
    pd.testing.assert_frame_equal(data.status_counts, overview.status_counts(f))
    pd.testing.assert_frame_equal(data.themes, overview.theme_progress(f, FIXTURE_TODAY))


@pytest.mark.parametrize("themes", [("mobility",), ("supply", "tourism"), ("value_chains",)])
@pytest.mark.parametrize("f", [F, F.with_(municipalities=(BOXBERG,)), F.with_(statuses=("In Umsetzung", "Idee")),
                               F.with_(date_from=date(2020, 1, 1))])
def test_load_narrows_the_every_theme_rows_to_what_the_theme_filter_selects(fixture_db, f, themes):
    """overview.load asks for every theme (cached across theme choices) and keeps the chosen themes' rows: the
    same rows as the queries with the theme filter (an empty frame may differ only in its column types)."""
    f = f.with_(themes=themes)
    data = overview.load(f, FIXTURE_TODAY)

    def same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(got, expected, check_dtype=not expected.empty)

    ch, at_ = overview.changes(f), overview.attention(f, FIXTURE_TODAY)
    for got, expected in [(data.changes.new_initiatives, ch.new_initiatives),
                          (data.changes.status_changes, ch.status_changes),
                          (data.changes.milestones_reached, ch.milestones_reached),
                          (data.attention.overdue, at_.overdue), (data.attention.stale, at_.stale),
                          (data.attention.ending_soon, at_.ending_soon), (data.status_mix, overview.status_mix(f))]:
        same(got, expected)
    assert data.key.initiatives == len(initiatives_where(date_from=f.date_from, date_to=f.date_to, themes=themes,
                                                          municipalities=f.municipalities, statuses=f.statuses))


def test_direction_aware_kpi(fixture_db):
    # INI-008: waiting time 60 -> target 30, actual 25 -> reached although actual < target
    k = next(k for k in KPIS if k[0] == "INI-008")
    assert k[4] > k[5] and k[7] < k[5]
    d = initiatives.detail("INI-008")
    assert bool(d.kpis["reached"].iloc[0]) is True


def test_changes(fixture_db):
    ch = overview.changes(F)
    ids = {i["initiative_id"] for i in initiatives_where()}
    in_period = lambda d: d is not None and DEFAULT_FROM <= d <= DEFAULT_TO  # noqa: E731
    assert set(ch.new_initiatives["initiative_id"]) == {i for i in ids if in_period(status_dates(i)[0][0])}
    expected_moves = sorted((i, d) for i in ids for d, _ in status_dates(i)[1:] if in_period(d))
    got = sorted(zip(ch.status_changes["initiative_id"], [pd.Timestamp(d).date() for d in ch.status_changes["date"]]))
    assert got == expected_moves
    first = ch.status_changes.iloc[-1]  # oldest change in the period
    hist = status_dates(first["initiative_id"])
    idx = [s for _, s in hist].index(first["status"])
    assert first["previous_status"] == hist[idx - 1][1]
    assert len(ch.milestones_reached) == sum(m[0] in ids and in_period(m[3]) for m in MILESTONES)
    events = overview.recent_events(ch, limit=4)
    assert len(events) == 4 and list(events["Datum"]) == sorted(events["Datum"], reverse=True)
    assert len(overview.recent_events(ch, limit=100)) == (len(ch.new_initiatives) + len(ch.status_changes)
                                                          + len(ch.milestones_reached))


def test_attention(fixture_db):
    a = overview.attention(F, FIXTURE_TODAY)
    assert sorted(a.overdue["milestone"]) == sorted(m[1] for m in overdue_milestones())
    cutoff = overview.months_before(FIXTURE_TODAY, 6)
    open_rows = [i for i in initiatives_where() if i["status"] not in ("Abgeschlossen", "Verworfen")]
    assert set(a.stale["initiative_id"]) == {i["initiative_id"] for i in open_rows
                                             if last_activity(i["initiative_id"]) < cutoff}
    # INI-007's last status change is old, but it reached a milestone recently: it is moving
    assert status_dates("INI-007")[-1][0] < cutoff <= last_activity("INI-007")
    assert "INI-007" not in set(a.stale["initiative_id"])
    soon = FIXTURE_TODAY + timedelta(days=90)
    assert set(a.ending_soon["initiative_id"]) == {i["initiative_id"] for i in open_rows
                                                   if i["end_planned"] and FIXTURE_TODAY <= i["end_planned"] <= soon}
    assert "INI-009" not in set(a.ending_soon["initiative_id"])  # Verworfen, though its end is near


def test_months_before():
    assert overview.months_before(date(2026, 7, 15), 6) == date(2026, 1, 15)
    assert overview.months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert overview.months_before(date(2026, 3, 31), 13) == date(2025, 2, 28)


def test_funds_by_programme(fixture_db):
    df = overview.funds_by_programme(F).set_index("programme")
    programmes = {p for i in initiatives_where() for p in i["programmes"]}
    assert set(df.index) == programmes
    for p in programmes:
        rows = [i for i in initiatives_where() if p in i["programmes"]]
        assert df.loc[p, "initiatives"] == len(rows)
        assert df.loc[p, "funding_granted_eur"] == sum(i["funding_granted_eur"] or 0 for i in rows)
    assert list(df["funding_granted_eur"]) == sorted(df["funding_granted_eur"], reverse=True)


def test_portfolio_and_detail(fixture_db):
    table = initiatives.portfolio(F, initiatives.PortfolioFilters(search="  DORFLADEN "))
    assert list(table["initiative_id"]) == ["INI-002"]
    assert not any(c.startswith("contact") for c in initiatives.portfolio(F).columns)
    d = initiatives.detail("INI-001")
    assert d.info["contact_email"] == INITIATIVE["INI-001"]["contact_email"]
    assert d.themes == ("mobility", "supply")
    assert list(d.history["status"]) == [s for _, s in status_dates("INI-001")]
    assert len(d.rounds) == sum("INI-001" in r["initiatives"] for r in ROUNDS)
    assert initiatives.detail("GIBT-ES-NICHT") is None
    assert initiatives.detail("INI-003").municipalities == ("kreisweit",)
    assert initiatives.programme_options() == sorted({p for i in INITIATIVE.values() for p in i["programmes"]})


def test_sources_helpers(fixture_db):
    assert sources.portfolio_source_label() == "Initiativen-Portfolio (initiativen_beispiel.xlsx)"
    assert sources.file_size(2048) == "2,0 KB" and sources.file_size(None) == "–"
    assert sources.row_counts_text('{"a": 1234}') == "a: 1.234" and sources.row_counts_text("kaputt") == "–"
    assert list(sources.run_files('[{"name": "x", "size_bytes": 1, "sha256": "ab"}]')["name"]) == ["x"]
    assert sources.run_files(None).empty


def test_new_initiative_event_names_the_first_status(fixture_db):
    ch = overview.changes(F)
    events = overview.recent_events(ch, limit=100)
    for r in ch.new_initiatives.itertuples():
        first = status_dates(r.initiative_id)[0][1]
        assert r.first_status == first
        assert f"Neu aufgenommen als {first}" in set(events["Ereignis"])


def test_kpi_texts(fixture_db):
    assert initiatives.value_text(12.0, "km") == "12 km"
    assert initiatives.value_text(1234.5, "Tage") == "1.234,5 Tage"
    assert initiatives.value_text(0.25, None) == "0,25"
    assert initiatives.value_text(None, "km") == "–"
    table = initiatives.kpi_table(initiatives.detail("INI-002").kpis)
    k = next(k for k in KPIS if k[0] == "INI-002")
    assert list(table["Istwert"]) == ["–"] and list(table["Ziel erreicht"]) == ["–"]
    assert list(table["Zielwert"]) == [f"{int(k[5])} {k[3]}"]


def test_fixture_municipalities_are_the_official_facts():
    import csv

    from tests.conftest import ROOT
    from tests.fixture_db import MUNICIPALITIES

    with open(ROOT / "data" / "sample" / "gemeinden.csv", encoding="utf-8") as fh:
        official = {r["ags"]: r for r in csv.DictReader(fh, delimiter=";")}
    for m in MUNICIPALITIES:
        row = official[m["ags"]]
        assert (m["name"], m["kind"], m["population"]) == (row["name"], row["kind"], int(row["population"]))
        assert (m["name_sorbian"] or "") == row["name_sorbian"]
        assert (m["area_km2"], m["lat"], m["lon"]) == (float(row["area_km2"]), float(row["lat"]), float(row["lon"]))


def test_detail_choices_are_bounded_and_keep_the_linked_one():
    table = pd.DataFrame({"initiative_id": [f"I-{n:04d}" for n in range(1200)], "title": ["T"] * 1200})
    choices = initiatives.detail_choices(table, "I-1100", limit=500)
    assert len(choices) == 501 and choices["initiative_id"].iloc[-1] == "I-1100"
    assert len(initiatives.detail_choices(table, "I-0003", limit=500)) == 500
    assert len(initiatives.detail_choices(table.head(20), None, limit=500)) == 20
    assert initiatives.requested_detail(None, "I-1100 – Ein Titel – mit Strich") == "I-1100"
    assert initiatives.requested_detail("I-0001", "I-1100 – x") == "I-0001"
    assert initiatives.requested_detail(None, None) is None


def test_capped_table_says_what_it_leaves_out():
    from monitor.app import ui

    df = pd.DataFrame({"x": range(10)})
    assert len(ui.capped(df, "Zeilen", limit=3)) == 3
    assert ui.capped(df, "Zeilen", limit=20) is df
