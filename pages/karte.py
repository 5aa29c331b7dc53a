"""Karte: the municipalities coloured by one indicator and year, the initiatives as points coloured by theme.
Works offline (no base map); the toggle "Hintergrundkarte" adds the administration's own base map, offered only
when one is configured (``$REGIONALMONITOR_BASEMAP``, see monitor/data/geo.py ``basemap_style``)."""
import streamlit as st

from monitor.app import sidebar, ui
from monitor.data import geo, map_values
from monitor.data import municipalities as mun
from monitor.data.map_values import legend_content
from monitor.figures import maps

# ---------------------------------------------------------------- 1. read filters and page widgets
f = sidebar.current()
ui.page_header("Karte", "Gemeinden nach Indikator, Initiativen nach Thema")
labels = mun.indicator_labels()
if not labels:
    ui.empty_state(geo.NO_INDICATORS_TEXT)
    st.stop()
c1, c2, c3, c4 = st.columns([3, 1.2, 1.3, 1.8])
indicator_id = c1.selectbox("Indikator", list(labels), format_func=labels.__getitem__, key="karte_indikator",
                            bind="query-params")
years = geo.year_choices(indicator_id)
year = c2.selectbox("Jahr", years, key="karte_jahr", bind="query-params") if years else None
show_initiatives = c3.toggle("Initiativen", value=True, key="karte_initiativen", bind="query-params")
style = geo.basemap_style()
basemap = style and c4.toggle("Hintergrundkarte", value=False, key="karte_hintergrund", bind="query-params",
                              help="Karte des Kartendienstes der Verwaltung als Hintergrund. Ohne: nur die Gemeinden.")

# ---------------------------------------------------------------- 2. data
data = geo.load(f, indicator_id, year, show_initiatives=show_initiatives)

# ---------------------------------------------------------------- 3. render
if data.empty_text:
    ui.empty_state(data.empty_text)
    st.stop()
ind = data.indicator
district_map = maps.build_map(
    data.municipalities, data.initiatives, indicator_name=ind.name, unit=ind.unit, decimals=ind.decimals,
    year=data.year, basemap=style if basemap else None, highlight=data.highlight)
st.pydeck_chart(district_map.deck, height=maps.MAP_HEIGHT_PX, width="stretch", alt=data.alt)
ui.map_legend(legend_content(district_map.legend, stand=data.stand), key="karte_legende")
st.caption(ui.md(data.notes))
if district_map.legend.outline:
    st.caption(geo.OUTLINE_NOTE)
if data.initiatives_empty_text:
    ui.empty_state(ui.md(data.initiatives_empty_text))
elif data.initiatives_text:
    st.caption(ui.md(data.initiatives_text))
# The table is built only while the expander is open: at national scale it is ten thousand rows that nobody
# reads unless they ask for them.
value_table = st.expander("Werte als Tabelle", key="karte_tabelle_offen", on_change="rerun")
if value_table.open:
    with value_table:
        st.dataframe(data.value_table(), hide_index=True, width="stretch", key="karte_tabelle")
        ui.figure_caption(ind.source, unit=ind.unit, as_of=data.stand)
        ui.table_downloads(lambda: map_values.values_export(data.municipalities, unit=ind.unit), "karte_tabelle", f,
                           f"{ind.name} nach Gemeinden", ind.source, as_of=data.stand, unit=ind.unit,
                           indicator_id=ind.indicator_id)
