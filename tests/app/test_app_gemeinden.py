"""AppTest of the Gemeinden page on the fixture database: profile facts, census break, gaps, initiatives,
comparison; selector, URL and empty states."""
from __future__ import annotations

from monitor.core import format as fmt
from tests.app_helpers import assert_figure_caption, deck, figure, figures, layer, metric, shown, table_with
from tests.app_helpers import open_page as open_helper
from tests.fixture_db import (
    BOXBERG,
    DISTRICT_NAME,
    GOERLITZ,
    INDICATORS,
    MUNICIPALITIES,
    MUNICIPALITY_NAME,
    NIESKY,
    POPULATION_BREAK,
    STATE_NAME,
    VALUES,
    ZITTAU,
    _INDICATOR_DEFAULTS,
    initiatives_where,
)

PAGE = "pages/gemeinden.py"
MUNI = {m["ags"]: m for m in MUNICIPALITIES}


def open_page(app, **query):
    return open_helper(app, PAGE, **query)


def titles(at) -> list[str]:
    return [spec["layout"].get("title", {}).get("text", "") for spec in figures(at)]


def value(indicator_id: str, region: str, year: int):
    return next(v for v in VALUES if v["indicator_id"] == indicator_id and v["region_key"] == region
                and v["year"] == year)


def test_default_profile_is_the_municipality_with_most_initiatives(app):
    at = open_page(app)
    own = {m["ags"]: sum(1 for i in initiatives_where() if not i["districtwide"] and m["ags"] in i["municipalities"])
           for m in MUNICIPALITIES}
    first = min(MUNICIPALITIES, key=lambda m: (-own[m["ags"]], m["name"]))
    assert own[first["ags"]] > 0
    assert at.selectbox(key="gemeinde_profil").value == first["ags"]
    assert metric(at, "Einwohner") == fmt.number(first["population"])
    assert metric(at, "Fläche") == fmt.value_with_unit(first["area_km2"], "km²", 2)
    assert metric(at, "Einwohner je km²") == fmt.number(first["population"] / first["area_km2"])


def test_selector_change_and_sorbian_name(app):
    at = open_page(app)
    at.selectbox(key="gemeinde_profil").set_value(BOXBERG).run()
    assert not at.exception
    assert shown(at.subheader[0].value) == f"{MUNI[BOXBERG]['name']} / {MUNI[BOXBERG]['name_sorbian']}"
    at.selectbox(key="gemeinde_profil").set_value(GOERLITZ).run()
    assert at.subheader[0].value == MUNI[GOERLITZ]["name"]  # no Sorbian name
    assert metric(at, "Einwohner") == fmt.number(MUNI[GOERLITZ]["population"])
    facts = " ".join(c.value for c in at.caption)
    assert MUNI[GOERLITZ]["central_place"] in facts
    assert fmt.date(MUNI[GOERLITZ]["population_date"]) in facts


def test_url_restores_profile_and_sidebar_default(app):
    at = open_page(app, gemeinde_profil=MUNICIPALITY_NAME[ZITTAU])
    assert at.selectbox(key="gemeinde_profil").value == ZITTAU
    assert metric(at, "Einwohner") == fmt.number(MUNI[ZITTAU]["population"])


def test_sidebar_municipality_is_the_default(app):
    at = open_page(app, gemeinde=MUNICIPALITY_NAME[NIESKY])
    assert at.selectbox(key="gemeinde_profil").value == NIESKY


def test_initiatives_include_districtwide(app):
    at = open_page(app, gemeinde_profil=MUNICIPALITY_NAME[BOXBERG])
    expected = {i["initiative_id"]: i for i in initiatives_where(municipalities=(BOXBERG,))}
    table = table_with(at, "Wirkungsort")
    assert set(table["ID"]) == set(expected)
    wide = dict(zip(table["ID"], table["Wirkungsort"]))
    for ini_id, ini in expected.items():
        assert wide[ini_id] == ("kreisweit" if ini["districtwide"] else "in der Gemeinde")
    assert metric(at, "Initiativen") == fmt.number(len(expected))


def test_population_trend_breaks_at_census(app):
    at = open_page(app, gemeinde_profil=MUNICIPALITY_NAME[BOXBERG])
    spec = figure(at, "Einwohner von")
    traces = [t for t in spec["data"] if t.get("legendgroup") == MUNI[BOXBERG]["name"]]
    assert len(traces) == 2, "one trace before and one from the break: no line across it"
    break_year = int(POPULATION_BREAK[:4])
    before, after = traces
    assert max(before["x"]) < break_year <= min(after["x"])
    pop_2023 = value("population", BOXBERG, 2023)["value"]
    assert before["y"][before["x"].index(2023)] == pop_2023
    assert after["y"][after["x"].index(2024)] == MUNI[BOXBERG]["population"]
    shapes = spec["layout"]["shapes"]
    assert any(s["x0"] == s["x1"] and max(before["x"]) < s["x0"] < min(after["x"]) for s in shapes)
    assert any("Bruch" in a["text"] for a in spec["layout"]["annotations"])
    assert spec["layout"]["yaxis"]["title"]["text"] == "Personen"


def test_population_chart_names_source_unit_and_stand(app):
    at = open_page(app, gemeinde_profil=MUNICIPALITY_NAME[BOXBERG])
    pop = {**_INDICATOR_DEFAULTS, **INDICATORS[0]}
    assert_figure_caption(at, "Einwohner von", pop["source"], MUNI[BOXBERG]["population_date"], pop["unit"])


