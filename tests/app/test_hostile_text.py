"""Text from data files is shown as text on every page and in every export (the markup corpus of
``tests/hostile_source.py``: Markdown, HTML and LaTeX in every free-text column of every input file).

The hostile source folder is built by the real ETL once for this module. Then:

- every page of app.py (AppTest; the Initiativen page with the initiative's detail view, the Gemeinden page in
  both tabs): no Markdown the page sends (markdown, captions, headings, alerts, labels and help texts of
  metrics, widgets, tabs and expanders) holds a live link, image, bold, LaTeX or HTML tag of the payload, or an
  address GFM would link by itself; no plotly figure holds a raw ``<a``/``<span``/``<img``/``<b>`` tag; map
  tooltips are text, never HTML; and the payload does reach the page (else the test would prove nothing);
- every export — the list downloads (CSV, Excel), the period report (PDF, Word, Excel, internal variant: all
  initiatives) with its charts, the Steckbrief (PDF): the payload appears as plain text, and there is no live
  hyperlink (PDF link annotation, Word hyperlink, Excel hyperlink or formula).
"""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from monitor.data.filters import Filters
from tests.app_helpers import new_app, shown
from tests.browser_support import app_pages
from tests.conftest import MINIMAL_TODAY, serving
from tests.hostile_source import MARKERS, PAYLOAD, PLOTLY_TAGS, live_markup, make_hostile_source

PAGES = app_pages()
PERIOD = Filters(dt.date(2024, 1, 1), dt.date(2026, 12, 31))
#: Element types whose value Streamlit renders as Markdown.
MARKDOWN_TYPES = {"markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success",
                  "toast"}
#: Fragments of the payload that show it arrived (as text), whatever the escaping of the place.
ARRIVED = ("fett", "hostile.invalid")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    from etl.build import build

    base = tmp_path_factory.mktemp("hostile")
    db = base / "hostile.duckdb"
    build(make_hostile_source(base / "src"), db, today=MINIMAL_TODAY)
    with serving(db, MINIMAL_TODAY):
        yield db


def walk(node):
    yield node
    children = getattr(node, "children", {})
    for key in sorted(children):
        yield from walk(children[key])


def markdown_texts(at) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown."""
    out = []
    for root in (at.main, at.sidebar):
        for node in walk(root):
            if node.type in MARKDOWN_TYPES and isinstance(getattr(node, "value", None), str):
                out.append(node.value)
            for attr in ("label", "help"):  # widget, metric, tab and expander labels and help texts
                try:
                    value = getattr(node, attr, None)
                except Exception:  # noqa: BLE001 - some elements compute these from parts they lack
                    value = None
                if isinstance(value, str):
                    out.append(value)
    return out


def strings(obj):
    """Every string in a JSON value."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from strings(v)


def raw_tags(texts) -> list[str]:
    return [t for t in texts if any(tag in t for tag in PLOTLY_TAGS)]


def open_hostile(page) -> object:
    at = new_app()
    at.query_params["von"] = PERIOD.date_from.isoformat()
    at.query_params["bis"] = PERIOD.date_to.isoformat()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page.url_path:
        at.switch_page(page.file).run()
        assert not at.exception, [e.value for e in at.exception]
    if page.file == "pages/initiativen.py":  # with the detail view
        at.selectbox(key="initiative").set_value("I-001").run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def check_page(at) -> list[str]:
    """Asserts the page shows data text as text; returns every text the page shows (to look for the payload)."""
    texts = markdown_texts(at)
    live = {t: live_markup(t) for t in texts if live_markup(t)}
    assert live == {}, live
    shown_texts = [shown(t) for t in texts]
    for chart in at.get("plotly_chart"):
        spec = list(strings(json.loads(chart.proto.spec)))
        assert raw_tags(spec) == [], raw_tags(spec)
        shown_texts += spec
    for chart in at.get("deck_gl_json_chart"):
        tooltip = json.loads(chart.proto.tooltip or "{}")
        assert "html" not in tooltip, tooltip  # deck.gl sets an "html" tooltip as innerHTML, "text" as innerText
        shown_texts += list(strings(json.loads(chart.proto.json)))
    for frame in at.dataframe:
        shown_texts += [str(v) for v in frame.value.astype(str).to_numpy().ravel()]
    return shown_texts


