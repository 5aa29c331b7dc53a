"""Neuigkeiten: every event since a day — new initiatives, status changes, milestones reached or newly overdue,
new KPI actual values, new data versions — for the sidebar's selection, paged, linkable, downloadable."""
from datetime import timedelta

import streamlit as st

from monitor.data import feed
from monitor.core import format as fmt
from monitor.app import sidebar, ui

#: The page's query parameters (each widget's key): the preset, the free date, the kinds, the page.
KEY_SINCE, KEY_DATE, KEY_KINDS, KEY_PAGE = "seit", "ab", "art", "seite"

f = sidebar.current()
today = ui.today()
choices = feed.since_choices(f.access, today)

ui.page_header("Neuigkeiten", "Was hat sich getan seit …")


def _first_page() -> None:
    """Another start day or kind choice shows the newest events again."""
    if KEY_PAGE in st.session_state:
        st.session_state[KEY_PAGE] = 1


labels = [c.label for c in choices]
label = st.radio("Seit", labels, index=feed.default_choice(choices), horizontal=True, key=KEY_SINCE,
                 captions=[ui.md(c.note) for c in choices], bind="query-params", on_change=_first_page,
                 help="Abstimmungsrunde: die letzte vor heute (einschließlich ihres Tages)"
                      + ("; Bericht: der zuletzt erstellte laut Protokoll." if feed.REPORT_LABEL in labels else "."))
choice = choices[labels.index(label)] if label in labels else choices[feed.default_choice(choices)]
since = choice.since
if since is None:
    since = st.date_input("Ab dem", value=today - timedelta(days=feed.RECENT_DAYS), min_value=sidebar.MIN_DATE,
                          max_value=today, format="DD.MM.YYYY", key=KEY_DATE, bind="query-params",
                          on_change=_first_page) or today - timedelta(days=feed.RECENT_DAYS)

summary = st.container()  # the period and the counts per kind, above the kind choice they do not depend on
kind_keys = st.multiselect("Art", [k.key for k in feed.KINDS], format_func=lambda k: feed.KIND_BY_KEY[k].label,
                           key=KEY_KINDS, placeholder="Alle Arten", bind="query-params", on_change=_first_page)
data = feed.load(f, since, today, tuple(kind_keys))
with summary:
    st.caption(f"Vom {fmt.date(data.since)} bis heute ({fmt.date(today)}), neueste zuerst · Themen, Gemeinden, "
               "Status und Rolle aus der Seitenleiste (ihr Zeitraum gilt hier nicht); neue Datenfassungen betreffen "
               "jede Auswahl.")
    for row in (feed.KINDS[:3], feed.KINDS[3:]):
        for col, kind in zip(st.columns(len(row)), row):
            col.metric(kind.plural, fmt.number(data.counts[kind.key]), border=True)

if data.total == 0:
    ui.empty_state(f"Seit dem {fmt.date(data.since)} hat sich für diese Auswahl nichts getan. Bitte einen früheren "
                   "Tag wählen oder die Filter in der Seitenleiste lockern.")
    st.stop()

if data.pages > 1:
    data = data.at(st.pagination(data.pages, key=KEY_PAGE, bind="query-params"))
st.caption(f"Ereignisse {fmt.number(data.first)}–{fmt.number(data.last)} von {fmt.number(data.total)}"
           + (f" · Seite {fmt.number(data.page)} von {fmt.number(data.pages)}" if data.pages > 1 else ""))
ui.table(data.rows, "feed", width="stretch", column_config={
    "Datum": st.column_config.DateColumn(format="DD.MM.YYYY", width="small"),
    "Art": st.column_config.TextColumn(width="medium"),
    "Initiative": st.column_config.TextColumn(width="medium"),
    "Ereignis": st.column_config.TextColumn(width="large"),
})
ui.figure_caption(data.source)
ui.table_downloads(data.table, "feed", f, f"Neuigkeiten seit dem {fmt.date(data.since)}", data.source)