def test_withheld_value_is_a_gap_with_note(app):
    stays = next(i for i in INDICATORS if i["indicator_id"] == "overnight_stays")
    at = open_page(app, gemeinde_profil=MUNICIPALITY_NAME[BOXBERG],
                   gemeinde_indikator=f"{stays['name_de']} ({stays['unit']})", gemeinde_darstellung="Werte")
    assert at.selectbox(key="gemeinde_indikator").value == "overnight_stays"
    spec = figure(at, f"{stays['name_de']}: ")
    boxberg = next(t for t in spec["data"] if t["name"] == MUNI[BOXBERG]["name"])
    ys = dict(zip(boxberg["x"], boxberg["y"]))
    assert ys[2021] is None  # secret: a gap, never 0
    assert ys[2020] == 0  # '-' = exactly zero
    assert boxberg["connectgaps"] is False
    assert any("Lücke: Boxberg/O.L. 2021" in shown(c.value) and "geheim" in c.value for c in at.caption)


def test_only_the_open_tab_runs_and_the_address_keeps_it(app):
    at = open_page(app)
    assert [t.label for t in at.tabs] == ["Profil", "Vergleich"]
    # the profile: its figures and charts, nothing of the comparison
    assert metric(at, "Einwohner")
    assert any("Einwohner von" in t for t in titles(at)) and len(at.get("deck_gl_json_chart")) == 1
    assert "gemeinden_vergleich" not in [w.key for w in at.multiselect]
    assert "gemeinde_ansicht" not in at.query_params
    # the comparison, as a shared link opens it: its chooser and table, none of the profile's figures
    at = open_page(app, gemeinde_ansicht="Vergleich")
    assert at.multiselect(key="gemeinden_vergleich").value == [at.selectbox(key="gemeinde_profil").value]
    assert not any(m.label == "Einwohner" for m in at.metric)
    assert len(titles(at)) == 1 and not any("Einwohner von" in t for t in titles(at))
    assert not at.get("deck_gl_json_chart")
    assert table_with(at, "Kennzahl") is not None
    assert at.query_params["gemeinde_ansicht"] == "Vergleich"


def test_comparison_table_and_chart(app):
    at = open_page(app, gemeinde_ansicht="Vergleich")
    chooser = at.multiselect(key="gemeinden_vergleich")
    assert chooser.max_selections == 4
    chooser.set_value([BOXBERG, GOERLITZ]).run()
    assert not at.exception
    table = table_with(at, "Kennzahl")
    assert {MUNICIPALITY_NAME[BOXBERG], MUNICIPALITY_NAME[GOERLITZ], DISTRICT_NAME, STATE_NAME} <= set(table.columns)
    stops = next(i for i in INDICATORS if i["indicator_id"] == "stop_distance")
    row = table[table["Kennzahl"] == stops["name_de"]].iloc[0]
    latest = max(v["year"] for v in VALUES if v["indicator_id"] == "stop_distance")
    assert row[MUNICIPALITY_NAME[GOERLITZ]] == fmt.number(value("stop_distance", GOERLITZ, latest)["value"])
    assert row["Einheit"] == stops["unit"]
    at.selectbox(key="vergleich_indikator").set_value("stop_distance").run()
    spec = figure(at, f"{stops['name_de']} {latest}")
    bars = spec["data"][0]
    assert bars["x"] == [MUNICIPALITY_NAME[BOXBERG], MUNICIPALITY_NAME[GOERLITZ]]
    assert spec["layout"]["yaxis"]["title"]["text"] == stops["unit"]
    # distances are averages: the district and Saxony appear as reference lines
    assert {s["name"].split(":")[0] for s in spec["layout"]["shapes"]} == {DISTRICT_NAME, STATE_NAME}


def test_url_restores_comparison(app):
    at = open_page(app, gemeinde_ansicht="Vergleich",
                   gemeinden_vergleich=[MUNICIPALITY_NAME[NIESKY], MUNICIPALITY_NAME[ZITTAU]])
    assert at.multiselect(key="gemeinden_vergleich").value == [NIESKY, ZITTAU]


def test_empty_states(app):
    at = open_page(app, status="Verworfen", gemeinde_profil=MUNICIPALITY_NAME[BOXBERG])
    assert not initiatives_where(municipalities=(BOXBERG,), statuses=("Verworfen",))
    assert any("Keine Initiativen in" in i.value for i in at.info)
    at = open_page(app, gemeinde_ansicht="Vergleich")
    at.multiselect(key="gemeinden_vergleich").set_value([]).run()
    assert not at.exception
    assert any("bis vier Gemeinden" in i.value for i in at.info)


def test_small_map_highlights_the_municipality(app):
    at = open_page(app, gemeinde_profil=MUNICIPALITY_NAME[NIESKY])
    spec = deck(at)
    points = layer(spec, "gemeinden")["data"]
    chosen = next(r for r in points if r["ags"] == NIESKY)
    others = [r for r in points if r["ags"] != NIESKY]
    assert chosen["fill"][:3] == [0xD5, 0x5E, 0x00]
    assert all(r["fill"] != chosen["fill"] for r in others)
    assert spec["mapStyle"] == "__MAP_STYLE__"  # no base map by default (offline)
    assert layer(spec, "ausdehnung")["data"]  # no boundaries in the fixture: the hull gives orientation
