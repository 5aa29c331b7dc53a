"""Real-browser tests: every page in headless Debian Chromium against the fixture database.

- Each page finishes its script run, shows no ``stException`` and no JavaScript error, and shows its charts
  (``stPlotlyChart``) and maps (``stDeckGlJsonChart``). Screenshots go to tests/artifacts/ (git-ignored).
- A sidebar filter changed by clicking changes the numbers shown; the page's URL, opened in a new browser
  session, reproduces the view, also after switching pages through the sidebar navigation.
- Initiative titles with markup are shown as text and run nothing.
- The downloads of the Initiativen page (CSV, Excel) and the report PDF (when the Bericht page exists) are
  valid files without contact data.

One Streamlit server and one browser serve the whole module; every test gets its own browser context
(= its own Streamlit session). Expected numbers come from tests/fixture_db.py.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from monitor.core import format as fmt
from monitor.core.vocab import SAMPLE_DATA_NOTE, THEME_BY_ID
from tests.browser_support import (ARTIFACTS, ROOT, app_pages, choose_option, close_dropdown, finished_runs,
                                   new_page, page_shown_js, script_rerun, streamlit_server,
                                   wait_until_done, widget)
from tests.fixture_db import DEFAULT_FROM, FIXTURE_TODAY, INITIATIVE, INITIATIVES, initiatives_where

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
expect.set_options(timeout=20000)

# url path -> (title, minimum plotly charts, minimum deck.gl maps, minimum data tables)
# (the default page lives at the root URL; its url_path is not a valid address of its own)
PAGES = {
    "": ("Überblick", 2, 0, 0),
    "neuigkeiten": ("Neuigkeiten", 0, 0, 1),
    "themenfelder": ("Themen", 2, 0, 1),
    "gemeindeprofile": ("Gemeinden", 2, 1, 0),
    "portfolio": ("Initiativen", 0, 0, 1),
    "landkarte": ("Karte", 0, 1, 0),
    "netzwerk": ("Akteure", 2, 0, 1),
    "datenquellen": ("Daten", 0, 0, 3),
    "berichte": ("Bericht", 0, 0, 1),
}
REPORT_FILE = "pages/bericht.py"
REGISTERED = {p.file: p for p in app_pages()}
#: Pages app.py registers that have no expectations above are still checked (errors, finish, screenshot).
OTHER_PAGES = [p.url_path for p in REGISTERED.values() if p.url_path not in PAGES]
SIDEBAR = '[data-testid="stSidebar"]'
MARKUP_TITLES = [i["initiative_id"] for i in INITIATIVES if "<" in i["title"]]
TIMEOUT = 30000


def report_page():
    """The Bericht page of app.py, or skip with the reason it is not there (yet)."""
    if not (ROOT / REPORT_FILE).exists():
        pytest.skip(f"{REPORT_FILE} does not exist yet")
    if REPORT_FILE not in REGISTERED:
        pytest.skip(f"{REPORT_FILE} exists but app.py does not register it in st.navigation yet")
    return REGISTERED[REPORT_FILE]


def start_server(fixture_db):
    return streamlit_server(fixture_db, {"REGIONALMONITOR_TODAY": FIXTURE_TODAY.isoformat()})


@pytest.fixture(scope="module")
def server(fixture_db):
    with start_server(fixture_db) as url:
        yield url


@pytest.fixture()
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()


@pytest.fixture()
def open_page(browser):
    """Opens further pages, each in its own new browser context (a new session), closed after the test."""
    opened = []

    def _open(url: str):
        pg = new_page(browser)
        opened.append(pg)
        pg.goto(url)
        wait_until_done(pg, TIMEOUT)
        return pg

    yield _open
    for pg in opened:
        pg.context.close()


def count(page, testid: str) -> int:
    return page.locator(f'[data-testid="{testid}"]').count()


def assert_clean(page) -> None:
    """No Streamlit exception box, no uncaught JavaScript error, no browser dialog, no modal dialog."""
    assert count(page, "stException") == 0, page.locator('[data-testid="stException"]').first.inner_text()
    assert page.js_errors == []
    assert page.dialogs == []
    assert page.get_by_role("dialog").all_inner_texts() == []


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def metric_value(page, label: str):
    """Locator of the value of the st.metric labelled ``label``."""
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    ).locator('[data-testid="stMetricValue"]')


def theme_box(page):
    return widget(page, "stMultiSelect", "Thema", SIDEBAR)


def portfolio_summary(page, n: int):
    """Locator of the Initiativen page's count line when it reads ``n`` initiatives."""
    return page.locator('[data-testid="stMarkdownContainer"] p').filter(
        has_text=re.compile(rf"^{re.escape(fmt.number(n))} Initiativen ·"))


