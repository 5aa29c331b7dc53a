"""The build: a source folder -> a new DuckDB file that atomically replaces the old one.

Steps (each in its own function, the same shape as staging -> marts):
1. inventory the folder (name, size, sha256 of every file) and read the provenance manifest;
2. reference data: municipalities, benchmark regions (-> ``region``, ``municipality``);
3. catalogue (-> ``indicator``); statistics files staged one at a time (temp table ``stg_file``) and mapped
   to ``indicator_value`` via the catalogue; formula indicators computed in DuckDB;
4. portfolio workbook (-> initiative tables); optional boundaries (-> ``municipality_geometry``);
5. meta (district, Stand); the marts the app reads (``etl/marts``: day-dependent rules as stored macros,
   tables such as ``initiative_span``, ``milestone_state``, ``kpi_rating``);
6. data tests; ``etl_run`` (history of the old database + this run); then ``os.replace``.

Any error (input or internal) leaves the previous database byte-identical: the new file is written beside
it under a temporary name and removed on failure. Failed runs are appended to ``etl_runs.jsonl`` beside the
database, since they cannot be written into a database that must stay untouched.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl import catalogue as cat
from etl.datatests import DataTestResult, run_data_tests
from etl.issues import InputError, Issue
from etl.marts import build_marts
from etl.reference import read_manifest, read_municipalities, read_regions
from etl.statistics import (LongLineScan, detect_format, drop_staged_view, install_macros, load_statistics_file,
                            long_line_issue)
from etl.storage import remove_stale_temporaries, storage_issue, temporary_path
from etl.versions import new_version_id
from monitor.core.vocab import INDICATOR_THEMES, STATUS_LINE, STATUS_RANK, STATUSES

SCHEMA = Path(__file__).with_name("schema.sql")
PORTFOLIO_TABLES = ["initiative", "initiative_theme", "initiative_municipality", "initiative_programme",
                    "initiative_organisation", "milestone", "status_history", "kpi", "coordination_round",
                    "coordination_round_organisation", "coordination_round_initiative"]
SUMMARY_TABLES = ["municipality", "region", "indicator", "indicator_value", "source"] + PORTFOLIO_TABLES
STAT_SUFFIXES = {".csv", ".txt", ".ffcsv", ".tsv"}
#: Statistics files read at the same time (each on its own cursor; DuckDB parallelises within a file too).
STAT_WORKERS = max(1, int(os.environ.get("REGIONALMONITOR_ETL_WORKERS", "2")))
#: Boundary files are parsed whole (json); the district's municipalities need a few MB.
MAX_GEOJSON_BYTES = 100 << 20


@dataclass
class BuildReport:
    run_id: str
    db_path: Path
    duration_s: float = 0.0
    row_counts: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    data_tests: list[DataTestResult] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    version_id: str | None = None  # written to ``meta`` (see etl/versions.py)

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


class Progress:
    """Console progress: a tqdm bar over the files when wanted, silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def step(self, text: str) -> None:
        if self.enabled:
            print(f"  · {text}", flush=True)

    def files(self, items: list, desc: str):
        if not self.enabled or len(items) < 2:
            return items
        from tqdm import tqdm
        return tqdm(items, desc=f"  · {desc}", unit="Datei", leave=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextmanager
def build_lock(db_path: Path):
    """One build per database at a time (a second one is refused, not queued)."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # the other import holds the lock: an expected situation, not a failure of this handler
            raise InputError(Issue("error", "Es läuft bereits ein Datenimport für diese Datenbank.",
                                   file=db_path.name,
                                   expected="warten, bis der andere Import fertig ist")) from None
        yield


def build(source: Path, db_path: Path, today: dt.date | None = None, progress: bool | Progress = False,
          version_id: str | None = None) -> BuildReport:
    """Build ``db_path`` from ``source``; raises InputError (user problems) or other exceptions, and in every
    failure case leaves an existing ``db_path`` untouched. ``meta.version_id`` is ``version_id`` (None: a new
    one from ``etl.versions.new_version_id``). ``progress``: console output, or a ``Progress`` whose
    ``step``/``files`` report elsewhere (the upload check's progress bar)."""
    source, db_path = Path(source), Path(db_path)
    today = today or dt.date.today()
    started = dt.datetime.now()
    t0 = time.perf_counter()
    report = BuildReport(run_id=started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6], db_path=db_path,
                         version_id=version_id or new_version_id())
    tmp = temporary_path(db_path)
    try:
        try:
            with build_lock(db_path):
                remove_stale_temporaries(db_path)  # of runs killed outright (SIGKILL, power cut)
                _remove(tmp)
                try:
                    _build_into(tmp, source, db_path, today, report,
                                progress if isinstance(progress, Progress) else Progress(progress), started, t0)
                    os.replace(tmp, db_path)
                finally:
                    _remove(tmp)
        except (OSError, duckdb.IOException) as exc:  # full disk, read-only folder, …: the office can act on it
            issue = storage_issue(exc, db_path)
            if issue is None:
                raise
            raise InputError(issue) from exc
    except BaseException as exc:
        report.duration_s = time.perf_counter() - t0
        _log_failed_run(db_path, report, source, started, exc)
        if isinstance(exc, InputError):
            exc.report = report  # the warnings found before the stop, for the upload check's table
        raise
    return report


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
    shutil.rmtree(path.with_name(path.name + ".spill"), ignore_errors=True)


def _build_into(tmp: Path, source: Path, db_path: Path, today: dt.date, report: BuildReport, pr: Progress,
                started: dt.datetime, t0: float) -> None:
    if not source.is_dir():
        raise InputError(Issue("error", f"Quellordner {str(source)!r} nicht gefunden.",
                               expected="ein Ordner mit gemeinden.csv, gebiete.csv, quellen.csv, "
                                        "indikatoren.csv, statistik/ und portfolio/"))
    pr.step(f"Quellordner {source}")
    inventory = _inventory(source, report.issues)
    stat_files = sorted(k for k in inventory if k.startswith("statistik/") and Path(k).suffix.lower() in STAT_SUFFIXES)
    hashes = _Hashes(inventory, set(stat_files))  # in the background, while the build goes on
    try:
        _build_steps(tmp, source, db_path, today, report, pr, started, t0, inventory, stat_files, hashes)
    finally:
        hashes.wait(raise_errors=False)
        report.files = [{"name": k, "size_bytes": v["size_bytes"], "sha256": v["sha256"]}
                        for k, v in inventory.items()]


def _build_steps(tmp: Path, source: Path, db_path: Path, today: dt.date, report: BuildReport, pr: Progress,
                 started: dt.datetime, t0: float, inventory: dict, stat_files: list[str], hashes: "_Hashes") -> None:
    issues = report.issues
    refused = {i.file for i in issues}  # files of the inventory's errors (links out of the folder)
    for name in ("quellen.csv", "gemeinden.csv", "gebiete.csv", "indikatoren.csv"):
        if name not in inventory and name not in refused:
            issues.append(Issue("error", "Pflichtdatei fehlt im Quellordner.", file=name,
                                expected=f"{name} im Ordner {source}"))
    _stop_on_errors(issues)

    manifest, m_issues = read_manifest(source / "quellen.csv")
    issues += m_issues
    # Bounded memory: DuckDB spills sorts/joins to a folder beside the new file beyond this limit.
    con = duckdb.connect(str(tmp), config={"memory_limit": os.environ.get("REGIONALMONITOR_ETL_MEMORY", "1GB"),
                                           "temp_directory": str(tmp) + ".spill"})
    portfolio = None
    try:
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        _load_vocab(con)
        municipalities = _load_reference(con, source, issues)
        pr.step(f"{len(municipalities)} Gemeinden, Gebiete")
        formulas = _load_catalogue(con, source, issues)
        _stop_on_errors(issues)

        # the workbook is read in a background thread while DuckDB loads the statistics
        workbooks = sorted(k for k in inventory if k.startswith("portfolio/") and k.lower().endswith(".xlsx")
                           and not Path(k).name.startswith("~$"))
        portfolio = _PortfolioReader(source, workbooks, municipalities,
                                     {r[0] for r in con.execute("select indicator_id from indicator").fetchall()},
                                     today)
        formats = _load_statistics(con, source, stat_files, manifest, issues, pr, hashes)
        hashes.wait()
        for rel, line in sorted(hashes.long_lines.items()):
            if not any(i.file == Path(rel).name and i.row == line for i in issues):
                issues.append(long_line_issue(rel, line))
        _stop_on_errors(issues)
        con.execute("create temp table stg_source_date (source_id varchar, reference_date date)")
        con.executemany("insert into stg_source_date values (?, ?)",
                        [(k, v["reference_date"]) for k, v in manifest.items()])
        _finish_indicator_values(con, issues)
        _compute_formulas(con, formulas)
        pr.step(f"{_count(con, 'indicator_value'):,} Indikatorwerte".replace(",", "."))

        _load_portfolio(con, portfolio, issues)
        _load_geometry(con, source, inventory, issues)
        _load_sources(con, inventory, manifest, issues, formats)
        _stop_on_errors(issues)

        _write_meta(con, source, manifest, today, started, report.version_id)
        pr.step("Marts")
        build_marts(con)
        pr.step("Datentests")
        report.data_tests = run_data_tests(con)
        failed = [t for t in report.data_tests if t.failing_rows and t.severity == "error"]
        for t in report.data_tests:
            if t.failing_rows:
                issues.append(Issue(t.severity, f"Datentest {t.name} schlägt fehl: {t.description} "
                                                f"({t.failing_rows} Zeilen, z. B. {t.sample[:160]})"))
        _stop_on_errors(issues)
        assert not failed

        report.row_counts = {t: _count(con, t) for t in SUMMARY_TABLES}
        report.files = [{"name": k, "size_bytes": v["size_bytes"], "sha256": v["sha256"]}
                        for k, v in inventory.items()]
        _write_run(con, db_path, source, report, started, t0)
        con.execute("checkpoint")
    finally:
        con.close()
        if portfolio is not None:
            portfolio.join(timeout=120)  # a build that stopped early lets the reader finish, not dangle


def _stop_on_errors(issues: list[Issue]) -> None:
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise InputError(errors)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def _inventory(source: Path, issues: list[Issue]) -> dict[str, dict]:
    """The folder's files: relative name -> path, size and sha256 (filled in by :class:`_Hashes`). A file
    whose real path lies outside the folder (a symbolic link pointing out of it) is refused with an error
    and never opened: the import reads the source folder and nothing else."""
    out = {}
    root = source.resolve()
    for p in sorted(source.rglob("*")):
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in {".md", ".py"}:
            rel = p.relative_to(source).as_posix()
            if not p.resolve().is_relative_to(root):
                issues.append(Issue("error", "Die Datei ist eine Verknüpfung auf eine Datei außerhalb des "
                                             "Quellordners; sie wird nicht gelesen.", file=rel,
                                    expected="die Datei selbst (keine Verknüpfung) im Quellordner"))
                continue
            out[rel] = {"path": p, "size_bytes": p.stat().st_size, "sha256": None}
    return out


class _Hashes:
    """sha256 of every inventory file, computed by a background thread (hashlib releases the GIL) while the
    build goes on; the statistics files get the scan for overlong lines in the same read
    (``long_lines``: relative name -> first overlong line). The statistics files are read first, and
    :meth:`long_line` waits for one file's scan: DuckDB must never see a file with an overlong line (its CSV
    reader buffers such a line whole, gigabytes for a 50 MB line)."""

    def __init__(self, inventory: dict[str, dict], scan_lines: set[str]):
        self.long_lines: dict[str, int] = {}
        self._error: BaseException | None = None
        self._scanned = {rel: threading.Event() for rel in scan_lines}
        self._thread = threading.Thread(target=self._run, args=(inventory, scan_lines), daemon=True,
                                        name="regionalmonitor-hashes")
        self._thread.start()

    def _run(self, inventory: dict[str, dict], scan_lines: set[str]) -> None:
        try:
            for rel in sorted(inventory, key=lambda r: r not in scan_lines):  # statistics files first
                info = inventory[rel]
                digest = hashlib.sha256()
                scan = LongLineScan() if rel in scan_lines else None
                with info["path"].open("rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(chunk)
                        if scan is not None:
                            scan.feed(chunk)
                info["sha256"] = digest.hexdigest()
                if scan is not None and scan.first_long is not None:
                    self.long_lines[rel] = scan.first_long
                if rel in self._scanned:
                    self._scanned[rel].set()
        except BaseException as exc:  # noqa: BLE001 - re-raised in wait()
            self._error = exc
        finally:
            for event in self._scanned.values():  # a failed read must not leave a worker waiting
                event.set()

    def long_line(self, rel: str) -> int | None:
        """The first overlong line of the statistics file ``rel`` (None: none, or the file was not readable),
        after waiting for its scan."""
        self._scanned[rel].wait()
        return self.long_lines.get(rel)

    def wait(self, raise_errors: bool = True) -> None:
        """Block until every file is hashed; an unreadable file becomes an InputError."""
        self._thread.join()
        if self._error is not None and raise_errors:
            if isinstance(self._error, OSError):
                raise InputError(Issue("error", f"Eine Datei des Quellordners kann nicht gelesen werden "
                                                f"({self._error.strerror or self._error}).",
                                       file=Path(getattr(self._error, "filename", "") or "").name or None))
            raise self._error


def _insert_df(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    if df is None or df.empty:
        return
    # the table's columns from an empty result: ~1 ms, where information_schema takes ~10 ms per call
    cols = [d[0] for d in con.execute(f"select * from {table} limit 0").description]
    use = [c for c in cols if c in df.columns]
    frame = df[use]
    con.register("_frame", frame)
    try:
        con.execute(f"insert into {table} ({', '.join(use)}) select {', '.join(use)} from _frame")
    finally:
        con.unregister("_frame")


def _load_vocab(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany("insert into theme values (?, ?, ?, ?, ?)",
                    [(t.theme_id, t.name_de, t.name_en, t.colour, i) for i, t in enumerate(INDICATOR_THEMES)])
    con.executemany("insert into status values (?, ?, ?)",
                    [(s, STATUS_RANK[s], s in STATUS_LINE) for s in STATUSES])


def _load_reference(con: duckdb.DuckDBPyConnection, source: Path, issues: list[Issue]) -> pd.DataFrame:
    muni, m_issues = read_municipalities(source / "gemeinden.csv")
    regions, r_issues = read_regions(source / "gebiete.csv")
    issues += m_issues + r_issues
    if muni.empty or regions.empty:
        return muni
    districts = regions.loc[regions["level"] == "kreis", "region_key"].tolist()
    outside = muni[~muni["ags"].str[:5].isin(districts)]
    for ags in outside["ags"]:
        issues.append(Issue("error", "Gemeinde liegt in keinem Landkreis aus gebiete.csv.", file="gemeinden.csv",
                            column="ags", value=ags, expected="AGS beginnt mit " + " oder ".join(districts)))
    _insert_df(con, "municipality", muni)
    muni_regions = pd.DataFrame({"region_key": muni["ags"], "name": muni["name"], "level": "gemeinde",
                                 "parent_key": muni["ags"].str[:5]})
    _insert_df(con, "region", pd.concat([muni_regions, regions], ignore_index=True)
               .drop_duplicates("region_key"))
    return muni


def _load_catalogue(con: duckdb.DuckDBPyConnection, source: Path, issues: list[Issue]) -> dict[str, cat.Formula]:
    frame, formulas, c_issues = cat.read_catalogue(source / "indikatoren.csv")
    issues += c_issues
    _insert_df(con, "indicator", frame)
    cat.inherit_series_breaks(con)
    return formulas


def _load_statistics(con, source: Path, files: list[str], manifest: dict, issues: list[Issue],
                     pr: Progress, hashes: _Hashes) -> dict[str, str]:
    """Read each statistics file (``etl.statistics``, as a temp view of its rows with a summary table) and map
    its rows to ``indicator_value`` through the catalogue right away: memory holds the files being read, never
    all of them, and the values are copied once, into their final table. ``STAT_WORKERS`` files are read at
    the same time, each on its own cursor (DuckDB's temp tables are per connection). What the warnings need
    later is kept as small summaries (``stg_outside``: catalogue rows for regions outside ``region``, per file
    and key; ``stg_series``: every series of a file with whether a catalogue row takes it). Issues are listed in
    file order.
    Returns {source_id: format}."""
    con.execute("create temp table stg_outside (source_id varchar, region_key varchar, region_level varchar, "
                "region_name varchar, n bigint, only_dashes boolean, first_line bigint)")
    con.execute("create temp table stg_series (source_id varchar, statistic_code varchar, "
                "variable_code varchar, dims varchar, n bigint, matched boolean)")
    formats: dict[str, str] = {}
    if not files:
        issues.append(Issue("warning", "Keine Statistikdateien im Ordner statistik/ gefunden.",
                            expected="Exporte aus GENESIS/Regionalstatistik oder INKAR"))
    cursors = _WorkerCursors(con)
    with cursors, ThreadPoolExecutor(max_workers=STAT_WORKERS, thread_name_prefix="regionalmonitor-stat") as pool:
        futures = {rel: pool.submit(_stage_and_map, cursors, source, rel, hashes) for rel in files if rel in manifest}
        try:
            for rel in pr.files(files, "Statistiken"):
                if rel not in manifest:
                    issues.append(Issue("error", "Datei ohne Herkunftsangabe in quellen.csv."
                                        + _path_hint(_same_name(rel, manifest), rel),
                                        file=rel, expected="eine Zeile für diese Datei in quellen.csv (Herkunft, "
                                                           "Stichtag, Lizenz), Pfad wie im Quellordner"))
                    continue
                file_issues, fmt, outside, series = futures[rel].result()
                issues += file_issues
                if fmt is not None:
                    formats[rel] = fmt
                for table, rows in (("stg_outside", outside), ("stg_series", series)):
                    if rows is not None and rows.num_rows:
                        con.register("stg_rows", rows)
                        try:
                            con.execute(f"insert into {table} select * from stg_rows")
                        finally:
                            con.unregister("stg_rows")
        finally:
            for f in futures.values():
                f.cancel()
    return formats


class _WorkerCursors:
    """One cursor per worker thread of the statistics pool, with the SQL macros installed once per cursor (not
    once per file: ~40 ms each); a worker reads its files one after the other on it. Closed on exit."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[duckdb.DuckDBPyConnection] = []

    def get(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            with self._lock:
                self._all.append(cur)
            install_macros(cur)
            self._local.cursor = cur
        return cur

    def __enter__(self) -> _WorkerCursors:
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            cursors, self._all = self._all, []
        for cur in cursors:
            cur.close()


def _stage_and_map(cursors: _WorkerCursors, source: Path, rel: str, hashes: _Hashes):
    """One statistics file on its worker's cursor: (its issues, format or None, outside rows, series rows);
    the rows go to ``indicator_value`` when the file has no error. A file with an overlong line is refused
    before DuckDB reads it. The file's temp objects are dropped before the worker takes the next file."""
    long_line = hashes.long_line(rel)
    if long_line is not None:
        try:
            if long_line == 1:  # the format check reads 1 MiB and says more about a file without line breaks
                detect_format(source / rel)
        except InputError as exc:
            return list(exc.issues), None, None, None
        return [long_line_issue(rel, long_line)], None, None, None
    cur = cursors.get()
    try:
        try:
            result = load_statistics_file(cur, source / rel, rel, table="stg_file", check_lines=False,
                                          as_view=True, macros=False)
        except InputError as exc:
            return list(exc.issues), None, None, None
        file_issues = list(result.issues)
        if result.rows == 0:
            file_issues.append(Issue("warning", "Die Datei enthält keine Werte.", file=rel))
        if any(i.severity == "error" for i in file_issues):
            return file_issues, result.format, None, None
        return (file_issues, result.format, *_map_file(cur, rel))
    finally:
        drop_staged_view(cur, "stg_file")


def _map_file(con: duckdb.DuckDBPyConnection, source_id: str):
    """The rows of one file (view ``stg_file``, counts in ``stg_file_summary``) -> ``indicator_value``
    (catalogue rows whose region is in ``region``); returns the rows for ``stg_outside`` and
    ``stg_series`` (as Arrow tables)."""
    # the catalogue rows that may take values from this file: a plain equi-join per row
    con.execute("drop table if exists stg_cat")
    con.execute("""
        create temp table stg_cat as
        select indicator_id, source_statistic as statistic_code, source_variable as variable_code,
               coalesce(source_dims, '') as dims
        from indicator
        where method = 'file' and (source_file is null or 'statistik/' || source_file = $1 or source_file = $1)
    """, [source_id])
    on = ("s.statistic_code = c.statistic_code and s.variable_code = c.variable_code "
          "and coalesce(s.dims, '') = c.dims")
    con.execute(f"""
        insert into indicator_value
        select c.indicator_id, s.region_key, s.period, year(s.period), s.value, s.flag, s.source_id
        from stg_file s join stg_cat c on {on}
        semi join region r on r.region_key = s.region_key
    """)
    outside = con.sql(f"""
        select $1::varchar as source_id, s.region_key, any_value(s.region_level) as region_level,
               arg_min(s.name, s.first_line) as region_name, sum(s.n)::bigint as n,
               bool_and(s.only_dashes) as only_dashes, min(s.first_line)::bigint as first_line
        from stg_file_summary s semi join stg_cat c on {on}
        anti join region r on r.region_key = s.region_key
        group by s.region_key
    """, params=[source_id]).to_arrow_table()
    series = con.sql("""
        select $1::varchar as source_id, s.statistic_code, s.variable_code, s.dims, sum(s.n)::bigint as n,
               exists (select 1 from indicator i where i.method = 'file' and s.statistic_code = i.source_statistic
                       and s.variable_code = i.source_variable
                       and coalesce(s.dims, '') = coalesce(i.source_dims, '')) as matched
        from stg_file_summary s
        group by all
    """, params=[source_id]).to_arrow_table()
    con.execute("drop table stg_cat")
    return outside, series


def _finish_indicator_values(con: duckdb.DuckDBPyConnection, issues: list[Issue]) -> None:
    """After all files: report units the reference does not know, resolve values delivered twice (the
    newest source by reference date wins), summarise what was not loaded."""
    # Units within the district that the reference does not know: dissolved (only '-') or unknown.
    # (a municipality key's first five digits are its district's key)
    unknown = con.execute("""
        select o.source_id, o.region_key, o.region_name, o.first_line, o.n, o.only_dashes
        from stg_outside o
        semi join (select region_key from region where level = 'kreis') k on left(o.region_key, 5) = k.region_key
        where o.region_level = 'gemeinde'
        order by 1, 2
    """).fetchall()
    for src, key, name, line, n, only_dashes in unknown:
        if only_dashes:
            msg = (f"Gebietseinheit {key} {name or ''} existiert nicht mehr (nur '-' gemeldet); "
                   f"ihre {n} Zeilen wurden nicht geladen.")
        else:
            msg = (f"Gemeinde {key} {name or ''} fehlt in gemeinden.csv; {n} Werte nicht geladen.")
        issues.append(Issue("warning", msg, file=src, row=line, column="Region", value=key,
                            expected="ein Gemeindeschlüssel aus gemeinden.csv"))
    # The same value delivered twice (overlapping exports): the newest source (manifest reference date) wins.
    con.execute("""
        create temp table stg_dup_keys as
        select indicator_id, region_key, period from indicator_value
        where (select count(*) > count(distinct hash(indicator_id, region_key, period)) from indicator_value)
        group by all having count(*) > 1
    """)  # (the grouping runs only when two keys share a hash: a repeat, or rarely a collision)
    if con.execute("select count(*) from stg_dup_keys").fetchone()[0]:
        con.execute("""
            create temp table stg_dup_rows as
            select v.* from indicator_value v
            semi join stg_dup_keys k on k.indicator_id = v.indicator_id and k.region_key = v.region_key
                                        and k.period = v.period
        """)
        conflicts = con.execute("""
            select indicator_id, region_key, period,
                   count(distinct coalesce(cast(value as varchar), flag)) as variants,
                   string_agg(distinct source_id, ', ' order by source_id) as files
            from stg_dup_rows group by all having variants > 1 order by all limit 20
        """).fetchall()
        con.execute("""
            delete from indicator_value v using stg_dup_keys k
            where v.indicator_id = k.indicator_id and v.region_key = k.region_key and v.period = k.period
        """)
        con.execute("""
            insert into indicator_value
            select indicator_id, region_key, period, year, value, flag, source_id
            from (select m.*, row_number() over (partition by m.indicator_id, m.region_key, m.period
                                                  order by s.reference_date desc nulls last,
                                                           m.source_id desc) as rk
                  from stg_dup_rows m
                  left join stg_source_date s on s.source_id = m.source_id)
            where rk = 1
        """)
        for iid, key, period, n, files in conflicts:
            issues.append(Issue("warning", f"Indikator {iid}, Gebiet {key}, Stichtag {period:%d.%m.%Y}: {n} "
                                           f"verschiedene Werte in {files}; der Wert der Datei mit dem jüngsten "
                                           f"Stichtag wurde übernommen.", file=files.split(", ")[-1]))
        con.execute("drop table stg_dup_rows")
    con.execute("drop table stg_dup_keys")
    # What was read but not loaded, summarised per file (exports often cover all of a Land).
    for src, n in con.execute("""
        select source_id, sum(n)::bigint from stg_outside o
        anti join (select region_key from region where level = 'kreis') k on left(o.region_key, 5) = k.region_key
        group by 1 order by 1""").fetchall():
        issues.append(Issue("info", f"{n} Werte für Gebiete außerhalb des Landkreises und ohne Vergleichsrolle "
                                    "übersprungen.", file=src))
    for src, stat, var, dims, n in con.execute("""
        select source_id, statistic_code, variable_code, dims, sum(n)::bigint from stg_series where not matched
        group by all order by 1, 2, 3, 4 limit 50""").fetchall():
        issues.append(Issue("info", f"{n} Zeilen ohne Indikator im Katalog (Statistik {stat}, Merkmal {var}"
                                    + (f", {dims}" if dims else "") + ").", file=src,
                            expected="eine Zeile in indikatoren.csv, falls diese Werte gebraucht werden"))
    # Catalogue rows without any value: say what the named file does contain (the hint for fixing the row).
    for iid, file, stat, var, dims in con.execute("""
        select indicator_id, source_file, source_statistic, source_variable, coalesce(source_dims, '')
        from indicator where method = 'file'
        and indicator_id not in (select distinct indicator_id from indicator_value) order by 1
    """).fetchall():
        wanted = f"Statistik {stat}, Merkmal {var}" + (f", Dimensionen {dims}" if dims else "")
        issues.append(Issue("warning", f"Für Indikator {iid!r} wurden keine Werte gefunden (gesucht: {wanted}); "
                                       + _file_contents_text(con, file) + ".",
                            file="indikatoren.csv", value=iid,
                            expected="Statistik, Merkmal und Dimensionen (source_statistic, source_variable, "
                                     "source_dims) so, wie sie in der Datei stehen"))
    con.execute("drop table stg_outside")
    con.execute("drop table stg_series")


#: How many codes of each kind a message lists.
LISTED_CODES = 5


def _file_contents_text(con: duckdb.DuckDBPyConnection, file: str | None) -> str:
    """German: what a statistics file contains (statistic codes, variable codes, dimensions; a few each), for
    a catalogue row that matched nothing in it; ``file`` as in indikatoren.csv (None: all files)."""
    where = "" if not file else "where source_id in ($1, 'statistik/' || $1)"
    params = [file] if file else []
    rows = con.execute(f"""
        select list(distinct statistic_code order by statistic_code), list(distinct variable_code
               order by variable_code), list(distinct coalesce(nullif(dims, ''), 'keine') order by 1)
        from stg_series {where}""", params).fetchone()
    if not rows or not rows[0]:
        return (f"die Datei {file} wurde nicht gelesen (fehlt im Ordner statistik/ oder enthält keine Werte)"
                if file else "keine Statistikdatei enthält Werte")

    def listed(values: list[str]) -> str:
        more = f" und {len(values) - LISTED_CODES} weitere" if len(values) > LISTED_CODES else ""
        return ", ".join(values[:LISTED_CODES]) + more

    stats, variables, dims = rows
    return (f"{'die Datei ' + file if file else 'die Dateien'} enthält Statistik {listed(stats)}; "
            f"Merkmal {listed(variables)}; Dimensionen {listed(dims)}")


def _same_name(rel: str, paths) -> str | None:
    """The first of ``paths`` with the file name of ``rel`` in another folder, or None."""
    return next((p for p in sorted(paths) if p != rel and Path(p).name == Path(rel).name), None)


def _path_hint(listed: str | None, actual: str | None) -> str:
    """German hint for a path in quellen.csv that misses its folder (or names the wrong one); '' when either
    is None."""
    return f" quellen.csv nennt '{listed}', die Datei liegt aber unter '{actual}'." if listed and actual else ""


def _compute_formulas(con: duckdb.DuckDBPyConnection, formulas: dict[str, cat.Formula]) -> None:
    breaks = dict(con.execute("select indicator_id, series_break from indicator").fetchall())
    for _iid, f in formulas.items():
        brk = breaks.get(f.inputs[0]) if f.kind == "change_pct" else None
        con.execute("insert into indicator_value " + cat.formula_sql(f, brk))


class _PortfolioReader:
    """Reads the portfolio workbook in a background thread (pandas and calamine work while DuckDB loads the
    statistics); ``result()`` gives what ``read_portfolio`` returned or raises what it raised."""

    def __init__(self, source: Path, workbooks: list[str], municipalities: pd.DataFrame, indicator_ids: set[str],
                 today: dt.date):
        self.workbooks = workbooks
        self._out = None
        self._error: BaseException | None = None
        self._thread = None
        if len(workbooks) == 1:
            self._thread = threading.Thread(target=self._run, daemon=True, name="regionalmonitor-portfolio",
                                            args=(source / workbooks[0], municipalities, indicator_ids, today))
            self._thread.start()

    def _run(self, path: Path, municipalities: pd.DataFrame, indicator_ids: set[str], today: dt.date) -> None:
        from etl.portfolio import read_portfolio

        try:
            self._out = read_portfolio(path, municipalities, indicator_ids, today)
        except BaseException as exc:  # noqa: BLE001 - re-raised in result()
            self._error = exc

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._out


def _load_portfolio(con, reader: _PortfolioReader, issues: list[Issue]) -> None:
    workbooks = reader.workbooks
    if not workbooks:
        issues.append(Issue("warning", "Kein Portfolio-Arbeitsbuch im Ordner portfolio/ gefunden.",
                            expected="eine .xlsx-Datei nach der Vorlage"))
        return
    if len(workbooks) > 1:
        issues.append(Issue("error", "Mehr als ein Portfolio-Arbeitsbuch gefunden: " + ", ".join(workbooks),
                            expected="genau eine .xlsx-Datei im Ordner portfolio/"))
        return
    try:
        result = reader.result()
    except InputError as exc:
        issues += exc.issues
        return
    issues += result.issues
    if any(i.severity == "error" for i in result.issues):
        return
    for table in PORTFOLIO_TABLES:
        _insert_df(con, table, result.tables.get(table))


def _load_geometry(con, source: Path, inventory: dict, issues: list[Issue]) -> None:
    names = [k for k in inventory if k.lower().endswith((".geojson", ".json")) and "/" not in k]
    if not names:
        return
    known = {r[0] for r in con.execute("select ags from municipality").fetchall()}
    for name in names:
        size = inventory[name]["size_bytes"]
        if size > MAX_GEOJSON_BYTES:
            issues.append(Issue("error", f"Die Grenzdatei ist mit {size / 2**20:,.0f} MB zu groß (sie wird ganz "
                                         "in den Speicher gelesen).".replace(",", "."), file=name,
                                expected=f"eine auf den Landkreis zugeschnittene GeoJSON-Datei bis "
                                         f"{MAX_GEOJSON_BYTES >> 20} MB"))
            continue
        try:
            data = json.loads((source / name).read_text(encoding="utf-8"))
            features = data["features"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            issues.append(Issue("error", "Keine lesbare GeoJSON-FeatureCollection.", file=name,
                                expected="GeoJSON (z. B. VG250 Gemeinden) in UTF-8"))
            continue
        rows = []
        for f in features:
            props = f.get("properties") or {}
            key = str(props.get("AGS") or props.get("ags") or props.get("ARS") or props.get("ars") or "")
            key = key[:5] + key[-3:] if len(key) == 12 else key
            geom = f.get("geometry") or {}
            if key in known and geom.get("type") in ("Polygon", "MultiPolygon"):
                rows.append({"ags": key, "geojson": json.dumps(geom, separators=(",", ":")), "source": name})
        if not rows:
            issues.append(Issue("warning", "Keine Gemeindegrenze des Landkreises in der Datei gefunden.",
                                file=name, expected="Features mit Eigenschaft AGS oder ARS"))
        _insert_df(con, "municipality_geometry", pd.DataFrame(rows).drop_duplicates("ags") if rows else None)


def _load_sources(con, inventory: dict, manifest: dict, issues: list[Issue], formats: dict[str, str]) -> None:
    used = {r[0]: r[1] for r in con.execute(
        "select source_id, count(*) from indicator_value group by 1").fetchall()}
    rows = []
    for rel, info in inventory.items():
        prov = manifest.get(rel)
        if prov is None:
            if not rel.startswith("statistik/") and rel != "quellen.csv":  # the manifest need not list itself
                issues.append(Issue("warning", "Datei ohne Herkunftsangabe in quellen.csv; nicht beschrieben."
                                    + _path_hint(_same_name(rel, manifest), rel), file=rel,
                                    expected="eine Zeile für diese Datei in quellen.csv"))
            continue
        kind = ("statistics" if rel.startswith("statistik/") else "portfolio" if rel.startswith("portfolio/")
                else {"gemeinden.csv": "municipalities", "gebiete.csv": "regions", "indikatoren.csv": "catalogue",
                      "quellen.csv": "manifest"}.get(rel, "geometry" if rel.endswith("json") else "other"))
        fmt = Path(rel).suffix.lstrip(".").lower()
        rows.append({"source_id": rel, "file_name": rel, "kind": kind, "format": fmt, "title": prov["title"],
                     "origin": prov["origin"], "reference_date": prov["reference_date"],
                     "licence": prov["licence"], "attribution": prov["attribution"],
                     "synthetic": prov["synthetic"], "note": prov["note"], "size_bytes": info["size_bytes"],
                     "sha256": info["sha256"], "rows_loaded": used.get(rel)})
    for rel in manifest:
        if rel not in inventory and rel != "quellen.csv":
            issues.append(Issue("warning", "In quellen.csv genannte Datei fehlt im Ordner."
                                + _path_hint(rel, _same_name(rel, inventory)), file="quellen.csv",
                                value=rel))
    _insert_df(con, "source", pd.DataFrame(rows))
    for sid, fmt in formats.items():
        con.execute("update source set format = ? where source_id = ?", [fmt, sid])


def _write_meta(con, source: Path, manifest: dict, today: dt.date, started: dt.datetime, version_id: str) -> None:
    district = con.execute("select region_key, name from region where level = 'kreis' order by 1 limit 1"
                           ).fetchone()
    state = con.execute("select region_key, name from region where level = 'land' order by 1 limit 1").fetchone()
    synthetic = any(p["synthetic"] for p in manifest.values())
    stand_stats = con.execute("select max(period) from indicator_value").fetchone()[0]
    stand_portfolio = con.execute("select max(as_of) from initiative").fetchone()[0]
    stands = [d for d in (stand_portfolio, stand_stats) if d is not None]
    meta = {
        "district_key": district[0], "district_name": district[1],
        "state_key": state[0] if state else "", "state_name": state[1] if state else "",
        "synthetic": "true" if synthetic else "false",
        "stand": (max(stands).isoformat() if stands else today.isoformat()),
        "stand_statistics": stand_stats.isoformat() if stand_stats else "",
        "stand_portfolio": stand_portfolio.isoformat() if stand_portfolio else "",
        "built_at": started.isoformat(timespec="seconds"), "source_dir": str(source.resolve()),
        "today": today.isoformat(), "version_id": version_id,
    }
    con.executemany("insert into meta values (?, ?)", list(meta.items()))


def _write_run(con, db_path: Path, source: Path, report: BuildReport, started: dt.datetime, t0: float) -> None:
    # Keep the run history of the database being replaced.
    if db_path.exists():
        try:
            con.execute(f"attach '{db_path}' as old (read_only)")
            cols = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_catalog = 'old' "
                "and table_name = 'etl_run'").fetchall()]
            if cols:
                keep = [c for c in cols if c in {r[0] for r in con.execute(
                    "select column_name from information_schema.columns where table_name = 'etl_run' "
                    "and table_catalog <> 'old'").fetchall()}]
                con.execute(f"insert into etl_run ({', '.join(keep)}) select {', '.join(keep)} from old.etl_run")
            con.execute("detach old")
        except duckdb.Error:
            pass  # an unreadable old database only loses its history, never the new build
    warnings = [i for i in report.issues if i.severity == "warning"]
    _insert_df(con, "validation_issue", pd.DataFrame([
        {"run_id": report.run_id, "severity": i.severity, "file": i.file, "sheet": i.sheet, "row": i.row,
         "col": i.column, "value": i.value, "message": i.message, "expected": i.expected}
        for i in report.issues]) if report.issues else None)
    _insert_df(con, "data_test", pd.DataFrame([
        {"run_id": report.run_id, "test_name": t.name, "description": t.description,
         "failing_rows": t.failing_rows, "sample": t.sample or None} for t in report.data_tests]))
    report.duration_s = time.perf_counter() - t0
    con.execute("insert into etl_run values (?, ?, ?, ?, 'ok', ?, ?, ?, ?, 0, ?, ?)", [
        report.run_id, started, dt.datetime.now(), round(report.duration_s, 3), str(source.resolve()),
        json.dumps(report.files, ensure_ascii=False), json.dumps(report.row_counts),
        len(warnings), json.dumps([{"name": t.name, "severity": t.severity, "failing_rows": t.failing_rows}
                                   for t in report.data_tests]),
        f"{len(warnings)} Warnungen"])


def _log_failed_run(db_path: Path, report: BuildReport, source: Path, started: dt.datetime,
                    exc: BaseException) -> None:
    errors = exc.issues if isinstance(exc, InputError) else []
    record = {
        "run_id": report.run_id, "started_at": started.isoformat(timespec="seconds"),
        "duration_s": round(report.duration_s, 3), "status": "failed", "source_dir": str(source),
        "files": report.files, "errors": [e.text() for e in errors][:200] or [f"{type(exc).__name__}: {exc}"],
        "warnings": len([i for i in report.issues if i.severity == "warning"]),
    }
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with db_path.with_name("etl_runs.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError:
        pass
