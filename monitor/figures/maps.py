"""The district map (Karte) and the small municipality map (Gemeinden): data, colour classes and pure
``pydeck.Deck`` builders.

- Municipalities are coloured by one indicator and year with a sequential, colour-blind-safe ramp (viridis,
  light = low, dark = high); withheld values are grey. Polygons come from ``municipality_geometry`` when
  loaded, else points (ScatterplotLayer) sized by population.
- Initiatives are points coloured by their main theme (``THEME_COLOURS``) at their own coordinates, else at
  the centroid of their municipalities.
- Tooltips are plain text (no HTML) from preformatted German string columns ``name`` and ``detail``.
- Without a base map (``basemap=False``) the deck sets ``map_provider=None`` and pydeck's default style
  sentinel, which Streamlit's frontend treats as "no base map" (works offline). Note: ``map_style=None``
  would make Streamlit fetch a Carto style. With ``basemap=True`` it uses Carto "light" (no token needed).

No ``st.*`` here; the page renders the deck and the legend.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from monitor.core import format as fmt
from monitor.data.db import query
from monitor.data.filters import Filters
from monitor.figures.indicators import flag_label, stand_text
from monitor.core.cache import Recent
from monitor.core.vocab import THEME_BY_ID, THEMES

#: Viridis in five steps, reversed so light = low and dark = high (readable on white without base map).
RAMP: tuple[str, ...] = ("#FDE725", "#5EC962", "#21918C", "#3B528B", "#440154")
MISSING_COLOUR = "#BDBDBD"
OUTLINE_COLOUR = "#FFFFFF"
#: The approximate extent (hull of the municipality points): a very light area with a dashed grey edge.
OUTLINE_FILL = "#7F7F7F"
OUTLINE_EDGE = "#6E6E6E"
HIGHLIGHT_OUTLINE = "#000000"
FILL_ALPHA = 210
#: Radius of a municipality point in metres = factor * sqrt(inhabitants).
RADIUS_FACTOR = 15.0
INITIATIVE_RADIUS_M = 450
TOOLTIP = {"text": "{name}\n{detail}"}
MAP_WIDTH_PX, MAP_HEIGHT_PX = 900, 560


def hex_to_rgba(colour: str, alpha: int = 255) -> list[int]:
    """'#0072B2' -> [0, 114, 178, alpha]."""
    c = colour.lstrip("#")
    return [int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha]


# ---------------------------------------------------------------------------------------------- data

def map_municipalities(indicator_id: str | None, year: int | None) -> pd.DataFrame:
    """Current municipalities with the value of ``indicator_id`` in ``year`` (latest period of that year)
    and their boundary when loaded: ``ags``, ``name``, ``lat``, ``lon``, ``population``, ``central_place``,
    ``period``, ``value`` (NaN when withheld or absent), ``flag`` ('missing' when no row), ``geojson`` (None
    without boundary)."""
    return query(
        """
        with v as (
            select region_key, max(period) as period, arg_max(value, period) as value,
                   arg_max(flag, period) as flag, true as has_row
            from indicator_value where indicator_id = ? and year = ? group by region_key
        )
        select m.ags, m.name, m.lat, m.lon, m.population, m.central_place, v.period, v.value,
               case when v.has_row then v.flag else 'missing' end as flag, g.geojson
        from municipality m
        left join v on v.region_key = m.ags
        left join municipality_geometry g on g.ags = m.ags
        where m.valid_to is null
        order by m.name
        """, (indicator_id or "", int(year) if year is not None else -1))


def map_initiatives(filters: Filters) -> pd.DataFrame:
    """Initiatives matching the sidebar filters with a map position: ``initiative_id``, ``title``,
    ``theme``, ``status``, ``districtwide``, ``lead_organisation``, ``lat``, ``lon`` and ``located``
    ('eigene Koordinaten' | 'Mitte der Gemeinden'). Initiatives without coordinates and municipalities
    are left out."""
    cond, params = filters.initiative_sql("i")
    return query(
        f"""
        with centre as (
            select im.initiative_id, avg(m.lat) as lat, avg(m.lon) as lon
            from initiative_municipality im join municipality m on m.ags = im.ags
            group by im.initiative_id
        )
        select i.initiative_id, i.title, i.theme, i.status, i.districtwide, i.lead_organisation,
               coalesce(i.lat, c.lat) as lat, coalesce(i.lon, c.lon) as lon,
               case when i.lat is not null and i.lon is not null then 'eigene Koordinaten'
                    else 'Mitte der Gemeinden' end as located
        from initiative i left join centre c on c.initiative_id = i.initiative_id
        where {cond} and coalesce(i.lat, c.lat) is not null and coalesce(i.lon, c.lon) is not null
        order by i.theme, i.initiative_id
        """, params)


# ---------------------------------------------------------------------------------------------- colours

@dataclass(frozen=True)
class ColourClass:
    """One class of the value ramp: values in [lower, upper] get ``colour``; ``label`` German with unit."""

    lower: float
    upper: float
    colour: str
    label: str


def value_classes(values: pd.Series, decimals: int, unit: str, n: int = len(RAMP)) -> tuple[ColourClass, ...]:
    """Up to ``n`` quantile classes over the present values (fewer when there are fewer distinct values);
    colours spread over the ramp from light (low) to dark (high)."""
    present = sorted(float(v) for v in values.dropna())
    if not present:
        return ()
    distinct = sorted(set(present))
    k = min(n, len(distinct))
    if k == 1:
        v = distinct[0]
        return (ColourClass(v, v, RAMP[len(RAMP) // 2], fmt.value_with_unit(v, unit, decimals)),)
    edges = [float(pd.Series(present).quantile(i / k)) for i in range(k + 1)]
    edges[0], edges[-1] = distinct[0], distinct[-1]
    edges = sorted(set(edges))
    k = len(edges) - 1
    colours = [RAMP[round(i * (len(RAMP) - 1) / (k - 1))] if k > 1 else RAMP[len(RAMP) // 2] for i in range(k)]
    out = []
    for i in range(k):
        lo, hi = edges[i], edges[i + 1]
        label = f"{fmt.number(lo, decimals)} – {fmt.value_with_unit(hi, unit, decimals)}"
        out.append(ColourClass(lo, hi, colours[i], label))
    return tuple(out)


def _class_colours(values: pd.Series, classes: tuple[ColourClass, ...]) -> list[str]:
    """:func:`colour_for` of every value, vectorised (a map of thousands of municipalities)."""
    v = values.astype("float64").to_numpy()
    if not classes:
        return [MISSING_COLOUR] * len(v)
    uppers = np.array([c.upper for c in classes])
    idx = np.minimum(np.searchsorted(uppers, v, side="left"), len(classes) - 1)
    colours = np.array([c.colour for c in classes], dtype=object)[idx]
    return [MISSING_COLOUR if np.isnan(x) else c for x, c in zip(v, colours)]


def _numbers_de(values, decimals: int) -> list[str]:
    """German number texts ('1.234,5') of a column, '–' when missing; same output as ``format.number``."""
    out = []
    for x in pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").to_numpy():
        if np.isnan(x) or np.isinf(x):
            out.append(fmt.MISSING)
        else:
            out.append(f"{x:,.{decimals}f}".translate(_GERMAN))
    return out


_GERMAN = str.maketrans({",": ".", ".": ","})


def _value_texts(values: pd.Series, flags: pd.Series, unit: str, decimals: int) -> list[str]:
    """'1.234 m' per value, 'keine Angabe (<reason>)' when withheld."""
    numbers = _numbers_de(values, decimals)
    suffix = f" {unit}" if unit else ""
    return [f"keine Angabe ({flag_label(fl)})" if n == fmt.MISSING else n + suffix
            for n, fl in zip(numbers, flags)]


def colour_for(value, classes: tuple[ColourClass, ...]) -> str:
    """The class colour of ``value`` (grey when missing or no classes)."""
    if value is None or pd.isna(value) or not classes:
        return MISSING_COLOUR
    for c in classes:
        if value <= c.upper:
            return c.colour
    return classes[-1].colour


@dataclass(frozen=True)
class MapLegend:
    """What the legend below the map explains."""

    title: str
    classes: tuple[ColourClass, ...]
    has_missing: bool
    themes: tuple[tuple[str, str], ...]
    sized_by_population: bool
    outline: bool = False  # the dashed hull of the municipality points is drawn
    central_places: bool = False  # central places are named on the map


def value_table(municipalities: pd.DataFrame, *, unit: str, decimals: int) -> pd.DataFrame:
    """German display table of :func:`map_municipalities`: Gemeinde, Wert (with unit, or 'keine Angabe
    (reason)'), Einwohner — the map's content for reading and screen readers."""
    return pd.DataFrame({
        "Gemeinde": municipalities["name"],
        "Wert": _value_texts(municipalities["value"], municipalities["flag"], unit, decimals),
        "Einwohner": _numbers_de(municipalities["population"], 0),
    })


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


def _deck(layers: list, view: pdk.ViewState, basemap: bool) -> pdk.Deck:
    """The deck: Carto "light" as base map (needs internet, no token) or none (offline)."""
    args = dict(layers=layers, initial_view_state=view, tooltip=TOOLTIP)
    if basemap:
        return CompactDeck(map_provider="carto", map_style="light", **args)
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


@functools.lru_cache(maxsize=16)
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
                  get_fill_color=hex_to_rgba(OUTLINE_FILL, 28), stroked=False, pickable=False),
        pdk.Layer("LineLayer", data=dash_segments(hull), id="ausdehnung_rand", get_source_position="from",
                  get_target_position="to", get_color=hex_to_rgba(OUTLINE_EDGE, 200), get_width=1.5,
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
        get_size=13, size_units="'pixels'", get_color=[30, 30, 30, 255], get_text_anchor="'start'",
        get_alignment_baseline="'center'", get_pixel_offset="offset", character_set="'auto'",
        font_family="'Source Sans Pro, Helvetica, Arial, sans-serif'", font_weight=600,
        font_settings={"sdf": True}, outline_width=3, outline_color=[255, 255, 255, 235], pickable=False,
    )


def _radius(population) -> pd.Series:
    """Point radius in metres: ``RADIUS_FACTOR`` * sqrt(inhabitants), 300 m without a population."""
    pop = pd.to_numeric(pd.Series(population), errors="coerce").astype("float64")
    return (RADIUS_FACTOR * pop.clip(lower=0).pow(0.5)).round(0).fillna(300.0)


def _initiative_records(initiatives: pd.DataFrame) -> list[dict]:
    """Records for the initiative layer; initiatives on the same spot are spread on a small circle."""
    records, seen = [], {}
    fills = {t.theme_id: hex_to_rgba(t.colour, 235) for t in THEMES}
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
            "fill": fills.get(theme_id) or hex_to_rgba("#000000", 235),
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


def has_boundaries(municipalities: pd.DataFrame) -> bool:
    """True when every municipality of the frame has a boundary polygon (``geojson``)."""
    return bool(len(municipalities)) and bool(municipalities["geojson"].map(
        lambda g: isinstance(g, str) and bool(g)).all())


def build_map(
    municipalities: pd.DataFrame,
    initiatives: pd.DataFrame | None,
    *,
    indicator_name: str,
    unit: str,
    decimals: int,
    year: int | None,
    basemap: bool = False,
    highlight: tuple[str, ...] = (),
    stand=None,
) -> DistrictMap:
    """Build the district map: municipalities coloured by value (polygons when every shown municipality has
    a ``geojson`` boundary, else points sized by population, over the dashed convex hull of the points as the
    approximate extent) plus initiative points coloured by theme, and the names of the central places.

    ``municipalities`` as from :func:`map_municipalities`; ``initiatives`` as from :func:`map_initiatives`
    (None or empty: no initiative layer). ``highlight``: AGS outlined in black (the sidebar selection).
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
            get_line_color=[51, 51, 51, 255], line_width_min_pixels=1,
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
    value_texts = _value_texts(values, municipalities["flag"], unit, decimals)
    populations = _numbers_de(municipalities["population"], 0)
    fills = _class_colours(values, classes)
    palette = {c: hex_to_rgba(c, FILL_ALPHA) for c in set(fills)}
    radius = _radius(municipalities["population"])
    chosen = set(highlight)
    marked_line, plain_line = hex_to_rgba(HIGHLIGHT_OUTLINE), hex_to_rgba(OUTLINE_COLOUR)
    rows = []
    columns = [municipalities[c].tolist() for c in ("ags", "name", "lat", "lon", "geojson")]
    for ags, name, lat, lon, geojson, value_text, population, fill, rad in zip(
            *columns, value_texts, populations, fills, radius.tolist()):
        marked = ags in chosen
        rows.append({
            "ags": ags, "name": name,
            "detail": f"{indicator_name}{year_text}: {value_text}\nEinwohner: {population}",
            "fill": palette[fill], "line": marked_line if marked else plain_line, "line_px": 3 if marked else 1,
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


OUTLINE_LABEL = "ungefähre Ausdehnung (Hülle der Gemeindemittelpunkte)"


@dataclass(frozen=True)
class LegendEntry:
    """One line of the map legend: a symbol in ``colour`` (a ``#RRGGBB`` value) and its German label."""

    label: str
    colour: str
    symbol: str  # "square" (value class), "circle" (initiative), "line" (outline), "text" (place name)


@dataclass(frozen=True)
class LegendContent:
    """What the legend below the map says: a title, a subtitle (data Stand, point size) and two columns of
    entries, the value classes and the other symbols."""

    title: str
    subtitle: str
    values: tuple[LegendEntry, ...]
    others: tuple[LegendEntry, ...]


def legend_content(legend: MapLegend, stand=None) -> LegendContent:
    """The legend explaining the map: one square per value class (German ranges with unit), grey for 'keine
    Angabe', one circle per theme of the initiative points, the dashed outline of the approximate extent and a
    note on the labelled central places. Rendered with Streamlit's own elements (:func:`monitor.app.ui.map_legend`),
    not as a chart: a page with only a map need not load the plotly component for its legend."""
    values = [LegendEntry(c.label, c.colour, "square") for c in legend.classes]
    if legend.has_missing:
        values.append(LegendEntry("keine Angabe", MISSING_COLOUR, "square"))
    others = [LegendEntry(f"Initiative: {name}", colour, "circle") for name, colour in legend.themes]
    if legend.outline:
        others.append(LegendEntry(OUTLINE_LABEL, OUTLINE_EDGE, "line"))
    if legend.central_places:
        others.append(LegendEntry("Name = zentraler Ort (Ober-/Mittelzentrum)", "#1E1E1E", "text"))
    subtitle = stand_text(stand) if stand is not None else ""
    if legend.sized_by_population:
        subtitle = (subtitle + " · " if subtitle else "") + "Kreisgröße der Gemeinden = Einwohnerzahl"
    return LegendContent(f"Legende: {legend.title}", subtitle, tuple(values), tuple(others))


def same_district(municipalities: pd.DataFrame, ags: str) -> pd.DataFrame:
    """The municipalities of ``ags``'s district (the first five digits of the AGS: Land, Regierungsbezirk,
    Kreis), so a locator map of a large area stays small; all rows when the key is shorter."""
    if len(ags) < 8:
        return municipalities
    part = municipalities[municipalities["ags"].astype("string").str[:5] == ags[:5]]
    return part if not part.empty else municipalities


def locator_map(municipalities: pd.DataFrame, ags: str, initiatives: pd.DataFrame | None = None,
                basemap: bool = False) -> pdk.Deck:
    """A small map of one municipality in its district: every municipality of the district (same AGS prefix,
    :func:`same_district`) in light grey (polygons when all have a boundary, else points sized by population
    over the dashed hull of the points), the chosen one in vermillion, its initiatives as points coloured by
    theme, the central places named; the view shows the whole district.

    ``municipalities``: ``ags``, ``name``, ``lat``, ``lon``, ``population``, ``geojson`` (as from
    :func:`map_municipalities`); ``initiatives`` as from :func:`map_initiatives` (optional; districtwide
    ones are left out, they have no place of their own)."""
    municipalities = same_district(municipalities, ags)
    chosen_colour = "#D55E00"
    other_fill, chosen_fill = hex_to_rgba("#D9D9D9", 160), hex_to_rgba(chosen_colour, 230)
    other_line, chosen_line = hex_to_rgba(OUTLINE_COLOUR), hex_to_rgba("#000000")
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
            get_line_color=[51, 51, 51, 255], line_width_min_pixels=1,
        ))
    view = fit_view(lats, lons, width=480, height=340)
    labels = label_layer(municipalities, zoom=None if use_polygons else view.zoom, min_px=9)
    if labels is not None:
        layers.append(labels)
    return _deck(layers, view, basemap)
