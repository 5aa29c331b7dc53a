"""Roles on every page (issue #16), with the role set as local mode sets it (``REGIONALMONITOR_ROLE``): a
Partner's rendered pages hold no non-public initiative and no contact field, whatever the URL asks; the
Leitung's no contact field; the Kompetenzstelle's everything. Downloads per role, the audit log after a
download, the Protokoll on Daten only for the Kompetenzstelle."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from monitor.core.vocab import THEME_BY_ID
from monitor.data import audit
from tests.app_helpers import capture_downloads, found_in, open_page
from tests.fixture_db import INITIATIVE, INITIATIVES, MUNICIPALITY_NAME, STATUS_HISTORY, initiatives_where

ROLES = ("kompetenzstelle", "leitung", "partner")
CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone")
HIDDEN = next(i for i in INITIATIVES if not i["is_public"])
HIDDEN_TEXTS = {HIDDEN["initiative_id"], HIDDEN["title"], HIDDEN["summary"]}
CONTACTS = {i[c] for i in INITIATIVES for c in CONTACT_COLUMNS}
SHOWN = INITIATIVE["INI-001"]  # a public initiative with contact data and a status note


def _label(i: dict) -> str:
    return f"{i['initiative_id']} – {i['title']}"


#: Every page, opened as a link that asks for the non-public initiative where a page can be asked for one.
PAGES = {
    "Überblick": (None, {}),
    "Neuigkeiten": ("pages/ereignisse.py", {"seit": "seit einem Datum", "ab": "2020-01-01"}),
    "Themen": ("pages/themen.py", {"themenfeld": THEME_BY_ID[HIDDEN["theme"]].name_de}),
    "Gemeinden": ("pages/gemeinden.py", {"gemeinde": MUNICIPALITY_NAME[HIDDEN["municipalities"][0]]}),
    "Initiativen": ("pages/initiativen.py", {"initiative": _label(HIDDEN), "nur_oeffentlich": "false"}),
    "Karte": ("pages/karte.py", {}),
    "Akteure": ("pages/akteure.py", {}),
    "Daten": ("pages/daten.py", {}),
    "Bericht": ("pages/bericht.py", {}),
}


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv(audit.AUDIT_ENV, str(path))
    return path


def _as(monkeypatch, role: str) -> None:
    monkeypatch.setenv("REGIONALMONITOR_ROLE", role)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_by_role(app, monkeypatch, role):
    _as(monkeypatch, role)
    seen_hidden, seen_contacts = set(), set()
    for name, (page, query) in PAGES.items():
        at = open_page(app, page, **query)
        hidden, contacts = found_in(at, HIDDEN_TEXTS), found_in(at, CONTACTS)
        if role == "partner":
            assert not hidden, (name, hidden)
        if role != "kompetenzstelle":
            assert not contacts, (name, contacts)
        seen_hidden |= hidden
        seen_contacts |= contacts
        assert f"Rolle: {role.capitalize()}" in [c.value for c in at.sidebar.caption], name
    # the same walk finds them where the role may see them (the non-public initiative's detail page shows all)
    assert bool(seen_hidden) == (role != "partner")
    assert bool(seen_contacts) == (role == "kompetenzstelle")


@pytest.mark.parametrize("role", ROLES)
def test_initiative_detail_contact_and_notes_by_role(app, monkeypatch, role):
    _as(monkeypatch, role)
    at = open_page(app, "pages/initiativen.py", initiative=_label(SHOWN))
    contact = {SHOWN[c] for c in CONTACT_COLUMNS}
    assert found_in(at, contact) == (contact if role == "kompetenzstelle" else set())
    assert any("Ansprechperson" in m.value for m in at.markdown) == (role == "kompetenzstelle")
    notes = {n for i, _, _, n in STATUS_HISTORY if i == SHOWN["initiative_id"] and n}  # the office's working notes
    assert notes and found_in(at, notes) == (notes if role != "partner" else set())


@pytest.mark.parametrize("role", ROLES)
def test_list_download_by_role(app, monkeypatch, log, role):
    _as(monkeypatch, role)
    offered = capture_downloads(monkeypatch)
    at = open_page(app, "pages/initiativen.py", nur_oeffentlich="false")
    has_box = any(c.key == "nur_oeffentlich" for c in at.checkbox)
    assert has_box == (role != "partner")
    in_period = initiatives_where()
    expected = {i["initiative_id"] for i in in_period if i["is_public"] or role != "partner"}
    data = offered["download_csv"]()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = next(n for n, r in enumerate(rows) if r and r[0] == "ID")
    assert {r[0] for r in rows[header + 1:]} == expected
    assert not any(c in data.decode("utf-8-sig") for c in CONTACTS)
    book = openpyxl.load_workbook(io.BytesIO(offered["download_xlsx"]()))
    cells = {str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None}
    assert expected <= cells and (HIDDEN["initiative_id"] in cells) == (role != "partner")
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["action"], e["role"], e["internal"]) for e in entries] == [("liste", role, role != "partner")] * 2
    assert all(e["filters"].startswith("Zeitraum ") for e in entries)
    assert [e["filters"].rsplit(" · ", 1)[1] for e in entries] == ["CSV", "Excel"]


@pytest.mark.parametrize("role", ROLES)
def test_report_by_role(app, monkeypatch, log, role):
    _as(monkeypatch, role)
    offered = capture_downloads(monkeypatch)
    at = open_page(app, "pages/bericht.py")
    boxes = [c for c in at.checkbox if c.key == "bericht_intern"]
    assert bool(boxes) == (role != "partner")
    if boxes:
        boxes[0].check().run()
    book = openpyxl.load_workbook(io.BytesIO(offered["bericht_xlsx"]()))
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert any(HIDDEN["title"] in c for c in cells) == (role != "partner")
    assert not any(c in cell for cell in cells for c in CONTACTS)
    (entry,) = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert (entry["action"], entry["role"], entry["internal"]) == ("bericht", role, role != "partner")


def test_steckbrief_download_is_logged(app, monkeypatch, log):
    _as(monkeypatch, "leitung")
    offered = capture_downloads(monkeypatch)
    ags = HIDDEN["municipalities"][0]
    open_page(app, "pages/gemeinden.py", gemeinde=MUNICIPALITY_NAME[ags])
    assert offered["gemeinde_steckbrief"]()[:4] == b"%PDF"
    (entry,) = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert (entry["action"], entry["role"], entry["internal"]) == ("steckbrief", "leitung", False)
    assert f"Gemeinde: {ags}" in entry["filters"]


@pytest.mark.parametrize("role", ROLES)
def test_protokoll_only_for_the_kompetenzstelle(app, monkeypatch, log, role):
    _as(monkeypatch, role)
    offered = capture_downloads(monkeypatch)
    open_page(app, "pages/initiativen.py")
    offered["download_csv"]()
    at = open_page(app, "pages/daten.py")
    labels = [t.label for t in at.tabs]
    assert ("Protokoll" in labels) == (role == "kompetenzstelle")
    assert ("Importläufe" in labels) == (role != "partner")
    assert ("Daten aktualisieren" in labels) == ("Versionen" in labels) == (role == "kompetenzstelle")
    tables = [d.value for d in at.dataframe if "Aktion" in d.value.columns]
    if role == "kompetenzstelle":
        (table,) = tables
        assert list(table.columns) == audit.COLUMNS
        assert list(table["Aktion"]) == ["Liste"] and list(table["Rolle"]) == ["Kompetenzstelle"]
    else:
        assert not tables


def test_unknown_role_gives_the_least(app, monkeypatch):
    _as(monkeypatch, "chef")
    at = open_page(app, "pages/initiativen.py", initiative=_label(HIDDEN))
    assert not found_in(at, HIDDEN_TEXTS) and "Rolle: Partner" in [c.value for c in at.sidebar.caption]
