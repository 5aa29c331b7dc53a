"""The data-access layer (``monitor.data.db``) under concurrency: 32 threads × 200 queries, cached and uncached,
give 0 errors and right answers, also while the database file is replaced (``os.replace``, as the ETL does)
in the middle of the run; replaced versions are closed once their last query has finished."""
from __future__ import annotations

import os
import random
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from etl.build import build
from monitor.data import db
from tests.conftest import MINIMAL_TODAY, clear_streamlit_caches
from tests.minimal_source import make_workbook

THREADS = 32
QUERIES = 200
TODAY = MINIMAL_TODAY
OLD_TITLE, NEW_TITLE = "Rufbus Boxberg", "Rufbus Boxberg und Umland"


@pytest.fixture(scope="module")
def versions(tmp_path_factory, minimal_build):
    """Two ETL-built databases that differ in the initiative's title: (old, new)."""
    base = tmp_path_factory.mktemp("concurrency")
    old = minimal_build.db
    src = base / "src"
    shutil.copytree(minimal_build.source, src)
    make_workbook(src / "portfolio" / "portfolio.xlsx", title=NEW_TITLE)
    new = base / "new.duckdb"
    build(src, new, today=TODAY)
    return old, new


@pytest.fixture()
def live(versions, tmp_path, monkeypatch):
    """The served database (a copy of the old version) with REGIONALMONITOR_DB pointing at it."""
    path = tmp_path / "monitor.duckdb"
    shutil.copyfile(versions[0], path)
    monkeypatch.setenv(db.DB_ENV, str(path))
    clear_streamlit_caches()
    yield path
    clear_streamlit_caches()


def one_query(rng: random.Random, values: int) -> str | None:
    """A random query with a known answer: cached (repeated SQL), uncached (new parameters) or the title."""
    kind = rng.random()
    if kind < 0.4:  # the same few statements again and again: served from the cache
        k = rng.randrange(3)
        got = db.scalar("select count(*) + ? from indicator_value", (k,))
        assert got == values + k, (got, values + k)
        return None
    if kind < 0.8:  # new parameters every time: runs on the database
        k = rng.randrange(10**9)
        got = db.query("select count(*) as n, ? as k from indicator_value where value > ?", (k, rng.random()))
        assert int(got["k"].iat[0]) == k
        return None
    return db.scalar("select title from initiative where initiative_id = ?", ("I-001",))


def hammer(seed: int, values: int, titles: list, errors: list, go: threading.Event | None = None) -> None:
    rng = random.Random(seed)
    if go is not None:
        go.wait()
    for _ in range(QUERIES):
        try:
            title = one_query(rng, values)
            if title is not None:
                titles.append((seed, title))
        except Exception as exc:  # noqa: BLE001 - every error counts
            errors.append(f"{type(exc).__name__}: {exc}")


def value_count(path: Path) -> int:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from indicator_value").fetchone()[0]
    finally:
        con.close()


def test_32_threads_200_queries_without_errors(live, versions):
    values = value_count(versions[0])
    errors: list[str] = []
    titles: list = []
    go = threading.Event()
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(hammer, seed, values, titles, errors, go) for seed in range(THREADS)]
        go.set()
        for f in futures:
            f.result()
    assert errors == []
    assert titles and {t for _, t in titles} == {OLD_TITLE}
    assert db.open_connections() == 1


def test_replacing_the_file_mid_run_gives_no_errors_and_the_new_data(live, versions):
    values = value_count(versions[0])
    assert value_count(versions[1]) == values  # only the title differs
    errors: list[str] = []
    titles: list = []
    staged = live.with_name(".monitor.duckdb.tmp-test")
    shutil.copyfile(versions[1], staged)  # written beside it, like the ETL's temp file
    go = threading.Event()
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(hammer, seed, values, titles, errors, go) for seed in range(THREADS)]
        go.set()
        while len(titles) < THREADS * QUERIES * 0.2 * 0.3 and not all(f.done() for f in futures):
            threading.Event().wait(0.005)
        os.replace(staged, live)
        replaced_at = len(titles)
        for f in futures:
            f.result()
    assert errors == []
    seen = [t for _, t in titles]
    assert OLD_TITLE in seen[:replaced_at] and seen[-1] == NEW_TITLE
    # per session (thread): once the new version was seen, never the old one again
    for seed in range(THREADS):
        mine = [t for s, t in titles if s == seed]
        if NEW_TITLE in mine:
            first_new = mine.index(NEW_TITLE)
            assert OLD_TITLE not in mine[first_new:], seed
    assert db.scalar("select title from initiative") == NEW_TITLE
    assert db.open_connections() == 1  # the replaced version was closed


