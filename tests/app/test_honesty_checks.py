"""The honesty audit's checks (tests/honesty.py) fail on each fault they exist for — planted in a table or a
chart built from the fixture's traps — and pass on the honest rendering."""
from __future__ import annotations

import pandas as pd

from monitor.core import format as fmt
from monitor.core.vocab import flag_label
from tests import honesty
from tests.fixture_db import MUNICIPALITY_NAME, SPECIAL_VALUES, VALUES

LATEST = max(v["year"] for v in VALUES)
WITHHELD = next((ind, region, year, flag) for (ind, region, year), (value, flag) in SPECIAL_VALUES.items()
                if value is None and year == LATEST)
ZERO = next((ind, region, year) for (ind, region, year), (value, flag) in SPECIAL_VALUES.items()
            if flag == "zero" and year == LATEST)


def _name(indicator_id: str) -> str:
    return honesty.INDICATOR[indicator_id]["name_de"]


def _before(indicator_id: str, region: str, year: int) -> float:
    return next(v["value"] for v in VALUES if (v["indicator_id"], v["region_key"], v["year"]) ==
                (indicator_id, region, year - 1))


def test_a_withheld_value_needs_its_reason_and_no_number():
    ind, region, year, flag = WITHHELD
    name = MUNICIPALITY_NAME[region]
    assert honesty.check_value(f"k. A. – {flag_label(flag)}", ind, name, year) is None
    for shown in ("0", "", fmt.MISSING, fmt.number(_before(ind, region, year))):
        assert honesty.check_value(shown, ind, name, year), shown


def test_a_table_with_last_years_value_under_this_years_label_fails():
    ind, region, year, flag = WITHHELD
    name = MUNICIPALITY_NAME[region]
    honest = pd.DataFrame({"Kennzahl": [_name(ind)], "Jahr": [str(year)], name: [f"k. A. – {flag_label(flag)}"]})
    assert honesty.audit_table(honest, honesty.Context(), "t") == []
    wrong = honest.assign(**{name: [fmt.number(_before(ind, region, year))]})
    assert honesty.audit_table(wrong, honesty.Context(), "t")
    # the older year named in brackets makes the same number honest
    older = honest.assign(**{name: [f"{fmt.number(_before(ind, region, year))} ({year - 1})"]})
    assert honesty.audit_table(older, honesty.Context(), "t") == []


def test_a_ranking_bar_of_a_dash_needs_its_label():
    ind, region, year = ZERO
    name = MUNICIPALITY_NAME[region]
    spec = {"layout": {"title": {"text": f"{_name(ind)} {year} nach Gemeinden"}, "annotations": []},
            "data": [{"type": "bar", "orientation": "h", "y": [name], "x": [0.0], "customdata": ["0"]}]}
    assert honesty.audit_figure(spec, honesty.Context(), "f")
    spec["layout"]["annotations"] = [{"text": f"0 – {flag_label('zero')}"}]
    assert honesty.audit_figure(spec, honesty.Context(), "f") == []
    ind, region, year, flag = WITHHELD
    spec = {"layout": {"title": {"text": f"{_name(ind)} {year} nach Gemeinden"}},
            "data": [{"type": "bar", "orientation": "h", "y": [MUNICIPALITY_NAME[region]], "x": [0.0]}]}
    assert honesty.audit_figure(spec, honesty.Context(), "f"), "a withheld value drawn as a bar of 0"
