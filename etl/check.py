"""The check of uploaded files on a copy: the ETL builds a candidate database in a background thread.

``start_check(uploads, db_path, actor=…)`` accepts the uploads (``etl.uploads.accept``), creates the workspace
``<db folder>/checks/<id>/`` and returns a running :class:`Check`; its thread copies the live version's source
folder to ``<workspace>/source`` (``etl.versions.materialize_source``), puts the uploads in place (the workbook
replaces the one in ``portfolio/`` under that file's name, so ``quellen.csv`` still describes it; a statistics
export goes to ``statistik/``), applies the declarations of new exports, builds
``<workspace>/candidate.duckdb`` with the ETL's own ``build`` and, when that succeeded, compares it with the
live database (``etl.changes.compare``). The live database is only read.

``publish_check`` makes a successful check's candidate live (``etl.versions.publish`` with the check's base as
the expected live version, so the second of two checks to publish gets LiveChanged); ``recheck`` checks the
same uploads again against the version live now. A failed or discarded check removes its workspace at once; a
finished one keeps it (for publishing) until it is discarded or expires (:data:`KEEP_FINISHED_S`);
``remove_abandoned`` removes the workspaces of dead processes and those older than 12 h. Every check appends
one line (kind "Prüfung") to the run log.

The Streamlit side reads a check from another thread: the state lives in one frozen :class:`CheckStatus`
replaced as a whole under a lock, so ``check.snapshot()`` is always consistent.
"""
from __future__ import annotations

import atexit
import datetime as dt
import getpass
import json
import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from etl.build import Progress, build
from etl.changes import compare
from etl.issues import InputError, Issue
from etl.runlog import append_run
from etl.uploads import Accepted, Upload, accept
from etl.versions import Version, live_version_id, materialize_source, publish

RUNNING, DONE, FAILED = "läuft", "fertig", "fehler"
#: Checks building at the same time (each a DuckDB build of up to REGIONALMONITOR_ETL_MEMORY).
MAX_RUNNING = max(1, int(os.environ.get("REGIONALMONITOR_CHECKS_RUNNING", "3")))
#: A finished check (and its workspace) is kept this long for publishing, then discarded.
KEEP_FINISHED_S = float(os.environ.get("REGIONALMONITOR_CHECK_KEEP_H", "2")) * 3600
#: Checks kept in the registry (running ones always; the oldest finished ones go first).
MAX_KEPT = 10
MAX_ERRORS_LOGGED = 200
CHECKS_DIR = "checks"
META_FILE = "check.json"


@dataclass(frozen=True)
class CheckStatus:
    """One consistent view of a check: state "läuft" | "fertig" | "fehler", progress 0..1 with a German step
    text, the issues (errors and warnings), and when ok the candidate database and the ChangeSet."""

    state: str = RUNNING
    fraction: float = 0.0
    step: str = "Prüfung wird vorbereitet"
    issues: tuple[Issue, ...] = ()
    ok: bool = False
    candidate_db: Path | None = None
    changes: object | None = None  # etl.changes.ChangeSet
    version_id: str | None = None  # the candidate's id (meta version_id), published as that version
    finished: float | None = None  # time.time() when it ended


class Cancelled(BaseException):
    """The check was discarded while it ran: the build unwinds (its temporary files removed)."""


