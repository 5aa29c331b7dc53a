"""Tests of the maps: the deck builders of monitor/figures/maps.py (on deck.to_json()), the value classes and legend
of monitor/data/map_values.py, and the map queries and Karte loader of monitor/data/geo.py on the fixture database,
including polygons from municipality_geometry."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pandas as pd
import pytest

from monitor.core import format as fmt
from monitor.data import geo, map_values
from monitor.data import municipalities as mun
from monitor.figures import maps
from monitor.data.filters import Filters
from monitor.core import palette
from monitor.core.palette import THEME_COLOURS
from tests.fixture_db import (
    BOXBERG,
    DEFAULT_FROM,
    DEFAULT_TO,
    GOERLITZ,
    INDICATORS,
    INITIATIVE,
    MUNICIPALITIES,
    VALUES,
    _INDICATOR_DEFAULTS,
    initiatives_where,
)


def munis(values=(100.0, 200.0, None), geo=False) -> pd.DataFrame:
    rows = []
    for n, v in enumerate(values):
        lat, lon = 51.0 + n * 0.2, 14.6 + n * 0.2
        square = {"type": "Polygon", "coordinates": [[[lon - .05, lat - .05], [lon + .05, lat - .05],
                                                      [lon + .05, lat + .05], [lon - .05, lat - .05]]]}
        rows.append({"ags": f"1462600{n}", "name": f"Ort {n}", "lat": lat, "lon": lon, "population": 1000 * (n + 1),
                     "period": dt.date(2024, 12, 31), "value": v, "flag": "secret" if v is None else None,
                     "geojson": json.dumps(square) if geo else None})
    return pd.DataFrame(rows)


def initiatives() -> pd.DataFrame:
    return pd.DataFrame([
        {"initiative_id": "X-1", "title": "<b>Bus</b>", "theme": "mobility", "status": "Idee", "districtwide": False,
         "lead_organisation": "Verein", "lat": 51.0, "lon": 14.6, "located": "eigene Koordinaten"},
        {"initiative_id": "X-2", "title": "Laden", "theme": "supply", "status": "Bewilligt", "districtwide": False,
         "lead_organisation": None, "lat": 51.0, "lon": 14.6, "located": "Mitte der Gemeinden"},
    ])


def deck_json(result: maps.DistrictMap) -> dict:
    return json.loads(result.deck.to_json())


def layer(spec: dict, layer_id: str) -> dict:
    return next(x for x in spec["layers"] if x["id"] == layer_id)


def test_points_layer_tooltip_and_colours():
    result = maps.build_map(munis(), initiatives(), indicator_name="Übernachtungen", unit="Übernachtungen",
                            decimals=0, year=2024)
    spec = deck_json(result)
    muni_layer, ini_layer = layer(spec, "gemeinden"), layer(spec, "initiativen")
    assert [x["id"] for x in spec["layers"]] == ["ausdehnung", "ausdehnung_rand", "gemeinden", "initiativen"]
    assert muni_layer["@@type"] == "ScatterplotLayer"
    assert muni_layer["getFillColor"] == "@@=fill"
    rows = {r["name"]: r for r in muni_layer["data"]}
    assert rows["Ort 1"]["detail"].startswith("Übernachtungen 2024: 200 Übernachtungen")
    assert "Einwohner: 2.000" in rows["Ort 1"]["detail"]
    assert "keine Angabe (unbekannt oder geheim zu halten)" in rows["Ort 2"]["detail"]
    assert rows["Ort 2"]["fill"][:3] == palette.rgba(palette.MISSING)[:3]
    # light = low, dark = high
    assert rows["Ort 0"]["fill"][:3] == palette.rgba(palette.RAMP[0])[:3]
    assert rows["Ort 1"]["fill"][:3] == palette.rgba(palette.RAMP[-1])[:3]
    assert rows["Ort 1"]["radius"] > rows["Ort 0"]["radius"]  # sized by population
    recs = ini_layer["data"]
    assert recs[0]["fill"][:3] == palette.rgba(THEME_COLOURS["mobility"])[:3]
    assert recs[1]["fill"][:3] == palette.rgba(THEME_COLOURS["supply"])[:3]
    assert (recs[0]["lat"], recs[0]["lon"]) != (recs[1]["lat"], recs[1]["lon"])  # same spot: spread apart
    assert recs[0]["name"] == "X-1: <b>Bus</b>"  # plain text tooltip, no HTML template
    assert muni_layer["lineWidthUnits"] == "pixels"
    assert result.deck._tooltip == {"text": "{name}\n{detail}"}
    assert result.legend.sized_by_population and result.legend.has_missing
    assert [t[0] for t in result.legend.themes] == ["Mobilität", "Daseinsvorsorge & Nahversorgung"]


def test_polygons_when_every_municipality_has_a_boundary():
    result = maps.build_map(munis(geo=True), None, indicator_name="X", unit="m", decimals=0, year=None)
    spec = deck_json(result)
    (polygons,) = spec["layers"]  # real boundaries: no approximate outline
    assert polygons["@@type"] == "GeoJsonLayer"
    feature = polygons["data"]["features"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert set(feature["properties"]) >= {"name", "detail", "fill"}
    assert polygons["getFillColor"] == "@@=properties.fill"
    assert not result.legend.sized_by_population and not result.legend.outline


def test_basemap_switch():
    offline = deck_json(maps.build_map(munis(), None, indicator_name="X", unit="m", decimals=0, year=2024))
    assert offline["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in offline
    own = "http://karten.intern.example/stil.json"  # a style the administration serves itself
    online = deck_json(maps.build_map(munis(), None, indicator_name="X", unit="m", decimals=0, year=2024,
                                      basemap=own))
    assert online["mapProvider"] == "carto"  # drawn by MapLibre, no token
    assert online["mapStyle"] == own


def test_highlight_outlines_selected():
    spec = deck_json(maps.build_map(munis(), None, indicator_name="X", unit="m", decimals=0, year=2024,
                                    highlight=("14626001",)))
    rows = {r["ags"]: r for r in layer(spec, "gemeinden")["data"]}
    assert rows["14626001"]["line"][:3] == [0, 0, 0] and rows["14626001"]["line_px"] == 3
    assert rows["14626000"]["line"][:3] == [255, 255, 255]


def test_value_classes():
    classes = map_values.value_classes(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, None]), 0, "m")
    assert len(classes) == 5
    assert classes[0].lower == 1.0 and classes[-1].upper == 6.0
    assert [c.colour for c in classes] == list(palette.RAMP)
    assert classes[-1].label.endswith(" m")
    assert map_values.colour_for(None, classes) == palette.MISSING
    assert map_values.colour_for(6.0, classes) == palette.RAMP[-1]
    assert len(map_values.value_classes(pd.Series([7.0, 7.0]), 0, "m")) == 1
    assert map_values.value_classes(pd.Series([None], dtype="float64"), 0, "m") == ()
    big = map_values.value_classes(pd.Series([1234.5, 98765.0]), 0, "Personen")
    assert big[0].label.startswith(f"{fmt.number(1234.5)} – ")
    assert big[-1].label.endswith(f" – {fmt.number(98765)} Personen")


def test_fit_view_contains_points():
    lats, lons = [50.9, 51.6], [14.5, 15.0]
    view = maps.fit_view(lats, lons)
    assert 50.9 < view.latitude < 51.6 and 14.5 < view.longitude < 15.0
    assert 7.5 < view.zoom < 10.5
    wider = maps.fit_view([50.0, 52.0], [13.0, 16.0])
    assert wider.zoom < view.zoom
    assert maps.fit_view([51.0], [14.0]).zoom == 11.0


def test_legend_content():
    result = maps.build_map(munis(), initiatives(), indicator_name="Übernachtungen", unit="Übernachtungen",
                            decimals=0, year=2024)
    legend = map_values.legend_content(result.legend, stand=dt.date(2024, 12, 31))
    assert legend.title == "Legende: Übernachtungen 2024 (Übernachtungen)"
    assert [e.label for e in legend.values][-1] == "keine Angabe"
    assert [e.symbol for e in legend.values] == ["square"] * len(legend.values)
    assert [e.colour for e in legend.values[:-1]] == [c.colour for c in result.legend.classes]
    swatch = next(e for e in legend.others if e.label == "Initiative: Mobilität")
    assert swatch.colour == THEME_COLOURS["mobility"] and swatch.symbol == "circle"
    assert "Stand: 31.12.2024" in legend.subtitle


def test_map_queries_on_fixture(fixture_db):
    frame = geo.map_municipalities("overnight_stays", 2021)
    assert set(frame["ags"]) == {m["ags"] for m in MUNICIPALITIES}
    box = frame[frame["ags"] == BOXBERG].iloc[0]
    assert pd.isna(box["value"]) and box["flag"] == "secret"
    gor = frame[frame["ags"] == GOERLITZ].iloc[0]
    assert gor["value"] == next(v["value"] for v in VALUES if v["indicator_id"] == "overnight_stays"
                                and v["region_key"] == GOERLITZ and v["year"] == 2021)
    f = Filters(DEFAULT_FROM, DEFAULT_TO)
    points = geo.map_initiatives(f)
    assert set(points["initiative_id"]) == {i["initiative_id"] for i in initiatives_where()}
    wide = points[points["initiative_id"] == "INI-003"].iloc[0]  # no own coordinates: centre of its municipalities
    ini = INITIATIVE["INI-003"]
    lat = sum(m["lat"] for m in MUNICIPALITIES if m["ags"] in ini["municipalities"]) / len(ini["municipalities"])
    assert wide["lat"] == pytest.approx(lat) and wide["located"] == "Mitte der Gemeinden"
    own = points[points["initiative_id"] == "INI-001"].iloc[0]
    assert own["lat"] == INITIATIVE["INI-001"]["lat"]


def test_polygons_from_geometry_table(fixture_db, tmp_path, monkeypatch):
    copy = tmp_path / "with_geometry.duckdb"
    shutil.copy(fixture_db, copy)
    con = duckdb.connect(str(copy))
    for m in MUNICIPALITIES:
        lat, lon = m["lat"], m["lon"]
        geometry = {"type": "Polygon", "coordinates": [[[lon - .03, lat - .02], [lon + .03, lat - .02],
                                                        [lon + .03, lat + .02], [lon - .03, lat - .02]]]}
        con.execute("insert into municipality_geometry values (?, ?, ?)", [m["ags"], json.dumps(geometry), "test"])
    con.close()
    monkeypatch.setenv("REGIONALMONITOR_DB", str(copy))
    frame = geo.map_municipalities("population", 2024)
    assert frame["geojson"].notna().all()
    spec = deck_json(maps.build_map(frame, None, indicator_name="Bevölkerung", unit="Personen", decimals=0,
                                    year=2024))
    assert layer(spec, "gemeinden")["@@type"] == "GeoJsonLayer"
    assert "ausdehnung" not in {x["id"] for x in spec["layers"]}
    locator = json.loads(maps.locator_map(frame, BOXBERG).to_json())
    assert layer(locator, "gemeinden")["@@type"] == "GeoJsonLayer"


def test_locator_map_points(fixture_db):
    frame = geo.map_municipalities(None, None)
    f = Filters(DEFAULT_FROM, DEFAULT_TO, municipalities=(BOXBERG,))
    spec = json.loads(maps.locator_map(frame, BOXBERG, geo.map_initiatives(f)).to_json())
    assert layer(spec, "gemeinden")["data"][-1]["ags"] == BOXBERG  # drawn last, on top
    ini_layer = layer(spec, "initiativen")
    local = [i for i in initiatives_where(municipalities=(BOXBERG,)) if not i["districtwide"]]
    assert len(ini_layer["data"]) == len(local)


def test_outline_is_the_hull_of_the_points():
    # a square of four corners with one point inside: the hull is the four corners
    square = [(14.0, 51.0), (15.0, 51.0), (15.0, 52.0), (14.0, 52.0), (14.5, 51.5)]
    hull = maps.convex_hull(square)
    assert sorted(hull) == sorted(square[:4])
    assert maps.convex_hull([(1.0, 1.0), (1.0, 1.0)]) == [(1.0, 1.0)]
    dashes = maps.dash_segments(hull, dash_km=1.0, gap_km=1.0)
    # each side is about 70 or 111 km: about one dash per 2 km, all on the hull's edges
    assert 150 < len(dashes) < 200
    for d in dashes:
        for lon, lat in (d["from"], d["to"]):
            assert 14.0 - 1e-9 <= lon <= 15.0 + 1e-9 and 51.0 - 1e-9 <= lat <= 52.0 + 1e-9
            assert min(abs(lon - 14.0), abs(lon - 15.0), abs(lat - 51.0), abs(lat - 52.0)) < 1e-6


def test_outline_and_central_place_labels():
    frame = munis(values=(1.0, 2.0, 3.0, 4.0)).assign(central_place=[None, "Mittelzentrum", None, "Oberzentrum"])
    result = maps.build_map(frame, None, indicator_name="X", unit="m", decimals=0, year=2024)
    spec = deck_json(result)
    area = layer(spec, "ausdehnung")
    ring = area["data"][0]["polygon"]
    assert {(x, y) for x, y in ring} <= {(round(r.lon, 5), round(r.lat, 5)) for r in frame.itertuples()}
    assert layer(spec, "ausdehnung_rand")["@@type"] == "LineLayer"
    labels = layer(spec, "zentrale_orte")
    assert labels["@@type"] == "TextLayer" and spec["layers"][-1]["id"] == "zentrale_orte"  # on top
    assert [r["name"] for r in labels["data"]] == ["Ort 1", "Ort 3"]
    assert labels["characterSet"] == "auto"  # umlauts and ß are drawn
    assert result.legend.outline and result.legend.central_places
    legend = map_values.legend_content(result.legend)
    assert (map_values.OUTLINE_LABEL, "line") in [(e.label, e.symbol) for e in legend.others]
    # without central places: no label layer
    plain_spec = deck_json(maps.build_map(munis(), None, indicator_name="X", unit="m", decimals=0, year=2024))
    assert "zentrale_orte" not in {x["id"] for x in plain_spec["layers"]}


def test_deck_json_is_compact():
    text = maps.build_map(munis(), initiatives(), indicator_name="X", unit="m", decimals=0, year=2024).deck.to_json()
    assert "\n  " not in text and json.loads(text)["layers"]


def test_municipal_part_is_reused_only_for_the_same_content():
    maps._PARTS.clear()
    first = deck_json(maps.build_map(munis(), initiatives(), indicator_name="X", unit="m", decimals=0, year=2024))
    assert len(maps._PARTS) == 1
    # same municipalities, other initiatives: the municipal part comes from the cache, the initiatives do not
    again = maps.build_map(munis(), initiatives().iloc[:1], indicator_name="X", unit="m", decimals=0, year=2024)
    assert len(maps._PARTS) == 1
    spec = deck_json(again)
    assert layer(spec, "gemeinden") == layer(first, "gemeinden")
    assert len(layer(spec, "initiativen")["data"]) == 1 and len(layer(first, "initiativen")["data"]) == 2
    assert spec["initialViewState"] == first["initialViewState"]
    # a changed value, year or selection is a new part with what it changes
    changed = deck_json(maps.build_map(munis(values=(100.0, 250.0, None)), None, indicator_name="X", unit="m",
                                       decimals=0, year=2024))
    assert "X 2024: 250 m" in layer(changed, "gemeinden")["data"][1]["detail"]
    other_year = deck_json(maps.build_map(munis(), None, indicator_name="X", unit="m", decimals=0, year=2023))
    assert "X 2023: 200 m" in layer(other_year, "gemeinden")["data"][1]["detail"]
    marked = deck_json(maps.build_map(munis(), None, indicator_name="X", unit="m", decimals=0, year=2024,
                                      highlight=("14626001",)))
    assert [r["line_px"] for r in layer(marked, "gemeinden")["data"]] == [1, 3, 1]
    assert len(maps._PARTS) == 4


def test_locator_keeps_to_the_district():
    frame = pd.concat([munis(), munis().assign(ags=lambda d: "01001" + d["ags"].str[5:])], ignore_index=True)
    spec = json.loads(maps.locator_map(frame, "14626001").to_json())
    assert {r["ags"][:5] for r in layer(spec, "gemeinden")["data"]} == {"14626"}
    assert len(map_values.same_district(frame, "ohne")) == len(frame)


def test_labels_clear_the_point_of_a_large_town():
    frame = munis(values=(1.0, 2.0)).assign(central_place=["Mittelzentrum", "Oberzentrum"],
                                           population=[1000, 250000])
    small, large = maps.label_layer(frame, zoom=9.0).data
    assert large["offset"][0] > small["offset"][0] >= 7  # right of the circle, which grows with the population
    assert maps.label_layer(frame)._kwargs["get_pixel_offset"] == "offset"


def test_karte_loader_fields_from_fixture(fixture_db):
    labels = mun.indicator_labels()
    with_values = {v["indicator_id"] for v in VALUES}
    assert set(labels) == with_values
    ind = next(i for i in INDICATORS if i["indicator_id"] == "overnight_stays")
    assert labels["overnight_stays"] == f"{ind['name_de']} ({ind['unit']})"
    municipal = {m["ags"] for m in MUNICIPALITIES}
    years = sorted({v["year"] for v in VALUES if v["indicator_id"] == "overnight_stays"
                    and v["region_key"] in municipal}, reverse=True)
    assert geo.year_choices("overnight_stays") == years  # newest first: the default

    f = Filters(DEFAULT_FROM, DEFAULT_TO)
    data = geo.load(f, "overnight_stays", 2021)
    assert data.indicator.name == ind["name_de"] and data.year == 2021 and data.empty_text is None
    assert set(data.municipalities["ags"]) == municipal
    assert set(data.initiatives["initiative_id"]) == {i["initiative_id"] for i in initiatives_where()}
    assert data.stand == max(v["period"] for v in VALUES if v["indicator_id"] == "overnight_stays"
                             and v["year"] == 2021 and v["region_key"] in municipal)
    assert data.highlight == () and "schwarz umrandet" not in data.notes
    assert data.notes.startswith(f"Quelle: {ind.get('source', _INDICATOR_DEFAULTS['source'])}")
    assert f"Einheit: {ind['unit']}" in data.notes
    assert ("höhere Werte sind besser" if ind["higher_is_better"] else "niedrigere Werte sind besser") in data.notes
    assert data.initiatives_text.startswith(f"{fmt.number(len(initiatives_where()))} Initiativen auf der Karte")
    assert data.initiatives_empty_text is None
    assert ind["name_de"] in data.alt and "2021" in data.alt
    table = data.value_table()
    assert list(table.columns) == ["Gemeinde", "Wert", "Einwohner"] and len(table) == len(MUNICIPALITIES)

    hidden = geo.load(f.with_(municipalities=(BOXBERG,)), "overnight_stays", 2021, show_initiatives=False)
    assert hidden.initiatives is None and hidden.initiatives_text is None and hidden.initiatives_empty_text is None
    assert hidden.highlight == (BOXBERG,) and "schwarz umrandet" in hidden.notes

    assert not initiatives_where(themes=("tourism",), statuses=("Verworfen",))
    none = geo.load(f.with_(themes=("tourism",), statuses=("Verworfen",)), "overnight_stays", 2021)
    assert none.initiatives.empty and none.initiatives_empty_text == geo.NO_INITIATIVES_TEXT
    assert none.initiatives_text is None
