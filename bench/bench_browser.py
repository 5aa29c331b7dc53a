"""Browser time to a finished page: headless Debian Chromium against a Streamlit server on a database.

    python bench/bench_browser.py [--db data/monitor.duckdb] [--runs 3] [--warm 2] [--pages portfolio landkarte]

"Finished" is tests/browser_support.FINISHED_JS: connected, script run over, no lazy placeholders left, every
plotly chart drawn (SVG) and every deck.gl map drawn (canvas). Per page and run a *fresh server* is started:

- *kalt*: the first visit of the page on that server (new process: empty caches, first imports) from a fresh
  browser context (empty HTTP cache: all of Streamlit's JavaScript is loaded), from ``page.goto`` to finished;
- *warm*: ``--warm`` further visits on the same server, each in a new tab of that browser context: a new
  Streamlit session, with the server's query caches and the browser's HTTP cache warm (a returning user);
- *Seitenwechsel*: in the last warm session, first another page is opened through the sidebar navigation,
  then this page again, from the click on its link to finished: how a user moves through the app (the tab has
  Streamlit's JavaScript and the plotly and deck.gl components loaded; a new script run, new elements drawn);
- *Filter*: in the last warm session a theme is picked in the sidebar's ``Thema`` (run r picks theme r, so the
  filtered queries miss the cache), from the click on the option to finished.

Then the same for the reference pages of bench/floor_app.py (an empty Streamlit page, one plotly chart, one
pydeck map; no filter): Streamlit's own cost on this machine, the floor under every page of the app.

Every figure is the median over the runs. Timing lives here, never in the tests.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.core.vocab import THEMES  # noqa: E402
from tests.browser_support import (RUNS_JS, STATE_JS, AppPage, app_pages, close_dropdown, launch_browser,  # noqa: E402
                                   new_page, page_shown_js, streamlit_server, wait_until_done, widget)

TIMEOUT_MS = 180_000
#: Reference pages (bench/floor_app.py, not the app): Streamlit's own cost on this machine, measured alike.
FLOOR_APP = ROOT / "bench" / "floor_app.py"
REFERENCES = [AppPage("bench/floor_app.py", "Streamlit: leere Seite", "?inhalt=leer"),
              AppPage("bench/floor_app.py", "Streamlit: eine Plotly-Grafik", "?inhalt=plotly"),
              AppPage("bench/floor_app.py", "Streamlit: eine pydeck-Karte", "?inhalt=karte"),
              AppPage("bench/floor_app.py", "Streamlit: Elemente einer App-Seite ohne Daten", "?inhalt=seite")]


def row_name(app_page: AppPage) -> str:
    """The key of a page's row: the page file's stem, for a reference page ``vergleich_<inhalt>``."""
    if app_page.file == "bench/floor_app.py":
        return "vergleich_" + app_page.url_path.rsplit("=", 1)[-1]
    return Path(app_page.file).stem


def _visit(url: str, opened: list, browser=None, context=None) -> tuple[float, float, object]:
    """Open ``url`` in a new session — in a new browser context of ``browser``, or in a new tab of ``context`` —:
    seconds from goto to finished, seconds from navigation start to the end of the last script run (the
    server's share, as the browser sees it), and the page (also appended to ``opened``; the caller closes it)."""
    page = context.new_page() if context is not None else new_page(browser)
    opened.append(page)
    t = time.perf_counter()
    page.goto(url, timeout=TIMEOUT_MS)
    wait_until_done(page, TIMEOUT_MS)
    seconds = time.perf_counter() - t
    script_done = page.evaluate("window.__rmFinishedAt || 0") / 1000
    return seconds, script_done, page


def _nav_click(page, title: str) -> None:
    """Click the sidebar navigation link named ``title`` and wait until that page is finished."""
    before = page.evaluate(RUNS_JS)
    # the link holds the icon (its name as text) and the title in an element of its own
    link = page.locator('[data-testid="stSidebarNavLink"]').filter(has=page.get_by_text(title, exact=True))
    link.first.click(timeout=30_000)
    # a new run seen by the run counter, or the page's title on screen (a very short run may not be seen)
    page.wait_for_function(f"() => {RUNS_JS} > {before} || ({page_shown_js(title)})()",
                           timeout=TIMEOUT_MS)
    wait_until_done(page, TIMEOUT_MS)


def _page_switch(page, app_page: AppPage) -> float:
    """Seconds from clicking ``app_page``'s link in the sidebar navigation, coming from another page of the
    same session (Daten; from Daten: Initiativen), to the finished page."""
    away = "Initiativen" if app_page.title == "Daten" else "Daten"
    _nav_click(page, away)
    t = time.perf_counter()
    _nav_click(page, app_page.title)
    return time.perf_counter() - t


def _filter_change(page, theme_name: str) -> float:
    """Seconds from clicking ``theme_name`` in the sidebar's Thema list to the finished page."""
    box = widget(page, "stMultiSelect", "Thema", '[data-testid="stSidebar"]')
    box.locator("input").click()
    option = page.get_by_role("option").filter(has_text=theme_name).first
    option.wait_for(state="visible", timeout=TIMEOUT_MS)
    before = page.evaluate(RUNS_JS)
    t = time.perf_counter()
    option.click()
    wait_until_done(page, TIMEOUT_MS, runs=before + 1)
    seconds = time.perf_counter() - t
    close_dropdown(page)
    return seconds


def _median_ms(values: list[float]) -> float | None:
    return statistics.median(values) * 1000 if values else None


def _server_answers(base: str) -> bool:
    """True when the server's health endpoint answers within 5 s."""
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def _one_run(browser, db: Path, env: dict | None, app_page: AppPage, warm: int, theme_name: str | None,
             script: Path | None = None) -> dict:
    """One fresh server (of app.py, or of ``script``): a cold visit, ``warm`` warm visits, for app pages a page
    switch in the last one, and a filter change (seconds; none without ``theme_name``).

    On a failure the exception message says what the page was still missing and whether the server still
    answered; then the server is sent SIGABRT, so that Python's fault handler (``PYTHONFAULTHANDLER``) writes
    the stacks of all its threads into its log, which is kept in tests/artifacts/ (named in the message)."""
    opened = []
    try:
        with streamlit_server(db, {**(env or {}), "PYTHONFAULTHANDLER": "1"}, script=script) as base:
            try:
                url = app_page.url(base)
                cold, cold_script, first = _visit(url, opened, browser=browser)
                page = first
                warm_times, warm_script = [], []
                for _ in range(warm):
                    seconds, script_done, page = _visit(url, opened, context=first.context)
                    warm_times.append(seconds)
                    warm_script.append(script_done)
                switch = _page_switch(page, app_page) if script is None else None
                change = _filter_change(page, theme_name) if theme_name else None
                return {"cold": cold, "cold_script": cold_script, "warm": warm_times, "warm_script": warm_script,
                        "switch": switch, "change": change}
            except Exception as exc:
                state = "–"
                for page in opened[-1:]:
                    try:
                        state = page.evaluate(STATE_JS)
                    except Exception:  # noqa: BLE001 - the page may be gone
                        pass
                answers = "ja" if _server_answers(base) else "nein"
                if base.process.poll() is None:
                    os.kill(base.process.pid, signal.SIGABRT)
                    time.sleep(1)
                raise RuntimeError(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]} ({state}; Server "
                                   f"antwortet: {answers}; Log: tests/artifacts/streamlit-{base.rsplit(':', 1)[1]}.log)"
                                   ) from exc
    finally:
        for page in opened:
            if not page.is_closed():
                page.context.close()


