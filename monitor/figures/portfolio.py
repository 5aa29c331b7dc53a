"""Pure plotly builders for the Überblick and Initiativen pages: status funnel, status mix per theme, funds by
funding programme, status timeline and milestone timeline of one initiative.

Every builder takes small DataFrames (from ``monitor.data.overview`` / ``monitor.data.initiatives``) and returns a
``go.Figure``: German number format (``separators=",."``), axis titles with units, a subtitle naming the data
Stand, one colour per status/theme from ``monitor.core.vocab`` (colour-blind-safe palettes). No ``st.*`` here.
Text from the workbook is passed to plotly as data (``text``/``customdata``), which plotly escapes.
"""
from __future__ import annotations

import datetime as dt
import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from monitor.core import format as fmt
from monitor.core import palette
from monitor.core.palette import STATUS_COLOURS
from monitor.core.text import plotly_text as esc
from monitor.figures.indicators import FONT, LEGEND_ROW_PX, Draft, count_axis, legend_below, legend_rows
from monitor.core.vocab import STATUS_LINE, STATUS_OFF_LINE, THEME_BY_ID



def wrap(text, width: int = 26) -> str:
    """Escaped label broken into lines of about ``width`` characters (plotly ``<br>``)."""
    return "<br>".join(textwrap.wrap(esc(text), width=width)) or esc(text)


def _title(text: str, stand) -> dict:
    sub = f"Stand: {fmt.date(stand)}" if stand is not None else ""
    return dict(text=text, subtitle=dict(text=sub), x=0, xanchor="left")


def _layout(fig: Draft, title: str, stand, height: int, legend_entries: int = 0) -> Draft:
    """Title with the Stand as subtitle, German separators, and the legend (``legend_entries`` items) under the
    plot: the figure grows by the legend's rows, so the plot keeps ``height`` minus the margins."""
    legend, bottom = legend_below(legend_entries)
    fig.update_layout(
        title=_title(title, stand), separators=",.", font=FONT,
        height=height + LEGEND_ROW_PX * legend_rows(legend_entries),
        margin=dict(l=10, r=10, t=80, b=bottom), plot_bgcolor="white", paper_bgcolor="white", legend=legend,
    )
    return fig


def _text_colour(status: str) -> str:
    """Text on a bar in the status colour: white on the dark blues (Bewilligt and later) and on Verworfen."""
    return palette.TEXT_ON_DARK if status in STATUS_LINE[4:] or status == "Verworfen" else palette.TEXT_ON_LIGHT


def status_funnel_figure(counts: pd.DataFrame, stand=None) -> go.Figure:
    """Initiatives per current status along the status line (funnel, Idee on top) and the two states off the
    line (Ruht, Verworfen) as bars beside it. ``counts``: columns ``status``, ``initiatives`` (any order)."""
    n = dict(zip(counts["status"], counts["initiatives"].astype(int)))
    fig = Draft()
    fig.add_trace(go.Funnel(
        name="Statuslinie", y=list(STATUS_LINE), x=[n.get(s, 0) for s in STATUS_LINE],
        marker=dict(color=[STATUS_COLOURS[s] for s in STATUS_LINE], line=dict(color=palette.FUNNEL_EDGE, width=0.5)),
        textinfo="value", textposition="inside",
        insidetextfont=dict(color=[_text_colour(s) for s in STATUS_LINE]),
        connector=dict(fillcolor=palette.FUNNEL_CONNECTOR), xaxis="x", yaxis="y",
        hovertemplate="%{y}: %{x} Initiativen<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        name="außerhalb der Linie", y=list(STATUS_OFF_LINE), x=[n.get(s, 0) for s in STATUS_OFF_LINE],
        orientation="h", marker=dict(color=[STATUS_COLOURS[s] for s in STATUS_OFF_LINE]),
        text=[n.get(s, 0) for s in STATUS_OFF_LINE], textposition="auto", xaxis="x2", yaxis="y2",
        hovertemplate="%{y}: %{x} Initiativen<extra></extra>",
    ))
    fig.update_layout(
        xaxis=dict(domain=[0, 0.62], visible=False),
        yaxis=dict(domain=[0, 1]),
        xaxis2=count_axis(max(n.get(s, 0) for s in STATUS_OFF_LINE), domain=[0.8, 1], anchor="y2", title="Anzahl"),
        yaxis2=dict(domain=[0.55, 1], anchor="x2", categoryorder="array",
                    categoryarray=list(STATUS_OFF_LINE)[::-1]),
        showlegend=False,
    )
    return _layout(fig, "Initiativen nach aktuellem Status (Anzahl)", stand, 380).figure()


