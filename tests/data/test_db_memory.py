"""DuckDB's memory budget in ``monitor.data.db``: every opened version gets the budget and a spill directory of its
own; a query that does not fit is answered anyway (once more with DuckDB's default limit)."""
from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from monitor.data import db
from tests.conftest import clear_streamlit_caches

#: Needs a few MB for its hash table: more than a 1 MB budget, nothing for DuckDB's default limit.
HEAVY = "select count(distinct x) as n from range(3000000) t(x)"


@pytest.fixture()
def served(fixture_db, tmp_path, monkeypatch) -> Path:
    """A private copy of the fixture database, served (REGIONALMONITOR_DB) with fresh caches."""
    path = tmp_path / "monitor.duckdb"
    shutil.copyfile(fixture_db, path)
    monkeypatch.setenv(db.DB_ENV, str(path))
    clear_streamlit_caches()
    yield path
    clear_streamlit_caches()


def setting(path: Path, name: str) -> str:
    """A DuckDB setting of the handle that serves ``path`` (opened by a query before)."""
    with db._lease(str(path)) as handle:
        cur = handle.con.cursor()
        try:
            return cur.execute("select current_setting(?)", [name]).fetchall()[0][0]
        finally:
            cur.close()


def in_bytes(size: str) -> float:
    """DuckDB's display of a size ('61.0 MiB', '18.8 GiB') in bytes."""
    number, unit = size.split()
    return float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]


def default_limit() -> float:
    con = duckdb.connect(":memory:")
    try:
        return in_bytes(con.execute("select current_setting('memory_limit')").fetchall()[0][0])
    finally:
        con.close()


def test_an_opened_version_gets_the_default_budget_and_its_own_spill_directory(served, monkeypatch):
    monkeypatch.delenv(db.MEMORY_ENV, raising=False)
    assert db.scalar("select count(*) from municipality") > 0
    assert in_bytes(setting(served, "memory_limit")) == pytest.approx(64 * 10**6, rel=0.01)
    assert in_bytes(setting(served, "memory_limit")) < default_limit()
    spill = Path(setting(served, "temp_directory"))
    assert spill.parent == Path(tempfile.gettempdir())
    assert spill.name.startswith("regionalmonitor-duckdb-")


def test_the_budget_comes_from_the_environment(served, monkeypatch):
    monkeypatch.setenv(db.MEMORY_ENV, "200MB")
    db.scalar("select count(*) from municipality")
    assert in_bytes(setting(served, "memory_limit")) == pytest.approx(200 * 10**6, rel=0.01)


def test_two_versions_never_share_a_spill_directory(served, tmp_path, monkeypatch):
    db.scalar("select count(*) from municipality")
    first = setting(served, "temp_directory")
    other = tmp_path / "other.duckdb"
    shutil.copyfile(served, other)
    monkeypatch.setenv(db.DB_ENV, str(other))
    db.scalar("select count(*) from municipality")
    assert setting(other, "temp_directory") != first


def test_a_query_beyond_the_budget_is_answered_with_the_default_limit(served, monkeypatch, caplog):
    monkeypatch.setenv(db.MEMORY_ENV, "1MB")
    with caplog.at_level(logging.WARNING, logger="monitor.data.db"):
        got = db.scalar(HEAVY)
    assert got == 3_000_000
    assert "passt nicht in 1MB" in caplog.text
    assert in_bytes(setting(served, "memory_limit")) == default_limit()  # this version keeps the default
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="monitor.data.db"):
        assert db.scalar(HEAVY.replace("3000000", "2000000")) == 2_000_000
    assert "passt nicht" not in caplog.text  # no second failure on the same version


def test_within_the_budget_nothing_is_retried(served, monkeypatch, caplog):
    monkeypatch.setenv(db.MEMORY_ENV, "1MB")
    with caplog.at_level(logging.WARNING, logger="monitor.data.db"):
        assert db.scalar("select 41 + 1") == 42
    assert "passt nicht" not in caplog.text
    assert in_bytes(setting(served, "memory_limit")) < 2 * 2**20


def test_a_malformed_budget_is_reported_and_the_default_limit_serves(served, monkeypatch, caplog):
    monkeypatch.setenv(db.MEMORY_ENV, "viel")
    with caplog.at_level(logging.WARNING, logger="monitor.data.db"):
        assert db.scalar("select count(*) from municipality") > 0
    assert "REGIONALMONITOR_DUCKDB_MEMORY='viel' ist keine gültige Größe" in caplog.text
    assert in_bytes(setting(served, "memory_limit")) == default_limit()


def test_an_opened_version_runs_queries_on_the_configured_threads(served, monkeypatch):
    monkeypatch.delenv(db.THREADS_ENV, raising=False)
    db.query("select count(*) from meta")
    assert int(setting(served, "threads")) == db.DEFAULT_THREADS == 1
    monkeypatch.setenv(db.THREADS_ENV, "2")
    served.touch()  # a new file identity: the next query opens a new version with the new setting
    db.query("select count(*) from initiative")
    assert int(setting(served, "threads")) == 2


def test_a_malformed_thread_count_falls_back_to_the_default(served, monkeypatch, caplog):
    monkeypatch.setenv(db.THREADS_ENV, "viele")
    with caplog.at_level(logging.WARNING, logger="monitor.data.db"):
        assert db.threads() == db.DEFAULT_THREADS
    assert "keine ganze Zahl" in caplog.text


def test_the_query_cache_keeps_results_within_its_byte_bound(served, monkeypatch):
    """Results are cached up to QUERY_CACHE_MB together: the least recently used go first, a result heavier
    than the whole bound is answered but not kept."""
    cache = db._cached.cache
    monkeypatch.setattr(cache, "max_weight", 25_000)  # about three results of 1,000 BIGINTs
    weights = []
    for n in range(5):
        df = db.query(f"select range as x from range({1000 + n})")
        assert len(df) == 1000 + n
        weights.append(db.frame_bytes(df))
        assert 0 < cache.weight <= cache.max_weight
    kept = 0  # the newest results that fit together
    while kept < len(weights) and sum(weights[len(weights) - kept - 1:]) <= cache.max_weight:
        kept += 1
    assert 0 < kept < 5 and len(cache) == kept and cache.weight == sum(weights[-kept:])
    big = db.query("select range as x from range(100000)")
    assert len(big) == 100_000 and db.frame_bytes(big) > cache.max_weight
    assert len(cache) == kept and cache.weight == sum(weights[-kept:])  # not kept, nothing pushed out
