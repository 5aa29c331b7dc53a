"""Start the app: ``python -m monitor.app.serve [streamlit options]`` = ``streamlit run app.py``, without a first-run
glitch and with the heavy imports done before the server takes requests.

- Streamlit decides once per process whether a folder ``pages/`` next to the entrypoint makes an old-style
  multipage app; until ``st.navigation`` has run once, the first request is routed that way, so a shared link
  to a page other than the start page, opened right after a server start, shows "Page not found". This app
  routes with ``st.navigation`` only, so the launcher settles that decision before the server starts.
- The first visitor after a start would otherwise wait for pandas, DuckDB, plotly, pydeck and the app's own
  modules to be imported inside their script run (about 1.5 s on a small server); :func:`preload` imports
  them before the server answers, so that wait moves to the start of the server, where nobody waits.
- Streamlit checks at the first element of a process whether it runs in a Python REPL (``inspect.stack()`` over
  every frame and source file, 50–150 ms here); :func:`skip_direct_run_check` settles that before the start.
- Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``), holding the GIL
  meanwhile, so the server sends nothing until it is done: here it walked ~167,000 objects, nearly all of them
  the imported libraries, in 0.2–0.4 s, after every click. :func:`freeze_heap` moves what the preload left
  alive into the permanent generation; the collection after a run then walks ~13,000 objects (10–50 ms).
- glibc's allocator gives every thread that needs one its own arena and keeps freed memory there; Streamlit
  starts a thread per script run, so a server that many people use only ever grows. :func:`tune_malloc`
  limits the arenas and returns freed memory (``bench/bench_memory.py``: peak with 10 national-scale sessions
  575 MB with the defaults, about 525 MB with this and the page-run gate of ``monitor/app/gate.py``).
  :func:`arrow_on_malloc` sends pyarrow's buffers (the text columns of every query result) through that same
  tuned ``malloc`` instead of pyarrow's bundled mimalloc, which keeps freed pages (peak ~15 MB lower).
- Streamlit's metrics endpoint ``/_stcore/metrics`` tells anyone who reaches the server how many sessions are
  open and what the caches hold; Streamlit 1.67 has no option to switch it off, so :func:`close_metrics`
  answers it with 404.

- Where it listens (:func:`listen_check`): on 127.0.0.1 unless told otherwise; a non-local address
  (``--server.address 0.0.0.0``, a LAN address, in config.toml or ``$STREAMLIT_SERVER_ADDRESS``) only with sign-in
  configured (``[auth]`` in the secrets, see ``monitor/app/auth.py``) or as an explicitly public read-only instance
  (``--oeffentlich``: everyone is Partner); otherwise a German message and exit 1.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import logging
import os
import sys
import time
import tomllib
from pathlib import Path

import click
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import bootstrap, cli

from monitor.app import auth

APP = Path(__file__).resolve().parents[2] / "app.py"
#: Imported before the server starts: the libraries and every module the pages and the report use (the report's
#: file writers, with reportlab and python-docx, load when the Bericht page first runs).
PRELOAD = ("pandas", "duckdb", "pyarrow", "plotly.graph_objects", "plotly.io", "pydeck",
           "monitor.core.format", "monitor.core.palette", "monitor.core.vocab", "monitor.data.db", "monitor.data.meta",
           "monitor.data.filters", "monitor.data.overview", "monitor.data.themes", "monitor.data.municipalities",
           "monitor.data.initiatives", "monitor.data.actors", "monitor.data.geo", "monitor.data.map_values",
           "monitor.data.sources", "monitor.data.export", "monitor.data.access", "monitor.data.audit",
           "monitor.data.feed",
           "monitor.figures.portfolio", "monitor.figures.indicators", "monitor.figures.maps", "monitor.figures.network",
           "monitor.app.ui", "monitor.app.sidebar", "monitor.app.gate", "monitor.app.auth", "monitor.app.updates",
           "monitor.report.content", "monitor.report.figures", "monitor.report.model", "monitor.report.profile",
           "monitor.report.page")
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


def freeze_heap() -> int:
    """Collect once, then move every object still alive (the preloaded libraries and modules, before any session
    exists) into the permanent generation (``gc.freeze``), which later collections skip. Streamlit's
    collection after each script run then looks only at what the server made since. Those objects are still
    freed by reference counting; only cycles among them would never be collected, and module-level objects do
    not become garbage. Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def skip_direct_run_check() -> bool:
    """Mark Streamlit's once-per-process check as done whether it runs in a Python REPL or without
    ``streamlit run`` (it prints a warning then). The check walks ``inspect.stack()`` with every frame's source
    file at the first element of the process (50–150 ms here) — in the first visitor's run. Under
    ``python -m monitor.app.serve`` neither case can occur. Returns False when Streamlit no longer has the flag."""
    from streamlit import delta_generator

    if not hasattr(delta_generator, "_use_warning_has_been_displayed"):
        return False
    delta_generator._use_warning_has_been_displayed = True
    return True


