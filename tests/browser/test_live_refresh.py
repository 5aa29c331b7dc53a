"""Live refresh: while the app serves and sessions keep querying, the ETL replaces the database with changed
data. No session sees an error, the new data shows within seconds without a restart, and a failing ETL
afterwards leaves the app serving the data it had.

- ``test_data_layer_follows_the_etl_while_threads_query``: the real build (in-process) replaces the file
  under eight threads querying through ``monitor.data.db``; fast, no browser.
- ``test_browser_sessions_see_new_data_without_restart``: the app on a real Streamlit server, three browser
  sessions (Debian Chromium via Playwright) reloading the Initiativen page while ``python -m etl`` runs with a
  changed workbook (title, total cost and Stand of the initiative), then with a broken one. The measured
  latency (replacement → every session shows the new data) goes to tests/artifacts/live_refresh.json.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from etl.build import build
from etl.issues import InputError
from monitor.data import db, meta
from tests.browser_support import ARTIFACTS, launch_browser, new_page, streamlit_server, wait_until_done
from tests.conftest import clear_streamlit_caches
from tests.minimal_source import initiative_row, make_minimal_source, make_workbook

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 24)
OLD_TITLE, NEW_TITLE = "Rufbus Boxberg", "Rufbus Boxberg und Umland"
#: Text the Initiativen page shows for the old and the new data (summary line and page caption).
OLD_TEXT = ["Gesamtkosten 120.000 €", "Stand der Daten: 30.06.2026"]
NEW_TEXT = ["Gesamtkosten 130.000 €", "Stand der Daten: 15.07.2026"]
NEW_DATA_WITHIN_S = 15


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_changed_workbook(src: Path) -> None:
    make_workbook(src / "portfolio" / "portfolio.xlsx", initiatives=[initiative_row(
        title=NEW_TITLE, Stand="15.07.2026", **{"Gesamtkosten €": "130.000,00 €"})])


def write_broken_workbook(src: Path) -> None:
    make_workbook(src / "portfolio" / "portfolio.xlsx", status="Erfunden")


def etl_command(src: Path, db_file: Path) -> list[str]:
    return [sys.executable, "-m", "etl", "--source", str(src), "--db", str(db_file), "--quiet",
            "--today", TODAY.isoformat()]


# ------------------------------------------------------------------------------------------- data layer
def test_data_layer_follows_the_etl_while_threads_query(tmp_path, monkeypatch):
    src = make_minimal_source(tmp_path / "src")
    db_file = tmp_path / "monitor.duckdb"
    build(src, db_file, today=TODAY)
    monkeypatch.setenv(db.DB_ENV, str(db_file))
    clear_streamlit_caches()
    errors: list[str] = []
    last_title: dict[int, str] = {}
    stop = threading.Event()

    def session(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            try:
                last_title[seed] = db.scalar("select title from initiative where initiative_id = ?", ("I-001",))
                db.query("select count(*) from indicator_value where value > ?", (rng.random(),))
                meta.info()
            except Exception as exc:  # noqa: BLE001 - every error counts
                errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.002)

    threads = [threading.Thread(target=session, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    def titles_become(title: str) -> bool:
        deadline = time.monotonic() + NEW_DATA_WITHIN_S
        while time.monotonic() < deadline:
            if len(last_title) == len(threads) and set(last_title.values()) == {title}:
                return True
            time.sleep(0.02)
        return False

    try:
        assert titles_become(OLD_TITLE), last_title
        write_changed_workbook(src)
        build(src, db_file, today=TODAY)  # the real ETL: a new file, then os.replace
        last_title.clear()  # from now on every session must answer with the new title
        assert titles_become(NEW_TITLE), last_title
        before = sha256(db_file)
        write_broken_workbook(src)
        with pytest.raises(InputError):
            build(src, db_file, today=TODAY)
        last_title.clear()
        assert titles_become(NEW_TITLE), last_title
        assert sha256(db_file) == before
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert errors == []
    assert db.open_connections() == 1
    clear_streamlit_caches()


# ------------------------------------------------------------------------------------------- browser
def page_state(page) -> tuple[str, int]:
    """(visible text, number of Streamlit exception boxes) of a finished page."""
    return page.inner_text("body"), page.locator('[data-testid="stException"]').count()


def reload_all(pages) -> list[str]:
    """Reload every session at once (concurrent script runs), then wait for each; returns their texts."""
    for pg in pages:
        pg.reload(wait_until="commit")
    texts = []
    for pg in pages:
        wait_until_done(pg, 30000, runs=1)
        text, exceptions = page_state(pg)
        assert exceptions == 0, text[-2000:]
        assert pg.js_errors == [], pg.js_errors
        texts.append(text)
    return texts


def test_browser_sessions_see_new_data_without_restart(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    src = make_minimal_source(tmp_path / "src")
    db_file = tmp_path / "monitor.duckdb"
    first = subprocess.run(etl_command(src, db_file), capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert first.returncode == 0, first.stderr
    with streamlit_server(db_file, {"REGIONALMONITOR_TODAY": TODAY.isoformat()}) as url, \
            sync_api.sync_playwright() as p:
        browser = launch_browser(p)
        pages = [new_page(browser) for _ in range(3)]
        for pg in pages:
            pg.goto(url + "/portfolio")
        for text in reload_all(pages):
            assert all(t in text for t in OLD_TEXT), text[:1500]

        # the ETL replaces the database while the sessions keep reloading
        write_changed_workbook(src)
        etl = subprocess.Popen(etl_command(src, db_file), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT)
        rounds, seen_new_at, replaced_at = 0, {}, None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            texts = reload_all(pages)
            rounds += 1
            now = time.monotonic()
            if replaced_at is None and etl.poll() is not None:
                # the file was replaced at its mtime (wall clock); convert to this monotonic clock
                replaced_at = now - max(0.0, time.time() - os.stat(db_file).st_mtime)
            for i, text in enumerate(texts):
                new = all(t in text for t in NEW_TEXT)
                old = all(t in text for t in OLD_TEXT)
                assert new or old, text[:1500]  # one consistent version, never a mix or an empty page
                if new:
                    seen_new_at.setdefault(i, now)
            if len(seen_new_at) == len(pages):
                break
            if replaced_at is not None and now - replaced_at > NEW_DATA_WITHIN_S:
                break
        out, err = etl.communicate(timeout=60)
        assert etl.returncode == 0, err
        assert len(seen_new_at) == len(pages), "not every session shows the new data"
        latency = max(seen_new_at.values()) - replaced_at
        assert latency < NEW_DATA_WITHIN_S

        # a failing ETL leaves the app serving the data it has
        before = sha256(db_file)
        write_broken_workbook(src)
        failed = subprocess.Popen(etl_command(src, db_file), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, cwd=ROOT)
        while failed.poll() is None:
            for text in reload_all(pages):
                assert all(t in text for t in NEW_TEXT), text[:1500]
        assert failed.returncode == 1 and "Erfunden" in failed.stderr.read()
        for _ in range(2):
            for text in reload_all(pages):
                assert all(t in text for t in NEW_TEXT), text[:1500]
        assert sha256(db_file) == before
        browser.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "live_refresh.json").write_text(json.dumps({
        "sessions": len(pages), "reload_rounds_during_etl": rounds,
        "latency_s_replaced_to_all_sessions_new": round(latency, 2)}, indent=1), encoding="utf-8")


# ------------------------------------------------------------------------------------------- production config
def test_production_config_shows_no_error_details():
    """Visitors never see tracebacks: ``client.showErrorDetails`` is "none" (not "full") in the project's
    config, and Streamlit reads it from there."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    probe = ("import os, sys; os.chdir(sys.argv[1]); from streamlit import config; "
             "config.get_config_options(force_reparse=True); print(config.get_option('client.showErrorDetails'))")
    out = subprocess.run([sys.executable, "-c", probe, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "none", out.stderr[-2000:]
