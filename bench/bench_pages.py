"""Page script time: the median of repeated AppTest runs per page against a database.

    python bench/bench_pages.py [--db data/monitor.duckdb] [--repeat 7]

The first run of each page (cold caches) is reported separately from the median of the following runs
(warm caches, as a user who changes a filter sees them). A filter-change run is measured too: the first
theme in the sidebar filter is selected, which invalidates the cached queries of that filter.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["ueberblick", "themen", "gemeinden", "initiativen", "karte", "akteure", "daten"]


def measure(db: Path, repeat: int) -> list[dict]:
    os.environ["REGIONALMONITOR_DB"] = str(db)
    from streamlit.testing.v1 import AppTest
    import streamlit as st

    results = []
    for page in PAGES:
        path = ROOT / "pages" / f"{page}.py"
        if not path.exists():
            continue
        st.cache_data.clear()
        st.cache_resource.clear()
        times = []
        for i in range(repeat + 1):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.run()
            t = time.perf_counter()
            at.switch_page(f"pages/{page}.py").run()
            times.append(time.perf_counter() - t)
            if at.exception:
                raise SystemExit(f"{page}: {at.exception[0].message}")
        # A filter change: pick one theme in the sidebar (query cache misses for the new filter values).
        change = None
        theme_boxes = [w for w in at.sidebar.multiselect if w.key == "thema"]
        if theme_boxes:
            opts = theme_boxes[0].options
            st.cache_data.clear()
            t = time.perf_counter()
            theme_boxes[0].set_value([opts[0]]).run()
            change = time.perf_counter() - t
        results.append({"page": page, "cold_ms": times[0] * 1000,
                        "median_ms": statistics.median(times[1:]) * 1000,
                        "filter_change_ms": None if change is None else change * 1000, "runs": repeat})
    return results


def main() -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "monitor.duckdb")
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()
    res = measure(a.db, a.repeat)
    print(f"{'Seite':<14}{'kalt ms':>10}{'Median ms':>12}{'Filter ms':>12}")
    for r in res:
        fc = "–" if r["filter_change_ms"] is None else f"{r['filter_change_ms']:.0f}"
        print(f"{r['page']:<14}{r['cold_ms']:>10.0f}{r['median_ms']:>12.0f}{fc:>12}")
    return res


if __name__ == "__main__":
    main()
