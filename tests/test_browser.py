"""Real-browser tests: every page in headless Debian Chromium against the fixture database.

Each page must finish its script run, show no ``stException`` and no JavaScript error, and show its charts
(``stPlotlyChart``) and maps (``stDeckGlJsonChart``). Screenshots go to tests/artifacts/ (git-ignored).
"""
from __future__ import annotations

import pytest

from tests.browser_support import ARTIFACTS, launch_browser, streamlit_server, wait_until_done
from tests.fixture_db import FIXTURE_TODAY

playwright_api = pytest.importorskip("playwright.sync_api")

# url path -> (title, minimum plotly charts, minimum deck.gl maps, minimum data tables)
# (the default page lives at the root URL; its url_path is not a valid address of its own)
PAGES = {
    "": ("Überblick", 2, 0, 0),
    "themenfelder": ("Themen", 2, 0, 1),
    "gemeindeprofile": ("Gemeinden", 2, 1, 0),
    "portfolio": ("Initiativen", 0, 0, 1),
    "landkarte": ("Karte", 0, 1, 0),
    "netzwerk": ("Akteure", 2, 0, 1),
    "datenquellen": ("Daten", 0, 0, 3),
}


@pytest.fixture(scope="module")
def server(fixture_db):
    with streamlit_server(fixture_db, {"REGIONALMONITOR_TODAY": FIXTURE_TODAY.isoformat()}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = launch_browser(p)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="de-DE")
    pg = context.new_page()
    pg.js_errors = []
    pg.dialogs = []
    pg.on("pageerror", lambda exc: pg.js_errors.append(str(exc)))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def count(page, testid: str) -> int:
    return page.locator(f'[data-testid="{testid}"]').count()


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders_without_errors(server, page, path):
    title, plots, maps, tables = PAGES[path]
    page.goto(f"{server}/{path}")
    wait_until_done(page)
    if plots:
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=20000)
    if maps:
        page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=20000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page-{path or 'start'}.png"), full_page=True)
    assert count(page, "stException") == 0, page.locator('[data-testid="stException"]').first.inner_text()
    assert page.js_errors == []
    assert page.dialogs == []
    assert count(page, "stPlotlyChart") >= plots
    assert count(page, "stDeckGlJsonChart") >= maps
    assert count(page, "stDataFrame") + count(page, "stTable") >= tables
    assert "Beispieldaten" in page.inner_text("body")
    assert page.title().startswith(title) or title in page.inner_text('[data-testid="stSidebarNav"]')


def test_markup_in_titles_is_shown_as_text_and_runs_nothing(server, page):
    page.goto(f"{server}/portfolio")
    wait_until_done(page)
    page.wait_for_timeout(500)
    assert page.dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("iframe[srcdoc]").count() == 0
