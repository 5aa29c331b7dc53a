"""Data for the theme page (Themen): one theme's initiatives, their status over time, their KPIs and the
indicators the theme is meant to move.

Initiatives are selected with the sidebar filters (:meth:`monitor.data.filters.Filters.initiative_sql`) except the
sidebar theme, which the page replaces by its own theme selector. "Of the theme" means the initiative's main
theme; initiatives that name the theme only as a further theme are listed separately.
Pure functions, no ``st.*``; all SQL through :func:`monitor.data.db.query`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from monitor.core import format as fmt
from monitor.core.cache import memo
from monitor.core.vocab import THEME_BY_ID, THEMES, Theme, flag_label
from monitor.data import municipalities as mun
from monitor.data import sources
from monitor.data.db import current_stamp, query
from monitor.data.filters import Filters

INITIATIVE_COLUMNS = ["initiative_id", "title", "status", "lead_organisation", "districtwide", "municipalities",
                      "start_date", "end_planned", "total_cost_eur", "funding_granted_eur", "is_primary"]


def default_theme(filters: Filters) -> str:
    """The theme shown first: the first theme selected in the sidebar, else the first theme (mobility)."""
    return filters.themes[0] if filters.themes else THEMES[0].theme_id


def _scope(filters: Filters) -> tuple[str, tuple]:
    """The sidebar condition without its theme part (the page chooses the theme itself)."""
    return filters.with_(themes=()).initiative_sql("i")


def theme_initiatives(filters: Filters, theme: str) -> pd.DataFrame:
    """Initiatives whose main theme (``is_primary`` True) or a further theme is ``theme``, matching the
    sidebar filters; main-theme ones first, then by status rank and title. ``municipalities`` is 'kreisweit'
    for districtwide initiatives, else the names comma-separated. Amounts in EUR."""
    cond, params = _scope(filters)
    return query(
        f"""
        select i.initiative_id, i.title, i.status, i.lead_organisation, i.districtwide,
               case when i.districtwide then 'kreisweit' else
                   (select string_agg(m.name, ', ' order by m.name) from initiative_municipality im
                    join municipality m on m.ags = im.ags where im.initiative_id = i.initiative_id) end
                   as municipalities,
               i.start_date, i.end_planned, i.total_cost_eur, i.funding_granted_eur,
               i.theme = ? as is_primary
        from initiative i
        left join status s on s.status = i.status
        where (i.theme = ? or exists (select 1 from initiative_theme t
                                      where t.initiative_id = i.initiative_id and t.theme = ?))
          and {cond}
        order by is_primary desc, s.rank, i.title
        """, (theme, theme, theme, *params))


def status_progress(filters: Filters, theme: str) -> pd.DataFrame:
    """Per month of the sidebar period: how many initiatives of the theme (main theme, sidebar filters)
    stood at which status at the end of the month (or at the period end, if earlier), from
    ``status_history``: ``month`` (first day), ``status``, ``n``. Initiatives without history by then are
    not counted."""
    cond, params = _scope(filters)
    return query(
        f"""
        with ini as (select i.initiative_id from initiative i where i.theme = ? and {cond}),
        months as (
            select cast(m as date) as month,
                   least(cast(m + interval 1 month - interval 1 day as date), cast(? as date)) as cutoff
            from range(date_trunc('month', cast(? as date)),
                       date_trunc('month', cast(? as date)) + interval 1 month, interval 1 month) t(m)
        ),
        snap as (
            select mo.month, h.initiative_id, arg_max(h.status, (h.date, h.seq)) as status
            from months mo
            join status_history h on h.date <= mo.cutoff
            join ini on ini.initiative_id = h.initiative_id
            group by mo.month, h.initiative_id
        )
        select month, status, count(*) as n from snap group by month, status order by month, status
        """, (theme, *params, filters.date_to, filters.date_from, filters.date_to))


def theme_kpis(filters: Filters, theme: str) -> pd.DataFrame:
    """KPIs of the theme's initiatives (main theme, sidebar filters): ``initiative_id``, ``title``,
    ``name`` (the indicator's German name when the KPI names an indicator), ``unit``, ``baseline``, ``target``,
    ``target_year``, ``actual``, ``as_of``, ``reached`` (True/False, None when not rated), ``progress`` (share of
    the way to the target in %, None when not computable) — all from the mart ``kpi_rating`` — and ``label``
    ('name – title'), ordered by initiative and KPI order."""
    cond, params = _scope(filters)
    df = query(
        f"""
        select k.initiative_id, i.title, k.seq, k.name, k.unit, k.baseline, k.target, k.target_year, k.actual,
               k.as_of, k.reached, k.progress
        from kpi_rating k join initiative i on i.initiative_id = k.initiative_id
        where i.theme = ? and {cond}
        order by k.initiative_id, k.seq
        """, (theme, *params))
    df["label"] = df["name"] + " – " + df["title"]
    return df


@dataclass(frozen=True)
class ThemeSummary:
    """Headline numbers of one theme (main theme, sidebar filters)."""

    initiatives: int
    further: int
    running: int
    completed: int
    funding_granted_eur: float
    kpis: int
    kpis_reached: int
    kpis_rated: int = 0  # with actual and target value


def theme_summary(initiatives: pd.DataFrame, kpis: pd.DataFrame) -> ThemeSummary:
    """Counts from :func:`theme_initiatives` and :func:`theme_kpis` (pure, no query): running = Bewilligt or
    In Umsetzung; a KPI is rated and reached as its column ``reached`` says (mart ``kpi_rating``)."""
    main = initiatives[initiatives["is_primary"]]
    rated = [bool(r) for r in kpis["reached"] if r is not None and not pd.isna(r)]
    return ThemeSummary(
        initiatives=len(main), further=len(initiatives) - len(main),
        running=int(main["status"].isin(["Bewilligt", "In Umsetzung"]).sum()),
        completed=int((main["status"] == "Abgeschlossen").sum()),
        funding_granted_eur=float(main["funding_granted_eur"].fillna(0).sum()),
        kpis=len(kpis), kpis_reached=sum(rated), kpis_rated=len(rated),
    )


def initiative_table(initiatives: pd.DataFrame) -> pd.DataFrame:
    """German display table of :func:`theme_initiatives` rows: ID, Titel, Status, Träger, Gemeinden, Beginn,
    Ende geplant, Fördermittel bewilligt (formatted '180.000 €'). Text stays text (no HTML)."""
    return pd.DataFrame({
        "ID": initiatives["initiative_id"],
        "Titel": initiatives["title"],
        "Status": initiatives["status"],
        "Träger": initiatives["lead_organisation"].fillna("–"),
        "Gemeinden": initiatives["municipalities"].fillna("–"),
        "Beginn": [fmt.date(d) for d in initiatives["start_date"]],
        "Ende geplant": [fmt.date(d) for d in initiatives["end_planned"]],
        "Fördermittel bewilligt": [fmt.eur(v) for v in initiatives["funding_granted_eur"]],
    })


def theme_kpi_table(kpis: pd.DataFrame) -> pd.DataFrame:
    """German display table of :func:`theme_kpis`: Initiative, Kennzahl, Ausgangswert, Zielwert (Zieljahr),
    Istwert (Stand), Zielerreichung — every value with its unit."""
    def dec(*values) -> int:
        return 1 if any(v is not None and not pd.isna(v) and float(v) != round(float(v)) for v in values) else 0

    rows = []
    for r in kpis.itertuples(index=False):
        d = dec(r.baseline, r.target, r.actual)
        progress = None if pd.isna(r.progress) else float(r.progress)
        target_year = "" if pd.isna(r.target_year) else f" ({int(r.target_year)})"
        actual = fmt.value_with_unit(r.actual, r.unit, d)
        if not pd.isna(r.actual) and r.as_of is not None and not pd.isna(r.as_of):
            actual += f" (Stand {fmt.date(r.as_of)})"
        rows.append({
            "Initiative": f"{r.initiative_id} {r.title}",
            "Kennzahl": r.name,
            "Ausgangswert": fmt.value_with_unit(r.baseline, r.unit, d),
            "Zielwert": fmt.value_with_unit(r.target, r.unit, d) + target_year,
            "Istwert": actual if not pd.isna(r.actual) else "noch kein Istwert",
            "Zielerreichung": fmt.percent(progress) if progress is not None else "–",
        })
    return pd.DataFrame(rows, columns=["Initiative", "Kennzahl", "Ausgangswert", "Zielwert", "Istwert",
                                       "Zielerreichung"])


# ---------------------------------------------------------------------------------------------- indicators

MISSING_LISTED = 10  # municipalities without a value named under the ranking


def missing_text(ranking: pd.DataFrame, limit: int = MISSING_LISTED) -> str | None:
    """'Ohne Wert (nicht null): Boxberg – <reason>; …' for the rows of ``ranking`` without a value (the first
    ``limit`` named, the rest counted); None when every municipality has a value."""
    missing = ranking[ranking["value"].isna()]
    if missing.empty:
        return None
    listed = "; ".join(f"{r.name} – {flag_label(r.flag)}" for r in missing.head(limit).itertuples(index=False))
    more = len(missing) - limit
    return "Ohne Wert (nicht null): " + listed + (f"; und {fmt.number(more)} weitere" if more > 0 else "")


@dataclass(frozen=True)
class IndicatorYears:
    """The years of an indicator's municipal values, for the Themen page's year choice."""

    with_values: tuple[int, ...]  # years with at least one municipal value, newest first (the choice)
    latest: int | None  # the newest year with municipal rows, with or without a value
    latest_reasons: str | None  # the newest year has rows but no value: their reasons ('noch nicht verfügbar')

    @property
    def latest_empty(self) -> bool:
        """True when the newest year has rows but no value (e.g. all '...', not yet published)."""
        return self.latest is not None and self.latest not in self.with_values


def indicator_years(indicator_id: str) -> IndicatorYears:
    """The years of ``indicator_id``'s municipal values: those with at least one value (newest first), the
    newest year with any row and, when it has no value, the German reasons of its rows."""
    df = query(
        """
        select v.year, count(v.value) as n,
               list(distinct coalesce(v.flag, '')) filter (where v.value is null) as flags
        from indicator_value v join municipality m on m.ags = v.region_key
        where v.indicator_id = ? group by v.year order by v.year desc
        """, (indicator_id,))
    if df.empty:
        return IndicatorYears((), None, None)
    with_values = tuple(int(y) for y, n in zip(df["year"], df["n"]) if n > 0)
    latest = int(df["year"].iloc[0])
    reasons = None
    if latest not in with_values:
        flags = sorted(df["flags"].iloc[0] if df["flags"].iloc[0] is not None else [""])
        reasons = ", ".join(dict.fromkeys(flag_label(f or None) for f in flags))
    return IndicatorYears(with_values, latest, reasons)


def year_note(years: IndicatorYears, shown: int | None) -> str | None:
    """'Für 2024 liegen noch keine Werte vor (noch nicht verfügbar); gezeigt: 2023' when the newest year has no
    value; None otherwise."""
    if not years.latest_empty or shown is None:
        return None
    return f"Für {years.latest} liegen noch keine Werte vor ({years.latest_reasons}); gezeigt: {shown}"


@dataclass(frozen=True)
class ThemeIndicator:
    """One indicator the theme is meant to move: the district against the Land (and Germany, where it has values)
    over time and the municipalities ranked in the chosen year, by default the latest with a municipal value
    (``year``, None without)."""

    trend: mun.IndicatorTrend  # as an index when district and Land are totals (no comparable ``reference``)
    benchmarks: mun.Benchmarks
    ranking: pd.DataFrame  # :func:`monitor.data.municipalities.municipal_values`
    year: int | None
    reference: dict[str, float | None]  # district/Land/Germany values comparable with the municipalities
    highlight: tuple[str, ...]  # names of the sidebar's municipalities
    missing_text: str | None  # :func:`missing_text`
    years: IndicatorYears = IndicatorYears((), None, None)  # the year choice (:func:`indicator_years`)
    year_note: str | None = None  # :func:`year_note`


def theme_indicator(f: Filters, indicator_id: str, year: int | None = None) -> ThemeIndicator:
    """The trend, ranking and benchmarks of ``indicator_id``, the ranking in ``year`` when it has values, else in
    the newest year with a value (else the newest year); the trend is an index (first year = 100) when the
    district's and the Land's values are totals, not comparable with a municipality's."""
    b = mun.benchmarks()
    years = indicator_years(indicator_id)
    if year not in years.with_values:
        year = years.with_values[0] if years.with_values else years.latest
    ranking, year = mun.municipal_values(indicator_id, year)
    reference = mun.comparable_benchmarks(indicator_id, year) if year else {}
    as_index = bool(year) and not reference
    trend = mun.indicator_trend(mun.indicator_info(indicator_id), None, mun.benchmark_lines(b), as_index)
    highlight = tuple(ranking.loc[ranking["ags"].isin(f.municipalities), "name"])
    return ThemeIndicator(trend, b, ranking, year, reference, highlight, missing_text(ranking), years,
                          year_note(years, year))


@dataclass(frozen=True)
class ThemePage:
    """Everything the Themen page shows for one theme, filter selection and indicator."""

    filters: Filters
    theme: Theme
    summary: ThemeSummary
    initiatives: pd.DataFrame  # display table (:func:`initiative_table`) of the main-theme initiatives
    further: pd.DataFrame  # the same of the initiatives naming the theme as a further theme
    progress: pd.DataFrame  # :func:`status_progress`
    kpis: pd.DataFrame  # :func:`theme_kpis`
    measured: pd.DataFrame  # the KPIs with an actual value
    kpi_table: pd.DataFrame  # :func:`theme_kpi_table`
    indicator: ThemeIndicator | None  # None when no indicator is chosen (the theme has none with values)
    source: str  # how figure captions name the portfolio (:func:`monitor.data.sources.portfolio_source_label`)
    #: Everything the page's content depends on (database version, sidebar filters without their theme, theme,
    #: indicator, year): equal keys, equal content, so the page may keep its figures per key.
    key: tuple = field(default=(), compare=False)


def load(f: Filters, theme: str, indicator_id: str | None, year: int | None = None) -> ThemePage:
    """All data of the Themen page: ``theme``'s initiatives (sidebar filters without their theme), status
    progress and KPIs, and ``indicator_id``'s trend and ranking (in ``year``, see :func:`theme_indicator`).
    The sidebar's theme does not change the content: a change of it is served from the last result."""
    key = (current_stamp(), f.with_(themes=()), theme, indicator_id, year)
    return replace(_load(*key), filters=f)


@memo(3, ttl=600)  # a few selections: at national scale a result holds ~10,800 ranking rows (~1.4 MB)
def _load(stamp: tuple, f: Filters, theme: str, indicator_id: str | None, year: int | None) -> ThemePage:
    initiatives = theme_initiatives(f, theme)
    kpis = theme_kpis(f, theme)
    primary = initiatives["is_primary"].astype(bool)
    return ThemePage(
        f, THEME_BY_ID[theme], theme_summary(initiatives, kpis), initiative_table(initiatives[primary]),
        initiative_table(initiatives[~primary]), status_progress(f, theme), kpis, kpis[kpis["actual"].notna()],
        theme_kpi_table(kpis), theme_indicator(f, indicator_id, year) if indicator_id else None,
        sources.portfolio_source_label(), (stamp, f, theme, indicator_id, year))
