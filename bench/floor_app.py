"""Reference app for the browser benchmark: what Streamlit itself costs on this machine, without the app.

    streamlit run bench/floor_app.py   (then /?inhalt=leer | plotly | karte)

``leer``: a title only; ``plotly``: one small plotly bar chart; ``karte``: one pydeck map with a few points;
``seite``: the element mix of a typical page of the app (the Gemeinden profile) with made-up data and no
queries: a sidebar with two date fields and three multiselects, four metrics, two plotly line charts, a pydeck
map with points, an outline and labels, and a table.
bench_browser.py measures these pages exactly like the app's pages (cold and warm), so results.md can show
which part of a page's time is Streamlit's own loading (its JavaScript, the lazily loaded plotly and deck.gl
components) and which part the app's content adds. Not part of the app.
"""
import datetime as dt

import pandas as pd
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
elif content == "seite":
    sb = st.sidebar
    sb.subheader("Filter")
    sb.date_input("Zeitraum von", value=dt.date(2025, 7, 1), format="DD.MM.YYYY", key="von")
    sb.date_input("Zeitraum bis", value=dt.date(2026, 6, 30), format="DD.MM.YYYY", key="bis")
    sb.multiselect("Thema", ["Mobilität", "Nahversorgung", "Tourismus", "Wertschöpfung"], key="thema")
    sb.multiselect("Gemeinde", [f"Gemeinde {i:02d}" for i in range(53)], key="gemeinde")
    sb.multiselect("Status", ["Idee", "Planung", "Umsetzung", "Abgeschlossen"], key="status")
    st.selectbox("Gemeinde", [f"Gemeinde {i:02d}" for i in range(53)], key="wahl")
    st.subheader("Gemeinde 00")
    for col, (label, value) in zip(st.columns(4), [("Einwohner", "12.345"), ("Fläche", "67,8 km²"),
                                                   ("Einwohner je km²", "182"), ("Initiativen", "7")]):
        col.metric(label, value)
    years = list(range(2015, 2025))
    left, right = st.columns([3, 2])
    with left:
        fig = go.Figure(go.Scatter(x=years, y=[12_000 - 80 * i for i in range(10)], mode="lines+markers",
                                   name="Gemeinde 00"))
        fig.update_layout(yaxis_title="Einwohner", height=340)
        st.plotly_chart(fig, width="stretch", key="linie1")
    with right:
        points = [{"lon": 14.6 + (i % 8) * 0.07, "lat": 50.9 + (i // 8) * 0.06, "name": f"Gemeinde {i:02d}"}
                  for i in range(53)]
        outline = [[[p["lon"], p["lat"]] for p in points[::7]] + [[points[0]["lon"], points[0]["lat"]]]]
        layers = [pdk.Layer("PathLayer", data=[{"path": outline[0]}], get_path="path", get_width=2,
                            width_units="'pixels'", get_color=[80, 80, 80]),
                  pdk.Layer("ScatterplotLayer", data=points, get_position="[lon, lat]", get_radius=900,
                            get_fill_color=[150, 150, 150], pickable=True),
                  pdk.Layer("TextLayer", data=points[:6], get_position="[lon, lat]", get_text="name", get_size=13)]
        st.pydeck_chart(pdk.Deck(layers=layers, initial_view_state=pdk.ViewState(latitude=51.05, longitude=14.85,
                                                                                  zoom=8),
                                 map_provider=None), height=340, key="karte")
    fig = go.Figure([go.Scatter(x=years, y=[50 + i + k * 5 for i in range(10)], mode="lines", name=name)
                     for k, name in enumerate(["Gemeinde 00", "Landkreis", "Land"])])
    fig.update_layout(yaxis_title="Minuten", height=380)
    st.plotly_chart(fig, width="stretch", key="linie2")
    st.dataframe(pd.DataFrame({"Initiative": [f"Initiative {i}" for i in range(10)],
                               "Status": ["Umsetzung"] * 10, "Beginn": [dt.date(2025, 1, 1 + i) for i in range(10)]}),
                 hide_index=True, width="stretch", key="tabelle")
