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

import json
import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from monitor import format as fmt
from monitor.db import query
from monitor.filters import Filters
from monitor.indicator_charts import FONT, flag_label, plain, stand_text
from monitor.vocab import THEME_BY_ID, THEMES

#: Viridis in five steps, reversed so light = low and dark = high (readable on white without base map).
RAMP: tuple[str, ...] = ("#FDE725", "#5EC962", "#21918C", "#3B528B", "#440154")
MISSING_COLOUR = "#BDBDBD"
OUTLINE_COLOUR = "#FFFFFF"
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
    and their boundary when loaded: ``ags``, ``name``, ``lat``, ``lon``, ``population``, ``period``,
    ``value`` (NaN when
    withheld or absent), ``flag`` ('missing' when no row), ``geojson`` (None without boundary)."""
    return query(
        """
        with v as (
            select region_key, max(period) as period, arg_max(value, period) as value,
                   arg_max(flag, period) as flag, true as has_row
            from indicator_value where indicator_id = ? and year = ? group by region_key
        )
        select m.ags, m.name, m.lat, m.lon, m.population, v.period, v.value,
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


def value_table(municipalities: pd.DataFrame, *, unit: str, decimals: int) -> pd.DataFrame:
    """German display table of :func:`map_municipalities`: Gemeinde, Wert (with unit, or 'keine Angabe
    (reason)'), Einwohner — the map's content for reading and screen readers."""
    return pd.DataFrame({
        "Gemeinde": municipalities["name"],
        "Wert": [fmt.value_with_unit(v, unit, decimals) if not pd.isna(v) else f"keine Angabe ({flag_label(fl)})"
                 for v, fl in zip(municipalities["value"], municipalities["flag"])],
        "Einwohner": [fmt.number(p) for p in municipalities["population"]],
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

@dataclass(frozen=True)
class DistrictMap:
    """The deck to render and the legend that explains it."""

    deck: pdk.Deck
    legend: MapLegend


def _initiative_records(initiatives: pd.DataFrame) -> list[dict]:
    """Records for the initiative layer; initiatives on the same spot are spread on a small circle."""
    records, seen = [], {}
    for r in initiatives.itertuples(index=False):
        spot = (round(float(r.lat), 4), round(float(r.lon), 4))
        k = seen.get(spot, 0)
        seen[spot] = k + 1
        lat, lon = float(r.lat), float(r.lon)
        if k:
            angle = k * 2.4  # golden angle steps
            lat += 0.006 * math.sin(angle)
            lon += 0.009 * math.cos(angle)
        theme = THEME_BY_ID.get(r.theme)
        where = "kreisweit" if bool(r.districtwide) else r.located
        records.append({
            "name": f"{r.initiative_id}: {r.title}",
            "detail": f"{theme.name_de if theme else r.theme} · {r.status}\nTräger: {r.lead_organisation or '–'}"
                      f"\nPosition: {where}",
            "lat": round(lat, 6), "lon": round(lon, 6),
            "fill": hex_to_rgba(theme.colour if theme else "#000000", 235),
        })
    return records


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
    a ``geojson`` boundary, else points sized by population) plus initiative points coloured by theme.

    ``municipalities`` as from :func:`map_municipalities`; ``initiatives`` as from :func:`map_initiatives`
    (None or empty: no initiative layer). ``highlight``: AGS outlined in black (the sidebar selection).
    """
    classes = value_classes(municipalities["value"], decimals, unit)
    year_text = f" {year}" if year is not None else ""
    rows = []
    for r in municipalities.itertuples(index=False):
        if pd.isna(r.value):
            value_text = f"keine Angabe ({flag_label(r.flag)})"
        else:
            value_text = fmt.value_with_unit(r.value, unit, decimals)
        population = "–" if pd.isna(r.population) else fmt.number(r.population)
        rows.append({
            "ags": r.ags, "name": r.name,
            "detail": f"{indicator_name}{year_text}: {value_text}\nEinwohner: {population}",
            "fill": hex_to_rgba(colour_for(r.value, classes), FILL_ALPHA),
            "line": hex_to_rgba(HIGHLIGHT_OUTLINE if r.ags in highlight else OUTLINE_COLOUR),
            "line_px": 3 if r.ags in highlight else 1,
            "lat": float(r.lat), "lon": float(r.lon),
            "radius": round(RADIUS_FACTOR * math.sqrt(float(r.population)), 1) if not pd.isna(r.population)
            else 300.0,
            "geojson": r.geojson if isinstance(r.geojson, str) and r.geojson else None,
        })
    use_polygons = bool(rows) and all(row["geojson"] for row in rows)
    layers = []
    lats = [row["lat"] for row in rows]
    lons = [row["lon"] for row in rows]
    if use_polygons:
        features = []
        for row in rows:
            geometry = json.loads(row["geojson"])
            for lon, lat in _geometry_points(row["geojson"]):
                lats.append(lat)
                lons.append(lon)
            props = {k: row[k] for k in ("ags", "name", "detail", "fill", "line", "line_px")}
            features.append({"type": "Feature", "geometry": geometry, "properties": props})
        layers.append(pdk.Layer(
            "GeoJsonLayer", data={"type": "FeatureCollection", "features": features}, id="gemeinden",
            pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
            get_line_color="properties.line", get_line_width="properties.line_px", line_width_units="'pixels'",
            line_width_min_pixels=1,
        ))
    else:
        records = [{k: row[k] for k in ("ags", "name", "detail", "fill", "line", "line_px", "lat", "lon", "radius")}
                   for row in rows]
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=records, id="gemeinden", pickable=True, stroked=True, filled=True,
            get_position=["lon", "lat"], get_radius="radius", radius_units="'meters'", radius_min_pixels=7,
            get_fill_color="fill", get_line_color="line", get_line_width="line_px", line_width_units="'pixels'",
        ))
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
    deck_args = dict(layers=layers, initial_view_state=fit_view(lats, lons), tooltip=TOOLTIP)
    if basemap:
        deck = pdk.Deck(map_provider="carto", map_style="light", **deck_args)
    else:
        deck = pdk.Deck(map_provider=None, **deck_args)
    legend = MapLegend(
        title=f"{indicator_name}{year_text} ({unit})" if unit else f"{indicator_name}{year_text}",
        classes=classes, has_missing=bool(municipalities["value"].isna().any()), themes=theme_entries,
        sized_by_population=not use_polygons,
    )
    return DistrictMap(deck, legend)


def legend_figure(legend: MapLegend, stand=None) -> go.Figure:
    """A small plotly figure explaining the map: one square per value class (German ranges with unit),
    grey for 'keine Angabe', one circle per theme of the initiative points. No HTML involved."""
    fig = go.Figure()
    columns: list[list[tuple[str, str, str]]] = [[], []]  # (label, colour, symbol): values | themes
    for c in legend.classes:
        columns[0].append((c.label, c.colour, "square"))
    if legend.has_missing:
        columns[0].append(("keine Angabe", MISSING_COLOUR, "square"))
    for name, colour in legend.themes:
        columns[1].append((f"Initiative: {name}", colour, "circle"))
    for col, entries in enumerate(columns):
        for row, (label, colour, symbol) in enumerate(entries):
            fig.add_trace(go.Scatter(
                x=[col], y=[-row], mode="markers+text", text=[plain(label)], textposition="middle right",
                marker=dict(symbol=symbol, size=16, color=colour, line=dict(color="#333333", width=0.5)),
                hoverinfo="skip", showlegend=False, name=label,
            ))
    rows_used = max(1, len(columns[0]), len(columns[1]))
    cols = 2
    subtitle = stand_text(stand) if stand is not None else ""
    if legend.sized_by_population:
        subtitle = (subtitle + " · " if subtitle else "") + "Kreisgröße der Gemeinden = Einwohnerzahl"
    fig.update_layout(
        title=dict(text=plain(f"Legende: {legend.title}"), subtitle=dict(text=subtitle), font=dict(size=14)),
        separators=",.", template="plotly_white", font=FONT, height=90 + 28 * rows_used,
        margin=dict(l=10, r=10, t=60, b=10),
        xaxis=dict(visible=False, range=[-0.05, cols], fixedrange=True),
        yaxis=dict(visible=False, range=[-rows_used + 0.5, 0.5], fixedrange=True),
    )
    return fig


def locator_map(municipalities: pd.DataFrame, ags: str, initiatives: pd.DataFrame | None = None,
                basemap: bool = False) -> pdk.Deck:
    """A small map of one municipality: every municipality in light grey (polygons when all have a
    boundary, else points sized by population), the chosen one in vermillion, its initiatives as points
    coloured by theme; the view shows the whole district.

    ``municipalities``: ``ags``, ``name``, ``lat``, ``lon``, ``population``, ``geojson`` (as from
    :func:`map_municipalities`); ``initiatives`` as from :func:`map_initiatives` (optional; districtwide
    ones are left out, they have no place of their own)."""
    chosen_colour = "#D55E00"
    rows = []
    for r in municipalities.itertuples(index=False):
        is_chosen = r.ags == ags
        population = "–" if pd.isna(r.population) else fmt.number(r.population)
        rows.append({
            "ags": r.ags, "name": r.name, "detail": f"Einwohner: {population}",
            "fill": hex_to_rgba(chosen_colour if is_chosen else "#D9D9D9", 230 if is_chosen else 160),
            "line": hex_to_rgba("#000000" if is_chosen else OUTLINE_COLOUR), "line_px": 3 if is_chosen else 1,
            "lat": float(r.lat), "lon": float(r.lon),
            "radius": round(RADIUS_FACTOR * math.sqrt(float(r.population)), 1) if not pd.isna(r.population)
            else 300.0,
            "geojson": r.geojson if isinstance(r.geojson, str) and r.geojson else None,
        })
    rows.sort(key=lambda row: row["ags"] == ags)  # the chosen municipality drawn last (on top)
    use_polygons = bool(rows) and all(row["geojson"] for row in rows)
    layers = []
    lats = [row["lat"] for row in rows]
    lons = [row["lon"] for row in rows]
    if use_polygons:
        features = []
        for row in rows:
            for lon, lat in _geometry_points(row["geojson"]):
                lats.append(lat)
                lons.append(lon)
            props = {k: row[k] for k in ("ags", "name", "detail", "fill", "line", "line_px")}
            features.append({"type": "Feature", "geometry": json.loads(row["geojson"]), "properties": props})
        layers.append(pdk.Layer(
            "GeoJsonLayer", data={"type": "FeatureCollection", "features": features}, id="gemeinden",
            pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
            get_line_color="properties.line", get_line_width="properties.line_px", line_width_units="'pixels'",
        ))
    else:
        records = [{k: row[k] for k in ("ags", "name", "detail", "fill", "line", "line_px", "lat", "lon", "radius")}
                   for row in rows]
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=records, id="gemeinden", pickable=True, stroked=True, filled=True,
            get_position=["lon", "lat"], get_radius="radius", radius_units="'meters'", radius_min_pixels=9,
            get_fill_color="fill", get_line_color="line", get_line_width="line_px", line_width_units="'pixels'",
        ))
    local = None if initiatives is None else initiatives[~initiatives["districtwide"].astype(bool)]
    if local is not None and not local.empty:
        layers.append(pdk.Layer(
            "ScatterplotLayer", data=_initiative_records(local), id="initiativen", pickable=True,
            stroked=True, filled=True, get_position=["lon", "lat"], get_radius=INITIATIVE_RADIUS_M / 2,
            radius_units="'meters'", radius_min_pixels=3, radius_max_pixels=6, get_fill_color="fill",
            get_line_color=[51, 51, 51, 255], line_width_min_pixels=1,
        ))
    view = fit_view(lats, lons, width=480, height=340)
    args = dict(layers=layers, initial_view_state=view, tooltip=TOOLTIP)
    return pdk.Deck(map_provider="carto", map_style="light", **args) if basemap else pdk.Deck(map_provider=None, **args)
