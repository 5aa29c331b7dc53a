"""What the page "Bericht" shows, in one loader: :func:`load` turns :class:`ReportParams` into a frozen
:class:`ReportPage` (the report, its preview table with German column names, the caption texts) whose files
are made on demand (:meth:`ReportPage.pdf`, ``docx``, ``xlsx``, all three as one ZIP: ``bundle``). The
report is cached per parameters and database version (:mod:`monitor.core.cache`). The internal version only for an
:class:`~monitor.data.access.Access` with ``internal``: for a Partner the public report, whatever is asked.
No Streamlit here."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, replace

import pandas as pd

from monitor.core import format as fmt
from monitor.core.cache import memo
from monitor.core.vocab import THEME_BY_ID
from monitor.data import db, sources
from monitor.data import municipalities as mun
from monitor.data.access import FULL, Access
from monitor.report import content, figures
from monitor.report.model import KeyFigure, Report, ReportParams

SPINNER_TEXT = "Bericht wird zusammengestellt …"


#: Reports kept: at national scale a report (5,000 initiatives in the annex) weighs ~3 MB, and concurrent sessions
#: with different filters each add one (bench/bench_memory.py); the page of a session and the one before it.
REPORT_CACHE_SIZE = 2


@memo(REPORT_CACHE_SIZE, ttl=600)
def _report(params: ReportParams, stamp: tuple) -> Report:
    """The report for ``params`` on the database version ``stamp`` (cached per both)."""
    return content.build_report(params)


@dataclass(frozen=True)
class ReportPage:
    """The report of the page's parameters and what the page shows of it."""

    report: Report
    key_figures: tuple[KeyFigure, ...]  # the summary figures (metrics of the preview)
    preview_columns: tuple[str, ...]  # German labels of the per-theme overview
    preview_rows: tuple[tuple[str, ...], ...]  # its cells as formatted text
    numeric_columns: tuple[str, ...]  # labels of the columns to right-align
    details: str  # Stand, reference day, number of charts and annex rows
    cli_command: str  # the same report on the command line

    def preview(self) -> pd.DataFrame:
        """The overview per theme (a fresh frame on each call)."""
        return pd.DataFrame(list(self.preview_rows), columns=list(self.preview_columns))

    # the writers (reportlab, python-docx) load on the first download, not at server start (monitor.app.serve)
    def pdf(self) -> bytes:
        from monitor.report import pdf
        return pdf.to_pdf(self.report, figures.render(self.report.charts))

    def docx(self) -> bytes:
        from monitor.report import docx
        return docx.to_docx(self.report, figures.render(self.report.charts))

    def xlsx(self) -> bytes:
        from monitor.report import xlsx
        return xlsx.to_xlsx(self.report)

    def bundle(self) -> bytes:
        """PDF, Word and Excel in one ZIP, named as the single downloads (the charts rendered once)."""
        from monitor.report import docx, pdf, xlsx
        images = figures.render(self.report.charts)
        stem = self.report.file_stem()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{stem}.pdf", pdf.to_pdf(self.report, images))
            zf.writestr(f"{stem}.docx", docx.to_docx(self.report, images))
            zf.writestr(f"{stem}.xlsx", xlsx.to_xlsx(self.report))
        return out.getvalue()


def allowed(params: ReportParams, access: Access) -> ReportParams:
    """``params`` as ``access`` may have them: the public version without ``access.internal``."""
    return params if access.internal or not params.internal else replace(params, internal=False)


def load(params: ReportParams, access: Access = FULL) -> ReportPage:
    """The page's content for ``params`` (see :func:`allowed`) on the current database."""
    params = allowed(params, access)
    report = _report(params, db.current_stamp())
    overview = report.sheet("themes")
    flags = " `--internal`" if params.internal else ""
    return ReportPage(
        report=report,
        key_figures=report.summary,
        preview_columns=tuple(c.label for c in overview.columns),
        preview_rows=tuple(tuple(r) for r in overview.texts()),
        numeric_columns=tuple(c.label for c in overview.columns if c.numeric),
        details=(f"Quelle: {sources.portfolio_source_label()} · {report.stand_text()} · Stichtag für „überfällig“ "
                 f"und „Status am Ende“: {fmt.date(report.as_of)} "
                 f"· {len(report.charts)} Grafiken · Anhang mit {len(report.annex)} Initiativen"),
        cli_command=("Gleicher Inhalt über die Kommandozeile: "
                     f"`python -m monitor.report --from {params.date_from.isoformat()} "
                     f"--to {params.date_to.isoformat()} --out bericht/`" + flags),
    )


def selection_caption(themes: tuple[str, ...], municipalities: tuple[str, ...], date_to: dt.date,
                      status_filtered: bool) -> str:
    """The sidebar selection the report takes (the status filter never applies to a report)."""
    themes_text = ", ".join(THEME_BY_ID[t].name_de for t in themes) if themes else "alle Themen"
    names = mun.municipality_names(date_to)
    munis_text = ", ".join(names.get(a, a) for a in municipalities) if municipalities else "alle Gemeinden"
    return (f"Auswahl aus der Seitenleiste: {themes_text} · {munis_text}"
            + (" · Der Statusfilter gilt für den Bericht nicht." if status_filtered else ""))


def downloads_note() -> str:
    """The note above the download buttons, with the reason when charts cannot be rendered here."""
    problem = figures.availability()
    return ("Die Dateien werden beim Klick erstellt (mit Grafiken einige Sekunden). Ohne Ansprechpersonen, "
            "E-Mail-Adressen und Telefonnummern; Excel-Zellen sind Text oder Zahl, nie Formeln."
            + (f" {problem} Der Bericht enthält dann an ihrer Stelle einen Hinweis." if problem else ""))
