"""Preview benchmark: time of ``etl.changes.compare`` between a live database and a candidate built from a
changed copy of its source folder (issue #17, point 3).

    python bench/bench_changes.py --live DB --source DIR [--work DIR] [--repeat 5] [--skip-build]

The candidate's source folder (``<work>/source``) hard-links every file of ``--source`` except two, which it
changes: the portfolio workbook (the first initiative's status, the first KPI's actual value, the first open
milestone reached) and the first statistics file (every 1000th value raised by one). ``python -m etl`` builds
the candidate (``<work>/candidate.duckdb``, same "today" as the live file); then ``compare`` runs ``--repeat``
times. CPU seconds (all threads of this process) are reported next to wall seconds: the machine is shared.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVERY = 1000


def changed_workbook(src: Path, dest: Path) -> None:
    from openpyxl import load_workbook

    from monitor.core.vocab import STATUSES

    wb = load_workbook(src)

    def col(ws, header):
        """(first data row, column) of the header (sheets may start with title rows; headers vary in case)."""
        for row in ws.iter_rows(max_row=10):
            for c in row:
                if str(c.value or "").strip().lower().startswith(header.lower()):
                    return c.row + 1, c.column
        raise LookupError(header)

    ws = wb["Initiativen"]
    first, at = col(ws, "Status")
    cell = ws.cell(first, at)
    cell.value = next(s for s in STATUSES if s != cell.value)
    ws = wb["Kennzahlen"]
    first, at = col(ws, "Istwert")
    cell = ws.cell(first, at)
    cell.value = (cell.value or 0) + 1
    ws = wb["Meilensteine"]
    (first, due), (_, done) = col(ws, "Fällig am"), col(ws, "Erledigt am")
    for r in range(first, ws.max_row + 1):
        if ws.cell(r, done).value in (None, "") and ws.cell(r, due).value not in (None, ""):
            ws.cell(r, done).value = ws.cell(r, due).value
            break
    wb.save(dest)


def raised(text: str) -> str | None:
    """A German number ("70,1", "4116") raised by one, written alike; None for anything else ("-", ".")."""
    whole, _, decimals = text.partition(",")
    if not whole.isdigit() or (decimals and not decimals.isdigit()):
        return None
    return str(int(whole) + 1) + ("," + decimals if decimals else "")


def changed_statistics(src: Path, dest: Path) -> int:
    """Copy a GENESIS flat file raising every EVERY-th value by one; returns how many changed."""
    changed = 0
    with src.open(encoding="utf-8-sig", newline="") as fin, dest.open("w", encoding="utf-8-sig", newline="") as fout:
        header = fin.readline()
        fout.write(header)
        at = header.rstrip("\r\n").split(";").index("value")
        for i, line in enumerate(fin):
            cells = line.split(";")
            new = raised(cells[at]) if i % EVERY == 0 else None
            if new is not None:
                cells[at] = new
                changed += 1
            fout.write(";".join(cells))
    return changed


def make_variant(source: Path, dest: Path) -> None:
    workbook = sorted(source.glob("portfolio/*.xlsx"))[0]
    stats = sorted(source.glob("statistik/*.csv"))[0]
    for path in sorted(source.rglob("*")):
        target = dest / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path == workbook:
            changed_workbook(path, target)
        elif path == stats:
            print(f"  {changed_statistics(path, target)} Werte in {stats.name} geändert", flush=True)
        else:  # the ETL refuses symbolic links; a hard link costs no copy of the national files
            try:
                os.link(path.resolve(), target)
            except OSError:
                shutil.copy2(path, target)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--live", type=Path, required=True)
    ap.add_argument("--source", type=Path, required=True, help="source folder the live file was built from")
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_changes"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true", help="reuse <work>/candidate.duckdb")
    args = ap.parse_args()

    import duckdb

    from etl.changes import compare

    candidate = args.work / "candidate.duckdb"
    if not args.skip_build:
        variant = args.work / "source"
        if variant.exists():
            shutil.rmtree(variant)
        variant.mkdir(parents=True)
        make_variant(args.source, variant)
        with duckdb.connect(str(args.live), read_only=True) as con:
            today = con.execute("select value from meta where key = 'today'").fetchone()[0]
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "etl", "--source", str(variant), "--db", str(candidate), "--quiet",
                        "--today", today], check=True, cwd=ROOT)
        print(f"  Kandidat gebaut in {time.perf_counter() - t:.1f} s", flush=True)
    for label, live in (("Vergleich", args.live), ("Erste Version", None)):
        cpu, wall = [], []
        for _ in range(args.repeat):
            c, w = time.process_time(), time.perf_counter()
            result = compare(live, candidate)
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
        size = len(json.dumps(result.as_dict(), ensure_ascii=False))
        print(f"{label}: CPU min {min(cpu):.3f} s, Median {statistics.median(cpu):.3f} s; Wand min {min(wall):.3f} s, "
              f"Median {statistics.median(wall):.3f} s; JSON {size:,} Zeichen\n  {result.summary()}", flush=True)


if __name__ == "__main__":
    main()
