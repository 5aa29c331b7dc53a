"""Germany as the third benchmark (issue 15, item 6) on a variant of the fixture with a region of level 'bund' and
values for some indicators only: Themen trend and ranking, Gemeinden profile and comparison show it as
'Deutschland' in its own colour where it has values, and nothing (charts) or '– (kein Bundeswert)' (tables) where
it has none."""
from __future__ import annotations

from monitor.core import format as fmt
from monitor.core import palette
from monitor.core.vocab import THEME_BY_ID
from monitor.data.municipalities import GERMANY_NAME
from tests.app_helpers import figure, new_app, open_page, table_with
from tests.fixture_db import (
    BOXBERG,
    MUNICIPALITY_NAME,
    VALUES,
    germany_values,
    WITH_GERMANY,
    WITHOUT_GERMANY,
)

WITH, WITHOUT = WITH_GERMANY, WITHOUT_GERMANY



def germany_value(indicator_id: str, year: int):
    return next(v["value"] for v in germany_values() if v["indicator_id"] == indicator_id and v["year"] == year)


def latest_municipal_year(indicator_id: str) -> int:
    return max(v["year"] for v in VALUES if v["indicator_id"] == indicator_id and v["region_key"] in MUNICIPALITY_NAME
               and v["value"] is not None)


def germany_lines(spec: dict) -> list[dict]:
    return [t for t in spec["data"] if t.get("legendgroup") == GERMANY_NAME]


def germany_shapes(spec: dict) -> list[dict]:
    return [s for s in spec["layout"].get("shapes", []) if s.get("name", "").startswith(GERMANY_NAME + ":")]


def test_themen_trend_and_ranking_show_germany_where_it_has_values(app, germany_db):
    at = open_page(app, "pages/themen.py", themenfeld=THEME_BY_ID[WITH["theme"]].name_de)
    trend = figure(at, f"{WITH['name_de']} im Zeitverlauf")
    (line,) = germany_lines(trend)
    assert line["line"]["color"] == palette.GERMANY_LINE
    assert dict(zip(line["x"], line["y"])) == {v["year"]: v["value"] for v in germany_values()
                                               if v["indicator_id"] == WITH["indicator_id"]}
    year = latest_municipal_year(WITH["indicator_id"])
    ranking = figure(at, f"{WITH['name_de']} {year} nach Gemeinden")
    (shape,) = germany_shapes(ranking)
    assert shape["line"]["color"] == palette.GERMANY_LINE and shape["x0"] == germany_value(WITH["indicator_id"], year)
    shown = fmt.value_with_unit(germany_value(WITH["indicator_id"], year), WITH["unit"], WITH["decimals"])
    assert shape["name"] == f"{GERMANY_NAME}: {shown}"
    # an indicator without a value for Germany: no line, no legend entry, no reference for it
    at = open_page(new_app(), "pages/themen.py", themenfeld=THEME_BY_ID[WITHOUT["theme"]].name_de)
    trend = figure(at, f"{WITHOUT['name_de']} im Zeitverlauf")
    assert not germany_lines(trend) and GERMANY_NAME not in {t["name"] for t in trend["data"]}
    ranking = figure(at, f"{WITHOUT['name_de']} {latest_municipal_year(WITHOUT['indicator_id'])} nach Gemeinden")
    assert not germany_shapes(ranking)


def test_gemeinden_profile_trend_shows_germany(app, germany_db):
    at = open_page(app, "pages/gemeinden.py", gemeinde_profil=MUNICIPALITY_NAME[BOXBERG])
    at.selectbox(key="gemeinde_indikator").set_value(WITH["indicator_id"]).run()
    at.radio(key="gemeinde_darstellung").set_value("Werte").run()
    assert not at.exception
    spec = figure(at, f"{WITH['name_de']}: ")
    (line,) = germany_lines(spec)
    assert line["line"]["color"] == palette.GERMANY_LINE
    assert max(line["y"]) == max(v["value"] for v in germany_values() if v["indicator_id"] == WITH["indicator_id"])
    assert any("Deutschland" in m.value for m in at.markdown if m.value.startswith("####"))


def test_gemeinden_comparison_table_and_chart_show_germany(app, germany_db):
    at = open_page(app, "pages/gemeinden.py", gemeinde_ansicht="Vergleich")
    at.multiselect(key="gemeinden_vergleich").set_value([BOXBERG]).run()
    table = table_with(at, "Kennzahl").set_index("Kennzahl")
    assert GERMANY_NAME in table.columns
    year = max(v["year"] for v in germany_values() if v["indicator_id"] == WITH["indicator_id"])
    assert table.loc[WITH["name_de"], GERMANY_NAME] == fmt.number(germany_value(WITH["indicator_id"], year),
                                                                  WITH["decimals"])
    assert table.loc[WITHOUT["name_de"], GERMANY_NAME] == "– (kein Bundeswert)"  # the reason, never a 0 or blank
    at.selectbox(key="vergleich_indikator").set_value(WITH["indicator_id"]).run()
    spec = figure(at, f"{WITH['name_de']} {latest_municipal_year(WITH['indicator_id'])}")
    (shape,) = germany_shapes(spec)
    assert shape["line"]["color"] == palette.GERMANY_LINE
    at.selectbox(key="vergleich_indikator").set_value(WITHOUT["indicator_id"]).run()
    assert not germany_shapes(figure(at, f"{WITHOUT['name_de']} {latest_municipal_year(WITHOUT['indicator_id'])}"))


def test_without_a_national_region_nothing_changes(app):
    at = open_page(app, "pages/themen.py", themenfeld=THEME_BY_ID[WITH["theme"]].name_de)
    assert not germany_lines(figure(at, f"{WITH['name_de']} im Zeitverlauf"))
