"""The report's data as Excel: one sheet per topic (:attr:`Report.sheets`), written through
:func:`monitor.data.export.to_xlsx_sheets` — title line naming district, period and topic (and "INTERN – nicht
zur Weitergabe" in the internal variant), formatted and frozen header with filters, numbers and dates as
typed cells with German number formats, text always as text (never a formula), no contact data.
"""
from __future__ import annotations

from monitor.data import export
from monitor.report.model import Report, Table

MIME = export.XLSX_MIME
SHEET_NAMES = {
    "summary": "Übersicht", "themes": "Themen", "status": "Status", "development": "Entwicklung",
    "changes": "Statuswechsel", "milestones": "Meilensteine", "funds": "Förderprogramme",
    "funds_theme": "Förderprogramme je Thema", "kpis": "Kennzahlen", "indicators": "Indikatoren",
    "rounds": "Abstimmungsrunden", "organisations": "Organisationen", "assessment": "Einschätzung",
    "initiatives": "Initiativen", "sources": "Quellen", "notes": "Hinweise",
}


def sheet_title(report: Report, table: Table) -> str:
    """Row 1 of a sheet: 'Landkreis Görlitz · Bericht 01.07.2025 – 30.06.2026 · Meilensteine' (+ intern)."""
    title = f"{report.header_text} · {table.title}"
    return f"{title} · {report.label}" if report.internal else title


def _frame(table: Table):
    df = table.to_frame()
    for c in table.columns:
        if c.kind == "bool":
            df[c.label] = ["ja" if v is True else "nein" if v is False else None for v in df[c.label]]
    return df


def to_xlsx(report: Report) -> bytes:
    """The report's tables as an XLSX workbook (bytes), one sheet per topic."""
    subtitle = " · ".join(x for x in (report.stand_text(), report.selection,
                                      "Beispieldaten – keine amtlichen Zahlen" if report.synthetic else "") if x)
    sheets = [export.Sheet(
        name=SHEET_NAMES.get(t.key, t.title), frame=_frame(t), title=sheet_title(report, t), subtitle=subtitle,
        formats={c.label: c.excel_format for c in t.columns if c.excel_format})
        for t in report.sheets]
    return export.to_xlsx_sheets(sheets, created=report.created(), title=f"{report.title} – {report.subtitle}",
                                 author=report.district_name)
