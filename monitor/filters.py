"""The shared sidebar filters (period, theme, municipality, status), bound to the URL.

Contract for pages::

    from monitor import filters
    f = filters.current()                  # Filters of this run (set by app.py's sidebar)
    cond, params = f.initiative_sql("i")   # SQL condition on table initiative aliased i, for monitor/ modules

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

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from types import MappingProxyType

import streamlit as st

from monitor import db, format as fmt, ui, vocab

STATE_KEY = "filters"
KEY_FROM, KEY_TO, KEY_THEME, KEY_MUNICIPALITY, KEY_STATUS = "von", "bis", "thema", "gemeinde", "status"
MIN_DATE = date(2000, 1, 1)
CLOSED_STATUSES = ("Abgeschlossen", "Verworfen")


@dataclass(frozen=True)
class Filters:
    """The sidebar selection. Empty tuples mean "all". Frozen and hashable: usable as a cache key.

    - ``date_from``/``date_to``: the period (inclusive).
    - ``themes``: theme ids (vocab), matched against an initiative's main theme.
    - ``municipalities``: AGS; an initiative matches when it works in any of them (kreisweit = in all).
    - ``statuses``: current initiative status.
    """

    date_from: date
    date_to: date
    themes: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def theme_ids(self) -> tuple[str, ...]:
        """The selected themes, or all four initiative themes when none is selected."""
        return self.themes or tuple(t.theme_id for t in vocab.THEMES)

    def status_list(self) -> tuple[str, ...]:
        """The selected statuses, or all nine in line order when none is selected."""
        return self.statuses or vocab.STATUSES

    def includes_theme(self, theme_id: str) -> bool:
        return not self.themes or theme_id in self.themes

    def includes_municipality(self, ags: str) -> bool:
        return not self.municipalities or ags in self.municipalities

    def includes_status(self, status: str) -> bool:
        return not self.statuses or status in self.statuses

    def includes_date(self, d: date | None) -> bool:
        """True when ``d`` lies in the period (None never does)."""
        return d is not None and self.date_from <= d <= self.date_to

    def is_unfiltered(self) -> bool:
        """True when no theme, municipality or status is selected."""
        return not (self.themes or self.municipalities or self.statuses)

    def with_(self, **changes) -> "Filters":
        """A copy with some fields changed, e.g. ``f.with_(themes=("mobility",))``."""
        return replace(self, **changes)

    def period_text(self) -> str:
        """'01.07.2025 – 30.06.2026'."""
        return f"{fmt.date(self.date_from)} – {fmt.date(self.date_to)}"

    def initiative_sql(self, alias: str = "i") -> tuple[str, tuple]:
        """SQL boolean condition and parameters selecting the initiatives (table ``initiative`` as ``alias``).

        Period rule: the initiative existed by ``date_to`` (its first status date, else its start date) and was
        not closed (Abgeschlossen/Verworfen) before ``date_from`` (the date its final status was reached).
        """
        a = alias
        # the dates come from the mart initiative_span (etl/marts/020_initiative_span.sql)
        parts = [
            f"{a}.initiative_id in (select s.initiative_id from initiative_span s where"
            f" coalesce(s.first_date, ?) <= ? and not (s.closed and coalesce(s.closed_date, ?) < ?))",
        ]
        params: list = [self.date_to, self.date_to, self.date_from, self.date_from]
        if self.themes:
            parts.append(f"{a}.theme in ({_marks(self.themes)})")
            params += self.themes
        if self.statuses:
            parts.append(f"{a}.status in ({_marks(self.statuses)})")
            params += self.statuses
        if self.municipalities:
            parts.append(f"exists (select 1 from initiative_municipality m where m.initiative_id = {a}.initiative_id"
                         f" and m.ags in ({_marks(self.municipalities)}))")
            params += self.municipalities
        return " and ".join(f"({p})" for p in parts), tuple(params)


def _marks(values: tuple) -> str:
    return ", ".join("?" for _ in values)


# ---------------------------------------------------------------- defaults and options
def default_period(stand: date | None, today: date) -> tuple[date, date]:
    """The last 12 months up to the data Stand (or today, when there is no Stand or it lies in the future)."""
    end = stand if stand and stand <= today else today
    try:
        start = end.replace(year=end.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28) + timedelta(days=1)
    return start, end


def default_filters() -> Filters:
    """Filters with the default period and nothing else selected."""
    start, end = default_period(ui.stand(), ui.today())
    return Filters(start, end)


def municipality_options(on: date) -> Mapping[str, str]:
    """AGS -> name of the district's municipalities valid on ``on``, sorted by name (read-only; built once per
    database version and day: every page's sidebar needs it, nationally 10,800 entries)."""
    return _municipality_options(db.current_stamp(), on)


@functools.lru_cache(maxsize=16)
def _municipality_options(stamp: tuple, on: date) -> Mapping[str, str]:
    df = db.query(
        "select ags, name from municipality where (valid_from is null or valid_from <= ?)"
        " and (valid_to is null or valid_to >= ?) order by name",
        (on, on),
    )
    return MappingProxyType(dict(zip(df["ags"].tolist(), df["name"].tolist())))


# ---------------------------------------------------------------- widgets
def sidebar_filters() -> Filters:
    """Render the shared filters in the sidebar, store the result in ``st.session_state["filters"]``, return it."""
    default_from, default_to = default_period(ui.stand(), ui.today())
    max_date = date(max(default_to.year, ui.today().year) + 5, 12, 31)
    municipalities = municipality_options(default_to)
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
    filters = Filters(date_from, date_to, tuple(theme_sel), tuple(municipality_sel), tuple(status_sel))
    st.session_state[STATE_KEY] = filters
    return filters


def current() -> Filters:
    """The Filters of this run (set by :func:`sidebar_filters` in app.py), else the defaults."""
    filters = st.session_state.get(STATE_KEY)
    # Compared by name: after a code reload in development the class object differs.
    return filters if type(filters).__name__ == "Filters" else default_filters()
