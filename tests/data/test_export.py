"""Downloads (monitor/data/export.py + initiatives.export_table): no personal data, no formulas, German CSV."""
from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from monitor.data import export, initiatives
from monitor.data.filters import Filters
from tests.fixture_db import DEFAULT_FROM, DEFAULT_TO, INITIATIVE, INITIATIVES

FORMULA_ID = next(i["initiative_id"] for i in INITIATIVES if i["title"].startswith("=HYPERLINK("))
CONTACT_VALUES = [v for i in INITIATIVES for v in (i["contact_name"], i["contact_email"], i["contact_phone"])]


@pytest.fixture
def rows(fixture_db) -> pd.DataFrame:
    table = initiatives.portfolio(Filters(DEFAULT_FROM, DEFAULT_TO))
    return initiatives.export_table(table, public_only=False)


def _xlsx_cells(data: bytes):
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[c for c in row] for row in ws.iter_rows()]


def test_xlsx_has_text_not_formulas(rows):
    data = export.to_xlsx(rows)
    cells = _xlsx_cells(data)
    assert all(c.data_type != "f" for row in cells for c in row)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    header = [c.value for c in cells[0]]
    by_id = {row[0].value: {h: c for h, c in zip(header, row)} for row in cells[1:]}
    title = by_id[FORMULA_ID]["Titel"]
    assert title.value == INITIATIVE[FORMULA_ID]["title"] and title.data_type == "s"
    cost = by_id["INI-001"]["Gesamtkosten (€)"]
    assert cost.value == INITIATIVE["INI-001"]["total_cost_eur"] and cost.data_type == "n"
    assert by_id["INI-001"]["Beginn"].is_date


def test_xlsx_and_csv_have_no_contact_data(rows):
    for data in (export.to_xlsx(rows), export.to_csv(rows)):
        text = data.decode("utf-8", errors="ignore") if data[:3] == b"\xef\xbb\xbf" else ""
        if not text:  # xlsx: look into every part of the zip
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                text = "".join(z.read(n).decode("utf-8", errors="ignore") for n in z.namelist())
        for value in CONTACT_VALUES:
            assert value not in text, value
        assert "@example.org" not in text


def test_personal_columns_are_dropped_even_if_passed():
    df = pd.DataFrame({"ID": ["A"], "contact_email": ["x@y.de"], "Ansprechperson": ["Frau X"], "Telefon": ["1"],
                       "E-Mail": ["z@y.de"], "Titel": ["T"]})
    assert list(export.without_personal_data(df).columns) == ["ID", "Titel"]
    assert b"x@y.de" not in export.to_csv(df) and b"Frau X" not in export.to_csv(df)


def test_csv_is_german_excel_and_neutralised(rows):
    data = export.to_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, body = parsed[0], parsed[1:]
    assert header[:2] == ["ID", "Titel"] and len(body) == len(rows)
    by_id = {r[0]: dict(zip(header, r)) for r in body}
    assert by_id[FORMULA_ID]["Titel"] == "'" + INITIATIVE[FORMULA_ID]["title"]
    assert by_id[FORMULA_ID]["Kurzbeschreibung"] == "'" + INITIATIVE[FORMULA_ID]["summary"]  # starts with '-'
    assert by_id["INI-001"]["Gesamtkosten (€)"] == str(int(INITIATIVE["INI-001"]["total_cost_eur"]))
    assert by_id["INI-001"]["Beginn"] == INITIATIVE["INI-001"]["start_date"].strftime("%d.%m.%Y")
    for cells in body:
        assert not any(c.startswith(tuple("=+-@\t\r")) for c in cells)


def test_csv_numbers_untouched_and_text_prefixed():
    df = pd.DataFrame({"Text": ["=1+1", "+49 351", "@SUM(A1)", "\tx", "\rx", "normal", "-"],
                       "Zahl": [-5.5, -1.0, 2.0, 0.25, 1e6, 3.0, 0.0]})
    parsed = list(csv.reader(io.StringIO(export.to_csv(df).decode("utf-8-sig")), delimiter=";"))[1:]
    assert [r[0] for r in parsed] == ["'=1+1", "'+49 351", "'@SUM(A1)", "'\tx", "'\rx", "normal", "'-"]
    assert [r[1] for r in parsed] == ["-5,5", "-1", "2", "0,25", "1000000", "3", "0"]


def test_public_only_leaves_out_internal_initiatives(fixture_db):
    table = initiatives.portfolio(Filters(DEFAULT_FROM, DEFAULT_TO))
    public = initiatives.export_table(table, public_only=True)
    assert set(public["ID"]) == {i["initiative_id"] for i in INITIATIVES if i["is_public"]}
    assert set(public["Öffentlich"]) == {"ja"}


def test_file_stem():
    import datetime as dt

    assert export.file_stem("initiativen", dt.date(2026, 7, 15)) == "initiativen_2026-07-15"


def test_title_line_above_the_table(rows):
    title = "Beispieldaten – keine amtlichen Zahlen"
    parsed = list(csv.reader(io.StringIO(export.to_csv(rows, title=title).decode("utf-8-sig")), delimiter=";"))
    assert parsed[0] == [title] and parsed[1][:2] == ["ID", "Titel"] and len(parsed) == len(rows) + 2
    assert export.to_csv(rows, title="=1+1").decode("utf-8-sig").startswith("'=1+1")
    ws = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(rows, title=title))).active
    header_row = next(r for r in ws.iter_rows() if r[0].value == "ID")[0].row
    assert ws["A1"].value == title and ws["A1"].font.b
    assert [c.value for c in ws[header_row]][:2] == ["ID", "Titel"] and ws.freeze_panes == f"A{header_row + 1}"
    assert ws.max_row == header_row + len(rows)


# ---------------------------------------------------------------- every table of a page (#18: exportable)
PROV = export.Provenance(title="Überfällige Meilensteine", source="Initiativen-Portfolio (p.xlsx)",
                         stand=DEFAULT_TO, licence="intern", selection="Zeitraum 01.01.2025 – 31.12.2025",
                         unit="Anzahl", synthetic=True)


def test_table_csv_names_its_provenance_above_the_table(rows):
    text = export.table_csv(rows, PROV).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == [PROV.title]
    body = [line[0] for line in lines[1:lines.index([])]]
    assert f"Quelle: {PROV.source}" in body and f"Lizenz: {PROV.licence}" in body
    assert f"Stand: {DEFAULT_TO.strftime('%d.%m.%Y')}" in body and export.SYNTHETIC_LINE in " ".join(body)
    header = lines[lines.index([]) + 1]
    assert header == [c for c in rows.columns if not export._PERSONAL.search(c)]


def test_table_xlsx_has_the_table_and_a_provenance_sheet(rows):
    book = openpyxl.load_workbook(io.BytesIO(export.table_xlsx(rows, PROV)))
    table, about = book.worksheets
    assert table.title == PROV.title and table["A1"].value == PROV.title
    assert PROV.source in table["A2"].value and "Beispieldaten" in table["A2"].value
    pairs = {r[0]: r[1] for r in about.iter_rows(min_row=5, values_only=True)}
    assert pairs["Quelle"] == PROV.source and pairs["Lizenz"] == PROV.licence and pairs["Einheit"] == "Anzahl"
    assert pairs["Stand"] == DEFAULT_TO.strftime("%d.%m.%Y")
    cells = [c for row in table.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any("@" in c for c in cells)  # no contact e-mail left


def test_provenance_leaves_out_what_it_does_not_know():
    prov = export.Provenance(title="T", source="S", stand=None)
    assert prov.lines() == ["T", "Quelle: S"]