#: glibc ``mallopt`` parameters (malloc.h): at most 2 malloc arenas, and freed memory above 128 KiB at the top of
#: a heap or in a block of its own goes back to the system at once (fixed thresholds; glibc's defaults grow
#: them up to 32 MiB and keep that much per arena and thread).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
MALLOC_SETTINGS = ((_M_ARENA_MAX, 2), (_M_TRIM_THRESHOLD, 128 * 1024), (_M_MMAP_THRESHOLD, 128 * 1024))
MALLOC_ENV = "REGIONALMONITOR_MALLOC"  # "default": leave glibc's allocator as it is (for comparisons)


def tune_malloc() -> bool:
    """Apply :data:`MALLOC_SETTINGS` to glibc's allocator (before any thread starts). Streamlit runs every
    script in a new thread; with glibc's defaults each thread may get its own arena that keeps freed memory,
    so the server's memory only ever grows with the number of sessions. Returns False where there is no glibc
    or ``$REGIONALMONITOR_MALLOC`` is 'default'."""
    if os.environ.get(MALLOC_ENV, "").strip().lower() == "default":
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return all(mallopt(param, value) == 1 for param, value in MALLOC_SETTINGS)


#: Arrow's own setting for its default memory pool; when an operator sets it, that choice stays.
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def arrow_on_malloc() -> bool:
    """Let pyarrow allocate through the C library's ``malloc`` (tuned by :func:`tune_malloc`) instead of its
    bundled mimalloc. The pandas frames of query results keep their text columns in Arrow buffers; mimalloc
    keeps the pages of freed buffers for reuse, so with many sessions it held ~15 MB more at the peak
    (``bench/bench_memory.py``, national scale), while glibc returns them. Returns False when
    ``$REGIONALMONITOR_MALLOC`` is 'default' or ``$ARROW_DEFAULT_MEMORY_POOL`` names a pool."""
    if os.environ.get(MALLOC_ENV, "").strip().lower() == "default" or os.environ.get(ARROW_POOL_ENV, "").strip():
        return False
    import pyarrow

    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    return True


def close_metrics() -> bool:
    """Answer Streamlit's ``/_stcore/metrics`` with 404 instead of the server's statistics (GET and OPTIONS; a
    removed route would fall through to the app's HTML with 200). Patches the route factory the server uses
    when it builds its routes, so call it before the server starts. Returns False when Streamlit's server no
    longer has that factory (then the endpoint stays as Streamlit makes it)."""
    from streamlit.web.server.starlette import starlette_app, starlette_routes

    if not hasattr(starlette_app, "create_metrics_routes") or not hasattr(starlette_routes, "ROUTE_METRICS"):
        return False
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def not_found(request):
        return PlainTextResponse("Not Found", status_code=404)

    def closed_routes(runtime, base_url):
        path = starlette_routes._with_base(starlette_routes.ROUTE_METRICS, base_url)
        return [Route(path, not_found, methods=["GET", "OPTIONS", "POST"])]

    starlette_app.create_metrics_routes = closed_routes
    return True


#: The launcher's own flag (not Streamlit's): start as a public read-only instance.
PUBLIC_FLAG = "--oeffentlich"
LOCAL_ADDRESS = "127.0.0.1"