class Check:
    """One check job (see the module docstring); attributes are read-only snapshots."""

    def __init__(self, check_id: str, db_path: Path, workspace: Path, base: str | None, uploads: list[Accepted],
                 actor: str):
        self.id = check_id
        self.db_path = db_path
        self.workspace = workspace
        self.base = base
        self.actor = actor
        self.started = dt.datetime.now()
        self._uploads = tuple(uploads)
        self._status = CheckStatus()
        self._lock = threading.Lock()
        self._discarded = False
        self._thread: threading.Thread | None = None
        self._publishing = threading.Lock()
        self._declarations = None  # kept for a recheck
        self._today: dt.date | None = None

    # -- reading (any thread)
    def snapshot(self) -> CheckStatus:
        return self._status

    state = property(lambda self: self._status.state)
    fraction = property(lambda self: self._status.fraction)
    step = property(lambda self: self._status.step)
    ok = property(lambda self: self._status.ok)
    candidate_db = property(lambda self: self._status.candidate_db)
    changes = property(lambda self: self._status.changes)
    version_id = property(lambda self: self._status.version_id)

    @property
    def issues(self) -> list[Issue]:
        return list(self._status.issues)

    @property
    def uploads(self) -> list[Accepted]:
        return list(self._uploads)

    @property
    def source_dir(self) -> Path:
        """The workspace's source folder (what a publish stores with the version)."""
        return self.workspace / "source"

    @property
    def workbook(self) -> Accepted | None:
        """The uploaded portfolio workbook (with its bytes), if any."""
        return next((a for a in self._uploads if a.kind == "portfolio"), None)

    def marked_workbook(self) -> bytes | None:
        """The uploaded workbook with its faulty cells filled and commented (``etl.markup``), None without one."""
        from etl.markup import marked_workbook

        book = self.workbook
        if book is None:
            return None
        return marked_workbook(book.data, self.issues, file_name=book.name)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background thread; True when the check has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.state != RUNNING

    # -- the worker's side
    def _set(self, **changes) -> None:
        with self._lock:
            if "fraction" in changes:  # the bar never moves back
                changes["fraction"] = max(self._status.fraction, min(1.0, float(changes["fraction"])))
            self._status = replace(self._status, **changes)

    def _progress(self, fraction: float, step: str) -> None:
        if self._discarded:
            raise Cancelled()
        self._set(fraction=fraction, step=step)


class _CheckProgress(Progress):
    """The build's progress reported to the check: a fraction and a German step text (build.py's steps)."""

    #: (start of the build's step text, fraction reached, text shown)
    STEPS = (("Quellordner", 0.08, "Quellordner wird gelesen"),
             ("Gemeinden", 0.15, "Gemeinden, Gebiete und Indikatorkatalog gelesen"),
             ("Indikatorwerte", 0.7, "Indikatorwerte berechnet; Portfolio-Arbeitsmappe wird geprüft"),
             ("Marts", 0.82, "Auswertungen werden berechnet"),
             ("Datentests", 0.9, "Datentests laufen"))
    FILES = (0.15, 0.65)  # the statistics files share this stretch of the bar

    def __init__(self, check: Check):
        super().__init__(False)
        self.check = check

    def step(self, text: str) -> None:
        words = text.split()
        for start, fraction, shown in self.STEPS:
            if start in words[:2]:
                self.check._progress(fraction, shown)
                return
        self.check._progress(self.check.fraction, text)

    def files(self, items: list, desc: str):
        lo, hi = self.FILES
        n = max(len(items), 1)
        for i, item in enumerate(items):
            self.check._progress(lo + (hi - lo) * i / n, f"Statistikdatei {i + 1} von {len(items)} wird gelesen")
            yield item


# ---------------------------------------------------------------------------------------------- registry
_registry: dict[str, Check] = {}
_registry_lock = threading.Lock()


def get_check(check_id: str) -> Check | None:
    """The check of that id in this process, or None (unknown, discarded or expired)."""
    _expire()
    with _registry_lock:
        return _registry.get(check_id)


def discard(check_id: str) -> None:
    """Forget the check and remove its workspace (a running check stops at its next step and then removes it)."""
    with _registry_lock:
        check = _registry.pop(check_id, None)
    if check is None:
        return
    with check._lock:
        check._discarded = True
        running = check._status.state == RUNNING
    if not running:
        _remove_workspace(check.workspace)


def _expire() -> None:
    now = time.time()
    with _registry_lock:
        finished = sorted((c for c in _registry.values() if c.state != RUNNING),
                          key=lambda c: c.snapshot().finished or 0)
        old = [c for c in finished if now - (c.snapshot().finished or now) > KEEP_FINISHED_S]
        surplus = max(0, len(_registry) - MAX_KEPT)
        gone = {c.id for c in old} | {c.id for c in finished[:surplus]}
    for check_id in gone:
        discard(check_id)