# ---------------------------------------------------------------- every page
@pytest.mark.parametrize("path", [*PAGES, *OTHER_PAGES, *([] if REPORT_FILE in REGISTERED else ["(bericht)"])])
def test_page_renders_without_errors(server, page, path):
    if path == "(bericht)":
        path = report_page().url_path
    title, plots, maps, tables = PAGES.get(path, (None, 0, 0, 0))
    page.goto(f"{server}/{path}")
    wait_until_done(page, TIMEOUT)
    if plots:
        expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').nth(plots - 1)).to_be_attached()
    if maps:
        expect(page.locator('[data-testid="stDeckGlJsonChart"] canvas').nth(maps - 1)).to_be_attached()
    screenshot(page, f"page-{path or 'start'}")
    assert_clean(page)
    assert count(page, "stPlotlyChart") >= plots
    assert count(page, "stDeckGlJsonChart") >= maps
    assert count(page, "stDataFrame") + count(page, "stTable") >= tables
    assert "Beispieldaten" in page.inner_text("body")
    if title:
        current = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
        expect(current).to_have_text(re.compile(rf"{re.escape(title)}\s*$"))
        # the benchmarks' "this page has run" condition sees this page's title and no other
        assert page.evaluate(page_shown_js(title)) is True
        others = [t for t, *_ in PAGES.values() if t and t != title]
        assert not any(page.evaluate(page_shown_js(t)) for t in others)


# ---------------------------------------------------------------- the run counter of the waits
def test_run_counter_counts_each_finished_run_once_by_both_sources(server, page):
    """RUNS_JS: the script state's changes to notRunning and the server's "script finished" messages agree on
    the first run and on a rerun; no other message is taken for one (the waits would return too early)."""
    page.goto(f"{server}/datenquellen")
    wait_until_done(page, TIMEOUT, runs=1)
    page.wait_for_timeout(300)  # the message count moves a frame after the message
    assert page.evaluate("[window.__rmRuns, window.__rmFinishedMsgs]") == [1, 1]
    with script_rerun(page, TIMEOUT):
        choose_option(page, theme_box(page), THEME_BY_ID["tourism"].name_de)
    close_dropdown(page)
    page.wait_for_timeout(300)
    runs, messages = page.evaluate("[window.__rmRuns, window.__rmFinishedMsgs]")
    assert messages == 2 and runs <= 2  # the state may have missed the short run, the messages may not
    assert finished_runs(page) == 2


# ---------------------------------------------------------------- filters and shareable URLs
def test_theme_filter_changes_numbers_and_the_url_reproduces_the_view(server, page, open_page):
    theme = THEME_BY_ID["mobility"]
    all_rows, theme_rows = initiatives_where(), initiatives_where(themes=(theme.theme_id,))
    assert len(theme_rows) != len(all_rows)  # else the test could not see the filter

    page.goto(server)
    wait_until_done(page, TIMEOUT)
    expect(metric_value(page, "Initiativen")).to_have_text(fmt.number(len(all_rows)))
    with script_rerun(page, TIMEOUT):
        choose_option(page, theme_box(page), theme.name_de)
    close_dropdown(page)
    expect(metric_value(page, "Initiativen")).to_have_text(fmt.number(len(theme_rows)))
    expect(theme_box(page)).to_contain_text(theme.name_de)
    assert "thema=" in page.url
    assert_clean(page)

    # The link opened in a new session shows the same view.
    shared = open_page(page.url)
    expect(metric_value(shared, "Initiativen")).to_have_text(fmt.number(len(theme_rows)))
    expect(theme_box(shared)).to_contain_text(theme.name_de)
    assert_clean(shared)

    # Switch page through the sidebar navigation: the filter stays, in the view and in the URL.
    with script_rerun(page, TIMEOUT):
        page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="Initiativen").click()
    expect(portfolio_summary(page, len(theme_rows))).to_be_visible()
    assert "/portfolio" in page.url and "thema=" in page.url
    screenshot(page, "filter-portfolio-mobility")
    shared = open_page(page.url)
    expect(portfolio_summary(shared, len(theme_rows))).to_be_visible()
    expect(theme_box(shared)).to_contain_text(theme.name_de)
    assert_clean(shared)

    # Without the parameter, the same page shows all initiatives again.
    plain = open_page(page.url.split("?")[0])
    expect(portfolio_summary(plain, len(all_rows))).to_be_visible()


