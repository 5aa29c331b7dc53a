"""Überblick: the first screen for the district leadership — key figures, status funnel, progress per theme,
what changed in the period, what needs attention, funds by programme."""
import streamlit as st

from monitor import charts, filters, format as fmt, overview, sources, ui

f = filters.current()
today = ui.today()
data = overview.load(f, today)
stand = ui.stand()
portfolio = sources.portfolio_source_label()

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
cols[2].metric("Abgeschlossen", fmt.number(k.completed), border=True)
cols[3].metric("Fördermittel bewilligt", fmt.eur_compact(k.funding_granted_eur), border=True,
               delta=f"{fmt.share(k.funding_granted_eur, k.total_cost_eur)} von {fmt.eur_compact(k.total_cost_eur)}",
               delta_color="off", delta_arrow="off",
               help=f"{fmt.eur(k.funding_granted_eur)} bewilligt – Anteil an den Gesamtkosten von "
                    f"{fmt.eur(k.total_cost_eur)} (ohne verworfene Initiativen).")
cols[4].metric("Meilensteine überfällig", fmt.number(k.overdue_milestones), border=True,
               help=f"Nicht erledigt und vor dem {fmt.date(today)} fällig.")
st.caption(f"Quelle: {portfolio} · Stand: {fmt.date(stand)}")

# ---------------------------------------------------------------- status and attention
left, right = st.columns(2, gap="large")
with left:
    ui.plotly(charts.status_funnel(data.status_counts, stand), key="funnel")
    ui.figure_caption(portfolio, unit="Anzahl Initiativen")
with right:
    at_ = data.attention
    st.subheader("Was Aufmerksamkeit braucht")
    st.caption(f"Stand heute, {fmt.date(today)}")
    tabs = st.tabs([f"Überfällige Meilensteine ({len(at_.overdue)})",
                    f"Ohne Statuswechsel seit {overview.STALE_MONTHS} Monaten ({len(at_.stale)})",
                    f"Endet in {overview.ENDING_DAYS} Tagen ({len(at_.ending_soon)})"])
    date_col = st.column_config.DateColumn
    with tabs[0]:
        if at_.overdue.empty:
            st.success("Keine überfälligen Meilensteine.", icon=":material/check_circle:")
        else:
            ui.table(at_.overdue, "overdue", height=280, column_config={
                "initiative_id": "ID", "title": "Initiative", "milestone": "Meilenstein",
                "due_date": date_col("Fällig am", format="DD.MM.YYYY"),
                "days_overdue": st.column_config.NumberColumn("Tage überfällig", format="%d")})
    with tabs[1]:
        if at_.stale.empty:
            st.success("Alle laufenden Initiativen haben sich zuletzt bewegt.", icon=":material/check_circle:")
        else:
            ui.table(at_.stale, "stale", height=280, column_config={
                "initiative_id": "ID", "title": "Initiative", "status": "Status",
                "last_change": date_col("Letzter Statuswechsel", format="DD.MM.YYYY")})
    with tabs[2]:
        if at_.ending_soon.empty:
            st.success(f"Keine Initiative endet in den nächsten {overview.ENDING_DAYS} Tagen.",
                       icon=":material/check_circle:")
        else:
            ui.table(at_.ending_soon, "ending", height=280, column_config={
                "initiative_id": "ID", "title": "Initiative", "status": "Status",
                "end_planned": date_col("Ende geplant", format="DD.MM.YYYY")})

# ---------------------------------------------------------------- per theme
st.subheader("Fortschritt je Thema")
ui.plotly(charts.status_mix(data.status_mix, stand), key="status_mix")
ui.figure_caption(portfolio, unit="Anzahl Initiativen")
cards = st.columns(len(data.themes))
for col, row in zip(cards, data.themes.itertuples()):
    with col.container(border=True):
        ui.theme_badge(row.theme, full=True)
        st.markdown(f"**{fmt.number(row.initiatives)} Initiativen**")
        if row.initiatives == 0:
            st.caption("Keine Initiativen in der Auswahl.")
            continue
        late = f" (davon {fmt.number(row.milestones_done_late)} verspätet)" if row.milestones_done_late else ""
        st.markdown(
            f"**Meilensteine:** {fmt.number(row.milestones_done)} erledigt{late} · "
            f"{fmt.number(row.milestones_open)} im Plan · {fmt.number(row.milestones_overdue)} überfällig")
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
events = overview.recent_events(ch)
if events.empty:
    ui.empty_state("Im gewählten Zeitraum hat sich nichts geändert.")
else:
    ui.table(events, "events", column_config={
        "date": st.column_config.DateColumn("Datum", format="DD.MM.YYYY", width="small"),
        "initiative": st.column_config.TextColumn("Initiative", width="large"),
        "event": st.column_config.TextColumn("Ereignis", width="large"),
    })

# ---------------------------------------------------------------- funds by programme
st.subheader("Fördermittel je Förderprogramm")
if data.funds.empty:
    ui.empty_state("Keine Initiative der Auswahl nennt ein Förderprogramm.")
else:
    ui.plotly(charts.funds_by_programme(data.funds, stand), key="funds")
    ui.figure_caption(portfolio, unit="€; eine Initiative mit mehreren Programmen zählt bei jedem voll")
