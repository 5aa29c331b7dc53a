"""AppTest of the Themen page on the fixture database: numbers from tests/fixture_db.py, selector, URL."""
from __future__ import annotations

from monitor.core import format as fmt
from monitor.core.vocab import THEME_BY_ID, flag_label
from tests.fixture_db import (
    DEFAULT_FROM,
    DEFAULT_TO,
    DISTRICT_KEY,
    DISTRICT_NAME,
    INDICATORS,
    KPIS,
    MUNICIPALITY_NAME,
    POPULATION_BREAK,
    STAND,
    STATE_NAME,
    STATUS_HISTORY,
    VALUES,
    initiatives_where,
)
from tests.app_helpers import assert_figure_caption, figure, metric, new_app, portfolio_label, shown
from tests.app_helpers import open_page as open_helper

PAGE = "pages/themen.py"


def open_page(app, **query):
    return open_helper(app, PAGE, **query)


def main_ids(theme: str, **filters) -> set[str]:
    return {i["initiative_id"] for i in initiatives_where(themes=(theme,), **filters)}


def test_default_theme_shows_its_initiatives(app):
    at = open_page(app)
    assert at.selectbox(key="themenfeld").value == "mobility"
    expected = main_ids("mobility")
    assert metric(at, "Initiativen") == fmt.number(len(expected))
    table = at.dataframe[0].value
    assert set(table["ID"]) == expected
    granted = sum(i["funding_granted_eur"] or 0 for i in initiatives_where(themes=("mobility",)))
    assert metric(at, "Fördermittel bewilligt") == fmt.eur_compact(granted)


def test_selector_change_updates_numbers(app):
    at = open_page(app)
    at.selectbox(key="themenfeld").set_value("value_chains").run()
    assert not at.exception
    expected = main_ids("value_chains")
    assert metric(at, "Initiativen") == fmt.number(len(expected))
    assert set(at.dataframe[0].value["ID"]) == expected
    assert at.subheader[0].value == THEME_BY_ID["value_chains"].name_de


def test_url_restores_theme(app):
    at = open_page(app, themenfeld=THEME_BY_ID["tourism"].name_de)
    assert at.selectbox(key="themenfeld").value == "tourism"
    assert metric(at, "Initiativen") == fmt.number(len(main_ids("tourism")))


def test_sidebar_theme_is_the_default(app):
    at = open_page(app, thema=THEME_BY_ID["supply"].name_de)
    assert at.selectbox(key="themenfeld").value == "supply"


def test_further_theme_listed_separately(app):
    # INI-007 (value_chains) names tourism as a further theme.
    at = open_page(app, themenfeld=THEME_BY_ID["tourism"].name_de)
    further = {i["initiative_id"] for i in initiatives_where() if "tourism" in i["themes"]}
    assert further, "fixture should have a further-theme initiative"
    assert any("weiterem Thema" in e.label for e in at.expander)
    assert set(at.dataframe[1].value["ID"]) == further


def test_progress_counts_match_status_history(app):
    at = open_page(app)
    spec = figure(at, "Status der Initiativen je Monat")
    ids = main_ids("mobility")
    # At the end of the period every initiative with history up to then counts once, at its latest status.
    latest: dict[str, str] = {}
    for ini, day, status, _ in STATUS_HISTORY:
        if ini in ids and day <= DEFAULT_TO:
            latest[ini] = status
    last_month = {trace["name"]: trace["y"][-1] for trace in spec["data"]}
    assert sum(last_month.values()) == len(latest)
    for status in set(latest.values()):
        assert last_month[status] == list(latest.values()).count(status)
    assert spec["layout"]["yaxis"]["title"]["text"] == "Anzahl Initiativen"
    assert spec["layout"]["separators"] == ",."
    assert "Stand" in spec["layout"]["title"]["subtitle"]["text"]


