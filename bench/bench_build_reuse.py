"""The office's check of a new portfolio workbook, timed in one warm process (as in the app's server).

    python bench/bench_build_reuse.py [--source data/sample] [--repeat 5]

A copy of the source folder is built once as the live database and once more to warm the process (imports,
first calls). Then, ``--repeat`` times each: the check of a changed workbook (one initiative's status and title
changed, saved with openpyxl as the office's Excel would) builds the candidate with ``build(..., reuse=live)``
(only the workbook changed, so the live statistics are reused) and, when ``etl.changes.compare`` exists,
compares it with the live database; next to it the full build of the same folder (``reuse`` not given). Prints
median wall and CPU seconds (user + system of this process, all threads; on a busy machine they compare
better than wall times) and returns them. Aim (issue #17): check and preview under 2 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 24)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def change_workbook(book: Path) -> None:
    """One initiative's status and title changed (a new workbook as the office uploads it)."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["Initiativen"]
    header_row = next(r for r in range(1, 11) if any(str(c.value).strip() == "ID" for c in ws[r] if c.value))
    header = [str(c.value).strip() if c.value is not None else "" for c in ws[header_row]]
    row = header_row + 1
    status = ws.cell(row, header.index("Status") + 1)
    status.value = "Abgeschlossen" if status.value != "Abgeschlossen" else "In Umsetzung"
    ws.cell(row, header.index("Titel") + 1).value = f"{ws.cell(row, header.index('Titel') + 1).value} (geändert)"
    wb.save(book)


def _compare():
    try:
        from etl.changes import compare  # the preview (branch of the check); absent: the build alone is timed
    except ImportError:
        return None
    return compare


def measure(source: Path, repeat: int) -> dict:
    from etl.build import build

    compare = _compare()
    check_s, check_cpu, build_s, compare_s, full_s, full_cpu, reused = [], [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(source, src)
        live = Path(tmp) / "live.duckdb"
        build(src, live, today=TODAY)
        change_workbook(next((src / "portfolio").glob("*.xlsx")))
        build(src, Path(tmp) / "warm.duckdb", today=TODAY, reuse=live)  # warm-up: imports and first calls
        for i in range(repeat):
            cand = Path(tmp) / f"cand{i}.duckdb"
            t, c = time.perf_counter(), _cpu()
            report = build(src, cand, today=TODAY, reuse=live)
            t_built = time.perf_counter()
            if compare is not None:
                compare(live, cand)
            check_s.append(time.perf_counter() - t)
            check_cpu.append(_cpu() - c)
            build_s.append(t_built - t)
            compare_s.append(time.perf_counter() - t_built)
            reused.append(report.reused)
            t, c = time.perf_counter(), _cpu()
            build(src, Path(tmp) / f"full{i}.duckdb", today=TODAY)
            full_s.append(time.perf_counter() - t)
            full_cpu.append(_cpu() - c)
    med = statistics.median
    return {"source": str(source), "runs": repeat, "reused": all(reused), "compare": compare is not None,
            "check_s": med(check_s), "check_min_s": min(check_s), "check_cpu_s": med(check_cpu),
            "build_s": med(build_s), "compare_s": med(compare_s),
            "full_s": med(full_s), "full_min_s": min(full_s), "full_cpu_s": med(full_cpu)}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=Path, default=ROOT / "data" / "sample")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    r = measure(a.source, a.repeat)
    what = "Kandidat + Vergleich" if r["compare"] else "Kandidat (etl.changes.compare fehlt: nur der Bau)"
    print(f"Prüfung des Arbeitsbuchs ({what}), {r['runs']} Läufe, Statistik übernommen: "
          f"{'ja' if r['reused'] else 'NEIN'}")
    print(f"  Prüfung:       Median {r['check_s']:.2f} s (min {r['check_min_s']:.2f}), CPU {r['check_cpu_s']:.2f} s"
          + (f"  (Bau {r['build_s']:.2f} s, Vergleich {r['compare_s']:.2f} s)" if r["compare"] else ""))
    print(f"  voller Bau:    Median {r['full_s']:.2f} s (min {r['full_min_s']:.2f}), CPU {r['full_cpu_s']:.2f} s")
    print(f"  Ziel < 2 s: {'erreicht' if r['check_s'] < 2 else 'verfehlt'} (Wanduhr, Median)")
    return r


if __name__ == "__main__":
    main()
