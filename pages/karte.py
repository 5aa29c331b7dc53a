"""Karte: the municipalities coloured by one indicator and year, the initiatives as points coloured by theme.
Works offline (no base map); the toggle "Hintergrundkarte" adds the Carto base map (needs internet, no token)."""
import streamlit as st


from monitor.figures import maps
from monitor.app import sidebar, ui
from monitor.core import format as fmt
from monitor.data import municipalities as mun
from monitor.core.vocab import THEME_BY_ID

# ---------------------------------------------------------------- 1. read filters and page widgets
f = sidebar.current()
ui.page_header("Karte", "Gemeinden nach Indikator, Initiativen nach Thema")
labels = mun.indicator_labels()
if not labels:
    ui.empty_state("Es sind keine Indikatoren mit Werten geladen – die Karte braucht mindestens einen.")
    st.stop()
c1, c2, c3, c4 = st.columns([3, 1.2, 1.3, 1.8])
indicator_id = c1.selectbox("Indikator", list(labels), format_func=labels.__getitem__, key="karte_indikator",
                            bind="query-params")
years = mun.indicator_years(indicator_id)
year = c2.selectbox("Jahr", years, key="karte_jahr", bind="query-params") if years else None
show_initiatives = c3.toggle("Initiativen", value=True, key="karte_initiativen", bind="query-params")
basemap = c4.toggle("Hintergrundkarte", value=False, key="karte_hintergrund", bind="query-params",
                    help="Karte von Carto als Hintergrund – braucht Internet. Ohne: nur die Gemeinden.")

# ---------------------------------------------------------------- 2. data
ind = mun.indicator_info(indicator_id)
municipalities = maps.map_municipalities(indicator_id, year)
initiatives = maps.map_initiatives(f) if show_initiatives else None
highlight = f.municipalities
district_map = maps.build_map(
    municipalities, initiatives, indicator_name=ind.name, unit=ind.unit, decimals=ind.decimals, year=year,
    basemap=basemap, highlight=highlight)
stand = municipalities["period"].max() if not municipalities.empty else None

# ---------------------------------------------------------------- 3. render
if municipalities.empty:
    ui.empty_state("Es sind keine Gemeinden mit Koordinaten geladen.")
    st.stop()
st.pydeck_chart(district_map.deck, height=maps.MAP_HEIGHT_PX, width="stretch",
                alt=f"Karte der Gemeinden nach {ind.name} {year or ''}".strip())
ui.map_legend(maps.legend_content(district_map.legend, stand=stand), key="karte_legende")
notes = [f"Quelle: {ind.source}", f"Einheit: {ind.unit}"]
if ind.higher_is_better is not None:
    notes.append("höhere Werte sind besser" if ind.higher_is_better else "niedrigere Werte sind besser")
if highlight:
    notes.append("schwarz umrandet: Gemeinden aus dem Filter")
st.caption(" · ".join(notes))
if district_map.legend.outline:
    st.caption("Ohne geladene Gemeindegrenzen steht jede Gemeinde als Punkt an ihrem Mittelpunkt. Die gestrichelte "
               "Fläche ist nur die Hülle dieser Punkte zur Orientierung, keine Grenze: Die Kreisgrenze verläuft "
               "weiter außen.")
if show_initiatives:
    if initiatives is None or initiatives.empty:
        ui.empty_state("Keine Initiativen mit Ort für die gewählten Filter.")
    else:
        n_centre = int((initiatives["located"] == "Mitte der Gemeinden").sum())
        themes_shown = ", ".join(THEME_BY_ID[t].name_de for t in dict.fromkeys(initiatives["theme"]))
        st.caption(f"{fmt.number(len(initiatives))} Initiativen auf der Karte ({themes_shown}); "
                   f"{fmt.number(n_centre)} ohne eigene "
                   f"Koordinaten in der Mitte ihrer Gemeinden, kreisweite in der Mitte des Kreises.")
# The table is built only while the expander is open: at national scale it is ten thousand rows that nobody
# reads unless they ask for them.
value_table = st.expander("Werte als Tabelle", key="karte_tabelle_offen", on_change="rerun")
if value_table.open:
    with value_table:
        st.dataframe(maps.value_table(municipalities, unit=ind.unit, decimals=ind.decimals), hide_index=True,
                     width="stretch", key="karte_tabelle")
