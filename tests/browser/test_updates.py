"""Daten aktualisieren in a real browser (issue #17, "Proof"): the app on a real Streamlit server over its own copy of
a database built by ``python -m etl`` from the minimal source (tests/minimal_source.py), Debian's Chromium through
Playwright, local mode (the Kompetenzstelle).

- a valid workbook: upload → check (progress) → preview → publish; an Überblick open in a second browser
  context shows the new figure on its next run, without a restart;
- an invalid workbook: the error table, the marked workbook downloadable (the faulty cell commented), the live
  database byte-identical;
- rollback of a published version from the tab "Versionen";
- two contexts check, one publishes, the other's publish is refused with the conflict message.

Screenshots go to tests/artifacts/updates-*.png.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from monitor.core import format as fmt
from tests.browser_support import ARTIFACTS, ROOT, new_page, streamlit_server, wait_until_done
from tests.minimal_source import initiative_row, make_minimal_source, make_workbook

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
TIMEOUT = 90000
expect.set_options(timeout=TIMEOUT)

TODAY = dt.date(2026, 11, 24)
BAD_STATUS = "Erfunden"
OLD_GRANT, NEW_GRANT = 80000, 95000  # "Fördermittel bewilligt €" of I-001 in the minimal workbook, and after
NEW_TITLE = "Rufbus Boxberg und Umland"


@pytest.fixture
def live(tmp_path):
    """A database built by the command-line ETL from a fresh minimal source in its own folder; yields its Path."""
    src = make_minimal_source(tmp_path / "src")
    db = tmp_path / "live" / "monitor.duckdb"
    db.parent.mkdir()
    done = subprocess.run([sys.executable, "-m", "etl", "--source", str(src), "--db", str(db), "--quiet",
                           "--today", TODAY.isoformat()], capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def server(live):
    with streamlit_server(live, {"REGIONALMONITOR_TODAY": TODAY.isoformat(),
                                 "REGIONALMONITOR_AUDIT_LOG": str(live.parent / "audit.jsonl")}) as url:
        yield url


def workbook(tmp_path: Path, name: str, **kwargs) -> Path:
    path = tmp_path / "uploads" / name
    path.parent.mkdir(exist_ok=True)
    make_workbook(path, **kwargs)
    return path


def valid_workbook(tmp_path: Path, name: str = "portfolio.xlsx", title: str = NEW_TITLE) -> Path:
    row = initiative_row(title=title, **{"Fördermittel bewilligt €": NEW_GRANT})
    return workbook(tmp_path, name, initiatives=[row])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def live_title(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select title from initiative where initiative_id = 'I-001'").fetchone()[0]


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"updates-{name}.png"), full_page=True)


def assert_clean(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, \
        page.locator('[data-testid="stException"]').first.inner_text()
    assert page.js_errors == []


def open_updates(browser, url: str):
    """A new session on Daten with the tab "Daten aktualisieren" open."""
    page = new_page(browser)
    page.goto(f"{url}/datenquellen")
    wait_until_done(page, TIMEOUT)
    page.get_by_role("tab", name="Daten aktualisieren").click()
    return page


def button(page, text: str):
    return page.get_by_role("button", name=re.compile(rf"^\W*{re.escape(text)}"))


#: Seconds from the click on "Prüfen" to the result on the page, per check (measured, not asserted).
CHECK_SECONDS: list[float] = []


def upload_and_check(page, *files: Path) -> None:
    """Put ``files`` into the uploader, start the check and wait for its result."""
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files([str(f) for f in files])
    expect(page.locator('[data-testid="stFileChip"]')).to_have_count(len(files))
    wait_until_done(page, TIMEOUT)
    t0 = time.monotonic()
    button(page, "Prüfen").click()
    expect(page.get_by_text(re.compile(r"Geprüft: keine Fehler|Fehler gefunden"))).to_be_visible()
    CHECK_SECONDS.append(round(time.monotonic() - t0, 2))
    wait_until_done(page, TIMEOUT)
    assert_clean(page)


@pytest.fixture(scope="module", autouse=True)
def check_timing():
    """Write the measured check times to tests/artifacts/updates_timing.json after the module."""
    yield
    if CHECK_SECONDS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "updates_timing.json").write_text(json.dumps({
            "what": "click on Prüfen -> result shown (minimal source, browser, 0.5 s progress refresh)",
            "seconds": CHECK_SECONDS, "median": statistics.median(CHECK_SECONDS)}, indent=1), encoding="utf-8")


PUBLISHED = re.compile(r"Version \S+ ist jetzt aktiv")
CONFLICT = "Veröffentlicht wurde nichts"


def publish(page, then: str | re.Pattern = PUBLISHED) -> None:
    """Click "Veröffentlichen …", confirm, and wait for the text ``then`` (the success message)."""
    button(page, "Veröffentlichen").click()
    button(page, "Ja, jetzt veröffentlichen").click()
    expect(page.get_by_text(then)).to_be_visible()
    wait_until_done(page, TIMEOUT)


def metric_value(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    ).locator('[data-testid="stMetricValue"]')


def test_valid_workbook_is_published_and_shown_in_another_session(browser, server, live, tmp_path):
    viewer = new_page(browser)
    viewer.goto(server)
    wait_until_done(viewer, TIMEOUT)
    expect(metric_value(viewer, "Fördermittel bewilligt")).to_have_text(fmt.eur_compact(OLD_GRANT))

    office = open_updates(browser, server)
    upload_and_check(office, valid_workbook(tmp_path))
    expect(office.get_by_text("Noch ist nichts veröffentlicht", exact=False)).to_be_visible()
    expect(office.get_by_text(re.compile(r"^Initiativen geändert \(1\)$"))).to_be_visible()
    screenshot(office, "preview")
    assert live_title(live) != NEW_TITLE  # nothing is live before publishing
    publish(office)
    screenshot(office, "published")
    assert live_title(live) == NEW_TITLE

    # the session opened before the publish shows the new figure on its next run (same session, no restart)
    viewer.locator('[data-testid="stSidebarNav"] a').filter(has_text="Überblick").first.click()
    expect(metric_value(viewer, "Fördermittel bewilligt")).to_have_text(fmt.eur_compact(NEW_GRANT))
    screenshot(viewer, "overview-after-publish")
    assert_clean(viewer)
    office.context.close()
    viewer.context.close()


def test_invalid_workbook_shows_errors_and_the_marked_copy(browser, server, live, tmp_path):
    from openpyxl import load_workbook

    before = sha256(live)
    office = open_updates(browser, server)
    upload_and_check(office, workbook(tmp_path, "portfolio.xlsx", status=BAD_STATUS))
    expect(office.get_by_text("Fehler gefunden", exact=False)).to_be_visible()
    expect(office.locator('[data-testid="stDataFrame"]').filter(has_text="Hinweis").first).to_be_visible()
    assert button(office, "Veröffentlichen").count() == 0
    screenshot(office, "errors")
    with office.expect_download(timeout=TIMEOUT) as info:
        office.get_by_role("button", name=re.compile("Arbeitsmappe mit markierten Fehlern")).click()
    target = ARTIFACTS / "downloads" / info.value.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    info.value.save_as(target)
    sheet = load_workbook(target)["Initiativen"]
    status = [c.value for c in sheet[1]].index("Status") + 1
    cell = sheet.cell(row=2, column=status)
    assert cell.value == BAD_STATUS and cell.comment is not None
    assert sha256(live) == before
    assert_clean(office)
    office.context.close()


def test_rollback_from_the_versions_tab(browser, server, live, tmp_path):
    first_title = live_title(live)
    office = open_updates(browser, server)
    upload_and_check(office, valid_workbook(tmp_path))
    publish(office)
    assert live_title(live) == NEW_TITLE
    office.get_by_role("tab", name="Versionen").click()
    box = office.locator('[data-testid="stSelectbox"]').filter(has_text="Version")
    box.click()
    office.get_by_role("option").first.click()
    wait_until_done(office, TIMEOUT)
    button(office, "Diese Version wiederherstellen").click()
    button(office, "Ja, wiederherstellen").click()
    expect(office.get_by_text(re.compile(r"Version \S+ ist wieder aktiv"))).to_be_visible()
    screenshot(office, "rollback")
    assert live_title(live) == first_title
    assert_clean(office)
    office.context.close()


def test_second_publish_is_refused_with_the_conflict_message(browser, server, live, tmp_path):
    first, second = open_updates(browser, server), open_updates(browser, server)
    upload_and_check(first, valid_workbook(tmp_path, "a.xlsx"))
    upload_and_check(second, valid_workbook(tmp_path, "b.xlsx", title="Rufbus Boxberg Nord"))
    publish(first)
    assert live_title(live) == NEW_TITLE
    publish(second, then=re.compile(CONFLICT))
    screenshot(second, "conflict")
    assert live_title(live) == NEW_TITLE
    button(second, "Erneut prüfen").click()
    expect(second.get_by_text("Geprüft: keine Fehler", exact=False)).to_be_visible()
    assert_clean(second)
    # the refused publish is in the run log, its error expandable
    second.get_by_role("tab", name="Importläufe").click()
    refused = second.get_by_text(re.compile(r"^Veröffentlichung vom .*: 1 Fehler$"))
    expect(refused).to_be_visible()
    refused.click()
    expect(second.get_by_text(re.compile(r"andere Version veröffentlicht")).last).to_be_attached()
    screenshot(second, "runs")
    first.context.close()
    second.context.close()


def test_new_statistics_export_gets_the_declaration_form(browser, server, live, tmp_path):
    from tests.minimal_source import FF_HEADER, MUNIS, ff_row, write_ffcsv

    export = tmp_path / "uploads" / "dichte.csv"
    export.parent.mkdir(exist_ok=True)
    write_ffcsv(export, [FF_HEADER] + [ff_row(ags, "GEMEIN", year, round(pop / 100), var="BEVDICHT")
                                       for year in (2023, 2024) for ags, _, pop in MUNIS])
    office = open_updates(browser, server)
    office.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files([str(export)])
    expect(office.get_by_text("Neuer Statistik-Export: dichte.csv", exact=False)).to_be_visible()
    expect(office.get_by_text(re.compile(r"GENESIS-Flatfile.*Statistik 12411"))).to_be_visible()
    for label in ("Titel der Quelle", "Herkunft", "Stand (Stichtag)", "Lizenz"):
        expect(office.get_by_label(label, exact=True).first).to_be_attached()
    expect(office.locator('[data-testid="stDataFrame"]').filter(has_text="Kennung").first).to_be_visible()
    wait_until_done(office, TIMEOUT)
    screenshot(office, "declaration-form")
    assert_clean(office)
    office.context.close()
