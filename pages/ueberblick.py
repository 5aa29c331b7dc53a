"""Überblick: the first screen for the district leadership — key figures, status funnel, progress per theme,
what changed in the period, what needs attention, funds by programme."""
import streamlit as st

from monitor.figures import portfolio
from monitor.data import feed, overview
from monitor.core import format as fmt
from monitor.app import sidebar, ui

f = sidebar.current()
data = overview.load(f, ui.today())
today, stand, portfolio_source = data.today, data.stand, data.source

ui.page_header("Überblick", f"Zeitraum {f.period_text()}")

if data.key.initiatives == 0:
    ui.empty_state("Keine Initiativen für diese Auswahl. Bitte die Filter in der Seitenleiste lockern.")
    st.stop()

# ---------------------------------------------------------------- key figures
k = data.key
cols = st.columns([1, 1, 1, 1.6, 1.3])
cols[0].metric("Initiativen", fmt.number(k.initiatives), border=True,
               help="Initiativen, die zu den Filtern passen und im Zeitraum liefen.")
cols[1].metric("In Umsetzung", fmt.number(k.in_progress), border=True)
cols[2].metric("Abgeschlossen", fmt.number(k.completed), border=True,
               help="Initiativen mit Status Abgeschlossen, die im Zeitraum abgeschlossen wurden oder noch liefen.")
cols[3].metric("Fördermittel bewilligt", fmt.eur_compact(k.funding_granted_eur), border=True,
               delta=f"{fmt.share(k.funding_granted_eur, k.total_cost_eur)} von {fmt.eur_compact(k.total_cost_eur)}",
               delta_color="off", delta_arrow="off",
               help=f"{fmt.eur(k.funding_granted_eur)} bewilligt – Anteil an den Gesamtkosten von "
                    f"{fmt.eur(k.total_cost_eur)} (ohne verworfene Initiativen).")
cols[4].metric("Meilensteine überfällig", fmt.number(k.overdue_milestones), border=True,
               help=f"Nicht erledigt und vor dem {fmt.date(today)} fällig.")
st.caption(f"Quelle: {ui.md(portfolio_source)} · Stand: {fmt.date(stand)}")

# ---------------------------------------------------------------- status and attention
left, right = st.columns([2, 3], gap="large")
with left:
    ui.plotly(portfolio.status_funnel_figure(data.status_counts, stand), key="funnel")
    ui.figure_caption(portfolio_source, unit="Anzahl Initiativen")
with right:
    at_ = data.attention_tables
    st.subheader("Was Aufmerksamkeit braucht")
    st.caption(f"Stand heute, {fmt.date(today)}")
    tabs = st.tabs([f"Überfällig ({fmt.number(len(at_.overdue))})",
                    f"Ohne Bewegung ({fmt.number(len(at_.stale))})",
                    f"Endet bald ({fmt.number(len(at_.ending_soon))})"])
    date_col = st.column_config.DateColumn
    initiative_col = st.column_config.TextColumn(width="medium")
    status_col = st.column_config.TextColumn(width="small")
    with tabs[0]:
        st.caption(f"Meilensteine, die vor dem {fmt.date(today)} fällig waren und noch nicht erledigt sind.")
        if at_.overdue.empty:
            st.success("Keine überfälligen Meilensteine.", icon=":material/check_circle:")
        else:
            ui.table(at_.overdue, "overdue", height=280, column_config={
                "Initiative": initiative_col, "Meilenstein": st.column_config.TextColumn(width="medium"),
                "Fällig am": date_col(format="DD.MM.YYYY", width="small"),
                "Tage": st.column_config.NumberColumn(format="%d", width="small",
                                                      help="Tage seit dem Fälligkeitstermin")})
            ui.table_downloads(at_.overdue, "overdue", f, "Überfällige Meilensteine", portfolio_source)
    with tabs[1]:
        st.caption(f"Laufende Initiativen ohne Statuswechsel und ohne erledigten Meilenstein seit "
                   f"{overview.STALE_MONTHS} Monaten (seit dem {fmt.date(data.stale_since)}).")
        if at_.stale.empty:
            st.success("Alle laufenden Initiativen haben sich zuletzt bewegt.", icon=":material/check_circle:")
        else:
            ui.table(at_.stale, "stale", height=280, column_config={
                "Initiative": initiative_col, "Status": status_col,
                "Letzter Statuswechsel": date_col(format="DD.MM.YYYY", width="small"),
                "Letzter Meilenstein": date_col(format="DD.MM.YYYY", width="small")})
            ui.table_downloads(at_.stale, "stale", f, "Initiativen ohne Bewegung", portfolio_source)
    with tabs[2]:
        st.caption(f"Laufende Initiativen, deren geplantes Ende in den nächsten {overview.ENDING_DAYS} Tagen liegt.")
        if at_.ending_soon.empty:
            st.success(f"Keine Initiative endet in den nächsten {overview.ENDING_DAYS} Tagen.",
                       icon=":material/check_circle:")
        else:
            ui.table(at_.ending_soon, "ending", height=280, column_config={
                "Initiative": st.column_config.TextColumn(width="large"), "Status": status_col,
                "Ende geplant": date_col(format="DD.MM.YYYY", width="small")})
            ui.table_downloads(at_.ending_soon, "ending", f, "Initiativen, die bald enden", portfolio_source)
    ui.figure_caption(portfolio_source)

