"""Initiativen page under AppTest on the fixture database: table, page filters, URL, detail view, escaping."""
from __future__ import annotations

import re

from monitor.core import format as fmt
from tests.app_helpers import metrics, open_page, table_with
from tests.fixture_db import INITIATIVE, INITIATIVES, KPIS, MILESTONES, ROUNDS, initiatives_where

PAGE = "pages/initiativen.py"
XSS_ID = next(i["initiative_id"] for i in INITIATIVES if i["title"].startswith("<img"))


def _open(app, **params):
    return open_page(app, PAGE, **params)


def _table(app):
    return table_with(app, "ID", "Träger")


def _ids(app) -> list[str]:
    return list(_table(app)["ID"])


def test_table_lists_the_filtered_initiatives(app):
    _open(app)
    assert _ids(app) == sorted(i["initiative_id"] for i in initiatives_where())
    table = _table(app)
    assert not set(table.columns) & {"contact_email", "contact_name", "Ansprechperson", "E-Mail", "Telefon"}
    cells = {str(v) for v in table.to_numpy().ravel()}
    assert not cells & {i[c] for i in INITIATIVES for c in ("contact_name", "contact_email", "contact_phone")}
    row = table.set_index("ID").loc["INI-003"]
    assert row["Gemeinden"] == "kreisweit"
    assert row["Gesamtkosten"] == fmt.eur(INITIATIVE["INI-003"]["total_cost_eur"])


def test_sidebar_status_filter(app):
    _open(app)
    app.multiselect(key="status").set_value(["In Umsetzung", "Ruht"]).run()
    assert not app.exception
    assert _ids(app) == sorted(i["initiative_id"] for i in initiatives_where(statuses=("In Umsetzung", "Ruht")))


def test_page_filters_programme_lead_origin_search(app):
    _open(app)
    app.multiselect(key="programm").set_value(["LEADER"]).run()
    assert _ids(app) == sorted(i["initiative_id"] for i in initiatives_where() if "LEADER" in i["programmes"])
    app.multiselect(key="programm").set_value([]).run()
    app.multiselect(key="herkunft").set_value(["Unternehmen"]).run()
    assert _ids(app) == sorted(i["initiative_id"] for i in initiatives_where() if i["origin"] == "Unternehmen")
    app.multiselect(key="herkunft").set_value([]).run()
    lead = INITIATIVE["INI-002"]["lead_organisation"]
    app.multiselect(key="traeger").set_value([lead]).run()
    assert _ids(app) == sorted(i["initiative_id"] for i in initiatives_where() if i["lead_organisation"] == lead)
    app.multiselect(key="traeger").set_value([]).run()
    app.text_input(key="suche").input("RUFBUS").run()
    assert _ids(app) == [i["initiative_id"] for i in INITIATIVES if "rufbus" in i["title"].lower()]
    app.text_input(key="suche").input("ini-0").run()  # matches the ID too
    assert len(_ids(app)) == len(initiatives_where())


def test_page_filters_from_url(app):
    _open(app, programm="STARK", herkunft="Wissenschaft")
    assert app.multiselect(key="programm").value == ["STARK"]
    assert app.multiselect(key="herkunft").value == ["Wissenschaft"]
    assert _ids(app) == sorted(i["initiative_id"] for i in initiatives_where()
                               if "STARK" in i["programmes"] and i["origin"] == "Wissenschaft")


def test_detail_from_url(app):
    ini = INITIATIVE["INI-001"]
    _open(app, initiative=f"INI-001 – {ini['title']}")
    assert app.selectbox(key="initiative").value == "INI-001"
    texts = [m.value for m in app.markdown]
    assert any(t.startswith("### INI\\-001") and ini["title"] in t for t in texts)
    shown = metrics(app)
    assert shown["Gesamtkosten"] == fmt.eur(ini["total_cost_eur"])
    assert shown["Fördermittel bewilligt"] == fmt.eur(ini["funding_granted_eur"])
    milestones = table_with(app, "Stand heute")
    assert list(milestones["Meilenstein"]) == [m[1] for m in MILESTONES if m[0] == "INI-001"]
    assert "überfällig" in set(milestones["Stand heute"])
    kpis = table_with(app, "Ziel erreicht")
    assert list(kpis["Kennzahl"]) == [k[1] for k in KPIS if k[0] == "INI-001"]
    assert kpis["Zielwert"].iloc[0] == fmt.value_with_unit(KPIS[0][5], KPIS[0][3])
    rounds = table_with(app, "Ergebnisse")
    assert len(rounds) == sum("INI-001" in r["initiatives"] for r in ROUNDS)
    # contact person visible to the office in the app
    assert any(ini["contact_name"] in t for t in texts)
    assert any(p in t for t in texts for p in ini["partners"])
    assert len(app.get("plotly_chart")) == 2  # status timeline + milestone timeline


def test_detail_selection_reacts(app):
    _open(app)
    assert not app.metric  # nothing chosen yet
    app.selectbox(key="initiative").set_value("INI-008").run()
    assert not app.exception
    assert metrics(app)["Gesamtkosten"] == fmt.eur(INITIATIVE["INI-008"]["total_cost_eur"])


def test_workbook_text_is_escaped(app):
    _open(app)
    app.selectbox(key="initiative").set_value(XSS_ID).run()
    assert not app.exception
    texts = [m.value for m in app.markdown]
    assert any("\\<img src\\=x onerror\\=alert\\(1\\)\\>" in t for t in texts)
    for t in texts:  # every '<' in rendered Markdown is escaped
        assert not re.search(r"(?<!\\)<", t), t
    assert not app.get("html")


def test_empty_result_is_friendly(app):
    _open(app, suche="gibt es sicher nicht")
    assert any("Keine Initiative passt" in i.value for i in app.info)
    assert not app.get("download_button")


def test_download_buttons_present(app):
    _open(app)
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == ["Excel (.xlsx)", "CSV (.csv)"]
    assert app.checkbox(key="nur_oeffentlich").value is True
