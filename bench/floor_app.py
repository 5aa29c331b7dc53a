"""Reference app for the browser benchmark: what Streamlit itself costs on this machine, without the app.

    streamlit run bench/floor_app.py   (then /?inhalt=leer | plotly | karte)

``leer``: a title only; ``plotly``: one small plotly bar chart; ``karte``: one pydeck map with a few points.
bench_browser.py measures these pages exactly like the app's pages (cold and warm), so results.md can show
which part of a page's time is Streamlit's own loading (its JavaScript, the lazily loaded plotly and deck.gl
components) and which part the app's content adds. Not part of the app.
"""
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

content = st.query_params.get("inhalt", "leer")
st.title("Vergleichsseite")
if content == "plotly":
    fig = go.Figure(go.Bar(x=["A", "B", "C"], y=[3, 1, 2]))
    fig.update_layout(xaxis_title="Kategorie", yaxis_title="Anzahl", height=300)
    st.plotly_chart(fig, width="stretch", key="plot")
elif content == "karte":
    points = [{"lon": 14.99 + i * 0.05, "lat": 51.15 + i * 0.03} for i in range(5)]
    layer = pdk.Layer("ScatterplotLayer", data=points, get_position="[lon, lat]", get_radius=800,
                      get_fill_color=[0, 114, 178])
    st.pydeck_chart(pdk.Deck(layers=[layer], initial_view_state=pdk.ViewState(latitude=51.2, longitude=15.0, zoom=8),
                             map_provider=None), key="map")  # no base map, as the app's offline default
