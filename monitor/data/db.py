"""The one way into the database: a shared read-only connection per database file and cached, bounded queries.

- The connection belongs to the database file's identity (path, inode, mtime, size). When the ETL replaces
  the file (``os.replace``), the next query sees a new identity, opens the new file and serves the new data;
  queries already running on the old connection finish on the old file (its inode stays readable), and the
  old connection is closed as soon as the last of them is done. Nothing is ever closed under a running query,
  and a failing open never disturbs the connection other sessions are using.
- The file is attached read-only to a private in-memory DuckDB instance (``ATTACH … (READ_ONLY)``): plain
  ``duckdb.connect(path)`` would hand back the instance it already holds for that *path*, i.e. the replaced
  file, for as long as any connection to it is alive.
- Every query runs on its own ``cursor()``, so concurrent sessions never share a cursor.
- Query results are cached per (SQL, parameters, file identity) with a bound (``ttl``, ``max_entries``).
- Each open version gets a memory budget (:data:`MEMORY_ENV`, default :data:`DEFAULT_MEMORY`): DuckDB keeps the
  table blocks it has read cached up to that budget (without one it would keep the whole file, up to 80 % of
  the machine's memory) and spills large intermediate results to its own temporary directory. A query that
  still does not fit is run again once with DuckDB's default limit, which that version then keeps: the budget
  saves memory, it never costs an answer.
- One page view shows one version: ``app.py`` runs each script run inside :func:`pinned`, which holds the
  version that was current when the run began; every query of that run reads it, even when the ETL replaces
  the file halfway through (the next run shows the new version). Without a pin (tools, tests), each query
  reads the current version.
Page code never writes SQL; the query functions in the ``monitor`` modules call :func:`query`.
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from monitor.core.cache import memo

ROOT = Path(__file__).resolve().parents[2]
DB_ENV = "REGIONALMONITOR_DB"
DEFAULT_DB = ROOT / "data" / "monitor.duckdb"
CATALOG = "monitor"  # name of the attached database inside the private instance
MAX_OPEN_FILES = 4  # database files (paths) kept open at once; idle ones beyond are closed
_OPEN_ATTEMPTS = 5
#: DuckDB memory budget per open database version, in DuckDB's size syntax ('64MB', '1GB').
MEMORY_ENV = "REGIONALMONITOR_DUCKDB_MEMORY"
#: Measured at national scale (63 MB file, bench/bench_memory.py): DuckDB's block cache otherwise keeps ~50 MB
#: more per server; 64 MB runs every page and report, 40 MB makes the national report run out of memory (then
#: the fallback below answers anyway).
DEFAULT_MEMORY = "64MB"
#: DuckDB worker threads per open database version. The app's queries are small and many (a page run sends 10-20):
#: with one thread DuckDB plans and runs each without waking a worker pool, which measured 30-45 % less time per
#: page load than DuckDB's default of one thread per core (overview.load, district and national). Concurrent
#: sessions still use every core: each page run queries on its own thread.
THREADS_ENV = "REGIONALMONITOR_DUCKDB_THREADS"
DEFAULT_THREADS = 1


class DatabaseMissing(RuntimeError):
    """The database file does not exist (the ETL has not been run)."""


def is_damaged(exc: BaseException) -> bool:
    """True when ``exc`` says the database file itself cannot be read (truncated, overwritten, a block that
    fails its checksum), as opposed to a wrong query."""
    return (isinstance(exc, (duckdb.IOException, duckdb.FatalException, duckdb.InternalException))
            or "Corrupt database file" in str(exc))


def db_path() -> Path:
    """The database file: ``$REGIONALMONITOR_DB`` or ``data/monitor.duckdb``."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def db_stamp(path: Path | None = None) -> tuple[str, int, int, int]:
    """Identity of the current database file; changes whenever the ETL replaces it."""
    path = path or db_path()
    try:
        st_ = os.stat(path)
    except FileNotFoundError as exc:
        raise DatabaseMissing(str(path)) from exc
    return (str(path), st_.st_ino, st_.st_mtime_ns, st_.st_size)


@dataclass(eq=False)
class _Handle:
    """An open read-only connection to one version (stamp) of a database file, with its users."""

    stamp: tuple[str, int, int, int]
    con: duckdb.DuckDBPyConnection
    active: int = 0  # queries running on it
    retired: bool = False  # a newer version of the file has its own handle; close when idle

    def retire(self) -> None:
        """No new queries; closed now when idle, else by the last running query (caller holds _lock)."""
        self.retired = True
        if self.active:
            _retired.add(self)
        else:
            self._close()

    def _close(self) -> None:
        _retired.discard(self)
        try:
            self.con.close()
        except duckdb.Error:  # pragma: no cover - closing an idle connection does not fail
            pass


