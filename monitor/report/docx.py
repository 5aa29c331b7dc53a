"""The report as an editable Word document (DOCX): A4, real heading styles (Überschrift 1-3 = Heading 1-3),
a table of contents field (Word fills in the page numbers when the file is opened), tables with a repeated
header row, the same charts as the PDF (or the German note in their place), "Seite x von y" in the footer
and the running header — with "INTERN – nicht zur Weitergabe" in the internal variant.

Reproducible: core properties dated to the data Stand and fixed zip entry times (same report, same bytes).
"""
from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor, Twips

from monitor.core import palette
from monitor.data import export
from monitor.report import figures, pdf
from monitor.report.model import (
    PILOT_ACTION,
    ChartBlock,
    Figures,
    Heading,
    PageBreak,
    Report,
    Table,
    TableBlock,
    Text,
)

MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_FONT = "Arial"
NAVY = RGBColor.from_string(palette.hex_digits(palette.REPORT_ACCENT))
GREY = RGBColor.from_string(palette.hex_digits(palette.REPORT_SECONDARY))
RED = RGBColor.from_string(palette.hex_digits(palette.REPORT_ALERT))
ORANGE = RGBColor.from_string(palette.hex_digits(palette.REPORT_WARNING))
PAGE_W_CM, MARGIN_CM = 21.0, 2.0
TEXT_W_CM = PAGE_W_CM - 2 * MARGIN_CM


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC …) in ``paragraph``; Word computes its value."""
    def el(tag, **attrs):
        e = OxmlElement(tag)
        for k, v in attrs.items():
            e.set(qn(k), v)
        return e

    run = paragraph.add_run()
    run._r.append(el("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"}))
    instr = el("w:instrText", **{"xml:space": "preserve"})
    instr.text = f" {instruction} "
    run._r.append(instr)
    run._r.append(el("w:fldChar", **{"w:fldCharType": "separate"}))
    paragraph.add_run(placeholder)
    end = paragraph.add_run()
    end._r.append(el("w:fldChar", **{"w:fldCharType": "end"}))


def _shade(cell, hex_fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_fill)
    props.append(shd)


def _right_tab(paragraph) -> None:
    """One right-aligned tab stop at the right margin instead of the template's (Letter-sized) stops."""
    stops = paragraph.paragraph_format.tab_stops
    for pos in (4680, 9360):
        stops.add_tab_stop(Twips(pos), WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(Cm(TEXT_W_CM), WD_TAB_ALIGNMENT.RIGHT)


def _setup(doc, report: Report) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_W_CM), Cm(29.7)
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)
    section.different_first_page_header_footer = True
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), DOCX_FONT)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 24), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        style = styles[name]
        style.font.name = DOCX_FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # theme fonts win over Arial
            fonts.attrib.pop(qn(attr), None)
        style.font.size = Pt(size)
        style.font.color.rgb = NAVY
        style.font.bold = True
        style.paragraph_format.keep_with_next = True
    styles["Caption"].font.color.rgb = GREY
    styles["Caption"].font.size = Pt(8)
    styles["Caption"].font.bold = False
    # Ask Word to update fields (table of contents, page count) when the document is opened.
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    compat = settings.find(qn("w:compat"))  # the schema wants updateFields right before compat
    if compat is not None:
        compat.addprevious(update)
    else:
        settings.append(update)
    lang = OxmlElement("w:lang")  # German spell checking in Word
    lang.set(qn("w:val"), "de-DE")
    normal.element.get_or_add_rPr().append(lang)
    props = doc.core_properties
    created = report.created()
    # Word's document properties hold at most 255 characters (python-docx refuses more); a long district name
    # from gebiete.csv must not stop the report.
    props.title = _property(f"{report.title} – {report.subtitle}")
    props.subject = _property(f"{report.district_name}: Bericht {report.period_text}")
    props.author = props.last_modified_by = _property(report.district_name)
    props.keywords = "intern" if report.internal else "öffentlich"
    props.category = "INTERN – nicht zur Weitergabe" if report.internal else "öffentlich"
    props.comments = _property(report.selection)
    props.created = props.modified = created
    props.last_printed = created
    props.revision = 1
    props.language = "de-DE"
    # running header and footer (pages 2..n); the title page has its own (intern label only)
    header = section.header.paragraphs[0]
    _right_tab(header)
    header.text = report.header_text
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = GREY
    if report.internal or report.synthetic:
        run = header.add_run("\t" + (report.label if report.internal else "Beispieldaten – keine amtlichen Zahlen"))
        run.font.bold = True
        run.font.size = Pt(8)
        run.font.color.rgb = RED if report.internal else ORANGE
    footer = section.footer.paragraphs[0]
    _right_tab(footer)
    run = footer.add_run(f"Regionalmonitor · Pilotaktion „{PILOT_ACTION}“\tSeite ")
    run.font.size = Pt(8)
    _field(footer, "PAGE", "1")
    footer.add_run(" von ").font.size = Pt(8)
    _field(footer, "NUMPAGES", "1")
    for r in footer.runs:
        r.font.size = Pt(8)
    first = section.first_page_header.paragraphs[0]
    if report.internal:
        run = first.add_run(report.label)
        run.font.bold = True
        run.font.color.rgb = RED
        first.alignment = WD_ALIGN_PARAGRAPH.RIGHT



