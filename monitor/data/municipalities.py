"""Data for the municipality pages and for regional statistics in general.

- the municipalities of the district and a profile of one (:class:`MunicipalityProfile`),
- the benchmark regions (district, Land) from table ``meta``/``region``,
- indicator values of regions over time and for the latest year (rankings, comparisons).

Pure functions: plain hashable parameters in, DataFrames or frozen dataclasses out; all SQL goes through
:func:`monitor.data.db.query` and aggregates in DuckDB. No ``st.*`` here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import pandas as pd

from monitor.core import format as fmt
from monitor.core.cache import memo
from monitor.core.vocab import THEME_BY_ID, SeriesBreak, flag_label, parse_series_break
from monitor.data import db, meta, sources
from monitor.data.db import query
from monitor.data.filters import Filters

POPULATION_INDICATOR = "population"
#: How every chart and table names the national benchmark (the region of level 'bund').
GERMANY_NAME = "Deutschland"


# ---------------------------------------------------------------------------------------------- regions

@dataclass(frozen=True)
class Benchmarks:
    """The district, the Land and Germany the municipalities are compared with (Germany only when the
    database has a region of level 'bund'; it is always named :data:`GERMANY_NAME`)."""

    district_key: str
    district_name: str
    state_key: str | None
    state_name: str | None
    germany_key: str | None = None
    germany_name: str | None = None

    def keyed(self) -> tuple[tuple[str, str, str], ...]:
        """(region key, name, role 'kreis' | 'land' | 'bund') of each known benchmark, in that order."""
        return tuple((k, n, role) for k, n, role in ((self.district_key, self.district_name, "kreis"),
                                                      (self.state_key, self.state_name, "land"),
                                                      (self.germany_key, self.germany_name, "bund")) if k and n)

    def roles(self) -> dict[str, str]:
        """Benchmark name -> role ('kreis' | 'land' | 'bund'): how a figure tells the reference lines apart."""
        return {n: role for _, n, role in self.keyed()}


def benchmarks() -> Benchmarks:
    """District key/name from ``meta`` (``district_key``), the Land = the region of level 'land' whose key
    starts the district key (else the first of level 'land'); falls back to table ``region``. Germany = the
    first region of level 'bund', if any."""
    m = meta.info().facts
    regions = query("select region_key, name, level from region where level in ('kreis', 'land', 'bund')")
    key = m.get("district_key") or next(iter(regions.loc[regions["level"] == "kreis", "region_key"]), "")
    names = dict(zip(regions["region_key"], regions["name"]))
    district_name = m.get("district_name") or names.get(key) or f"Kreis {key}"
    lands = regions[regions["level"] == "land"].sort_values("region_key")
    state_key = m.get("state_key") or None
    if not state_key:
        match = lands[lands["region_key"] == key[:2]]
        state_key = next(iter((match if not match.empty else lands)["region_key"]), None)
    state_name = (m.get("state_name") or names.get(state_key)) if state_key else None
    germany_key = next(iter(regions.loc[regions["level"] == "bund", "region_key"].sort_values()), None)
    return Benchmarks(key, district_name, state_key, state_name, germany_key,
                      GERMANY_NAME if germany_key else None)


def municipality_names(on: dt.date) -> Mapping[str, str]:
    """AGS -> name of the district's municipalities valid on ``on``, sorted by name (read-only; built once per
    database version and day: every page's sidebar needs it, nationally 10,800 entries)."""
    return _municipality_names(db.current_stamp(), on)


@memo(16)
def _municipality_names(stamp: tuple, on: dt.date) -> Mapping[str, str]:
    df = query(
        "select ags, name from municipality where (valid_from is null or valid_from <= ?)"
        " and (valid_to is null or valid_to >= ?) order by name",
        (on, on),
    )
    return MappingProxyType(dict(zip(df["ags"].tolist(), df["name"].tolist())))


def municipality_table(on: dt.date | None = None) -> pd.DataFrame:
    """Municipalities existing on ``on`` (default: all current ones), sorted by name: ``ags``, ``name``."""
    if on is None:
        return query("select ags, name from municipality where valid_to is null order by name, ags")
    return query(
        "select ags, name from municipality where (valid_from is null or valid_from <= ?) "
        "and (valid_to is null or valid_to >= ?) order by name, ags", (on, on))


# ---------------------------------------------------------------------------------------------- profile

