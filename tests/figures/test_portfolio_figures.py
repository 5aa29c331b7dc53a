"""Plotly builders (monitor/figures/portfolio.py), tested on their output dicts."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from monitor.figures import portfolio
from monitor.core import palette
from monitor.core.palette import STATUS_COLOURS
from monitor.core.vocab import STATUS_LINE, STATUS_OFF_LINE, STATUSES, THEME_BY_ID

STAND = dt.date(2026, 6, 30)
TODAY = dt.date(2026, 7, 15)


def _common(fig_dict: dict, title_part: str):
    layout = fig_dict["layout"]
    assert layout["separators"] == ",."
    assert title_part in layout["title"]["text"]
    assert layout["title"]["subtitle"]["text"] == "Stand: 30.06.2026"


def test_status_funnel():
    counts = pd.DataFrame({"status": list(STATUSES), "initiatives": list(range(1, 10))})
    fig = portfolio.status_funnel_figure(counts, STAND).to_dict()
    _common(fig, "Status")
    funnel, bar = fig["data"]
    assert funnel["type"] == "funnel" and list(funnel["y"]) == list(STATUS_LINE)
    assert list(funnel["x"]) == list(range(1, 8))
    assert list(funnel["marker"]["color"]) == [STATUS_COLOURS[s] for s in STATUS_LINE]
    assert list(bar["y"]) == list(STATUS_OFF_LINE) and list(bar["x"]) == [8, 9]
    assert fig["layout"]["xaxis2"]["title"]["text"] == "Anzahl"


def test_status_funnel_missing_statuses_are_zero():
    fig = portfolio.status_funnel_figure(pd.DataFrame({"status": ["Idee"], "initiatives": [3]})).to_dict()
    assert list(fig["data"][0]["x"]) == [3, 0, 0, 0, 0, 0, 0]
    assert fig["layout"]["title"]["subtitle"]["text"] == ""


def test_small_counts_get_one_tick_per_unit():
    # Ruht 1, Verworfen 1: plotly's automatic ticks (0, 0.5, 1) would print as "0 1 1"
    few = portfolio.status_funnel_figure(
        pd.DataFrame({"status": ["Ruht", "Verworfen"], "initiatives": [1, 1]})).to_dict()
    assert few["layout"]["xaxis2"]["dtick"] == 1 and few["layout"]["xaxis2"]["tickformat"] == ",d"
    many = portfolio.status_funnel_figure(pd.DataFrame({"status": ["Ruht"], "initiatives": [40]})).to_dict()
    assert "dtick" not in many["layout"]["xaxis2"]
    mix = pd.DataFrame({"theme": ["mobility", "mobility"], "status": ["Idee", "Ruht"], "initiatives": [4, 3]})
    assert portfolio.status_mix_figure(mix).to_dict()["layout"]["xaxis"]["dtick"] == 1  # stacked: 7 in all
    mix = pd.DataFrame({"theme": ["mobility", "mobility"], "status": ["Idee", "Ruht"], "initiatives": [6, 5]})
    assert "dtick" not in portfolio.status_mix_figure(mix).to_dict()["layout"]["xaxis"]  # 11 in all


def test_status_mix_one_trace_per_present_status():
    mix = pd.DataFrame({"theme": ["mobility", "mobility", "tourism"], "status": ["Idee", "Ruht", "Idee"],
                        "initiatives": [2, 1, 4]})
    fig = portfolio.status_mix_figure(mix, STAND).to_dict()
    _common(fig, "Statusmix")
    names = [t["name"] for t in fig["data"]]
    assert names == ["Idee", "Ruht"]
    idee = fig["data"][0]
    assert list(idee["y"]) == [THEME_BY_ID["mobility"].short_de, THEME_BY_ID["tourism"].short_de]
    assert list(idee["x"]) == [2, 4] and idee["marker"]["color"] == STATUS_COLOURS["Idee"]
    assert list(fig["data"][1]["x"]) == [1, 0]
    assert fig["layout"]["barmode"] == "stack"
    assert fig["layout"]["xaxis"]["title"]["text"] == "Anzahl Initiativen"


def test_funds_by_programme_euro_axis_and_escaping():
    funds = pd.DataFrame({"programme": ["LEADER", "<b>EFRE</b>"], "funding_granted_eur": [370000.0, 0.0],
                          "total_cost_eur": [520000.0, None]})
    fig = portfolio.funds_figure(funds, STAND).to_dict()
    _common(fig, "Förderprogramm")
    cost, granted = fig["data"]
    assert granted["name"] == "Fördermittel bewilligt" and cost["name"] == "Gesamtkosten"
    assert list(granted["y"]) == ["&lt;b&gt;EFRE&lt;/b&gt;", "LEADER"]  # ascending, escaped
    assert list(granted["x"]) == [0.0, 370.0] and list(cost["x"]) == [0.0, 520.0]  # in Tsd. €
    assert list(granted["text"]) == ["0 €", "370.000 €"]
    assert list(granted["customdata"]) == ["0 €", "370.000 €"]
    assert fig["layout"]["xaxis"]["title"]["text"] == "Betrag in Tsd. €"


def test_money_scale():
    assert portfolio._money_scale(26e6) == (1e6, "Mio. €")
    assert portfolio._money_scale(42000) == (1e3, "Tsd. €")
    assert portfolio._money_scale(900) == (1.0, "€")


def test_status_timeline():
    history = pd.DataFrame({"date": [dt.date(2025, 1, 1), dt.date(2025, 6, 1)], "status": ["Idee", "Beantragt"],
                            "note": [None, "<script>"]})
    fig = portfolio.status_timeline_figure(history, TODAY, STAND).to_dict()
    _common(fig, "Statusverlauf")
    line, markers = fig["data"]
    assert list(line["y"]) == ["Idee", "Beantragt", "Beantragt"]  # last status continues to today
    assert pd.Timestamp(line["x"][-1]).date() == TODAY
    assert list(markers["marker"]["color"]) == [STATUS_COLOURS["Idee"], STATUS_COLOURS["Beantragt"]]
    assert markers["customdata"][1] == ["01.06.2025", "&lt;script&gt;"]
    assert fig["layout"]["yaxis"]["categoryarray"] == [*STATUS_LINE, *STATUS_OFF_LINE]


def test_milestone_timeline_states():
    ms = pd.DataFrame({
        "title": ["pünktlich", "spät", "überfällig", "offen"],
        "due_date": [dt.date(2025, 5, 1), dt.date(2025, 5, 1), dt.date(2026, 1, 1), dt.date(2026, 12, 1)],
        "done_date": [dt.date(2025, 4, 1), dt.date(2025, 6, 1), None, None],
        "state": ["erledigt", "verspätet erledigt", "überfällig", "offen"],
    })
    fig = portfolio.milestone_timeline_figure(ms, TODAY, STAND).to_dict()
    _common(fig, "Meilensteine")
    states = {t["name"]: t for t in fig["data"] if t.get("mode") == "markers" and t["name"] != "fällig am"}
    assert set(states) == {"erledigt", "verspätet erledigt", "überfällig"}
    assert states["überfällig"]["marker"]["color"] == palette.OVERDUE
    assert list(states["überfällig"]["y"]) == ["3. überfällig"]
    assert pd.Timestamp(states["überfällig"]["x"][0]).date() == TODAY
    due = [t for t in fig["data"] if t.get("name") == "fällig am"]
    assert len(due) == 4 and sum(bool(t["showlegend"]) for t in due) == 1
    assert any(s.get("type") == "line" for s in fig["layout"]["shapes"])  # today line


def test_esc():
    assert portfolio.esc("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert portfolio.esc(None) == ""


def test_legend_sits_under_the_plot_never_over_the_title():
    mix = pd.DataFrame({"theme": ["mobility"] * len(STATUSES), "status": list(STATUSES),
                        "initiatives": [1] * len(STATUSES)})
    fig = portfolio.status_mix_figure(mix, STAND).to_dict()
    legend, margin = fig["layout"]["legend"], fig["layout"]["margin"]
    assert legend["orientation"] == "h" and legend["yref"] == "container"
    assert legend["y"] == 0 and legend["yanchor"] == "bottom"  # at the bottom of the figure
    assert legend["traceorder"] == "normal"  # Idee first, as in the status line
    rows = -(-len(STATUSES) // 4)
    assert margin["b"] >= 50 + 24 * rows  # room for the axis title and every legend row below the plot
    few = portfolio.status_mix_figure(mix.head(2), STAND).to_dict()
    assert fig["layout"]["height"] - few["layout"]["height"] == 24 * (rows - 1)  # the plot keeps its size
    assert margin["t"] >= 80  # title and subtitle alone up there


def test_funnel_text_is_readable_on_dark_bars():
    counts = pd.DataFrame({"status": list(STATUSES), "initiatives": [3] * len(STATUSES)})
    funnel = portfolio.status_funnel_figure(counts, STAND).to_dict()["data"][0]
    colours = dict(zip(funnel["y"], funnel["insidetextfont"]["color"]))
    assert colours["Idee"] == "#000000" and colours["Abgeschlossen"] == "#FFFFFF"


def test_every_chart_module_draws_with_the_app_template():
    """Figures get 'plotly_white' as plotly's default (set by monitor.figures.indicators, and again by the app
    layer after Streamlit's own), not per figure: the look is the same on every page and in the report."""
    import plotly.io as pio

    from monitor.app import ui  # noqa: F401 - importing sets the default after Streamlit's
    from monitor.figures import indicators
    white = pio.templates[indicators.APP_TEMPLATE].to_plotly_json()
    counts = pd.DataFrame({"status": list(STATUSES), "initiatives": list(range(1, 10))})
    figs = [portfolio.status_funnel_figure(counts, STAND),
            indicators.kpi_figure(pd.DataFrame(columns=["label", "unit", "baseline", "target", "actual", "progress"]),
                                        title="Kennzahlen", stand=STAND, colour="#0072B2")]
    for fig in figs:
        assert fig.to_dict()["layout"]["template"] == white
    assert pio.templates.default == "plotly_white"