# ---------------------------------------------------------------- per theme
st.subheader("Fortschritt je Thema")
ui.plotly(portfolio.status_mix_figure(data.status_mix, stand), key="status_mix")
ui.figure_caption(portfolio_source, unit="Anzahl Initiativen")
cards = st.columns(len(data.themes))
for col, row in zip(cards, data.themes.itertuples()):
    with col.container(border=True):
        ui.theme_badge(row.theme)
        st.markdown(f"**{fmt.number(row.initiatives)} Initiativen**")
        if row.initiatives == 0:
            st.caption("Keine Initiativen in der Auswahl.")
            continue
        late = f" (davon {fmt.number(row.milestones_done_late)} verspätet)" if row.milestones_done_late else ""
        st.markdown(
            f"**Meilensteine (gesamt):** {fmt.number(row.milestones_done)} erledigt{late} · "
            f"{fmt.number(row.milestones_open)} offen im Plan · {fmt.number(row.milestones_overdue)} überfällig")
        st.markdown(f"**Fördermittel:** {fmt.eur_compact(row.funding_granted_eur)} von "
                    f"{fmt.eur_compact(row.total_cost_eur)} ({fmt.share(row.funding_granted_eur, row.total_cost_eur)})")
        if row.total_cost_eur > 0:
            st.progress(min(row.funding_granted_eur / row.total_cost_eur, 1.0))
        if row.kpis_rated:
            st.markdown(f"**Kennzahlen am Ziel:** {fmt.number(row.kpis_reached)} von {fmt.number(row.kpis_rated)} "
                        f"({fmt.share(row.kpis_reached, row.kpis_rated)})")
        else:
            st.markdown("**Kennzahlen am Ziel:** keine bewertbare Kennzahl")
st.caption("Kennzahl am Ziel: Istwert hat den Zielwert erreicht (bei sinkendem Ziel: unterschritten); "
           "Kennzahlen ohne Ist- oder Zielwert werden nicht bewertet. Gesamtkosten ohne verworfene Initiativen.")

# ---------------------------------------------------------------- changes in the period
ch = data.changes
st.subheader("Was sich im Zeitraum getan hat")
st.caption(f"{f.period_text()}")
c1, c2, c3, _ = st.columns([1, 1, 1, 2])
c1.metric("Neue Initiativen", fmt.number(len(ch.new_initiatives)))
c2.metric("Statuswechsel", fmt.number(len(ch.status_changes)))
c3.metric("Meilensteine erreicht", fmt.number(len(ch.milestones_reached)))
if data.events.empty:
    ui.empty_state("Im gewählten Zeitraum hat sich nichts geändert.")
else:
    if data.n_events > len(data.events):
        st.caption(f"Die {fmt.number(len(data.events))} neuesten von {fmt.number(data.n_events)} Ereignissen – alle "
                   "stehen auf der Seite Neuigkeiten.")
    ui.table(data.events, "events", column_config={
        "Datum": st.column_config.DateColumn(format="DD.MM.YYYY", width="small"),
        "Initiative": st.column_config.TextColumn(width="large"),
        "Ereignis": st.column_config.TextColumn(width="large"),
    })
    ui.figure_caption(portfolio_source)
    ui.table_downloads(data.events, "events", f, "Was sich im Zeitraum getan hat", portfolio_source)
st.page_link("pages/ereignisse.py", label="Alle Ereignisse: Neuigkeiten", icon=":material/update:",
             query_params={"seit": feed.DATE_LABEL, "ab": f.date_from.isoformat()},
             help="Jedes Ereignis seit einem Tag, mit Meilensteinen, Kennzahlen und Datenfassungen, seitenweise.")

# ---------------------------------------------------------------- funds by programme
st.subheader("Fördermittel je Förderprogramm")
if data.funds.empty:
    ui.empty_state("Keine Initiative der Auswahl nennt ein Förderprogramm.")
else:
    ui.plotly(portfolio.funds_figure(data.funds, stand), key="funds")
    ui.figure_caption(portfolio_source, unit="€; eine Initiative mit mehreren Programmen zählt bei jedem voll")
