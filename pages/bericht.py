"""Bericht: the period report for the federal level as PDF, Word and Excel — the same content as
``python -m monitor.report`` — with the office's assessment text and a preview of the summary figures.
Files are generated when a download button is clicked (deferred download), charts included."""
import pandas as pd
import streamlit as st

from monitor.data import db
from monitor.data import municipalities as mun
from monitor.app import sidebar, ui
from monitor.core import format as fmt
from monitor.report import content, figures
from monitor.report import docx as report_docx
from monitor.report import pdf as report_pdf
from monitor.report import xlsx as report_xlsx
from monitor.report.model import ReportParams
from monitor.core.vocab import THEME_BY_ID


@st.cache_data(ttl=600, max_entries=8, show_spinner="Bericht wird zusammengestellt …")
def _report(params: ReportParams, stamp: tuple):
    """The report for ``params`` on the database version ``stamp`` (cached per both)."""
    return content.build_report(params)


def _pdf(report) -> bytes:
    return report_pdf.to_pdf(report, figures.render(report.charts))


def _docx(report) -> bytes:
    return report_docx.to_docx(report, figures.render(report.charts))


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
themes_text = ", ".join(THEME_BY_ID[t].name_de for t in f.themes) if f.themes else "alle Themen"
munis = mun.municipality_names(date_to)
munis_text = ", ".join(munis.get(a, a) for a in f.municipalities) if f.municipalities else "alle Gemeinden"
st.caption(f"Auswahl aus der Seitenleiste: {themes_text} · {munis_text}"
           + (" · Der Statusfilter gilt für den Bericht nicht." if f.statuses else ""))
internal = st.checkbox("Interne Fassung (auch nicht öffentliche Initiativen)", key="bericht_intern",
                       help="Nur für den Dienstgebrauch: jede Seite und jedes Tabellenblatt ist als intern "
                            "gekennzeichnet.")
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
report = _report(params, db.current_stamp())

# ---------------------------------------------------------------- 3. render
st.subheader(f"Vorschau: {report.subtitle}")
if report.synthetic:
    st.warning("Es sind Beispieldaten geladen: der Bericht ist als solcher gekennzeichnet und nicht zur "
               "Weitergabe bestimmt.", icon=":material/science:")
st.write(report.summary_text)
figs = list(report.summary)
for start in range(0, len(figs), 4):
    cols = st.columns(4)
    for col, fig in zip(cols, figs[start:start + 4]):
        col.metric(fig.label, fig.text(), help=fig.note or None, border=True)
overview = report.sheet("themes")
ui.table(pd.DataFrame(overview.texts(), columns=[c.label for c in overview.columns]), "bericht_themen",
         column_config={c.label: st.column_config.TextColumn(c.label, alignment="right")
                        for c in overview.columns if c.numeric})
st.caption(f"{report.stand_text()} · Stichtag für „überfällig“ und „Status am Ende“: {fmt.date(report.as_of)} · "
           f"{len(report.charts)} Grafiken · Anhang mit {len(report.annex)} Initiativen")
if not report.params.assessment:
    st.info("Noch keine Einschätzung eingetragen – der Bericht enthält dann einen Platzhalter.",
            icon=":material/edit_note:")

with st.container(border=True):
    st.markdown("**Bericht herunterladen**")
    problem = figures.availability()
    st.caption("Die Dateien werden beim Klick erstellt (mit Grafiken einige Sekunden). Ohne Ansprechpersonen, "
               "E-Mail-Adressen und Telefonnummern; Excel-Zellen sind Text oder Zahl, nie Formeln."
               + (f" {problem} Der Bericht enthält dann an ihrer Stelle einen Hinweis." if problem else ""))
    stem = report.file_stem()
    c1, c2, c3 = st.columns(3)
    c1.download_button("PDF (.pdf)", data=lambda: _pdf(report), file_name=f"{stem}.pdf", mime=report_pdf.MIME,
                       key="bericht_pdf", icon=":material/picture_as_pdf:", on_click="ignore", width="stretch")
    c2.download_button("Word (.docx)", data=lambda: _docx(report), file_name=f"{stem}.docx",
                       mime=report_docx.MIME, key="bericht_docx", icon=":material/description:", on_click="ignore",
                       width="stretch")
    c3.download_button("Excel (.xlsx)", data=lambda: report_xlsx.to_xlsx(report), file_name=f"{stem}.xlsx",
                       mime=report_xlsx.MIME, key="bericht_xlsx", icon=":material/table:", on_click="ignore",
                       width="stretch")
    st.caption("Gleicher Inhalt über die Kommandozeile: "
               f"`python -m monitor.report --from {date_from.isoformat()} --to {date_to.isoformat()} --out bericht/`"
               + (" `--internal`" if internal else ""))
