"""ETL benchmark: time and peak memory of `python -m etl`, next to DuckDB's own read_csv of the same files.

    python bench/bench_etl.py [--scale sample|national|both] [--repeat 3]

Prints a table and returns the figures (bench/run_all.py writes them into bench/results.md). The raw
baseline is `create table t as select * from read_csv([...], all_varchar=true)` into a database file, i.e.
reading the same statistics files without any parsing, validation, mapping or checks (one parallel read of
all files; per file when their encodings or layouts differ, as in the sample). ETL time is the wall time of
`python -m etl` as the office runs it (interpreter start included); the raw time is the read alone. CPU
seconds (all threads) of both are reported too: on a busy machine they compare better than wall times.

The ETL has fixed costs that do not depend on the statistics files (interpreter start, imports, the
workbook, catalogue and reference checks, data tests, writing and replacing the database file). They are
measured as the ETL of a minimal source (tests/minimal_source.py: two municipalities, one statistics file of a
few lines, one initiative), alternating with the other runs; *Zuwachs* compares what the ETL needs beyond
that with what read_csv needs beyond reading the minimal source's file: the part of the ETL that grows with
the data.

Two floors (*Untergrenzen*), measured like the ETL (wall time of a fresh process): the raw read's own process
(a Python that imports DuckDB and runs the same read_csv, nothing else), and a Python that only imports the
libraries the ETL is built on (duckdb, pandas, openpyxl) plus the raw read's time.
No `python -m etl` on this stack can be faster than the second; where it alone is above the aim's ratio (small
sources: interpreter start and imports outweigh the read), the aim cannot be met by a program started that way.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RAW = """
import duckdb, json, sys, time
files = json.loads(sys.argv[1]); db = sys.argv[2]
t = time.perf_counter()
con = duckdb.connect(db)
con.execute("set enable_progress_bar = false")
try:  # the fastest form: one parallel read of all files (works when they share header and encoding)
    con.execute("create table t as select * from read_csv(?, delim=';', header=true, all_varchar=true, "
                "union_by_name=false)", [files])
    n = con.execute("select count(*) from t").fetchone()[0]
except duckdb.Error:
    n = 0
    for i, f in enumerate(files):  # per file: the sample mixes encodings (UTF-8, Latin-1, Windows-1252) and layouts
        for extra in ("encoding='utf-8'", "encoding='latin-1'", "encoding='utf-8', ignore_errors=true"):
            try:
                con.execute(f"create or replace table t{i} as select * from read_csv(?, delim=';', header=false, "
                            f"all_varchar=true, null_padding=true, strict_mode=false, {extra})", [f])
                break
            except duckdb.InvalidInputException:
                if "ignore_errors" in extra:
                    raise
        n += con.execute(f"select count(*) from t{i}").fetchone()[0]
con.close()
print(json.dumps({"seconds": time.perf_counter() - t, "rows": n}))
"""

#: what any `python -m etl` on this stack loads before it reads a byte (the floor's second part)
STACK_IMPORTS = "import duckdb, pandas, openpyxl"


def _child_run(cmd: list[str]) -> tuple[float, float, float, subprocess.CompletedProcess]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system, all threads) of a child process."""
    wrapper = ("import resource, subprocess, sys, json; p = subprocess.run(sys.argv[1:], capture_output=True, "
               "text=True); r = resource.getrusage(resource.RUSAGE_CHILDREN); print(json.dumps({'rc': "
               "p.returncode, 'maxrss_kb': r.ru_maxrss, 'cpu_s': r.ru_utime + r.ru_stime, "
               "'out': p.stdout[-2000:], 'err': p.stderr[-2000:]}))")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    done = subprocess.CompletedProcess(cmd, info["rc"], info["out"], info["err"])
    return seconds, info["maxrss_kb"] / 1024, info["cpu_s"], done


def statistics_files(source: Path) -> list[str]:
    return sorted(str(p) for p in (source / "statistik").glob("*.csv"))


