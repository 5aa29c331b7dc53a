"""The values of the district map (Karte) and the small municipality map (Gemeinden), without pydeck: value
classes on the colour ramp, German value texts, the legend's content, the value table, which municipalities a
locator map shows. Pure functions over the frames of :mod:`monitor.data.geo` (no database, no pydeck); the deck
builders of :mod:`monitor.figures.maps` use them.

Municipalities are coloured by one indicator and year with a sequential, colour-blind-safe ramp
(``palette.RAMP``, light = low, dark = high); withheld values are grey (``palette.MISSING``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitor.core import format as fmt
from monitor.core import palette
from monitor.core.palette import RAMP
from monitor.core.vocab import flag_label

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


def class_colours(values: pd.Series, classes: tuple[ColourClass, ...]) -> list[str]:
    """:func:`colour_for` of every value, vectorised (a map of thousands of municipalities)."""
    v = values.astype("float64").to_numpy()
    if not classes:
        return [palette.MISSING] * len(v)
    uppers = np.array([c.upper for c in classes])
    idx = np.minimum(np.searchsorted(uppers, v, side="left"), len(classes) - 1)
    colours = np.array([c.colour for c in classes], dtype=object)[idx]
    return [palette.MISSING if np.isnan(x) else c for x, c in zip(v, colours)]


def numbers_de(values, decimals: int) -> list[str]:
    """German number texts ('1.234,5') of a column, '–' when missing; same output as ``format.number``."""
    out = []
    for x in pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").to_numpy():
        if np.isnan(x) or np.isinf(x):
            out.append(fmt.MISSING)
        else:
            out.append(f"{x:,.{decimals}f}".translate(_GERMAN))
    return out


_GERMAN = str.maketrans({",": ".", ".": ","})


def value_texts(values: pd.Series, flags: pd.Series, unit: str, decimals: int) -> list[str]:
    """'1.234 m' per value, 'keine Angabe (<reason>)' when withheld."""
    numbers = numbers_de(values, decimals)
    suffix = f" {unit}" if unit else ""
    return [f"keine Angabe ({flag_label(fl)})" if n == fmt.MISSING else n + suffix
            for n, fl in zip(numbers, flags)]


def colour_for(value, classes: tuple[ColourClass, ...]) -> str:
    """The class colour of ``value`` (grey when missing or no classes)."""
    if value is None or pd.isna(value) or not classes:
        return palette.MISSING
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
    """German display table of :func:`monitor.data.geo.map_municipalities`: Gemeinde, Wert (with unit, or 'keine Angabe
    (reason)'), Einwohner — the map's content for reading and screen readers."""
    return pd.DataFrame({
        "Gemeinde": municipalities["name"],
        "Wert": value_texts(municipalities["value"], municipalities["flag"], unit, decimals),
        "Einwohner": numbers_de(municipalities["population"], 0),
    })


def values_export(municipalities: pd.DataFrame, *, unit: str) -> pd.DataFrame:
    """The municipal values of one indicator for a download (``ags``, ``name``, ``period``, ``value``, ``flag``
    and, when present, ``population``): the number itself (empty where there is none), its unit, its date, and
    the value's flag with its German reason as columns of their own."""
    flags = [v if isinstance(v, str) else "" for v in municipalities["flag"]]
    out = pd.DataFrame({
        "Gemeinde": municipalities["name"].astype(str),
        "Gemeindeschlüssel": municipalities["ags"].astype(str),
        "Jahr": pd.to_datetime(municipalities["period"]).dt.year.astype("Int64"),
        "Stichtag": pd.to_datetime(municipalities["period"]).dt.date,
        "Wert": pd.to_numeric(municipalities["value"], errors="coerce"),
        "Einheit": unit,
        "Kennzeichen": flags,
        "Erläuterung": [flag_label(v) if v else "" for v in flags],
    })
    if "population" in municipalities:
        out["Einwohner"] = pd.to_numeric(municipalities["population"], errors="coerce")
    return out.reset_index(drop=True)


def latest_period(municipalities: pd.DataFrame):
    """The newest ``period`` of the frame as a date (the Stand of its values); None when it has none."""
    latest = municipalities["period"].max() if len(municipalities) else None
    return None if latest is None or pd.isna(latest) else pd.Timestamp(latest).date()


def has_boundaries(municipalities: pd.DataFrame) -> bool:
    """True when every municipality of the frame has a boundary polygon (``geojson``)."""
    return bool(len(municipalities)) and bool(municipalities["geojson"].map(
        lambda g: isinstance(g, str) and bool(g)).all())


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
        values.append(LegendEntry("keine Angabe", palette.MISSING, "square"))
    others = [LegendEntry(f"Initiative: {name}", colour, "circle") for name, colour in legend.themes]
    if legend.outline:
        others.append(LegendEntry(OUTLINE_LABEL, palette.OUTLINE_EDGE, "line"))
    if legend.central_places:
        others.append(LegendEntry("Name = zentraler Ort (Ober-/Mittelzentrum)", palette.PLACE_NAME, "text"))
    subtitle = fmt.stand_text(stand) if stand is not None else ""
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

