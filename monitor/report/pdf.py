"""The report as PDF (A4, print quality): title page, table of contents with page numbers, the report's
blocks in order, "Seite x von y" in the footer, PDF bookmarks; charts as embedded PNGs (300 dpi at full
width) or, when they could not be rendered, a German note in their place.

Reproducible: reportlab's invariant mode plus the data Stand as creation date, so the same report gives the
same bytes. Text from the workbook is XML-escaped before it reaches reportlab's paragraph markup, so a title
like ``<img src=x>`` prints literally. Fonts: DejaVu Sans (shipped in ``monitor/report/fonts``; Debian's
copy is the fallback), which covers German and Sorbian letters (ä ö ü ß ě ł ...).
"""
from __future__ import annotations

import functools
import io
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from monitor.core import palette
from monitor.report import figures
from monitor.report.model import (
    PILOT_ACTION,
    ChartBlock,
    Figures,
    Heading,
    PageBreak as PageBreakBlock,
    Report,
    Table as ReportTable,
    TableBlock,
    Text,
)
from monitor.core.vocab import THEMES

FONT_DIRS = (Path(__file__).resolve().parent / "fonts", Path("/usr/share/fonts/truetype/dejavu"))
PDF_FONT, FONT_BOLD, FONT_WIDE, FONT_WIDE_BOLD = "RM-Condensed", "RM-Condensed-Bold", "RM-Sans", "RM-Sans-Bold"
_FONT_FILES = {PDF_FONT: "DejaVuSansCondensed.ttf", FONT_BOLD: "DejaVuSansCondensed-Bold.ttf",
               FONT_WIDE: "DejaVuSans.ttf", FONT_WIDE_BOLD: "DejaVuSans-Bold.ttf"}

PAGE_W, PAGE_H = A4
MARGIN_L = MARGIN_R = 20 * mm
MARGIN_T, MARGIN_B = 24 * mm, 20 * mm
FRAME_W = PAGE_W - MARGIN_L - MARGIN_R
FRAME_H = PAGE_H - MARGIN_T - MARGIN_B
NAVY = colors.HexColor(palette.REPORT_ACCENT)
GREY = colors.HexColor(palette.REPORT_SECONDARY)
LIGHT = colors.HexColor(palette.REPORT_ZEBRA)
RULE = colors.HexColor(palette.REPORT_RULE)
RED = colors.HexColor(palette.REPORT_ALERT)
RED_BG = colors.HexColor(palette.REPORT_ALERT_BG)
ORANGE_BG = colors.HexColor(palette.REPORT_WARNING_BG)
ORANGE = colors.HexColor(palette.REPORT_WARNING)
MIME = "application/pdf"
# Binary (Flate) streams instead of ASCII85: reportlab 5 encodes ASCII85 in pure Python, which made embedding
# the chart images take seconds; binary streams are smaller too.
rl_config.useA85 = 0


class FontMissing(RuntimeError):
    """No DejaVu font file found (neither shipped nor installed)."""


def register_fonts() -> None:
    """Register the DejaVu fonts with reportlab once (shipped copies first, then Debian's)."""
    if PDF_FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in _FONT_FILES.items():
        path = next((d / file for d in FONT_DIRS if (d / file).is_file()), None)
        if path is None:
            raise FontMissing(f"Schrift {file} nicht gefunden (erwartet in monitor/report/fonts).")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(PDF_FONT, normal=PDF_FONT, bold=FONT_BOLD, italic=PDF_FONT, boldItalic=FONT_BOLD)
    pdfmetrics.registerFontFamily(FONT_WIDE, normal=FONT_WIDE, bold=FONT_WIDE_BOLD, italic=FONT_WIDE,
                                  boldItalic=FONT_WIDE_BOLD)


def esc(text) -> str:
    """Data text for a reportlab Paragraph: XML special characters escaped, line breaks kept."""
    return escape("" if text is None else str(text)).replace("\n", "<br/>")


