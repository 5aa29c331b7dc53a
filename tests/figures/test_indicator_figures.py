"""Pure tests of monitor/figures/indicators.py on hand-made frames: traces, colours, gaps, breaks, axis titles
with units, German separators and the Stand."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from monitor.core import format as fmt, vocab
from monitor.figures import indicators as ic
from monitor.core import palette
from monitor.core.palette import STATUS_COLOURS, THEME_COLOURS
from monitor.core.vocab import STATUS_LINE


def series(label, values, start=2019, flags=None):
    rows = []
    for n, v in enumerate(values):
        rows.append({"series": label, "period": dt.date(start + n, 12, 31), "value": v,
                     "flag": (flags or {}).get(start + n)})
    return pd.DataFrame(rows)


def test_parse_series_break():
    b = vocab.parse_series_break("2024-12-31|Zensus 2022")
    assert b == vocab.SeriesBreak(dt.date(2024, 12, 31), "Zensus 2022")
    assert vocab.parse_series_break(None) is None
    assert vocab.parse_series_break("") is None
    assert vocab.parse_series_break("kein Datum") is None
    assert vocab.parse_series_break("2011-05-09").note == "Bruch in der Zeitreihe"


def test_stand_text_and_flag_label():
    assert fmt.stand_text(dt.date(2024, 12, 31)) == "Stand: 31.12.2024"
    assert fmt.stand_text("2026-06-30") == "Stand: 30.06.2026"
    assert fmt.stand_text(pd.Timestamp("2023-12-31")) == "Stand: 31.12.2023"
    assert fmt.stand_text(None) == "Stand: unbekannt"
    assert vocab.flag_label("secret") == "unbekannt oder geheim zu halten"
    assert vocab.flag_label(None) == "kein Wert"


def test_trend_gap_is_none_not_zero_and_german_layout():
    data = series("Boxberg", [100.0, 0.0, None, 120.5], flags={2020: "zero", 2021: "secret"})
    fig = ic.trend_figure(data, title="Test", unit="Übernachtungen", decimals=1, stand=dt.date(2022, 12, 31),
                          styles={"Boxberg": ic.SeriesStyle("#E69F00")})
    d = fig.to_plotly_json()
    (trace,) = d["data"]
    assert trace["x"] == [2019, 2020, 2021, 2022]
    assert trace["y"] == [100.0, 0.0, None, 120.5]
    assert trace["connectgaps"] is False
    assert trace["line"]["color"] == "#E69F00"
    texts = [c[1] for c in trace["customdata"]]
    assert texts[2] == "keine Angabe (unbekannt oder geheim zu halten)"
    assert texts[3] == "120,5 Übernachtungen"
    assert d["layout"]["separators"] == ",."
    assert d["layout"]["yaxis"]["title"]["text"] == "Übernachtungen"
    assert d["layout"]["yaxis"]["tickformat"] == ","  # grouped thousands, German via separators
    assert d["layout"]["title"]["subtitle"]["text"] == "Stand: 31.12.2022"
    assert ic.gap_notes(data) == ["Boxberg 2021: keine Angabe – unbekannt oder geheim zu halten"]


def test_trend_break_splits_every_series_and_marks_it():
    data = pd.concat([series("A", [10.0, 11.0, 12.0, 9.0]), series("B", [5.0, 5.0, 5.0, 6.0])])
    brk = vocab.SeriesBreak(dt.date(2022, 12, 31), "Zensus 2022")
    fig = ic.trend_figure(data, title="T", unit="Personen", decimals=0, stand=None,
                          styles={"A": ic.SeriesStyle("#000000"), "B": ic.SeriesStyle("#999999", "dash")},
                          series_break=brk)
    d = fig.to_plotly_json()
    assert len(d["data"]) == 4
    for trace in d["data"]:
        assert all(x < 2022 for x in trace["x"]) or all(x >= 2022 for x in trace["x"])
    assert [t["showlegend"] for t in d["data"]] == [True, False, True, False]
    (shape,) = d["layout"]["shapes"]
    assert shape["x0"] == shape["x1"] == 2021.5
    assert "Zensus 2022" in d["layout"]["annotations"][0]["text"]


def test_trend_empty_frame_says_so():
    fig = ic.trend_figure(pd.DataFrame(columns=["series", "period", "value", "flag"]), title="T", unit="m",
                          decimals=0, stand=None, styles={})
    assert fig.layout.annotations[0].text == "Keine Werte vorhanden"


@pytest.mark.parametrize("higher, expected", [(True, ["C", "A", "B", "D"]), (False, ["B", "A", "C", "D"]),
                                              (None, ["C", "A", "B", "D"])])
def test_rank_order(higher, expected):
    data = pd.DataFrame({"name": ["A", "B", "C", "D"], "value": [5.0, 1.0, 9.0, None], "flag": [None] * 3 + ["secret"]})
    assert ic.rank_order(data, higher)["name"].tolist() == expected


def test_ranking_figure_labels_withheld_and_reference_lines():
    data = pd.DataFrame({"name": ["Görlitz", "Boxberg/O.L.", "Zittau"], "value": [1234.5, None, 99.0],
                         "flag": [None, "secret", None]})
    fig = ic.ranking_figure(data, title="Entfernung", unit="m", decimals=1, stand="2024-12-31",
                            colour=THEME_COLOURS["mobility"], higher_is_better=False,
                            reference={"Landkreis Görlitz": 500.0, "Sachsen": 400.0}, highlight=("Zittau",))
    d = fig.to_plotly_json()
    bars = d["data"][0]
    assert bars["y"] == ["Zittau", "Görlitz", "Boxberg/O.L."]  # lower is better; withheld last
    assert bars["x"] == [99.0, 1234.5, None]
    assert bars["text"][:2] == ["99,0", "1.234,5"]  # the unit is on the axis
    assert bars["customdata"][:2] == ["99,0 m", "1.234,5 m"]  # and in the hover
    assert bars["marker"]["color"] == [palette.HIGHLIGHT, THEME_COLOURS["mobility"], THEME_COLOURS["mobility"]]
    assert any(a["text"].startswith("keine Angabe") for a in d["layout"]["annotations"])
    names = [s["name"] for s in d["layout"]["shapes"]]
    assert names == ["Landkreis Görlitz: 500,0 m", "Sachsen: 400,0 m"]
    assert d["layout"]["xaxis"]["title"]["text"] == "m"
    assert "niedriger ist besser" in d["layout"]["title"]["subtitle"]["text"]


def test_ranking_figure_labels_a_true_zero():
    """A '-' (stored as 0 with flag 'zero') is a row with its name and the text '0 – nichts vorhanden', not a
    blank row (plotly draws no text on a bar of length 0)."""
    data = pd.DataFrame({"name": ["Görlitz", "Boxberg/O.L.", "Zittau"], "value": [480.0, 0.0, None],
                         "flag": [None, "zero", "secret"]})
    d = ic.ranking_figure(data, title="Übernachtungen", unit="Übernachtungen", decimals=0, stand="2020-12-31",
                          colour=THEME_COLOURS["tourism"], higher_is_better=True).to_plotly_json()
    bars = d["data"][0]
    assert all(isinstance(n, str) and n.strip() for n in bars["y"])
    assert bars["y"] == ["Görlitz", "Boxberg/O.L.", "Zittau"] and bars["x"][1] == 0.0
    texts = {a["y"]: a["text"] for a in d["layout"]["annotations"] if a.get("y") in bars["y"]}
    assert texts["Boxberg/O.L."] == f"0 – {vocab.flag_label('zero')}"
    assert texts["Zittau"].startswith("keine Angabe")
    assert set(texts) == {"Boxberg/O.L.", "Zittau"}  # present values keep their bar text, no second label


def test_comparison_figure():
    data = pd.DataFrame({"name": ["Niesky", "Zittau"], "value": [8.5, None], "flag": [None, "later"]})
    fig = ic.comparison_figure(data, title="Quote", unit="%", decimals=1, stand=dt.date(2024, 12, 31),
                               colour=THEME_COLOURS["supply"], reference={"Landkreis Görlitz": 7.0})
    d = fig.to_plotly_json()
    assert d["data"][0]["x"] == ["Niesky", "Zittau"]
    assert d["data"][0]["y"] == [8.5, None]
    assert d["data"][0]["marker"]["color"] == THEME_COLOURS["supply"]
    assert d["layout"]["yaxis"]["title"]["text"] == "%"
    assert any("noch nicht verfügbar" in a["text"] for a in d["layout"]["annotations"])
    assert d["layout"]["shapes"][0]["name"] == "Landkreis Görlitz: 7,0 %"


def test_status_progress_figure_order_and_colours():
    data = pd.DataFrame({"month": [dt.date(2026, 1, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)],
                         "status": ["In Umsetzung", "Idee", "In Umsetzung"], "n": [2, 1, 3]})
    d = ic.status_progress_figure(data, title="Verlauf", stand=dt.date(2026, 6, 30)).to_plotly_json()
    names = [t["name"] for t in d["data"]]
    assert names == [s for s in STATUS_LINE if s in ("Idee", "In Umsetzung")]
    idee, running = d["data"]
    assert idee["marker"]["color"] == STATUS_COLOURS["Idee"]
    assert list(idee["y"]) == [1, 0] and list(running["y"]) == [2, 3]
    assert d["layout"]["barmode"] == "stack"
    assert d["layout"]["yaxis"]["title"]["text"] == "Anzahl Initiativen"


def test_kpi_figure_texts_carry_units():
    data = pd.DataFrame({"name": ["Fahrgäste", "Öffnungsstunden"], "title": ["Rufbus", "Dorfladen"],
                         "unit": ["Fahrgäste", "Stunden"], "baseline": [0.0, 0.0], "target": [400.0, 40.0],
                         "actual": [420.0, None], "progress": [105.0, None]})
    d = ic.kpi_figure(data, title="KPI", stand=None, colour=THEME_COLOURS["mobility"]).to_plotly_json()
    bars = d["data"][0]
    assert bars["x"] == [105.0, None]
    assert bars["text"][0] == f"{fmt.percent(105)}: 420 Fahrgäste von 400 Fahrgäste"
    assert any(a["text"] == "noch kein Istwert (Ziel 40 Stunden)" for a in d["layout"]["annotations"])
    assert d["layout"]["xaxis"]["title"]["text"] == "Zielerreichung in %"


def test_data_text_is_shown_literally_not_as_markup():
    data = pd.DataFrame({"name": ["Ziel"], "title": ["<img src=x onerror=alert(1)>"], "unit": ["Anzahl"],
                         "baseline": [0.0], "target": [10.0], "actual": [5.0], "progress": [50.0]})
    d = ic.kpi_figure(data, title="<b>KPI</b>", stand=None, colour="#000000").to_plotly_json()
    assert "<img" not in d["data"][0]["y"][0] and "&lt;img src=x onerror=alert(1)&gt;" in d["data"][0]["y"][0]
    assert d["layout"]["title"]["text"] == "&lt;b&gt;KPI&lt;/b&gt;"


def test_long_ranking_shows_best_and_worst_with_a_gap_row():
    n = 500
    data = pd.DataFrame({"name": [f"Gemeinde {i:03d}" for i in range(n)],
                         "value": [float(i) if i % 50 else None for i in range(n)], "flag": [None] * n})
    fig = ic.ranking_figure(data, title="X", unit="m", decimals=0, stand=None, colour="#000000",
                            higher_is_better=True, highlight=("Gemeinde 251",), max_bars=20)
    d = fig.to_plotly_json()
    names = d["data"][0]["y"]
    present = n - n // 50
    assert names[:10] == [f"Gemeinde {i:03d}" for i in range(499, 489, -1)]  # best first
    assert names[-1] == "Gemeinde 001"  # worst last (withheld values are not listed)
    assert "Gemeinde 251" in names  # the highlighted one wherever it ranks
    gaps = [x for x in names if x.startswith("… Rang")]
    assert len(gaps) == 2 and len(set(names)) == len(names)
    assert len(names) == 10 + 10 + 1 + len(gaps)
    subtitle = d["layout"]["title"]["subtitle"]["text"]
    assert f"21 von {n} Gemeinden" in subtitle and f"{n - present} ohne Wert" in subtitle
    assert d["layout"]["height"] < 1000
    short, note = ic.ranking_excerpt(ic.rank_order(data.head(10), True), 20)
    assert len(short) == 10 and note == ""


def test_reference_lines_lie_below_the_bars_and_are_explained_on_top():
    data = pd.DataFrame({"name": ["A", "B"], "value": [1.0, 2.0], "flag": [None, None]})
    d = ic.ranking_figure(data, title="X", unit="m", decimals=0, stand=None, colour="#000000",
                          higher_is_better=True, reference={"Kreis": 1.5}).to_plotly_json()
    assert all(s["layer"] == "below" for s in d["layout"]["shapes"])
    assert d["layout"]["legend"]["yref"] == "paper" and d["layout"]["legend"]["yanchor"] == "bottom"


def test_theme_colour_avoids_grey_beside_benchmarks():
    assert ic.theme_colour("tourism") == THEME_COLOURS["tourism"]
    assert ic.theme_colour("tourism", beside_grey=True) == THEME_COLOURS["tourism"]
    assert ic.theme_colour("demography") == THEME_COLOURS["demography"]
    assert ic.theme_colour("demography", beside_grey=True) == palette.HIGHLIGHT
    assert ic.theme_colour("unknown") == palette.HIGHLIGHT


def test_region_trend_figure_styles_by_role():
    from monitor.data.municipalities import IndicatorInfo, IndicatorTrend, INDEX_UNIT
    info = IndicatorInfo("x", "X", "tourism", "Stück", 0, True, "Quelle", None)
    data = pd.concat([series("Boxberg", [1.0, 2.0]), series("Kreis", [3.0, 4.0]), series("Land", [5.0, 6.0])])
    lines = (("Boxberg", "gemeinde"), ("Kreis", "kreis"), ("Land", "land"))
    spec = ic.region_trend_figure(IndicatorTrend(info, data, lines), title="T", colour="#123456").to_dict()
    style = {t["name"]: (t["line"]["color"], t["line"]["dash"], t["line"]["width"]) for t in spec["data"]}
    assert style == {"Boxberg": ("#123456", "solid", 2.5), "Kreis": (palette.DISTRICT_LINE, "dash", 2),
                     "Land": (palette.STATE_LINE, "dot", 2)}
    assert spec["layout"]["yaxis"]["title"]["text"] == "Stück"
    district = IndicatorTrend(info, data[data["series"] != "Boxberg"], lines[1:], as_index=True)
    spec = ic.region_trend_figure(district, title="T", colour="#123456").to_dict()
    style = {t["name"]: (t["line"]["color"], t["line"]["dash"]) for t in spec["data"]}
    assert style == {"Kreis": ("#123456", "solid"), "Land": (palette.STATE_LINE, "dash")}
    assert spec["layout"]["yaxis"]["title"]["text"] == INDEX_UNIT
