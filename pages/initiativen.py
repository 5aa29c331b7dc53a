"""Initiativen: the portfolio explorer — table filtered by the sidebar and this page's filters, downloads
(Excel, CSV; without personal data), and the detail view of one initiative."""
import streamlit as st

from monitor.figures import portfolio
from monitor.data import audit, export, initiatives
from monitor.core import format as fmt
from monitor.app import sidebar, ui

f = sidebar.current()
ui.page_header("Initiativen", f"Zeitraum {f.period_text()}")

# ---------------------------------------------------------------- page filters (bound to the URL)
options = initiatives.filter_options(f.access)
c1, c2, c3, c4 = st.columns([1, 1, 1, 1.3])
programmes = c1.multiselect("Förderprogramm", options.programmes, key="programm", placeholder="Alle Programme",
                            bind="query-params")
leads = c2.multiselect("Träger", options.leads, key="traeger", placeholder="Alle Träger", bind="query-params")
origins = c3.multiselect("Herkunft", options.origins, key="herkunft", placeholder="Alle Herkünfte",
                         bind="query-params")
search = c4.text_input("Suche", key="suche", placeholder="ID, Titel oder Beschreibung", bind="query-params",
                       icon=":material/search:")
page_filters = initiatives.PortfolioFilters(tuple(programmes), tuple(leads), tuple(origins), search or "")
view = initiatives.load(
    f, page_filters,
    initiatives.requested_detail(st.session_state.get("initiative"), st.query_params.get("initiative")),
    ui.today())

if view.rows.empty:
    ui.empty_state("Keine Initiative passt zu dieser Auswahl. Bitte Filter oder Suchbegriff ändern.")
    st.stop()

# ---------------------------------------------------------------- table
st.markdown(f"**{fmt.number(len(view.rows))} Initiativen** · Gesamtkosten {fmt.eur(view.active_cost_eur)} "
            f"(ohne verworfene) · Fördermittel bewilligt {fmt.eur(view.granted_eur)}")
date_col = st.column_config.DateColumn
ui.table(
    ui.capped(view.table, "Initiativen (nach ID)", hint="die Downloads enthalten alle; Filter oder Suche grenzen ein"),
    "portfolio_table",
    column_config={
        "ID": st.column_config.TextColumn(width="small"), "Titel": st.column_config.TextColumn(width="large"),
        "Gesamtkosten": st.column_config.TextColumn(alignment="right"),
        "Fördermittel bewilligt": st.column_config.TextColumn(alignment="right"),
        "Beginn": date_col(format="DD.MM.YYYY"), "Ende geplant": date_col(format="DD.MM.YYYY"),
        "Öffentlich": st.column_config.TextColumn(width="small"),
    },
)
ui.figure_caption(view.source, unit="€")

# ---------------------------------------------------------------- downloads
with st.container(border=True):
    st.markdown("**Liste herunterladen**")
    # A Partner's list is public whatever ?nur_oeffentlich= says (the loader enforces it); no choice to offer.
    public_only = not f.access.internal or st.checkbox(
        "Nur öffentliche Initiativen (zur Weitergabe)", value=True, key="nur_oeffentlich", bind="query-params")
    rows = view.export(public_only)
    st.caption(f"{fmt.number(len(rows))} Initiativen · ohne Ansprechperson, E-Mail und Telefon · "
               "Formeln werden als Text geschrieben.")
    stem = export.file_stem("initiativen", view.today)
    d1, d2, _ = st.columns([1, 1, 3])
    selection = audit.describe(f, {"Förderprogramm": programmes, "Träger": leads, "Herkunft": origins,
                                   "Suche": search or ""})

    def logged(build, kind: str):
        """The file built on click (a callable, not on every run of the page) and recorded in the audit log."""
        return audit.logged(build, f.access, "liste", f"{selection} · {kind}", internal=not public_only)

    d1.download_button("Excel (.xlsx)", logged(lambda: view.download_xlsx(public_only), "Excel"),
                       file_name=f"{stem}.xlsx",
                       mime=export.XLSX_MIME, key="download_xlsx", icon=":material/download:", on_click="ignore",
                       disabled=rows.empty)
    d2.download_button("CSV (.csv)", logged(lambda: view.download_csv(public_only), "CSV"), file_name=f"{stem}.csv",
                       mime=export.CSV_MIME, key="download_csv", icon=":material/download:", on_click="ignore",
                       disabled=rows.empty)

