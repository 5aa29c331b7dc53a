"""Long-line benchmark: wall time and peak memory of `python -m etl` refusing a statistics file whose second
line is ``size`` MB of ``x;`` (issue 16: 50 MB took 17 GB and 2½ minutes before the streamed scan ran first).

    python bench/bench_long_line.py [--mb 50] [--repeat 3]

Aim: under 500 MB peak RSS and within seconds. Prints one JSON line per run and a summary.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.make_bad_inputs import write_long_line  # noqa: E402
from tests.minimal_source import make_minimal_source, statistics_lines  # noqa: E402

AIM_PEAK_MB, AIM_SECONDS = 500, 10

WRAPPER = """
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": p.returncode, "seconds": time.perf_counter() - t0, "err": p.stderr[-600:],
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run_once(base: Path, size_mb: int) -> dict:
    src = make_minimal_source(base / "src")
    path = src / "statistik" / "lang.csv"
    write_long_line(path, size_mb << 20, fill=b"x;")
    with path.open("ab") as fh:
        fh.write(b"\n" + statistics_lines()[1].encode("utf-8") + b"\n")
    with (src / "quellen.csv").open("a", encoding="utf-8") as fh:
        fh.write("statistik/lang.csv;Lange Zeile;Test;31.12.2024;dl-de/by-2-0;ja\n")
    proc = subprocess.run([sys.executable, "-c", WRAPPER, sys.executable, "-m", "etl", "--source", str(src),
                           "--db", str(base / "monitor.duckdb"), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(size_mb: int = 50, repeat: int = 3) -> dict:
    runs = []
    for _ in range(repeat):
        base = Path(tempfile.mkdtemp(prefix="rm_longline_"))
        try:
            res = run_once(base, size_mb)
        finally:
            shutil.rmtree(base, ignore_errors=True)
        print(json.dumps({k: v for k, v in res.items() if k != "err"}), flush=True)
        if res["rc"] != 1 or "länger als 1 MiB" not in res["err"]:
            raise SystemExit(f"unexpected result: {res}")
        runs.append(res)
    return {"size_mb": size_mb, "median_s": statistics.median(r["seconds"] for r in runs),
            "max_peak_mb": max(r["peak_mb"] for r in runs), "aim_peak_mb": AIM_PEAK_MB, "aim_s": AIM_SECONDS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    summary = measure(args.mb, args.repeat)
    summary["total_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
