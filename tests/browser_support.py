"""Helpers for the real-browser tests and the browser benchmarks: a Streamlit server on a free port, Debian's
Chromium via Playwright, and reliable waits for a finished page.

The browser tests skip (with the reason) when /usr/bin/chromium or Playwright is missing, except in CI
(``CI`` set), where a missing browser is a failure: `make test` installs both.

When is a page "finished"? Streamlit's root element ``stApp`` carries ``data-test-script-state``
(``initial`` before the first run, then ``running`` / ``notRunning``) and ``data-test-connection-state``.
A page is finished (:data:`FINISHED_JS`) when the app is connected, the script is not running, no lazy
placeholder (skeleton) is left, every plotly chart has drawn its SVG and every deck.gl map its canvas.
After an interaction the state is still ``notRunning`` for a moment before the rerun starts, so
:func:`new_page` installs a counter of finished script runs (:data:`RUNS_JS`) and :func:`script_rerun`
waits for the counter to move before it waits for the finished page. The counter has two sources: the script
state changing to ``notRunning``, and the server's message that a run has finished. The frontend renders
queued messages in one go; when a short run's start and end arrive while it is busy, the script state never
shows ``running`` and only the message count moves.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("REGIONALMONITOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT = {"width": 1440, "height": 1100}

#: Counts finished script runs (state changes to notRunning) in ``window.__rmRuns`` and started ones (changes
#: to running) in ``window.__rmStarts``; installed before any page script runs, so no run is missed.
#: ``window.__rmFinishedAt`` holds performance.now() of the last finished run.
RUN_COUNTER_JS = """
(() => {
  window.__rmRuns = 0;
  window.__rmStarts = 0;
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      const now = r.target.getAttribute('data-test-script-state');
      if (now === 'running' && r.oldValue !== 'running') window.__rmStarts += 1;
      if (now === 'notRunning' && r.oldValue !== 'notRunning') {
        window.__rmRuns += 1;
        window.__rmFinishedAt = performance.now();
      }
    }
  });
  observer.observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                              attributeFilter: ['data-test-script-state']});
  // The server's "script finished" messages (ForwardMsg field 6, a varint status; 2 = ended early for a
  // rerun, which is not counted), in window.__rmFinishedMsgs: counted a frame after the message arrived,
  // when the frontend has handled it and rendered what came before it.
  window.__rmFinishedMsgs = 0;
  const finishedStatus = (bytes) => {
    let i = 0;
    const varint = () => {
      let v = 0, shift = 0, b;
      do { b = bytes[i++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80 && i < bytes.length);
      return v;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) { const v = varint(); if (field === 6) return v; }
      else if (wire === 2) { const n = varint(); i += n; }  // (i += varint() would add to the old i)
      else if (wire === 1) { i += 8; }
      else if (wire === 5) { i += 4; }
      else return -1;
    }
    return -1;
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        if (!(ev.data instanceof ArrayBuffer)) return;
        const status = finishedStatus(new Uint8Array(ev.data));
        if (status >= 0 && status !== 2)
          setTimeout(() => requestAnimationFrame(() => setTimeout(() => { window.__rmFinishedMsgs += 1; })));
      });
    }
  };
})();
"""

#: JS expression: finished script runs since the page was loaded, by either source of :data:`RUN_COUNTER_JS`.
RUNS_JS = "Math.max(window.__rmRuns || 0, window.__rmFinishedMsgs || 0)"

#: True when the page is finished: connected, script not running, no skeletons, charts and maps drawn.
FINISHED_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning'
      || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]')) return false;
  for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
    if (!c.querySelector('.main-svg')) return false;
  for (const m of document.querySelectorAll('[data-testid="stDeckGlJsonChart"]'))
    if (!m.querySelector('canvas')) return false;
  return true;
}
"""


def page_shown_js(title: str) -> str:
    """JS condition: the main area's page title (``st.title``) is ``title``. After a click on another page's
    link this tells that the new page has run, also when its run was too short for the run counter to see the
    script state change (the frontend may render the start and the end of a run in one go)."""
    return ("() => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); "
            f"return !!h && h.textContent.trim().startsWith({json.dumps(title)}); }}")


