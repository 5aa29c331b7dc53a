"""Tests of monitor/data/municipalities.py on the fixture database: benchmarks, profile, indicator values,
comparison, index."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from monitor.core import format as fmt, vocab
from monitor.data import municipalities as mun
from monitor.data.filters import Filters
from tests.fixture_db import (
    BOXBERG,
    DEFAULT_FROM,
    DEFAULT_TO,
    DISTRICT_KEY,
    DISTRICT_NAME,
    GOERLITZ,
    INDICATORS,
    MUNICIPALITIES,
    MUNICIPALITY_NAME,
    NIESKY,
    POPULATION_BREAK,
    STATE_KEY,
    STATE_NAME,
    VALUES,
    ZITTAU,
    initiatives_where,
)

F = Filters(DEFAULT_FROM, DEFAULT_TO)


def value(indicator_id, region, year):
    return next(v for v in VALUES if v["indicator_id"] == indicator_id and v["region_key"] == region
                and v["year"] == year)


def test_benchmarks_from_meta_and_regions(fixture_db):
    assert mun.benchmarks() == mun.Benchmarks(DISTRICT_KEY, DISTRICT_NAME, STATE_KEY, STATE_NAME)


def test_options_and_profile(fixture_db):
    options = mun.municipality_table()
    assert options["name"].tolist() == sorted(m["name"] for m in MUNICIPALITIES)
    p = mun.profile(BOXBERG)
    m = next(x for x in MUNICIPALITIES if x["ags"] == BOXBERG)
    assert (p.name, p.name_sorbian, p.population, p.area_km2) == (m["name"], m["name_sorbian"], m["population"],
                                                                   m["area_km2"])
    assert p.density == pytest.approx(m["population"] / m["area_km2"])
    facts = dict(p.facts())
    assert facts["Sorbischer Name"] == "Hamor"
    assert facts["Einwohner"] == f"{fmt.number(m['population'])} (Stand {fmt.date(m['population_date'])})"
    assert "Sorbischer Name" not in dict(mun.profile(GOERLITZ).facts())
    assert mun.profile("99999999") is None


def test_municipality_initiatives(fixture_db):
    df = mun.municipality_initiatives(F, BOXBERG)
    assert set(df["initiative_id"]) == {i["initiative_id"] for i in initiatives_where(municipalities=(BOXBERG,))}
    assert df["districtwide"].tolist()[-1]  # districtwide ones last
    table = mun.initiatives_display(df)
    assert set(table.loc[table["ID"] == "INI-003", "Wirkungsort"]) == {"kreisweit"}


def test_indicator_info_and_catalogue(fixture_db):
    info = mun.indicator_info("population")
    assert info.series_break.date.isoformat() == POPULATION_BREAK[:10]
    assert info.unit == "Personen" and info.higher_is_better is True
    assert mun.indicator_info("nope") is None
    tourism = mun.indicator_choices("tourism")
    assert tourism["indicator_id"].tolist() == [i["indicator_id"] for i in INDICATORS if i["theme"] == "tourism"]
    assert len(mun.indicator_choices()) == len(INDICATORS)
    assert mun.population_indicator() == "population"


def test_municipal_values_keep_withheld(fixture_db):
    df, year = mun.municipal_values("overnight_stays", 2021)
    assert year == 2021
    box = df[df["ags"] == BOXBERG].iloc[0]
    assert pd.isna(box["value"]) and box["flag"] == "secret"
    zero, _ = mun.municipal_values("overnight_stays", 2020)
    assert zero.loc[zero["ags"] == BOXBERG, "value"].iloc[0] == 0.0
    latest, latest_year = mun.municipal_values("overnight_stays")
    assert latest_year == max(v["year"] for v in VALUES)
    assert mun.indicator_years("overnight_stays") == sorted({v["year"] for v in VALUES}, reverse=True)


def _latest_gap() -> tuple[str, str, int, str]:
    """The fixture's trap: (indicator, ags, latest year, flag) of a municipality whose latest value is withheld
    while the year before has one."""
    latest = max(v["year"] for v in VALUES)
    gap = next(v for v in VALUES if v["year"] == latest and v["value"] is None and v["region_key"] == NIESKY)
    assert value(gap["indicator_id"], NIESKY, latest - 1)["value"] is not None
    return gap["indicator_id"], NIESKY, latest, gap["flag"]


def test_latest_values_keep_a_withheld_latest_year(fixture_db):
    ind, ags, latest, flag = _latest_gap()
    row = mun.latest_values((ags,), (ind,)).iloc[0]
    assert int(row["year"]) == latest and pd.Timestamp(row["period"]).year == latest
    assert pd.isna(row["value"]) and row["flag"] == flag  # not the year before's value under this year


def test_comparison_table_labels_the_year_of_the_value_shown(fixture_db):
    ind, ags, latest, flag = _latest_gap()
    name = next(i["name_de"] for i in INDICATORS if i["indicator_id"] == ind)
    row = mun.comparison_table((ags,)).set_index("Kennzahl").loc[name]
    assert row["Jahr"] == str(latest)
    assert row[MUNICIPALITY_NAME[ags]] == f"k. A. – {vocab.flag_label(flag)}"
    previous = fmt.number(value(ind, ags, latest - 1)["value"], 0)
    assert previous not in row[MUNICIPALITY_NAME[ags]]


def test_benchmarks_and_comparability(fixture_db):
    year = 2024
    values = mun.benchmark_values("stop_distance", year)
    assert values == {DISTRICT_NAME: value("stop_distance", DISTRICT_KEY, year)["value"],
                      STATE_NAME: value("stop_distance", STATE_KEY, year)["value"]}
    # distances are averages (within the municipal range) -> kept; inhabitants are totals -> dropped
    assert mun.comparable_benchmarks("stop_distance", year) == values
    assert mun.comparable_benchmarks("population", year) == {}


def test_region_trend_and_index(fixture_db):
    trend = mun.region_trend("population", ZITTAU)
    assert set(trend["role"]) == {"gemeinde", "kreis", "land"}
    assert set(trend["series"]) == {MUNICIPALITY_NAME[ZITTAU], DISTRICT_NAME, STATE_NAME}
    idx = mun.to_index(trend)
    for _name, part in idx.groupby("series"):
        assert part.sort_values("period")["value"].iloc[0] == pytest.approx(100.0)
    z = idx[idx["series"] == MUNICIPALITY_NAME[ZITTAU]].sort_values("period")
    assert z["value"].iloc[1] == pytest.approx(value("population", ZITTAU, 2020)["value"]
                                               / value("population", ZITTAU, 2019)["value"] * 100)


def test_index_keeps_gaps():
    data = pd.DataFrame({"series": ["A"] * 3, "period": [dt.date(2019 + n, 12, 31) for n in range(3)],
                         "value": [None, 50.0, 75.0], "flag": ["secret", None, None]})
    assert mun.to_index(data)["value"].tolist()[1:] == [100.0, 150.0]
    assert pd.isna(mun.to_index(data)["value"].iloc[0])


def test_comparison_table_and_values(fixture_db):
    table = mun.comparison_table((GOERLITZ, BOXBERG))
    assert list(table.columns) == ["Thema", "Kennzahl", "Einheit", "Jahr", MUNICIPALITY_NAME[GOERLITZ],
                                   MUNICIPALITY_NAME[BOXBERG], DISTRICT_NAME, STATE_NAME]
    ind = next(i for i in INDICATORS if i["indicator_id"] == "employees_per_1000")
    row = table[table["Kennzahl"] == ind["name_de"]].iloc[0]
    assert row[MUNICIPALITY_NAME[BOXBERG]] == fmt.number(value("employees_per_1000", BOXBERG, 2024)["value"], 1)
    assert row["Einheit"] == ind["unit"] and row["Jahr"] == "2024"
    values, year = mun.comparison_values("stop_distance", (ZITTAU, BOXBERG))
    assert values["ags"].tolist() == [ZITTAU, BOXBERG] and year == 2024
    assert values["value"].tolist() == [value("stop_distance", a, 2024)["value"] for a in (ZITTAU, BOXBERG)]


def test_default_municipality(fixture_db):
    f = Filters(DEFAULT_FROM, DEFAULT_TO)
    own = {m["ags"]: sum(1 for i in initiatives_where() if not i["districtwide"] and m["ags"] in i["municipalities"])
           for m in MUNICIPALITIES}
    best = min(MUNICIPALITIES, key=lambda m: (-own[m["ags"]], m["name"]))["ags"]
    assert mun.default_municipality(f) == best
    assert mun.default_municipality(f.with_(municipalities=(ZITTAU, BOXBERG))) == ZITTAU  # the sidebar first
    nothing = Filters(dt.date(2001, 1, 1), dt.date(2001, 12, 31))  # no initiative: the first by name
    assert mun.default_municipality(nothing) == min(MUNICIPALITIES, key=lambda m: m["name"])["ags"]


def test_sidebar_municipality_options_sorted_read_only_and_per_database_version(fixture_db, monkeypatch):
    from monitor.data import db, municipalities

    options = municipalities.municipality_names(DEFAULT_TO)
    assert dict(options) == {m["ags"]: m["name"] for m in MUNICIPALITIES}
    assert list(options.values()) == sorted(options.values())
    assert municipalities.municipality_names(DEFAULT_TO) is options  # built once per version and day
    with pytest.raises(TypeError):
        options["00000000"] = "x"  # shared between sessions: nobody may change it
    stamp = db.current_stamp()
    monkeypatch.setattr(db, "current_stamp", lambda: (*stamp[:-1], stamp[-1] + 1))
    assert municipalities.municipality_names(DEFAULT_TO) is not options


def test_indicator_labels_once_per_version(fixture_db):
    labels = mun.indicator_labels()
    assert list(labels) == [i["indicator_id"] for i in sorted(INDICATORS, key=lambda i: (i["theme"], i["name_de"]))]
    assert labels["stop_distance"] == next(f"{i['name_de']} ({i['unit']})" for i in INDICATORS
                                           if i["indicator_id"] == "stop_distance")
    assert mun.indicator_labels() is labels  # cached
    assert list(mun.indicator_labels("tourism")) == [i["indicator_id"] for i in INDICATORS if i["theme"] == "tourism"]


def _district_is_total(indicator_id: str) -> bool:
    latest = max(v["year"] for v in VALUES if v["indicator_id"] == indicator_id)
    at = {v["region_key"]: v["value"] for v in VALUES if v["indicator_id"] == indicator_id and v["year"] == latest}
    return at[DISTRICT_KEY] > max(at[k] for k in MUNICIPALITY_NAME if at.get(k) is not None)


@pytest.mark.parametrize("indicator_id", ["overnight_stays", "stop_distance"])
def test_index_by_default_for_sums(fixture_db, indicator_id):
    assert mun.index_by_default(indicator_id) is _district_is_total(indicator_id)


def test_load_profile(fixture_db):
    f = Filters(DEFAULT_FROM, DEFAULT_TO)
    d = mun.load(f, BOXBERG, mun.PROFILE, indicator_id="overnight_stays", as_index=False)
    assert d.comparison is None and d.benchmarks.district_name == DISTRICT_NAME
    p = d.profile
    assert p.profile.name == MUNICIPALITY_NAME[BOXBERG]
    expected = initiatives_where(municipalities=(BOXBERG,))
    assert set(p.initiatives["ID"]) == {i["initiative_id"] for i in expected}
    assert p.districtwide == sum(1 for i in expected if i["districtwide"])
    assert p.population.lines == ((MUNICIPALITY_NAME[BOXBERG], "gemeinde"),)
    assert set(p.population.data["region_key"]) == {BOXBERG}
    assert p.indicator.lines == ((MUNICIPALITY_NAME[BOXBERG], "gemeinde"), (DISTRICT_NAME, "kreis"),
                                 (STATE_NAME, "land"))
    assert p.indicator.unit == next(i["unit"] for i in INDICATORS if i["indicator_id"] == "overnight_stays")
    # overnight stays of the district are a total: in values, the page suggests the index
    assert p.totals_hint is _district_is_total("overnight_stays")
    indexed = mun.load(f, BOXBERG, mun.PROFILE, indicator_id="overnight_stays", as_index=True).profile
    assert indexed.indicator.unit == mun.INDEX_UNIT and not indexed.totals_hint
    assert mun.load(f, BOXBERG, mun.PROFILE).profile.indicator is None


def test_load_comparison(fixture_db):
    f = Filters(DEFAULT_FROM, DEFAULT_TO)
    d = mun.load(f, BOXBERG, mun.COMPARISON, chosen=(GOERLITZ, BOXBERG), compare_id="stop_distance")
    assert d.profile is None
    c = d.comparison
    assert {MUNICIPALITY_NAME[GOERLITZ], MUNICIPALITY_NAME[BOXBERG]} <= set(c.table.columns)
    assert c.values["ags"].tolist() == [GOERLITZ, BOXBERG]
    assert c.year == max(v["year"] for v in VALUES if v["indicator_id"] == "stop_distance")
    assert set(c.reference) == ({DISTRICT_NAME, STATE_NAME} if not _district_is_total("stop_distance") else set())
    empty = mun.load(f, BOXBERG, mun.COMPARISON, chosen=(), compare_id="stop_distance").comparison
    assert empty.table.empty and empty.info is None


def test_values_of_a_year_are_those_of_its_latest_period(fixture_db, tmp_path, monkeypatch):
    """A year with two periods whose latest is withheld shows the withheld value, not the earlier period's."""
    import shutil

    import duckdb

    from monitor.data import geo
    from tests.conftest import clear_streamlit_caches

    ind, ags, latest, flag = _latest_gap()
    path = tmp_path / "two_periods.duckdb"
    shutil.copyfile(fixture_db, path)
    with duckdb.connect(str(path)) as con:
        for key in (ags, DISTRICT_KEY):
            con.execute("delete from indicator_value where indicator_id = ? and region_key = ? and year = ?",
                        (ind, key, latest))
            con.execute("insert into indicator_value (indicator_id, region_key, period, year, value, flag, source_id) "
                        "values (?, ?, ?, ?, 1.0, null, 'stat_fixture'), (?, ?, ?, ?, null, ?, 'stat_fixture')",
                        (ind, key, dt.date(latest, 6, 30), latest, ind, key, dt.date(latest, 12, 31), latest, flag))
    monkeypatch.setenv("REGIONALMONITOR_DB", str(path))
    clear_streamlit_caches()
    try:
        frame, _ = mun.municipal_values(ind, latest)
        shown = frame[frame["ags"] == ags].iloc[0]
        assert pd.Timestamp(shown["period"]).month == 12 and pd.isna(shown["value"]) and shown["flag"] == flag
        mapped = geo.map_municipalities(ind, latest)
        shown = mapped[mapped["ags"] == ags].iloc[0]
        assert pd.isna(shown["value"]) and shown["flag"] == flag
        assert mun.benchmark_values(ind, latest)[DISTRICT_NAME] is None
    finally:
        monkeypatch.undo()
        clear_streamlit_caches()


