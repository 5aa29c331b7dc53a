"""The report files read back: PDF (pypdf), DOCX (python-docx), XLSX (openpyxl) on the fixture database.

Most files are written with charts switched off (fast); one module-scoped render checks the embedded chart
images (skipped when this machine has no Chromium), one run with the browser made unavailable checks the
note that replaces them."""
from __future__ import annotations

import dataclasses
import io
import re
import zipfile

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from monitor.core import format as fmt
from monitor.report import content, figures, pdf, xlsx
from monitor.report import docx as report_docx
from monitor.report.model import INTERNAL_LABEL, Heading, ReportParams, Text
from tests import report_support as rs
from tests.fixture_db import DEFAULT_FROM, DEFAULT_TO, DISTRICT_NAME, STAND

ASSESSMENT = '=HYPERLINK("http://evil.example","x") Die Kompetenzstelle schätzt ein.\n\n{=SUMME(A1:A3)} Zweiter Absatz.'
NO_CHARTS = figures.disabled()


@pytest.fixture(scope="module")
def public(fixture_db):
    return content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO, assessment=ASSESSMENT))


@pytest.fixture(scope="module")
def internal(fixture_db):
    return content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO, internal=True, assessment=ASSESSMENT))


@pytest.fixture(scope="module")
def files(public, internal):
    """(pdf, docx, xlsx) bytes of both variants, charts off."""
    return {name: (pdf.to_pdf(r, NO_CHARTS), report_docx.to_docx(r, NO_CHARTS), xlsx.to_xlsx(r))
            for name, r in (("public", public), ("internal", internal))}