# ---------------------------------------------------------------------------------------------- styles

def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of every report PDF."""
    register_fonts()
    base = ParagraphStyle("body", fontName=PDF_FONT, fontSize=9.5, leading=13.2, textColor=colors.black,
                          spaceAfter=5)
    s = {
        "body": base,
        "lead": ParagraphStyle("lead", parent=base, fontSize=10.5, leading=14.5, spaceAfter=8),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10.5, textColor=GREY, spaceAfter=4),
        "assessment": ParagraphStyle("assessment", parent=base, fontSize=10, leading=14, spaceAfter=8),
        "warning": ParagraphStyle("warning", parent=base, fontSize=9, leading=12, textColor=ORANGE,
                                  backColor=ORANGE_BG, borderPadding=(5, 6, 5, 6), spaceBefore=4, spaceAfter=10),
        "h1": ParagraphStyle("h1", fontName=FONT_WIDE_BOLD, fontSize=16, leading=20, textColor=NAVY,
                             spaceBefore=16, spaceAfter=10, keepWithNext=1),
        "h2": ParagraphStyle("h2", fontName=FONT_WIDE_BOLD, fontSize=12.5, leading=16, textColor=NAVY,
                             spaceBefore=8, spaceAfter=6, keepWithNext=1),
        "h3": ParagraphStyle("h3", fontName=FONT_BOLD, fontSize=10.5, leading=14, textColor=NAVY,
                             spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "table_title": ParagraphStyle("table_title", fontName=FONT_BOLD, fontSize=9, leading=12, spaceBefore=4,
                                      spaceAfter=3, keepWithNext=1),
        "caption": ParagraphStyle("caption", fontName=PDF_FONT, fontSize=8, leading=10.5, textColor=GREY,
                                  spaceBefore=2, spaceAfter=10),
        "toc_title": ParagraphStyle("toc_title", fontName=FONT_WIDE_BOLD, fontSize=16, leading=20, textColor=NAVY,
                                    spaceAfter=12),
        "toc1": ParagraphStyle("toc1", fontName=FONT_BOLD, fontSize=10, leading=14, spaceBefore=14, spaceAfter=3),
        "toc2": ParagraphStyle("toc2", fontName=PDF_FONT, fontSize=9, leading=12.5, leftIndent=8 * mm, spaceBefore=3,
                               spaceAfter=3),
        "fig_value": ParagraphStyle("fig_value", fontName=FONT_WIDE_BOLD, fontSize=13, leading=16, textColor=NAVY),
        "fig_label": ParagraphStyle("fig_label", fontName=PDF_FONT, fontSize=7.8, leading=9.5, textColor=GREY),
        "missing": ParagraphStyle("missing", fontName=PDF_FONT, fontSize=8.5, leading=11, textColor=GREY),
    }
    for size, suffix in ((8, ""), (7, "_compact")):
        s["cell" + suffix] = ParagraphStyle("cell" + suffix, fontName=PDF_FONT, fontSize=size, leading=size * 1.25)
        s["cell_num" + suffix] = ParagraphStyle("cell_num" + suffix, parent=s["cell" + suffix], alignment=TA_RIGHT)
        s["head" + suffix] = ParagraphStyle("head" + suffix, fontName=FONT_BOLD, fontSize=size, leading=size * 1.25,
                                            textColor=colors.white)
        s["head_num" + suffix] = ParagraphStyle("head_num" + suffix, parent=s["head" + suffix], alignment=TA_RIGHT)
    return s


# ---------------------------------------------------------------------------------------------- flowables

class _Heading(Paragraph):
    """A heading that registers itself in the table of contents and the PDF bookmarks."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str):
        super().__init__(esc(text), style)
        self.toc_level, self.toc_text, self.toc_key = level, text, key


