"""Content of the period report: :func:`build_report` turns :class:`ReportParams` into a :class:`Report`
(a frozen dataclass tree of figures, tables, chart specs and text blocks). Pure: same database and
parameters give the same report; no "now" enters it (the reference day is the period end, or the data
Stand when that is earlier).

Rules (also printed in the report's notes):
- **Scope**: the initiatives of the sidebar rule (:meth:`Filters.initiative_sql`: existed by the period end,
  not closed before its start), the chosen themes (main theme) and municipalities; the public variant keeps
  only initiatives marked *Öffentlich* (``is_public``), via :class:`ReportFilters`, so every reused query of
  ``monitor.data.overview`` / ``initiatives`` / ``themes`` / ``actors`` sees the same selection.
- **Status at the start / end** of the period: the last entry of the status history on the day before the
  start / on the reference day (``as_of``).
- **Started** = first status date in the period; **advanced** = at least one status change in the period to
  a later stage of the status line (not Abgeschlossen) or back onto the line from Ruht; **completed** = a
  change to Abgeschlossen in the period; **set back** = a change to Ruht or to an earlier stage; **dropped** = a
  change to Verworfen.
- **Milestones**: reached = done in the period; overdue = due before ``as_of`` and not done by then
  (initiatives Verworfen at ``as_of`` excluded).
- **Funds** are the amounts recorded per initiative (granted, total cost without Verworfen); an initiative
  with several programmes counts fully in each (as on the Überblick page).
- **KPI reached**: the project rule of :mod:`monitor.data.kpis` (actual reached the target in the direction from
  the baseline); KPIs without actual or target are not rated. Zielerreichung in % = share of the way.
- **Indicators**: district against the Land (and the chosen municipalities); when the district or Land
  values are totals (e.g. inhabitants), the charts show an index (first year = 100).
- **Personal data**: no query here selects contact_name, contact_email or contact_phone.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from monitor.data import actors, db, initiatives, meta, overview, sources, themes
from monitor.figures import portfolio
from monitor.data import kpis as kpi_rules
from monitor.core import format as fmt
from monitor.figures import indicators as ic
from monitor.data import municipalities as mun
from monitor.data.filters import Filters
from monitor.core.cache import Recent
from monitor.report import figures
from monitor.report.model import (
    PILOT_ACTION,
    Block,
    Chart,
    ChartBlock,
    Column,
    Figures,
    Heading,
    KeyFigure,
    PageBreak,
    Report,
    ReportParams,
    Table,
    TableBlock,
    Text,
    ThemeSection,
)
from monitor.core import vocab
from monitor.core.vocab import DEMOGRAPHY, STATUS_LINE, STATUS_RANK, STATUSES, THEME_BY_ID, THEMES

CHART_WIDTH = 860
MAX_PANELS = 8
MAX_KPI_CHART = 30  # more KPIs than this: the table only (a bar per KPI would not fit a page)
MAX_MUNICIPALITY_SERIES = 3
NOT_YET = "noch nicht erfasst"
ASSESSMENT_PLACEHOLDER = "(Keine Einschätzung eingetragen.)"
LICENCE_TEXTS = {
    "dl-de/by-2-0": "Datenlizenz Deutschland – Namensnennung – Version 2.0 (https://www.govdata.de/dl-de/by-2-0). "
                    "Die Daten wurden für diesen Bericht ausgewertet und zusammengefasst.",
    "cc by 4.0": "Creative Commons Namensnennung 4.0 International (https://creativecommons.org/licenses/by/4.0/).",
    "cc-by-4.0": "Creative Commons Namensnennung 4.0 International (https://creativecommons.org/licenses/by/4.0/).",
    "cc0-1.0": "CC0 1.0 – gemeinfrei (https://creativecommons.org/publicdomain/zero/1.0/).",
    "intern": "Interne Daten der Kompetenzstelle; im Bericht stehen nur freigegebene Angaben ohne personenbezogene "
              "Daten.",
}


# ---------------------------------------------------------------------------------------------- selection

@dataclass(frozen=True)
class ReportFilters(Filters):
    """:class:`Filters` that, with ``public_only``, also require ``is_public`` — so every existing query
    function that calls :meth:`initiative_sql` selects exactly the initiatives the report may show."""

    public_only: bool = True

    def initiative_sql(self, alias: str = "i") -> tuple[str, tuple]:
        cond, params = super().initiative_sql(alias)
        if self.public_only:
            cond = f"{cond} and ({alias}.is_public)"
        return cond, params


def report_filters(params: ReportParams) -> ReportFilters:
    """The selection of ``params`` (the sidebar's status filter never applies to a report)."""
    return ReportFilters(params.date_from, params.date_to, tuple(params.themes), tuple(params.municipalities),
                         (), public_only=not params.internal)


def reference_day(params: ReportParams, stand: dt.date | None) -> dt.date:
    """The day "overdue" and "status at the end" refer to: the period end, or the data Stand if earlier."""
    return min(params.date_to, stand) if stand else params.date_to


# ---------------------------------------------------------------------------------------------- helpers

def _py(v):
    """A DataFrame cell as a plain Python value: None for missing, ``date`` for timestamps, int/float/str."""
    if v is None:
        return None
    if isinstance(v, (str, bool)):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _round(v, decimals: int):
    """``v`` rounded to the indicator's decimals (None stays None)."""
    return None if v is None else round(float(v), decimals)


def _date(v) -> dt.date | None:
    v = _py(v)
    if v is None:
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def _theme_name(theme_id: str) -> str:
    t = THEME_BY_ID.get(theme_id)
    return t.name_de if t else str(theme_id)


def _count(n: int, one: str, many: str) -> str:
    return f"{fmt.number(n)} {one if n == 1 else many}"


#: Receives every chart as soon as it is built (lets a caller render images while the report is still built).
_chart_sink: contextvars.ContextVar[Callable[[Chart], object] | None] = contextvars.ContextVar("chart_sink",
                                                                                                default=None)


def _chart(key: str, fig: go.Figure, caption: str, alt: str, height: int | None = None) -> Chart:
    h = int(height or fig.layout.height or 400)
    if not getattr(fig, "_rm_grid", False):
        # plotly.js leaves long tick labels cut off in static export unless automargin is on
        fig.update_xaxes(automargin=True)
        fig.update_yaxes(automargin=True)
    chart = Chart(key=key, figure_json=fig.to_json(), width=CHART_WIDTH, height=h, caption=caption, alt=alt)
    sink = _chart_sink.get()
    if sink is not None:
        sink(chart)
    return chart


# ---------------------------------------------------------------------------------------------- queries

def _status_at(f: ReportFilters, day: dt.date) -> dict[str, str | None]:
    """Status of every selected initiative on ``day`` (last status-history entry up to that day); an
    initiative without any history counts with its current status from its start date on; None = not yet
    recorded."""
    cond, params = f.initiative_sql("i")
    df = db.query(
        f"""with sel as (select i.initiative_id, i.status, i.start_date from initiative i where {cond}),
        h as (select initiative_id, arg_max(status, (date, seq)) as status from status_history
              where date <= ? group by initiative_id),
        any_h as (select distinct initiative_id from status_history)
        select sel.initiative_id,
               case when a.initiative_id is not null then h.status
                    when coalesce(sel.start_date, ?) <= ? then sel.status end as status
        from sel left join h using (initiative_id) left join any_h a using (initiative_id)
        order by sel.initiative_id""",
        (*params, day, day, day),
    )
    return {r.initiative_id: _py(r.status) for r in df.itertuples(index=False)}


def _overdue(f: ReportFilters, as_of: dt.date) -> pd.DataFrame:
    """Milestones of the selected initiatives due before ``as_of`` and not done by then: initiative_id,
    title, theme, seq, milestone, due_date, done_date."""
    cond, params = f.initiative_sql("i")
    return db.query(
        f"""select i.initiative_id, i.title, i.theme, m.seq, m.title as milestone, m.due_date, m.done_date
        from initiative i join milestone m using (initiative_id)
        where {cond} and m.due_date < ? and (m.done_date is null or m.done_date > ?)
        order by m.due_date, i.initiative_id, m.seq""",
        (*params, as_of, as_of),
    )


def _round_links() -> pd.DataFrame:
    """Every link round -> initiative with the initiative's title and is_public."""
    return db.query(
        """select ri.round_id, ri.initiative_id, i.title, coalesce(i.is_public, false) as is_public
        from coordination_round_initiative ri left join initiative i using (initiative_id)
        order by ri.round_id, ri.initiative_id""")


# ---------------------------------------------------------------------------------------------- development

def _is_advance(previous: str | None, status: str) -> bool:
    if status not in STATUS_LINE or status == "Abgeschlossen":
        return False
    if previous is None or previous not in STATUS_LINE:
        return previous in ("Ruht",)
    return STATUS_RANK[status] > STATUS_RANK[previous]


def _is_setback(previous: str | None, status: str) -> bool:
    if status == "Ruht":
        return True
    return (previous in STATUS_LINE and status in STATUS_LINE and status != "Abgeschlossen"
            and STATUS_RANK[status] < STATUS_RANK[previous])


@dataclass(frozen=True)
class _Development:
    started: bool
    advanced: bool
    completed: bool
    set_back: bool
    dropped: bool
    last_change: dt.date | None

    def text(self) -> str:
        parts = [name for flag, name in ((self.started, "neu"), (self.advanced, "vorangekommen"),
                                         (self.completed, "abgeschlossen"), (self.set_back, "zurückgestellt"),
                                         (self.dropped, "verworfen"))
                 if flag]
        return ", ".join(parts) or "unverändert"


def _developments(ids: list[str], ch: overview.Changes) -> dict[str, _Development]:
    new = set(ch.new_initiatives["initiative_id"])
    new_dates = {r.initiative_id: _date(r.date) for r in ch.new_initiatives.itertuples(index=False)}
    out = {}
    moves: dict[str, list[tuple]] = {}  # initiative -> its status changes in the period, in row order (one pass)
    for r in ch.status_changes.itertuples(index=False):
        moves.setdefault(r.initiative_id, []).append((_py(r.previous_status), r.status, _date(r.date)))
    for i in ids:
        pairs = moves.get(i, [])
        dates = [d for _, _, d in pairs if d] + ([new_dates[i]] if new_dates.get(i) else [])
        out[i] = _Development(
            started=i in new,
            advanced=any(_is_advance(p, s) for p, s, _ in pairs),
            completed=any(s == "Abgeschlossen" for _, s, _ in pairs),
            set_back=any(_is_setback(p, s) for p, s, _ in pairs),
            dropped=any(s == "Verworfen" for _, s, _ in pairs),
            last_change=max(dates) if dates else None,
        )
    return out


# ---------------------------------------------------------------------------------------------- indicators

@dataclass(frozen=True)
class _IndicatorPart:
    rows_long: list[tuple]  # (theme, indicator, unit, region, year, value, note)
    rows_table: list[tuple]
    panels: list[tuple[str, dict]]


def _indicators(theme: str, municipalities: tuple[str, ...], b: mun.Benchmarks,
                names: dict[str, str]) -> _IndicatorPart:
    """Values, a summary row and a trend panel per indicator of ``theme``: the district against the Land and
    up to three chosen municipalities (``names``: AGS -> name)."""
    catalogue = mun.indicator_choices(theme)
    munis = tuple(a for a in municipalities if a in names)[:MAX_MUNICIPALITY_SERIES]
    colour = THEME_BY_ID[theme].colour if theme in THEME_BY_ID and theme != DEMOGRAPHY.theme_id \
        else ic.HIGHLIGHT_COLOUR
    keys = tuple(k for k in (b.district_key, b.state_key, *munis) if k)
    rows_long, rows_table, panels = [], [], []
    for entry in catalogue.itertuples(index=False):
        series = mun.indicator_series(entry.indicator_id, keys)
        if series.empty:
            continue
        name, unit, decimals = str(entry.name_de), str(entry.unit), int(entry.decimals)  # decimals: table rounding
        series_break = vocab.parse_series_break(_py(entry.series_break))
        for r in series.itertuples(index=False):
            note = vocab.flag_label(r.flag) if isinstance(_py(r.flag), str) else ""
            rows_long.append((_theme_name(theme), name, unit, str(r.name), int(r.year), _py(r.value), note))
        district = series[series["region_key"] == b.district_key].sort_values("period")
        state = series[series["region_key"] == b.state_key]
        latest = district.dropna(subset=["value"])
        year = int(latest["year"].iloc[-1]) if not latest.empty else None
        value = _py(latest["value"].iloc[-1]) if not latest.empty else None
        state_value = None
        if year is not None:
            sv = state[state["year"] == year]["value"].dropna()
            state_value = _py(sv.iloc[-1]) if len(sv) else None
        first_year, change = None, None
        if len(latest) >= 2:
            first = latest.iloc[0]
            first_year = int(first["year"])
            crosses = series_break is not None and pd.Timestamp(first["period"]).date() < series_break.date <= \
                pd.Timestamp(latest["period"].iloc[-1]).date()
            if not crosses and _py(first["value"]) not in (None, 0):
                change = 100.0 * (float(value) - float(first["value"])) / abs(float(first["value"]))
        muni_values = []
        for a in munis:
            part = series[(series["region_key"] == a) & (series["year"] == year)].dropna(subset=["value"]) \
                if year else series.iloc[0:0]
            muni_values.append(_py(part["value"].iloc[-1]) if len(part) else None)
        rows_table.append((name, unit, year, _round(value, decimals), _round(state_value, decimals),
                           *(_round(v, decimals) for v in muni_values), first_year, change))
        panels.append(_trend_panel(name, unit, series_break, series, b, munis, names, colour))
    return _IndicatorPart(rows_long, rows_table, panels)


@dataclass(frozen=True)
class _IndicatorBlock:
    """A theme's indicator part of the report: the long rows for the sheet, the table and the panel portfolio."""

    rows_long: tuple[tuple, ...]
    table: Table
    charts: tuple[Chart, ...]


#: Indicator blocks by (database version, theme, label, municipalities, benchmarks): they depend on nothing
#: else, so a new period, theme choice, status or variant of the report reuses them (the slow part of a report).
_BLOCKS: Recent[_IndicatorBlock] = Recent(64)


def _indicator_block(theme: str, label: str, municipalities: tuple[str, ...], b: mun.Benchmarks,
                     names: dict[str, str]) -> _IndicatorBlock:
    """The indicator block of ``theme`` (``label`` names it in chart titles) for the chosen municipalities,
    cached per database version; every chart still reaches the chart sink of this build."""
    munis = tuple(a for a in municipalities if a in names)[:MAX_MUNICIPALITY_SERIES]
    key = (db.current_stamp(), theme, label, tuple((a, names[a]) for a in munis), b)
    block = _BLOCKS.get(key)
    if block is not None:
        sink = _chart_sink.get()
        if sink is not None:
            for chart in block.charts:
                sink(chart)
        return block
    part = _indicators(theme, munis, b, names)
    block = _IndicatorBlock(tuple(part.rows_long), _indicator_table(theme, part.rows_table, b, list(munis), names),
                            tuple(_panel_charts(theme, label, part.panels, b)))  # _chart hands each to the sink
    _BLOCKS.put(key, block)
    return block


def _trend_panel(name, unit, series_break, series, b, munis, names, colour):
    """(label, panel) of one indicator for the small multiples (:func:`figures.trend_panel`): the district,
    the Land and the municipalities; an index (first year = 100) when district and Land are totals."""
    as_index = _is_total(series, b)
    trend = series.assign(series=series["name"])
    if as_index:
        trend = mun.to_index(trend)
    styles = {b.district_name: ic.SeriesStyle(colour, "solid", 2.5)}
    if b.state_name:
        styles[b.state_name] = ic.SeriesStyle(ic.STATE_COLOUR, "dash", 2)
    dashes = ("dot", "dashdot", "longdash")
    for n, a in enumerate(munis):
        styles[names[a]] = ic.SeriesStyle(ic.DISTRICT_COLOUR, dashes[n % len(dashes)], 1.8)
    panel = figures.trend_panel(trend, styles=styles, series_break=series_break)
    return f"{name} ({'Index, erstes Jahr = 100' if as_index else unit})", panel


def _is_total(series: pd.DataFrame, b: mun.Benchmarks) -> bool:
    """True when district and Land values differ by more than a factor of three — they are totals (e.g.
    inhabitants), not rates, and only their development (an index) can be compared."""
    d = series.loc[series["region_key"] == b.district_key, "value"].dropna().abs()
    s = series.loc[series["region_key"] == b.state_key, "value"].dropna().abs()
    if d.empty or s.empty or float(d.max()) == 0 or float(s.max()) == 0:
        return False
    ratio = float(s.max()) / float(d.max())
    return ratio > 3 or ratio < 1 / 3


@dataclass(frozen=True)
class _Context:
    """What every theme section of one report shares: the selection and its status, changes and dates."""

    f: ReportFilters
    pf: pd.DataFrame  # initiatives.portfolio of the selection
    ids: list
    theme_of: dict
    title_of: dict
    start_status: dict
    end_status: dict
    changes: overview.Changes
    dev: dict
    overdue: pd.DataFrame
    as_of: dt.date
    day_before: dt.date
    stand: dt.date | None
    source_note: str
    b: mun.Benchmarks
    muni_names: dict
    chosen_munis: tuple


def _theme_section(ctx: _Context, theme: str, sheet_rows: dict[str, list]) -> tuple[ThemeSection, tuple, tuple]:
    """One theme's section; appends its rows to the combined sheets in ``sheet_rows``. Returns the section,
    its row of the overview table and (KPIs rated, KPIs reached)."""
    info = THEME_BY_ID[theme]
    t_ids = [i for i in ctx.ids if ctx.theme_of[i] == theme]
    # status mix at start and end
    status_rows = []
    for s in (*STATUSES, None):
        a = sum(1 for i in t_ids if ctx.start_status.get(i) == s)
        e = sum(1 for i in t_ids if ctx.end_status.get(i) == s)
        if a or e:
            status_rows.append((s or NOT_YET, a, e, e - a))
            sheet_rows["status"].append((info.name_de, s or NOT_YET, a, e, e - a))
    status_rows.append(("Summe", len(t_ids), len(t_ids), 0))
    status_table = Table(
        f"status_{theme}", f"Status am {fmt.date(ctx.day_before)} und am {fmt.date(ctx.as_of)}",
        (Column("status", "Status", width=2.2), Column("start", f"Anzahl am {fmt.date(ctx.day_before)}", "int"),
         Column("end", f"Anzahl am {fmt.date(ctx.as_of)}", "int"), Column("change", "Veränderung", "int")),
        tuple(status_rows), note="„noch nicht erfasst“: die Initiative war zu diesem Tag noch nicht aufgenommen.")
    # development per initiative
    dev_rows = []
    for i in t_ids:
        d = ctx.dev[i]
        row = (i, ctx.title_of[i], ctx.start_status.get(i) or NOT_YET, ctx.end_status.get(i) or NOT_YET, d.text(),
               d.last_change)
        dev_rows.append(row)
        sheet_rows["development"].append((info.name_de, *row))
    development = Table(
        f"development_{theme}", "Initiativen und ihre Entwicklung im Zeitraum",
        (Column("initiative_id", "ID", width=0.8), Column("title", "Titel", width=3.0),
         Column("status_start", "Status Beginn", width=1.3), Column("status_end", "Status Ende", width=1.3),
         Column("development", "Entwicklung", width=1.4),
         Column("last_change", "Letzte Änderung", "date", width=1.1)),
        tuple(dev_rows), empty_text="Keine Initiativen mit diesem Hauptthema im Zeitraum.")
    for r in ctx.changes.status_changes.itertuples(index=False):
        if ctx.theme_of.get(r.initiative_id) == theme:
            sheet_rows["changes"].append((_date(r.date), info.name_de, r.initiative_id, r.title,
                                          _py(r.previous_status), r.status))
    # milestones reached and overdue
    ms_rows = []
    for r in ctx.changes.milestones_reached.itertuples(index=False):
        if ctx.theme_of.get(r.initiative_id) == theme:
            late = _date(r.due_date) is not None and _date(r.done_date) > _date(r.due_date)
            ms_rows.append((r.initiative_id, r.title, r.milestone, _date(r.due_date), _date(r.done_date),
                            "erreicht (verspätet)" if late else "erreicht"))
    for r in ctx.overdue.itertuples(index=False):
        if r.theme == theme:
            ms_rows.append((r.initiative_id, r.title, r.milestone, _date(r.due_date), _date(r.done_date),
                            f"überfällig am {fmt.date(ctx.as_of)}"))
    sheet_rows["milestones"] += [(info.name_de, *row) for row in ms_rows]
    milestones = Table(
        f"milestones_{theme}", "Meilensteine: erreicht im Zeitraum und überfällig",
        (Column("initiative_id", "ID", width=0.8), Column("title", "Initiative", width=2.2),
         Column("milestone", "Meilenstein", width=2.2), Column("due", "Fällig am", "date", width=1.0),
         Column("done", "Erledigt am", "date", width=1.0), Column("state", "Stand", width=1.4)),
        tuple(ms_rows), empty_text="Keine Meilensteine im Zeitraum erreicht oder überfällig.")
    n_reached = sum(1 for r in ms_rows if r[5].startswith("erreicht"))
    n_overdue = len(ms_rows) - n_reached
    # funds by programme
    funds_df = overview.funds_by_programme(ctx.f.with_(themes=(theme,))) if t_ids else pd.DataFrame(
        columns=["programme", "initiatives", "funding_granted_eur", "total_cost_eur"])
    fund_rows = [(r.programme, int(r.initiatives), float(r.funding_granted_eur), float(r.total_cost_eur))
                 for r in funds_df.itertuples(index=False)]
    sheet_rows["funds_theme"] += [(info.name_de, *row) for row in fund_rows]
    funds = Table(
        f"funds_{theme}", "Mittel nach Förderprogramm",
        (Column("programme", "Förderprogramm", width=3.0), Column("initiatives", "Initiativen", "int"),
         Column("granted", "Fördermittel bewilligt", "eur", width=1.4),
         Column("cost", "Gesamtkosten", "eur", width=1.4)),
        tuple(fund_rows), empty_text="Keine Förderprogramme erfasst.",
        note="Eine Initiative mit mehreren Programmen zählt bei jedem Programm voll.")
    granted = float(ctx.pf.loc[ctx.pf["theme"] == theme, "funding_granted_eur"].fillna(0).sum())
    cost = float(ctx.pf.loc[(ctx.pf["theme"] == theme) & (ctx.pf["status"] != "Verworfen"), "total_cost_eur"].fillna(0).sum())
    # KPIs
    kpis = themes.theme_kpis(ctx.f, theme)
    kpi_rows = []
    rated = reached_n = 0
    for r in kpis.itertuples(index=False):
        progress = ic.kpi_progress(r.baseline, r.target, r.actual)
        reached_flag = kpi_rules.is_reached(r.baseline, r.target, r.actual)
        if reached_flag is not None:
            rated += 1
            reached_n += bool(reached_flag)
        row = (r.initiative_id, r.title, r.name, r.unit or "", _py(r.baseline), _py(r.target),
               None if _py(r.target_year) is None else int(r.target_year), _py(r.actual), _date(r.as_of),
               None if progress is None else round(progress, 1))
        kpi_rows.append(row)
        sheet_rows["kpis"].append((info.name_de, *row))
    kpi_table = Table(
        f"kpis_{theme}", "Kennzahlen: Ziel und Ist",
        (Column("initiative_id", "ID", width=0.8), Column("title", "Initiative", width=2.0),
         Column("name", "Kennzahl", width=2.0), Column("unit", "Einheit", width=1.0),
         Column("baseline", "Ausgangswert", "auto", short="Ausgangs-\nwert"), Column("target", "Zielwert", "auto"),
         Column("target_year", "Zieljahr", "text", width=0.8), Column("actual", "Istwert", "auto"),
         Column("as_of", "Stand", "date"),
         Column("progress", "Zielerreichung", "percent", 0, short="Ziel-\nerreichung")),
        tuple((*r[:6], None if r[6] is None else str(r[6]), *r[7:]) for r in kpi_rows),
        empty_text="Zu diesen Initiativen sind keine Kennzahlen erfasst.",
        note="Zielerreichung: Anteil des Wegs vom Ausgangs- zum Zielwert (100 % = Ziel erreicht).")
    theme_charts: list[Chart] = []
    if 0 < len(kpis) <= MAX_KPI_CHART:
        kfig = ic.kpi_figure(kpis, title=f"Zielerreichung der Kennzahlen – {info.short_de}", stand=ctx.stand,
                             colour=info.colour)
        low, high = kfig.layout.xaxis.range or (0, 160)
        kfig.update_xaxes(range=[low, high * 1.3])  # room for the value labels at the print width …
        kfig.update_layout(margin=dict(r=170))  # … and beyond the axis for the longest ones
        theme_charts.append(_chart(f"kpi_{theme}", kfig, f"Zielerreichung der Kennzahlen ({info.name_de}). "
                                   f"{ctx.source_note}", "Balken je Kennzahl: Zielerreichung in Prozent"))
    # indicators
    block = _indicator_block(theme, info.name_de, ctx.chosen_munis, ctx.b, ctx.muni_names)
    sheet_rows["indicators"] += block.rows_long
    ind_table = block.table
    theme_charts += block.charts
    n_started = sum(ctx.dev[i].started for i in t_ids)
    n_advanced = sum(ctx.dev[i].advanced for i in t_ids)
    n_completed = sum(ctx.dev[i].completed for i in t_ids)
    figs = (
        KeyFigure("initiatives", "Initiativen im Zeitraum", len(t_ids)),
        KeyFigure("started", "neu aufgenommen", n_started),
        KeyFigure("advanced", "vorangekommen", n_advanced),
        KeyFigure("completed", "abgeschlossen", n_completed),
        KeyFigure("milestones_reached", "Meilensteine erreicht", n_reached),
        KeyFigure("milestones_overdue", "Meilensteine überfällig", n_overdue),
        KeyFigure("funding_granted", "Fördermittel bewilligt", granted, "eur"),
        KeyFigure("kpis_reached", f"Kennzahlen am Ziel (von {fmt.number(rated)})", reached_n),
    )
    summary = _theme_sentence(info.name_de, len(t_ids), n_started, n_advanced, n_completed, n_reached, n_overdue,
                              granted)
    overview_row = (info.name_de, len(t_ids), n_started, n_advanced, n_completed, n_reached, n_overdue, granted, cost,
                    reached_n, rated)
    section = ThemeSection(theme, info.name_de, info.colour, figs, summary, status_table, development, milestones,
                           funds, kpi_table, ind_table, tuple(theme_charts))
    return section, overview_row, (rated, reached_n)


# ---------------------------------------------------------------------------------------------- build

def build_report(params: ReportParams, on_chart: Callable[[Chart], object] | None = None) -> Report:
    """The complete report for ``params`` on the current database (``monitor.data.db``). ``on_chart`` (optional)
    is called with each :class:`Chart` as soon as it is built, e.g. to start rendering its image early; it
    does not change the report."""
    token = _chart_sink.set(on_chart)
    try:
        return _build(params)
    finally:
        _chart_sink.reset(token)


def _build(params: ReportParams) -> Report:
    facts = meta.info()
    stand, stand_stat, synthetic = facts.stand, facts.stand_statistics, facts.synthetic
    b = mun.benchmarks()
    f = report_filters(params)
    as_of = reference_day(params, stand)
    day_before = params.date_from - dt.timedelta(days=1)
    portfolio_label = sources.portfolio_source_label()
    source_note = f"Quelle: {portfolio_label} · Stand: {fmt.date(stand)}"

    # ---- initiatives in scope and their status at the start and end of the period
    pf = initiatives.portfolio(f)
    ids = list(pf["initiative_id"])
    theme_of = dict(zip(pf["initiative_id"], pf["theme"]))
    title_of = dict(zip(pf["initiative_id"], pf["title"]))
    start_status = _status_at(f, day_before)
    end_status = _status_at(f, as_of)
    ch = overview.changes(f)
    dev = _developments(ids, ch)
    overdue = _overdue(f, as_of)
    overdue = overdue[[end_status.get(i) != "Verworfen" for i in overdue["initiative_id"]]]

    theme_ids = list(f.theme_ids())
    sheet_rows: dict[str, list] = {k: [] for k in ("status", "development", "changes", "milestones", "funds_theme",
                                                   "kpis", "indicators")}
    muni_names = dict(zip(*[mun.municipality_table()[c] for c in ("ags", "name")]))
    chosen_munis = tuple(a for a in params.municipalities if a in muni_names)[:MAX_MUNICIPALITY_SERIES]
    ctx = _Context(f=f, pf=pf, ids=ids, theme_of=theme_of, title_of=title_of, start_status=start_status,
                   end_status=end_status, changes=ch, dev=dev, overdue=overdue, as_of=as_of, day_before=day_before,
                   stand=stand, source_note=source_note, b=b, muni_names=muni_names, chosen_munis=chosen_munis)
    sections, overview_rows, kpi_totals = [], [], [0, 0]
    for theme in theme_ids:
        section, row, (rated, reached_n) = _theme_section(ctx, theme, sheet_rows)
        sections.append(section)
        overview_rows.append(row)
        kpi_totals[0] += rated
        kpi_totals[1] += reached_n

    # ---- context: demography
    context = _indicator_block(DEMOGRAPHY.theme_id, "Bevölkerung", chosen_munis, b, muni_names)
    sheet_rows["indicators"] += context.rows_long
    context_table = context.table
    context_charts = list(context.charts)

    # ---- whole-report figures
    funds_all = overview.funds_by_programme(f)
    funds_table = Table(
        "funds", "Mittel nach Förderprogramm (alle Themen der Auswahl)",
        (Column("programme", "Förderprogramm", width=3.0), Column("initiatives", "Initiativen", "int"),
         Column("granted", "Fördermittel bewilligt", "eur", width=1.4), Column("cost", "Gesamtkosten", "eur", width=1.4)),
        tuple((r.programme, int(r.initiatives), float(r.funding_granted_eur), float(r.total_cost_eur))
              for r in funds_all.itertuples(index=False)),
        empty_text="Keine Förderprogramme erfasst.",
        note="Eine Initiative mit mehreren Programmen zählt bei jedem Programm voll; Gesamtkosten ohne verworfene "
             "Initiativen.")
    total_granted = float(pf["funding_granted_eur"].fillna(0).sum())
    total_cost = float(pf.loc[pf["status"] != "Verworfen", "total_cost_eur"].fillna(0).sum())

    mix = pd.DataFrame([(theme_of[i], end_status[i]) for i in ids if end_status.get(i)], columns=["theme", "status"])
    summary_charts: list[Chart] = []
    if not mix.empty:
        order = {t.theme_id: n for n, t in enumerate(THEMES)}
        long = (mix.groupby(["theme", "status"]).size().rename("initiatives").reset_index()
                .assign(_t=lambda d: d["theme"].map(order), _s=lambda d: d["status"].map(STATUS_RANK))
                .sort_values(["_t", "_s"]).drop(columns=["_t", "_s"]))
        fig = portfolio.status_mix(long, stand, title=f"Status der Initiativen am {fmt.date(as_of)} je Thema (Anzahl)")
        if int(long.groupby("theme")["initiatives"].sum().max()) <= 12:
            fig.update_xaxes(dtick=1)  # whole numbers only (",d" with plotly's auto step 0.5 repeats ticks)
        summary_charts.append(_chart("status_mix", fig, f"Status der Initiativen am Ende des Zeitraums. {source_note}",
                                     "Gestapelte Balken: Initiativen je Thema und Status"))
    funds_charts: list[Chart] = []
    if not funds_all.empty:
        fig = portfolio.funds_by_programme(funds_all, stand)
        funds_charts.append(_chart("funds", fig, f"Fördermittel und Gesamtkosten je Förderprogramm. {source_note}",
                                   "Balken je Förderprogramm: bewilligt und Gesamtkosten"))
    all_charts = summary_charts + [c for s in sections for c in s.charts] + context_charts + funds_charts

    # ---- coordination rounds and organisations
    rounds_table, orgs_table, n_rounds = _cooperation(f, set(ids), params.internal)

    # ---- summary
    totals = {k: sum(r[n] for r in overview_rows)
              for n, k in enumerate(("initiatives", "started", "advanced", "completed", "reached", "overdue"), 1)}
    summary = (
        KeyFigure("initiatives", "Initiativen im Zeitraum", totals["initiatives"]),
        KeyFigure("started", "neu aufgenommen", totals["started"]),
        KeyFigure("advanced", "vorangekommen", totals["advanced"]),
        KeyFigure("completed", "abgeschlossen", totals["completed"]),
        KeyFigure("milestones_reached", "Meilensteine erreicht", totals["reached"]),
        KeyFigure("milestones_overdue", "Meilensteine überfällig", totals["overdue"],
                  note=f"am {fmt.date(as_of)}"),
        KeyFigure("funding_granted", "Fördermittel bewilligt", total_granted, "eur"),
        KeyFigure("total_cost", "Gesamtkosten", total_cost, "eur", note="ohne verworfene Initiativen"),
        KeyFigure("rounds", "Abstimmungsrunden", n_rounds),
        KeyFigure("organisations", "beteiligte Organisationen", len(orgs_table)),
        KeyFigure("kpis_reached", f"Kennzahlen am Ziel (von {fmt.number(kpi_totals[0])})", kpi_totals[1]),
    )
    overview_table = Table(
        "themes", "Überblick je Thema",
        (Column("theme", "Thema", width=2.2), Column("initiatives", "Initiativen", "int", short="Initia-\ntiven"),
         Column("started", "neu", "int"), Column("advanced", "vorangekommen", "int", short="voran-\ngekommen"),
         Column("completed", "abgeschlossen", "int", short="abge-\nschlossen"),
         Column("reached", "Meilensteine erreicht", "int", short="Meilen-\nsteine\nerreicht"),
         Column("overdue", "Meilensteine überfällig", "int", short="Meilen-\nsteine\nüberfällig"),
         Column("granted", "Fördermittel bewilligt", "eur", short="Förder-\nmittel\nbewilligt"),
         Column("cost", "Gesamtkosten", "eur", short="Gesamt-\nkosten"),
         Column("kpis_reached", "Kennzahlen am Ziel", "int", short="Kenn-\nzahlen\nam Ziel"),
         Column("kpis_rated", "Kennzahlen bewertet", "int", short="Kenn-\nzahlen\nbewertet")),
        tuple(overview_rows))
    summary_text = _summary_sentence(b.district_name, params, totals, total_granted, n_rounds, len(orgs_table),
                                     kpi_totals)

    # ---- annex, sources, notes
    annex_print, annex_sheet = _annex(pf, end_status, as_of, params.internal)
    sources_table, licence_notes = _sources()
    method = _method_notes(params, as_of, day_before, b)

    selection = _selection_text(params, muni_names)
    sheets = _sheets(summary, overview_table, sheet_rows, funds_table, rounds_table, orgs_table, params, annex_sheet,
                     sources_table, licence_notes, method, day_before, as_of)
    title = f"Bericht zur Pilotaktion „{PILOT_ACTION}“"
    subtitle = f"Berichtszeitraum {fmt.date(params.date_from)} – {fmt.date(params.date_to)}"
    report_blocks = _blocks(
        summary=summary, summary_text=summary_text, overview_table=overview_table, summary_charts=summary_charts,
        sections=sections, context_table=context_table, context_charts=context_charts, funds_table=funds_table,
        funds_charts=funds_charts, rounds_table=rounds_table, orgs_table=orgs_table, params=params,
        annex=annex_print, sources_table=sources_table, licence_notes=licence_notes, method=method,
        synthetic=synthetic, b=b)
    return Report(
        params=params, district_name=b.district_name, state_name=b.state_name or "Land", stand=stand,
        stand_statistics=stand_stat, as_of=as_of, synthetic=synthetic, title=title, subtitle=subtitle,
        selection=selection, summary=summary, summary_text=summary_text, themes=tuple(sections),
        sheets=sheets, charts=tuple(all_charts), blocks=tuple(report_blocks), annex=annex_print,
        sources=sources_table, licence_notes=tuple(licence_notes), method_notes=tuple(method),
    )


# ---------------------------------------------------------------------------------------------- pieces

def _indicator_table(theme: str, rows: list[tuple], b: mun.Benchmarks, munis: list[str],
                     names: dict[str, str]) -> Table:
    cols = [Column("indicator", "Indikator", width=2.6), Column("unit", "Einheit", width=1.1),
            Column("year", "Jahr", "text", width=0.6), Column("district", b.district_name, "auto", width=1.2),
            Column("state", b.state_name or "Land", "auto", width=1.1)]
    cols += [Column(f"municipality_{a}", names[a], "auto") for a in munis]
    cols += [Column("first_year", "seit", "text", width=0.6),
             Column("change", f"Veränderung {b.district_name}", "percent", 1, width=1.2)]
    rows = [(r[0], r[1], None if r[2] is None else str(r[2]), *r[3:-2], None if r[-2] is None else str(r[-2]), r[-1])
            for r in rows]
    return Table(f"indicators_{theme}", "Indikatoren: neuester Wert und Entwicklung", tuple(cols), tuple(rows),
                 empty_text="Für dieses Thema sind keine Indikatoren geladen.",
                 note="Neuester Jahreswert; Veränderung des Kreiswerts seit dem ersten Jahr der Reihe (leer bei einem "
                      "Bruch in der Zeitreihe oder ohne Vergleichswert).")


def _panel_charts(theme: str, name: str, panels: list[tuple[str, dict]], b: mun.Benchmarks) -> list[Chart]:
    out = []
    chunks = [panels[i:i + MAX_PANELS] for i in range(0, len(panels), MAX_PANELS)]
    for n, chunk in enumerate(chunks, 1):
        suffix = f" ({n}/{len(chunks)})" if len(chunks) > 1 else ""
        fig = figures.small_multiples(chunk, title=f"Indikatoren {name}: {b.district_name} im Vergleich{suffix}",
                                      width=CHART_WIDTH)
        sources_text = "; ".join(dict.fromkeys(_indicator_sources(theme)))
        out.append(_chart(f"indicators_{theme}_{n}", fig,
                          f"Indikatoren {name}: {b.district_name} und {b.state_name or 'Land'} im Zeitverlauf. "
                          f"Quelle: {sources_text or 'amtliche Statistik'}.",
                          f"Liniendiagramme je Indikator{suffix}"))
    return out


def _indicator_sources(theme: str) -> list[str]:
    cat = mun.indicator_choices(theme)
    return [str(s) for s in cat["source"]]


def _v(n: int, one: str, many: str) -> str:
    """``'1 ist'`` / ``'3 sind'``: a count with the verb form that fits it."""
    return f"{fmt.number(n)} {one if n == 1 else many}"


def _theme_sentence(name, n, started, advanced, completed, reached, overdue, granted) -> str:
    if n == 0:
        return f"Im Thema {name} lief im Zeitraum keine Initiative der Auswahl."
    return (f"Im Thema {name} {'lief' if n == 1 else 'liefen'} im Zeitraum {_count(n, 'Initiative', 'Initiativen')}: "
            f"{fmt.number(started)} neu aufgenommen, {fmt.number(advanced)} vorangekommen, "
            f"{fmt.number(completed)} abgeschlossen. {_count(reached, 'Meilenstein wurde', 'Meilensteine wurden')} "
            f"erreicht, {_v(overdue, 'ist', 'sind')} überfällig. Bewilligte Fördermittel: {fmt.eur(granted)}.")


def _summary_sentence(district, params, totals, granted, rounds, orgs, kpis) -> str:
    return (f"Im Berichtszeitraum {fmt.date(params.date_from)} – {fmt.date(params.date_to)} begleitete der "
            f"{district} {_count(totals['initiatives'], 'Initiative', 'Initiativen')} der Auswahl. "
            f"{_v(totals['started'], 'kam', 'kamen')} neu hinzu, {_v(totals['advanced'], 'erreichte', 'erreichten')} "
            f"eine weitere Stufe und {_v(totals['completed'], 'wurde', 'wurden')} abgeschlossen. "
            f"{_count(totals['reached'], 'Meilenstein wurde', 'Meilensteine wurden')} erreicht; "
            f"{_v(totals['overdue'], 'ist', 'sind')} überfällig. "
            f"Für die Initiativen sind {fmt.eur(granted)} Fördermittel bewilligt. "
            f"In {_count(rounds, 'Abstimmungsrunde', 'Abstimmungsrunden')} {'arbeitete' if orgs == 1 else 'arbeiteten'} "
            f"{_count(orgs, 'Organisation', 'Organisationen')} zusammen; "
            f"{fmt.number(kpis[1])} von {fmt.number(kpis[0])} bewerteten Kennzahlen haben ihr Ziel erreicht.")


def _selection_text(params: ReportParams, names: dict[str, str]) -> str:
    themes_text = ", ".join(_theme_name(t) for t in params.themes) if params.themes else "alle Themen"
    munis = ", ".join(names.get(a, a) for a in params.municipalities) if params.municipalities else "alle Gemeinden"
    variant = ("interne Fassung mit nicht öffentlichen Initiativen" if params.internal
               else "öffentliche Fassung: nur zur Veröffentlichung freigegebene Initiativen")
    return f"Auswahl: {themes_text} · {munis} · {variant}"


def _cooperation(f: ReportFilters, selected: set[str], internal: bool) -> tuple[Table, Table, int]:
    """Rounds of the period (:func:`monitor.data.actors.rounds`), in the public variant without rounds that dealt
    only with non-public initiatives; their initiatives listed only when selected. Organisations: those in
    the rounds kept and those working on the selected initiatives."""
    rounds = actors.rounds(f)
    linked_of: dict[str, list] = {}  # round -> its linked initiatives, in row order (one pass)
    for x in _round_links().itertuples(index=False):
        linked_of.setdefault(x.round_id, []).append(x)
    keep, rows = [], []
    for r in rounds.sort_values(["date", "round_id"]).itertuples(index=False):
        linked = linked_of.get(r.round_id, [])
        if not internal and linked and not any(bool(x.is_public) for x in linked):
            continue
        shown = [f"{x.initiative_id} {x.title}" for x in linked if x.initiative_id in selected]
        keep.append(r)
        rows.append((_date(r.date), _py(r.format) or "–", _py(r.organisations) or "–", "; ".join(shown) or "–",
                     _py(r.results) or "–"))
    rounds_table = Table(
        "rounds", "Abstimmungsrunden im Zeitraum",
        (Column("date", "Datum", "date", width=0.9), Column("format", "Format", width=1.1),
         Column("organisations", "Beteiligte Organisationen", width=2.4),
         Column("initiatives", "Initiativen", width=2.0), Column("results", "Ergebnisse", width=2.4)),
        tuple(rows), empty_text="Im Zeitraum fanden keine Abstimmungsrunden statt.")
    counts: dict[str, list[int]] = {}
    for r in keep:
        for org in str(_py(r.organisations) or "").split("; "):
            if org:
                counts.setdefault(org, [0, 0, 0])[0] += 1
    work = actors.organisation_initiatives(f)
    is_lead = (work["role"] == "Träger").fillna(False).astype(bool)
    for slot, part in ((1, work[is_lead]), (2, work[~is_lead])):
        for org, n in part.groupby("organisation")["initiative_id"].nunique().items():
            counts.setdefault(str(org), [0, 0, 0])[slot] += int(n)
    org_rows = sorted(((o, *c) for o, c in counts.items()), key=lambda r: (-(r[1] + r[2] + r[3]), r[0]))
    orgs_table = Table(
        "organisations", "Beteiligte Organisationen",
        (Column("organisation", "Organisation", width=3.0),
         Column("rounds", "Abstimmungsrunden", "int", short="Abstimmungs-\nrunden"),
         Column("lead", "Initiativen als Träger", "int"), Column("partner", "Initiativen als Partner", "int")),
        tuple(org_rows), empty_text="Keine Organisationen beteiligt.")
    return rounds_table, orgs_table, len(rows)


ANNEX_COLUMNS = (
    Column("initiative_id", "ID", width=0.75), Column("title", "Titel", width=2.6), Column("theme", "Thema", width=1.3),
    Column("status", "Status", width=1.1), Column("municipalities", "Gemeinden", width=1.6),
    Column("lead", "Träger", width=1.7), Column("programmes", "Förderprogramme", width=1.4),
    Column("granted", "Fördermittel bewilligt", "eur", width=1.2, short="Förder-\nmittel\nbewilligt"),
)


def _annex(pf: pd.DataFrame, end_status: dict, as_of: dt.date, internal: bool) -> tuple[Table, Table]:
    """The initiatives of the report: a printable table (PDF/DOCX) and the full sheet (XLSX)."""
    status_label = f"Status am {fmt.date(as_of)}"
    cols_print = [c if c.key != "status" else Column("status", status_label, width=1.1) for c in ANNEX_COLUMNS]
    if internal:
        cols_print.append(Column("public", "Öffentlich", "bool", width=0.7))
    rows_print, rows_sheet = [], []
    for r in pf.itertuples(index=False):
        status = end_status.get(r.initiative_id) or r.status
        short = THEME_BY_ID[r.theme].short_de if r.theme in THEME_BY_ID else r.theme_name
        base = (r.initiative_id, r.title, short, status, _py(r.municipalities) or "–",
                _py(r.lead_organisation) or "–", _py(r.programmes) or "–", _py(r.funding_granted_eur))
        rows_print.append(base + ((bool(r.is_public),) if internal else ()))
        rows_sheet.append((r.initiative_id, r.title, _py(r.summary), r.theme_name, status, _py(r.municipalities),
                           _py(r.lead_organisation), _py(r.origin), _py(r.programmes), _date(r.start_date),
                           _date(r.end_planned), _py(r.total_cost_eur), _py(r.funding_granted_eur),
                           _py(r.own_funds_eur), _date(r.as_of)) + ((bool(r.is_public),) if internal else ()))
    title = "Initiativen der Auswahl" + (" (auch nicht öffentliche)" if internal else " (öffentlich)")
    printable = Table("annex", title, tuple(cols_print), tuple(rows_print), empty_text="Keine Initiativen.",
                      note="Vollständige Angaben (Beschreibung, Herkunft, Laufzeit, Kosten) in der Excel-Datei.")
    sheet_cols = [
        Column("initiative_id", "ID"), Column("title", "Titel"), Column("summary", "Kurzbeschreibung"),
        Column("theme", "Thema"), Column("status", status_label), Column("municipalities", "Gemeinden"),
        Column("lead", "Träger"), Column("origin", "Herkunft"), Column("programmes", "Förderprogramme"),
        Column("start", "Beginn", "date"), Column("end", "Ende geplant", "date"),
        Column("cost", "Gesamtkosten (€)", "eur"), Column("granted", "Fördermittel bewilligt (€)", "eur"),
        Column("own", "Eigenmittel (€)", "eur"), Column("as_of", "Stand der Angaben", "date")]
    if internal:
        sheet_cols.append(Column("public", "Öffentlich", "bool"))
    return printable, Table("initiatives", "Initiativen", tuple(sheet_cols), tuple(rows_sheet))


def _sources() -> tuple[Table, list[str]]:
    src = sources.sources()
    rows = []
    for r in src.itertuples(index=False):
        rows.append((_py(r.title) or r.file_name, sources.SOURCE_KIND_DE.get(r.kind, r.kind), _py(r.origin) or "–",
                     _date(r.reference_date), r.licence, _py(r.attribution) or "–", bool(r.synthetic)))
    table = Table(
        "sources", "Datenquellen",
        (Column("title", "Quelle", width=2.4), Column("kind", "Art", width=1.1), Column("origin", "Herkunft", width=1.8),
         Column("reference_date", "Stichtag", "date", width=0.9), Column("licence", "Lizenz", width=1.0),
         Column("attribution", "Namensnennung", width=2.0), Column("synthetic", "Beispieldaten", "bool", width=0.8)),
        tuple(rows))
    notes = []
    for lic in dict.fromkeys(src["licence"]):
        text = LICENCE_TEXTS.get(str(lic).strip().lower())
        holders = "; ".join(dict.fromkeys(str(a) for a in src.loc[src["licence"] == lic, "attribution"].dropna()))
        line = f"{lic}: {text or 'siehe Lizenzangabe der Quelle.'}"
        if holders:
            line += f" Namensnennung: {holders}."
        notes.append(line)
    return table, notes


def _method_notes(params: ReportParams, as_of: dt.date, day_before: dt.date, b: mun.Benchmarks) -> list[str]:
    return [
        "Auswahl: Initiativen, die bis zum Ende des Zeitraums aufgenommen und nicht vor seinem Beginn abgeschlossen "
        "oder verworfen wurden; Thema = Hauptthema der Initiative; kreisweite Initiativen zählen für jede Gemeinde.",
        ("Die interne Fassung enthält auch nicht öffentliche Initiativen und darf nicht weitergegeben werden."
         if params.internal else
         "Die öffentliche Fassung enthält nur Initiativen, die zur Veröffentlichung freigegeben sind."),
        "Personenbezogene Angaben (Ansprechpersonen, E-Mail-Adressen, Telefonnummern) sind in keinem Teil des "
        "Berichts enthalten.",
        f"Status zu Beginn = Stand am {fmt.date(day_before)}, Status am Ende = Stand am {fmt.date(as_of)} "
        "(letzter Eintrag im Statusverlauf bis zu diesem Tag).",
        "Neu = erster Status im Zeitraum; vorangekommen = mindestens ein Wechsel auf eine spätere Stufe der "
        "Statuslinie (ohne Abschluss) oder zurück aus „Ruht“; abgeschlossen = Wechsel zu „Abgeschlossen“ im "
        "Zeitraum; zurückgestellt = Wechsel zu „Ruht“ oder auf eine frühere Stufe; verworfen = Wechsel zu "
        "„Verworfen“.",
        f"Meilensteine: erreicht = im Zeitraum erledigt; überfällig = vor dem {fmt.date(as_of)} fällig und bis "
        "dahin nicht erledigt (ohne verworfene Initiativen).",
        "Fördermittel und Kosten: Beträge je Initiative laut Portfolio (bewilligt; Gesamtkosten ohne verworfene "
        "Initiativen).",
        "Kennzahlen: erreicht, wenn der Istwert den Zielwert in Richtung vom Ausgangswert erreicht hat.",
        f"Indikatoren: {b.district_name} im Vergleich mit {b.state_name or 'dem Land'}; sind Kreis- und Landeswerte "
        "Summen (z. B. Einwohner), zeigen die Grafiken einen Index (erstes Jahr = 100). Lücken sind nicht "
        "veröffentlichte Werte, keine Nullen.",
    ]


def _sheets(summary, overview_table, rows, funds_table, rounds_table, orgs_table, params, annex_sheet, sources_table,
            licence_notes, method, day_before, as_of) -> tuple[Table, ...]:
    figures_rows = tuple((f.label, f.value, "€" if f.kind == "eur" else "Anzahl", f.note or None) for f in summary)
    assessment = [p.strip() for p in params.assessment.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return (
        Table("summary", "Übersicht", (Column("label", "Kennzahl"), Column("value", "Wert", "number"),
                                       Column("unit", "Einheit"), Column("note", "Hinweis")), figures_rows),
        overview_table,
        Table("status", "Status je Thema", (
            Column("theme", "Thema"), Column("status", "Status"),
            Column("start", f"Anzahl am {fmt.date(day_before)}", "int"),
            Column("end", f"Anzahl am {fmt.date(as_of)}", "int"), Column("change", "Veränderung", "int")),
            tuple(rows["status"])),
        Table("development", "Entwicklung der Initiativen", (
            Column("theme", "Thema"), Column("initiative_id", "ID"), Column("title", "Titel"),
            Column("status_start", "Status Beginn"), Column("status_end", "Status Ende"),
            Column("development", "Entwicklung"), Column("last_change", "Letzte Änderung", "date")),
            tuple(rows["development"])),
        Table("changes", "Statuswechsel im Zeitraum", (
            Column("date", "Datum", "date"), Column("theme", "Thema"), Column("initiative_id", "ID"),
            Column("title", "Titel"), Column("previous", "Status vorher"), Column("status", "Status neu")),
            tuple(sorted(rows["changes"], key=lambda r: (r[0], r[2])))),
        Table("milestones", "Meilensteine", (
            Column("theme", "Thema"), Column("initiative_id", "ID"), Column("title", "Initiative"),
            Column("milestone", "Meilenstein"), Column("due", "Fällig am", "date"),
            Column("done", "Erledigt am", "date"), Column("state", "Stand")), tuple(rows["milestones"])),
        Table(funds_table.key, "Förderprogramme", funds_table.columns, funds_table.rows, note=funds_table.note),
        Table("funds_theme", "Förderprogramme je Thema", (
            Column("theme", "Thema"), Column("programme", "Förderprogramm"), Column("initiatives", "Initiativen", "int"),
            Column("granted", "Fördermittel bewilligt (€)", "eur"), Column("cost", "Gesamtkosten (€)", "eur")),
            tuple(rows["funds_theme"])),
        Table("kpis", "Kennzahlen", (
            Column("theme", "Thema"), Column("initiative_id", "ID"), Column("title", "Initiative"),
            Column("name", "Kennzahl"), Column("unit", "Einheit"), Column("baseline", "Ausgangswert", "auto"),
            Column("target", "Zielwert", "auto"), Column("target_year", "Zieljahr", "int"),
            Column("actual", "Istwert", "auto"), Column("as_of", "Stand", "date"),
            Column("progress", "Zielerreichung (%)", "percent", 1)),
            tuple(rows["kpis"])),
        Table("indicators", "Indikatoren", (
            Column("theme", "Thema"), Column("indicator", "Indikator"), Column("unit", "Einheit"),
            Column("region", "Gebiet"), Column("year", "Jahr", "int"), Column("value", "Wert", "auto"),
            Column("note", "Hinweis")), tuple(rows["indicators"])),
        Table(rounds_table.key, "Abstimmungsrunden", rounds_table.columns, rounds_table.rows),
        Table(orgs_table.key, "Organisationen", orgs_table.columns, orgs_table.rows),
        Table("assessment", "Einschätzung", (Column("text", "Einschätzung der Kompetenzstelle"),),
              tuple((p,) for p in assessment) or ((ASSESSMENT_PLACEHOLDER,),)),
        annex_sheet,
        Table(sources_table.key, "Quellen", sources_table.columns, sources_table.rows),
        Table("notes", "Hinweise", (Column("kind", "Art"), Column("text", "Hinweis")),
              tuple(("Lizenz", n) for n in licence_notes) + tuple(("Methode", n) for n in method)),
    )


def _blocks(*, summary, summary_text, overview_table, summary_charts, sections, context_table, context_charts,
            funds_table, funds_charts, rounds_table, orgs_table, params, annex, sources_table, licence_notes, method,
            synthetic, b) -> list[Block]:
    out: list[Block] = [Heading(1, "1 Zusammenfassung", "summary"), Text(summary_text, "lead")]
    if synthetic:
        out.append(Text("Dieser Bericht beruht auf Beispieldaten (erfundene Initiativen und Statistikwerte). Er ist "
                        "nicht für Entscheidungen oder die Weitergabe bestimmt.", "warning"))
    out += [Figures(summary), TableBlock(overview_table, compact=True)]
    out += [ChartBlock(c) for c in summary_charts]
    out += [PageBreak(), Heading(1, "2 Fortschritt je Thema", "themes")]
    for n, s in enumerate(sections, 1):
        if n > 1:
            out.append(PageBreak())
        num = f"2.{n}"
        out += [Heading(2, f"{num} {s.name}", f"theme_{s.theme_id}"), Text(s.summary, "lead"), Figures(s.figures),
                Heading(3, f"{num}.1 Status und Entwicklung", f"theme_{s.theme_id}_status"), TableBlock(s.status),
                TableBlock(s.development),
                Heading(3, f"{num}.2 Meilensteine", f"theme_{s.theme_id}_milestones"), TableBlock(s.milestones),
                Heading(3, f"{num}.3 Förderung", f"theme_{s.theme_id}_funds"), TableBlock(s.funds),
                Heading(3, f"{num}.4 Kennzahlen: Ziel und Ist", f"theme_{s.theme_id}_kpis"),
                TableBlock(s.kpis, compact=True, titled=False)]
        out += [ChartBlock(c) for c in s.charts if c.key.startswith("kpi_")]
        out += [Heading(3, f"{num}.5 Indikatoren im Vergleich mit {b.state_name or 'dem Land'}",
                        f"theme_{s.theme_id}_indicators"), TableBlock(s.indicators, compact=True)]
        out += [ChartBlock(c) for c in s.charts if c.key.startswith("indicators_")]
    out += [PageBreak(), Heading(1, "3 Rahmendaten: Bevölkerung", "context"),
            Text("Die Bevölkerungsentwicklung ist der Rahmen für alle Themen.", "body"),
            TableBlock(context_table, compact=True)]
    out += [ChartBlock(c) for c in context_charts]
    out += [PageBreak(), Heading(1, "4 Förderung nach Programmen", "funds"), TableBlock(funds_table)]
    out += [ChartBlock(c) for c in funds_charts]
    out += [Heading(1, "5 Zusammenarbeit und Abstimmung", "cooperation"),
            Heading(2, "5.1 Abstimmungsrunden", "rounds"), TableBlock(rounds_table, compact=True),
            Heading(2, "5.2 Beteiligte Organisationen", "organisations"), TableBlock(orgs_table)]
    out += [Heading(1, "6 Einschätzung der Kompetenzstelle", "assessment")]
    paragraphs = [p.strip() for p in params.assessment.replace("\r\n", "\n").split("\n\n") if p.strip()]
    out += [Text(p, "assessment") for p in paragraphs] or [Text(ASSESSMENT_PLACEHOLDER, "note")]
    out += [PageBreak(), Heading(1, "Anhang A: Initiativen", "annex"), TableBlock(annex, compact=True),
            Heading(1, "Anhang B: Quellen, Lizenzen und Methode", "sources"), TableBlock(sources_table, compact=True),
            Heading(2, "Lizenzen und Namensnennung", "licences")]
    out += [Text(n, "note") for n in licence_notes]
    out += [Heading(2, "Hinweise zur Methode", "method")]
    out += [Text(n, "note") for n in method]
    return out
