"""``etl.markup.marked_workbook``: the office's workbook comes back with the cells of the issues the ETL really
raised filled (errors and warnings differently) and commented, a first sheet "Prüfergebnis" listing every
issue with a link to its cell, and everything else as it was."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from etl.issues import Issue
from etl.markup import FILLS, RESULT_SHEET, marked_workbook
from etl.portfolio import read_portfolio
from etl.reference import read_municipalities
from tests.conftest import MINIMAL_TODAY
from tests.minimal_source import initiative_row, make_workbook

OFFICE_FILL = PatternFill("solid", fgColor="FFDDEBF7")


def office_workbook() -> bytes:
    """The minimal workbook as an office keeps it, with faults: a title row above the header of Initiativen, an
    unknown status (error), an initiative without status history (warning), an impossible due date (error),
    the office's own formatting, a note of theirs, and a sheet of their own."""
    buf = io.BytesIO()
    make_workbook(buf, initiatives=[initiative_row(status="Quatsch"), initiative_row("I-002", "Dorfladen")])
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["Initiativen"]
    ws.insert_rows(1)
    ws["A1"] = "Portfolio der Kompetenzstelle – bitte nur Zeilen ab 3 ändern"
    ws["A1"].font = Font(bold=True, size=14)
    ws["B3"].fill = OFFICE_FILL
    ws["C3"].comment = Comment("Text mit dem Träger abstimmen", "Frau Muster")
    ws.column_dimensions["B"].width = 42
    wb["Meilensteine"]["C2"] = "31.02.2024"
    notes = wb.create_sheet("Notizen")
    notes["A1"] = "Nächste Runde: 12.01."
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def case(minimal_build, tmp_path_factory):
    """(the office's workbook, the issues the ETL's reader raised on it, the marked copy opened)."""
    data = office_workbook()
    path = tmp_path_factory.mktemp("markup") / "Portfolio.xlsx"
    path.write_bytes(data)
    munis, _ = read_municipalities(minimal_build.source / "gemeinden.csv")
    issues = read_portfolio(path, munis, {"population"}, MINIMAL_TODAY).issues
    marked = load_workbook(io.BytesIO(marked_workbook(data, issues, file_name="Portfolio.xlsx")))
    return data, issues, marked


def cell_of(wb, issue: Issue):
    """The issue's cell found independently: the header row is the one holding the column name."""
    ws = wb[issue.sheet]
    for row in ws.iter_rows(min_row=1, max_row=5):
        for c in row:
            if c.value == issue.column:
                return ws.cell(row=issue.row, column=c.column)
    raise AssertionError(f"column {issue.column} not found")


def test_the_etl_raised_errors_and_warnings_at_cells(case):
    _, issues, _ = case
    at_cells = [i for i in issues if i.sheet and i.row and i.column]
    assert {i.severity for i in at_cells} == {"error", "warning"}
    assert any(i.sheet == "Initiativen" and i.row == 3 and i.column == "Status" for i in at_cells)
    assert any(i.sheet == "Meilensteine" and i.row == 2 for i in at_cells)


def test_faulty_cells_are_filled_by_severity_and_commented(case):
    data, issues, marked = case
    original = load_workbook(io.BytesIO(data))
    at_cells = [i for i in issues if i.sheet and i.row and i.column]
    by_cell: dict[tuple[str, str], list[Issue]] = {}
    for i in at_cells:
        by_cell.setdefault((i.sheet, cell_of(original, i).coordinate), []).append(i)
    for (sheet, coord), cell_issues in by_cell.items():
        cell = marked[sheet][coord]
        worst = "error" if any(i.severity == "error" for i in cell_issues) else "warning"
        assert cell.fill.fgColor.rgb == FILLS[worst].fgColor.rgb, (sheet, coord)
        for i in cell_issues:
            assert i.message in cell.comment.text
            if i.expected:
                assert i.expected in cell.comment.text
        assert cell.value == original[sheet][coord].value
    assert FILLS["error"].fgColor.rgb != FILLS["warning"].fgColor.rgb
    filled = {(ws.title, c.coordinate) for ws in marked.worksheets[1:] for row in ws.iter_rows() for c in row
              if c.fill.fgColor.rgb in {f.fgColor.rgb for f in FILLS.values()}}
    assert filled == set(by_cell)  # no other cell marked


