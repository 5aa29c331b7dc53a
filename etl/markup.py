"""The office's own workbook back, with every faulty cell highlighted and commented.

``marked_workbook(data, issues)`` opens the uploaded workbook with openpyxl, and for each issue that names a
sheet, a row and a column (looked up in that sheet's header row, as the ETL's reader finds it) fills the cell
(errors and warnings in different colours; black text on both stays readable, contrast above 10:1) and adds
a comment (message, value, what was expected). A first sheet "Prüfergebnis" lists every issue, with a link
to its cell where it has one; issues without a cell are listed only. Everything else (other sheets, values,
formats, formulas) is written back as openpyxl read it. Text from the issues is written as text, never as a
formula.
"""
from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink

from etl.issues import Issue
from etl.portfolio import HEADER_SEARCH_ROWS, SHEET_COLUMNS, header_key

RESULT_SHEET = "Prüfergebnis"
AUTHOR = "Regionalmonitor-Prüfung"
#: Fills: Excel's own "Schlecht" (light red) and "Neutral" (light yellow) backgrounds; black text on them has a
#: contrast of 14:1 and 17:1 (WCAG AA asks for 4.5:1).
FILLS = {"error": PatternFill("solid", fgColor="FFFFC7CE"), "warning": PatternFill("solid", fgColor="FFFFEB9C")}
SEVERITY_DE = {"error": "Fehler", "warning": "Warnung", "info": "Hinweis"}
RANK = {"error": 0, "warning": 1, "info": 2}
#: Header keys of the template's columns (and their aliases), to find the header row below title rows.
KNOWN_HEADERS = frozenset(k for specs in SHEET_COLUMNS.values() for s in specs
                          for k in (header_key(s.name), *s.aliases))
RESULT_COLUMNS = [("Nr.", 6), ("Art", 10), ("Datei", 24), ("Blatt", 16), ("Zeile", 8), ("Spalte", 22),
                  ("Zelle", 12), ("Wert", 24), ("Meldung", 60), ("Erwartet", 50)]


def marked_workbook(data: bytes, issues: list[Issue], sheet_hint: str | None = None, *,
                    file_name: str | None = None) -> bytes:
    """The workbook ``data`` with the cells of ``issues`` filled and commented and the sheet "Prüfergebnis"
    first. ``sheet_hint``: the sheet of issues that name a row and column but no sheet; ``file_name``: only
    issues of that file (or naming none) are marked (all are listed)."""
    wb = load_workbook(BytesIO(data), rich_text=True)
    if RESULT_SHEET in wb.sheetnames:  # a marked copy uploaded again: its old result goes
        del wb[RESULT_SHEET]
    _remove_own_comments(wb)
    sheets = {header_key(ws.title): ws for ws in wb.worksheets}
    headers: dict[str, dict[str, int]] = {}
    located: list[tuple[Issue, object | None]] = []
    marks: dict[tuple[str, str], list[Issue]] = {}
    for issue in sorted(issues, key=lambda i: RANK.get(i.severity, 3)):
        ws = None
        if file_name is None or issue.file in (None, file_name) or str(issue.file).endswith("/" + file_name):
            ws = sheets.get(header_key(issue.sheet or sheet_hint or ""))
        cell = None
        if ws is not None and issue.row is not None and issue.column:
            if ws.title not in headers:
                headers[ws.title] = _header_columns(ws)
            col = headers[ws.title].get(header_key(issue.column))
            if col is not None and issue.row >= 1:
                cell = ws.cell(row=issue.row, column=col)
                marks.setdefault((ws.title, cell.coordinate), []).append(issue)
        located.append((issue, cell))
    for (title, coord), cell_issues in marks.items():
        _mark(wb[title][coord], cell_issues)
    _result_sheet(wb, located)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _header_columns(ws) -> dict[str, int]:
    """header key -> column number of the sheet's header row: among the first HEADER_SEARCH_ROWS rows the one
    with the most known headers of the template (as the ETL's reader finds it), else the most text cells."""
    best: dict[str, int] = {}
    best_score = (0, 0)
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, HEADER_SEARCH_ROWS)):
        keys: dict[str, int] = {}
        for c in row:
            if isinstance(c.value, str) and c.value.strip():
                keys.setdefault(header_key(c.value), c.column)
        score = (len(keys.keys() & KNOWN_HEADERS), len(keys))
        if score > best_score:
            best, best_score = keys, score
    return best


def _mark(cell, issues: list[Issue]) -> None:
    worst = min(issues, key=lambda i: RANK.get(i.severity, 3))
    if worst.severity in FILLS:
        cell.fill = FILLS[worst.severity]
    parts = [_comment_text(i) for i in issues]
    if cell.comment is not None and cell.comment.author != AUTHOR:
        parts.insert(0, cell.comment.text)  # the office's own note stays, ours follows
    comment = Comment("\n\n".join(parts)[:30000], AUTHOR)
    comment.width, comment.height = 320, min(60 + 60 * len(parts), 400)
    cell.comment = comment


def _comment_text(issue: Issue) -> str:
    text = f"{SEVERITY_DE.get(issue.severity, issue.severity)}: {issue.message}"
    if issue.value is not None:
        text += f"\nWert: {issue.value}"
    if issue.expected:
        text += f"\nErwartet: {issue.expected}"
    return text


def _remove_own_comments(wb) -> None:
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.comment is not None and c.comment.author == AUTHOR:
                    c.comment = None


def _text_cell(ws, row: int, col: int, value) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a message or value starting with '=' stays text, never a formula


def _result_sheet(wb, located: list[tuple[Issue, object | None]]) -> None:
    ws = wb.create_sheet(RESULT_SHEET, 0)
    errors = sum(i.severity == "error" for i, _ in located)
    warnings = sum(i.severity == "warning" for i, _ in located)
    _text_cell(ws, 1, 1, f"Prüfergebnis: {errors} Fehler, {warnings} {'Warnung' if warnings == 1 else 'Warnungen'}. "
                         "Markierte Zellen: rot = Fehler, gelb = Warnung; der Kommentar an der Zelle sagt, was "
                         "erwartet wird. Ein Klick auf die Zelle in Spalte G führt zu ihr.")
    ws.cell(row=1, column=1).font = Font(bold=True)
    for col, (title, width) in enumerate(RESULT_COLUMNS, start=1):
        _text_cell(ws, 3, col, title)
        ws.cell(row=3, column=col).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for n, (issue, cell) in enumerate(located, start=1):
        r = 3 + n
        values = [n, SEVERITY_DE.get(issue.severity, issue.severity), issue.file, issue.sheet, issue.row,
                  issue.column, None, issue.value, issue.message, issue.expected]
        for col, value in enumerate(values, start=1):
            _text_cell(ws, r, col, value)
        if cell is not None:
            link = ws.cell(row=r, column=7, value=cell.coordinate)
            link.hyperlink = Hyperlink(ref=link.coordinate,
                                       location=f"{quote_sheetname(cell.parent.title)}!{cell.coordinate}")
            link.font = Font(color="FF0563C1", underline="single")
        if issue.severity in FILLS:
            ws.cell(row=r, column=2).fill = FILLS[issue.severity]
        for col in (9, 10):
            ws.cell(row=r, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
