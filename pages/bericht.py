"""Bericht: the period report for the federal level as PDF, Word and Excel — the same content as
``python -m monitor.report`` — with the office's assessment text and a preview of the summary figures.
Files are generated when a download button is clicked (deferred download), charts included."""
import streamlit as st

from monitor.app import sidebar, ui
from monitor.data import audit
from monitor.report import docx as report_docx
from monitor.report import page as report_page
from monitor.report import pdf as report_pdf
from monitor.report import xlsx as report_xlsx
from monitor.report.model import ReportParams

# ---------------------------------------------------------------- 1. read filters and page widgets
f = sidebar.current()
ui.page_header("Bericht", "Bericht an die Bundesebene für einen Zeitraum – PDF, Word und Excel")
period = st.date_input(
    "Berichtszeitraum", value=(f.date_from, f.date_to), format="DD.MM.YYYY",
    # keyed by the sidebar period: a new sidebar period resets this field to it
    key=f"bericht_zeitraum_{f.date_from.isoformat()}_{f.date_to.isoformat()}",
    help="Vorbelegt mit dem Zeitraum der Seitenleiste; hier für den Bericht änderbar.")
if not isinstance(period, (tuple, list)) or len(period) != 2:
    st.info("Bitte Anfangs- und Enddatum des Berichtszeitraums wählen.", icon=":material/date_range:")
    st.stop()
date_from, date_to = period
st.caption(ui.md(report_page.selection_caption(f.themes, f.municipalities, date_to, bool(f.statuses))))
# The internal version exists only for roles that may see non-public initiatives (the loader enforces it too).
internal = f.access.internal and st.checkbox(
    "Interne Fassung (auch nicht öffentliche Initiativen)", key="bericht_intern",
    help="Nur für den Dienstgebrauch: jede Seite und jedes Tabellenblatt ist als intern gekennzeichnet.")
if internal:
    st.warning("**Interne Fassung**: enthält auch Initiativen, die nicht zur Veröffentlichung freigegeben sind, "
               "und ist auf jeder Seite als „INTERN – nicht zur Weitergabe“ gekennzeichnet. Nicht an das "
               "Ministerium oder Dritte senden.", icon=":material/lock:")
assessment = st.text_area(
    "Einschätzung der Kompetenzstelle", key="bericht_einschaetzung", height=200, max_chars=10000,
    placeholder="Wie ist der Stand der Pilotaktion? Was hat sich bewährt, wo hakt es, was ist als Nächstes "
                "geplant? Absätze durch Leerzeilen trennen.",
    help="Erscheint im Bericht als Kapitel „Einschätzung der Kompetenzstelle“ und in der Excel-Datei.")

# ---------------------------------------------------------------- 2. data
params = ReportParams(date_from, date_to, f.themes, f.municipalities, internal=internal,
                      assessment=(assessment or "").strip())
with st.spinner(report_page.SPINNER_TEXT):
    view = report_page.load(params, f.access)
report = view.report
selection = audit.describe(f.with_(date_from=date_from, date_to=date_to, statuses=()))  # the report's selection


def logged(build, kind: str):
    """The file built on click and recorded in the audit log."""
    return audit.logged(build, f.access, "bericht", f"{selection} · {kind}", internal=report.params.internal)


# ---------------------------------------------------------------- 3. render
st.subheader(f"Vorschau: {ui.md(report.subtitle)}")
if report.synthetic:
    st.warning("Es sind Beispieldaten geladen: der Bericht ist als solcher gekennzeichnet und nicht zur "
               "Weitergabe bestimmt.", icon=":material/science:")
st.markdown(ui.md(report.summary_text))
figs = list(view.key_figures)
for start in range(0, len(figs), 4):
    cols = st.columns(4)
    for col, fig in zip(cols, figs[start:start + 4]):
        col.metric(fig.label, fig.text(), help=fig.note or None, border=True)
ui.table(view.preview(), "bericht_themen",
         column_config={label: st.column_config.TextColumn(alignment="right") for label in view.numeric_columns})
st.caption(view.details)
if not report.params.assessment:
    st.info("Noch keine Einschätzung eingetragen – der Bericht enthält dann einen Platzhalter.",
            icon=":material/edit_note:")

with st.container(border=True):
    st.markdown("**Bericht herunterladen**")
    st.caption(report_page.downloads_note())
    stem = report.file_stem()
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("PDF (.pdf)", data=logged(view.pdf, "PDF"), file_name=f"{stem}.pdf", mime=report_pdf.MIME,
                       key="bericht_pdf", icon=":material/picture_as_pdf:", on_click="ignore", width="stretch")
    c2.download_button("Word (.docx)", data=logged(view.docx, "Word"), file_name=f"{stem}.docx",
                       mime=report_docx.MIME, key="bericht_docx", icon=":material/description:", on_click="ignore",
                       width="stretch")
    c3.download_button("Excel (.xlsx)", data=logged(view.xlsx, "Excel"), file_name=f"{stem}.xlsx",
                       mime=report_xlsx.MIME, key="bericht_xlsx", icon=":material/table:", on_click="ignore",
                       width="stretch")
    c4.download_button("Alle drei (.zip)", data=logged(view.bundle, "PDF, Word und Excel (ZIP)"),
                       file_name=f"{stem}.zip", mime="application/zip", key="bericht_zip",
                       icon=":material/folder_zip:", on_click="ignore", width="stretch",
                       help="PDF, Word und Excel zusammen in einer ZIP-Datei")
    st.caption(view.cli_command)