def test_start_address_opens_the_overview_without_a_dialog(server, page):
    # /start is the Überblick's advertised address; Streamlit serves the default page only at the root URL.
    theme = THEME_BY_ID["mobility"]
    page.goto(f"{server}/start?thema={theme.name_de}")
    wait_until_done(page, TIMEOUT)
    expect(page.locator("h1").first).to_have_text(re.compile(r"^\s*Überblick"))
    current = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
    expect(current).to_have_text(re.compile(r"Überblick\s*$"))
    expect(metric_value(page, "Initiativen")).to_have_text(fmt.number(len(initiatives_where(themes=(theme.theme_id,)))))
    assert "Page not found" not in page.inner_text("body")
    assert_clean(page)


def test_overview_links_to_the_whole_feed(server, page):
    """'Alle Ereignisse: Neuigkeiten' on Überblick opens the feed from the Überblick's period start, with the
    sidebar's filter kept (in the view and the URL)."""
    theme = THEME_BY_ID["mobility"]
    page.goto(f"{server}/?thema={theme.name_de}")
    wait_until_done(page, TIMEOUT)
    with script_rerun(page, TIMEOUT):
        page.get_by_role("link", name="Alle Ereignisse: Neuigkeiten").click()
    expect(page.locator("h1").first).to_have_text(re.compile(r"^\s*Neuigkeiten"))
    expect(page.get_by_text(f"Vom {fmt.date(DEFAULT_FROM)} bis heute")).to_be_visible()
    expect(theme_box(page)).to_contain_text(theme.name_de)
    assert "/neuigkeiten" in page.url and "thema=" in page.url
    assert_clean(page)


# The app is started by monitor.app.serve (as `make run` does), which keeps Streamlit from treating pages/ as an
# old-style multipage app on the first request of a process.
def test_shared_link_right_after_a_server_start(fixture_db, browser):
    theme = THEME_BY_ID["tourism"]
    with start_server(fixture_db) as url:
        pg = new_page(browser)
        try:
            pg.goto(f"{url}/portfolio?thema={theme.name_de}")
            wait_until_done(pg, TIMEOUT)
            expect(portfolio_summary(pg, len(initiatives_where(themes=(theme.theme_id,))))).to_be_visible()
            expect(theme_box(pg)).to_contain_text(theme.name_de)
            assert_clean(pg)
        finally:
            pg.context.close()


# ---------------------------------------------------------------- markup in titles
@pytest.mark.parametrize("initiative_id", MARKUP_TITLES)
def test_markup_in_titles_is_shown_as_text_and_runs_nothing(server, page, initiative_id):
    title = INITIATIVE[initiative_id]["title"]
    page.goto(f"{server}/portfolio")
    wait_until_done(page, TIMEOUT)
    page_title = page.title()
    with script_rerun(page, TIMEOUT):
        choose_option(page, widget(page, "stSelectbox", "Initiative wählen"),
                      re.compile(rf"^\s*{re.escape(initiative_id)} "), search=initiative_id)
    heading = page.get_by_role("heading", name=f"{initiative_id} – {title}", exact=True)
    expect(heading).to_be_visible()
    chosen = widget(page, "stSelectbox", "Initiative wählen").locator("input")
    expect(chosen).to_have_value(f"{initiative_id} – {title}")
    page.wait_for_timeout(500)  # time for an injected handler to fire, if one were there
    screenshot(page, f"markup-{initiative_id}")
    assert_clean(page)
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("iframe[srcdoc]").count() == 0
    assert page.locator("script:not([src])").filter(has_text="pwned").count() == 0
    assert page.title() == page_title
    assert page.evaluate("document.title") != "pwned"


# ---------------------------------------------------------------- downloads
def download(page, button_text: str) -> Path:
    """Click the download button labelled ``button_text``; the downloaded file's path."""
    button = page.locator('[data-testid="stDownloadButton"] button').filter(has_text=button_text)
    with page.expect_download(timeout=TIMEOUT) as info:
        button.click()
    dl = info.value
    assert dl.failure() is None
    target = ARTIFACTS / "downloads" / dl.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    dl.save_as(target)
    return target