#: What a page still lacks for being finished, as one German line (for messages when a wait times out).
STATE_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const count = (sel) => document.querySelectorAll(sel).length;
  return `Skript ${app && app.getAttribute('data-test-script-state')}, Verbindung `
    + `${app && app.getAttribute('data-test-connection-state')}, `
    + `Läufe ${window.__rmRuns}/${window.__rmFinishedMsgs}, Platzhalter `
    + `${count('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]')}, Diagramme `
    + `${count('[data-testid="stPlotlyChart"] .main-svg')}/${count('[data-testid="stPlotlyChart"]')}, Karten `
    + `${count('[data-testid="stDeckGlJsonChart"] canvas')}/${count('[data-testid="stDeckGlJsonChart"]')}, `
    + `Dialoge ${count('[role="dialog"]')}, Adresse ${location.pathname}${location.search}`;
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_answer(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    """Wait until ``url`` answers 200; RuntimeError with the end of ``log`` when ``proc`` ended or time ran out."""
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError(f"{proc.args[:3]} did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)


class ServerURL(str):
    """The server's base URL (a plain ``str``); ``.process`` is the Streamlit server's Popen (for its pid)."""

    process: subprocess.Popen


@contextmanager
def streamlit_server(db: Path, env_extra: dict | None = None, startup_timeout: float = 90,
                     script: Path | None = None, port: int | None = None, args: tuple[str, ...] = ()):
    """Start ``streamlit run app.py`` (through ``monitor.app.serve``; with ``script``: plain ``streamlit run
    script``) against ``db`` on ``port`` (default: a free one) with more command-line ``args``; yields the base
    URL (a :class:`ServerURL`, whose ``.process`` is the server process); stops the server afterwards. Its log
    (tests/artifacts/streamlit-<port>.log) is kept when the block failed or ``KEEP_STREAMLIT_LOGS`` is set."""
    port = port or free_port()
    env = {**os.environ, "REGIONALMONITOR_DB": str(db), **(env_extra or {})}
    log = (ARTIFACTS / f"streamlit-{port}.log")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", *(("streamlit", "run", str(script)) if script else ("monitor.app.serve",)),
             "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", *args],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        url = ServerURL(f"http://127.0.0.1:{port}")
        url.process = proc
        clean = False
        try:
            wait_for_answer(url + "/_stcore/health", proc, log, startup_timeout)
            yield url
            clean = True
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    if clean and not os.environ.get("KEEP_STREAMLIT_LOGS"):  # keep the log of a failed run only
        log.unlink(missing_ok=True)


def launch_browser(playwright):
    """Headless Debian Chromium, or skip/fail when it is not installed."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} fehlt: `make test` installiert Debians chromium")
        pytest.skip(f"{CHROMIUM} not installed (make test installs it)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def new_page(browser, **context_options):
    """A page in a new browser context (its own Streamlit session) with the run counter installed and two
    lists filled by listeners: ``page.js_errors`` (uncaught JavaScript errors) and ``page.dialogs`` (messages
    of alert/confirm/prompt dialogs, which are dismissed). Close it with ``page.context.close()``."""
    context = browser.new_context(**{"viewport": VIEWPORT, "locale": "de-DE", **context_options})
    context.add_init_script(RUN_COUNTER_JS)
    page = context.new_page()
    page.js_errors = []
    page.dialogs = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    return page


def finished_runs(page) -> int:
    """How many script runs have finished in this page since it was loaded (needs :func:`new_page`)."""
    return page.evaluate(RUNS_JS)


def wait_until_done(page, timeout_ms: int = 30000, runs: int | None = None) -> None:
    """Wait until the page is finished (:data:`FINISHED_JS`); with ``runs``, first until that many script runs
    have finished (pages from :func:`new_page` only)."""
    if runs is not None:
        page.wait_for_function(f"() => {RUNS_JS} >= {int(runs)}", timeout=timeout_ms)
    page.wait_for_function(FINISHED_JS, timeout=timeout_ms)


@contextmanager
def script_rerun(page, timeout_ms: int = 30000):
    """Around an interaction that reruns the script (widget change, page switch): afterwards wait until a new
    run has finished and the page is finished again."""
    before = finished_runs(page)
    yield
    wait_until_done(page, timeout_ms, runs=before + 1)


# ---------------------------------------------------------------- the app's pages and widgets
@dataclass(frozen=True)
class AppPage:
    """One ``st.Page`` of app.py: its file, title, URL path ('' for the default page) and address."""

    file: str
    title: str
    url_path: str

    def url(self, base: str) -> str:
        return f"{base}/{self.url_path}"


_PAGE_CALL = re.compile(r"st\.Page\(\s*\"(?P<file>[^\"]+)\"(?P<args>[^)]*)\)")


def app_pages() -> list[AppPage]:
    """The pages app.py registers, read from its ``st.Page(...)`` calls (the default page gets url_path '')."""
    out = []
    for m in _PAGE_CALL.finditer((ROOT / "app.py").read_text(encoding="utf-8")):
        args = m.group("args")
        title = re.search(r"title=\"([^\"]+)\"", args)
        path = re.search(r"url_path=\"([^\"]*)\"", args)
        default = re.search(r"default=True", args)
        out.append(AppPage(m.group("file"), title.group(1) if title else Path(m.group("file")).stem,
                           "" if default or not path else path.group(1)))
    return out


def widget(page, testid: str, label: str, scope: str = "body"):
    """The widget with Streamlit test id ``testid`` (e.g. stMultiSelect) whose label is exactly ``label``."""
    return page.locator(f'{scope} [data-testid="{testid}"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))


def choose_option(page, box, option: str | re.Pattern, search: str | None = None) -> None:
    """Open a multiselect/selectbox ``box`` (typing ``search`` into it, which filters the list: needed for
    selectboxes, whose list does not open on a click) and click the option whose text is ``option`` (or
    matches it)."""
    field = box.locator("input")
    field.click()
    if search is not None:
        field.fill(search)
    text = option if isinstance(option, re.Pattern) else re.compile(rf"^\s*{re.escape(option)}\s*$")
    page.get_by_role("option").filter(has_text=text).first.click()


def close_dropdown(page) -> None:
    """Close an open dropdown (after picking from a multiselect, its list stays open)."""
    page.keyboard.press("Escape")
