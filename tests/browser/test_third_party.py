"""No request from a visitor's browser to a third party, and the server's HTTP surface closed where it should be.

- Every page of app.py, opened in headless Chromium and used a little (hover over the charts and maps, open the
  tabs and expanders, switch to the next page through the sidebar), asks only the app's own host: the tab
  icon, the fonts, the icons of the navigation, the charts and the maps come from the app. Every request the
  browser makes is recorded (``page.on("request")``); ``data:`` and ``blob:`` addresses stay in the browser.
- The same on a database built from the markup corpus (``tests/hostile_source.py``: Markdown images and links,
  HTML, plain addresses in every text column): no request to the addresses in the data, and no link, image or
  styled span from the data in the page (the Initiativen page with the initiative's detail view).
- ``/_stcore/metrics`` answers 404 (``monitor.app.serve.close_metrics``), for GET and OPTIONS; the health check
  still answers.
- XSRF protection is on: an upload without the token of the XSRF cookie is refused (403), with it the request
  gets past that check; CORS protection is on: no ``Access-Control-Allow-Origin`` for a foreign origin.
"""
from __future__ import annotations

import http.cookies
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.browser_support import (app_pages, choose_option, new_page, script_rerun, streamlit_server,
                                   wait_until_done, widget)
from tests.conftest import MINIMAL_TODAY
from tests.fixture_db import FIXTURE_TODAY
from tests.hostile_source import make_hostile_source

playwright_api = pytest.importorskip("playwright.sync_api")

TIMEOUT = 60000
PAGES = app_pages()
LOCAL_SCHEMES = ("data", "blob", "about", "chrome-extension")


@pytest.fixture(scope="module")
def server(fixture_db):
    with streamlit_server(fixture_db, {"REGIONALMONITOR_TODAY": FIXTURE_TODAY.isoformat()}) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    from etl.build import build

    base = tmp_path_factory.mktemp("hostile")
    db = base / "hostile.duckdb"
    build(make_hostile_source(base / "src"), db, today=MINIMAL_TODAY)
    with streamlit_server(db, {"REGIONALMONITOR_TODAY": MINIMAL_TODAY.isoformat()}) as url:
        yield url


#: Elements the markup corpus must never produce in the page: a link or image to its addresses, a styled span,
#: bold, LaTeX. (A heading's own anchor, '#' and the heading's words, is Streamlit's and goes nowhere.)
HOSTILE_ELEMENTS = ('a[href*="hostile"]:not([href^="#"]), img[src*="hostile"], img[src="x"], '
                    'span[style*="color:red"], [data-testid="stMarkdownContainer"] strong:text-is("fett"), .katex')


def foreign(requests: list[str], base: str) -> list[str]:
    """The recorded addresses whose scheme and host are not the app's (``data:``/``blob:`` excepted)."""
    own = urlsplit(base)
    out = []
    for url in requests:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        if (parts.scheme.replace("ws", "http"), parts.netloc) != (own.scheme, own.netloc):
            out.append(url)
    return out


def interact(page) -> None:
    """Use the page a little: hover over every chart and map, open every tab and expander."""
    for chart in page.locator('[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]').all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        if box:
            for fx, fy in ((0.5, 0.5), (0.3, 0.6), (0.7, 0.4)):
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
                page.wait_for_timeout(100)
    # (a tab or expander with a key reruns the script when opened; the pause lets that run start)
    for control in (page.get_by_role("tab").all() + page.locator('[data-testid="stExpander"] summary').all()):
        control.click()
        page.wait_for_timeout(300)
        wait_until_done(page, TIMEOUT)


@pytest.mark.parametrize("app_page", PAGES, ids=[p.url_path or "root" for p in PAGES])
def test_page_asks_only_the_app(server, browser, app_page):
    page = new_page(browser)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    try:
        page.goto(app_page.url(server))
        wait_until_done(page, TIMEOUT)
        interact(page)
        icon = page.locator('link[rel~="icon"]').first.get_attribute("href")
        assert icon and not foreign([page.evaluate("(h) => new URL(h, location.href).href", icon)], server), icon
        others = [p for p in PAGES if p.url_path != app_page.url_path and p.url_path]
        if others:  # on to the next page through the sidebar navigation
            with script_rerun(page, TIMEOUT):
                page.locator(f'[data-testid="stSidebarNav"] a[href$="/{others[0].url_path}"]').first.click()
            interact(page)
        page.wait_for_timeout(500)
    finally:
        page.context.close()
    assert requests, "no request recorded"
    assert foreign(requests, server) == []


@pytest.mark.parametrize("app_page", PAGES, ids=[p.url_path or "root" for p in PAGES])
def test_markup_in_data_is_text_in_the_browser(hostile_server, browser, app_page):
    page = new_page(browser)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(app_page.url(hostile_server) + "?von=2024-01-01&bis=2026-12-31")
        wait_until_done(page, TIMEOUT)
        if app_page.file == "pages/initiativen.py":  # the detail view of the initiative
            with script_rerun(page, TIMEOUT):
                choose_option(page, widget(page, "stSelectbox", "Initiative wählen"), re.compile(r"^\s*I-001 "),
                              search="I-001")
            assert page.get_by_text("Ansprechperson").count() > 0
        interact(page)
        assert page.get_by_text("fett", exact=False).count() > 0, "the payload does not reach the page"
        found = page.locator(HOSTILE_ELEMENTS)
        assert found.count() == 0, found.first.evaluate("e => e.outerHTML")
    finally:
        page.context.close()
    assert foreign(requests, hostile_server) == []


def _request(url: str, method: str = "GET", headers: dict | None = None):
    """(status, headers) of one HTTP request; error statuses are answers too."""
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=b"" if method == "PUT" else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


def test_metrics_endpoint_is_closed(server):
    assert _request(server + "/_stcore/health")[0] == 200
    for method in ("GET", "OPTIONS"):
        status, _ = _request(server + "/_stcore/metrics", method)
        assert status in (403, 404), (method, status)
    status, headers = _request(server + "/_stcore/metrics", headers={"Accept": "application/x-protobuf"})
    assert status in (403, 404)


def test_xsrf_and_cors_protection(server):
    status, headers = _request(server + "/_stcore/health", headers={"Origin": "https://fremd.example"})
    assert status == 200
    assert "Access-Control-Allow-Origin" not in headers  # CORS protection: no answer for a foreign origin
    cookie = http.cookies.SimpleCookie()
    for line in headers.get_all("Set-Cookie") or []:
        cookie.load(line)
    assert "_streamlit_xsrf" in cookie, "XSRF protection is off: no XSRF cookie"
    token = cookie["_streamlit_xsrf"].value
    upload = server + "/_stcore/upload_file/keine-sitzung/keine-datei"
    assert _request(upload, "PUT")[0] == 403  # no token
    assert _request(upload, "PUT", {"Cookie": f"_streamlit_xsrf={token}", "X-Xsrftoken": "falsch"})[0] == 403
    # with the right token the request passes the XSRF check and fails only on the unknown session
    assert _request(upload, "PUT", {"Cookie": f"_streamlit_xsrf={token}", "X-Xsrftoken": token})[0] == 400