@dataclass(frozen=True)
class MunicipalityProfile:
    """Key facts of one municipality (population in persons, area in km², density in persons/km²)."""

    ags: str
    name: str
    name_sorbian: str | None
    kind: str
    association: str | None
    central_place: str | None
    population: int | None
    population_date: dt.date | None
    area_km2: float | None
    density: float | None
    lat: float
    lon: float
    valid_to: dt.date | None

    def facts(self) -> list[tuple[str, str]]:
        """(German label, formatted value) pairs for the key-facts block."""
        rows = [
            ("Einwohner", f"{fmt.number(self.population)} (Stand {fmt.date(self.population_date)})"),
            ("Fläche", fmt.value_with_unit(self.area_km2, "km²", 2)),
            ("Bevölkerungsdichte", fmt.value_with_unit(self.density, "EW/km²", 0)),
            ("Art", self.kind),
            ("Verwaltungsverband / -gemeinschaft", self.association or "keine (selbstständig)"),
            ("Zentraler Ort", self.central_place or "–"),
            ("Gemeindeschlüssel (AGS)", self.ags),
        ]
        if self.name_sorbian:
            rows.insert(0, ("Sorbischer Name", self.name_sorbian))
        return rows


def _opt(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def profile(ags: str) -> MunicipalityProfile | None:
    """The profile of municipality ``ags``; None when unknown."""
    df = query("select * from municipality where ags = ?", (ags,))
    if df.empty:
        return None
    r = df.iloc[0]
    pop = _opt(r["population"])
    area = _opt(r["area_km2"])
    density = float(pop) / float(area) if pop is not None and area not in (None, 0) else None

    def as_date(v):
        v = _opt(v)
        return None if v is None else pd.Timestamp(v).date()

    return MunicipalityProfile(
        ags=str(r["ags"]), name=str(r["name"]), name_sorbian=_opt(r["name_sorbian"]), kind=str(r["kind"]),
        association=_opt(r["association"]), central_place=_opt(r["central_place"]),
        population=None if pop is None else int(pop), population_date=as_date(r["population_date"]),
        area_km2=None if area is None else float(area), density=density,
        lat=float(r["lat"]), lon=float(r["lon"]), valid_to=as_date(r["valid_to"]),
    )


def municipality_initiatives(filters: Filters, ags: str) -> pd.DataFrame:
    """Initiatives working in ``ags`` (the districtwide ones included, ``districtwide`` True) that match the
    sidebar period, theme and status (the sidebar municipality is replaced by ``ags``); by status rank and
    title: ``initiative_id``, ``title``, ``theme``, ``status``, ``lead_organisation``, ``districtwide``,
    ``start_date``, ``end_planned``, ``funding_granted_eur`` (EUR)."""
    cond, params = filters.with_(municipalities=()).initiative_sql("i")
    return query(
        f"""
        select i.initiative_id, i.title, i.theme, i.status, i.lead_organisation, i.districtwide,
               i.start_date, i.end_planned, i.funding_granted_eur
        from initiative i
        left join status s on s.status = i.status
        where (i.districtwide
               or exists (select 1 from initiative_municipality m
                          where m.initiative_id = i.initiative_id and m.ags = ?))
          and {cond}
        order by i.districtwide, s.rank, i.title
        """, (ags, *params))


def default_municipality(filters: Filters) -> str | None:
    """The municipality a profile opens with: the first one selected in the sidebar, else the current
    municipality with the most initiatives of its own (not districtwide) matching the sidebar period, theme
    and status (ties by name) — in a pilot that is where the work happens —, else the first by name."""
    if filters.municipalities:
        return filters.municipalities[0]
    cond, params = filters.initiative_sql("i")
    df = query(
        f"""
        select m.ags from initiative i
        join initiative_municipality im on im.initiative_id = i.initiative_id
        join municipality m on m.ags = im.ags
        where not i.districtwide and m.valid_to is null and {cond}
        group by m.ags, m.name order by count(*) desc, m.name, m.ags limit 1
        """, params)
    if not df.empty:
        return str(df.iat[0, 0])
    first = municipality_table()
    return None if first.empty else str(first["ags"].iloc[0])


# ---------------------------------------------------------------------------------------------- indicators

def indicator_choices(theme: str | None = None) -> pd.DataFrame:
    """Indicators (optionally of one theme) that have at least one value, with their metadata:
    ``indicator_id``, ``name_de``, ``theme``, ``unit``, ``higher_is_better``, ``decimals``, ``source``,
    ``series_break``, ``definition``; ordered by theme and name."""
    where = "where i.theme = ?" if theme else ""
    params = (theme,) if theme else ()
    return query(
        f"""
        select i.indicator_id, i.name_de, i.theme, i.unit, i.higher_is_better, i.decimals, i.source,
               i.series_break, i.definition
        from indicator i
        {where}
        {'and' if theme else 'where'} exists (select 1 from indicator_value v where v.indicator_id = i.indicator_id)
        order by i.theme, i.name_de
        """, params)


def indicator_labels(theme: str | None = None) -> Mapping[str, str]:
    """``indicator_id`` -> 'German name (unit)' of :func:`indicator_choices` (same order; read-only), the options
    of every indicator selector; built once per database version and theme."""
    return _indicator_labels(db.current_stamp(), theme)


@memo(16)
def _indicator_labels(stamp: tuple, theme: str | None) -> Mapping[str, str]:
    cat = indicator_choices(theme)
    return MappingProxyType(dict(zip(cat["indicator_id"], cat["name_de"] + " (" + cat["unit"] + ")")))


@dataclass(frozen=True)
class IndicatorInfo:
    """Metadata of one indicator as the charts need it."""

    indicator_id: str
    name: str
    theme: str
    unit: str
    decimals: int
    higher_is_better: bool | None
    source: str
    series_break: SeriesBreak | None


def indicator_info(indicator_id: str) -> IndicatorInfo | None:
    """Metadata of ``indicator_id``; None when unknown."""
    df = query("select * from indicator where indicator_id = ?", (indicator_id,))
    if df.empty:
        return None
    r = df.iloc[0]
    hib = _opt(r["higher_is_better"])
    return IndicatorInfo(
        indicator_id=str(r["indicator_id"]), name=str(r["name_de"]), theme=str(r["theme"]), unit=str(r["unit"]),
        decimals=int(r["decimals"]), higher_is_better=None if hib is None else bool(hib),
        source=str(r["source"]), series_break=parse_series_break(_opt(r["series_break"])),
    )


def indicator_series(indicator_id: str, region_keys: tuple[str, ...]) -> pd.DataFrame:
    """Values of one indicator for the given regions over time: ``region_key``, ``name``, ``period``,
    ``year``, ``value`` (NaN when withheld), ``flag``; ordered by region and period. Germany (level 'bund') is
    named :data:`GERMANY_NAME`."""
    if not region_keys:
        return pd.DataFrame(columns=["region_key", "name", "period", "year", "value", "flag"])
    marks = db.placeholders(region_keys)
    return query(
        f"""
        select v.region_key, coalesce(m.name, case when r.level = 'bund' then ? end, r.name, v.region_key) as name,
               v.period, v.year, v.value, v.flag
        from indicator_value v
        left join municipality m on m.ags = v.region_key
        left join region r on r.region_key = v.region_key
        where v.indicator_id = ? and v.region_key in ({marks})
        order by v.region_key, v.period
        """, (GERMANY_NAME, indicator_id, *region_keys))


def indicator_years(indicator_id: str) -> list[int]:
    """Years with municipal values of ``indicator_id``, newest first."""
    df = query(
        """
        select distinct v.year from indicator_value v join municipality m on m.ags = v.region_key
        where v.indicator_id = ? order by v.year desc
        """, (indicator_id,))
    return [int(y) for y in df["year"]]


def municipal_values(indicator_id: str, year: int | None = None) -> tuple[pd.DataFrame, int | None]:
    """Values of all municipalities for one year (default: the latest year with any municipal value),
    current municipalities without a row included as withheld: ``ags``, ``name``, ``period``, ``value``,
    ``flag``. Returns (frame, year)."""
    if year is None:
        years = indicator_years(indicator_id)
        if not years:
            return pd.DataFrame(columns=["ags", "name", "period", "value", "flag"]), None
        year = years[0]
    df = query(
        """
        with v as (
            select region_key, max(period) as period, arg_max_null(value, period) as value,
                   arg_max_null(flag, period) as flag
            from indicator_value where indicator_id = ? and year = ? group by region_key
        )
        select m.ags, m.name, v.period, v.value,
               coalesce(v.flag, case when v.region_key is null then 'missing' end) as flag
        from municipality m left join v on v.region_key = m.ags
        where m.valid_to is null or v.region_key is not null
        order by m.name
        """, (indicator_id, int(year)))
    return df, int(year)


def benchmark_values(indicator_id: str, year: int) -> dict[str, float | None]:
    """Values of the district, the Land and Germany for ``year``: ``{label: value}`` (label = region name); a
    withheld or absent value is None (Germany only when it has a value: it has none for most indicators)."""
    b = benchmarks()
    keys = tuple(k for k, _, _ in b.keyed())
    out: dict[str, float | None] = {}
    if not keys:
        return out
    marks = db.placeholders(keys)
    df = query(
        f"select region_key, arg_max_null(value, period) as value from indicator_value "
        f"where indicator_id = ? and year = ? and region_key in ({marks}) group by region_key",
        (indicator_id, int(year), *keys))
    values = dict(zip(df["region_key"], df["value"]))
    for key, name, role in b.keyed():
        v = values.get(key)
        if role != "bund" or not (v is None or pd.isna(v)):
            out[name] = None if v is None or pd.isna(v) else float(v)
    return out


def comparable_benchmarks(indicator_id: str, year: int) -> dict[str, float | None]:
    """:func:`benchmark_values` without the values that cannot be an average of the municipalities: a
    district or Land value above the largest municipal value of that year is a total (e.g. inhabitants),
    and a line for it would only flatten the chart. Withheld values are dropped too."""
    values = benchmark_values(indicator_id, year)
    municipal, _ = municipal_values(indicator_id, year)
    top = municipal["value"].max()
    if pd.isna(top):
        return {}
    return {k: v for k, v in values.items() if v is not None and v <= float(top) * 1.0001}


def latest_values(region_keys: tuple[str, ...], indicator_ids: tuple[str, ...] = ()) -> pd.DataFrame:
    """The latest value of every indicator for each region: ``indicator_id``, ``region_key``, ``year``,
    ``period``, ``value``, ``flag`` (the latest row even when withheld, so a gap stays visible)."""
    if not region_keys:
        return pd.DataFrame(columns=["indicator_id", "region_key", "year", "period", "value", "flag"])
    marks = db.placeholders(region_keys)
    ind_filter = ""
    params: tuple = tuple(region_keys)
    if indicator_ids:
        ind_filter = f"and indicator_id in ({db.placeholders(indicator_ids)})"
        params = params + tuple(indicator_ids)
    return query(
        f"""
        select indicator_id, region_key, max(year) as year, max(period) as period,
               arg_max_null(value, period) as value, arg_max_null(flag, period) as flag
        from indicator_value
        where region_key in ({marks}) {ind_filter}
        group by indicator_id, region_key
        """, params)


#: A table cell for Germany without a value: the files hold no national value of that indicator.
NO_GERMANY_VALUE = "kein Bundeswert"


def comparison_table(ags_list: tuple[str, ...]) -> pd.DataFrame:
    """Side-by-side table of the latest values of every indicator for up to four municipalities plus the
    district and the Land, preformatted German: columns ``Thema``, ``Kennzahl``, ``Einheit``, ``Jahr``
    (latest year of the row), then one column per region name. A cell from an older year names its year in
    brackets; a withheld value reads 'k. A. – <reason>'; a qualified value names its flag."""
    b = benchmarks()
    all_names = query("select ags, name from municipality")
    names = dict(zip(all_names["ags"], all_names["name"]))
    regions = [(a, names.get(a, a)) for a in ags_list]
    regions += [(k, n) for k, n, _ in b.keyed()]
    cat = indicator_choices()
    values = latest_values(tuple(k for k, _ in regions))
    lookup = {(r.indicator_id, r.region_key): r for r in values.itertuples(index=False)}
    rows = []
    for ind in cat.itertuples(index=False):
        found = {key: lookup.get((ind.indicator_id, key)) for key, _ in regions}
        if not any(found.get(a) is not None for a in ags_list):
            continue
        year = max(int(r.year) for r in found.values() if r is not None)
        row = {"Thema": THEME_BY_ID[ind.theme].short_de if ind.theme in THEME_BY_ID else ind.theme,
               "Kennzahl": ind.name_de, "Einheit": ind.unit, "Jahr": str(year)}
        for key, name in regions:
            r = found[key]
            if r is None and key == b.germany_key:
                text = f"{fmt.MISSING} ({NO_GERMANY_VALUE})"
            elif r is None:
                text = fmt.MISSING
            elif pd.isna(r.value):
                text = f"k. A. – {flag_label(r.flag)}"
            else:
                text = fmt.number(r.value, int(ind.decimals))
                if isinstance(r.flag, str) and r.flag not in ("zero", "break", "final"):
                    text += f" ({flag_label(r.flag)})"
            if r is not None and int(r.year) != year:
                text += f" ({int(r.year)})"
            row[name] = text
        rows.append(row)
    return pd.DataFrame(rows, columns=["Thema", "Kennzahl", "Einheit", "Jahr"] + [n for _, n in regions])


def comparison_export(ags_list: tuple[str, ...]) -> pd.DataFrame:
    """:func:`comparison_table` for a download, one row per indicator and region (the chosen municipalities, then
    the benchmarks): the number itself (empty where there is none), unit, year, and the value's flag with its
    German reason as columns of their own."""
    b = benchmarks()
    names = dict(query("select ags, name from municipality").itertuples(index=False, name=None))
    regions = [(a, names.get(a, a)) for a in ags_list] + [(k, n) for k, n, _ in b.keyed()]
    cat = indicator_choices()
    values = latest_values(tuple(k for k, _ in regions))
    lookup = {(r.indicator_id, r.region_key): r for r in values.itertuples(index=False)}
    rows = []
    for ind in cat.itertuples(index=False):
        if not any((ind.indicator_id, a) in lookup for a in ags_list):
            continue
        for key, name in regions:
            r = lookup.get((ind.indicator_id, key))
            flag = r.flag if r is not None and isinstance(r.flag, str) else ""
            rows.append({"Thema": THEME_BY_ID[ind.theme].short_de if ind.theme in THEME_BY_ID else ind.theme,
                         "Kennzahl": ind.name_de, "Region": name, "Regionalschlüssel": key,
                         "Jahr": int(r.year) if r is not None else None,
                         "Wert": None if r is None or pd.isna(r.value) else float(r.value), "Einheit": ind.unit,
                         "Kennzeichen": flag if r is not None else "missing",
                         "Erläuterung": (flag_label(flag) if flag else "") if r is not None
                         else (NO_GERMANY_VALUE if key == b.germany_key else flag_label("missing"))})
    return pd.DataFrame(rows, columns=["Thema", "Kennzahl", "Region", "Regionalschlüssel", "Jahr", "Wert", "Einheit",
                                       "Kennzeichen", "Erläuterung"])


def region_trend(indicator_id: str, ags: str | None) -> pd.DataFrame:
    """Series of one indicator for a municipality (optional), the district, the Land and Germany, labelled for the
    chart: ``series`` (region name), ``region_key``, ``period``, ``value``, ``flag``, ``role``
    ('gemeinde' | 'kreis' | 'land' | 'bund'); Germany's lines only where it has values."""
    b = benchmarks()
    keys = [k for k in (ags, *(k for k, _, _ in b.keyed())) if k]
    df = indicator_series(indicator_id, tuple(keys))
    role = {k: r for k, _, r in b.keyed()}
    if ags:
        role[ags] = "gemeinde"
    df["role"] = df["region_key"].map(role)
    df["series"] = df["name"]
    return df


def population_indicator() -> str | None:
    """The indicator holding inhabitants: ``population`` when catalogued, else the first demography
    indicator in persons; None when there is none."""
    df = query("select indicator_id, theme, unit from indicator order by indicator_id")
    if (df["indicator_id"] == POPULATION_INDICATOR).any():
        return POPULATION_INDICATOR
    match = df[(df["theme"] == "demography") & (df["unit"] == "Personen")]
    return None if match.empty else str(match["indicator_id"].iloc[0])


def to_index(data: pd.DataFrame) -> pd.DataFrame:
    """Each ``series`` as an index: value / its first present value * 100 (withheld values stay NaN).
    Pure; returns a copy with ``value`` replaced."""
    out = data.sort_values(["series", "period"]).copy()
    firsts = out.dropna(subset=["value"]).groupby("series")["value"].first()
    base = out["series"].map(firsts).astype("float64")
    out["value"] = out["value"].astype("float64") / base.where(base != 0) * 100.0
    return out


def comparison_values(indicator_id: str, ags_list: tuple[str, ...]) -> tuple[pd.DataFrame, int | None]:
    """Latest-year values of one indicator for the chosen municipalities, in the chosen order: ``ags``,
    ``name``, ``period``, ``value``, ``flag``; and the year (None without municipal values)."""
    values, year = municipal_values(indicator_id)
    order = {a: i for i, a in enumerate(ags_list)}
    part = values[values["ags"].isin(ags_list)].copy()
    part["_order"] = part["ags"].map(order)
    return part.sort_values("_order").drop(columns="_order").reset_index(drop=True), year


def initiatives_display(initiatives: pd.DataFrame) -> pd.DataFrame:
    """German display table of :func:`municipality_initiatives`: ID, Titel, Thema, Status, Träger, Wirkungsort
    ('kreisweit' | 'in der Gemeinde'), Ende geplant, Fördermittel bewilligt."""
    return pd.DataFrame({
        "ID": initiatives["initiative_id"],
        "Titel": initiatives["title"],
        "Thema": [THEME_BY_ID[t].name_de if t in THEME_BY_ID else t for t in initiatives["theme"]],
        "Status": initiatives["status"],
        "Träger": initiatives["lead_organisation"].fillna("–"),
        "Wirkungsort": ["kreisweit" if d else "in der Gemeinde" for d in initiatives["districtwide"]],
        "Ende geplant": [fmt.date(d) for d in initiatives["end_planned"]],
        "Fördermittel bewilligt": [fmt.eur(v) for v in initiatives["funding_granted_eur"]],
    })


# ---------------------------------------------------------------------------------------------- trend charts

INDEX_UNIT = "Index (erstes Jahr = 100)"


@dataclass(frozen=True)
class IndicatorTrend:
    """One indicator's lines over time as a chart draws them: ``data`` as from :func:`region_trend` (each series
    as an index of its first value when ``as_index``); ``lines`` = (series name, role) in drawing order, the
    first one the region in focus."""

    info: IndicatorInfo
    data: pd.DataFrame
    lines: tuple[tuple[str, str], ...]
    as_index: bool = False

    @property
    def unit(self) -> str:
        """The axis unit: the indicator's, or :data:`INDEX_UNIT`."""
        return INDEX_UNIT if self.as_index else self.info.unit

    @property
    def decimals(self) -> int:
        return 1 if self.as_index else self.info.decimals

    @property
    def stand(self):
        """The newest period drawn (None without values)."""
        return self.data["period"].max() if not self.data.empty else None


def benchmark_names(b: Benchmarks, sep: str | None = None) -> str:
    """The benchmarks' names for a sentence: 'Landkreis Görlitz, Sachsen und Deutschland' (the Land 'Land' when
    unknown); joined by ``sep`` instead when given."""
    names = [b.district_name, b.state_name or "Land"] + ([b.germany_name] if b.germany_name else [])
    return sep.join(names) if sep else ", ".join(names[:-1]) + " und " + names[-1]


def benchmark_lines(b: Benchmarks) -> tuple[tuple[str, str], ...]:
    """(name, role) of the district and, when known, the Land and Germany."""
    return tuple((n, role) for _, n, role in b.keyed())


def indicator_trend(info: IndicatorInfo, ags: str | None, lines: tuple[tuple[str, str], ...],
                    as_index: bool = False) -> IndicatorTrend:
    """The series of ``info``'s indicator for ``ags`` (optional), the district and the Land, restricted to the
    roles of ``lines``; as an index when ``as_index``."""
    data = region_trend(info.indicator_id, ags)
    roles = {role for _, role in lines}
    if not roles >= set(data["role"].dropna()):
        data = data[data["role"].isin(roles)]
    return IndicatorTrend(info, to_index(data) if as_index else data, lines, as_index)


def index_by_default(indicator_id: str) -> bool:
    """Whether a municipality's trend opens as an index: unless the district or the Land has a value comparable
    with the municipalities in their latest year (:func:`comparable_benchmarks`), their values are totals."""
    years = indicator_years(indicator_id)
    return not (years and comparable_benchmarks(indicator_id, years[0]))


# ---------------------------------------------------------------------------------------------- the page

PROFILE, COMPARISON = "Profil", "Vergleich"


@dataclass(frozen=True)
class ProfileView:
    """The profile tab: facts, population, one indicator against district and Land, the initiatives."""

    profile: MunicipalityProfile
    initiatives: pd.DataFrame  # display table (:func:`initiatives_display`)
    districtwide: int  # initiatives of the table that are districtwide
    population: IndicatorTrend | None  # the municipality's inhabitants (None without a population indicator)
    indicator: IndicatorTrend | None  # the chosen indicator (None without one)
    totals_hint: bool  # values shown although district and Land are totals: suggest the index
    source: str  # how captions name the portfolio (the initiatives table)
    map_source: str  # how the locator map's caption names its sources (municipalities and portfolio)


@dataclass(frozen=True)
class ComparisonView:
    """The comparison tab: the side-by-side table and one indicator's latest values of the chosen."""

    table: pd.DataFrame  # :func:`comparison_table`
    info: IndicatorInfo | None  # the charted indicator (None when none is chosen or the table is empty)
    values: pd.DataFrame  # :func:`comparison_values`
    year: int | None
    reference: dict[str, float | None]  # comparable district/Land/Germany values of ``year``
    table_source: str = ""  # the sources of the table's indicators, for its caption
    table_stand: dt.date | None = None  # the latest period in the table


@dataclass(frozen=True)
class MunicipalityPage:
    """Everything the Gemeinden page shows in its open tab (``view``); the other tab's part is None."""

    filters: Filters
    ags: str
    view: str
    benchmarks: Benchmarks
    profile: ProfileView | None
    comparison: ComparisonView | None


def _profile_view(f: Filters, ags: str, b: Benchmarks, indicator_id: str | None, as_index: bool) -> ProfileView:
    p = profile(ags)
    initiatives = municipality_initiatives(f, ags)
    population_id = population_indicator()
    own = ((p.name, "gemeinde"),)
    population = None if population_id is None else indicator_trend(indicator_info(population_id), ags, own)
    info = indicator_info(indicator_id) if indicator_id else None
    trend = None if info is None else indicator_trend(info, ags, own + benchmark_lines(b), as_index)
    portfolio = sources.portfolio_source_label()
    return ProfileView(p, initiatives_display(initiatives), int(initiatives["districtwide"].sum()), population,
                       trend, trend is not None and not as_index and index_by_default(info.indicator_id), portfolio,
                       f"{sources.municipality_source_label()}; {portfolio}")


def comparison_source(ags_list: tuple[str, ...]) -> tuple[str, dt.date | None]:
    """The sources of the indicators in :func:`comparison_table` of ``ags_list`` (each once) and the latest
    period among its values: what the table's caption names."""
    b = benchmarks()
    values = latest_values(tuple(ags_list) + tuple(k for k in (b.district_key, b.state_key) if k))
    if values.empty:
        return "", None
    cat = indicator_choices()
    shown = cat[cat["indicator_id"].isin(set(values["indicator_id"]))]
    return "; ".join(dict.fromkeys(str(s) for s in shown["source"])), pd.Timestamp(values["period"].max()).date()


def _comparison_view(chosen: tuple[str, ...], indicator_id: str | None) -> ComparisonView:
    table = comparison_table(chosen) if chosen else pd.DataFrame()
    source, stand = comparison_source(chosen) if not table.empty else ("", None)
    info = indicator_info(indicator_id) if indicator_id and not table.empty else None
    if info is None:
        return ComparisonView(table, None, pd.DataFrame(columns=["ags", "name", "period", "value", "flag"]), None, {},
                              source, stand)
    values, year = comparison_values(info.indicator_id, chosen)
    return ComparisonView(table, info, values, year, comparable_benchmarks(info.indicator_id, year) if year else {},
                          source, stand)


def load(f: Filters, ags: str, view: str, *, indicator_id: str | None = None, as_index: bool = False,
         chosen: tuple[str, ...] = (), compare_id: str | None = None) -> MunicipalityPage:
    """All data of the Gemeinden page's open tab: ``view`` :data:`PROFILE` (profile of ``ags`` with the trend of
    ``indicator_id``, as an index when ``as_index``) or :data:`COMPARISON` (the municipalities ``chosen`` and the
    chart of ``compare_id``)."""
    b = benchmarks()
    if view == COMPARISON:
        return MunicipalityPage(f, ags, view, b, None, _comparison_view(tuple(chosen), compare_id))
    return MunicipalityPage(f, ags, view, b, _profile_view(f, ags, b, indicator_id, as_index), None)
