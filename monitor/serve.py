"""Start the app: ``python -m monitor.serve [streamlit options]`` = ``streamlit run app.py``, without a first-run
glitch and with the heavy imports done before the server takes requests.

- Streamlit decides once per process whether a folder ``pages/`` next to the entrypoint makes an old-style
  multipage app; until ``st.navigation`` has run once, the first request is routed that way, so a shared link
  to a page other than the start page, opened right after a server start, shows "Page not found". This app
  routes with ``st.navigation`` only, so the launcher settles that decision before the server starts.
- The first visitor after a start would otherwise wait for pandas, DuckDB, plotly, pydeck and the app's own
  modules to be imported inside their script run (about 1.5 s on a small server); :func:`preload` imports
  them before the server answers, so that wait moves to the start of the server, where nobody waits.
"""
from __future__ import annotations

import importlib
import logging
import sys
import time
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"
#: Imported before the server starts: the libraries and every module the pages and the report use.
PRELOAD = ("pandas", "duckdb", "pyarrow", "plotly.graph_objects", "plotly.io", "pydeck",
           "monitor.db", "monitor.filters", "monitor.ui", "monitor.charts", "monitor.indicator_charts",
           "monitor.maps", "monitor.overview", "monitor.themes", "monitor.municipalities", "monitor.initiatives",
           "monitor.actors", "monitor.sources", "monitor.kpis", "monitor.export",
           "monitor.report.content", "monitor.report.figures", "monitor.report.model")
_CACHE_LOGGER = "streamlit.runtime.caching.cache_data_api"


def preload(modules: tuple[str, ...] = PRELOAD) -> float:
    """Import ``modules``; returns the seconds it took. Decorating cached functions before the runtime exists
    logs 'No runtime found' once per function (the caches themselves are created at the first call, inside
    the runtime), so that logger is quiet meanwhile."""
    start = time.perf_counter()
    log = logging.getLogger(_CACHE_LOGGER)
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        for name in modules:
            importlib.import_module(name)
    finally:
        log.setLevel(level)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    PagesManager.uses_pages_directory = False
    root = str(APP.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    preload()
    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", str(APP), *args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
