"""Pure plotly builders for the theme and municipality pages: indicator trends, rankings, comparisons,
status progress and KPI target attainment.

Every builder returns a ``go.Figure`` with German number format (``separators=",."``), axis titles that
name the unit, and the data date ("Stand") in the subtitle. Missing values (NULL with a flag) stay gaps and
are never drawn as zero. No ``st.*`` here; the pages render the figures.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from monitor.core import format as fmt
from monitor.core.format import stand_text
from monitor.core import palette
from monitor.core.text import plotly_text as plain
from monitor.core.vocab import STATUSES, THEME_BY_ID, SeriesBreak, flag_label
from monitor.data.municipalities import IndicatorTrend

#: The one font of every chart (plotly ``layout.font``).
FONT = dict(family="Source Sans Pro, sans-serif", size=13)
#: The look of every chart of the app and the report: plotly's 'plotly_white'. Set as plotly's default (the app
#: sets it again after Streamlit has set its own on import, see monitor/app/ui.py), where a figure gets it without
#: validating it; naming it in each
#: figure's layout validates and copies the whole template again, ~25 ms per chart (a third of the script time
#: of the district's chart pages).
APP_TEMPLATE = "plotly_white"
pio.templates.default = APP_TEMPLATE


@dataclass(frozen=True)
class SeriesStyle:
    """How one line of a trend chart looks."""

    colour: str
    dash: str = "solid"
    width: float = 2.5


#: Height in px of one row of a horizontal legend, and the room the x-axis ticks and title need below the plot.
LEGEND_ROW_PX = 24
AXIS_PX = 50


def count_axis(top, **axis) -> dict:
    """Axis settings for whole-number counts up to ``top``: German thousands, from zero, and one tick per unit
    while ``top`` is at most 10 (else plotly's ticks at 0,5 would print as "0 1 1")."""
    top = int(top or 0) if top == top else 0  # NaN -> 0
    return dict(tickformat=",d", rangemode="tozero", dtick=1 if top <= 10 else None, **axis)


def legend_rows(entries: int, per_row: int = 4) -> int:
    """Rows a horizontal legend of ``entries`` items needs (about ``per_row`` per row in a half-width chart)."""
    return math.ceil(entries / per_row) if entries > 0 else 0


def legend_below(entries: int, per_row: int = 4) -> tuple[dict, int]:
    """A horizontal legend at the bottom of the figure, under the x-axis title (never over the chart title),
    and the bottom margin in px that keeps axis and legend apart: ``AXIS_PX`` plus one ``LEGEND_ROW_PX``
    per legend row. Callers add the legend rows to the figure height so the plot keeps its size."""
    legend = dict(orientation="h", xref="container", x=0, xanchor="left", yref="container", y=0,
                  yanchor="bottom", traceorder="normal")
    return legend, AXIS_PX + LEGEND_ROW_PX * legend_rows(entries, per_row)


def merge(base: dict, extra: dict) -> dict:
    """``extra`` merged into ``base`` in place, nested dicts key by key (like plotly's update_layout)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


class Draft:
    """A figure put together as plain data — traces, layout (merged like ``update_layout``), shapes and
    annotations — and built by :meth:`figure` in one pass. Each of plotly's incremental updates
    (``update_layout``, ``update_xaxes``, ``add_annotation`` …) costs 2–6 ms; the same content given to the
    ``go.Figure`` constructor is validated at once (measured: the common layout 22 ms → 2.4 ms)."""

    def __init__(self) -> None:
        self.data: list = []
        self.layout: dict = {}

    def add_trace(self, trace) -> None:
        self.data.append(trace)

    def update_layout(self, **layout) -> None:
        merge(self.layout, layout)

    def update_xaxes(self, **axis) -> None:
        """Like plotly's for a figure with one x axis (``xaxis``)."""
        merge(self.layout.setdefault("xaxis", {}), axis)

    def update_yaxes(self, **axis) -> None:
        merge(self.layout.setdefault("yaxis", {}), axis)

    def add_shape(self, **shape) -> None:
        self.layout.setdefault("shapes", []).append(shape)

    def add_annotation(self, **annotation) -> None:
        self.layout.setdefault("annotations", []).append(annotation)

    def figure(self) -> go.Figure:
        return go.Figure(data=self.data, layout=self.layout)


def _layout(fig: Draft, *, title: str, stand, x_title: str, y_title: str, height: int = 380,
            extra_subtitle: str = "", legend_entries: int = 3) -> Draft:
    subtitle = stand_text(stand) + (f" · {extra_subtitle}" if extra_subtitle else "")
    legend, bottom = legend_below(legend_entries)
    fig.update_layout(
        title=dict(text=plain(title), subtitle=dict(text=plain(subtitle)), font=dict(size=15)),
        separators=",.",
        font=FONT,
        height=height + LEGEND_ROW_PX * legend_rows(legend_entries),
        margin=dict(l=10, r=10, t=80, b=bottom),
        legend=legend,
        hoverlabel=dict(namelength=-1),
    )
    fig.update_xaxes(title=dict(text=plain(x_title)))  # axis titles may name a unit from the catalogue
    fig.update_yaxes(title=dict(text=plain(y_title)))
    return fig


def _empty(fig: Draft, text: str) -> go.Figure:
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
    return fig.figure()


def _numbers(values) -> list[float | None]:
    """Plain JSON numbers for a trace; a missing value becomes None (a gap), never 0."""
    return [None if v is None or pd.isna(v) else float(v) for v in values]


def _value_texts(values, flags, decimals: int, unit: str) -> list[str]:
    """Plotly label texts of the values with ``unit`` (escaped: a unit comes from the catalogue)."""
    unit = plain(unit)
    out = []
    for v, f in zip(values, flags):
        if pd.isna(v):
            out.append(f"keine Angabe ({flag_label(f)})")
        else:
            text = fmt.value_with_unit(v, unit, decimals)
            if isinstance(f, str) and f and f != "zero":
                text += f" ({flag_label(f)})"
            out.append(text)
    return out


# ---------------------------------------------------------------------------------------------- trends

def trend_figure(
    data: pd.DataFrame,
    *,
    title: str,
    unit: str,
    decimals: int,
    stand,
    styles: dict[str, SeriesStyle],
    series_break: SeriesBreak | None = None,
) -> go.Figure:
    """Lines over the years, one per ``series`` label (annual values: x = year of the reference date).

    ``data`` columns: ``series`` (label, a key of ``styles``), ``period`` (date), ``value`` (float, NaN when
    withheld), ``flag``. Withheld values are gaps (``connectgaps=False``), never zero. With a
    ``series_break`` each line is split into two traces (before / from the break date) so no line crosses
    the break, and a dashed vertical marker with the break's note is drawn between the last year before
    and the first year from the break.
    """
    fig = Draft()
    _layout(fig, title=title, stand=stand, x_title="Jahr (Stichtag)", y_title=unit or "Wert",
            legend_entries=len(styles))
    if data.empty:
        return _empty(fig, "Keine Werte vorhanden")
    data = data.assign(_period=pd.to_datetime(data["period"])).sort_values("_period")
    data = data.assign(_year=data["_period"].dt.year)
    cut = pd.Timestamp(series_break.date) if series_break is not None else None
    for label, style in styles.items():
        part = data[data["series"] == label]
        if part.empty:
            continue
        pieces = [(part, "")] if cut is None else [
            (part[part["_period"] < cut], ""), (part[part["_period"] >= cut], " (neue Basis)")]
        first = True
        for piece, suffix in pieces:
            if piece.empty:
                continue
            texts = _value_texts(piece["value"], piece["flag"], decimals, unit)
            dates = [fmt.date(d) for d in piece["_period"]]
            fig.add_trace(go.Scatter(
                x=piece["_year"].tolist(), y=_numbers(piece["value"]),
                mode="lines+markers", name=plain(label), legendgroup=plain(label), showlegend=first,
                line=dict(color=style.colour, dash=style.dash, width=style.width),
                marker=dict(color=style.colour, size=7), connectgaps=False,
                customdata=list(zip(dates, texts)),
                hovertemplate=f"{plain(label)}{suffix}<br>%{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
            ))
            first = False
    if cut is not None:
        before = data.loc[data["_period"] < cut, "_year"]
        after = data.loc[data["_period"] >= cut, "_year"]
        if not before.empty and not after.empty:
            x = (before.max() + after.min()) / 2
        else:
            x = cut.year - 0.5
        fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, xref="x", yref="paper",
                      line=dict(color=palette.BREAK_LINE, dash="dash", width=1.5))
        fig.add_annotation(x=x, y=1, xref="x", yref="paper", text=f"Bruch: {plain(series_break.note)}",
                           showarrow=False, xanchor="right", yanchor="bottom", font=dict(size=11),
                           align="right")
    years = data["_year"]
    fig.update_xaxes(tickformat="d", dtick=1, range=[years.min() - 0.4, years.max() + 0.4])
    fig.update_yaxes(tickformat=",")  # thousands grouped the German way (separators ",.")
    return fig.figure()