def pdf_pages(data: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def xlsx_cells(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return wb, [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


# ---------------------------------------------------------------- PDF
def test_pdf_title_page_numbers_and_contents(files, public):
    pages = pdf_pages(files["public"][0])
    assert len(pages) >= 6
    title = pages[0]
    assert DISTRICT_NAME in title and "A future for lagging regions" in title
    assert fmt.date(DEFAULT_FROM) in title and fmt.date(DEFAULT_TO) in title and fmt.date(STAND) in title
    for n, text in enumerate(pages[1:], 2):
        assert f"Seite {n} von {len(pages)}" in text, n
    assert_contents(pages, public, contents_pages=1)


def assert_contents(pages: list[str], report, contents_pages: int) -> None:
    """The table of contents (from page 2 on): the chapters and sections in order, each with the page it
    really starts on."""
    lines = [x.strip() for page in pages[1:1 + contents_pages] for x in page.splitlines()]
    entries = [b.text for b in report.blocks if isinstance(b, Heading) and b.level <= 2]
    assert [x for x in lines if x in entries] == entries
    numbers = [int(m.group(1)) for x in lines if (m := re.fullmatch(r"[ .]*\.\s*(\d+)", x))]
    assert len(numbers) == len(entries)
    for entry, page in zip(entries, numbers):
        assert page > 1 + contents_pages and entry in [x.strip() for x in pages[page - 1].splitlines()], (entry, page)


def test_pdf_contents_over_two_pages(public):
    """A table of contents longer than a page continues on the next one, every line with its page number."""
    extra = [block for n in range(1, 61) for block in (Heading(2, f"6.{n} Abschnitt {n}", f"extra_{n}"),
                                                        Text("Absatz. " * (40 + 30 * (n % 3))))]
    long = dataclasses.replace(public, blocks=public.blocks + tuple(extra))
    pages = pdf_pages(pdf.to_pdf(long, NO_CHARTS))
    assert "Abschnitt 60" in pages[2] and "Abschnitt 60" not in pages[1]
    assert_contents(pages, long, contents_pages=2)


def test_pdf_is_a4_with_bookmarks_and_fixed_date(files):
    reader = PdfReader(io.BytesIO(files["public"][0]))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert [o.title for o in reader.outline if not isinstance(o, list)][0] == "1 Zusammenfassung"
    assert reader.metadata.creation_date.date() == STAND


def test_pdf_content_and_escaping(files, public):
    text = "\n".join(pdf_pages(files["public"][0]))
    flat = text.replace("\n", " ")
    assert "<img src=x onerror=alert(1)>" in flat  # markup printed literally
    assert rs.FORMULA_TITLE[:20] in flat
    assert "Die Kompetenzstelle schätzt ein." in flat
    assert fmt.eur(public.summary_value("funding_granted")) in flat
    for value in rs.CONTACT_VALUES:
        assert value not in text
    for ini in rs.NON_PUBLIC:
        assert ini["initiative_id"] not in text and ini["title"] not in flat
    assert "INTERN" not in text


def test_pdf_internal_is_labelled_on_every_page(files):
    pages = pdf_pages(files["internal"][0])
    for n, text in enumerate(pages, 1):
        assert INTERNAL_LABEL in text, n
    flat = " ".join(pages).replace("\n", " ")
    for ini in rs.NON_PUBLIC:
        assert ini["initiative_id"] in flat
    for value in rs.CONTACT_VALUES:
        assert value not in flat


# ---------------------------------------------------------------- DOCX
def test_docx_headings_tables_header(files, public):
    doc = docx.Document(io.BytesIO(files["public"][1]))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    expected = [(f"Heading {b.level}", b.text) for b in public.blocks if type(b).__name__ == "Heading"]
    assert headings == expected
    assert doc.sections[0].page_width.cm == pytest.approx(21.0, abs=0.05)
    assert len(doc.tables) >= len([b for b in public.blocks if type(b).__name__ == "TableBlock" and b.table.rows])
    annex = next(t for t in doc.tables if t.rows[0].cells[0].text == "ID" and len(t.rows) == len(public.annex) + 1
                 and t.rows[0].cells[1].text == "Titel")
    assert sorted(r.cells[0].text for r in annex.rows[1:]) == sorted(public.annex.column("initiative_id"))
    assert "TOC" in rs.zip_text(files["public"][1])  # table of contents field
    assert doc.core_properties.created.date() == STAND


def test_docx_privacy_and_internal_header(files):
    for name in ("public", "internal"):
        text = report_docx.document_text(files[name][1])
        raw = rs.zip_text(files[name][1])
        for value in rs.CONTACT_VALUES:
            assert value not in text and value not in raw
        for ini in rs.NON_PUBLIC:
            assert (ini["initiative_id"] in text) == (name == "internal")
        assert rs.FORMULA_TITLE in text
    doc = docx.Document(io.BytesIO(files["internal"][1]))
    section = doc.sections[0]
    assert INTERNAL_LABEL in section.header.paragraphs[0].text
    assert INTERNAL_LABEL in section.first_page_header.paragraphs[0].text
    assert "INTERN" not in docx.Document(io.BytesIO(files["public"][1])).sections[0].header.paragraphs[0].text


# ---------------------------------------------------------------- XLSX
def test_xlsx_one_sheet_per_topic_with_frozen_filtered_header(files, public):
    wb, _ = xlsx_cells(files["public"][2])
    assert wb.sheetnames == [xlsx.SHEET_NAMES[t.key] for t in public.sheets]
    for ws, table in zip(wb.worksheets, public.sheets):
        assert ws.freeze_panes == "A5", ws.title
        assert ws.auto_filter.ref.startswith("A4:"), ws.title
        header = [c.value for c in ws[4]][:len(table.columns)]
        assert header == [c.label for c in table.columns], ws.title
        assert all(c.font.bold for c in ws[4][:len(table.columns)])
        assert ws.max_row == 4 + max(len(table), 0) or (len(table) == 0 and ws.max_row == 4)
        assert DISTRICT_NAME in ws["A1"].value and "INTERN" not in ws["A1"].value


def test_xlsx_numbers_dates_and_text_are_typed(files, public):
    wb, _ = xlsx_cells(files["public"][2])
    ws = wb["Initiativen"]
    header = [c.value for c in ws[4]]
    rows = {r[0].value: dict(zip(header, r)) for r in ws.iter_rows(min_row=5)}
    first = next(i for i in rs.scope() if i["funding_granted_eur"])
    cell = rows[first["initiative_id"]]["Fördermittel bewilligt (€)"]
    assert cell.data_type == "n" and cell.value == first["funding_granted_eur"]
    assert rows[first["initiative_id"]]["Beginn"].is_date
    formula_id = next(i["initiative_id"] for i in rs.scope() if i["title"] == rs.FORMULA_TITLE)
    title = rows[formula_id]["Titel"]
    assert title.value == rs.FORMULA_TITLE and title.data_type == "s"
    summary = wb["Übersicht"]
    values = {r[0].value: r[1] for r in summary.iter_rows(min_row=5)}
    label = next(f.label for f in public.summary if f.key == "initiatives")
    assert values[label].data_type == "n" and values[label].value == public.summary_value("initiatives")


def test_xlsx_never_holds_a_formula(files):
    for name in ("public", "internal"):
        wb, cells = xlsx_cells(files[name][2])
        assert all(c.data_type != "f" for c in cells)
        with zipfile.ZipFile(io.BytesIO(files[name][2])) as z:
            for part in z.namelist():
                if part.startswith("xl/worksheets/"):
                    xml = z.read(part).decode("utf-8")
                    assert "<f>" not in xml and "<f " not in xml, part
        texts = [c.value for c in wb["Einschätzung"]["A"] if isinstance(c.value, str)]
        assert any(t.startswith("=HYPERLINK(") for t in texts) and any(t.startswith("{=SUMME(") for t in texts)


def test_xlsx_privacy_and_variants(files):
    for name in ("public", "internal"):
        raw = rs.zip_text(files[name][2])
        for value in rs.CONTACT_VALUES:
            assert value not in raw, value
        for ini in rs.NON_PUBLIC:
            assert (ini["initiative_id"] in raw) == (name == "internal")
    wb, _ = xlsx_cells(files["internal"][2])
    for ws in wb.worksheets:
        assert INTERNAL_LABEL in ws["A1"].value, ws.title


# ---------------------------------------------------------------- reproducible, charts
def test_same_report_same_files(files, public):
    again = content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO, assessment=ASSESSMENT))
    assert pdf.to_pdf(again, NO_CHARTS) == files["public"][0]
    assert report_docx.to_docx(again, NO_CHARTS) == files["public"][1]
    assert xlsx.to_xlsx(again) == files["public"][2]


def test_missing_browser_puts_a_note_in_place_of_each_chart(monkeypatch, public):
    figures.clear_cache()
    monkeypatch.setattr(figures, "browser_path", lambda: None)
    images = figures.render(public.charts)
    text = " ".join(pdf_pages(pdf.to_pdf(public, images))).replace("\n", " ")
    assert text.count("Grafik nicht verfügbar") == len(public.charts)
    assert "Chromium wurde nicht gefunden" in text
    doc_text = report_docx.document_text(report_docx.to_docx(public, images))
    assert doc_text.count("Grafik nicht verfügbar") == len(public.charts)


@pytest.fixture(scope="module")
def rendered(public):
    """Chart images rendered once for this module (needs Chromium; skipped without)."""
    problem = figures.availability()
    if problem:
        pytest.skip(problem)
    images = figures.render(public.charts)
    assert images.note is None, images.note
    return images


def test_charts_are_embedded_as_images(public, rendered):
    assert set(rendered.images) == {c.key for c in public.charts}
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in rendered.images.values())
    reader = PdfReader(io.BytesIO(pdf.to_pdf(public, rendered)))
    embedded = sum(len(page.images) for page in reader.pages)
    assert embedded == len(public.charts)
    assert "Grafik nicht verfügbar" not in " ".join(p.extract_text() for p in reader.pages)
    doc = docx.Document(io.BytesIO(report_docx.to_docx(public, rendered)))
    assert len(doc.inline_shapes) == len(public.charts)


