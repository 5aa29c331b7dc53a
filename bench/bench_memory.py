"""Peak memory of the app server with concurrent browser sessions.

    python bench/bench_memory.py [--db data/monitor.duckdb] [--sessions 10]

Starts the Streamlit server on ``--db`` and samples the resident memory (RSS) of the server process and its
children every 100 ms (psutil). Then ``--sessions`` browser sessions (separate contexts in one headless
Chromium) start at the same time; each opens the start page, picks one theme in the sidebar (session k picks
theme k, so filtered queries are computed, not only served from the cache) and visits every other page
through the sidebar navigation, waiting for each page to finish. All sessions stay open until the last one is
done. Reported: RSS after start (idle), after one warm-up visit, the peak, and at the end; sessions that did
not finish a page are counted and their messages kept (the peak is still measured).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from pathlib import Path

import psutil
from playwright.async_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.core.vocab import THEMES  # noqa: E402
from tests.browser_support import (CHROMIUM, CHROMIUM_ARGS, FINISHED_JS, RUN_COUNTER_JS, RUNS_JS, STATE_JS,  # noqa: E402
                                   VIEWPORT, app_pages, page_shown_js, streamlit_server, widget)

TIMEOUT_MS = 180_000  # for one page to finish
START_MS = 30_000  # for a run to start after a click
MB = 1024 * 1024


class RssSampler:
    """Samples the RSS of a process and its children every ``interval`` seconds in a thread; ``peak`` in bytes."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        """Current RSS of the process plus all its children (bytes)."""
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.rss())
                self.samples += 1
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class SessionError(Exception):
    """A session step that did not finish; the message names the step and what the page lacked."""


#: The text of the page's main area (not the sidebar, where the clicked widget changes at once).
MAIN_TEXT_JS = "(document.querySelector('[data-testid=\"stMain\"]') || document.body).innerText"


async def _rerun(page, action, step: str, retry: bool = False, title: str | None = None) -> int:
    """Run ``action`` (a click that reruns the script), then wait until a new run has finished and the page
    is finished. When no run starts within START_MS and ``retry`` is set, the click is repeated once (a click
    can get lost while the page is busy; a repeated click on a page link only reruns that page). ``title``: the
    click opens that page; its title on screen also counts as the new run (see :func:`page_shown_js`); without
    it, changed text in the main area counts (a filter). Under load the frontend may handle the start and the
    end of a run in one go, so that the run counter never sees the script state change.
    Returns the number of repeated clicks (0 or 1)."""
    runs, starts = await page.evaluate(f"[{RUNS_JS}, window.__rmStarts || 0]")
    if title is None:
        await page.evaluate(f"window.__rmMainText = {MAIN_TEXT_JS}")
        shown = f"({MAIN_TEXT_JS}) !== window.__rmMainText"
    else:
        shown = f"({page_shown_js(title)})()"
    started = f"() => {RUNS_JS} > {runs} || (window.__rmStarts || 0) > {starts} || {shown}"
    retries = 0
    try:
        await action()
        try:
            await page.wait_for_function(started, timeout=START_MS)
        except PlaywrightTimeout:
            if retry:  # else: the server may just be slow to start the run, go on waiting
                retries = 1
                await action()
        await page.wait_for_function(f"() => {RUNS_JS} > {runs} || {shown}", timeout=TIMEOUT_MS)
        await page.wait_for_function(FINISHED_JS, timeout=TIMEOUT_MS)
    except PlaywrightTimeout as exc:
        raise SessionError(f"{step}: {str(exc).splitlines()[0][:120]} ({await _state(page)})") from exc
    return retries


async def _state(page) -> str:
    try:
        return await page.evaluate(STATE_JS)
    except Exception:  # noqa: BLE001 - the page may be gone
        return "–"


async def _session(browser, base: str, titles: list[str], theme_name: str) -> dict:
    """One user: start page, pick a theme, then every other page via the sidebar. Returns the seconds taken,
    the browser context (still open), repeated clicks and the error (None when every page finished)."""
    context = await browser.new_context(viewport=VIEWPORT, locale="de-DE")
    await context.add_init_script(RUN_COUNTER_JS)
    page = await context.new_page()
    t = time.perf_counter()
    result = {"context": context, "retries": 0, "error": None}
    step = "Startseite"
    try:
        await page.goto(base, timeout=TIMEOUT_MS)
        await page.wait_for_function(FINISHED_JS, timeout=TIMEOUT_MS)
        step = f"Thema {theme_name}"
        box = widget(page, "stMultiSelect", "Thema", '[data-testid="stSidebar"]')
        await box.locator("input").click(timeout=TIMEOUT_MS)
        option = page.get_by_role("option").filter(has_text=theme_name).first
        await option.wait_for(state="visible", timeout=TIMEOUT_MS)
        result["retries"] += await _rerun(page, lambda: option.click(timeout=TIMEOUT_MS), step)
        await page.keyboard.press("Escape")
        for title in titles:
            step = f"Seite {title}"
            link = page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first
            result["retries"] += await _rerun(page, lambda link=link: link.click(timeout=TIMEOUT_MS), step,
                                              retry=True, title=title)
    except SessionError as exc:
        result["error"] = str(exc)
    except PlaywrightTimeout as exc:
        result["error"] = f"{step}: {str(exc).splitlines()[0][:120]} ({await _state(page)})"
    result["seconds"] = time.perf_counter() - t
    return result


async def _run_sessions(base: str, sessions: int) -> list[dict]:
    """``sessions`` concurrent sessions (see :func:`_session`); all stay open until the last is done."""
    from playwright.async_api import async_playwright

    titles = [p.title for p in app_pages() if p.url_path]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            done = await asyncio.gather(*[_session(browser, base, titles, THEMES[k % len(THEMES)].name_de)
                                          for k in range(sessions)])
            for d in done:
                await d.pop("context").close()
            return done
        finally:
            await browser.close()


def measure(db: Path, sessions: int = 10, env: dict | None = None, out=sys.stdout) -> dict:
    """RSS of the app server (MB): idle after start, after one warm-up session, peak with ``sessions`` concurrent
    sessions, at the end; the sessions' durations (s), the number of samples, sessions that did not finish
    (``sessions_failed``, messages in ``errors``) and clicks that had to be repeated (``repeated_clicks``)."""
    with streamlit_server(db, env) as base:
        with RssSampler(base.process.pid) as sampler:
            time.sleep(1)
            idle = sampler.rss()
            warm = asyncio.run(_run_sessions(base, 1))[0]
            after_one = sampler.rss()
            sampler.peak = 0
            t = time.perf_counter()
            done = asyncio.run(_run_sessions(base, sessions))
            wall = time.perf_counter() - t
            time.sleep(0.5)
            end = sampler.rss()
        durations = sorted(d["seconds"] for d in done)
        errors = [d["error"] for d in [warm, *done] if d["error"]]
        result = {"sessions": sessions, "idle_mb": idle / MB, "after_one_session_mb": after_one / MB,
                  "peak_mb": sampler.peak / MB, "end_mb": end / MB, "one_session_s": warm["seconds"],
                  "sessions_wall_s": wall, "session_median_s": durations[len(durations) // 2],
                  "session_max_s": durations[-1], "samples": sampler.samples, "pages": len(app_pages()),
                  "sessions_failed": sum(1 for d in done if d["error"]), "errors": errors,
                  "repeated_clicks": sum(d["retries"] for d in [warm, *done])}
    print(f"Datenbank: {db}", file=out)
    for error in errors:
        print(f"  Sitzung nicht fertig: {error}", file=out)
    print(f"RSS Leerlauf {result['idle_mb']:.0f} MB · nach einer Sitzung {result['after_one_session_mb']:.0f} MB · "
          f"Spitze mit {sessions} Sitzungen {result['peak_mb']:.0f} MB · am Ende {result['end_mb']:.0f} MB · "
          f"{sessions} Sitzungen in {wall:.1f} s", file=out, flush=True)
    return result


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "monitor.duckdb")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--today", help="ISO-Datum für REGIONALMONITOR_TODAY")
    a = ap.parse_args()
    return measure(a.db, a.sessions, {"REGIONALMONITOR_TODAY": a.today} if a.today else None)


if __name__ == "__main__":
    main()
