"""Akteure: which organisations work on which initiatives, who works with whom (network), coordination
rounds over time and the most connected actors."""
import streamlit as st

from monitor.data import actors
from monitor.app import sidebar, ui
from monitor.core import format as fmt

# ---------------------------------------------------------------- 1. read filters and page widgets
f = sidebar.current()
ui.page_header("Akteure", "Wer arbeitet woran und mit wem")
kind = st.radio("Verbindungen über", list(actors.LINK_KINDS), format_func=actors.LINK_KINDS.__getitem__,
                horizontal=True, key="akteure_verbindung", bind="query-params",
                help="Zwei Organisationen sind verbunden, wenn sie an derselben Initiative arbeiten oder an "
                     "derselben Abstimmungsrunde teilgenommen haben.")

# ---------------------------------------------------------------- 2. data
nodes = actors.actors(f, kind)
edges = actors.links(f, kind)
round_list = actors.rounds(f)
per_quarter = actors.rounds_per_quarter(round_list["date"], f.date_from, f.date_to)
work = actors.organisation_initiatives(f)
summary = actors.summary(nodes, edges, round_list)
stand = ui.stand()

# ---------------------------------------------------------------- 3. render
st.caption(f"Zeitraum {f.period_text()} · Initiativen nach den Filtern der Seitenleiste; Abstimmungsrunden im "
           f"Zeitraum" + ("" if f.is_unfiltered() else ", die eine der gefilterten Initiativen behandelt haben"))
cols = st.columns(3)
cols[0].metric("Organisationen", fmt.number(summary.organisations))
cols[1].metric("Verbindungen", fmt.number(summary.links))
cols[2].metric("Abstimmungsrunden", fmt.number(summary.rounds))

if nodes.empty:
    ui.empty_state("Für die gewählten Filter gibt es keine beteiligten Organisationen und keine Abstimmungsrunden.")
else:
    net_nodes, net_edges = actors.network_subset(nodes, edges)
    ui.plotly(actors.network_figure(net_nodes, net_edges, stand=stand), key="akteure_netz")
    notes = ["Farbe = Thema, zu dem die Organisation die meisten Initiativen hat; ohne Linie = bisher ohne Partner "
             "im Ausschnitt."]
    if len(net_nodes) < len(nodes):
        notes.append(f"Das Netz zeigt die {fmt.number(len(net_nodes))} am stärksten vernetzten von "
                     f"{fmt.number(len(nodes))} Organisationen und ihre Verbindungen untereinander; alle stehen in "
                     "der Tabelle darunter.")
    st.caption(" ".join(notes))

    st.markdown("#### Am stärksten vernetzte Akteure")
    st.dataframe(ui.capped(actors.actor_table(nodes), "Organisationen"), hide_index=True, width="stretch",
                 key="akteure_tabelle")

    st.markdown("#### Wer arbeitet woran?")
    if work.empty:
        ui.empty_state("Keine Initiativen mit Organisationen für die gewählten Filter.")
    else:
        st.dataframe(actors.work_table(ui.capped(work, "Zuordnungen (nach Organisation)")), hide_index=True,
                     width="stretch", key="akteure_initiativen")

st.markdown("#### Abstimmungsrunden")
if round_list.empty:
    ui.empty_state("Im gewählten Zeitraum fanden keine Abstimmungsrunden statt.")
else:
    ui.plotly(actors.rounds_figure(per_quarter, stand=stand), key="akteure_runden")
    st.dataframe(actors.rounds_display(ui.capped(round_list, "Abstimmungsrunden (neueste zuerst)")),
                 hide_index=True, width="stretch", key="akteure_rundenliste")