# ---------------------------------------------------------------- the shared XLSX writer and the app config
def test_to_xlsx_sheets_types_every_cell_and_drops_contacts():
    import datetime as dt

    import pandas as pd

    from monitor.data import export

    frame = pd.DataFrame({"Text": ["=1+1", "{=SUMME(A1:A2)}", "@x", "+49 351", "\tTab"], "Zahl": [1.5, -2, 3, 4, 5],
                          "Datum": [dt.date(2026, 1, 2)] * 5, "E-Mail": ["a@b.de"] * 5})
    when = dt.datetime(2026, 6, 30, 12)
    data = export.to_xlsx_sheets([export.Sheet("Blatt/1", frame, title="=Titel", subtitle="Stand",
                                               formats={"Zahl": "#,##0.0"})], created=when)
    assert data == export.to_xlsx_sheets([export.Sheet("Blatt/1", frame, title="=Titel", subtitle="Stand",
                                                       formats={"Zahl": "#,##0.0"})], created=when)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert ws.title == "Blatt 1" and ws["A1"].value == "=Titel" and ws["A1"].data_type == "s"
    assert [c.value for c in ws[4]] == ["Text", "Zahl", "Datum"]  # contact column dropped
    assert [c.value for c in ws["A"][4:]] == list(frame["Text"]) and all(c.data_type == "s" for c in ws["A"][4:])
    assert [c.value for c in ws["B"][4:]] == [1.5, -2, 3, 4, 5] and ws["B5"].number_format == "#,##0.0"
    assert ws["C5"].is_date and ws.freeze_panes == "A5" and ws.auto_filter.ref == "A4:C9"
    assert wb.properties.created == when and wb.properties.modified == when
    assert "a@b.de" not in rs.zip_text(data)


def test_streamlit_table_download_is_disabled():
    """st.dataframe's own CSV download would bypass monitor/data/export.py's sanitising."""
    import tomllib

    from tests.fixture_db import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