def test_the_office_formatting_values_and_other_sheets_stay(case):
    data, _, marked = case
    original = load_workbook(io.BytesIO(data))
    assert marked.sheetnames == [RESULT_SHEET] + original.sheetnames
    for ws in original.worksheets:
        assert [[c.value for c in row] for row in marked[ws.title].iter_rows()] == \
            [[c.value for c in row] for row in ws.iter_rows()]
    ini = marked["Initiativen"]
    assert ini["A1"].font.bold and ini["A1"].font.size == 14
    assert ini["B3"].fill.fgColor.rgb == OFFICE_FILL.fgColor.rgb
    assert ini["C3"].comment.text == "Text mit dem Träger abstimmen"  # not faulty: the office's note untouched
    assert ini.column_dimensions["B"].width == 42
    assert marked["Notizen"]["A1"].value == "Nächste Runde: 12.01."


def test_result_sheet_lists_every_issue_with_a_link_to_its_cell(case):
    data, issues, marked = case
    original = load_workbook(io.BytesIO(data))
    ws = marked[RESULT_SHEET]
    assert marked.active.title == RESULT_SHEET
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, (c for c in row))) for row in ws.iter_rows(min_row=4) if row[0].value is not None]
    assert len(rows) == len(issues)
    for issue, row in zip(sorted(issues, key=lambda i: {"error": 0, "warning": 1}.get(i.severity, 2)), rows):
        assert row["Meldung"].value == issue.message and row["Zeile"].value == issue.row
        link = row["Zelle"].hyperlink
        if issue.sheet and issue.row and issue.column:
            target = cell_of(original, issue)
            assert link.location.replace("'", "") == f"{issue.sheet}!{target.coordinate}"
        else:
            assert link is None and row["Zelle"].value is None  # listed only


def test_issues_of_other_files_or_without_a_cell_are_listed_only_and_text_stays_text():
    buf = io.BytesIO()
    make_workbook(buf)
    data = buf.getvalue()
    issues = [Issue("error", "=HYPERLINK(\"http://example.org\")", file="Portfolio.xlsx", sheet="Initiativen",
                    row=2, column="Status", value="=1+1", expected="@SUMME(A1)"),
              Issue("warning", "Zeile ohne Spalte", file="Portfolio.xlsx", sheet="Initiativen", row=2),
              Issue("error", "andere Datei", file="anderes.xlsx", sheet="Initiativen", row=2, column="Titel"),
              Issue("warning", "Datei ohne Herkunftsangabe", file="statistik/x.csv")]
    wb = load_workbook(io.BytesIO(marked_workbook(data, issues, file_name="Portfolio.xlsx")))
    ini = wb["Initiativen"]
    status_col = [c.value for c in ini[1]].index("Status") + 1
    titel_col = [c.value for c in ini[1]].index("Titel") + 1
    assert ini.cell(2, status_col).fill.fgColor.rgb == FILLS["error"].fgColor.rgb
    assert ini.cell(2, titel_col).comment is None  # the issue of another file is not marked here
    result = wb[RESULT_SHEET]
    cells = {c.value: c for row in result.iter_rows(min_row=4) for c in row if isinstance(c.value, str)}
    for text in ("=HYPERLINK(\"http://example.org\")", "=1+1", "@SUMME(A1)"):
        assert cells[text].data_type == "s"  # text, never a formula
    assert {"Zeile ohne Spalte", "andere Datei", "Datei ohne Herkunftsangabe"} <= set(cells)


def test_a_marked_copy_marked_again_has_one_result_sheet_and_no_stale_comments():
    buf = io.BytesIO()
    make_workbook(buf)
    first = marked_workbook(buf.getvalue(), [Issue("error", "alt", sheet="Initiativen", row=2, column="Titel")])
    again = load_workbook(io.BytesIO(marked_workbook(first, [Issue("warning", "neu", sheet="Initiativen", row=2,
                                                                       column="Status")])))
    assert again.sheetnames.count(RESULT_SHEET) == 1 and again.sheetnames[0] == RESULT_SHEET
    ini = again["Initiativen"]
    header = [c.value for c in ini[1]]
    assert ini.cell(2, header.index("Titel") + 1).comment is None
    assert "neu" in ini.cell(2, header.index("Status") + 1).comment.text