def contact_values() -> set[str]:
    return {i[k] for i in INITIATIVES for k in ("contact_name", "contact_email", "contact_phone")}


def test_portfolio_downloads_are_valid_files_without_contact_data(server, page):
    from openpyxl import load_workbook

    expected_ids = sorted(i["initiative_id"] for i in initiatives_where() if i["is_public"])
    formula_id = next(i["initiative_id"] for i in INITIATIVES if i["title"].startswith("="))
    assert formula_id in expected_ids
    page.goto(f"{server}/portfolio")
    wait_until_done(page, TIMEOUT)

    csv_path = download(page, "CSV")
    assert csv_path.suffix == ".csv"
    text = csv_path.read_bytes().decode("utf-8-sig")
    title, table = text.split("\r\n", 1)  # the fixture is sample data: flagged in a line above the header
    assert title == SAMPLE_DATA_NOTE
    rows = list(csv.DictReader(io.StringIO(table), delimiter=";"))
    assert sorted(r["ID"] for r in rows) == expected_ids
    by_id = {r["ID"]: r for r in rows}
    assert by_id[formula_id]["Titel"] == "'" + INITIATIVE[formula_id]["title"]  # formula neutralised
    assert all(by_id[i]["Titel"] == INITIATIVE[i]["title"] for i in MARKUP_TITLES if i in by_id)
    assert not any(v in text for v in contact_values())
    assert "@" not in text

    xlsx_path = download(page, "Excel")
    assert xlsx_path.suffix == ".xlsx"
    ws = load_workbook(xlsx_path).active
    assert ws["A1"].value == SAMPLE_DATA_NOTE
    header_row = next(r for r in ws.iter_rows() if r[0].value == "ID")[0].row
    header = [c.value for c in ws[header_row]]
    body = list(ws.iter_rows(min_row=header_row + 1))
    id_col, title_col = header.index("ID"), header.index("Titel")
    assert sorted(r[id_col].value for r in body) == expected_ids
    formula_cell = next(r[title_col] for r in body if r[id_col].value == formula_id)
    assert formula_cell.data_type == "s" and formula_cell.value == INITIATIVE[formula_id]["title"]
    cells = [str(c.value) for r in ws.iter_rows() for c in r if c.value is not None]
    assert not contact_values() & set(cells)
    assert not any("@" in c for c in cells)
    assert_clean(page)


def test_a_table_of_a_page_downloads_with_its_provenance(server, page):
    page.goto(f"{server}/")
    wait_until_done(page, TIMEOUT)
    popovers = page.locator('[data-testid="stPopover"] button').filter(has_text="Tabelle herunterladen")
    assert popovers.count() >= 2  # the attention tables and the events
    popovers.first.click()  # under the overdue milestones (the first tab)
    text = download(page, "CSV").read_bytes().decode("utf-8-sig")
    head = text.split("\r\n\r\n", 1)[0]
    assert head.startswith("Überfällige Meilensteine") and "Quelle: " in head and "Stand: " in head
    assert SAMPLE_DATA_NOTE.split(":")[0] in head or "Beispieldaten" in head
    assert not any(v in text for v in contact_values())
    page.keyboard.press("Escape")  # the popover is a dialog while open
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert_clean(page)


def test_report_pdf_download_is_a_valid_pdf(server, page):
    bericht = report_page()
    pypdf = pytest.importorskip("pypdf")
    page.goto(bericht.url(server))
    wait_until_done(page, TIMEOUT)
    pdf_button = page.locator('[data-testid="stDownloadButton"] button').filter(has_text=re.compile("PDF", re.I))
    if pdf_button.count() == 0:  # the report may have to be created first
        create = page.locator('[data-testid="stButton"] button').filter(has_text=re.compile("PDF|Bericht", re.I))
        assert create.count() > 0, "Bericht-Seite ohne PDF-Download und ohne Knopf zum Erstellen"
        with script_rerun(page, 120000):
            create.first.click()
    expect(pdf_button.first).to_be_visible(timeout=120000)
    with page.expect_download(timeout=120000) as info:
        pdf_button.first.click()
    target = ARTIFACTS / "downloads" / info.value.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    reader = pypdf.PdfReader(str(target))
    assert len(reader.pages) >= 1
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    assert not any(v in text for v in contact_values())
    screenshot(page, "bericht-download")
    assert_clean(page)
