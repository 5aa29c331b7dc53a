"""Small shared rendering helpers for the pages: header with the data Stand, Beispieldaten badge, empty states,
figure captions, "today".

Besides the sidebar widgets in ``monitor/data/filters.py`` and caching in ``monitor/data/db.py``, this is the only
module under ``monitor/`` that calls ``st.*``. Text is always rendered as Markdown-free text or through Streamlit
elements that escape it; never ``unsafe_allow_html`` or ``st.html``.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
import streamlit.elements.plotly_chart  # noqa: F401 - sets Streamlit's plotly template on import; ours comes after

from monitor.core import palette
from monitor.core.cache import Recent
from monitor.data import audit, db, export, meta, sources
from monitor.data.filters import Filters
from monitor.core import format as fmt
from monitor.core.text import md_text
from monitor.core.vocab import STATUS_LINE, THEME_BY_ID
from monitor.figures.indicators import APP_TEMPLATE

pio.templates.default = APP_TEMPLATE  # after Streamlit's own default (see monitor/figures/indicators.py)

MISSING_DB_TEXT = "Noch keine Daten geladen – bitte `python -m etl` ausführen."
UNREADABLE_DB_TEXT = "Die Datenbank ist nicht lesbar. Bitte `python -m etl` erneut ausführen."
_log = logging.getLogger(__name__)
SYNTHETIC_TEXT = (
    "Es sind **Beispieldaten** geladen: erfundene Initiativen und Statistikwerte zum Ausprobieren, "
    "keine amtlichen Zahlen. Bitte nicht für Entscheidungen oder Berichte verwenden."
)


#: Data text for anything Streamlit renders as Markdown (see :mod:`monitor.core.text`).
md = md_text


def theme_badge(theme_id: str, full: bool = False) -> None:
    """The theme's German name (short, or the full name) as a badge in the theme's colour."""
    theme = THEME_BY_ID.get(theme_id)
    label = (theme.name_de if full else theme.short_de) if theme else str(theme_id)
    st.badge(label, color=palette.THEME_BADGES.get(theme_id, palette.OTHER_BADGE))



def status_badge(status: str) -> None:
    """The status as a badge: blue on the status line (Idee … Abgeschlossen), grey off it (Ruht, Verworfen)."""
    st.badge(status, color="blue" if status in STATUS_LINE else "gray", icon=":material/flag:")


today = meta.today


def stand() -> date | None:
    """The data Stand of the loaded database, or None when not recorded."""
    return meta.info().stand


def is_synthetic() -> bool:
    """True when the loaded database holds sample (synthetic) data."""
    return meta.info().synthetic


def district_name() -> str:
    """The district's name (e.g. 'Landkreis Görlitz')."""
    return meta.info().district_name


def database_ready() -> bool:
    """True when the database can be read; otherwise shows a friendly message (no traceback) and returns False."""
    try:
        meta.info()
    except db.DatabaseMissing:
        st.info(MISSING_DB_TEXT, icon=":material/database_off:")
        return False
    except duckdb.Error:
        st.error(UNREADABLE_DB_TEXT, icon=":material/database_off:")
        return False
    return True


@contextmanager
def database_guard():
    """Runs the block (the frame and the page); when the database file turns out damaged only while the block
    reads it (truncated or overwritten, its first tables still readable), the block ends with the German
    message instead of Streamlit's generic error. A wrong query still fails as an error."""
    try:
        yield
    except db.DatabaseMissing:
        st.info(MISSING_DB_TEXT, icon=":material/database_off:")
    except duckdb.Error as exc:
        if not db.is_damaged(exc):
            raise
        _log.warning("Datenbankdatei %s nicht lesbar: %s", db.db_path(), exc)
        st.error(UNREADABLE_DB_TEXT, icon=":material/database_off:")


def synthetic_badge() -> None:
    """The 'Beispieldaten' badge (top of every page) when synthetic data is loaded; nothing otherwise."""
    if is_synthetic():
        st.badge("Beispieldaten", icon=":material/science:", color=palette.SAMPLE_BADGE,
                 help="Erfundene Daten zum Ausprobieren – keine amtlichen Zahlen.")


def synthetic_notice() -> None:
    """A longer explanation of the sample data (for the Daten page), when synthetic data is loaded."""
    if is_synthetic():
        st.warning(SYNTHETIC_TEXT, icon=":material/science:")


def header_stand_text() -> str:
    """'Landkreis Görlitz · Stand der Daten: 30.06.2026' (Markdown: the district's name escaped)."""
    return f"{md(district_name())} · Stand der Daten: {fmt.date(stand())}"


def page_header(title: str, intro: str | None = None) -> None:
    """Page title, the district and data Stand, an optional one-line intro."""
    st.title(title)
    st.caption(header_stand_text() if intro is None else f"{header_stand_text()} · {intro}")


def empty_state(text: str) -> None:
    """A friendly message instead of an empty table or chart (Markdown: data parts of ``text`` escaped by the
    caller with :func:`md`)."""
    st.info(text, icon=":material/filter_alt_off:")


def figure_caption(source: str, unit: str | None = None, as_of: date | None = None) -> None:
    """Caption under a figure: unit, source and Stand (the data Stand unless ``as_of`` is given); unit and source
    are shown as text (they may come from the data)."""
    parts = [f"Einheit: {md(unit)}"] if unit else []
    parts += [f"Quelle: {md(source)}", f"Stand: {fmt.date(as_of or stand())}"]
    st.caption(" · ".join(parts))