@functools.lru_cache(maxsize=64)
def print_image(png: bytes) -> bytes:
    """A chart PNG (RGBA from kaleido) as a high-quality JPEG on white (quality 90, no chroma subsampling):
    reportlab embeds JPEG data as it is, while a PNG would be decoded and re-compressed on every build (the
    slowest step of the PDF). Text stays sharp at the 2x render scale (~250 dpi at full width)."""
    with PILImage.open(io.BytesIO(png)) as im:
        im.load()
        flat = PILImage.new("RGB", im.size, "white")
        flat.paste(im, mask=im.getchannel("A") if im.mode in ("RGBA", "LA") else None)
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=90, subsampling=0, optimize=False)
    return out.getvalue()


class _ThemeStripe(Flowable):
    """Four bars in the theme colours (title page)."""

    def __init__(self, width: float, height: float = 3 * mm):
        super().__init__()
        self.width, self.height = width, height

    def draw(self):
        w = self.width / len(THEMES)
        for n, theme in enumerate(THEMES):
            self.canv.setFillColor(colors.HexColor(theme.colour))
            self.canv.rect(n * w, 0, w, self.height, stroke=0, fill=1)


class _TocLine(Flowable):
    """One line of the table of contents: the heading's text (a link to it) now, the dot leader and the page
    number when the document is saved (:class:`_Canvas` asks :meth:`finish`). Its height does not depend on
    the page numbers, so the document is laid out once; reportlab's TableOfContents needs a second layout pass
    of everything (seconds for a long annex)."""

    NUMBER_W = 12 * mm  # the page-number column at the right edge

    def __init__(self, text: str, key: str, style: ParagraphStyle):
        super().__init__()
        self.key, self.style = key, style
        self._para = Paragraph(f'<a href="#{key}">{esc(text)}</a><onDraw name="rm_toc_end" label="{key}"/>', style)
        self._end: tuple[float, float] | None = None

    def wrap(self, avail_w, avail_h):
        self.width = avail_w
        _, self.height = self._para.wrap(avail_w - self.NUMBER_W, avail_h)
        return self.width, self.height

    def getSpaceBefore(self):
        return self.style.spaceBefore

    def getSpaceAfter(self):
        return self.style.spaceAfter

    def drawOn(self, canvas, x, y, _sW=0):
        self._origin = (x, y)
        super().drawOn(canvas, x, y, _sW)

    def draw(self):
        def text_end(canv, _kind, _label):  # where the text's last line ends (relative to this flowable)
            self._end = (canv._curr_tx_info["cur_x"], canv._curr_tx_info["cur_y"])

        self.canv.setNamedCB("rm_toc_end", text_end)
        self._para.drawOn(self.canv, 0, 0)
        self.canv.rm_toc_pending.append(self)

    def finish(self, canv, page: int | None) -> None:
        """Draw the dot leader and ``page`` (the heading's page) right-aligned, with a link to the heading."""
        if page is None or self._end is None:
            return
        st = self.style
        number = str(page)
        x0, y0 = self._origin
        right = x0 + self.width
        end_x, y = x0 + self._end[0], y0 + self._end[1]
        number_w = pdfmetrics.stringWidth(number, st.fontName, st.fontSize)
        dot = " . "
        dot_w = pdfmetrics.stringWidth(dot, st.fontName, st.fontSize)
        dots = max(0, int((right - number_w - end_x) / dot_w))
        text = canv.beginText(right - number_w - dots * dot_w, y)
        text.setFont(st.fontName, st.fontSize)
        text.setFillColor(st.textColor)
        text.textLine(dots * dot + number)
        canv.drawText(text)
        canv.linkRect("", self.key, (right - number_w, y, right, y + st.leading), relative=0)


def _fixed(column) -> bool:
    """Columns that never wrap: numbers, dates, yes/no and short IDs."""
    return column.numeric or column.kind in ("date", "bool") or column.key in ("initiative_id", "year", "first_year")


