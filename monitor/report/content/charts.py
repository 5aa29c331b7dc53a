"""The report's :class:`Chart` items. :func:`chart_item` turns a plotly figure into a chart spec;
:class:`ChartCollector` is handed explicitly through a build and passes every chart, as soon as it is built, to
the caller's ``on_chart`` (e.g. to start rendering its image while the report is still built)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from monitor.core import format as fmt
from monitor.core.vocab import STATUS_RANK, THEMES, Theme
from monitor.figures import indicators as ic
from monitor.figures import portfolio
from monitor.report.model import Chart

CHART_WIDTH = 860
_AXIS = re.compile(r"[xy]axis\d*")
MAX_KPI_CHART = 30  # more KPIs than this: the table only (a bar per KPI would not fit a page)


def chart_item(key: str, fig: go.Figure, caption: str, alt: str, height: int | None = None,
               width: int = CHART_WIDTH) -> Chart:
    """``fig`` as a report :class:`Chart` (default: the report's print width; height: ``height``, the
    figure's, or 400)."""
    h = int(height or fig.layout.height or 400)
    spec = fig.to_dict()
    if not getattr(fig, "_rm_grid", False):
        # plotly.js leaves long tick labels cut off in static export unless automargin is on; set in the spec
        # (what fig.update_xaxes/update_yaxes would do, without their 2-6 ms of validation per chart)
        layout = spec.setdefault("layout", {})
        for axis in {"xaxis", "yaxis", *(k for k in layout if _AXIS.fullmatch(k))}:
            layout.setdefault(axis, {})["automargin"] = True
    return Chart(key=key, figure_json=pio.to_json(spec, validate=False), width=width, height=h, caption=caption,
                 alt=alt)


class ChartCollector:
    """Hands every chart of one build to ``on_chart`` (None: to nobody). Charts taken from a cache go through
    :meth:`add` too, so the caller sees every chart of the report exactly once per build."""

    def __init__(self, on_chart: Callable[[Chart], object] | None = None):
        self._on_chart = on_chart

    def add(self, chart: Chart) -> Chart:
        if self._on_chart is not None:
            self._on_chart(chart)
        return chart

    def add_all(self, charts: Iterable[Chart]) -> None:
        for chart in charts:
            self.add(chart)

    def chart(self, key: str, fig: go.Figure, caption: str, alt: str, height: int | None = None) -> Chart:
        """:func:`chart_item` of ``fig``, handed on."""
        return self.add(chart_item(key, fig, caption, alt, height))


def kpi_chart(charts: ChartCollector, info: Theme, kpis: pd.DataFrame, stand: dt.date | None,
              source_note: str) -> Chart | None:
    """The KPI bars of one theme (None without KPIs or with more than fit a page)."""
    if not 0 < len(kpis) <= MAX_KPI_CHART:
        return None
    fig = ic.kpi_figure(kpis, title=f"Zielerreichung der Kennzahlen – {info.short_de}", stand=stand,
                        colour=info.colour)
    low, high = fig.layout.xaxis.range or (0, 160)
    fig.update_xaxes(range=[low, high * 1.3])  # room for the value labels at the print width …
    fig.update_layout(margin=dict(r=170))  # … and beyond the axis for the longest ones
    return charts.chart(f"kpi_{info.theme_id}", fig, f"Zielerreichung der Kennzahlen ({info.name_de}). {source_note}",
                        "Balken je Kennzahl: Zielerreichung in Prozent")


def status_mix_chart(charts: ChartCollector, mix: pd.DataFrame, stand: dt.date | None, as_of: dt.date,
                     source_note: str) -> Chart | None:
    """Stacked bars of the initiatives per theme and status at the end (``mix``: one row per initiative with
    theme and status); None when empty."""
    if mix.empty:
        return None
    order = {t.theme_id: n for n, t in enumerate(THEMES)}
    long = (mix.groupby(["theme", "status"]).size().rename("initiatives").reset_index()
            .assign(_t=lambda d: d["theme"].map(order), _s=lambda d: d["status"].map(STATUS_RANK))
            .sort_values(["_t", "_s"]).drop(columns=["_t", "_s"]))
    fig = portfolio.status_mix_figure(long, stand,
                                      title=f"Status der Initiativen am {fmt.date(as_of)} je Thema (Anzahl)")
    if int(long.groupby("theme")["initiatives"].sum().max()) <= 12:
        fig.update_xaxes(dtick=1)  # whole numbers only (",d" with plotly's auto step 0.5 repeats ticks)
    return charts.chart("status_mix", fig, f"Status der Initiativen am Ende des Zeitraums. {source_note}",
                        "Gestapelte Balken: Initiativen je Thema und Status")


def funds_chart(charts: ChartCollector, funds: pd.DataFrame, stand: dt.date | None, source_note: str) -> Chart | None:
    """Bars of granted funds and total cost per programme (None when there are none)."""
    if funds.empty:
        return None
    fig = portfolio.funds_figure(funds, stand)
    return charts.chart("funds", fig, f"Fördermittel und Gesamtkosten je Förderprogramm. {source_note}",
                        "Balken je Förderprogramm: bewilligt und Gesamtkosten")
