"""Page script time: cold run, median of warm runs and a filter change per page, measured with AppTest.

    python bench/bench_pages.py [--db data/monitor.duckdb] [--repeat 7] [--today 2026-11-24] [--pages karte akteure]

Per page:
- *kalt*: the first run after emptying Streamlit's caches (a freshly started server, or a new data build);
  every session first runs the default page (Überblick), so the other pages start with the sidebar's
  queries cached;
- *Median*: the median of ``--repeat`` further runs in new sessions (warm caches: what a user opening the page
  sees); *CPU*: the median CPU time of the process in those runs (robust when other programs share the CPUs);
- *Filter*: the sidebar's first theme is selected in the last session (its queries miss the cache; queries that
  do not depend on the filter are still cached), as in a meeting when someone changes a filter.
Script time is what Streamlit's script runner spends on the run (``ScriptRunner._run_script``: the frame
``app.py`` and the page, from the start of the run to its end, queries and element messages included), wall
and process CPU time. The AppTest harness around it (a mock runtime and component registry per run, parsing the
element tree afterwards; ~160 ms on a two-line app here) is not part of a page's script time; its total per
run is reported as well (*AppTest gesamt*).
Each line is printed as soon as the page is measured. A page that raises is reported, not hidden.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_support import app_pages  # noqa: E402

PAGES = [Path(p.file).stem for p in app_pages()]  # every page of app.py's navigation, in its order
DEFAULT_PAGE = "ueberblick"  # app.py's default page (at "/")


def _quiet_streamlit() -> None:
    """AppTest outside a server logs a 'missing ScriptRunContext' warning per cached call: silence it (the
    config option is read whenever Streamlit (re)loads its config, so it is set in the environment)."""
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    from streamlit import logger

    logger.set_log_level(logging.ERROR)


class ScriptClock:
    """Wall and CPU seconds that Streamlit's script runner spends in script runs (``_run_script``), summed
    between :meth:`start` and :meth:`stop`; installed on the ScriptRunner class for the benchmark's runs."""

    def __init__(self) -> None:
        from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

        self.wall = self.cpu = 0.0
        self.runs = 0
        self._on = False
        clock, original = self, ScriptRunner._run_script

        def timed(runner, *args, **kwargs):
            if not clock._on:
                return original(runner, *args, **kwargs)
            t, c = time.perf_counter(), time.process_time()
            try:
                return original(runner, *args, **kwargs)
            finally:
                clock.wall += time.perf_counter() - t
                clock.cpu += time.process_time() - c
                clock.runs += 1

        self._cls, self._original = ScriptRunner, original
        ScriptRunner._run_script = timed

    def start(self) -> None:
        self.wall = self.cpu = 0.0
        self.runs = 0
        self._on = True

    def stop(self) -> tuple[float, float]:
        """(wall, cpu) seconds of the script runs since :meth:`start`; fails when no run was seen."""
        self._on = False
        if not self.runs:
            raise RuntimeError("kein Skriptlauf gemessen (ScriptRunner._run_script nicht aufgerufen)")
        return self.wall, self.cpu

    def close(self) -> None:
        self._cls._run_script = self._original


def measure_page(page: str, repeat: int) -> dict:
    """Cold, warm (median) and filter-change script times of one page in ms (see the module docstring), and
    the median of whole AppTest runs."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from monitor.core.cache import clear_all

    clear_all()
    st.cache_data.clear()
    st.cache_resource.clear()
    clock = ScriptClock()
    times, cpu, whole, at = [], [], [], None
    try:
        for _ in range(repeat + 1):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            if page != DEFAULT_PAGE:  # the first run of a session shows the default page
                at.run()
                at = at.switch_page(f"pages/{page}.py")
            t = time.perf_counter()
            clock.start()
            at.run()
            wall, used = clock.stop()
            whole.append(time.perf_counter() - t)
            times.append(wall)
            cpu.append(used)
            if at.exception:
                return {"page": page, "error": at.exception[0].message.splitlines()[0][:200]}
        change = None
        theme_boxes = [w for w in at.sidebar.multiselect if w.key == "thema"]
        if theme_boxes:
            clock.start()
            theme_boxes[0].set_value([theme_boxes[0].options[0]]).run()
            change = clock.stop()[0]
            if at.exception:
                return {"page": page, "error": "Filter: " + at.exception[0].message.splitlines()[0][:200]}
    finally:
        clock.close()
    return {"page": page, "cold_ms": times[0] * 1000, "median_ms": statistics.median(times[1:]) * 1000,
            "median_cpu_ms": statistics.median(cpu[1:]) * 1000,
            "apptest_median_ms": statistics.median(whole[1:]) * 1000,
            "filter_change_ms": None if change is None else change * 1000, "runs": repeat}


def measure(db: Path, repeat: int, pages: list[str] | None = None, today: str | None = None,
            out=sys.stdout) -> list[dict]:
    """Measure ``pages`` (default: all) against ``db``; prints one German table line per page as it is done."""
    os.environ["REGIONALMONITOR_DB"] = str(db)
    if today:
        os.environ["REGIONALMONITOR_TODAY"] = today
    _quiet_streamlit()
    print(f"Datenbank: {db}", file=out)
    print(f"{'Seite':<14}{'kalt ms':>10}{'Median ms':>12}{'CPU ms':>10}{'Filter ms':>12}{'AppTest ms':>12}", file=out,
          flush=True)
    results = []
    for page in pages or PAGES:
        if not (ROOT / "pages" / f"{page}.py").exists():
            continue
        r = measure_page(page, repeat)
        results.append(r)
        if "error" in r:
            print(f"{page:<14}FEHLER: {r['error']}", file=out, flush=True)
            continue
        fc = "–" if r["filter_change_ms"] is None else f"{r['filter_change_ms']:.0f}"
        print(f"{page:<14}{r['cold_ms']:>10.0f}{r['median_ms']:>12.0f}{r['median_cpu_ms']:>10.0f}{fc:>12}"
              f"{r['apptest_median_ms']:>12.0f}", file=out, flush=True)
    return results


def main() -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "monitor.duckdb")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--today", help="ISO-Datum für REGIONALMONITOR_TODAY (Standard: unverändert)")
    ap.add_argument("--pages", nargs="*", choices=PAGES, help="nur diese Seiten messen")
    a = ap.parse_args()
    return measure(a.db, a.repeat, a.pages, a.today)


if __name__ == "__main__":
    main()