def test_kpis_target_vs_actual(app):
    at = open_page(app)
    ids = main_ids("mobility")
    kpis = [k for k in KPIS if k[0] in ids]
    rated = [k for k in kpis if k[7] is not None and k[5] is not None]
    reached = [k for k in rated if k[7] >= k[5]]
    assert metric(at, "Kennzahlen am Ziel") == f"{len(reached)} von {len(rated)}"
    spec = figure(at, "Zielerreichung")
    texts = spec["data"][0]["text"]
    first = kpis[0]
    progress = 100 * (first[7] - first[4]) / (first[5] - first[4])
    assert texts[0].startswith(fmt.percent(progress))
    assert f"{fmt.number(first[7])} {first[3]}" in texts[0]


def test_portfolio_charts_name_source_and_stand(app):
    at = open_page(app)
    for title in ("Status der Initiativen je Monat", "Zielerreichung"):
        assert_figure_caption(at, title, portfolio_label(), STAND)


def test_indicator_ranking_and_trend(app):
    at = open_page(app, themenfeld=THEME_BY_ID["tourism"].name_de)
    ind = next(i for i in INDICATORS if i["theme"] == "tourism")
    year = max(v["year"] for v in VALUES if v["indicator_id"] == ind["indicator_id"])
    ranking = figure(at, f"{ind['name_de']} {year} nach Gemeinden")
    bars = ranking["data"][0]
    shown = dict(zip(bars["y"], bars["customdata"]))
    for v in VALUES:
        if v["indicator_id"] == ind["indicator_id"] and v["year"] == year and v["region_key"] in MUNICIPALITY_NAME:
            expected = (f"keine Angabe ({flag_label(v['flag'])})" if v["value"] is None  # the withheld trap
                        else f"{fmt.number(v['value'])} {ind['unit']}")
            assert shown[MUNICIPALITY_NAME[v["region_key"]]] == expected
    # higher is better: the largest value first
    values = [x for x in bars["x"] if x is not None]
    assert values == sorted(values, reverse=True)
    assert ranking["layout"]["xaxis"]["title"]["text"] == ind["unit"]
    trend = figure(at, f"{ind['name_de']} im Zeitverlauf")
    assert {t["name"] for t in trend["data"]} == {DISTRICT_NAME, STATE_NAME}
    assert trend["data"][0]["line"]["color"] == THEME_BY_ID["tourism"].colour
    # overnight stays of district and Land are totals: shown as an index of their first year
    assert trend["layout"]["yaxis"]["title"]["text"] == "Index (erstes Jahr = 100)"
    assert trend["data"][0]["y"][0] == 100.0


def test_average_indicator_trend_in_its_unit(app):
    at = open_page(app)
    ind = next(i for i in INDICATORS if i["theme"] == "mobility")
    trend = figure(at, f"{ind['name_de']} im Zeitverlauf")
    assert trend["layout"]["yaxis"]["title"]["text"] == ind["unit"]
    district = next(t for t in trend["data"] if t["name"] == DISTRICT_NAME)
    first = min(v["year"] for v in VALUES if v["indicator_id"] == ind["indicator_id"])
    assert district["y"][0] == next(v["value"] for v in VALUES if v["indicator_id"] == ind["indicator_id"]
                                    and v["region_key"] == DISTRICT_KEY and v["year"] == first)


def test_empty_filter_result_shows_friendly_message(app):
    at = open_page(app, status="Verworfen")  # no mobility initiative is Verworfen
    assert not main_ids("mobility", statuses=("Verworfen",))
    assert metric(at, "Initiativen") == "0"
    assert any("Keine Initiativen" in i.value for i in at.info)
    assert not at.exception


def test_period_defaults_come_from_fixture(app):
    at = open_page(app)
    assert any(f"{fmt.date(DEFAULT_FROM)} – {fmt.date(DEFAULT_TO)}" in c.value for c in at.caption)


