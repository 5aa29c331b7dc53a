"""Tests of monitor/data/themes.py on the fixture database: initiatives, status over time, KPIs, summary."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from monitor.data import themes
from monitor.data.filters import Filters
from monitor.core.vocab import THEMES, flag_label
from tests.fixture_db import (
    BOXBERG,
    DEFAULT_FROM,
    DEFAULT_TO,
    DISTRICT_KEY,
    DISTRICT_NAME,
    INDICATORS,
    INITIATIVE,
    KPIS,
    MUNICIPALITY_NAME,
    STATE_NAME,
    STATUS_HISTORY,
    VALUES,
    initiatives_where,
)

F = Filters(DEFAULT_FROM, DEFAULT_TO)


def month_ends(start: dt.date, end: dt.date):
    d = dt.date(start.year, start.month, 1)
    while d <= end:
        nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        yield d, min(nxt - dt.timedelta(days=1), end)
        d = nxt


def test_default_theme():
    assert themes.default_theme(F) == THEMES[0].theme_id
    assert themes.default_theme(F.with_(themes=("tourism", "supply"))) == "tourism"


@pytest.mark.parametrize("theme", [t.theme_id for t in THEMES])
def test_theme_initiatives_main_and_further(fixture_db, theme):
    df = themes.theme_initiatives(F, theme)
    main = {i["initiative_id"] for i in initiatives_where(themes=(theme,))}
    further = {i["initiative_id"] for i in initiatives_where() if theme in i["themes"]}
    assert set(df.loc[df["is_primary"], "initiative_id"]) == main
    assert set(df.loc[~df["is_primary"], "initiative_id"]) == further
    for row in df.itertuples():
        ini = INITIATIVE[row.initiative_id]
        names = ", ".join(sorted(MUNICIPALITY_NAME[a] for a in ini["municipalities"]))
        expected = "kreisweit" if ini["districtwide"] else names
        assert row.municipalities == expected


def test_sidebar_theme_does_not_hide_the_page_theme(fixture_db):
    df = themes.theme_initiatives(F.with_(themes=("tourism",)), "mobility")
    assert set(df["initiative_id"]) >= {i["initiative_id"] for i in initiatives_where(themes=("mobility",))}


def test_status_progress_matches_history(fixture_db):
    df = themes.status_progress(F, "mobility")
    ids = {i["initiative_id"] for i in initiatives_where(themes=("mobility",))}
    got = {(pd.Timestamp(r.month).date(), r.status): r.n for r in df.itertuples()}
    expected: dict[tuple, int] = {}
    for first, cutoff in month_ends(DEFAULT_FROM, DEFAULT_TO):
        for ini in ids:
            hist = [(d, s) for i, d, s, _ in STATUS_HISTORY if i == ini and d <= cutoff]
            if hist:
                key = (first, hist[-1][1])
                expected[key] = expected.get(key, 0) + 1
    assert got == expected


def test_kpis_and_summary(fixture_db):
    kpis = themes.theme_kpis(F, "mobility")
    ids = {i["initiative_id"] for i in initiatives_where(themes=("mobility",))}
    expected = [k for k in KPIS if k[0] in ids]
    assert kpis["name"].tolist() == [k[1] for k in expected]
    assert kpis["unit"].tolist() == [k[3] for k in expected]
    s = themes.theme_summary(themes.theme_initiatives(F, "mobility"), kpis)
    assert s.initiatives == len(ids)
    assert s.kpis == len(expected)
    assert s.kpis_reached == sum(1 for k in expected if k[7] is not None and k[7] >= k[5])
    assert s.funding_granted_eur == sum(INITIATIVE[i]["funding_granted_eur"] or 0 for i in ids)


def test_summary_counts_the_kpis_rated_and_reached():
    kpis = pd.DataFrame({"reached": pd.array([True, False, None], dtype="boolean")})
    initiatives = pd.DataFrame({"is_primary": [True], "status": ["Idee"], "funding_granted_eur": [None]})
    summary = themes.theme_summary(initiatives, kpis)
    assert (summary.kpis, summary.kpis_rated, summary.kpis_reached) == (3, 2, 1)


def test_display_tables(fixture_db):
    table = themes.initiative_table(themes.theme_initiatives(F, "mobility"))
    row = table[table["ID"] == "INI-001"].iloc[0]
    assert row["Fördermittel bewilligt"] == "180.000 €"
    assert row["Beginn"] == "01.03.2025"
    kpi = themes.theme_kpi_table(themes.theme_kpis(F, "supply"))
    assert "INI-008" in {i["initiative_id"] for i in initiatives_where(themes=("supply",))}
    waiting = kpi[kpi["Kennzahl"] == "Wartezeit auf Hausarzttermin"].iloc[0]
    assert waiting["Zielwert"] == "30 Tage (2026)"
    assert waiting["Istwert"].startswith("25 Tage (Stand ")
    opening = kpi[kpi["Kennzahl"] == "Öffnungsstunden pro Woche"].iloc[0]
    assert opening["Istwert"] == "noch kein Istwert"
    assert opening["Zielerreichung"] == "–"


def test_empty_period_gives_empty_frames(fixture_db):
    f = Filters(dt.date(2001, 1, 1), dt.date(2001, 12, 31))
    assert themes.theme_initiatives(f, "mobility").empty
    assert themes.status_progress(f, "mobility").empty
    assert themes.theme_kpis(f, "mobility").empty


def _is_total(indicator_id: str) -> bool:
    """From the fixture lists: the district's value of the latest year exceeds every municipality's."""
    latest = max(v["year"] for v in VALUES if v["indicator_id"] == indicator_id)
    at = {v["region_key"]: v["value"] for v in VALUES if v["indicator_id"] == indicator_id and v["year"] == latest}
    return at[DISTRICT_KEY] > max(at[k] for k in MUNICIPALITY_NAME if at.get(k) is not None)


def test_load_theme_page(fixture_db):
    f = F.with_(municipalities=(next(iter(MUNICIPALITY_NAME)),))
    ind = next(i for i in INDICATORS if i["theme"] == "mobility")
    d = themes.load(f, "mobility", ind["indicator_id"])
    expected = initiatives_where(themes=("mobility",), municipalities=f.municipalities)
    assert d.theme.theme_id == "mobility"
    assert set(d.initiatives["ID"]) == {i["initiative_id"] for i in expected}
    assert d.summary.initiatives == len(expected)
    kpis = [k for k in KPIS if k[0] in {i["initiative_id"] for i in expected}]
    assert len(d.kpis) == len(kpis) == len(d.kpi_table)
    assert len(d.measured) == sum(1 for k in kpis if k[7] is not None)
    x = d.indicator
    assert x.trend.info.indicator_id == ind["indicator_id"]
    assert x.year == max(v["year"] for v in VALUES if v["indicator_id"] == ind["indicator_id"])
    assert x.highlight == tuple(MUNICIPALITY_NAME[a] for a in f.municipalities)
    assert [name for name, _ in x.trend.lines] == [DISTRICT_NAME, STATE_NAME]
    assert themes.load(F, "mobility", None).indicator is None


@pytest.mark.parametrize("indicator_id", [i["indicator_id"] for i in INDICATORS
                                          if i["indicator_id"] in {v["indicator_id"] for v in VALUES}])
def test_theme_indicator_index_mode(fixture_db, indicator_id):
    """A sum (district and Land are totals) is shown as an index of its first year; an average in its unit."""
    ind = next(i for i in INDICATORS if i["indicator_id"] == indicator_id)
    x = themes.theme_indicator(F, indicator_id)
    assert x.trend.as_index is _is_total(indicator_id)
    assert (x.reference == {}) is _is_total(indicator_id)
    if x.trend.as_index:
        assert x.trend.unit == "Index (erstes Jahr = 100)" and x.trend.decimals == 1
        firsts = x.trend.data.dropna(subset=["value"]).sort_values("period").groupby("series")["value"].first()
        assert set(firsts) == {100.0}
    else:
        assert x.trend.unit == ind["unit"] and x.trend.decimals == ind["decimals"]


def test_missing_text_names_withheld_values(fixture_db):
    withheld = [v for v in VALUES if v["indicator_id"] == "overnight_stays" and v["value"] is None
                and v["region_key"] in MUNICIPALITY_NAME]
    first_year = min(v["year"] for v in withheld)
    withheld = [v for v in withheld if v["year"] == first_year]
    assert [v["region_key"] for v in withheld] == [BOXBERG], "fixture: one withheld municipal value that year"
    ranking, _ = themes.mun.municipal_values("overnight_stays", withheld[0]["year"])
    text = themes.missing_text(ranking)
    assert text == f"Ohne Wert (nicht null): {MUNICIPALITY_NAME[BOXBERG]} – {flag_label(withheld[0]['flag'])}"
    assert themes.missing_text(ranking, limit=0).endswith("; und 1 weitere")
    assert themes.missing_text(ranking[ranking["value"].notna()]) is None


def test_theme_indicator_in_a_chosen_year(fixture_db):
    ind = next(i for i in INDICATORS if i["theme"] == "supply")["indicator_id"]
    municipal = [v for v in VALUES if v["indicator_id"] == ind and v["region_key"] in MUNICIPALITY_NAME]
    years = themes.indicator_years(ind)
    assert years.with_values == tuple(sorted({v["year"] for v in municipal if v["value"] is not None},
                                             reverse=True))
    assert years.latest == max(v["year"] for v in municipal) and not years.latest_empty
    first = min(years.with_values)
    x = themes.theme_indicator(F, ind, first)
    assert x.year == first and x.year_note is None
    expected = {MUNICIPALITY_NAME[v["region_key"]]: v["value"] for v in municipal if v["year"] == first}
    assert dict(zip(x.ranking["name"], x.ranking["value"])) == expected
    # a year without municipal values falls back to the newest year with one
    assert themes.theme_indicator(F, ind, first - 1).year == years.with_values[0]