def status_mix_figure(mix: pd.DataFrame, stand=None, height: int | None = None, title: str | None = None) -> go.Figure:
    """Stacked horizontal bar per theme: how many initiatives are in each status.

    ``mix``: columns ``theme``, ``status``, ``initiatives`` (long). One bar per theme present in ``mix`` (theme
    names from vocab), segments in status order and status colours."""
    themes = list(dict.fromkeys(mix["theme"].tolist()))
    names = [THEME_BY_ID[t].short_de if t in THEME_BY_ID else t for t in themes]
    counts: dict[tuple[str, str], int] = {}
    for theme, status, n in zip(mix["theme"].tolist(), mix["status"].tolist(), mix["initiatives"].tolist()):
        counts[(theme, status)] = counts.get((theme, status), 0) + int(n)
    fig = Draft()
    for status in (*STATUS_LINE, *STATUS_OFF_LINE):
        values = [counts.get((t, status), 0) for t in themes]
        if not any(values):
            continue
        fig.add_trace(go.Bar(
            name=status, y=names, x=values, orientation="h", marker=dict(color=STATUS_COLOURS[status]),
            text=[v or "" for v in values], textposition="inside", insidetextanchor="middle",
            textfont=dict(color=_text_colour(status)),
            hovertemplate=f"%{{y}} · {status}: %{{x}} Initiativen<extra></extra>",
        ))
    longest = max((sum(v for (t, _), v in counts.items() if t == theme) for theme in themes), default=0)
    fig.update_layout(barmode="stack", xaxis=count_axis(longest, title="Anzahl Initiativen"),
                      yaxis=dict(autorange="reversed"))
    return _layout(fig, title or "Statusmix je Thema (Anzahl Initiativen)", stand,
                   height or 110 + 45 * len(themes), legend_entries=len(fig.data)).figure()


def _money_scale(max_value: float) -> tuple[float, str]:
    """Axis unit for amounts: (divisor, German unit) — Mio. € from 1 million, Tsd. € from 10,000, else €."""
    if max_value >= 1e6:
        return 1e6, "Mio. €"
    if max_value >= 1e4:
        return 1e3, "Tsd. €"
    return 1.0, "€"


def funds_figure(funds: pd.DataFrame, stand=None) -> go.Figure:
    """Funds granted and total cost per funding programme (grouped horizontal bars, € axis in €, Tsd. € or
    Mio. € by size; exact amounts on the bars and in the hover).

    ``funds``: columns ``programme``, ``funding_granted_eur``, ``total_cost_eur``."""
    df = funds.sort_values("funding_granted_eur", ascending=True)
    largest = max([0.0, *df["total_cost_eur"].fillna(0), *df["funding_granted_eur"].fillna(0)])
    divisor, unit = _money_scale(float(largest))
    fig = Draft()
    for col, name, colour in (("total_cost_eur", "Gesamtkosten", palette.COST),
                              ("funding_granted_eur", "Fördermittel bewilligt", palette.GRANTED)):
        values = [float(v) for v in df[col].fillna(0)]
        fig.add_trace(go.Bar(
            name=name, y=[wrap(p, 32) for p in df["programme"]], x=[v / divisor for v in values],
            orientation="h", marker=dict(color=colour),
            text=[fmt.eur_compact(v) for v in values], textposition="outside", cliponaxis=False,
            customdata=[fmt.eur(v) for v in values],
            hovertemplate=f"%{{y}} · {name}: %{{customdata}}<extra></extra>",
        ))
    fig.update_layout(barmode="group", bargap=0.25,
                      xaxis=dict(title=f"Betrag in {unit}", tickformat=",~f", automargin=True,
                                 range=[0, max(largest / divisor, 1e-9) * 1.18]),
                      yaxis=dict(automargin=True))
    return _layout(fig, "Fördermittel bewilligt und Gesamtkosten je Förderprogramm", stand,
                   150 + 48 * max(len(df), 1), legend_entries=2).figure()


def status_timeline_figure(history: pd.DataFrame, today: dt.date, stand=None) -> go.Figure:
    """Status history of one initiative as a step line over time (y = status in line order), each change a
    marker in its status colour; the last status continues to ``today``.

    ``history``: columns ``date``, ``status`` (and optional ``note``), in order."""
    order = [*STATUS_LINE, *STATUS_OFF_LINE]
    df = history.sort_values("date")
    dates = [pd.Timestamp(d) for d in df["date"]]
    statuses = list(df["status"])
    notes = [esc(n) if isinstance(n, str) else "" for n in df.get("note", pd.Series([""] * len(df)))]
    fig = Draft()
    if dates:
        fig.add_trace(go.Scatter(
            x=dates + [pd.Timestamp(today)], y=statuses + [statuses[-1]], mode="lines", line_shape="hv",
            line=dict(color=palette.HISTORY_LINE, width=2), hoverinfo="skip", showlegend=False,
        ))
        fig.add_trace(go.Scatter(
            x=dates, y=statuses, mode="markers", showlegend=False,
            marker=dict(size=13, color=[STATUS_COLOURS.get(s, palette.OPEN) for s in statuses],
                        line=dict(color=palette.HISTORY_MARKER_EDGE, width=1)),
            customdata=[[fmt.date(d), n] for d, n in zip(dates, notes)],
            hovertemplate="%{customdata[0]}: %{y}<br>%{customdata[1]}<extra></extra>",
        ))
    fig.update_layout(
        xaxis=dict(title="Datum", type="date", tickformat="%m/%Y"),
        yaxis=dict(title="Status", categoryorder="array", categoryarray=order, type="category",
                   range=[-0.5, len(order) - 0.5]),
    )
    return _layout(fig, "Statusverlauf", stand, 360).figure()