def test_kpi_naming_an_indicator_shows_its_german_name(app):
    at = open_page(app, themenfeld=THEME_BY_ID["tourism"].name_de)
    linked = [k for k in KPIS if k[2] and k[0] in main_ids("tourism")]
    assert linked, "fixture should have a KPI that names an indicator"
    ind = next(i for i in INDICATORS if i["indicator_id"] == linked[0][2])
    spec = figure(at, "Zielerreichung")
    labels = " ".join(spec["data"][0]["y"])
    assert ind["name_de"] in labels and linked[0][2] not in labels  # no raw indicator id
    assert f"{fmt.number(linked[0][7])} {ind['unit']}" in " ".join(spec["data"][0]["text"])  # the indicator's unit
    with_table = next(d.value for d in at.dataframe if "Kennzahl" in d.value.columns)
    assert ind["name_de"] in set(with_table["Kennzahl"]) and linked[0][2] not in set(with_table["Kennzahl"])


def test_indicator_derived_from_population_carries_its_break(app):
    # employees_per_1000 is computed from the population, whose series breaks at the census: its trend is split
    # there and marked like the population's own (the ETL carries the break to every formula built on it).
    ind = next(i for i in INDICATORS if i["method"] == "formula" and "{population}" in i["formula"])
    assert not ind["series_break"], "the fixture's formula indicator declares no break of its own"
    at = open_page(app, themenfeld=THEME_BY_ID[ind["theme"]].name_de)
    at.selectbox(key="themen_indikator").set_value(ind["indicator_id"]).run()
    assert not at.exception
    trend = figure(at, f"{ind['name_de']} im Zeitverlauf")
    break_year = int(POPULATION_BREAK[:4])
    district = [t for t in trend["data"] if t.get("legendgroup") == DISTRICT_NAME]
    assert len(district) == 2, "one trace before and one from the break"
    assert max(district[0]["x"]) < break_year <= min(district[1]["x"])
    note = POPULATION_BREAK.split("|")[1]
    assert any(a["text"].startswith(f"Bruch: {note}") for a in trend["layout"]["annotations"])


def _municipal_years(indicator_id: str, *, with_value: bool = True) -> list[int]:
    return sorted({v["year"] for v in VALUES if v["indicator_id"] == indicator_id
                   and v["region_key"] in MUNICIPALITY_NAME and (v["value"] is not None or not with_value)},
                  reverse=True)


def test_year_choice_shows_the_ranking_of_that_year_and_binds_to_the_url(app):
    ind = next(i for i in INDICATORS if i["theme"] == "mobility")
    years = _municipal_years(ind["indicator_id"])
    at = open_page(app)
    box = at.selectbox(key="themen_jahr")
    assert list(box.options) == [str(y) for y in years] and box.value == years[0]
    earlier = years[2]
    at = open_page(new_app(), themen_jahr=str(earlier))  # a shared link with the year
    assert at.selectbox(key="themen_jahr").value == earlier
    bars = figure(at, f"{ind['name_de']} {earlier} nach Gemeinden")["data"][0]
    shown = dict(zip(bars["y"], bars["x"]))
    for v in VALUES:
        if v["indicator_id"] == ind["indicator_id"] and v["year"] == earlier and v["region_key"] in MUNICIPALITY_NAME:
            assert shown[MUNICIPALITY_NAME[v["region_key"]]] == v["value"]
    assert not any("liegen noch keine Werte vor" in c.value for c in at.caption)


def test_latest_year_without_values_is_named_and_the_year_before_shown(app, fixture_variant):
    # as Gewerbeanmeldungen 2024 in the sample: every municipality's newest value is '...' (not yet available)
    ind = next(i for i in INDICATORS if i["theme"] == "mobility")
    latest = _municipal_years(ind["indicator_id"])[0]
    fixture_variant((f"update indicator_value set value = null, flag = 'later' where indicator_id = ? and year = ? "
                     f"and region_key in ({', '.join('?' * len(MUNICIPALITY_NAME))})",
                     (ind["indicator_id"], latest, *MUNICIPALITY_NAME)))
    at = open_page(app)
    box = at.selectbox(key="themen_jahr")
    assert box.value == latest - 1 and str(latest) not in box.options
    figure(at, f"{ind['name_de']} {latest - 1} nach Gemeinden")
    note = f"Für {latest} liegen noch keine Werte vor ({flag_label('later')}); gezeigt: {latest - 1}"
    assert any(shown(c.value) == note for c in at.caption)