_lock = threading.Lock()
_pin = threading.local()  # .handle: the version the current script run reads (see pinned())
_handles: OrderedDict[str, _Handle] = OrderedDict()  # path -> handle of its current version
_retired: set[_Handle] = set()  # replaced versions with queries still running
_failed_open: dict[str, tuple[tuple, float]] = {}  # path -> (stamp that did not open, retry after)
RETRY_OPEN_S = 2.0
_log = logging.getLogger(__name__)


def memory_budget() -> str:
    """DuckDB's memory limit for a newly opened version: ``$REGIONALMONITOR_DUCKDB_MEMORY`` or the default."""
    return os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY


_spill_seq = iter(range(1, 1 << 62))


def threads() -> int:
    """DuckDB's worker threads for a newly opened version: ``$REGIONALMONITOR_DUCKDB_THREADS`` or the default."""
    try:
        return max(1, int(os.environ.get(THREADS_ENV, "").strip() or DEFAULT_THREADS))
    except ValueError:
        _log.warning("%s=%r ist keine ganze Zahl; es gilt %d.", THREADS_ENV, os.environ.get(THREADS_ENV),
                     DEFAULT_THREADS)
        return DEFAULT_THREADS


def _connect() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB instance with the memory budget and a temporary directory of its own (DuckDB
    names its spill files alike in every instance, so instances must not share one; by default it would
    use ``.tmp`` in the working directory)."""
    spill = Path(tempfile.gettempdir()) / f"regionalmonitor-duckdb-{os.getpid()}-{next(_spill_seq)}"
    try:
        return duckdb.connect(":memory:", config={"memory_limit": memory_budget(), "temp_directory": str(spill),
                                                  "threads": threads()})
    except duckdb.Error as exc:  # a malformed budget must not take the app down
        _log.warning("%s=%r ist keine gültige Größe (%s); DuckDBs Standardgrenze gilt.", MEMORY_ENV,
                     memory_budget(), exc)
        return duckdb.connect(":memory:", config={"temp_directory": str(spill), "threads": threads()})


def _open(path: str) -> _Handle:
    """Attach the file at ``path`` read-only; the stamp is taken before and after, so the handle is labelled
    with the version it really opened (a replacement in between is retried)."""
    for attempt in range(_OPEN_ATTEMPTS):
        before = db_stamp(Path(path))
        con = _connect()
        try:
            con.execute(f"attach '{path.replace(chr(39), chr(39) * 2)}' as {CATALOG} (read_only)")
            con.execute(f"use {CATALOG}")
        except (duckdb.IOException, duckdb.ConnectionException, duckdb.CatalogException):
            con.close()
            if attempt == _OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
            continue
        if db_stamp(Path(path)) == before:
            return _Handle(before, con)
        con.close()
    raise duckdb.IOException(f"Datenbankdatei {path} ändert sich fortlaufend; bitte später erneut versuchen.")


@contextmanager
def _lease(path: str):
    """The handle of the file's current version, counted as in use until the block ends. When a new version
    cannot be opened, the version already open keeps serving (the open is retried after RETRY_OPEN_S)."""
    with _lock:
        stamp = db_stamp(Path(path))
        handle = _handles.get(path)
        failed = _failed_open.get(path)
        if handle is not None and handle.stamp != stamp and failed and failed[0] == stamp \
                and time.monotonic() < failed[1]:
            pass  # the new file did not open a moment ago: keep serving the version that works
        elif handle is None or handle.stamp != stamp:
            try:
                fresh = _open(path)  # raises without touching the handle others use
            except duckdb.Error:
                if handle is None:
                    raise
                _failed_open[path] = (stamp, time.monotonic() + RETRY_OPEN_S)
                _log.warning("Neue Datenbankdatei %s lässt sich nicht öffnen; der bisherige Stand bleibt.", path)
            else:
                _failed_open.pop(path, None)
                if handle is not None:
                    handle.retire()
                _handles[path] = handle = fresh
        _handles.move_to_end(path)
        while len(_handles) > MAX_OPEN_FILES:
            oldest = next(iter(_handles))
            if oldest == path:
                break
            _handles.pop(oldest).retire()
        handle.active += 1
    try:
        yield handle
    finally:
        with _lock:
            handle.active -= 1
            if handle.retired and handle.active == 0:
                handle._close()


def _pinned_handle() -> _Handle | None:
    return getattr(_pin, "handle", None)


@contextmanager
def pinned():
    """Within the block, this thread's queries read the database version that is current now (the handle is
    held open meanwhile, even if the ETL replaces the file). Nested use keeps the outer pin. When the database
    cannot be opened, the block runs unpinned and the queries report the problem as usual."""
    if _pinned_handle() is not None:
        yield
        return
    with ExitStack() as stack:
        try:
            _pin.handle = stack.enter_context(_lease(str(db_path())))
        except (DatabaseMissing, duckdb.Error):
            pass  # unpinned: the queries meet the same problem and report it
        try:
            yield
        finally:
            _pin.handle = None


def _execute(handle: _Handle, sql: str, params: tuple) -> pd.DataFrame:
    """``sql`` on its own cursor of ``handle``; when it runs out of the memory budget, once more after the
    version's limit was reset to DuckDB's default (it keeps that limit)."""
    for attempt in range(2):
        cur = handle.con.cursor()
        try:
            cur.execute(f"use {CATALOG}")
            return cur.execute(sql, list(params)).df()
        except duckdb.OutOfMemoryException:
            if attempt:
                raise
            _log.warning("Abfrage passt nicht in %s Arbeitsspeicher; die Grenze von DuckDB wird für diesen "
                         "Datenstand aufgehoben.", memory_budget())
            cur.execute("reset global memory_limit")
        finally:
            cur.close()
    raise AssertionError("unreachable")  # pragma: no cover


def _run(stamp: tuple[str, int, int, int], sql: str, params: tuple) -> pd.DataFrame:
    """Run ``sql`` on the version ``stamp`` when this thread has it pinned, else on the current version of the
    stamp's file (a newer one when it was replaced meanwhile)."""
    handle = _pinned_handle()
    if handle is not None and handle.stamp == stamp:
        return _execute(handle, sql, params)
    with _lease(stamp[0]) as handle:
        return _execute(handle, sql, params)


