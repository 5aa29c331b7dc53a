"""AppTest of the Karte page on the fixture database: deck layers, tooltips with German values, legend,
selectors, URL, base-map toggle and the empty state."""
from __future__ import annotations

import json

from monitor.core import format as fmt
from monitor.app import ui
from monitor.core import palette
from monitor.data import geo
from monitor.data.map_values import OUTLINE_LABEL
from monitor.core.vocab import THEME_BY_ID
from tests.app_helpers import deck, figures, layer, layer_ids, new_app, table_with
from tests.app_helpers import open_page as open_helper
from tests.fixture_db import BOXBERG, GOERLITZ, INDICATORS, MUNICIPALITIES, VALUES, initiatives_where

PAGE = "pages/karte.py"


def open_page(app, **query):
    return open_helper(app, PAGE, **query)


def legend_text(at) -> str:
    """The Markdown of the legend box below the map."""
    return "\n".join(m.value for m in at.markdown if m.value.startswith(("**Legende", ":color[")))


def label(indicator_id: str) -> str:
    ind = next(i for i in INDICATORS if i["indicator_id"] == indicator_id)
    return f"{ind['name_de']} ({ind['unit']})"


def test_default_map_municipalities_and_initiatives(app):
    at = open_page(app)
    indicator_id = at.selectbox(key="karte_indikator").value
    ind = next(i for i in INDICATORS if i["indicator_id"] == indicator_id)
    year = at.selectbox(key="karte_jahr").value
    assert year == max(v["year"] for v in VALUES if v["indicator_id"] == indicator_id)
    spec = deck(at)
    munis = layer(spec, "gemeinden")
    assert munis["@@type"] == "ScatterplotLayer"  # no boundaries in the fixture: points
    by_ags = {r["ags"]: r for r in munis["data"]}
    assert set(by_ags) == {m["ags"] for m in MUNICIPALITIES}
    v = next(x for x in VALUES if x["indicator_id"] == indicator_id and x["region_key"] == GOERLITZ
             and x["year"] == year)
    shown = f"{ind['name_de']} {year}: {fmt.number(v['value'], ind['decimals'])} {ind['unit']}"
    assert shown in by_ags[GOERLITZ]["detail"]
    assert by_ags[GOERLITZ]["name"] == "Görlitz"
    inis = layer(spec, "initiativen")
    expected = initiatives_where()
    assert len(inis["data"]) == len(expected)
    records = sorted(inis["data"], key=lambda r: r["name"])
    for rec, ini in zip(records, sorted(expected, key=lambda i: i["initiative_id"])):
        assert rec["name"].startswith(ini["initiative_id"])
        assert rec["fill"][:3] == palette.rgba(THEME_BY_ID[ini["theme"]].colour)[:3]
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip) == {"text": "{name}\n{detail}"}
    # the view fits the district
    lats = [m["lat"] for m in MUNICIPALITIES]
    lons = [m["lon"] for m in MUNICIPALITIES]
    view = spec["initialViewState"]
    assert min(lats) < view["latitude"] < max(lats) and min(lons) < view["longitude"] < max(lons)
    assert 7 < view["zoom"] < 12
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec  # offline: no base map
    assert not figures(at)  # the legend is text, no chart
    legend = legend_text(at)
    title = ui.md(f"Legende: {ind['name_de']} {year} ({ind['unit']})")
    assert f"**{title}**" in legend
    # no boundaries in the fixture: the hull of the points, named as such in the legend; central places named
    assert layer_ids(spec)[:2] == ["ausdehnung", "ausdehnung_rand"]
    assert ui.md(OUTLINE_LABEL) in legend
    central = {m["name"] for m in MUNICIPALITIES if m["central_place"]}
    assert {r["name"] for r in layer(spec, "zentrale_orte")["data"]} == central


def test_selectors_and_withheld_value(app):
    at = open_page(app)
    at.selectbox(key="karte_indikator").set_value("overnight_stays").run()
    at.selectbox(key="karte_jahr").set_value(2021).run()
    assert not at.exception
    by_ags = {r["ags"]: r for r in layer(deck(at), "gemeinden")["data"]}
    assert "keine Angabe (unbekannt oder geheim zu halten)" in by_ags[BOXBERG]["detail"]
    assert by_ags[BOXBERG]["fill"][:3] == palette.rgba(palette.MISSING)[:3]
    assert ui.legend_line("square", palette.MISSING, "keine Angabe") in legend_text(at)
    # the value table is built only once its expander is opened
    assert [e.label for e in at.expander] == ["Werte als Tabelle"]
    assert not [f for f in at.dataframe if "Gemeinde" in f.value.columns]
    at.session_state["karte_tabelle_offen"] = True
    at.run()
    assert not at.exception
    table = table_with(at, "Gemeinde", "Wert", "Einwohner")
    assert len(table) == len(MUNICIPALITIES)
    assert table.loc[table["Gemeinde"] == "Boxberg/O.L.", "Wert"].iloc[0].startswith("keine Angabe")
    goerlitz = next(m for m in MUNICIPALITIES if m["ags"] == GOERLITZ)
    assert table.loc[table["Gemeinde"] == "Görlitz", "Einwohner"].iloc[0] == fmt.number(goerlitz["population"])


def test_url_restores_indicator_and_year(app):
    at = open_page(app, karte_indikator=label("overnight_stays"), karte_jahr="2021")
    assert at.selectbox(key="karte_indikator").value == "overnight_stays"
    assert at.selectbox(key="karte_jahr").value == 2021
    assert "2021" in layer(deck(at), "gemeinden")["data"][0]["detail"]


def test_no_basemap_without_an_own_style(app):
    at = open_page(app)
    assert "karte_hintergrund" not in [t.key for t in at.toggle]  # no public tile service is ever offered
    assert deck(at)["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in deck(at)


def test_toggles_basemap_and_initiatives(app, monkeypatch):
    own = "http://karten.intern.example/stil.json"
    monkeypatch.setenv(geo.BASEMAP_ENV, own)
    at = open_page(app)
    at.toggle(key="karte_hintergrund").set_value(True).run()
    spec = deck(at)
    assert spec["mapProvider"] == "carto" and spec["mapStyle"] == own
    at.toggle(key="karte_initiativen").set_value(False).run()
    assert "initiativen" not in layer_ids(deck(at)) and "gemeinden" in layer_ids(deck(at))


def test_sidebar_filter_and_empty_state(app):
    at = open_page(app, thema=THEME_BY_ID["tourism"].name_de)
    expected = initiatives_where(themes=("tourism",))
    assert len(layer(deck(at), "initiativen")["data"]) == len(expected)
    at2 = open_page(new_app(), thema=THEME_BY_ID["tourism"].name_de, status="Verworfen")
    assert not initiatives_where(themes=("tourism",), statuses=("Verworfen",))
    assert "initiativen" not in layer_ids(deck(at2))
    assert any("Keine Initiativen mit Ort" in i.value for i in at2.info)
