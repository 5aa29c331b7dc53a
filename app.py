"""Regionalmonitor Landkreis Görlitz — the entrypoint: page config, shared sidebar filters, navigation.

Run with ``streamlit run app.py`` (after ``python -m etl``). Every page lives in ``pages/``.
"""
import streamlit as st

from monitor.data import db
from monitor.app import gate, sidebar, ui

st.set_page_config(
    page_title="Regionalmonitor Landkreis Görlitz",
    page_icon=":material/monitoring:",
    layout="wide",
    initial_sidebar_state="expanded",
)

# Start the app with `python -m monitor.app.serve` (what `make run` does): it keeps Streamlit from treating the
# folder pages/ as an old-style multipage app on the first request of a process. The URL paths differ from
# the file names so that even under a plain `streamlit run app.py` a page URL never runs a page file alone.
navigation = st.navigation([
    st.Page("pages/ueberblick.py", title="Überblick", icon=":material/dashboard:", url_path="start", default=True),
    st.Page("pages/themen.py", title="Themen", icon=":material/category:", url_path="themenfelder"),
    st.Page("pages/gemeinden.py", title="Gemeinden", icon=":material/location_city:", url_path="gemeindeprofile"),
    st.Page("pages/initiativen.py", title="Initiativen", icon=":material/lightbulb:", url_path="portfolio"),
    st.Page("pages/karte.py", title="Karte", icon=":material/map:", url_path="landkarte"),
    st.Page("pages/akteure.py", title="Akteure", icon=":material/groups:", url_path="netzwerk"),
    st.Page("pages/daten.py", title="Daten", icon=":material/database:", url_path="datenquellen"),
    st.Page("pages/bericht.py", title="Bericht", icon=":material/summarize:", url_path="berichte"),
])

with db.pinned():  # one database version for the whole run, even if the ETL replaces the file meanwhile
    if ui.database_ready():
        ui.synthetic_badge()
        sidebar.sidebar_filters()
        with gate.page_slot():  # a few page runs at a time per process; see monitor/app/gate.py
            navigation.run()
