"""Upload-check benchmark: the check of the sample's portfolio workbook in a warm process (issue #17, point 2;
aim: check and preview under 2 s in the app), split into its parts, and the marked-up copy of a faulty workbook.

    python bench/bench_check.py [--source DIR] [--work DIR] [--repeat 5]

``--source`` (default data/sample) is built once into ``<work>/data/monitor.duckdb`` (the live database); then
one warm-up check and ``--repeat`` timed checks of that source's workbook run in this process, as in the app
(``etl.check.start_check`` until the check has ended, the ChangeSet included). The parts (copy of the source,
build, comparison) are timed separately afterwards. CPU seconds (all threads of this process) are reported next
to wall seconds: the machine is shared.
"""
from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "sample")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from etl.build import build
    from etl.changes import compare
    from etl.check import discard, start_check
    from etl.markup import marked_workbook
    from etl.uploads import Upload
    from etl.versions import materialize_source

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-check-"))
    db = work / "data" / "monitor.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    _, wall, _ = timed(lambda: build(args.source, db))
    print(f"live build: {wall:.2f} s")
    (book,) = sorted((args.source / "portfolio").glob("*.xlsx"))
    upload = Upload(book.name, book.read_bytes())

    def one_check():
        c = start_check([upload], db, actor="bench")
        c.wait()
        assert c.ok, [i.text() for i in c.issues if i.severity == "error"]
        discard(c.id)
        return c

    one_check()  # warm-up: imports and first reads, as a warm app process has them
    walls, cpus = [], []
    for _ in range(args.repeat):
        _, wall, cpu = timed(one_check)
        walls.append(wall)
        cpus.append(cpu)
    print(f"check (accept, copy, build, compare): median {statistics.median(walls):.2f} s wall, "
          f"{statistics.median(cpus):.2f} s CPU (n={args.repeat}; min {min(walls):.2f} s)")

    part = work / "part"
    shutil.rmtree(part, ignore_errors=True)
    _, w_copy, _ = timed(lambda: materialize_source(db, None, part / "source"))
    _, w_build, c_build = timed(lambda: build(part / "source", part / "candidate.duckdb"))
    _, w_cmp, c_cmp = timed(lambda: compare(db, part / "candidate.duckdb"))
    print(f"parts: copy {w_copy:.2f} s, build {w_build:.2f} s ({c_build:.2f} s CPU), "
          f"compare {w_cmp:.2f} s ({c_cmp:.2f} s CPU)")

    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["Initiativen"]
    header = next(r for r in ws.iter_rows(max_row=30) if any(str(c.value).strip() == "Status" for c in r))
    status = next(c for c in header if str(c.value).strip() == "Status")
    for r in range(status.row + 1, min(ws.max_row, status.row + 20) + 1):
        ws.cell(r, status.column).value = "unbekannt"
    buf = io.BytesIO()
    wb.save(buf)
    bad = Upload(book.name, buf.getvalue())
    c = start_check([bad], db, actor="bench")
    c.wait()
    _, w_mark, _ = timed(lambda: marked_workbook(bad.data, c.issues, file_name=book.name))
    print(f"faulty workbook: {len([i for i in c.issues if i.severity == 'error'])} errors; marked-up copy "
          f"{w_mark:.2f} s")
    discard(c.id)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
