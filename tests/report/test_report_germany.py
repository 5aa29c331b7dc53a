"""Germany as the third benchmark in the report and the Steckbrief (issue 15, item 6), on a variant of the fixture
with a region of level 'bund' and values for some indicators only."""
from __future__ import annotations

import json

from monitor.core import palette
from monitor.data.municipalities import GERMANY_NAME
from monitor.report import content, profile
from monitor.report.model import ReportParams
from tests.fixture_db import (
    BOXBERG,
    DEFAULT_FROM,
    DEFAULT_TO,
    DISTRICT_KEY,
    GERMANY_INDICATORS,
    INDICATORS,
    VALUES,
    germany_values,
    WITH_GERMANY,
    WITHOUT_GERMANY,
)

WITH, WITHOUT = WITH_GERMANY, WITHOUT_GERMANY



def test_report_indicator_tables_sheet_and_panels_carry_germany(germany_db):
    report = content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO))
    sections = {s.theme_id: s for s in report.themes}
    table = sections[WITH["theme"]].indicators
    assert GERMANY_NAME in [c.label for c in table.columns]
    row = dict(zip([c.key for c in table.columns], next(r for r in table.rows if r[0] == WITH["name_de"])))
    year = max(v["year"] for v in VALUES if v["indicator_id"] == WITH["indicator_id"]
               and v["region_key"] == DISTRICT_KEY and v["value"] is not None)
    assert row["germany"] == next(v["value"] for v in germany_values()
                                  if v["indicator_id"] == WITH["indicator_id"] and v["year"] == year)
    other = sections[WITHOUT["theme"]].indicators
    row = dict(zip([c.key for c in other.columns], next(r for r in other.rows if r[0] == WITHOUT["name_de"])))
    assert row["germany"] is None  # nothing for Germany: an empty cell explained in the note, never a 0
    assert GERMANY_NAME in other.note
    # the sheet: Germany's rows under its label, only for its indicators
    sheet = report.sheet("indicators")
    region = next(i for i, c in enumerate(sheet.columns) if c.key == "region")
    indicator = next(i for i, c in enumerate(sheet.columns) if c.key == "indicator")
    names = {i["indicator_id"]: i["name_de"] for i in INDICATORS}
    assert {r[indicator] for r in sheet.rows if r[region] == GERMANY_NAME} == {
        names[i] for i in GERMANY_INDICATORS}
    # the panels: a line for Germany in its colour
    panel = json.loads(next(c for c in report.charts if c.key == f"indicators_{WITH['theme']}_1").figure_json)
    lines = [t for t in panel["data"] if t.get("name") == GERMANY_NAME]
    assert lines and all(t["line"]["color"] == palette.GERMANY_LINE for t in lines)


def test_steckbrief_has_a_germany_column_and_line(germany_db):
    p = profile.build_profile(BOXBERG)
    labels = [c.label for c in p.indicators.columns]
    assert labels[-1] == GERMANY_NAME
    rows = {r[1]: r[-1] for r in p.indicators.rows}
    assert rows[WITHOUT["name_de"]] == "– (kein Bundeswert)"
    assert rows[WITH["name_de"]] not in ("", "0", "– (kein Bundeswert)")
    chart = json.loads(p.chart.figure_json)
    assert any(t.get("name") == GERMANY_NAME and t["line"]["color"] == palette.GERMANY_LINE for t in chart["data"])
