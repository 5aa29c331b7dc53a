"""Downloads that leave the office: the filtered list as Excel (XLSX) and CSV, safe to open.

- **No personal data**: columns naming a contact (name, e-mail, phone — English or German headers) are
  dropped, whatever the caller passes.
- **No formulas** (formula/CSV injection): XLSX cells are written as typed values — text always as a string
  cell (openpyxl data type ``s``), never as a formula, so ``=HYPERLINK(...)`` shows as text. In CSV every text
  cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``; numbers are
  written as numbers (untouched).
- **German Excel**: CSV in UTF-8 with BOM, ``;`` as separator, decimal comma, dates ``31.12.2024``.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from monitor import format as fmt

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


def to_xlsx(df: pd.DataFrame, sheet_name: str = "Initiativen") -> bytes:
    """The table as an XLSX workbook (one sheet, bold header, frozen first row). Text cells are strings,
    never formulas; numbers and dates keep their type."""
    df = without_personal_data(df)
    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\\/*?:\[\]]", " ", sheet_name)[:31] or "Daten"
    for col, name in enumerate(df.columns, 1):
        cell = ws.cell(row=1, column=col)
        _set_text(cell, str(name))
        cell.font = Font(bold=True)
    for r, row in enumerate(df.itertuples(index=False), 2):
        for c, value in enumerate(row, 1):
            v = _plain(value)
            cell = ws.cell(row=r, column=c)
            if v is None:
                continue
            if isinstance(v, str):
                _set_text(cell, v)
            elif isinstance(v, float) and not math.isfinite(v):
                continue
            else:
                cell.value = v
                if isinstance(v, dt.datetime):
                    cell.number_format = "DD.MM.YYYY HH:MM"
                elif isinstance(v, dt.date):
                    cell.number_format = "DD.MM.YYYY"
                elif isinstance(v, float):
                    cell.number_format = "#,##0.00" if v != int(v) else "#,##0"
    for col, name in enumerate(df.columns, 1):
        width = max([len(str(name))] + [len(str(v)) for v in df.iloc[:, col - 1].head(200) if not _is_missing(v)])
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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


def to_csv(df: pd.DataFrame) -> bytes:
    """The table as CSV for German Excel: UTF-8 with BOM, ``;``, decimal comma, dates dd.mm.yyyy, every field
    quoted when needed; formula-like text prefixed with ``'``."""
    df = without_personal_data(df)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in df.columns])
    for row in df.itertuples(index=False):
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def file_stem(prefix: str, on: dt.date) -> str:
    """Download file name without extension: ``initiativen_2026-07-15``."""
    return f"{prefix}_{on.isoformat()}"