def measure(db: Path, runs: int = 3, warm: int = 2, pages: list[AppPage] | None = None,
            env: dict | None = None, out=sys.stdout, references: bool = True) -> list[dict]:
    """Per page: median cold, warm and filter-change browser times in ms (see the module docstring); with
    ``references``, also the pages of bench/floor_app.py (rows with ``reference`` true, no filter change).

    Returns dicts with page (:func:`row_name`), title, url_path, cold_ms, warm_ms, filter_change_ms, runs (that
    succeeded), the single times (cold_all_ms, warm_all_ms, filter_all_ms), when the last script run ended,
    counted from the navigation start (cold_script_done_ms, warm_script_done_ms), and ``failures`` (messages of
    failed runs, each retried once on a fresh server); a page without any successful run has ``error``."""
    from playwright.sync_api import sync_playwright

    pages = pages or app_pages()
    plan = [(p, None) for p in pages] + ([(p, FLOOR_APP) for p in REFERENCES] if references else [])
    print(f"Datenbank: {db}", file=out)
    print(f"{'Seite':<18}{'kalt ms':>10}{'warm ms':>10}{'Wechsel ms':>12}{'Filter ms':>11}", file=out, flush=True)
    results = []
    with sync_playwright() as p:
        browser = launch_browser(p)
        try:
            for app_page, script in plan:
                row = {"page": row_name(app_page), "title": app_page.title, "url_path": app_page.url_path,
                       "reference": script is not None}
                done, failures = [], []
                for r in range(runs):
                    theme = None if script else THEMES[r % len(THEMES)].name_de
                    for _attempt in range(2):
                        try:
                            done.append(_one_run(browser, db, env, app_page, warm, theme, script))
                            break
                        except RuntimeError as exc:
                            failures.append(str(exc))
                            print(f"{row['page']:<18}Lauf {r + 1} fehlgeschlagen: {exc}", file=out, flush=True)
                row["failures"] = failures
                if not done:
                    row["error"] = failures[-1] if failures else "keine Messung"
                    results.append(row)
                    continue
                cold = [d["cold"] for d in done]
                warm_times = [s for d in done for s in d["warm"]]
                change = [d["change"] for d in done if d["change"] is not None]
                switch = [d["switch"] for d in done if d["switch"] is not None]
                row.update(cold_ms=_median_ms(cold), warm_ms=_median_ms(warm_times),
                           filter_change_ms=_median_ms(change), switch_ms=_median_ms(switch), runs=len(done),
                           cold_script_done_ms=_median_ms([d["cold_script"] for d in done]),
                           warm_script_done_ms=_median_ms([s for d in done for s in d["warm_script"]]),
                           cold_all_ms=[s * 1000 for s in cold], warm_all_ms=[s * 1000 for s in warm_times],
                           filter_all_ms=[s * 1000 for s in change], switch_all_ms=[s * 1000 for s in switch])
                results.append(row)
                fc = "–" if row["filter_change_ms"] is None else f"{row['filter_change_ms']:.0f}"
                sw = "–" if row["switch_ms"] is None else f"{row['switch_ms']:.0f}"
                print(f"{row['page']:<18}{row['cold_ms']:>10.0f}{row['warm_ms']:>10.0f}{sw:>12}{fc:>11}", file=out,
                      flush=True)
        finally:
            browser.close()
    return results


def main() -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "monitor.duckdb")
    ap.add_argument("--runs", type=int, default=3, help="frische Server je Seite (Median darüber)")
    ap.add_argument("--warm", type=int, default=2, help="warme Aufrufe je Server")
    ap.add_argument("--today", help="ISO-Datum für REGIONALMONITOR_TODAY")
    ap.add_argument("--pages", nargs="*", help="URL-Pfade der Seiten ('' = Startseite); Standard: alle")
    ap.add_argument("--no-references", action="store_true", help="ohne die Vergleichsseiten (bench/floor_app.py)")
    a = ap.parse_args()
    pages = app_pages()
    if a.pages is not None:
        pages = [p for p in pages if p.url_path in a.pages]
    env = {"REGIONALMONITOR_TODAY": a.today} if a.today else None
    return measure(a.db, a.runs, a.warm, pages, env, references=not a.no_references)


if __name__ == "__main__":
    main()
