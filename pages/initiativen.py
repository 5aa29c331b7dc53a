"""Initiativen: the portfolio explorer — table filtered by the sidebar and this page's filters, downloads
(Excel, CSV; without personal data), and the detail view of one initiative."""
import streamlit as st

from monitor.figures import portfolio
from monitor.data import export, initiatives, sources
from monitor.core import format as fmt
from monitor.app import sidebar, ui
from monitor.core.vocab import ORIGINS, STATUS_LINE

f = sidebar.current()
today = ui.today()
stand = ui.stand()
portfolio_label = sources.portfolio_source_label()

ui.page_header("Initiativen", f"Zeitraum {f.period_text()}")

# ---------------------------------------------------------------- page filters (bound to the URL)
c1, c2, c3, c4 = st.columns([1, 1, 1, 1.3])
programmes = c1.multiselect("Förderprogramm", initiatives.programme_options(), key="programm",
                            placeholder="Alle Programme", bind="query-params")
leads = c2.multiselect("Träger", initiatives.lead_options(), key="traeger", placeholder="Alle Träger",
                       bind="query-params")
origins = c3.multiselect("Herkunft", list(ORIGINS), key="herkunft", placeholder="Alle Herkünfte",
                         bind="query-params")
search = c4.text_input("Suche", key="suche", placeholder="ID, Titel oder Beschreibung", bind="query-params",
                       icon=":material/search:")
page_filters = initiatives.PortfolioFilters(tuple(programmes), tuple(leads), tuple(origins), search or "")
table = initiatives.portfolio(f, page_filters)

if table.empty:
    ui.empty_state("Keine Initiative passt zu dieser Auswahl. Bitte Filter oder Suchbegriff ändern.")
    st.stop()

# ---------------------------------------------------------------- table
active_cost = table.loc[table["status"] != "Verworfen", "total_cost_eur"].sum()
st.markdown(f"**{fmt.number(len(table))} Initiativen** · Gesamtkosten {fmt.eur(active_cost)} (ohne verworfene) · "
            f"Fördermittel bewilligt {fmt.eur(table['funding_granted_eur'].sum())}")
shown = table.assign(
    total_cost=[fmt.eur(v) for v in table["total_cost_eur"]],
    granted=[fmt.eur(v) for v in table["funding_granted_eur"]],
    public=["ja" if v else "nein" for v in table["is_public"]],
)
shown = ui.capped(shown, "Initiativen (nach ID)", hint="die Downloads enthalten alle; Filter oder Suche grenzen ein")
ui.table(
    shown, "portfolio_table",
    column_order=["initiative_id", "title", "theme_name", "status", "municipalities", "lead_organisation",
                  "programmes", "total_cost", "granted", "start_date", "end_planned", "public"],
    column_config={
        "initiative_id": st.column_config.TextColumn("ID", width="small"),
        "title": st.column_config.TextColumn("Titel", width="large"),
        "theme_name": "Thema", "status": "Status", "municipalities": "Gemeinden", "lead_organisation": "Träger",
        "programmes": "Förderprogramme",
        "total_cost": st.column_config.TextColumn("Gesamtkosten", alignment="right"),
        "granted": st.column_config.TextColumn("Fördermittel bewilligt", alignment="right"),
        "start_date": st.column_config.DateColumn("Beginn", format="DD.MM.YYYY"),
        "end_planned": st.column_config.DateColumn("Ende geplant", format="DD.MM.YYYY"),
        "public": st.column_config.TextColumn("Öffentlich", width="small"),
    },
)
ui.figure_caption(portfolio_label, unit="€")

# ---------------------------------------------------------------- downloads
with st.container(border=True):
    st.markdown("**Liste herunterladen**")
    public_only = st.checkbox("Nur öffentliche Initiativen (zur Weitergabe)", value=True, key="nur_oeffentlich",
                              bind="query-params")
    rows = initiatives.export_table(table, public_only=public_only)
    st.caption(f"{fmt.number(len(rows))} Initiativen · ohne Ansprechperson, E-Mail und Telefon · "
               "Formeln werden als Text geschrieben.")
    stem = export.file_stem("initiativen", today)
    d1, d2, _ = st.columns([1, 1, 3])
    # The files are built on click (a callable), not on every run of the page.
    d1.download_button("Excel (.xlsx)", lambda: export.to_xlsx(rows), file_name=f"{stem}.xlsx",
                       mime=export.XLSX_MIME, key="download_xlsx", icon=":material/download:", on_click="ignore",
                       disabled=rows.empty)
    d2.download_button("CSV (.csv)", lambda: export.to_csv(rows), file_name=f"{stem}.csv", mime=export.CSV_MIME,
                       key="download_csv", icon=":material/download:", on_click="ignore", disabled=rows.empty)

# ---------------------------------------------------------------- detail
st.subheader("Initiative im Detail")
choices = initiatives.detail_choices(table, initiatives.requested_detail(st.session_state.get("initiative"),
                                                                      st.query_params.get("initiative")))
