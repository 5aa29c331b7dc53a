"""Data of the Karte page (and of the locator map on Gemeinden): municipalities with the value of one indicator
and year, the initiatives with a map position, and the one loader of the Karte page. The value classes, texts
and legend content of the maps are in :mod:`monitor.data.map_values` (pure, shared with the deck builders).

Rules:
- A municipality shows the value of the latest period of the chosen year; a withheld value keeps its flag, a
  municipality without a row has the flag ``missing``.
- Initiatives (matching the sidebar filters) stand at their own coordinates, else at the centre of their
  municipalities; initiatives with neither are left out.
- The indicator selector offers every indicator with values (catalogue order); the year selector the years with
  municipal values, newest first (the default).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import pandas as pd

from monitor.core import format as fmt
from monitor.core.vocab import THEME_BY_ID
from monitor.data import db
from monitor.data import municipalities as mun
from monitor.data.filters import Filters
from monitor.data.map_values import value_table

#: Address of a base-map style (MapLibre style JSON) that the administration serves itself; unset: no base map.
BASEMAP_ENV = "REGIONALMONITOR_BASEMAP"


def basemap_style() -> str | None:
    """The base-map style the maps may show (``$REGIONALMONITOR_BASEMAP``), or None. There is no default: a
    public tile service (Carto, OpenStreetMap, Mapbox) would be asked by every visitor's browser, a request to a
    third party; without a style of its own the app draws the municipalities on a blank background and offers
    no "Hintergrundkarte" switch."""
    value = os.environ.get(BASEMAP_ENV, "").strip()
    return value or None


NO_INDICATORS_TEXT = "Es sind keine Indikatoren mit Werten geladen – die Karte braucht mindestens einen."
NO_MUNICIPALITIES_TEXT = "Es sind keine Gemeinden mit Koordinaten geladen."
NO_INITIATIVES_TEXT = "Keine Initiativen mit Ort für die gewählten Filter."
#: Shown when the map draws the hull of the points (no boundaries loaded).
OUTLINE_NOTE = ("Ohne geladene Gemeindegrenzen steht jede Gemeinde als Punkt an ihrem Mittelpunkt. Die gestrichelte "
                "Fläche ist nur die Hülle dieser Punkte zur Orientierung, keine Grenze: Die Kreisgrenze verläuft "
                "weiter außen.")


def map_municipalities(indicator_id: str | None, year: int | None) -> pd.DataFrame:
    """Current municipalities with the value of ``indicator_id`` in ``year`` (latest period of that year)
    and their boundary when loaded: ``ags``, ``name``, ``lat``, ``lon``, ``population``, ``central_place``,
    ``period``, ``value`` (NaN when withheld or absent), ``flag`` ('missing' when no row), ``geojson`` (None
    without boundary)."""
    return db.query(
        """
        with v as (
            select region_key, max(period) as period, arg_max_null(value, period) as value,
                   arg_max_null(flag, period) as flag, true as has_row
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
    return db.query(
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



# ---------------------------------------------------------------------------------------------- Karte page

def year_choices(indicator_id: str) -> list[int]:
    """The year selector's options for ``indicator_id``: years with municipal values, newest first (the default);
    empty when there is none (the map then shows no values)."""
    return mun.indicator_years(indicator_id)


@dataclass(frozen=True)
class DistrictMapData:
    """Everything the Karte page shows for one indicator, year and filter selection."""

    filters: Filters
    indicator: mun.IndicatorInfo
    year: int | None
    municipalities: pd.DataFrame  # as from :func:`map_municipalities`
    initiatives: pd.DataFrame | None  # as from :func:`map_initiatives`; None when not shown
    highlight: tuple[str, ...]  # AGS outlined on the map (the sidebar's municipalities)
    stand: date | None  # latest period of the shown values
    alt: str  # text alternative of the map
    notes: str  # caption under the legend: source, unit, direction, highlight
    empty_text: str | None  # shown instead of the map (no municipalities)
    initiatives_text: str | None  # caption on the initiative points, when there are some
    initiatives_empty_text: str | None  # shown when initiatives are asked for but none has a place

    def value_table(self) -> pd.DataFrame:
        """The German value table (Gemeinde, Wert, Einwohner); built on demand, a national map has thousands."""
        return value_table(self.municipalities, unit=self.indicator.unit, decimals=self.indicator.decimals)


def load(f: Filters, indicator_id: str, year: int | None, *, show_initiatives: bool = True) -> DistrictMapData:
    """All data of the Karte page: the municipalities with the values of ``indicator_id`` in ``year``, the
    filtered initiatives (when ``show_initiatives``), the captions and the empty-state texts."""
    ind = mun.indicator_info(indicator_id)
    municipalities = map_municipalities(indicator_id, year)
    initiatives = map_initiatives(f) if show_initiatives else None
    highlight = tuple(f.municipalities)
    latest = municipalities["period"].max() if not municipalities.empty else None
    stand = None if latest is None or pd.isna(latest) else pd.Timestamp(latest).date()
    notes = [f"Quelle: {ind.source}", f"Einheit: {ind.unit}"]
    if ind.higher_is_better is not None:
        notes.append("höhere Werte sind besser" if ind.higher_is_better else "niedrigere Werte sind besser")
    if highlight:
        notes.append("schwarz umrandet: Gemeinden aus dem Filter")
    initiatives_text = empty_initiatives = None
    if show_initiatives and initiatives.empty:
        empty_initiatives = NO_INITIATIVES_TEXT
    elif show_initiatives:
        n_centre = int((initiatives["located"] == "Mitte der Gemeinden").sum())
        themes_shown = ", ".join(THEME_BY_ID[t].name_de for t in dict.fromkeys(initiatives["theme"]))
        initiatives_text = (f"{fmt.number(len(initiatives))} Initiativen auf der Karte ({themes_shown}); "
                            f"{fmt.number(n_centre)} ohne eigene Koordinaten in der Mitte ihrer Gemeinden, "
                            "kreisweite in der Mitte des Kreises.")
    return DistrictMapData(
        filters=f, indicator=ind, year=year, municipalities=municipalities, initiatives=initiatives,
        highlight=highlight, stand=stand, alt=f"Karte der Gemeinden nach {ind.name} {year or ''}".strip(),
        notes=" · ".join(notes), empty_text=NO_MUNICIPALITIES_TEXT if municipalities.empty else None,
        initiatives_text=initiatives_text, initiatives_empty_text=empty_initiatives)