def _property(text: str, limit: int = 255) -> str:
    """A document property's text, cut to ``limit`` characters (with '…' when cut)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"

def _title_page(doc, report: Report) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(60)
    run = p.add_run(report.district_name)
    run.font.size, run.font.bold, run.font.color.rgb = Pt(15), True, GREY
    doc.add_paragraph("Bericht zur Pilotaktion").runs[0].font.size = Pt(13)
    doc.add_paragraph(f"„{PILOT_ACTION}“", style="Title")
    doc.add_paragraph("der Territorialen Agenda 2030 der Europäischen Union").runs[0].font.color.rgb = GREY
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(18)
    run = p.add_run(report.subtitle)
    run.font.size, run.font.bold = Pt(14), True
    rows = [("Herausgeber", f"{report.district_name}, Kompetenzstelle"),
            ("Stand der Daten", report.stand_text().removeprefix("Stand der Daten: ")),
            ("Auswahl", report.selection.removeprefix("Auswahl: ")),
            ("Fassung", "INTERN – nicht zur Weitergabe" if report.internal else "öffentlich (zur Weitergabe)")]
    t = doc.add_table(rows=len(rows), cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    t.autofit = False
    t.columns[0].width, t.columns[1].width = Cm(4), Cm(TEXT_W_CM - 4)
    for (label, value), row in zip(rows, t.rows):
        row.cells[0].text, row.cells[1].text = label, value
        row.cells[0].paragraphs[0].runs[0].font.bold = True
        row.cells[0].width, row.cells[1].width = Cm(4), Cm(TEXT_W_CM - 4)
    if report.internal:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(18)
        run = p.add_run("INTERN – nicht zur Weitergabe. Diese Fassung enthält auch Initiativen, die nicht zur "
                        "Veröffentlichung freigegeben sind.")
        run.font.bold, run.font.color.rgb = True, RED
    if report.synthetic:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(12)
        run = p.add_run("Beispieldaten: Dieser Bericht beruht auf erfundenen Initiativen und Statistikwerten zum "
                        "Ausprobieren. Keine amtlichen Zahlen – nicht für Entscheidungen oder die Weitergabe "
                        "bestimmt.")
        run.font.color.rgb = ORANGE
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    p = doc.add_paragraph()
    run = p.add_run("Inhalt")
    run.font.size, run.font.bold, run.font.color.rgb = Pt(16), True, NAVY
    _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u',
           "Das Inhaltsverzeichnis wird beim Öffnen in Word aktualisiert (sonst: Rechtsklick → Felder aktualisieren).")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _x(text: str) -> str:
    return escape(_XML_ILLEGAL.sub("", text))


def _cell_xml(text: str, width: int, size: int, *, right: bool, fill: str | None, bold: bool = False,
              colour: str | None = None) -> str:
    runs = "<w:br/>".join(f'<w:t xml:space="preserve">{_x(line)}</w:t>' for line in text.split("\n"))
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    jc = '<w:jc w:val="right"/>' if right else ""
    rpr = ("<w:b/>" if bold else "") + (f'<w:color w:val="{colour}"/>' if colour else "") + \
        f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>'
            f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/>{jc}</w:pPr>'
            f'<w:r><w:rPr>{rpr}</w:rPr>{runs}</w:r></w:p></w:tc>')


def _table(doc, table: Table, compact: bool, titled: bool) -> None:
    """A report table as a Word table (style Table Grid, dark header row repeated on every page, zebra rows,
    numbers right-aligned), built as one XML fragment (python-docx's cell API is slow for big tables)."""
    if titled:
        p = doc.add_paragraph()
        run = p.add_run(table.title)
        run.font.bold = True
        run.font.size = Pt(9.5)
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_after = Pt(3)
    if not table.rows:
        doc.add_paragraph(table.empty_text).runs[0].font.color.rgb = GREY
        return
    size = 15 if compact else 17  # half points
    text_twips = int(TEXT_W_CM / 2.54 * 1440)
    texts = table.texts()
    # the PDF's fitting (numbers and dates unwrapped, text columns share the rest), in twips
    widths = [int(w * 20) for w in pdf.column_widths(table, texts, text_twips / 20, size / 2 * 1.1)]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{colour}"/>' for side, colour in (
        ("top", "0B3C5D"), ("left", "FFFFFF"), ("bottom", "0B3C5D"), ("right", "FFFFFF"), ("insideH", "C8D0D8"),
        ("insideV", "FFFFFF")))
    head = "".join(_cell_xml(c.print_label, w, size, right=c.numeric, fill="0B3C5D", bold=True, colour="FFFFFF")
                   for c, w in zip(table.columns, widths))
    rows = ['<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>' + head + "</w:tr>"]
    for n, row_texts in enumerate(texts):
        fill = "F2F5F8" if n % 2 else None
        rows.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(
            _cell_xml(t, w, size, right=c.numeric, fill=fill) for t, c, w in zip(row_texts, table.columns, widths))
            + "</w:tr>")
    xml = (f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(widths)}" '
           f'w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar>'
           f'<w:top w:w="15" w:type="dxa"/><w:left w:w="60" w:type="dxa"/><w:bottom w:w="15" w:type="dxa"/>'
           f'<w:right w:w="60" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="04A0" w:firstRow="1" '
           f'w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
           f'<w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')
    doc.element.body._insert_tbl(parse_xml(xml))
    if table.note:
        p = doc.add_paragraph()
        run = p.add_run(table.note)
        run.font.size, run.font.color.rgb = Pt(8), GREY
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(2)