titles = dict(zip(choices["initiative_id"], choices["title"]))
if len(choices) < len(table):
    st.caption(f"Zur Auswahl stehen die ersten {fmt.number(initiatives.DETAIL_CHOICES)} von "
               f"{fmt.number(len(table))} Initiativen der Liste – Suche oder Filter oben grenzen ein.")
chosen = st.selectbox("Initiative wählen", list(titles), index=None, key="initiative", bind="query-params",
                      format_func=lambda i: f"{i} – {titles.get(i, '')}", placeholder="Initiative wählen …")
if chosen is None:
    st.caption("Eine Initiative auswählen, um Beschreibung, Verlauf, Meilensteine, Kennzahlen, Partner, "
               "Förderung und Abstimmungsrunden zu sehen.")
    st.stop()

d = initiatives.detail(chosen, today)
if d is None:
    ui.empty_state("Diese Initiative gibt es in den geladenen Daten nicht (mehr).")
    st.stop()
info = d.info
st.markdown(f"### {ui.md(info['initiative_id'])} – {ui.md(info['title'])}")
badges = st.container(horizontal=True)
with badges:
    for theme in d.themes:
        ui.theme_badge(theme)
    st.badge(info["status"], color="blue" if info["status"] in STATUS_LINE else "gray",
             icon=":material/flag:")
    if not info["is_public"]:
        st.badge("nicht öffentlich", color="red", icon=":material/lock:")
st.markdown(ui.md(info.get("summary")))

facts, money = st.columns(2)
with facts:
    lines = [
        ("Träger", info.get("lead_organisation")), ("Herkunft", info.get("origin")),
        ("Gemeinden", ", ".join(d.municipalities) or None), ("Beginn", fmt.date(info.get("start_date"))),
        ("Ende geplant", fmt.date(info.get("end_planned"))), ("Stand der Angaben", fmt.date(info.get("as_of"))),
    ]
    st.markdown("  \n".join(f"**{label}:** {ui.md(value)}" for label, value in lines))
    partners = d.organisations[d.organisations["role"] != "Träger"]["organisation"]
    st.markdown(f"**Partner:** {ui.md(', '.join(partners)) if len(partners) else 'keine'}")
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
    ui.plotly(portfolio.status_timeline(d.history, today, stand), key="status_timeline")
    ui.figure_caption(portfolio_label, unit="Status je Datum")
if d.milestones.empty:
    ui.empty_state("Für diese Initiative sind keine Meilensteine erfasst.")
else:
    ui.plotly(portfolio.milestone_timeline(d.milestones, today, stand), key="milestone_timeline")
    ui.figure_caption(portfolio_label, unit="Datum (fällig / erledigt)")

if not d.milestones.empty:
    ms = initiatives.milestone_table(d.milestones)
    ui.table(ms, "milestones", column_order=["seq", "title", "due_date", "done_date", "state"],
             column_config={"seq": st.column_config.NumberColumn("Nr.", format="%d"), "title": "Meilenstein",
                            "due_date": st.column_config.DateColumn("Fällig am", format="DD.MM.YYYY"),
                            "done_date": st.column_config.DateColumn("Erledigt am", format="DD.MM.YYYY"),
                            "state": "Stand heute"})

st.markdown("#### Kennzahlen")
if d.kpis.empty:
    ui.empty_state("Für diese Initiative sind keine Kennzahlen erfasst.")
else:
    kpis = initiatives.kpi_table(d.kpis)
    ui.table(kpis, "kpis",
             column_order=["name", "baseline_text", "target_text", "target_year", "actual_text", "as_of",
                           "reached_text"],
             column_config={"name": "Kennzahl", "baseline_text": "Ausgangswert", "target_text": "Zielwert",
                            "target_year": st.column_config.NumberColumn("Zieljahr", format="%d"),
                            "actual_text": "Istwert",
                            "as_of": st.column_config.DateColumn("Stand", format="DD.MM.YYYY"),
                            "reached_text": "Ziel erreicht"})

st.markdown("#### Abstimmungsrunden")
if d.rounds.empty:
    ui.empty_state("Diese Initiative war noch in keiner Abstimmungsrunde Thema.")
else:
    ui.table(d.rounds, "rounds", column_order=["date", "format", "organisations", "results"],
             column_config={"date": st.column_config.DateColumn("Datum", format="DD.MM.YYYY"),
                            "format": "Format", "organisations": "Teilnehmende Organisationen",
                            "results": st.column_config.TextColumn("Ergebnisse", width="large")})

with st.container(border=True):
    st.markdown("**Ansprechperson** · nur für die Kompetenzstelle, nicht in Downloads und Berichten")
    st.markdown("  \n".join(f"**{label}:** {ui.md(info.get(col))}" for label, col in
                            (("Name", "contact_name"), ("E-Mail", "contact_email"), ("Telefon", "contact_phone"))))
