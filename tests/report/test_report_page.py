"""The Bericht page's loader (monitor/report/page.py) on the fixture database: the same report as
build_report, cached per parameters and database version, the preview with German column names, files on
demand."""
from __future__ import annotations

import io
import zipfile

import openpyxl

from monitor.data import db
from monitor.report import content, page
from monitor.report.model import ReportParams
from tests.fixture_db import DEFAULT_FROM, DEFAULT_TO


def test_load_shows_the_report_of_the_parameters(fixture_db):
    params = ReportParams(DEFAULT_FROM, DEFAULT_TO, internal=True)
    view = page.load(params)
    assert view.report == content.build_report(params)
    assert view.key_figures == view.report.summary
    themes = view.report.sheet("themes")
    frame = view.preview()
    assert list(frame.columns) == [c.label for c in themes.columns]
    assert frame.values.tolist() == themes.texts()
    assert set(view.numeric_columns) == {c.label for c in themes.columns if c.numeric}
    assert "--internal" in view.cli_command and DEFAULT_FROM.isoformat() in view.cli_command
    sheets = openpyxl.load_workbook(io.BytesIO(view.xlsx())).sheetnames
    assert len(sheets) == len(view.report.sheets)


def test_load_is_cached_per_database_version(fixture_db, monkeypatch):
    params = ReportParams(DEFAULT_FROM, DEFAULT_TO)
    assert page.load(params).report is page.load(params).report
    before = page.load(params).report
    stamp = db.current_stamp()
    monkeypatch.setattr(db, "current_stamp", lambda: (*stamp[:-1], stamp[-1] + 1))
    assert page.load(params).report is not before


def test_bundle_holds_the_three_files_of_the_single_downloads(fixture_db):
    view = page.load(ReportParams(DEFAULT_FROM, DEFAULT_TO))
    stem = view.report.file_stem()
    with zipfile.ZipFile(io.BytesIO(view.bundle())) as zf:
        assert sorted(zf.namelist()) == sorted(f"{stem}.{ext}" for ext in ("pdf", "docx", "xlsx"))
        assert zf.read(f"{stem}.pdf").startswith(b"%PDF")
        with zipfile.ZipFile(io.BytesIO(zf.read(f"{stem}.docx"))) as docx:
            assert "word/document.xml" in docx.namelist()
        book = openpyxl.load_workbook(io.BytesIO(zf.read(f"{stem}.xlsx")))
    assert book.sheetnames == openpyxl.load_workbook(io.BytesIO(view.xlsx())).sheetnames