@pytest.mark.parametrize("page", PAGES, ids=[p.url_path or "start" for p in PAGES])
def test_page_shows_data_text_as_text(hostile_db, page):
    at = open_hostile(page)
    texts = check_page(at)
    if page.file == "pages/gemeinden.py":  # the comparison tab runs only when open
        at.query_params["gemeinde_ansicht"] = "Vergleich"
        at.run()
        assert not at.exception
        texts += check_page(at)
    assert any(all(a in t for a in ARRIVED) for t in texts), "the payload does not reach the page"


def test_detail_view_shows_addresses_as_text(hostile_db):
    at = open_hostile(next(p for p in PAGES if p.file == "pages/initiativen.py"))
    details = [t for t in markdown_texts(at) if "fett" in t]
    assert len(details) >= 3  # title, summary, facts, contact
    assert all("http://hostile" not in t.replace("\u2060", "") or "\u2060" in t for t in details)


# ---------------------------------------------------------------- exports
def pdf_text_and_links(data: bytes) -> tuple[str, list]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join((p.extract_text() or "") for p in reader.pages).replace("\n", " ")
    links = [a.get_object() for p in reader.pages for a in (p.get("/Annots") or [])]
    # links inside the document (contents -> chapter: /Dest) are fine; a web address (/URI) is not
    return text, [a for a in links if "/A" in a and "/URI" in a["/A"].get_object()]


def assert_pdf_plain(data: bytes) -> None:
    text, links = pdf_text_and_links(data)
    assert links == []
    for fragment in ("**fett**", "$x^2$", "<span", "hostile.invalid"):
        assert fragment in text, fragment


def assert_docx_plain(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels")))
    assert "<w:hyperlink" not in xml and 'TargetMode="External"' not in xml
    assert "&lt;span style=" in xml and "**fett**" in xml


def assert_xlsx_plain(data: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.hyperlink is not None] == []
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert any(isinstance(c.value, str) and PAYLOAD in c.value for c in cells)


def test_list_downloads_hold_the_payload_as_text(hostile_db):
    from monitor.data import initiatives

    view = initiatives.load(PERIOD, today=MINIMAL_TODAY)
    csv_text = view.download_csv(False).decode("utf-8-sig")
    assert PAYLOAD in csv_text.replace('""', '"')
    assert_xlsx_plain(view.download_xlsx(False))


def test_report_files_hold_the_payload_as_text(hostile_db):
    from monitor.report import content, figures, pdf, xlsx
    from monitor.report import docx as report_docx
    from monitor.report.model import ReportParams

    report = content.build_report(ReportParams(PERIOD.date_from, PERIOD.date_to, internal=True))
    for chart in report.charts:
        spec = list(strings(json.loads(chart.figure_json)))
        assert raw_tags(spec) == [], (chart.key, raw_tags(spec))
    assert_pdf_plain(pdf.to_pdf(report, figures.disabled()))
    assert_docx_plain(report_docx.to_docx(report, figures.disabled()))
    assert_xlsx_plain(xlsx.to_xlsx(report))


def test_steckbrief_holds_the_payload_as_text(hostile_db):
    from monitor.report import figures, profile

    p = profile.build_profile("14626060", PERIOD)
    for chart in getattr(p, "charts", ()):
        spec = list(strings(json.loads(chart.figure_json)))
        assert raw_tags(spec) == []
    assert_pdf_plain(profile.to_pdf(p, figures.disabled()))


def test_markers_catch_unescaped_payload():
    """The check itself: the raw payload is caught, the escaped one passes."""
    from monitor.core.text import md_text, plotly_text

    assert set(live_markup(PAYLOAD)) == set(MARKERS)
    assert live_markup(md_text(PAYLOAD)) == []
    assert raw_tags([PAYLOAD]) and raw_tags([plotly_text(PAYLOAD)]) == []
    assert shown(md_text(PAYLOAD)) == PAYLOAD