def _figures(doc, figs) -> None:
    per_row = 4
    rows = [figs[i:i + per_row] for i in range(0, len(figs), per_row)]
    t = doc.add_table(rows=len(rows), cols=per_row)
    for row, items in zip(t.rows, rows):
        for cell, f in zip(row.cells, items):
            _shade(cell, "F2F5F8")
            value = cell.paragraphs[0].add_run(f.text())
            value.font.size, value.font.bold, value.font.color.rgb = Pt(13), True, NAVY
            label = cell.add_paragraph().add_run(f.label + (f" ({f.note})" if f.note else ""))
            label.font.size, label.font.color.rgb = Pt(7.5), GREY
    doc.add_paragraph()


def _chart(doc, chart, png: bytes | None, note: str | None, number: int) -> None:
    if png is None:
        p = doc.add_paragraph()
        run = p.add_run(f"Grafik nicht verfügbar: {chart.alt or chart.caption}. {note or figures.DISABLED}")
        run.font.color.rgb = GREY
    else:
        width = TEXT_W_CM
        height = width * chart.height / chart.width
        if height > 21:
            width = width * 21 / height
        doc.add_picture(io.BytesIO(png), width=Cm(width))
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    doc.add_paragraph(f"Abbildung {number}: {chart.caption}", style="Caption")


def to_docx(report: Report, images: figures.ChartImages | None = None) -> bytes:
    """The report as DOCX bytes. ``images``: chart PNGs (default: rendered now via :func:`figures.render`;
    pass :func:`figures.disabled` for a document without charts)."""
    if images is None:
        images = figures.render(report.charts)
    doc = Document()
    _setup(doc, report)
    _title_page(doc, report)
    chart_no = 0
    styles = {"body": None, "lead": None, "note": None, "assessment": None, "warning": None}
    for block in report.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=min(block.level, 3))
        elif isinstance(block, Text):
            p = doc.add_paragraph(style=styles.get(block.style))
            run = p.add_run(block.text)
            if block.style == "note":
                run.font.size, run.font.color.rgb = Pt(8.5), GREY
            elif block.style == "lead":
                run.font.size = Pt(11)
            elif block.style == "warning":
                run.font.color.rgb = ORANGE
        elif isinstance(block, Figures):
            _figures(doc, list(block.figures))
        elif isinstance(block, TableBlock):
            _table(doc, block.table, block.compact, block.titled)
        elif isinstance(block, ChartBlock):
            chart_no += 1
            _chart(doc, block.chart, images.get(block.chart.key), images.note, chart_no)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buf = io.BytesIO()
    doc.save(buf)
    return export.stable_zip(buf.getvalue(), report.created())


def document_text(data: bytes) -> str:
    """All text of a DOCX (paragraphs, tables, headers, footers) for checks and tests."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    for s in doc.sections:
        for part in (s.header, s.footer, s.first_page_header, s.first_page_footer):
            parts += [p.text for p in part.paragraphs]
    return "\n".join(parts)