@atexit.register
def _discard_all() -> None:
    """A stopping app process leaves no workspaces behind (a running build dies with the process)."""
    with _registry_lock:
        checks = list(_registry.values())
    for check in checks:
        discard(check.id)
        _remove_workspace(check.workspace)


# ---------------------------------------------------------------------------------------------- start
def checks_dir(db_path: Path) -> Path:
    return Path(db_path).parent / CHECKS_DIR


def start_check(uploads: list[Upload | Accepted], db_path: Path, *, actor: str, declarations=None,
                today: dt.date | None = None) -> Check:
    """Accept ``uploads`` (``Upload`` or ``Accepted`` items, checked here again; InputError when refused),
    create the workspace and start the check in a background thread; returns at once. ``declarations``: None,
    a callable ``f(source_dir)`` run on the workspace's source folder before the build, or
    ``(file_name, indicators, source)`` tuples for ``etl.declare.declare``. ``today``: the build's reference
    day (default: today; the app may pass its own)."""
    db_path = Path(db_path)
    accepted = accept(uploads)  # again for Accepted ones too: the server decides, whatever a page did before
    remove_abandoned(db_path)
    _expire()
    base = live_version_id(db_path)
    with _registry_lock:
        running = sum(c.state == RUNNING for c in _registry.values())
        if running >= MAX_RUNNING:
            raise InputError(Issue("error", f"Es laufen bereits {running} Prüfungen.",
                                   expected="warten, bis eine davon fertig ist, und dann erneut prüfen"))
        check_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
        workspace = checks_dir(db_path) / check_id
        check = Check(check_id, db_path, workspace, base, accepted, actor)
        check._declarations, check._today = declarations, today
        _registry[check_id] = check  # before the folder exists: remove_abandoned skips registered checks
    try:
        workspace.mkdir(parents=True)
        (workspace / META_FILE).write_text(json.dumps({
            "id": check_id, "pid": os.getpid(), "process_start": _process_start(os.getpid()),
            "started": check.started.isoformat(timespec="seconds"), "actor": actor, "base": check.base,
        }, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        discard(check_id)
        raise InputError(Issue("error", f"Der Arbeitsordner der Prüfung kann nicht angelegt werden "
                                        f"({exc.strerror or exc}).", file=str(workspace.parent),
                               expected="Schreibrecht und freien Platz im Ordner der Datenbank")) from exc
    check._thread = threading.Thread(target=_run, args=(check, declarations, today), daemon=True,
                                     name=f"regionalmonitor-check-{check_id}")
    try:
        check._thread.start()
    except RuntimeError:  # no thread to be had: nothing runs, nothing stays
        check._set(state=FAILED, finished=time.time())
        discard(check_id)
        raise
    return check


def _run(check: Check, declarations, today: dt.date | None) -> None:
    t0 = time.perf_counter()
    issues: list[Issue] = []
    names: dict[str, str] = {}
    try:
        check._progress(0.02, "Kopie der Live-Daten wird angelegt")
        # the live version's source (None: whatever is live now; a change since start_check is caught by
        # publish, which compares with ``base``)
        materialize_source(check.db_path, None, check.source_dir)
        names = _place_uploads(check)
        if declarations is not None:
            check._progress(0.05, "Neue Statistik-Exporte werden im Katalog eingetragen")
            _declare(declarations, check.source_dir)
        candidate = check.workspace / "candidate.duckdb"
        report = build(check.source_dir, candidate, today=today, progress=_CheckProgress(check))
        issues = _renamed(report.issues, names)
        check._progress(0.95, "Änderungen gegenüber der Live-Version werden ermittelt")
        changes, problem = _compare(check.db_path, candidate)
        if problem is not None:
            issues.append(problem)
        with check._lock:
            check._status = replace(check._status, state=DONE, fraction=1.0, step="Prüfung abgeschlossen",
                                    issues=tuple(issues), ok=True, candidate_db=candidate, changes=changes,
                                    version_id=report.version_id, finished=time.time())
            discarded = check._discarded
        if discarded:
            _remove_workspace(check.workspace)
    except BaseException as exc:  # noqa: BLE001 - every failure ends the check, none escapes the thread
        if isinstance(exc, InputError):
            found = getattr(exc, "report", None)
            warnings = [i for i in found.issues if i.severity != "error"] if found is not None else []
            issues = _renamed(exc.issues + [i for i in warnings if i not in exc.issues], names)
        elif not isinstance(exc, Cancelled):
            issues = [Issue("error", f"Interner Fehler bei der Prüfung ({type(exc).__name__}: {exc}).",
                            expected="die Prüfung wiederholen; bleibt der Fehler, die Betreuung informieren")]
        with check._lock:
            check._status = replace(check._status, state=FAILED, step="Prüfung fehlgeschlagen",
                                    issues=tuple(issues), ok=False, finished=time.time())
        _remove_workspace(check.workspace)
    finally:
        _log_check(check, time.perf_counter() - t0)


def _place_uploads(check: Check) -> dict[str, str]:
    """Write the uploads into the workspace's source folder; returns {file name in the folder: uploaded name}
    for the files that got another name (the workbook takes the name of the one it replaces)."""
    src = check.source_dir
    renamed: dict[str, str] = {}
    placed = []
    for a in check.uploads:
        target = a.target
        if a.kind == "portfolio":
            folder = src / "portfolio"
            old = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$")) if folder.is_dir() else []
            for p in old:
                p.unlink()
            if len(old) == 1:
                target = f"portfolio/{old[0].name}"
        path = src / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(a.data)
        if Path(target).name != a.name:
            renamed[Path(target).name] = a.name
            renamed[target] = str(Path(a.target))
        # only the workbook's bytes stay in memory (for the marked-up copy); exports can be hundreds of MB
        placed.append(replace(a, target=target, data=a.data if a.kind == "portfolio" else b""))
    check._uploads = tuple(placed)
    return renamed


def _renamed(issues: list[Issue], names: dict[str, str]) -> list[Issue]:
    """The issues with the office's own file names (the workbook was built under the replaced one's name)."""
    return [replace(i, file=names[i.file]) if i.file in names else i for i in issues]


def _declare(declarations, source_dir: Path) -> None:
    if callable(declarations):
        declarations(source_dir)
        return
    from etl.declare import declare  # the helper "declare" (issue #17)

    for file_name, indicators, source in declarations:
        declare(source_dir, file_name, indicators, source)


def _compare(live: Path, candidate: Path):
    """(ChangeSet or None, a warning Issue when the preview failed)."""
    try:
        return compare(live if live.exists() else None, candidate), None
    except Exception as exc:  # noqa: BLE001 - the check itself succeeded; only the preview is missing
        return None, Issue("warning", f"Die Vorschau der Änderungen ist nicht möglich ({type(exc).__name__}: "
                                      f"{exc}).")


# ---------------------------------------------------------------------------------------------- publish
def _gone() -> InputError:
    return InputError(Issue("error", "Diese Prüfung gibt es nicht mehr (verworfen, abgelaufen oder schon "
                                     "veröffentlicht).", expected="die Dateien erneut hochladen und prüfen"))


def publish_check(check_id: str, *, actor: str, keep: int | None = None) -> Version:
    """Publish the finished, successful check ``check_id`` through ``etl.versions.publish`` (origin
    "Hochladen"; ``expected_live`` is the check's base; the ChangeSet's summary and JSON are stored with the
    version) and discard it. LiveChanged when another version went live since the check began (the check
    stays, for :func:`recheck`); InputError when the check is gone, still running or failed."""
    check = get_check(check_id)
    if check is None:
        raise _gone()
    with check._publishing:  # a double click: the second finds the check gone
        if get_check(check_id) is None:
            raise _gone()
        s = check.snapshot()
        if not s.ok or s.candidate_db is None:
            raise InputError(Issue("error", "Die Prüfung ist noch nicht fertig oder hat Fehler gefunden; "
                                            "veröffentlicht wird nur eine fehlerfreie Prüfung.",
                                   expected="die Fehler beheben und erneut prüfen"))
        version = publish(s.candidate_db, check.source_dir, check.db_path, actor=actor, origin="Hochladen",
                          expected_live=check.base, summary=s.changes.summary() if s.changes else "",
                          changes=s.changes.as_dict() if s.changes else None, keep=keep)
        discard(check_id)
    return version


def recheck(check_id: str, *, actor: str) -> Check:
    """A fresh check of the same uploads (and declarations) against the version live now, e.g. after
    LiveChanged; the old check is discarded. Statistics exports are read back from its workspace."""
    old = get_check(check_id)
    if old is None or old.state != DONE:
        raise _gone()
    try:
        uploads = [Upload(a.name, a.data or (old.source_dir / a.target).read_bytes()) for a in old.uploads]
    except OSError as exc:
        raise _gone() from exc
    new = start_check(uploads, old.db_path, actor=actor, declarations=old._declarations, today=old._today)
    discard(check_id)
    return new


# ---------------------------------------------------------------------------------------------- workspaces
def remove_abandoned(db_path: Path, max_age_h: float = 12) -> list[Path]:
    """Remove the check workspaces under ``<db folder>/checks/`` that no running check of a live process owns:
    those of dead processes, of this process but no longer registered, and any older than ``max_age_h``
    (unless running here). Returns the removed folders."""
    root = checks_dir(db_path)
    if not root.is_dir():
        return []
    with _registry_lock:
        mine = {c.id: c for c in _registry.values()}
    removed = []
    now = time.time()
    for ws in sorted(root.iterdir()):
        if not ws.is_dir():
            continue
        check = mine.get(ws.name)
        if check is not None and (check.state == RUNNING or now - check.started.timestamp() < max_age_h * 3600):
            continue
        try:
            meta = json.loads((ws / META_FILE).read_text(encoding="utf-8"))
            started = dt.datetime.fromisoformat(meta["started"]).timestamp()
        except (OSError, ValueError, KeyError, TypeError):
            meta, started = {}, ws.stat().st_mtime
        pid = meta.get("pid")
        dead = isinstance(pid, int) and (pid == os.getpid() and check is None
                                         or not _alive(pid, meta.get("process_start")))
        if dead or now - started > max_age_h * 3600:
            _remove_workspace(ws)
            removed.append(ws)
    return removed


def _remove_workspace(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    try:  # the checks/ folder itself goes once empty
        path.parent.rmdir()
    except OSError:
        pass


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid from the original."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int, process_start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return process_start is None or _process_start(pid) in (None, process_start)


# ---------------------------------------------------------------------------------------------- run log
def _log_check(check: Check, duration_s: float) -> None:
    s = check.snapshot()
    errors = [i.text() for i in s.issues if i.severity == "error"]
    record = {
        "run_id": check.id, "started_at": check.started.isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 3), "kind": "Prüfung", "origin": "Hochladen", "actor": check.actor,
        "status": "ok" if s.ok else "failed", "version_id": s.version_id, "base": check.base,
        "files": [{"name": a.name, "size": a.size, "sha256": a.sha256, "target": a.target} for a in check.uploads],
        "errors": errors[:MAX_ERRORS_LOGGED], "warnings": sum(i.severity == "warning" for i in s.issues),
    }
    if check._discarded and not s.ok:
        record["errors"] = record["errors"] or ["Prüfung verworfen."]
    try:
        append_run(check.db_path, record)
    except OSError:
        pass  # a log that cannot be written never fails the check


def local_actor() -> str:
    """The actor of a check started without sign-in: 'lokal (<OS user>)'."""
    try:
        return f"lokal ({getpass.getuser()})"
    except (KeyError, OSError):
        return "lokal"
