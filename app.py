"""Regionalmonitor Landkreis Görlitz — the entrypoint: page config, shared sidebar filters, navigation.

Run with ``streamlit run app.py`` (after ``python -m etl``). Every page lives in ``pages/``.
"""
from pathlib import Path

import streamlit as st

from monitor.data import db
from monitor.app import auth, gate, sidebar, ui

# The tab icon is a file of the app: a ":material/…:" page icon makes every browser fetch it from Google's font
# server (fonts.gstatic.com), a request to a third party. The navigation's ":material/…:" icons come from the
# icon font Streamlit serves itself.
FAVICON = Path(__file__).resolve().parent / "monitor" / "app" / "assets" / "favicon.svg"

st.set_page_config(
    page_title="Regionalmonitor Landkreis Görlitz",
    page_icon=str(FAVICON),
    layout="wide",
    initial_sidebar_state="expanded",
)

# Who may see what is decided first, before the navigation and anything of the data: a visitor without access
# (not signed in, signed in without a role, or from another machine in local mode) sees only that page and the
# run stops here. See monitor/app/auth.py.
session_access = auth.gate()

# Start the app with `python -m monitor.app.serve` (what `make run` does): it keeps Streamlit from treating the
# folder pages/ as an old-style multipage app on the first request of a process. The URL paths differ from
# the file names so that even under a plain `streamlit run app.py` a page URL never runs a page file alone.
# Streamlit serves the default page only at the root URL (its `url_path` just names it, see
# streamlit/navigation/page.py `Page.url_path`), so the address `/start` is a hidden page of its own that hands
# over to the Überblick at `/`; the sidebar filters, bound to the URL, keep their values across the switch
# (Streamlit writes them back into the URL). `query_params={}`: the default (None) clears the URL's parameters,
# which Streamlit refuses while some are bound to widgets; an empty mapping replaces them without that check.
overview_page = st.Page("pages/ueberblick.py", title="Überblick", icon=":material/dashboard:",
                        url_path="uebersicht", default=True)


def _open_overview() -> None:
    st.switch_page(overview_page, query_params={})


navigation = st.navigation([
    overview_page,
    st.Page(_open_overview, title="Überblick", url_path="start", visibility="hidden"),
    st.Page("pages/ereignisse.py", title="Neuigkeiten", icon=":material/update:", url_path="neuigkeiten"),
    st.Page("pages/themen.py", title="Themen", icon=":material/category:", url_path="themenfelder"),
    st.Page("pages/gemeinden.py", title="Gemeinden", icon=":material/location_city:", url_path="gemeindeprofile"),
    st.Page("pages/initiativen.py", title="Initiativen", icon=":material/lightbulb:", url_path="portfolio"),
    st.Page("pages/karte.py", title="Karte", icon=":material/map:", url_path="landkarte"),
    st.Page("pages/akteure.py", title="Akteure", icon=":material/groups:", url_path="netzwerk"),
    st.Page("pages/daten.py", title="Daten", icon=":material/database:", url_path="datenquellen"),
    st.Page("pages/bericht.py", title="Bericht", icon=":material/summarize:", url_path="berichte"),
])

# one database version for the whole run, even if the ETL replaces the file meanwhile; a damaged file -> German message
with db.pinned(), ui.database_guard():
    if ui.database_ready():
        ui.synthetic_badge()
        sidebar.sidebar_filters(session_access)  # the role, decided once per run, travels inside the Filters
        with gate.page_slot():  # a few page runs at a time per process; see monitor/app/gate.py
            navigation.run()