_STATE_STYLE = {"erledigt": (palette.DONE, "circle"), "verspätet erledigt": (palette.DONE_LATE, "circle"),
                "überfällig": (palette.OVERDUE, "x"), "offen": (palette.OPEN, "circle-open"),
                "entfallen": (palette.OPEN, "circle-open")}


def milestone_timeline_figure(milestones: pd.DataFrame, today: dt.date, stand=None) -> go.Figure:
    """Milestones of one initiative on a time axis: a line from due to done date (or to today when overdue),
    the due date as an open diamond, the done date as a dot; colour by state (erledigt, verspätet erledigt,
    überfällig, offen, entfallen), a vertical line for today.

    ``milestones``: columns ``title``, ``due_date``, ``done_date`` and ``state`` (the state on ``today``, from
    the data: ``monitor.data.initiatives.detail``); one row per milestone in order."""
    fig = Draft()
    labels = [f"{i + 1}. {wrap(t, 40)}" for i, t in enumerate(milestones["title"])]
    today_ts = pd.Timestamp(today)
    shown: set[str] = set()
    for label, due, done, state in zip(labels, milestones["due_date"], milestones["done_date"], milestones["state"]):
        due = None if due is None or pd.isna(due) else pd.Timestamp(due)
        done = None if done is None or pd.isna(done) or not state.endswith("erledigt") else pd.Timestamp(done)
        colour, symbol = _STATE_STYLE[state]
        end = done if done is not None else (today_ts if state == "überfällig" else None)
        if due is not None and end is not None:
            fig.add_trace(go.Scatter(x=[due, end], y=[label, label], mode="lines", showlegend=False,
                                     line=dict(color=colour, width=3), hoverinfo="skip"))
        if due is not None:
            fig.add_trace(go.Scatter(
                x=[due], y=[label], mode="markers", name="fällig am", showlegend="fällig" not in shown,
                legendgroup="fällig", marker=dict(symbol="diamond-open", size=12, color=palette.DUE_MARKER),
                customdata=[f"{label}<br>fällig am {fmt.date(due)}"], hovertemplate="%{customdata}<extra></extra>",
            ))
            shown.add("fällig")
        point = done if done is not None else (today_ts if state == "überfällig" else None)
        if point is not None:
            text = f"erledigt am {fmt.date(done)}" if done is not None else f"überfällig seit {fmt.date(due)}"
            fig.add_trace(go.Scatter(
                x=[point], y=[label], mode="markers", name=state, showlegend=state not in shown,
                legendgroup=state, marker=dict(symbol=symbol, size=12, color=colour),
                customdata=[f"{label}<br>{text}"], hovertemplate="%{customdata}<extra></extra>",
            ))
            shown.add(state)
    fig.add_shape(type="line", x0=today_ts, x1=today_ts, xref="x", y0=0, y1=1, yref="y domain",
                  line=dict(color=palette.TODAY_LINE, dash="dot", width=1))
    fig.add_annotation(x=today_ts, y=1.0, yref="paper", yanchor="bottom", xanchor="right",
                       text=f"heute ({fmt.date(today)})", showarrow=False, font=dict(size=11, color=palette.TODAY_LINE))
    dates = [pd.Timestamp(d) for col in ("due_date", "done_date") for d in milestones[col] if not pd.isna(d)]
    first, last = min(dates + [today_ts]), max(dates + [today_ts])
    pad = max((last - first) * 0.06, pd.Timedelta(days=20))
    fig.update_layout(xaxis=dict(title="Datum", type="date", tickformat="%m/%Y", range=[first - pad, last + pad]),
                      yaxis=dict(type="category", autorange="reversed", categoryorder="array",
                                 categoryarray=labels, automargin=False))
    # A fixed left margin from the longest label line: plotly's automargin overshoots with wrapped labels.
    longest = max([len(html.unescape(part)) for lab in labels for part in lab.split("<br>")] + [10])
    fig = _layout(fig, "Meilensteine: fällig und erledigt", stand, 150 + 48 * max(len(labels), 1),
                  legend_entries=sum(1 for t in fig.data if t.showlegend))
    fig.update_layout(margin=dict(l=min(40 + 7 * longest, 380)))
    return fig.figure()
