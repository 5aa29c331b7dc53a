"""Concurrency benchmark of the data-access layer: N threads × M queries through ``monitor.data.db.query``.

    python bench/bench_concurrency.py [--threads 32] [--queries 200] [--db PATH] [--replace]

Without ``--db`` the sample is built into a temp folder first. The query mix is what the pages ask: repeated
statements (served from the cache) and statements with new parameters (run on DuckDB). ``--replace`` swaps
the database file for a rebuilt copy halfway through (``os.replace``, as the ETL does). Prints queries per
second, errors and the share of cache misses; returns the figures as a dict.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPEATED = [
    ("select theme, count(*) from initiative group by 1 order by 1", ()),
    ("select status, count(*), sum(total_cost_eur) from initiative group by 1 order by 1", ()),
    ("select count(*) from indicator_value", ()),
    ("select key, value from meta", ()),
]


def _fresh(rng: random.Random, keys: list[str], indicators: list[str]) -> tuple[str, tuple]:
    """A statement with parameters that were (almost surely) not asked before."""
    pick = rng.randrange(3)
    if pick == 0:
        return ("select year, value, flag from indicator_value where indicator_id = ? and region_key = ? "
                "and value > ? order by year", (rng.choice(indicators), rng.choice(keys), -rng.random()))
    if pick == 1:
        return ("select i.initiative_id, i.title from initiative i join initiative_municipality m using "
                "(initiative_id) where m.ags = ? and coalesce(i.total_cost_eur, 0) >= ? order by 1",
                (rng.choice(keys), rng.randrange(10**6)))
    return ("select region_key, avg(value) from indicator_value where year >= ? and indicator_id = ? group by 1",
            (rng.randrange(2000, 2025), rng.choice(indicators)))


def run(db_file: Path, threads: int, queries: int, replace_with: Path | None = None) -> dict:
    os.environ["REGIONALMONITOR_DB"] = str(db_file)
    import logging

    import streamlit  # noqa: F401 - sets up its loggers

    # outside the app Streamlit warns that its caches live in memory: that is what is measured here
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    from monitor.data import db

    keys = list(db.query("select ags from municipality")["ags"])
    indicators = list(db.query("select indicator_id from indicator")["indicator_id"])
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    go = threading.Event()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        go.wait()
        for _ in range(queries):
            sql, params = rng.choice(REPEATED) if rng.random() < 0.5 else _fresh(rng, keys, indicators)
            try:
                db.query(sql, params)
            except Exception as exc:  # noqa: BLE001 - counted, not raised
                errors.append(f"{type(exc).__name__}: {exc}")
            with lock:
                done[0] += 1

    total = threads * queries
    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(worker, s) for s in range(threads)]
        t0 = time.perf_counter()
        go.set()
        if replace_with is not None:
            while done[0] < total // 2:
                time.sleep(0.002)
            staged = db_file.with_name(f".{db_file.name}.tmp-bench")
            shutil.copyfile(replace_with, staged)
            os.replace(staged, db_file)
        for f in futures:
            f.result()
        seconds = time.perf_counter() - t0
    return {"threads": threads, "queries": total, "seconds": seconds, "queries_per_s": total / seconds,
            "errors": len(errors), "first_errors": errors[:3], "replaced": replace_with is not None,
            "open_connections_after": db.open_connections(db_file)}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=32)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--db", type=Path, default=None, help="database file (default: the sample, built first)")
    ap.add_argument("--replace", action="store_true", help="replace the database file halfway through")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if a.db is None:
            from etl.build import build

            db_file = Path(tmp) / "monitor.duckdb"
            build(ROOT / "data" / "sample", db_file, today=dt.date(2026, 11, 24))
        else:
            db_file = Path(tmp) / "monitor.duckdb"
            shutil.copyfile(a.db, db_file)
        other = None
        if a.replace:
            other = Path(tmp) / "other.duckdb"
            shutil.copyfile(db_file, other)
        r = run(db_file, a.threads, a.queries, other)
    de = lambda x: f"{x:,.0f}".replace(",", ".")  # noqa: E731
    print(f"{r['threads']} Threads × {a.queries} Abfragen = {de(r['queries'])} in {r['seconds']:.2f} s: "
          f"{de(r['queries_per_s'])} Abfragen/s, {r['errors']} Fehler"
          + (" (Datei nach der Hälfte ersetzt)" if r["replaced"] else "")
          + f"; danach {r['open_connections_after']} offene Verbindung(en)")
    for e in r["first_errors"]:
        print("  " + e)
    return r


if __name__ == "__main__":
    main()
