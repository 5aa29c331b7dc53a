"""German formatting (monitor/core/format.py)."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from monitor.core import format as fmt


@pytest.mark.parametrize("value, decimals, expected", [
    (1234.5, 1, "1.234,5"), (1234567, 0, "1.234.567"), (0, 0, "0"), (-1234.56, 2, "-1.234,56"), (0.5, 0, "0"),
    (None, 0, "–"), (float("nan"), 1, "–"), (math.inf, 0, "–"), (pd.NA, 0, "–"),
])
def test_number(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


def test_money():
    assert fmt.eur(1234567) == "1.234.567 €"
    assert fmt.eur(None) == "–"
    assert fmt.eur_compact(1234567) == "1,2 Mio. €"
    assert fmt.eur_compact(2_500_000_000) == "2,5 Mrd. €"
    assert fmt.eur_compact(45600) == "45.600 €"
    assert fmt.eur_compact(None) == "–"


def test_percent_and_share():
    assert fmt.percent(12.34) == "12 %" and fmt.percent(12.34, 1) == "12,3 %"
    assert fmt.share(1, 3) == "33 %" and fmt.share(2, 3, 1) == "66,7 %"
    assert fmt.share(1, 0) == "–" and fmt.share(None, 3) == "–"


def test_dates():
    assert fmt.date(dt.date(2024, 12, 31)) == "31.12.2024"
    assert fmt.date("2024-12-31") == "31.12.2024"
    assert fmt.date(pd.Timestamp("2024-03-01 10:00")) == "01.03.2024"
    assert fmt.date(None) == "–" and fmt.date(pd.NaT) == "–"
    assert fmt.month(dt.date(2024, 3, 1)) == "03/2024" and fmt.month(None) == "–"


def test_value_with_unit():
    assert fmt.value_with_unit(1234.5, "km", 1) == "1.234,5 km"
    assert fmt.value_with_unit(12, "%") == "12 %"
    assert fmt.value_with_unit(None, "km") == "–"
    assert fmt.value_with_unit(3, None) == "3"


def test_legend_line_escapes_the_label_and_accepts_only_hex_colours():
    from monitor.app import ui

    assert ui.legend_line("circle", "#0072B2", "Initiative: Mobilität") == \
        ':color[●]{foreground="#0072B2"} Initiative\\: Mobilität'
    line = ui.legend_line("square", 'red"} [x](http://e.org) {', "**fett** <img src=x>")
    assert line.startswith(':color[■]{foreground="#000000"} ')
    assert "\\*\\*fett\\*\\*" in line and "\\<img" in line and "http" not in line
