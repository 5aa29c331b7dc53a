"""Akteure: which organisations work on which initiatives, who works with whom (network), coordination
rounds over time and the most connected actors."""
import streamlit as st

from monitor.app import sidebar, ui
from monitor.core import format as fmt
from monitor.data import actors
from monitor.figures import network

# ---------------------------------------------------------------- 1. read filters and page widgets
f = sidebar.current()
ui.page_header("Akteure", "Wer arbeitet woran und mit wem")
kind = st.radio("Verbindungen über", list(actors.LINK_KINDS), format_func=actors.LINK_KINDS.__getitem__,
                horizontal=True, key="akteure_verbindung", bind="query-params",
                help="Zwei Organisationen sind verbunden, wenn sie an derselben Initiative arbeiten oder an "
                     "derselben Abstimmungsrunde teilgenommen haben.")

# ---------------------------------------------------------------- 2. data
data = actors.load(f, kind)

# ---------------------------------------------------------------- 3. render
st.caption(data.scope_text)
cols = st.columns(3)
cols[0].metric("Organisationen", fmt.number(data.summary.organisations))
cols[1].metric("Verbindungen", fmt.number(data.summary.links))
cols[2].metric("Abstimmungsrunden", fmt.number(data.summary.rounds))

if data.nodes.empty:
    ui.empty_state(actors.NO_ACTORS_TEXT)
else:
    ui.plotly(network.network_figure(data.network_nodes, data.network_edges, data.positions, stand=data.stand),
              key="akteure_netz")
    ui.figure_caption(data.source, unit="Verbindungen (Linienstärke = gemeinsame Initiativen und Runden)",
                      as_of=data.stand)
    st.caption(data.network_note)

    st.markdown("#### Am stärksten vernetzte Akteure")
    st.dataframe(ui.capped(data.actor_table, "Organisationen"), hide_index=True, width="stretch",
                 key="akteure_tabelle")
    ui.figure_caption(data.source, as_of=data.stand)
    ui.table_downloads(data.actor_table, "akteure_tabelle", f, "Am stärksten vernetzte Akteure", data.source,
                       as_of=data.stand)

    st.markdown("#### Wer arbeitet woran?")
    if data.work_table.empty:
        ui.empty_state(actors.NO_WORK_TEXT)
    else:
        st.dataframe(ui.capped(data.work_table, "Zuordnungen (nach Organisation)"), hide_index=True,
                     width="stretch", key="akteure_initiativen")
        ui.figure_caption(data.source, as_of=data.stand)
        ui.table_downloads(data.work_table, "akteure_initiativen", f, "Wer arbeitet woran", data.source,
                           as_of=data.stand)

st.markdown("#### Abstimmungsrunden")
if data.rounds.empty:
    ui.empty_state(actors.NO_ROUNDS_TEXT)
else:
    ui.plotly(network.rounds_figure(data.per_quarter, stand=data.stand), key="akteure_runden")
    ui.figure_caption(data.source, unit="Anzahl Abstimmungsrunden je Quartal", as_of=data.stand)
    st.dataframe(ui.capped(data.rounds_table, "Abstimmungsrunden (neueste zuerst)"), hide_index=True,
                 width="stretch", key="akteure_rundenliste")
    ui.figure_caption(data.source, as_of=data.stand)
    ui.table_downloads(data.rounds_table, "akteure_rundenliste", f, "Abstimmungsrunden", data.source,
                       as_of=data.stand)
