"""Downloads that leave the office: the filtered list as Excel (XLSX) and CSV, safe to open.

- **No personal data**: columns naming a contact (name, e-mail, phone — English or German headers) are
  dropped, whatever the caller passes.
- **No formulas** (formula/CSV injection): XLSX cells are written as typed values — text always as a string
  cell (openpyxl data type ``s``), never as a formula, so ``=HYPERLINK(...)`` shows as text. In CSV every text
  cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``; numbers are
  written as numbers (untouched).
- **German Excel**: CSV in UTF-8 with BOM, ``;`` as separator, decimal comma, dates ``31.12.2024``.
- **Every table on a page** (:func:`table_csv`, :func:`table_xlsx`): the table with what it is — title, selection,
  source, Stand, licence, unit and the sample-data flag (:class:`Provenance`) — in the file itself.
- **Workbooks with several sheets** (the period report): :func:`to_xlsx_sheets` writes each :class:`Sheet`
  with a title line, a formatted, frozen header row with filters, typed cells (same rules as above) and
  fixed document dates, so the same tables give the same file.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from monitor.core import palette
from monitor.core import format as fmt

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PERSONAL = re.compile(r"contact|ansprech|e-?mail|telefon|phone", re.IGNORECASE)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"


def without_personal_data(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` without any column whose name points to contact data (contact_*, Ansprechperson, E-Mail, Telefon)."""
    return df[[c for c in df.columns if not _PERSONAL.search(str(c))]]