#: The reference lines of a ranking or comparison by the role of their region: the district dark grey dashed,
#: the Land light grey dotted, Germany in its own colour dash-dotted.
REFERENCE_STYLES = {"kreis": SeriesStyle(palette.DISTRICT_LINE, "dash", 2),
                    "land": SeriesStyle(palette.STATE_LINE, "dot", 2),
                    "bund": SeriesStyle(palette.GERMANY_LINE, "dashdot", 2)}


def _reference_lines(fig: Draft, reference: dict[str, float] | None, *, vertical: bool, unit: str,
                     decimals: int, roles: dict[str, str] | None = None) -> None:
    """Lines for the benchmarks in :data:`REFERENCE_STYLES`, named in the legend; ``roles`` maps a label of
    ``reference`` to its role ('kreis' | 'land' | 'bund'; without it: district, Land, Germany in that order)."""
    order = ("kreis", "land", "bund")
    for i, (label, value) in enumerate((reference or {}).items()):
        if value is None or pd.isna(value):
            continue
        style = REFERENCE_STYLES[(roles or {}).get(label) or order[min(i, len(order) - 1)]]
        line = dict(color=style.colour, dash=style.dash, width=style.width)
        name = plain(f"{label}: {fmt.value_with_unit(value, unit, decimals)}")
        # Drawn below the bars and their labels, so a value label is never crossed out.
        if vertical:
            fig.add_shape(type="line", x0=value, x1=value, y0=0, y1=1, xref="x", yref="paper", line=line,
                          showlegend=True, name=name, layer="below")
        else:
            fig.add_shape(type="line", y0=value, y1=value, x0=0, x1=1, xref="paper", yref="y", line=line,
                          showlegend=True, name=name, layer="below")