def table(df, key: str, **kwargs) -> None:
    """A read-only table without index; missing values show as '–'. Cells are rendered as text (no Markdown)."""
    st.dataframe(df, hide_index=True, key=key, placeholder=fmt.MISSING, **kwargs)


def table_downloads(frame: Callable[[], pd.DataFrame] | pd.DataFrame, key: str, f: Filters, title: str,
                    source: str, *, as_of: date | None = None, unit: str = "", licence_kind: str = "portfolio",
                    indicator_id: str | None = None) -> None:
    """'Tabelle herunterladen' (CSV and Excel) for a table of the page: the file is made on click through the
    safe export (no contact data, no formulas) with its provenance — title, the sidebar selection, source,
    Stand (the data Stand unless ``as_of``), licence (of ``indicator_id`` or the sources of ``licence_kind``),
    unit, the sample-data flag — and the download is recorded in the audit log."""
    def provenance() -> export.Provenance:
        return export.Provenance(
            title=title, source=source, stand=as_of or stand(), unit=unit, synthetic=is_synthetic(),
            licence=sources.licence_text(licence_kind, indicator_id), selection=audit.describe(f))

    def build(writer):
        def run() -> bytes:
            return writer(frame() if callable(frame) else frame, provenance())
        return audit.logged(run, f.access, "tabelle", f"{title} · {audit.describe(f)}", internal=f.access.internal)

    stem = export.file_stem(re.sub(r"[^0-9a-zäöüß]+", "_", title.lower()).strip("_") or "tabelle", meta.today())
    with st.popover("Tabelle herunterladen", icon=":material/download:", type="tertiary",
                    help="Als Excel- oder CSV-Datei, ohne Kontaktdaten; Quelle, Stand und Lizenz stehen in der Datei."):
        st.download_button("Excel (.xlsx)", build(export.table_xlsx), file_name=f"{stem}.xlsx", mime=export.XLSX_MIME,
                           key=f"{key}_xlsx", on_click="ignore", width="stretch")
        st.download_button("CSV (.csv)", build(export.table_csv), file_name=f"{stem}.csv", mime=export.CSV_MIME,
                           key=f"{key}_csv", on_click="ignore", width="stretch")


#: Most rows a table on a page sends to the browser (a large portfolio; downloads and filters reach the rest).
TABLE_LIMIT = 2000


def capped(df, what: str, limit: int = TABLE_LIMIT, hint: str = "bitte über die Filter eingrenzen"):
    """The first ``limit`` rows of ``df``; when rows are left out, a German note says how many of how many
    ``what`` (e.g. 'Initiativen') are shown and what to do (``hint``)."""
    if len(df) <= limit:
        return df
    st.caption(f"Gezeigt: die ersten {fmt.number(limit)} von {fmt.number(len(df))} {what} – {hint}.")
    return df.head(limit)


def rows_or_empty(df, key: str, empty_text: str, what: str = "Initiativen") -> bool:
    """A full-width table of ``df`` (at most :data:`TABLE_LIMIT` rows, see :func:`capped`), or the friendly
    ``empty_text`` when it has no rows; True when the table was shown."""
    if df.empty:
        empty_state(empty_text)
        return False
    st.dataframe(capped(df, what), hide_index=True, width="stretch", key=key)
    return True


def plotly(fig: go.Figure, key: str) -> None:
    """Render a plotly figure full width, without the plotly logo."""
    st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False, "locale": "de"})


#: Figures kept by :func:`figure` (a few pages' worth; a national ranking figure weighs about a megabyte).
FIGURE_CACHE_SIZE, FIGURE_CACHE_TTL_S = 24, 600
_figures: Recent[go.Figure] = Recent(FIGURE_CACHE_SIZE, ttl=FIGURE_CACHE_TTL_S)


def figure(key: Hashable, build: Callable[[], go.Figure]) -> go.Figure:
    """``build()``, kept per ``key`` for every session: the key must name everything the figure depends on,
    the database version included (e.g. a loader result's ``key`` and the figure's name). The figure handed
    out is shared: render it, never change it (:func:`plotly` does not)."""
    fig = _figures.get(key)
    if fig is None:
        fig = build()
        _figures.put(key, fig)
    return fig


#: Legend symbols as text, each coloured with Markdown's ``:color[...]{foreground="#RRGGBB"}``.
_LEGEND_SYMBOLS = {"square": "■", "circle": "●", "line": "╍╍", "text": "Aa"}
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def legend_line(symbol: str, colour: str, label: str) -> str:
    """One legend line as Markdown: the symbol in ``colour`` (``#RRGGBB``; anything else is drawn black),
    then the escaped label."""
    colour = colour if _HEX_COLOUR.fullmatch(colour) else palette.LEGEND_FALLBACK
    return f':color[{_LEGEND_SYMBOLS.get(symbol, "■")}]{{foreground="{colour}"}} {md(label)}'


def map_legend(content, key: str) -> None:
    """The map legend (:class:`monitor.data.map_values.LegendContent`) in a bordered box: title, subtitle, value classes
    on the left, initiative themes and other symbols on the right — text, not a chart."""
    with st.container(border=True, key=key):
        st.markdown(f"**{md(content.title)}**")
        if content.subtitle:
            st.caption(md(content.subtitle))
        for column, entries in zip(st.columns(2), (content.values, content.others)):
            if entries:
                column.markdown("  \n".join(legend_line(e.symbol, e.colour, e.label) for e in entries))
