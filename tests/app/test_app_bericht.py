"""AppTest of the Bericht page on the fixture database: preview figures equal the fixture, the period and
the sidebar filters reach the report, the internal variant is warned about, downloads are offered, and the
page is in the navigation."""
from __future__ import annotations

from monitor.core import format as fmt
from tests import report_support as rs
from tests.app_helpers import metrics, open_page, table_with
from tests.fixture_db import DEFAULT_FROM, DEFAULT_TO, STAND

PAGE = "pages/bericht.py"


def period_key(date_from=DEFAULT_FROM, date_to=DEFAULT_TO) -> str:
    return f"bericht_zeitraum_{date_from.isoformat()}_{date_to.isoformat()}"


def test_preview_figures_equal_the_fixture(app):
    at = open_page(app, PAGE)
    items = rs.scope()
    m = metrics(at)
    assert m["Initiativen im Zeitraum"] == fmt.number(len(items))
    assert m["neu aufgenommen"] == fmt.number(sum(rs.started(i) for i in items))
    assert m["abgeschlossen"] == fmt.number(sum(rs.completed(i) for i in items))
    assert m["Meilensteine überfällig"] == fmt.number(len(rs.milestones_overdue(items, rs.as_of())))
    assert m["Fördermittel bewilligt"] == fmt.eur(rs.funding(items))
    themes = table_with(at, "Thema", "Initiativen")
    assert [int(n) for n in themes["Initiativen"]] == [len(rs.scope(themes=(t,))) for t in
                                                       ("mobility", "supply", "tourism", "value_chains")]
    assert list(themes["Fördermittel bewilligt"]) == [fmt.eur(rs.funding(rs.scope(themes=(t,)))) for t in
                                                      ("mobility", "supply", "tourism", "value_chains")]
    assert any(fmt.date(STAND) in c.value for c in at.caption)


def test_downloads_and_navigation(app):
    at = open_page(app, PAGE)
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["PDF (.pdf)", "Word (.docx)", "Excel (.xlsx)", "Alle drei (.zip)"]
    assert not any(b.proto.disabled for b in buttons)
    assert "Bericht" in at.title[0].value
    cli = next(c.value for c in at.caption if "python -m monitor.report" in c.value)
    assert DEFAULT_FROM.isoformat() in cli and DEFAULT_TO.isoformat() in cli


def test_internal_variant_is_warned_and_counts_non_public(app):
    at = open_page(app, PAGE)
    assert not any("Interne Fassung" in w.value for w in at.warning)
    at.checkbox(key="bericht_intern").check().run()
    assert not at.exception
    assert any("Interne Fassung" in w.value and "INTERN" in w.value for w in at.warning)
    assert metrics(at)["Initiativen im Zeitraum"] == fmt.number(len(rs.scope(internal=True)))
    assert "--internal" in next(c.value for c in at.caption if "python -m monitor.report" in c.value)


def test_assessment_text_and_placeholder_hint(app):
    at = open_page(app, PAGE)
    assert any("Noch keine Einschätzung" in i.value for i in at.info)
    at.text_area(key="bericht_einschaetzung").input("=HYPERLINK(\"x\") Gute Fortschritte.").run()
    assert not at.exception
    assert not any("Noch keine Einschätzung" in i.value for i in at.info)


def test_period_and_sidebar_theme_reach_the_report(app):
    at = open_page(app, PAGE, thema="Tourismus")
    assert metrics(at)["Initiativen im Zeitraum"] == fmt.number(len(rs.scope(themes=("tourism",))))
    assert any("Tourismus" in c.value for c in at.caption)
    short_from = DEFAULT_TO.replace(month=1, day=1)
    at.date_input(key=period_key()).set_value((short_from, DEFAULT_TO)).run()
    assert not at.exception
    expected = rs.scope(themes=("tourism",), date_from=short_from)
    assert metrics(at)["Initiativen im Zeitraum"] == fmt.number(len(expected))
    assert metrics(at)["neu aufgenommen"] == fmt.number(sum(rs.started(i, short_from) for i in expected))
