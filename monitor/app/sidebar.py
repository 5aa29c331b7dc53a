"""The shared sidebar filters (period, theme, municipality, status), bound to the URL.

Contract for pages::

    from monitor.app import sidebar
    f = sidebar.current()   # the Filters of this run (set by app.py's sidebar);
                            # a pure value, see monitor/data/filters.py
    f.access                # the session's Access (monitor/app/auth.py), which every loader obeys

How the URL binding works (Streamlit 1.67, ``bind="query-params"``, checked in
``streamlit/runtime/state/session_state.py`` and the widgets' serdes):

- Each widget's ``key`` is its query parameter: ``von``, ``bis`` (ISO dates ``2025-07-01``), ``thema``,
  ``gemeinde``, ``status``. Multiselects repeat the parameter (``?thema=Mobilität&thema=Tourismus``) and put
  the *displayed label* into the URL (the ``format_func`` text: theme name, municipality name, status), not
  the internal id/AGS; values that are not options are dropped, an empty ``?thema=`` clears.
- A value equal to the widget's default is removed from the URL, so the plain link shows the default view
  (the last 12 months up to the data Stand, all themes/municipalities/statuses).
- The widgets live in the entrypoint ``app.py``, which runs before every page, so they keep their element
  ids and values across page switches; Streamlit writes a bound non-default value back into the URL after a
  page switch ("non-default restore"), hence a link copied on any page reproduces the filters.
- A bound parameter cannot be set through ``st.query_params``; only the URL, the widget or
  ``st.session_state[key]`` change it.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from monitor.app import auth, ui
from monitor.core import vocab
from monitor.data import meta
from monitor.data.access import Access
from monitor.data.filters import Filters, default_filters, default_period
from monitor.data.municipalities import municipality_names

STATE_KEY = "filters"
#: The query parameters of the shared filters (each widget's key).
KEY_FROM, KEY_TO, KEY_THEME, KEY_MUNICIPALITY, KEY_STATUS = "von", "bis", "thema", "gemeinde", "status"
MIN_DATE = date(2000, 1, 1)


def sidebar_filters(access: Access) -> Filters:
    """Render the shared filters in the sidebar and the session's role, store the result (carrying ``access``)
    in ``st.session_state["filters"]``, return it."""
    default_from, default_to = default_period(meta.info().stand, meta.today())
    max_date = date(max(default_to.year, meta.today().year) + 5, 12, 31)
    municipalities = municipality_names(default_to)
    themes = {t.theme_id: t.name_de for t in vocab.THEMES}
    sb = st.sidebar
    sb.subheader("Filter")
    date_from = sb.date_input("Zeitraum von", value=default_from, min_value=MIN_DATE, max_value=max_date,
                             format="DD.MM.YYYY", key=KEY_FROM, bind="query-params")
    date_to = sb.date_input("Zeitraum bis", value=default_to, min_value=MIN_DATE, max_value=max_date,
                           format="DD.MM.YYYY", key=KEY_TO, bind="query-params")
    theme_sel = sb.multiselect("Thema", list(themes), format_func=themes.__getitem__, key=KEY_THEME,
                               placeholder="Alle Themen", bind="query-params")
    municipality_sel = sb.multiselect("Gemeinde", list(municipalities), format_func=lambda a: municipalities.get(a, a),
                                      key=KEY_MUNICIPALITY, placeholder="Alle Gemeinden", bind="query-params",
                                      help="Kreisweite Initiativen zählen für jede Gemeinde.")
    status_sel = sb.multiselect("Status", list(vocab.STATUSES), key=KEY_STATUS, placeholder="Alle Status",
                                bind="query-params")
    date_from = date_from or default_from
    date_to = date_to or default_to
    if date_from > date_to:
        sb.warning("„von“ liegt nach „bis“ – der Zeitraum wurde getauscht.", icon=":material/swap_horiz:")
        date_from, date_to = date_to, date_from
    filters = Filters(date_from, date_to, tuple(theme_sel), tuple(municipality_sel), tuple(status_sel), access)
    sb.caption(f"Rolle: {access.label}" + (f" · {ui.md(access.user)}" if access.user else ""))
    st.session_state[STATE_KEY] = filters
    return filters


def current() -> Filters:
    """The Filters of this run (set by :func:`sidebar_filters` in app.py), else the defaults with this session's
    Access (:func:`monitor.app.auth.access`)."""
    filters = st.session_state.get(STATE_KEY)
    # Compared by name: after a code reload in development the class object differs.
    return filters if type(filters).__name__ == "Filters" else default_filters().with_(access=auth.access())
