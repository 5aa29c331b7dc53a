"""A damaged database file (truncated, overwritten with garbage; at start or swapped in while serving) shows the
app's German "Die Datenbank ist nicht lesbar" on every page, never Streamlit's generic error."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from monitor.app.ui import UNREADABLE_DB_TEXT
from tests.conftest import APP_TIMEOUT, ROOT, clear_streamlit_caches

PAGES = ["pages/ueberblick.py", "pages/themen.py", "pages/gemeinden.py", "pages/initiativen.py",
         "pages/karte.py", "pages/akteure.py", "pages/daten.py", "pages/bericht.py"]
STEP = 256 << 10  # DuckDB's block size


def meta_readable(path: Path) -> bool:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{path}' as m (read_only)")
        con.execute("select * from m.meta").fetchall()
        return True
    except duckdb.Error:
        return False
    finally:
        con.close()


@pytest.fixture(scope="module")
def truncated(fixture_db, tmp_path_factory) -> bytes:
    """The fixture database cut at the first block boundary where ``meta`` (what the frame checks first) is still
    readable: the file opens, the later reads fail."""
    data = fixture_db.read_bytes()
    probe = tmp_path_factory.mktemp("probe") / "cut.duckdb"
    for size in range(STEP, len(data), STEP):
        probe.write_bytes(data[:size])
        if meta_readable(probe):
            return data[:size]
    pytest.fail("no cut of the fixture database keeps meta readable")


def run_page(path: Path, page: str, at: AppTest | None = None) -> AppTest:
    if at is None:
        clear_streamlit_caches()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run()
        at.switch_page(page).run()
    else:
        at.run()
    return at


def assert_german_message(at: AppTest, page: str) -> None:
    assert not at.exception, (page, [e.message for e in at.exception])
    assert any(UNREADABLE_DB_TEXT in e.value for e in at.error), (page, [e.value for e in at.error])


@pytest.mark.parametrize("page", PAGES)
def test_truncated_database_at_start(fixture_db, truncated, tmp_path, monkeypatch, page):
    path = tmp_path / "kaputt.duckdb"
    path.write_bytes(truncated)
    monkeypatch.setenv("REGIONALMONITOR_DB", str(path))
    assert_german_message(run_page(path, page), page)
    clear_streamlit_caches()


@pytest.mark.parametrize("page", PAGES)
def test_garbage_file_at_start(fixture_db, tmp_path, monkeypatch, page):
    path = tmp_path / "muell.duckdb"
    path.write_bytes(os.urandom(fixture_db.stat().st_size))
    monkeypatch.setenv("REGIONALMONITOR_DB", str(path))
    assert_german_message(run_page(path, page), page)
    clear_streamlit_caches()


@pytest.mark.parametrize("page", PAGES)
def test_database_truncated_or_swapped_while_serving(fixture_db, truncated, tmp_path, monkeypatch, page):
    path = tmp_path / "live.duckdb"
    shutil.copyfile(fixture_db, path)
    monkeypatch.setenv("REGIONALMONITOR_DB", str(path))
    at = run_page(path, page)
    assert not at.exception and not at.error
    with path.open("r+b") as fh:  # cut in place (same file, as a failing copy would)
        fh.truncate(len(truncated))
    assert_german_message(run_page(path, page, at), page)
    # then a damaged file swapped in (a new file under the name)
    swapped = tmp_path / "neu.duckdb"
    swapped.write_bytes(truncated)
    os.replace(swapped, path)
    assert_german_message(run_page(path, page, at), page)
    clear_streamlit_caches()


def test_a_wrong_query_is_still_an_error(fixture_db):
    """The guard answers a damaged file only: a query against a missing table still fails loudly."""
    from monitor.data import db

    with pytest.raises(duckdb.Error) as info:
        db.query("select * from gibt_es_nicht")
    assert not db.is_damaged(info.value)