def theme_colour(theme_id: str | None, *, beside_grey: bool = False) -> str:
    """The colour of an indicator's theme (:data:`palette.HIGHLIGHT` for an unknown theme). ``beside_grey``: a line
    drawn next to the grey district and Land lines, where demography's grey would vanish, takes
    :data:`palette.HIGHLIGHT` instead."""
    if theme_id not in THEME_BY_ID or (beside_grey and theme_id == "demography"):
        return palette.HIGHLIGHT
    return THEME_BY_ID[theme_id].colour


#: Styles of the other lines of a region trend, by the role of the line in focus: next to a municipality the
#: district and the Land are thin grey benchmarks; next to the district, the Land is dashed grey.
_BENCHMARK_STYLES = {
    "gemeinde": REFERENCE_STYLES,
    "kreis": {"land": SeriesStyle(palette.STATE_LINE, "dash"),
              "bund": SeriesStyle(palette.GERMANY_LINE, "dashdot")},
}


def region_trend_figure(trend: IndicatorTrend, *, title: str, colour: str) -> go.Figure:
    """:func:`trend_figure` of an :class:`~monitor.data.municipalities.IndicatorTrend`: the first line (the region
    in focus) in ``colour``, the others as benchmarks (``_BENCHMARK_STYLES``); unit, decimals, Stand and series
    break from the trend."""
    (focus, focus_role), *others = trend.lines
    styles = {focus: SeriesStyle(colour)}
    styles.update({name: _BENCHMARK_STYLES[focus_role][role] for name, role in others})
    return trend_figure(trend.data, title=title, unit=trend.unit, decimals=trend.decimals, stand=trend.stand,
                        styles=styles, series_break=trend.info.series_break)


def gap_notes(data: pd.DataFrame, label_col: str = "series") -> list[str]:
    """Notes for withheld values: ``['Görlitz 2021: keine Angabe – unbekannt oder geheim zu halten']``."""
    notes = []
    missing = data[data["value"].isna()]
    for _, row in missing.iterrows():
        year = pd.Timestamp(row["period"]).year if "period" in row and not pd.isna(row["period"]) else ""
        notes.append(f"{row[label_col]} {year}: keine Angabe – {flag_label(row['flag'])}")
    return notes


# ---------------------------------------------------------------------------------------------- rankings