def test_germany_is_the_third_benchmark_where_it_has_values(germany_db):
    from tests.fixture_db import GERMANY_KEY, WITH_GERMANY, WITHOUT_GERMANY, germany_values

    b = mun.benchmarks()
    assert (b.germany_key, b.germany_name) == (GERMANY_KEY, mun.GERMANY_NAME)  # the label, whatever the region's name
    assert b.roles() == {DISTRICT_NAME: "kreis", STATE_NAME: "land", mun.GERMANY_NAME: "bund"}
    year = max(v["year"] for v in germany_values() if v["indicator_id"] == WITH_GERMANY["indicator_id"])
    assert mun.benchmark_values(WITH_GERMANY["indicator_id"], year)[mun.GERMANY_NAME] == next(
        v["value"] for v in germany_values() if v["indicator_id"] == WITH_GERMANY["indicator_id"] and v["year"] == year)
    # no value for Germany: no entry at all (never a None drawn or a 0)
    assert mun.GERMANY_NAME not in mun.benchmark_values(WITHOUT_GERMANY["indicator_id"], year)
    trend = mun.region_trend(WITHOUT_GERMANY["indicator_id"], None)
    assert "bund" not in set(trend["role"])


def test_without_a_national_region_there_is_no_germany(fixture_db):
    b = mun.benchmarks()
    assert b.germany_key is None and mun.benchmark_lines(b) == ((DISTRICT_NAME, "kreis"), (STATE_NAME, "land"))