def column_widths(table: ReportTable, texts: list[list[str]], width: float, size: float) -> list[float]:
    """Column widths (pt) that fit ``width``: numbers, dates and IDs get their natural width (never wrapped);
    text columns share the rest by their natural width and ``Column.width`` hint, each at least as wide as
    its longest word (capped at a quarter of the table)."""
    register_fonts()
    pad = 7.0
    sw = pdfmetrics.stringWidth
    natural, minimum = [], []
    for i, c in enumerate(table.columns):
        cells = [row[i] for row in texts]
        head_min = max(sw(w, FONT_BOLD, size) for w in (c.print_label.split() or [""])) + pad
        cell_nat = max([sw(t, PDF_FONT, size) for t in cells] or [0.0]) + pad
        if _fixed(c):
            natural.append(max(cell_nat, head_min))
            minimum.append(natural[-1])
        else:
            word = max([sw(w, PDF_FONT, size) for t in cells for w in t.split()] or [0.0]) + pad
            minimum.append(max(head_min, min(word, width * 0.25)))
            head_lines = c.print_label.split("\n")
            natural.append(max(cell_nat, max(sw(x, FONT_BOLD, size) for x in head_lines) + pad, minimum[-1]))
    text_cols = [i for i, c in enumerate(table.columns) if not _fixed(c)]
    widths = list(natural)
    if sum(natural) <= width:
        grow = text_cols or list(range(len(widths)))
        extra = width - sum(natural)
        total = sum(natural[i] for i in grow)
        for i in grow:
            widths[i] += extra * natural[i] / total
        return widths
    remaining = width - sum(natural[i] for i in range(len(widths)) if i not in text_cols)
    if not text_cols or remaining < sum(minimum[i] for i in text_cols):
        scale = width / sum(minimum)
        return [w * scale for w in minimum]
    free = list(text_cols)
    while free:
        weights = {i: table.columns[i].width * natural[i] ** 0.5 for i in free}
        total = sum(weights.values())
        alloc = {i: remaining * weights[i] / total for i in free}
        low = [i for i in free if alloc[i] < minimum[i]]
        if not low:
            for i in free:
                widths[i] = min(alloc[i], natural[i]) if alloc[i] > natural[i] else alloc[i]
            spare = remaining - sum(widths[i] for i in free)
            if spare > 0.5:  # columns capped at their natural width give the rest to the others
                wide = [i for i in free if widths[i] < natural[i]] or free
                for i in wide:
                    widths[i] += spare / len(wide)
            break
        for i in low:
            widths[i] = minimum[i]
            remaining -= minimum[i]
            free.remove(i)
    return widths


def table_flowable(table: ReportTable, st: dict, width: float = FRAME_W, compact: bool = False,
                   title: bool = True) -> list:
    """A report table as flowables: its title, the table (header repeated on every page, zebra rows,
    numbers right-aligned, widths fitted to the content) and its note; or the empty text."""
    sfx = "_compact" if compact else ""
    size = st["cell" + sfx].fontSize
    out: list = [Paragraph(esc(table.title), st["table_title"])] if title else []
    if not table.rows:
        out.append(Paragraph(esc(table.empty_text), st["note"]))
        return out
    texts = table.texts()
    head = [Paragraph(esc(c.print_label), st[("head_num" if c.numeric else "head") + sfx]) for c in table.columns]
    widths = column_widths(table, texts, width, size)
    sw = pdfmetrics.stringWidth
    # plain strings where the text fits on one line (fast); paragraphs only where it has to wrap
    body = [[text if _fixed(c) or ("\n" not in text and sw(text, PDF_FONT, size) <= w - 6.5)
             else Paragraph(esc(text), st["cell" + sfx]) for text, c, w in zip(row, table.columns, widths)]
            for row in texts]
    t = Table([head] + body, colWidths=widths, repeatRows=1, hAlign="LEFT", longTableOptimize=1)
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 1), (-1, -1), PDF_FONT, size, size * 1.25),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
    ]
    for i, c in enumerate(table.columns):
        if c.numeric:
            commands.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    if len(body) > 1:  # one command, not one per row: a table split over pages copies its commands per page
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, LIGHT]))
    for r, row in enumerate(table.rows, 1):
        if row and row[0] == "Summe":
            commands += [("LINEABOVE", (0, r), (-1, r), 0.8, NAVY), ("FONT", (0, r), (-1, r), FONT_BOLD, size)]
    t.setStyle(TableStyle(commands))
    out.append(t)
    if table.note:
        out.append(Paragraph(esc(table.note), st["note"]))
    out.append(Spacer(1, 6))
    return out