def ranking_figure(
    data: pd.DataFrame,
    *,
    title: str,
    unit: str,
    decimals: int,
    stand,
    colour: str,
    higher_is_better: bool | None,
    reference: dict[str, float] | None = None,
    highlight: tuple[str, ...] = (),
    max_bars: int = 60,
    reference_roles: dict[str, str] | None = None,
) -> go.Figure:
    """Horizontal bars of municipalities for one year, best first (by ``higher_is_better``).

    ``data`` columns: ``name``, ``value`` (NaN when withheld), ``flag``. Withheld values get no bar and
    the label "keine Angabe (...)" at the end of the list; a zero gets the label "0" at the axis, a '-'
    (flag ``zero``) "0 – nichts vorhanden (genau null)"; ``reference`` maps a label (e.g. "Landkreis
    Görlitz") to a value drawn as a dashed vertical line named in the legend; ``highlight``: names drawn in
    vermillion; ``reference_roles``: label -> 'kreis' | 'land' | 'bund' (the line's style, see
    :func:`_reference_lines`). More than ``max_bars`` rows (a large area): only the best and the worst ``max_bars // 2``
    each (plus the highlighted ones) with a row "… Rang a–b …" where rows are left out, withheld values
    counted in the subtitle instead of listed.
    """
    fig = Draft()
    direction = {True: "höher ist besser", False: "niedriger ist besser"}.get(higher_is_better, "")
    ordered = rank_order(data, higher_is_better) if not data.empty else data
    ordered, note = ranking_excerpt(ordered, max_bars, highlight)
    height = max(320, 26 * len(ordered) + 190)
    _layout(fig, title=title, stand=stand, x_title=unit or "Wert", y_title="", height=height,
            extra_subtitle=" · ".join(x for x in (direction, note) if x), legend_entries=0)
    lines = sum(1 for v in (reference or {}).values() if v is not None and not pd.isna(v))
    if lines:  # a long list: the reference lines explained on top, one per row, where the reader starts
        fig.update_layout(legend=dict(orientation="v", xref="container", x=0, xanchor="left", yref="paper", y=1,
                                      yanchor="bottom", traceorder="normal"),
                          # the legend's own padding: clear of the subtitle also with three lines (Germany)
                          margin=dict(t=100 + LEGEND_ROW_PX * lines), height=height + 20 + LEGEND_ROW_PX * lines)
    if data.empty:
        return _empty(fig, "Keine Werte vorhanden")
    gap = ordered["flag"].eq(GAP_FLAG)
    texts = _value_texts(ordered["value"], ordered["flag"], decimals, unit)
    labels = _value_texts(ordered["value"], ordered["flag"], decimals, "")  # unit on the axis, not on each bar
    colours = [palette.HIGHLIGHT if n in highlight else colour for n in ordered["name"]]
    names = [plain(n) for n in ordered["name"]]
    fig.add_trace(go.Bar(
        y=names, x=_numbers(ordered["value"]), orientation="h",
        marker=dict(color=colours), text=[t if not pd.isna(v) else "" for t, v in zip(labels, ordered["value"])],
        # inside the bar end when it fits (clear of the reference lines), else right of it
        textposition="auto", insidetextanchor="end", insidetextfont=dict(color=palette.TEXT_ON_DARK),
        cliponaxis=False, name=plain(title), showlegend=False,
        customdata=texts, hovertemplate="%{y}: %{customdata}<extra></extra>",
    ))
    for name, value, text, label, flag, is_gap in zip(names, ordered["value"], texts, labels, ordered["flag"], gap):
        if is_gap:
            continue
        if not pd.isna(value) and float(value) == 0.0:
            # plotly draws no text on a bar of length 0: a '-' (true zero) would be a blank row
            text = f"{label} – {flag_label(flag)}" if flag == "zero" else label
        elif not pd.isna(value):
            continue
        fig.add_annotation(x=0, y=name, xref="x", yref="y", text=text, showarrow=False,
                           xanchor="left", font=dict(size=11, color=palette.NOTE_TEXT))
    _reference_lines(fig, reference, vertical=True, unit=unit, decimals=decimals, roles=reference_roles)
    top = max([float(v) for v in ordered["value"].dropna()] + [v for v in (reference or {}).values()
                                                                 if v is not None and not pd.isna(v)] + [0.0])
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names)
    fig.update_xaxes(range=[0, top * 1.35 if top > 0 else 1], tickformat=",")
    return fig.figure()


#: Flag of the placeholder row "… n weitere …" in a shortened ranking.
GAP_FLAG = "__gap__"