def test_query_running_on_the_old_file_finishes_while_new_queries_see_the_new_file(live, versions):
    assert db.scalar("select title from initiative") == OLD_TITLE
    started, release = threading.Event(), threading.Event()
    result: dict = {}

    def slow_reader():
        # hold a lease on the old version as a long query would
        with db._lease(str(live)) as handle:
            started.set()
            release.wait(10)
            cur = handle.con.cursor()
            try:
                cur.execute(f"use {db.CATALOG}")
                result["title"] = cur.execute("select title from initiative").fetchone()[0]
            finally:
                cur.close()

    t = threading.Thread(target=slow_reader)
    t.start()
    assert started.wait(10)
    staged = live.with_name(".monitor.duckdb.tmp-test")
    shutil.copyfile(versions[1], staged)
    os.replace(staged, live)
    assert db.scalar("select title from initiative where ? = 1", (1,)) == NEW_TITLE
    assert db.open_connections() == 2  # the old version stays open for the running query
    release.set()
    t.join(10)
    assert result["title"] == OLD_TITLE
    assert db.open_connections() == 1  # and is closed when it has finished


def test_a_missing_database_is_reported_not_crashed(tmp_path, monkeypatch):
    monkeypatch.setenv(db.DB_ENV, str(tmp_path / "fehlt.duckdb"))
    clear_streamlit_caches()
    with pytest.raises(db.DatabaseMissing):
        db.query("select 1")


def test_an_unreadable_replacement_keeps_the_old_data_serving(live, versions):
    """Only a broken replacement (never the ETL's, which replaces only after all checks) could fail to open:
    the version already open keeps serving instead of every session failing."""
    assert db.scalar("select title from initiative") == OLD_TITLE
    staged = live.with_name(".monitor.duckdb.tmp-test")
    staged.write_bytes(b"kein DuckDB-Format " * 1000)
    os.replace(staged, live)
    assert db.scalar("select title from initiative where ? = 2", (2,)) == OLD_TITLE
    assert db.scalar("select count(*) from initiative where ? = 3", (3,)) == 1
    shutil.copyfile(versions[1], staged)
    os.replace(staged, live)
    db._failed_open.clear()  # (skip the retry pause)
    assert db.scalar("select title from initiative where ? = 4", (4,)) == NEW_TITLE


def test_a_pinned_run_reads_one_version_even_when_the_file_is_replaced_midway(live, versions):
    """app.py runs every page view inside db.pinned(): a view that began on the old version shows only old
    data, even for queries it first makes after the replacement; the next view shows the new version."""
    with db.pinned():
        assert db.scalar("select title from initiative") == OLD_TITLE
        staged = live.with_name(".monitor.duckdb.tmp-test")
        shutil.copyfile(versions[1], staged)
        os.replace(staged, live)
        # a query not yet cached, made after the replacement, still reads the pinned version
        assert db.scalar("select title from initiative where ? = 5", (5,)) == OLD_TITLE
        with db.pinned():  # nested use keeps the outer pin
            assert db.scalar("select title from initiative where ? = 6", (6,)) == OLD_TITLE
        # unpinned threads meanwhile see the new version
        seen = []
        t = threading.Thread(target=lambda: seen.append(db.scalar("select title from initiative where ? = 7", (7,))))
        t.start()
        t.join(10)
        assert seen == [NEW_TITLE]
        assert db.open_connections() == 2  # the pinned old version stays open ...
    assert db.open_connections() == 1  # ... until the run ends
    with db.pinned():
        assert db.scalar("select title from initiative where ? = 5", (5,)) == NEW_TITLE


def test_pinning_a_missing_database_runs_unpinned(tmp_path, monkeypatch):
    monkeypatch.setenv(db.DB_ENV, str(tmp_path / "fehlt.duckdb"))
    clear_streamlit_caches()
    with db.pinned():
        assert db._pinned_handle() is None
        with pytest.raises(db.DatabaseMissing):
            db.query("select 1")


def test_a_file_without_the_portfolio_tables_opens(tmp_path, monkeypatch):
    import duckdb

    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table meta (key varchar, value varchar)")
    monkeypatch.setenv(db.DB_ENV, str(path))
    clear_streamlit_caches()
    assert db.scalar("select count(*) from meta") == 0
    clear_streamlit_caches()