# ---------------------------------------------------------------- detail
st.subheader("Initiative im Detail")
titles = view.choices
if len(titles) < len(view.rows):
    st.caption(f"Zur Auswahl stehen die ersten {fmt.number(initiatives.DETAIL_CHOICES)} von "
               f"{fmt.number(len(view.rows))} Initiativen der Liste – Suche oder Filter oben grenzen ein.")
chosen = st.selectbox("Initiative wählen", list(titles), index=None, key="initiative", bind="query-params",
                      format_func=lambda i: f"{i} – {titles.get(i, '')}", placeholder="Initiative wählen …")
if chosen is None:
    st.caption("Eine Initiative auswählen, um Beschreibung, Verlauf, Meilensteine, Kennzahlen, Partner, "
               "Förderung und Abstimmungsrunden zu sehen.")
    st.stop()

dv = view.detail
if dv is None or dv.detail.info["initiative_id"] != chosen:
    ui.empty_state("Diese Initiative gibt es in den geladenen Daten nicht (mehr).")
    st.stop()
d, info = dv.detail, dv.detail.info
st.markdown(f"### {ui.md(info['initiative_id'])} – {ui.md(info['title'])}")
with st.container(horizontal=True):
    for theme in d.themes:
        ui.theme_badge(theme)
    ui.status_badge(info["status"])
    if not info["is_public"]:
        st.badge("nicht öffentlich", color="red", icon=":material/lock:")
st.markdown(ui.md(info.get("summary")))

facts, money = st.columns(2)
with facts:
    st.markdown("  \n".join(f"**{label}:** {ui.md(value)}" for label, value in dv.facts))
    st.markdown(f"**Partner:** {ui.md(', '.join(dv.partners)) if dv.partners else 'keine'}")
with money:
    m1, m2, m3 = st.columns(3)
    m1.metric("Gesamtkosten", fmt.eur(info.get("total_cost_eur")))
    m2.metric("Fördermittel bewilligt", fmt.eur(info.get("funding_granted_eur")))
    m3.metric("Eigenmittel", fmt.eur(info.get("own_funds_eur")))
    st.markdown(f"**Förderprogramme:** {ui.md(', '.join(d.programmes)) if d.programmes else 'keine'}")

st.markdown("#### Statusverlauf und Meilensteine")
if d.history.empty:
    ui.empty_state("Für diese Initiative ist kein Statusverlauf erfasst.")
else:
    ui.plotly(portfolio.status_timeline_figure(d.history, view.today, view.stand), key="status_timeline")
    ui.figure_caption(view.source, unit="Status je Datum")
if d.milestones.empty:
    ui.empty_state("Für diese Initiative sind keine Meilensteine erfasst.")
else:
    ui.plotly(portfolio.milestone_timeline_figure(d.milestones, view.today, view.stand), key="milestone_timeline")
    ui.figure_caption(view.source, unit="Datum (fällig / erledigt)")
    ui.table(dv.milestones, "milestones",
             column_config={"Nr.": st.column_config.NumberColumn(format="%d"),
                            "Fällig am": date_col(format="DD.MM.YYYY"), "Erledigt am": date_col(format="DD.MM.YYYY")})
    ui.figure_caption(view.source)
    ui.table_downloads(dv.milestones, "milestones", f, f"Meilensteine {info['initiative_id']}", view.source)

st.markdown("#### Kennzahlen")
if dv.kpis.empty:
    ui.empty_state("Für diese Initiative sind keine Kennzahlen erfasst.")
else:
    ui.table(dv.kpis, "kpis", column_config={"Zieljahr": st.column_config.NumberColumn(format="%d"),
                                             "Stand": date_col(format="DD.MM.YYYY")})
    ui.figure_caption(view.source)
    ui.table_downloads(dv.kpis, "kpis", f, f"Kennzahlen {info['initiative_id']}", view.source)

st.markdown("#### Abstimmungsrunden")
if dv.rounds.empty:
    ui.empty_state("Diese Initiative war noch in keiner Abstimmungsrunde Thema.")
else:
    ui.table(dv.rounds, "rounds", column_config={"Datum": date_col(format="DD.MM.YYYY"),
                                                 "Ergebnisse": st.column_config.TextColumn(width="large")})
    ui.figure_caption(view.source)
    ui.table_downloads(dv.rounds, "rounds", f, f"Abstimmungsrunden {info['initiative_id']}", view.source)

if dv.contact:  # only the Kompetenzstelle's loader reads them
    with st.container(border=True):
        st.markdown("**Ansprechperson** · nur für die Kompetenzstelle, nicht in Downloads und Berichten")
        st.markdown("  \n".join(f"**{label}:** {ui.md(value)}" for label, value in dv.contact))