def ranking_excerpt(ordered: pd.DataFrame, max_bars: int, highlight: tuple[str, ...] = ()) -> tuple[pd.DataFrame, str]:
    """A ranking (as from :func:`rank_order`) shortened to at most about ``max_bars`` rows: the best and the
    worst ``max_bars // 2`` present values, the highlighted names wherever they rank, and a placeholder row
    ``'… Rang 31–10.770 …'`` (flag ``GAP_FLAG``, no value) where rows were left out; withheld values are dropped.
    Returns the rows and a German note for the subtitle ('' when nothing was left out)."""
    if len(ordered) <= max_bars:
        return ordered, ""
    present = ordered[ordered["value"].notna()].reset_index(drop=True)
    half = max(max_bars // 2, 1)
    keep = set(range(min(half, len(present)))) | set(range(max(len(present) - half, 0), len(present)))
    keep |= set(present.index[present["name"].isin(highlight)])
    rows, previous = [], -1
    for i in sorted(keep):
        if i > previous + 1:
            rows.append({"name": f"… Rang {fmt.number(previous + 2)}–{fmt.number(i)} …", "value": None,
                         "flag": GAP_FLAG})
        rows.append(present.loc[i, ["name", "value", "flag"]].to_dict())
        previous = i
    withheld = len(ordered) - len(present)
    note = (f"{fmt.number(len(keep))} von {fmt.number(len(ordered))} Gemeinden: die {fmt.number(half)} besten und "
            f"die {fmt.number(half)} schwächsten")
    if withheld:
        note += f"; {fmt.number(withheld)} ohne Wert"
    out = pd.DataFrame(rows, columns=["name", "value", "flag"])
    out["value"] = out["value"].astype("float64")
    return out, note


def rank_order(data: pd.DataFrame, higher_is_better: bool | None) -> pd.DataFrame:
    """Rows best first (descending when higher is better or neutral, ascending when lower is better);
    withheld values last; ties by name."""
    ascending = higher_is_better is False
    present = data[data["value"].notna()].sort_values(["value", "name"], ascending=[ascending, True])
    missing = data[data["value"].isna()].sort_values("name")
    return pd.concat([present, missing], ignore_index=True)


def comparison_figure(
    data: pd.DataFrame,
    *,
    title: str,
    unit: str,
    decimals: int,
    stand,
    colour: str,
    reference: dict[str, float] | None = None,
    reference_roles: dict[str, str] | None = None,
) -> go.Figure:
    """Vertical bars, one per municipality (``name``, ``value``, ``flag``, in the given order), with the
    district, Land and Germany values as horizontal lines named in the legend (``reference_roles`` as in
    :func:`ranking_figure`); withheld values are labelled,
    never drawn as zero."""
    fig = Draft()
    _layout(fig, title=title, stand=stand, x_title="Gemeinde", y_title=unit or "Wert", height=420,
            legend_entries=len(reference or {}))
    if data.empty:
        return _empty(fig, "Keine Werte vorhanden")
    texts = _value_texts(data["value"], data["flag"], decimals, unit)
    names = [plain(n) for n in data["name"]]
    fig.add_trace(go.Bar(
        x=names, y=_numbers(data["value"]), marker=dict(color=colour),
        text=[t if not pd.isna(v) else "" for t, v in zip(texts, data["value"])], textposition="outside",
        cliponaxis=False, customdata=texts, hovertemplate="%{x}: %{customdata}<extra></extra>",
        showlegend=False, name=plain(title),
    ))
    for name, value, text in zip(names, data["value"], texts):
        if pd.isna(value):
            fig.add_annotation(x=name, y=0, xref="x", yref="y", text=text, showarrow=False, yanchor="bottom",
                               font=dict(size=11, color=palette.NOTE_TEXT))
    _reference_lines(fig, reference, vertical=False, unit=unit, decimals=decimals, roles=reference_roles)
    top = max([float(v) for v in data["value"].dropna()] + [v for v in (reference or {}).values()
                                                              if v is not None and not pd.isna(v)] + [0.0])
    fig.update_yaxes(range=[0, top * 1.2 if top > 0 else 1], tickformat=",")
    return fig.figure()


# ---------------------------------------------------------------------------------------------- portfolio

def status_progress_figure(data: pd.DataFrame, *, title: str, stand) -> go.Figure:
    """Stacked bars per month: how many initiatives stood at which status at the end of the month.

    ``data`` columns: ``month`` (date, first of month), ``status``, ``n``. Statuses in the order of the
    status line, coloured by ``palette.STATUS_COLOURS``.
    """
    fig = Draft()
    _layout(fig, title=title, stand=stand, x_title="Monat", y_title="Anzahl Initiativen",
            legend_entries=int(data["status"].nunique()) if not data.empty else 0)
    if data.empty:
        return _empty(fig, "Kein Statusverlauf vorhanden")
    months = sorted(pd.to_datetime(data["month"]).unique())
    for status in STATUSES:
        part = data[data["status"] == status]
        if part.empty:
            continue
        counts = dict(zip(pd.to_datetime(part["month"]), part["n"].astype(int)))
        fig.add_trace(go.Bar(
            x=months, y=[counts.get(m, 0) for m in months], name=status,
            marker=dict(color=palette.STATUS_COLOURS[status], line=dict(color=palette.SEGMENT_EDGE, width=0.5)),
            hovertemplate=f"{status}<br>%{{x|%m/%Y}}: %{{y}} Initiativen<extra></extra>",
        ))
    fig.update_layout(barmode="stack", bargap=0.1)
    fig.update_xaxes(tickformat="%m/%Y")
    fig.update_yaxes(**count_axis(data.groupby("month")["n"].sum().max()))
    return fig.figure()


def kpi_figure(data: pd.DataFrame, *, title: str, stand, colour: str) -> go.Figure:
    """Horizontal bars per KPI: target attainment in percent (baseline = 0 %, target = 100 %).

    ``data`` columns: ``name`` (KPI), ``title`` (initiative), ``unit``, ``baseline``, ``target``, ``actual``,
    ``progress`` (share of the way from baseline to target in %, None when not computable: mart ``kpi_rating``).
    KPIs in different units share the axis because each is normalised; the bar label names actual and
    target with their unit, the hover adds the baseline. KPIs without an actual value are listed with
    "noch kein Istwert" and no bar.
    """
    fig = Draft()
    height = max(260, 52 * len(data) + 150)
    _layout(fig, title=title, stand=stand, x_title="Zielerreichung in %", y_title="", height=height,
            extra_subtitle="0 % = Ausgangswert, 100 % = Zielwert", legend_entries=0)
    if data.empty:
        return _empty(fig, "Keine Kennzahlen vorhanden")
    labels, values, texts, hovers = [], [], [], []
    for _n, row in enumerate(data.itertuples(index=False)):
        unit = plain(row.unit) if isinstance(row.unit, str) else ""
        dec = 1 if any(v is not None and not pd.isna(v) and float(v) != round(float(v))
                       for v in (row.baseline, row.target, row.actual)) else 0
        progress = None if row.progress is None or pd.isna(row.progress) else float(row.progress)
        target = fmt.value_with_unit(row.target, unit, dec)
        if row.actual is None or pd.isna(row.actual):
            text = f"noch kein Istwert (Ziel {target})"
        else:
            text = f"{fmt.percent(progress)}: {fmt.value_with_unit(row.actual, unit, dec)} von {target}" \
                if progress is not None else f"Ist {fmt.value_with_unit(row.actual, unit, dec)}, Ziel {target}"
        labels.append(f"{plain(row.name)}<br><sup>{plain(row.title)}</sup>")
        values.append(progress)
        texts.append(text)
        hovers.append(f"{text}<br>Ausgangswert {fmt.value_with_unit(row.baseline, unit, dec)}")
    fig.add_trace(go.Bar(
        y=labels, x=[None if v is None else round(v, 6) for v in values], orientation="h",
        marker=dict(color=colour), text=[t if v is not None else "" for t, v in zip(texts, values)],
        textposition="outside", cliponaxis=False, showlegend=False, customdata=hovers,
        hovertemplate="%{y}<br>%{customdata}<extra></extra>", name="Zielerreichung",
    ))
    for label, value, text in zip(labels, values, texts):
        if value is None:
            fig.add_annotation(x=0, y=label, xref="x", yref="y", text=text, showarrow=False, xanchor="left",
                               font=dict(size=11, color=palette.NOTE_TEXT))
    fig.add_shape(type="line", x0=100, x1=100, y0=0, y1=1, xref="x", yref="paper", layer="below",
                  line=dict(color=palette.DISTRICT_LINE, dash="dash", width=1.5))
    fig.add_annotation(x=100, y=1, xref="x", yref="paper", yanchor="bottom", text="Ziel", showarrow=False)
    top = max([100.0] + [v for v in values if v is not None])
    low = min([0.0] + [v for v in values if v is not None])
    fig.update_xaxes(range=[low - 5, top * 1.6], ticksuffix=" %")
    fig.update_yaxes(autorange="reversed")
    return fig.figure()