def neutralise(text: str) -> str:
    """A text cell for CSV: prefixed with ``'`` when it starts with a formula character."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _is_missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _plain(v):
    """A cell value as a Python scalar: None, bool, int, float, date/datetime or str."""
    if _is_missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date() if v == v.normalize() else v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        v = v.item()
    if isinstance(v, (bool, int, float, dt.date, dt.datetime)):
        return v
    return str(v)


def to_xlsx(df: pd.DataFrame, sheet_name: str = "Initiativen", title: str = "") -> bytes:
    """The table as an XLSX workbook (one sheet, bold header, frozen below the header). Text cells are strings,
    never formulas; numbers and dates keep their type. With ``title`` (e.g. the sample-data note) a bold title
    line comes first, as in :func:`to_xlsx_sheets`, and the header moves down."""
    df = without_personal_data(df)
    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\\/*?:\[\]]", " ", sheet_name)[:31] or "Daten"
    header_row = _title_lines(ws, title)
    for col, name in enumerate(df.columns, 1):
        cell = ws.cell(row=header_row, column=col)
        _set_text(cell, str(name))
        cell.font = Font(bold=True)
    for r, row in enumerate(df.itertuples(index=False), header_row + 1):
        for c, value in enumerate(row, 1):
            write_cell(ws.cell(row=r, column=c), value)
    for col, name in enumerate(df.columns, 1):
        width = max([len(str(name))] + [len(str(v)) for v in df.iloc[:, col - 1].head(200) if not _is_missing(v)])
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = f"A{header_row + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_cell(cell, value, number_format: str | None = None) -> None:
    """Write ``value`` typed into an openpyxl cell: text always as a string cell (never a formula, also not
    ``{=...}``), numbers and dates as such (``number_format`` or a default); missing and non-finite numbers
    leave the cell empty."""
    v = _plain(value)
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return
    if isinstance(v, str):
        _set_text(cell, v)
        return
    cell.value = v
    if number_format:
        cell.number_format = number_format
    elif isinstance(v, dt.datetime):
        cell.number_format = "DD.MM.YYYY HH:MM"
    elif isinstance(v, dt.date):
        cell.number_format = "DD.MM.YYYY"
    elif isinstance(v, float):
        cell.number_format = "#,##0.00" if v != int(v) else "#,##0"


@dataclass
class Sheet:
    """One worksheet of :func:`to_xlsx_sheets`: ``name`` (shortened to Excel's 31 characters), the table
    (column names = header), a ``title`` and ``subtitle`` line above the header, and an Excel number
    format per column name in ``formats`` (numbers and dates; columns without keep the defaults)."""

    name: str
    frame: pd.DataFrame
    title: str = ""
    subtitle: str = ""
    formats: dict = field(default_factory=dict)


HEADER_FILL = PatternFill("solid", fgColor=palette.hex_digits(palette.REPORT_ACCENT))


def to_xlsx_sheets(sheets: Sequence[Sheet], *, created: dt.datetime | None = None, title: str = "",
                   author: str = "") -> bytes:
    """A workbook with one worksheet per :class:`Sheet`: title (bold) and subtitle in rows 1-2, the header
    in row 4 (bold, white on dark blue, wrapped), frozen below the header, filters on the header; cells
    typed by :func:`write_cell`; columns naming contact data are dropped. ``created`` fixes the document
    dates (and the zip entry times), so the same sheets give the same bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        df = without_personal_data(sheet.frame)
        name = re.sub(r"[\\/*?:\[\]]", " ", sheet.name)[:31].strip() or "Daten"
        while name in used:
            name = name[:28] + f" {len(used)}"
        used.add(name)
        ws = wb.create_sheet(name)
        header_row = _title_lines(ws, sheet.title, sheet.subtitle)
        for c, col in enumerate(df.columns, 1):
            cell = ws.cell(row=header_row, column=c)
            _set_text(cell, str(col))
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        formats = [sheet.formats.get(col) for col in df.columns]
        for r, row in enumerate(df.itertuples(index=False), header_row + 1):
            for c, value in enumerate(row, 1):
                write_cell(ws.cell(row=r, column=c), value, formats[c - 1])
        for c, col in enumerate(df.columns, 1):
            texts = [str(v) for v in df.iloc[:200, c - 1] if not _is_missing(v)]
            width = max([len(w) for w in str(col).split()] + [min(len(t), 60) for t in texts] + [8])
            ws.column_dimensions[get_column_letter(c)].width = min(width + 2, 62)
        last_col = get_column_letter(max(len(df.columns), 1))
        ws.freeze_panes = f"A{header_row + 1}"
        ws.auto_filter.ref = f"A{header_row}:{last_col}{header_row + max(len(df), 1)}"
    if not wb.worksheets:
        wb.create_sheet("Daten")
    return _save(wb, created, title=title, author=author)


def _title_lines(ws, title: str, subtitle: str = "") -> int:
    """Write ``title`` (bold) and ``subtitle`` (grey italic) into rows 1-2 of ``ws``; returns the row of the
    table's header: 4 below a title or subtitle (one empty row between), else 1."""
    if not (title or subtitle):
        return 1
    _set_text(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    if subtitle:
        _set_text(ws.cell(row=2, column=1), subtitle)
        ws.cell(row=2, column=1).font = Font(italic=True, color="555555")
    return 4


def _save(wb: Workbook, created: dt.datetime | None, *, title: str = "", author: str = "") -> bytes:
    """The workbook as bytes; with ``created``, document dates and zip entry times are fixed to it."""
    buf = io.BytesIO()
    if created is None:
        wb.save(buf)
        return buf.getvalue()
    wb.properties.created = wb.properties.modified = created
    wb.properties.title = title or None
    wb.properties.creator = wb.properties.lastModifiedBy = author or None
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # unlike Workbook.save, keeps the fixed modified date
    return stable_zip(buf.getvalue(), created)


def stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """An OOXML (zip) file rewritten with every entry dated ``when``: same content, same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def _set_text(cell, text: str) -> None:
    # openpyxl turns a str starting with "=" into a formula; force the string type afterwards.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"


def _csv_cell(v) -> str:
    v = _plain(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "ja" if v else "nein"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return ""
        return str(int(v)) if v == int(v) else format(v, ".15g").replace(".", ",")
    if isinstance(v, dt.datetime):
        return v.strftime("%d.%m.%Y %H:%M")
    if isinstance(v, dt.date):
        return fmt.date(v)
    return neutralise(v)


def to_csv(df: pd.DataFrame, title: str = "", preamble: Sequence[str] = ()) -> bytes:
    """The table as CSV for German Excel: UTF-8 with BOM, ``;``, decimal comma, dates dd.mm.yyyy, every field
    quoted when needed; formula-like text prefixed with ``'``. With ``title`` (e.g. the sample-data note) a line
    of its own comes before the header, as the title line of :func:`to_xlsx`; ``preamble`` lines (provenance)
    come before it, followed by an empty line."""
    df = without_personal_data(df)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for line in preamble:
        writer.writerow([neutralise(line)])
    if preamble:
        writer.writerow([])
    if title:
        writer.writerow([neutralise(title)])
    writer.writerow([neutralise(str(c)) for c in df.columns])
    for row in df.itertuples(index=False):
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


#: The line every file made from sample data carries.
SYNTHETIC_LINE = "Beispieldaten: erfundene Werte zum Ausprobieren, keine amtlichen Zahlen."


@dataclass(frozen=True)
class Provenance:
    """What a downloaded table says about itself: its title, the selection (filters) it shows, the source, its
    Stand, the licence, the unit of its values, and whether sample data are loaded."""

    title: str
    source: str
    stand: dt.date | None
    licence: str = ""
    selection: str = ""
    unit: str = ""
    synthetic: bool = False

    def rows(self) -> list[tuple[str, str]]:
        """(label, text) pairs, in the order the files show them; empty ones left out."""
        rows = [("Tabelle", self.title), ("Auswahl", self.selection), ("Quelle", self.source),
                ("Lizenz", self.licence), ("Stand", fmt.date(self.stand) if self.stand else ""),
                ("Einheit", self.unit), ("Beispieldaten", SYNTHETIC_LINE if self.synthetic else "")]
        return [(label, text) for label, text in rows if text]

    def lines(self) -> list[str]:
        """The provenance as lines 'Quelle: …' (the title alone on the first)."""
        return [text if label == "Tabelle" else f"{label}: {text}" for label, text in self.rows()]


def table_csv(df: pd.DataFrame, prov: Provenance) -> bytes:
    """A page's table as CSV (:func:`to_csv`) with its provenance lines above the header."""
    return to_csv(df, preamble=prov.lines())


def table_xlsx(df: pd.DataFrame, prov: Provenance) -> bytes:
    """A page's table as XLSX: the table under its title and provenance line, and a sheet 'Herkunft' with
    every provenance field in a row of its own."""
    lines = prov.lines()
    about = pd.DataFrame(prov.rows(), columns=["Angabe", "Inhalt"])
    return to_xlsx_sheets([Sheet(prov.title, df, title=lines[0], subtitle=" · ".join(lines[1:])),
                           Sheet("Herkunft", about, title=lines[0])], title=prov.title)


def file_stem(prefix: str, on: dt.date) -> str:
    """Download file name without extension: ``initiativen_2026-07-15``."""
    return f"{prefix}_{on.isoformat()}"
