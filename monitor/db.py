"""The one way into the database: a cached read-only connection and cached, bounded queries.

- The connection is a cached resource keyed on the database file's identity (inode, mtime, size). When the
  ETL replaces the file (``os.replace``), the next query sees a new identity, opens the new file and serves
  the new data; sessions still running a query on the old connection finish on the old file.
- Every query runs on its own ``cursor()``, so concurrent sessions never share a cursor.
- Query results are cached per (SQL, parameters, file identity) with a bound (``ttl``, ``max_entries``).
Page code never writes SQL; the query functions in the ``monitor`` modules call :func:`query`.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
DB_ENV = "REGIONALMONITOR_DB"
DEFAULT_DB = ROOT / "data" / "monitor.duckdb"


class DatabaseMissing(RuntimeError):
    """The database file does not exist (the ETL has not been run)."""


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


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(stamp: tuple[str, int, int, int]) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(stamp[0], read_only=True)


def _run(stamp: tuple[str, int, int, int], sql: str, params: tuple) -> pd.DataFrame:
    # A file replaced between stat() and connect() is retried once with the new identity.
    for attempt in range(3):
        try:
            cur = _connection(stamp).cursor()
            try:
                return cur.execute(sql, list(params)).df()
            finally:
                cur.close()
        except (duckdb.IOException, duckdb.ConnectionException):
            if attempt == 2:
                raise
            time.sleep(0.05)
            _connection.clear()
            stamp = db_stamp(Path(stamp[0]))
    raise AssertionError("unreachable")


@st.cache_data(ttl=600, max_entries=1024, show_spinner=False)
def _cached(stamp: tuple[str, int, int, int], sql: str, params: tuple) -> pd.DataFrame:
    return _run(stamp, sql, params)


def query(sql: str, params: tuple | list = ()) -> pd.DataFrame:
    """Run a read-only query on the current database, cached; returns a DataFrame (a copy, safe to modify)."""
    return _cached(db_stamp(), sql, tuple(params))


def scalar(sql: str, params: tuple | list = ()):
    """First cell of :func:`query`, or None when no row."""
    df = query(sql, params)
    return None if df.empty else df.iat[0, 0]


def meta() -> dict[str, str]:
    """The build facts of table ``meta`` (district, Stand, synthetic flag) as a dict."""
    df = query("select key, value from meta")
    return dict(zip(df["key"], df["value"]))