def figures_flowable(figs, st: dict, width: float = FRAME_W, per_row: int = 4) -> Table:
    """Key figures as a grid of boxes: the value large, the label small below."""
    cell_w = width / per_row - 12

    def value_style(text: str) -> ParagraphStyle:
        size = 13.0
        while size > 8 and pdfmetrics.stringWidth(text, FONT_WIDE_BOLD, size) > cell_w:
            size -= 0.5
        return ParagraphStyle(f"fig_value_{size}", parent=st["fig_value"], fontSize=size, leading=size * 1.25)

    cells = [[Paragraph(esc(f.text()), value_style(f.text())),
              Paragraph(esc(f.label + (f" ({f.note})" if f.note else "")), st["fig_label"])] for f in figs]
    rows = [cells[i:i + per_row] for i in range(0, len(cells), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    t = Table(rows, colWidths=[width / per_row] * per_row, hAlign="LEFT")
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBEFORE", (0, 0), (-1, -1), 2, colors.white),
        ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
        ("LINEBELOW", (0, 0), (-1, -1), 3, colors.white),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    return t


def chart_flowable(chart, png: bytes | None, note: str | None, number: int, st: dict,
                   max_w: float = FRAME_W, max_h: float = FRAME_H * 0.8, keep: bool = True):
    """The chart image scaled to the frame (or a boxed German note when it is missing) and its caption, kept
    together (``keep``; else a plain list of the two flowables)."""
    group = KeepTogether if keep else list
    caption = Paragraph(f"Abbildung {number}: {esc(chart.caption)}", st["caption"])
    try:
        jpeg = print_image(png) if png is not None else None
    except (OSError, ValueError):  # not an image: printed as missing
        jpeg, note = None, "Die Grafik konnte nicht gelesen werden."
    if jpeg is None:
        box = Table([[Paragraph(f"Grafik nicht verfügbar: {esc(chart.alt or chart.caption)}.<br/>"
                                f"{esc(note or figures.DISABLED)}", st["missing"])]], colWidths=[max_w])
        box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, RULE), ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                                 ("TOPPADDING", (0, 0), (-1, -1), 10), ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
        return group([box, caption])
    w = max_w
    h = w * chart.height / chart.width
    if h > max_h:
        w, h = w * max_h / h, max_h
    return group([Image(io.BytesIO(jpeg), width=w, height=h), caption])


# ---------------------------------------------------------------------------------------------- document

class _Doc(BaseDocTemplate):
    """Records the page of every heading (for the table of contents) and adds the PDF bookmarks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.heading_pages: dict[str, int] = {}

    def afterFlowable(self, flowable):
        if isinstance(flowable, _Heading):
            level = flowable.toc_level
            self.heading_pages[flowable.toc_key] = self.page
            self.canv.bookmarkPage(flowable.toc_key)
            self.canv.addOutlineEntry(flowable.toc_text, flowable.toc_key, level=level - 1, closed=level > 1)


def _canvas_class(report: Report, doc: _Doc, first_numbered: int = 2):
    """A canvas that writes running header, "Seite x von y" footer and the page numbers of the table of
    contents once the layout is complete, and fixes the document date to the data Stand."""
    created = report.created()
    stamp = f"D:{created:%Y%m%d%H%M%S}+00'00'"

    class _Canvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self._doc.setDateFormatter(lambda *_: stamp)
            self._pages: list[dict] = []
            self.rm_toc_pending: list[_TocLine] = []  # the contents lines drawn on the current page

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self.rm_toc_pending = []
            self._startPage()

        def save(self):
            total = len(self._pages)
            count = self._annotationCount  # links are numbered on; a page's state holds the count of its time
            for state in self._pages:
                self.__dict__.update(state)
                self._annotationCount = count
                self._decorate(total)
                for line in self.rm_toc_pending:
                    line.finish(self, doc.heading_pages.get(line.key))
                count = self._annotationCount
                super().showPage()
            super().save()

        def _decorate(self, total: int):
            page = self._pageNumber
            self.saveState()
            y_head = PAGE_H - 13 * mm
            if page >= first_numbered:
                self.setFont(PDF_FONT, 8)
                self.setFillColor(GREY)
                self.drawString(MARGIN_L, y_head, report.header_text)
                self.setStrokeColor(RULE)
                self.setLineWidth(0.5)
                self.line(MARGIN_L, y_head - 2.2 * mm, PAGE_W - MARGIN_R, y_head - 2.2 * mm)
                self.setFillColor(GREY)
                self.drawString(MARGIN_L, 10 * mm, f"Regionalmonitor · Pilotaktion „{PILOT_ACTION}“")
                self.drawRightString(PAGE_W - MARGIN_R, 10 * mm, f"Seite {page} von {total}")
                if report.synthetic and not report.internal:
                    self.setFillColor(ORANGE)
                    self.setFont(FONT_BOLD, 8)
                    self.drawRightString(PAGE_W - MARGIN_R, y_head, "Beispieldaten – keine amtlichen Zahlen")
            if report.internal:  # on every page, the title page included
                self.setFillColor(RED)
                self.setFont(FONT_BOLD, 9)
                self.drawRightString(PAGE_W - MARGIN_R, y_head if page >= first_numbered else PAGE_H - 12 * mm,
                                     report.label)
                self.drawString(MARGIN_L, 5 * mm, f"{report.label} (interne Fassung)")
            self.restoreState()

    return _Canvas


def _title_page(report: Report, st: dict) -> list:
    big = ParagraphStyle("t_big", fontName=FONT_WIDE_BOLD, fontSize=24, leading=30, textColor=NAVY, spaceAfter=6)
    mid = ParagraphStyle("t_mid", fontName=FONT_WIDE, fontSize=13, leading=18, textColor=GREY, spaceAfter=4)
    period = ParagraphStyle("t_period", fontName=FONT_WIDE_BOLD, fontSize=14, leading=19, spaceBefore=18,
                            spaceAfter=30)
    district = ParagraphStyle("t_district", fontName=FONT_WIDE_BOLD, fontSize=15, leading=19, textColor=GREY,
                              spaceAfter=40)
    out: list = [Spacer(1, 14 * mm), _ThemeStripe(FRAME_W), Spacer(1, 10 * mm),
                 Paragraph(esc(report.district_name), district),
                 Paragraph(esc("Bericht zur Pilotaktion"), mid),
                 Paragraph(esc(f"„{PILOT_ACTION}“"), big),
                 Paragraph(esc("der Territorialen Agenda 2030 der Europäischen Union"), mid),
                 Paragraph(esc(report.subtitle), period)]
    rows = [("Herausgeber", f"{report.district_name}, Kompetenzstelle"),
            ("Stand der Daten", report.stand_text().removeprefix("Stand der Daten: ")),
            ("Auswahl", report.selection.removeprefix("Auswahl: ")),
            ("Fassung", "INTERN – nicht zur Weitergabe" if report.internal else "öffentlich (zur Weitergabe)")]
    label = ParagraphStyle("t_label", fontName=FONT_BOLD, fontSize=9, leading=12, textColor=GREY)
    value = ParagraphStyle("t_value", fontName=PDF_FONT, fontSize=9.5, leading=12.5)
    info = Table([[Paragraph(esc(a), label), Paragraph(esc(b), value)] for a, b in rows],
                 colWidths=[38 * mm, FRAME_W - 38 * mm], hAlign="LEFT")
    info.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), 0.8, NAVY), ("LINEBELOW", (0, -1), (-1, -1), 0.8, NAVY),
                              ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 4),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 4), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    out.append(info)
    if report.internal:
        out += [Spacer(1, 10 * mm), Paragraph(
            "INTERN – nicht zur Weitergabe. Diese Fassung enthält auch Initiativen, die nicht zur Veröffentlichung "
            "freigegeben sind.", ParagraphStyle("t_intern", parent=st["warning"], textColor=RED,
                                                backColor=RED_BG))]
    if report.synthetic:
        out += [Spacer(1, 6 * mm), Paragraph(
            "Beispieldaten: Dieser Bericht beruht auf erfundenen Initiativen und Statistikwerten zum Ausprobieren. "
            "Keine amtlichen Zahlen – nicht für Entscheidungen oder die Weitergabe bestimmt.", st["warning"])]
    return out


def story(report: Report, images: figures.ChartImages, st: dict) -> list:
    """All flowables of the report in order (title page, contents, blocks)."""
    toc = [_TocLine(b.text, b.key, st[f"toc{b.level}"]) for b in report.blocks
           if isinstance(b, Heading) and b.level <= 2]
    out = _title_page(report, st)
    out += [NextPageTemplate("body"), PageBreak(), Paragraph("Inhalt", st["toc_title"]), *toc, PageBreak()]
    chart_no = 0
    for block in report.blocks:
        if isinstance(block, Heading):
            if block.level == 1:
                out.append(CondPageBreak(45 * mm))
            out.append(_Heading(block.text, st[f"h{min(block.level, 3)}"], block.level, block.key))
        elif isinstance(block, Text):
            out.append(Paragraph(esc(block.text), st.get(block.style, st["body"])))
        elif isinstance(block, Figures):
            out += [figures_flowable(block.figures, st), Spacer(1, 8)]
        elif isinstance(block, TableBlock):
            out += table_flowable(block.table, st, compact=block.compact, title=block.titled)
        elif isinstance(block, ChartBlock):
            chart_no += 1
            out.append(chart_flowable(block.chart, images.get(block.chart.key), images.note, chart_no, st))
        elif isinstance(block, PageBreakBlock):
            out.append(PageBreak())
    return out


def to_pdf(report: Report, images: figures.ChartImages | None = None) -> bytes:
    """The report as PDF bytes. ``images``: chart PNGs (default: rendered now via :func:`figures.render`;
    pass :func:`figures.disabled` for a PDF without charts)."""
    if images is None:
        images = figures.render(report.charts)
    st = styles()
    buf = io.BytesIO()
    doc = _Doc(buf, pagesize=A4, leftMargin=MARGIN_L, rightMargin=MARGIN_R, topMargin=MARGIN_T,
               bottomMargin=MARGIN_B, title=f"{report.title} – {report.subtitle}", author=report.district_name,
               subject=f"{report.district_name}: Bericht {report.period_text}", creator="Regionalmonitor",
               producer="Regionalmonitor", keywords=("intern" if report.internal else "öffentlich"),
               invariant=1, lang="de-DE")
    frame = Frame(MARGIN_L, MARGIN_B, FRAME_W, FRAME_H, id="body", leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0)
    doc.addPageTemplates([PageTemplate("title", [frame]), PageTemplate("body", [frame])])
    doc.build(story(report, images, st), canvasmaker=_canvas_class(report, doc))
    return buf.getvalue()


def page_texts(data: bytes) -> list[str]:
    """Plain text of every page (pypdf), for checks and tests."""
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]