#: Query results per (version, SQL, parameters): at most 1,024 for 10 minutes and together at most
#: ``QUERY_CACHE_MB`` (:func:`frame_bytes`); every caller gets its own copy. At national scale a
#: few results (municipal values of one indicator, 10,800 rows) weigh 1-2 MB each and the filtered ones pile up
#: per selection: without the byte bound the cache held ~13 MB after three sessions and kept growing with each
#: further selection (bench/bench_memory.py measures the server's peak).
QUERY_CACHE_SIZE, QUERY_CACHE_TTL_S, QUERY_CACHE_MB = 1024, 600, 16


def frame_bytes(df: pd.DataFrame) -> int:
    """Bytes of ``df``'s column arrays and index (strings included: the results' text columns are Arrow-backed).
    Cheap (tens of µs), unlike ``memory_usage(deep=True)`` (about 1 ms even for one cell)."""
    return int(sum(col.array.nbytes for _, col in df.items()) + df.index.nbytes)


@memo(QUERY_CACHE_SIZE, ttl=QUERY_CACHE_TTL_S, copy=lambda df: df.copy(), weigh=frame_bytes,
      max_weight=QUERY_CACHE_MB * 1024 * 1024)
def _cached(stamp: tuple[str, int, int, int], sql: str, params: tuple) -> pd.DataFrame:
    return _run(stamp, sql, params)


def current_stamp() -> tuple[str, int, int, int]:
    """The version queries read now: the pinned one inside :func:`pinned` (same path), else the current file's."""
    handle = _pinned_handle()
    if handle is not None and handle.stamp[0] == str(db_path()):
        return handle.stamp
    return db_stamp()


def placeholders(values) -> str:
    """``'?, ?, ?'``: one query parameter mark per value, for ``x in (…)`` conditions."""
    return ", ".join("?" for _ in values)


def query(sql: str, params: tuple | list = ()) -> pd.DataFrame:
    """Run a read-only query on the database (the pinned version inside :func:`pinned`, else the current one),
    cached; returns a DataFrame (a copy, safe to modify)."""
    return _cached(current_stamp(), sql, tuple(params))


def scalar(sql: str, params: tuple | list = ()):
    """First cell of :func:`query`, or None when no row."""
    df = query(sql, params)
    return None if df.empty else df.iat[0, 0]


def clear_cache() -> None:
    """Forget every cached query result (tests; the results of a version are otherwise kept up to the bound)."""
    _cached.cache_clear()


def open_connections(path: Path | str | None = None) -> int:
    """How many connections are open to the file at ``path`` (default: the current database), counting the
    current version and replaced versions whose queries are still running."""
    key = str(path or db_path())
    with _lock:
        return sum(1 for h in [*_handles.values(), *_retired] if h.stamp[0] == key)
