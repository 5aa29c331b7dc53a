"""Shared pytest fixtures: the fixture database and a fixed "today" for every test that asks for them.

- ``fixture_db`` (session): builds ``tests/fixture_db.py``'s database once in a temp dir, points
  ``REGIONALMONITOR_DB`` at it, sets ``REGIONALMONITOR_TODAY`` to ``FIXTURE_TODAY``, the audit log into the temp
  dir and no role (local mode's default, Kompetenzstelle); returns its Path.
- ``app`` (function): an ``AppTest`` of ``app.py`` on the fixture database (not yet run), caches cleared.
- ``minimal_build`` (session): the minimal good source folder (``tests/minimal_source.py``) built once by the
  real ETL on ``MINIMAL_TODAY``; the ETL tests lay their bad inputs over copies of it, the concurrency tests
  serve copies of its database. Read-only: copy before changing anything.
"""
from __future__ import annotations

import datetime as dt
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixture_db import FIXTURE_TODAY, build_fixture_db  # noqa: E402

APP_TIMEOUT = 30
#: "Today" of every ETL run on the minimal source (reproducible warnings about dates).
MINIMAL_TODAY = dt.date(2026, 11, 24)


def clear_streamlit_caches() -> None:
    """Empty the project's caches (query results, derived values) and Streamlit's own."""
    import streamlit as st

    from monitor.core.cache import clear_all

    clear_all()
    st.cache_data.clear()
    st.cache_resource.clear()


@contextmanager
def serving(db: Path, today: dt.date):
    """REGIONALMONITOR_DB and REGIONALMONITOR_TODAY point at ``db`` and ``today`` inside the block (the caches
    emptied on the way in and out); afterwards they are as before."""
    mp = pytest.MonkeyPatch()
    mp.setenv("REGIONALMONITOR_DB", str(db))
    mp.setenv("REGIONALMONITOR_TODAY", today.isoformat())
    mp.setenv("REGIONALMONITOR_AUDIT_LOG", str(db.parent / "audit.jsonl"))  # never the repository's data/
    mp.delenv("REGIONALMONITOR_ROLE", raising=False)  # the tests choose the role themselves
    clear_streamlit_caches()
    try:
        yield db
    finally:
        mp.undo()
        clear_streamlit_caches()


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    """Path of the fixture database; REGIONALMONITOR_DB and REGIONALMONITOR_TODAY point at it for the session."""
    path = tmp_path_factory.mktemp("db") / "fixture.duckdb"
    build_fixture_db(path)
    with serving(path, FIXTURE_TODAY):
        yield path


@pytest.fixture
def app(fixture_db):
    """A fresh, not yet run AppTest of app.py on the fixture database."""
    from streamlit.testing.v1 import AppTest

    clear_streamlit_caches()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)


@dataclass(frozen=True)
class MinimalBuild:
    """The minimal good source folder and the database the ETL built from it."""

    source: Path
    db: Path


@pytest.fixture(scope="session")
def minimal_build(tmp_path_factory) -> MinimalBuild:
    """The minimal source built once for the whole run (see the module docstring)."""
    from etl.build import build
    from tests.minimal_source import make_minimal_source

    base = tmp_path_factory.mktemp("minimal")
    source = make_minimal_source(base / "src")
    db = base / "monitor.duckdb"
    build(source, db, today=MINIMAL_TODAY)
    return MinimalBuild(source, db)


@pytest.fixture
def fixture_variant(fixture_db, tmp_path, monkeypatch):
    """A function ``make(*statements)``: a copy of the fixture database changed by SQL ``statements`` (strings
    or (sql, params) pairs), with REGIONALMONITOR_DB pointing at it until the test ends; returns its Path."""
    import shutil

    import duckdb

    def make(*statements) -> Path:
        path = tmp_path / "variant.duckdb"
        shutil.copy(fixture_db, path)
        with duckdb.connect(str(path)) as con:
            for statement in statements:
                sql, params = (statement, ()) if isinstance(statement, str) else statement
                con.execute(sql, list(params))
        monkeypatch.setenv("REGIONALMONITOR_DB", str(path))
        clear_streamlit_caches()
        return path

    yield make
    monkeypatch.undo()
    clear_streamlit_caches()


@pytest.fixture
def germany_db(fixture_variant):
    """The fixture database with Germany as the third benchmark (``tests.fixture_db.germany_statements``)."""
    from tests.fixture_db import germany_statements

    return fixture_variant(*germany_statements())