def measure(source: Path, repeat: int) -> dict:
    """ETL and raw read alternately ``repeat`` times (fresh processes): medians of the wall times, the ratio,
    the ETL's peak RSS, and the CPU seconds of both (a load-independent comparison on a busy machine)."""
    etl_times, etl_mem, etl_cpu, build_times, raw_times, raw_cpu = [], [], [], [], [], []
    fixed_times, fixed_raw, floor_times, import_times = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        from tests.minimal_source import make_minimal_source

        minimal = make_minimal_source(Path(tmp) / "minimal")
        for i in range(repeat):
            s, _, _, p = _child_run([sys.executable, "-m", "etl", "--source", str(minimal), "--db",
                                     str(Path(tmp) / f"min{i}.duckdb"), "--quiet", "--today", "2026-11-24"])
            if p.returncode != 0:
                raise SystemExit(f"ETL failed on the minimal source:\n{p.stderr}")
            fixed_times.append(s)
            _, _, _, p_raw = _child_run([sys.executable, "-c", RAW, json.dumps(statistics_files(minimal)),
                                         str(Path(tmp) / f"minraw{i}.duckdb")])
            fixed_raw.append(json.loads(p_raw.stdout.strip().splitlines()[-1])["seconds"])
            db = Path(tmp) / f"etl{i}.duckdb"
            s, mem, cpu, p = _child_run([sys.executable, "-m", "etl", "--source", str(source), "--db", str(db),
                                         "--quiet", "--today", "2026-11-24"])
            if p.returncode != 0:
                raise SystemExit(f"ETL failed on {source}:\n{p.stderr}")
            etl_times.append(s)
            etl_mem.append(mem)
            etl_cpu.append(cpu)
            m = re.search(r"Fertig in ([0-9.]+) s", p.stdout)
            build_times.append(float(m.group(1)) if m else float("nan"))
            raw_db = Path(tmp) / f"raw{i}.duckdb"
            floor_s, _, cpu_raw, p_raw = _child_run([sys.executable, "-c", RAW,
                                                     json.dumps(statistics_files(source)), str(raw_db)])
            floor_times.append(floor_s)
            import_s, _, _, p_imp = _child_run([sys.executable, "-c", STACK_IMPORTS])
            if p_imp.returncode != 0:
                raise SystemExit(f"Import of the ETL's libraries failed:\n{p_imp.stderr}")
            import_times.append(import_s)
            raw = json.loads(p_raw.stdout.strip().splitlines()[-1])
            raw_times.append(raw["seconds"])
            raw_cpu.append(cpu_raw)
            rows = raw["rows"]
    etl_med, raw_med = statistics.median(etl_times), statistics.median(raw_times)
    floor_med, import_med = statistics.median(floor_times), statistics.median(import_times)
    fixed_med, fixed_raw_med = statistics.median(fixed_times), statistics.median(fixed_raw)
    grown_etl, grown_raw = etl_med - fixed_med, raw_med - fixed_raw_med
    size = sum(os.path.getsize(f) for f in statistics_files(source))
    return {"source": str(source.relative_to(ROOT)) if source.is_relative_to(ROOT) else str(source),
            "statistics_rows": rows, "statistics_mb": size / 1e6, "etl_s": etl_med, "raw_read_csv_s": raw_med,
            "ratio": etl_med / raw_med if raw_med else float("nan"), "etl_peak_mb": max(etl_mem),
            "etl_build_s": statistics.median(build_times), "etl_cpu_s": statistics.median(etl_cpu),
            "raw_cpu_s": statistics.median(raw_cpu),
            "cpu_ratio": statistics.median(etl_cpu) / statistics.median(raw_cpu),
            "etl_min_s": min(etl_times), "raw_min_s": min(raw_times), "runs": repeat,
            "etl_fixed_s": fixed_med, "raw_fixed_s": fixed_raw_med, "etl_grown_s": grown_etl, "raw_grown_s": grown_raw,
            "grown_ratio": grown_etl / grown_raw if grown_raw > 0 else float("nan"),
            "floor_s": floor_med, "floor_ratio": floor_med / raw_med if raw_med else float("nan"),
            "stack_import_s": import_med,
            "stack_floor_ratio": (import_med + raw_med) / raw_med if raw_med else float("nan")}


def main() -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", choices=["sample", "national", "both"], default="both")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    results = []
    if a.scale in ("sample", "both"):
        results.append({"scale": "Landkreis (Beispieldaten)", **measure(ROOT / "data" / "sample", a.repeat)})
    if a.scale in ("national", "both"):
        from bench.generate_national import generate
        out = ROOT / "bench" / "data" / "national"
        if not (out / "quellen.csv").exists():
            print("Erzeuge nationale Testdaten …", flush=True)
            generate(out)
        results.append({"scale": "national (synthetisch)", **measure(out, max(1, a.repeat - 1))})
    print(f"{'Umfang':<28}{'Zeilen':>12}{'MB':>8}{'ETL s':>9}{'read_csv s':>12}{'Faktor':>8}{'Peak MB':>9}"
          f"{'CPU ETL':>9}{'CPU roh':>9}{'CPU-Fakt.':>10}{'Untergr.':>10}")
    for r in results:
        print(f"{r['scale']:<28}{r['statistics_rows']:>12,}{r['statistics_mb']:>8.0f}{r['etl_s']:>9.2f}"
              f"{r['raw_read_csv_s']:>12.2f}{r['ratio']:>8.2f}{r['etl_peak_mb']:>9.0f}"
              f"{r['etl_cpu_s']:>9.1f}{r['raw_cpu_s']:>9.1f}{r['cpu_ratio']:>10.2f}{r['stack_floor_ratio']:>10.2f}")
    return results


if __name__ == "__main__":
    main()
