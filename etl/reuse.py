"""A build that reuses the live database when only the portfolio workbook changed (the office's check of a new
workbook in the app, :func:`etl.build.build` with ``reuse``).

Reading the statistics files is most of a build. When the new sources differ from the ones the live database
was built from only in the workbook, the statistics, reference and catalogue tables a full build would make
are the ones already live: the live file is copied, and only what depends on the workbook is built again, by
the same code as in a full build (:func:`etl.build._complete`): portfolio tables, boundaries and sources (cheap,
so their warnings come out in the same place), meta, marts, data tests and the run.

The copy is used only when all of this holds, otherwise the build reads everything (``build_reusing`` returns
False): the live database was built by this ETL code (meta ``etl_code``, :func:`code_fingerprint`) from the
same file names, every file but the one workbook byte-identical (sha256 in its ``etl_run``), and the warnings
of its build can be split into those before the workbook, the workbook's own, and those after it (checked
against the boundaries' and sources' warnings computed again). The issues before the workbook are then taken
from the live database, in their order, so ``validation_issue`` is the one a full build writes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from functools import cache
from pathlib import Path

import duckdb

from etl.issues import Issue

ETL_DIR = Path(__file__).resolve().parent
#: Tables whose rows depend on the workbook (or on the run) and are built again on the copy.
REBUILT_TABLES = ["validation_issue", "data_test", "etl_run", "meta", "source", "municipality_geometry"]


@cache
def code_fingerprint() -> str:
    """sha256 over the ETL's code and SQL, the shared vocabulary and the versions of DuckDB and pandas: two
    databases with the same fingerprint were built by the same program."""
    import pandas as pd

    h = hashlib.sha256(f"duckdb {duckdb.__version__} pandas {pd.__version__}".encode())
    core = ETL_DIR.parent / "monitor" / "core"
    files = sorted([*ETL_DIR.rglob("*.py"), *ETL_DIR.rglob("*.sql"), *core.glob("*.py")])
    for path in files:
        h.update(path.relative_to(ETL_DIR.parent).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _workbook(names) -> str | None:
    books = [k for k in names if k.startswith("portfolio/") and k.lower().endswith(".xlsx")
             and not Path(k).name.startswith("~$")]
    return books[0] if len(books) == 1 else None


def _only_workbook_changed(con: duckdb.DuckDBPyConnection, inventory: dict) -> str | None:
    """The workbook's relative name when the copy was built by this code from the same files except that one
    workbook; None otherwise."""
    meta = dict(con.execute("select key, value from meta").fetchall())
    if meta.get("etl_code") != code_fingerprint():
        return None
    last = con.execute("select files from etl_run where status = 'ok' order by started_at desc limit 1").fetchone()
    if last is None or not last[0]:
        return None
    live = {f["name"]: f["sha256"] for f in json.loads(last[0])}
    book = _workbook(inventory)
    if book is None or _workbook(live) != book or set(live) != set(inventory):
        return None
    if any(live[k] != v["sha256"] for k, v in inventory.items() if k != book):
        return None
    return book


def _live_issues(con: duckdb.DuckDBPyConnection) -> list[Issue]:
    return [Issue(severity, message, file=file, sheet=sheet, row=row, column=col, value=value, expected=expected)
            for severity, file, sheet, row, col, value, message, expected in con.execute(
                "select severity, file, sheet, row, col, value, message, expected from validation_issue "
                "order by rowid").fetchall()]


def _issues_before_workbook(con: duckdb.DuckDBPyConnection, book: str, after: list[Issue]) -> list[Issue] | None:
    """The live build's issues that came before the workbook's own (inventory, reference, catalogue,
    statistics), or None when its issues do not split as a full build writes them: before, the workbook's
    (file = its name), ``after`` (boundaries and sources), one per failing data test."""
    issues = _live_issues(con)
    failing = con.execute("select count(*) from data_test where failing_rows > 0").fetchone()[0]
    end = len(issues) - failing
    if end < len(after) or not all(i.message.startswith("Datentest ") for i in issues[end:]):
        return None
    start = end - len(after)
    if issues[start:end] != after:
        return None
    name = Path(book).name
    while start > 0 and issues[start - 1].file == name:
        start -= 1
    return issues[:start]


def build_reusing(tmp: Path, live: Path, source: Path, db_path: Path, today: dt.date, report, pr, started: dt.datetime,
                  t0: float, inventory: dict, hashes) -> bool:
    """Build ``tmp`` from a copy of ``live`` when only the workbook changed (see the module); False (``tmp``
    left to be removed) when the copy cannot be used and the build must read everything."""
    from etl import build as b
    from etl.reference import read_manifest, read_municipalities

    if not live.is_file() or report.issues:  # (the inventory's issues are errors: links out of the folder)
        return False
    hashes.wait()
    shutil.copyfile(live, tmp)
    con = duckdb.connect(str(tmp), config=b.connect_config(tmp))
    portfolio = None
    try:
        try:
            book = _only_workbook_changed(con, inventory)
        except (duckdb.Error, ValueError, KeyError, TypeError):  # not a database of this ETL
            return False
        if book is None:
            return False
        manifest, _ = read_manifest(source / "quellen.csv")
        formats = dict(con.execute("select source_id, format from source where kind = 'statistics'").fetchall())
        # the boundaries' and sources' issues of this folder, computed on the copy and rolled back
        after: list[Issue] = []
        con.execute("begin")
        con.execute("delete from source")
        con.execute("delete from municipality_geometry")
        b._load_geometry(con, source, inventory, after)
        b._load_sources(con, inventory, manifest, after, formats)
        con.execute("rollback")
        before = _issues_before_workbook(con, book, after)
        if before is None:
            return False
        pr.step("Statistiken, Gebiete und Katalog aus der veröffentlichten Datenbank übernommen")
        municipalities, _ = read_municipalities(source / "gemeinden.csv")
        indicator_ids = {r[0] for r in con.execute("select indicator_id from indicator").fetchall()}
        portfolio = b._PortfolioReader(source, [book], municipalities, indicator_ids, today)
        con.execute("begin")
        for table in b.PORTFOLIO_TABLES + REBUILT_TABLES:
            con.execute(f"delete from {table}")
        from etl.marts import drop_marts

        drop_marts(con)  # (the transaction is committed by _complete)
        report.issues[:0] = before
        report.reused = True
        b._complete(con, source, db_path, today, report, pr, started, t0, inventory, manifest, portfolio, formats)
        return True
    finally:
        con.close()
        if portfolio is not None:
            portfolio.join(timeout=120)
