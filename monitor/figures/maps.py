"""Pydeck builders of the district map (Karte) and the small municipality map (Gemeinden): layers, the deck,
view fitting, the drawn outline of the approximate extent, and the serialised municipal layers kept for the next
run. The values they show (value classes, texts, legend content) come from :mod:`monitor.data.map_values`; the
frames from :mod:`monitor.data.geo`. No SQL, no ``st.*``; the page renders the deck and the legend.

- Municipalities are coloured by their value class; polygons come from ``municipality_geometry`` when loaded,
  else points (ScatterplotLayer) sized by population.
- Initiatives are points coloured by their main theme (``palette.THEME_COLOURS``).
- Tooltips are plain text (no HTML) from preformatted German string columns ``name`` and ``detail``.
- Without a base map (``basemap=None``) the deck sets ``map_provider=None`` and pydeck's default style
  sentinel, which Streamlit's frontend treats as "no base map" (works offline). Note: ``map_style=None``
  would make Streamlit fetch a Carto style. ``basemap`` is otherwise the address of a MapLibre style the
  administration serves itself (``monitor.data.geo.basemap_style``); never a public tile service, which every
  visitor's browser would ask.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from monitor.core import format as fmt
from monitor.core import palette
from monitor.core.cache import Recent, memo
from monitor.core.palette import rgba
from monitor.core.vocab import THEME_BY_ID, THEMES
from monitor.data.map_values import (
    ColourClass,
    MapLegend,
    class_colours,
    has_boundaries,
    numbers_de,
    same_district,
    value_classes,
    value_texts,
)

FILL_ALPHA = 210
#: Radius of a municipality point in metres = factor * sqrt(inhabitants).
RADIUS_FACTOR = 15.0
INITIATIVE_RADIUS_M = 450
TOOLTIP = {"text": "{name}\n{detail}"}
MAP_WIDTH_PX, MAP_HEIGHT_PX = 900, 560


# ---------------------------------------------------------------------------------------------- view

def fit_view(lats, lons, width: int = MAP_WIDTH_PX, height: int = MAP_HEIGHT_PX) -> pdk.ViewState:
    """A view state centred on the bounding box of the points that fits it into ``width`` x ``height`` px
    (Web Mercator, deck.gl's 512-px world), with a small margin; a single point gets zoom 11."""
    lats = [float(v) for v in lats if v is not None and not pd.isna(v)]
    lons = [float(v) for v in lons if v is not None and not pd.isna(v)]
    if not lats or not lons:
        return pdk.ViewState(latitude=51.2, longitude=14.8, zoom=8.5)
    lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
    lat_c, lon_c = (lat0 + lat1) / 2, (lon0 + lon1) / 2
    lon_span = max(lon1 - lon0, 1e-6)

    def merc(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lat_span_merc = max(merc(lat1) - merc(lat0), 1e-8)  # radians of Mercator y
    # deck.gl's Web Mercator world is 512 px wide at zoom 0.
    zoom_x = math.log2(width * 360.0 / (512.0 * lon_span))
    zoom_y = math.log2(height * 2 * math.pi / (512.0 * lat_span_merc))
    zoom = min(zoom_x, zoom_y) - 0.35
    if lat1 - lat0 < 1e-6 and lon1 - lon0 < 1e-6:
        zoom = 11.0
    return pdk.ViewState(latitude=round(lat_c, 5), longitude=round(lon_c, 5), zoom=round(min(zoom, 13.0), 2),
                         pitch=0, bearing=0)


def _geometry_points(geojson: str) -> list[tuple[float, float]]:
    """All (lon, lat) positions of a GeoJSON geometry string."""
    out: list[tuple[float, float]] = []

    def walk(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            out.append((float(c[0]), float(c[1])))
        elif isinstance(c, (list, tuple)):
            for x in c:
                walk(x)

    try:
        walk(json.loads(geojson).get("coordinates", []))
    except (ValueError, AttributeError):
        pass
    return out


# ---------------------------------------------------------------------------------------------- deck

def _dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=default_serialize, separators=(",", ":"))


class PrebuiltLayer:
    """A deck layer kept as its finished JSON: serialised once, reused by every map that shows it (the
    municipality layer of a national map is thousands of records)."""

    def __init__(self, layer: pdk.Layer):
        self.id = layer.id
        self.json = _dumps(layer)


class CompactDeck(pdk.Deck):
    """A ``pydeck.Deck`` serialised without indentation: pydeck indents its JSON by two spaces, which doubles
    the bytes sent to the browser for a map of thousands of points. Same content, same keys. Layers may be
    :class:`PrebuiltLayer`: their JSON goes in as it is."""

    _SLOT = '"layers":[]'

    def to_json(self) -> str:
        layers = list(self.layers)
        self.layers = []
        try:
            frame = _dumps(self)
        finally:
            self.layers = layers
        assert frame.count(self._SLOT) == 1, "the deck's layer list must appear exactly once"
        pieces = ",".join(x.json if isinstance(x, PrebuiltLayer) else _dumps(x) for x in layers)
        return frame.replace(self._SLOT, '"layers":[' + pieces + "]", 1)


def _deck(layers: list, view: pdk.ViewState, basemap: str | None) -> pdk.Deck:
    """The deck: the base-map style at ``basemap`` (drawn by MapLibre, no token) or none (offline)."""
    args = dict(layers=layers, initial_view_state=view, tooltip=TOOLTIP)
    if basemap:
        return CompactDeck(map_provider="carto", map_style=basemap, **args)
    return CompactDeck(map_provider=None, **args)


@dataclass(frozen=True)
class DistrictMap:
    """The deck to render and the legend that explains it."""

    deck: pdk.Deck
    legend: MapLegend


def convex_hull(points) -> list[tuple[float, float]]:
    """Convex hull of (lon, lat) points, counter-clockwise, without repeating the first point (Andrew's monotone
    chain); fewer than three distinct points give the distinct points. Remembers recent results (the points of
    a district do not change between two runs of a page)."""
    return list(_hull(tuple((float(x), float(y)) for x, y in points)))


@memo(16)
def _hull(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    pts = sorted(set(points))
    if len(pts) < 3:
        return tuple(pts)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return tuple(lower[:-1] + upper[:-1])


def dash_segments(ring: list[tuple[float, float]], dash_km: float = 1.2, gap_km: float = 0.9) -> list[dict]:
    """The closed ``ring`` of (lon, lat) cut into dashes of about ``dash_km`` with gaps of ``gap_km``, as
    records ``{"from": [lon, lat], "to": [lon, lat]}`` for a LineLayer (deck.gl draws no dashes by itself)."""
    out: list[dict] = []
    if len(ring) < 2:
        return out
    period = dash_km + gap_km
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        kx = 111.32 * math.cos(math.radians((y0 + y1) / 2))  # km per degree of longitude here
        length = math.hypot((x1 - x0) * kx, (y1 - y0) * 110.57)
        n = max(int(length // period), 1)
        step = 1.0 / max(length / period, 1.0)
        for i in range(n):
            a, b = i * step, min(i * step + step * dash_km / period, 1.0)
            out.append({"from": [round(x0 + (x1 - x0) * a, 5), round(y0 + (y1 - y0) * a, 5)],
                        "to": [round(x0 + (x1 - x0) * b, 5), round(y0 + (y1 - y0) * b, 5)]})
    return out


def outline_layers(lats, lons) -> list[pdk.Layer]:
    """The approximate extent of the area where no boundary polygons are loaded: the convex hull of the
    municipality points as a very light area with a dashed grey edge. It is what it says — the hull of the
    centre points, not a boundary (the real boundary runs further out)."""
    hull = convex_hull(zip(lons, lats))
    if len(hull) < 3:
        return []
    ring = [[round(x, 5), round(y, 5)] for x, y in hull]
    return [
        pdk.Layer("PolygonLayer", data=[{"polygon": ring}], id="ausdehnung", get_polygon="polygon",
                  get_fill_color=rgba(palette.OUTLINE_FILL, 28), stroked=False, pickable=False),
        pdk.Layer("LineLayer", data=dash_segments(hull), id="ausdehnung_rand", get_source_position="from",
                  get_target_position="to", get_color=rgba(palette.OUTLINE_EDGE, 200), get_width=1.5,
                  width_units="'pixels'", pickable=False),
    ]


def label_layer(municipalities: pd.DataFrame, zoom: float | None = None, min_px: int = 7) -> pdk.Layer | None:
    """Names of the central places (``central_place`` set, e.g. Oberzentrum, Mittelzentrum) right of their
    point (beyond its radius at the initial ``zoom``; points are at least ``min_px`` px), dark text with a white
    halo; None when there is none (or no such column)."""
    if "central_place" not in municipalities.columns:
        return None
    places = municipalities[municipalities["central_place"].notna()
                            & (municipalities["central_place"].astype("string").str.strip() != "")]
    if places.empty:
        return None
    records = []
    for r, radius_m in zip(places.itertuples(index=False), _radius(places["population"])):
        offset = min_px
        if zoom is not None:  # Web Mercator with deck.gl's 512-px world: metres per pixel here at this zoom
            metres_per_px = 78271.517 * math.cos(math.radians(float(r.lat))) / 2 ** float(zoom)
            offset = max(radius_m / metres_per_px, min_px)
        records.append({"name": str(r.name), "kind": str(r.central_place), "lat": round(float(r.lat), 5),
                        "lon": round(float(r.lon), 5), "offset": [round(offset + 5, 1), 0]})
    return pdk.Layer(
        "TextLayer", data=records, id="zentrale_orte", get_position=["lon", "lat"], get_text="name",
        get_size=13, size_units="'pixels'", get_color=rgba(palette.PLACE_NAME), get_text_anchor="'start'",
        get_alignment_baseline="'center'", get_pixel_offset="offset", character_set="'auto'",
        font_family="'Source Sans Pro, Helvetica, Arial, sans-serif'", font_weight=600,
        font_settings={"sdf": True}, outline_width=3, outline_color=rgba(palette.PLACE_HALO, 235), pickable=False,
    )


def _radius(population) -> pd.Series:
    """Point radius in metres: ``RADIUS_FACTOR`` * sqrt(inhabitants), 300 m without a population."""
    pop = pd.to_numeric(pd.Series(population), errors="coerce").astype("float64")
    return (RADIUS_FACTOR * pop.clip(lower=0).pow(0.5)).round(0).fillna(300.0)


def _initiative_records(initiatives: pd.DataFrame) -> list[dict]:
    """Records for the initiative layer; initiatives on the same spot are spread on a small circle."""
    records, seen = [], {}
    fills = {t.theme_id: rgba(t.colour, 235) for t in THEMES}
    columns = [initiatives[c].tolist() for c in ("initiative_id", "title", "theme", "status", "districtwide",
                                                  "lead_organisation", "lat", "lon", "located")]
    for initiative_id, title, theme_id, status, districtwide, lead, lat, lon, located in zip(*columns):
        lat, lon = float(lat), float(lon)
        spot = (round(lat, 4), round(lon, 4))
        k = seen.get(spot, 0)
        seen[spot] = k + 1
        if k:
            angle = k * 2.4  # golden angle steps
            lat += 0.006 * math.sin(angle)
            lon += 0.009 * math.cos(angle)
        theme = THEME_BY_ID.get(theme_id)
        where = "kreisweit" if bool(districtwide) else located
        lead = lead if isinstance(lead, str) and lead else "–"
        records.append({
            "name": f"{initiative_id}: {title}",
            "detail": f"{theme.name_de if theme else theme_id} · {status}\nTräger: {lead}\nPosition: {where}",
            "lat": round(lat, 5), "lon": round(lon, 5),
            "fill": fills.get(theme_id) or rgba(palette.UNKNOWN_THEME, 235),
        })
    return records


def _municipality_layer(rows: list[dict], *, polygons: bool, min_px: int) -> tuple[pdk.Layer, list, list]:
    """The municipalities as a GeoJsonLayer (``polygons``) or a ScatterplotLayer of points sized by population;
    also the lats and lons the view has to fit."""
    lats = [row["lat"] for row in rows]
    lons = [row["lon"] for row in rows]
    if polygons:
        features = []
        for row in rows:
            for lon, lat in _geometry_points(row["geojson"]):
                lats.append(lat)
                lons.append(lon)
            props = {k: row[k] for k in ("ags", "name", "detail", "fill", "line", "line_px")}
            features.append({"type": "Feature", "geometry": json.loads(row["geojson"]), "properties": props})
        layer = pdk.Layer(
            "GeoJsonLayer", data={"type": "FeatureCollection", "features": features}, id="gemeinden",
            pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
            get_line_color="properties.line", get_line_width="properties.line_px", line_width_units="'pixels'",
            line_width_min_pixels=1,
        )
        return layer, lats, lons
    records = [{k: row[k] for k in ("ags", "name", "detail", "fill", "line", "line_px", "lat", "lon", "radius")}
               for row in rows]
    layer = pdk.Layer(
        "ScatterplotLayer", data=records, id="gemeinden", pickable=True, stroked=True, filled=True,
        get_position=["lon", "lat"], get_radius="radius", radius_units="'meters'", radius_min_pixels=min_px,
        get_fill_color="fill", get_line_color="line", get_line_width="line_px", line_width_units="'pixels'",
    )
    return layer, lats, lons


def build_map(
    municipalities: pd.DataFrame,
    initiatives: pd.DataFrame | None,
    *,
    indicator_name: str,
    unit: str,
    decimals: int,
    year: int | None,
    basemap: str | None = None,
    highlight: tuple[str, ...] = (),
    stand=None,
) -> DistrictMap:
    """Build the district map: municipalities coloured by value (polygons when every shown municipality has
    a ``geojson`` boundary, else points sized by population, over the dashed convex hull of the points as the
    approximate extent) plus initiative points coloured by theme, and the names of the central places.

    ``municipalities`` as from :func:`monitor.data.geo.map_municipalities`; ``initiatives`` as from
    :func:`monitor.data.geo.map_initiatives` (None or empty: no initiative layer). ``highlight``: AGS outlined in
    black (the sidebar selection).
    Layers bottom to top: ``ausdehnung``/``ausdehnung_rand`` (points only), ``gemeinden``, ``initiativen``,
    ``zentrale_orte``. Everything but the initiatives is kept serialised for the next call with the same
    municipalities, indicator, year and ``highlight`` (:func:`_municipal_part`).
    """
    part = _municipal_part(municipalities, indicator_name, unit, decimals, year, tuple(sorted(set(highlight))))
    layers = list(part.below)
    theme_entries: tuple[tuple[str, str], ...] = ()
    if initiatives is not None and not initiatives.empty:
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=_initiative_records(initiatives), id="initiativen", pickable=True,
            stroked=True, filled=True, get_position=["lon", "lat"], get_radius=INITIATIVE_RADIUS_M,
            radius_units="'meters'", radius_min_pixels=4, radius_max_pixels=8, get_fill_color="fill",
            get_line_color=rgba(palette.INITIATIVE_EDGE), line_width_min_pixels=1,
        ))
        present = set(initiatives["theme"])
        theme_entries = tuple((t.name_de, t.colour) for t in THEMES if t.theme_id in present)
    if part.labels is not None:
        layers.append(part.labels)
    legend = MapLegend(
        title=part.title, classes=part.classes, has_missing=part.has_missing, themes=theme_entries,
        sized_by_population=not part.polygons, outline=part.outlined, central_places=part.labels is not None,
    )
    view = pdk.ViewState(latitude=part.view[0], longitude=part.view[1], zoom=part.view[2])
    return DistrictMap(_deck(layers, view, basemap), legend)


@dataclass(frozen=True)
class _MunicipalPart:
    """Everything of the district map that depends on the municipalities alone (not on the initiatives): the
    layers below the initiatives and the label layer as finished JSON, the view and the legend's value part."""

    below: tuple[PrebuiltLayer, ...]
    labels: PrebuiltLayer | None
    view: tuple[float, float, float]  # latitude, longitude, zoom
    title: str
    classes: tuple[ColourClass, ...]
    has_missing: bool
    polygons: bool
    outlined: bool


#: Recent municipal parts by the content of their inputs: a rerun with the same indicator, year and
#: selection (another initiative filter, the table opened, the page visited again) reuses the serialised
#: municipality layer instead of building thousands of records again. Small: a national part is ~3 MB.
_PARTS: Recent[_MunicipalPart] = Recent(6)
_FRAME_COLUMNS = ("ags", "name", "value", "flag", "population", "lat", "lon", "geojson", "central_place")


def _frame_key(municipalities: pd.DataFrame) -> tuple:
    """A content key of the map's municipality frame (row hash of the columns the map uses)."""
    cols = [c for c in _FRAME_COLUMNS if c in municipalities.columns]
    hashed = pd.util.hash_pandas_object(municipalities[cols], index=False)
    return tuple(cols), len(municipalities), hashlib.blake2b(hashed.to_numpy().tobytes(), digest_size=16).digest()


def _municipal_part(municipalities: pd.DataFrame, indicator_name: str, unit: str, decimals: int, year,
                    highlight: tuple[str, ...]) -> _MunicipalPart:
    key = (_frame_key(municipalities), indicator_name, unit, decimals, year, highlight)
    part = _PARTS.get(key)
    if part is None:
        part = _build_municipal_part(municipalities, indicator_name, unit, decimals, year, highlight)
        _PARTS.put(key, part)
    return part


def _build_municipal_part(municipalities: pd.DataFrame, indicator_name: str, unit: str, decimals: int, year,
                          highlight: tuple[str, ...]) -> _MunicipalPart:
    classes = value_classes(municipalities["value"], decimals, unit)
    year_text = f" {year}" if year is not None else ""
    values = municipalities["value"].astype("float64")
    texts = value_texts(values, municipalities["flag"], unit, decimals)
    populations = numbers_de(municipalities["population"], 0)
    fills = class_colours(values, classes)
    fill_rgba = {c: rgba(c, FILL_ALPHA) for c in set(fills)}
    radius = _radius(municipalities["population"])
    chosen = set(highlight)
    marked_line, plain_line = rgba(palette.SELECTED_EDGE), rgba(palette.MUNICIPALITY_EDGE)
    rows = []
    columns = [municipalities[c].tolist() for c in ("ags", "name", "lat", "lon", "geojson")]
    for ags, name, lat, lon, geojson, value_text, population, fill, rad in zip(
            *columns, texts, populations, fills, radius.tolist()):
        marked = ags in chosen
        rows.append({
            "ags": ags, "name": name,
            "detail": f"{indicator_name}{year_text}: {value_text}\nEinwohner: {population}",
            "fill": fill_rgba[fill], "line": marked_line if marked else plain_line, "line_px": 3 if marked else 1,
            "lat": round(float(lat), 5), "lon": round(float(lon), 5), "radius": float(rad),
            "geojson": geojson if isinstance(geojson, str) and geojson else None,
        })
    use_polygons = has_boundaries(municipalities)
    municipal_layer, lats, lons = _municipality_layer(rows, polygons=use_polygons, min_px=7)
    below = [] if use_polygons else outline_layers(lats, lons)
    outlined = bool(below)
    below.append(municipal_layer)
    view = fit_view(lats, lons)
    labels = label_layer(municipalities, zoom=None if use_polygons else view.zoom, min_px=7)
    return _MunicipalPart(
        below=tuple(PrebuiltLayer(x) for x in below), labels=None if labels is None else PrebuiltLayer(labels),
        view=(view.latitude, view.longitude, view.zoom),
        title=f"{indicator_name}{year_text} ({unit})" if unit else f"{indicator_name}{year_text}",
        classes=classes, has_missing=bool(values.isna().any()), polygons=use_polygons, outlined=outlined)


def locator_map(municipalities: pd.DataFrame, ags: str, initiatives: pd.DataFrame | None = None,
                basemap: str | None = None) -> pdk.Deck:
    """A small map of one municipality in its district: every municipality of the district (same AGS prefix,
    :func:`same_district`) in light grey (polygons when all have a boundary, else points sized by population
    over the dashed hull of the points), the chosen one in vermillion, its initiatives as points coloured by
    theme, the central places named; the view shows the whole district.

    ``municipalities``: ``ags``, ``name``, ``lat``, ``lon``, ``population``, ``geojson`` (as from
    :func:`monitor.data.geo.map_municipalities`); ``initiatives`` as from :func:`monitor.data.geo.map_initiatives`
    (optional; districtwide ones are left out, they have no place of their own)."""
    municipalities = same_district(municipalities, ags)
    other_fill, chosen_fill = rgba(palette.LOCATOR_OTHER, 160), rgba(palette.LOCATOR_CHOSEN, 230)
    other_line, chosen_line = rgba(palette.MUNICIPALITY_EDGE), rgba(palette.SELECTED_EDGE)
    rows = []
    for r, population, rad in zip(municipalities.itertuples(index=False),
                                  [fmt.number(p) for p in municipalities["population"]],
                                  _radius(municipalities["population"])):
        is_chosen = r.ags == ags
        rows.append({
            "ags": r.ags, "name": r.name, "detail": f"Einwohner: {population}",
            "fill": chosen_fill if is_chosen else other_fill, "line": chosen_line if is_chosen else other_line,
            "line_px": 3 if is_chosen else 1, "lat": round(float(r.lat), 5), "lon": round(float(r.lon), 5),
            "radius": float(rad), "geojson": r.geojson if isinstance(r.geojson, str) and r.geojson else None,
        })
    rows.sort(key=lambda row: row["ags"] == ags)  # the chosen municipality drawn last (on top)
    use_polygons = has_boundaries(municipalities)
    municipal_layer, lats, lons = _municipality_layer(rows, polygons=use_polygons, min_px=9)
    layers = [] if use_polygons else outline_layers(lats, lons)
    layers.append(municipal_layer)
    local = None if initiatives is None else initiatives[~initiatives["districtwide"].astype(bool)]
    if local is not None and not local.empty:
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=_initiative_records(local), id="initiativen", pickable=True,
            stroked=True, filled=True, get_position=["lon", "lat"], get_radius=INITIATIVE_RADIUS_M / 2,
            radius_units="'meters'", radius_min_pixels=3, radius_max_pixels=6, get_fill_color="fill",
            get_line_color=rgba(palette.INITIATIVE_EDGE), line_width_min_pixels=1,
        ))
    view = fit_view(lats, lons, width=480, height=340)
    labels = label_layer(municipalities, zoom=None if use_polygons else view.zoom, min_px=9)
    if labels is not None:
        layers.append(labels)
    return _deck(layers, view, basemap)