def load_streamlit_config(args: list[str]) -> bool:
    """Load Streamlit's configuration as ``streamlit run app.py args`` will (config.toml files, environment,
    flags), so the launcher sees the address and the secrets files the server will use. False when Streamlit
    refuses the arguments (it says why when it starts)."""
    try:
        ctx = cli.main_run.make_context("run", [str(APP), *args])
    except click.ClickException:
        return False
    config._main_script_path = str(APP)  # as `streamlit run` does: secrets.toml next to app.py counts too
    # A parse without these flags before (any config read at import) would make Streamlit warn that the [server]
    # section changed and a restart is needed; parse afresh.
    config._config_options = None
    bootstrap.load_config_options({k: v for k, v in ctx.params.items() if k not in ("target", "args")})
    return True


def read_secrets(files: list[str]) -> dict:
    """The secrets ``files`` (Streamlit's ``secrets.files``), merged in their order; files only."""
    merged: dict = {}
    for name in files:
        path = Path(name)
        if path.is_file():
            try:
                merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ValueError(f"{path} ist nicht lesbar: {exc}") from exc
    return merged


def _refusal(address: str) -> str:
    return (f"Der Regionalmonitor soll auf der Adresse „{address}“ lauschen, wäre also von anderen Rechnern "
            "erreichbar, aber es ist keine Anmeldung eingerichtet ([auth] in .streamlit/secrets.toml). Ohne "
            "Anmeldung sähe jeder im Netz alle Daten, auch nicht öffentliche Initiativen und Kontaktdaten.\n"
            "Entweder die Anmeldung einrichten (Vorlage: .streamlit/secrets.example.toml), oder nur auf diesem "
            "Rechner starten (ohne --server.address), oder ausdrücklich als öffentliche Ansicht, in der alle nur "
            f"öffentliche Daten sehen: python -m monitor.app.serve {PUBLIC_FLAG} --server.address {address}")


def listen_check(args: list[str], environ: dict | None = None) -> tuple[list[str], str]:
    """Decide where the server may listen (see the module docstring). Returns the arguments for Streamlit (the
    launcher's flag removed, ``--server.address 127.0.0.1`` added when no address is set anywhere) and a German
    message why it must not start ("" when it may). Sets ``$REGIONALMONITOR_OEFFENTLICH`` for a public start."""
    environ = os.environ if environ is None else environ
    public = PUBLIC_FLAG in args or auth.truthy(environ.get(auth.PUBLIC_ENV))
    args = [a for a in args if a != PUBLIC_FLAG]
    if public:
        environ[auth.PUBLIC_ENV] = "1"
    if not load_streamlit_config(args):
        return args, ""
    address = config.get_option("server.address")
    secrets_files = list(config.get_option("secrets.files") or [])
    config._config_options = None  # forget this parse: `streamlit run` parses again with the final arguments
    if not address:  # Streamlit's default is every interface
        args += ["--server.address", LOCAL_ADDRESS]
        address = LOCAL_ADDRESS
    if public:
        return args, ""
    try:
        secrets = read_secrets(secrets_files)
    except ValueError as exc:
        return args, f"Die Einstellungen sind nicht lesbar: {exc}"
    signin = secrets.get("auth")
    if signin:
        settings = secrets.get(auth.SETTINGS) or {}
        groups, problems = auth.group_mapping(settings.get("groups"))
        problems = auth.auth_problems(signin) + problems
        if not groups:
            problems.append(f"[{auth.SETTINGS}.groups] fehlt: niemand bekäme eine Rolle")
        if problems:
            return args, ("Die Anmeldung in .streamlit/secrets.toml ist nicht vollständig eingerichtet:\n- "
                          + "\n- ".join(problems))
        return args, ""
    if not auth.is_local_address(str(address)):
        return args, _refusal(str(address))
    return args, ""


def main(argv: list[str] | None = None) -> int:
    args, refusal = listen_check(list(sys.argv[1:] if argv is None else argv))
    if refusal:
        print(f"Regionalmonitor startet nicht. {refusal}", file=sys.stderr)
        return 1
    tune_malloc()
    arrow_on_malloc()
    close_metrics()
    PagesManager.uses_pages_directory = False
    root = str(APP.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    preload()
    skip_direct_run_check()
    freeze_heap()
    sys.argv = ["streamlit", "run", str(APP), *args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
