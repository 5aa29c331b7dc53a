"""Published versions of the database: publish a candidate, list, roll back, rebuild's source, prune.

Beside the live database (``<db folder>/monitor.duckdb``):

- ``versions/<id>/monitor.duckdb`` – the published file, an own copy (the live file never shares its inode
  with a stored version, so nothing that opens one can change the other);
- ``versions/<id>/source/`` – the source folder it was built from, as hard links into ``versions/blobs/``
  (read-only); ``python -m etl --source versions/<id>/source`` rebuilds it;
- ``versions/<id>/version.json`` – id, created, actor, origin, files [{name, size, sha256}], summary, changes,
  base (the live id when the check began);
- ``versions/blobs/<sha256>`` – every source file once, by content: an unchanged file costs no copy.

Which version is live is read from the live file itself (``meta.version_id``, written by the build); a database
built before versions existed has none (None). A version folder appears by one rename when it is complete, and
the live file is replaced by ``os.replace`` of a complete, fsynced file, so a crash at any point leaves either
the old or the new live database. Everything that changes the folder runs under the build lock of the live
database (:func:`exclusive`), so an import, a publication and a rollback never interleave.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import json
import os
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.issues import InputError, Issue
from etl.runlog import append_run, new_run_id, read_runs  # noqa: F401 - read_runs: the interface names it here too
from etl.storage import _remove_dead, storage_issue, temporary_path

DEFAULT_KEEP = 10
KEEP_ENV = "REGIONALMONITOR_VERSIONS"
ORIGINS = ("Kommandozeile", "Hochladen", "Zeitplan", "Wiederherstellung")
#: ``publish(expected_live=ANY)``: publish whatever is live (the command line); any other value is compared
ANY = object()
_PARTIAL = ".partial-"  # a version folder or blob being written: ``.partial-<pid>-<name>``
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class Version:
    id: str
    created: dt.datetime
    actor: str
    origin: str
    files: tuple[dict, ...]
    summary: str
    changes: dict | None
    base: str | None
    live: bool


class LiveChanged(Exception):
    """Another version went live since the check began; ``live_id`` is the one live now."""

    def __init__(self, live_id: str | None, expected: str | None):
        self.live_id, self.expected = live_id, expected
        super().__init__(f"Seit Ihrer Prüfung wurde eine andere Version veröffentlicht "
                         f"({live_id or 'eine Datenbank ohne Versionsnummer'}). Bitte erneut prüfen.")


class UnknownVersion(LookupError):
    """No stored version has this id (German ``str``)."""

    def __init__(self, version_id: str):
        self.version_id = version_id
        super().__init__(version_id)

    def __str__(self) -> str:
        return (f"Eine Version {self.version_id!r} gibt es nicht (mehr). Die vorhandenen Versionen zeigt "
                "'python -m etl versions'.")


def new_version_id(now: dt.datetime | None = None) -> str:
    """A new id that sorts by time (UTC), e.g. '20261203-184400-ab12'."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def versions_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "versions"


def keep_count(keep: int | None = None) -> int:
    """How many versions stay: ``keep``, else ``REGIONALMONITOR_VERSIONS``, else 10 (at least 1)."""
    if keep is None:
        try:
            keep = int(os.environ.get(KEEP_ENV, DEFAULT_KEEP))
        except ValueError:
            keep = DEFAULT_KEEP
    return max(1, keep)


# ------------------------------------------------------------------------------------------------ the lock
_held = threading.local()


@contextmanager
def exclusive(db_path: Path):
    """The build lock of ``db_path`` (a second import/publication/rollback is refused with an InputError);
    re-entrant within one thread, so the command line can hold it across its build and publication."""
    from etl.build import build_lock  # the build's imports (pandas, the readers) only where needed

    key = str(Path(db_path).resolve())
    held = getattr(_held, "paths", None)
    if held is None:
        held = _held.paths = set()
    if key in held:
        yield
        return
    with as_input_error(db_path), build_lock(Path(db_path)):
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)


@contextmanager
def as_input_error(db_path: Path):
    """A file-system failure (full disk, read-only folder, missing rights) becomes the German InputError the
    build gives for it; other exceptions pass unchanged."""
    try:
        yield
    except (OSError, duckdb.IOException) as exc:
        issue = storage_issue(exc, Path(db_path))
        if issue is None:
            raise
        raise InputError(issue) from exc


# ------------------------------------------------------------------------------------------------- reading
def live_version_id(db_path: Path) -> str | None:
    """The id in the live database's ``meta``; None without a database, for one built before versions existed
    or for one that cannot be read."""
    db_path = Path(db_path)
    if not db_path.is_file():
        return None
    return _meta_version_id(db_path)


def _meta_version_id(path: Path) -> str | None:
    # attached to an in-memory database, as the app does: a connection by path could be handed the instance
    # another connection of this process holds for that path (a replaced file, another configuration)
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {_sql_text(path)} as v (read_only)")
        row = con.execute("select value from v.meta where key = 'version_id'").fetchone()
        return row[0] if row and row[0] else None
    except duckdb.Error:
        return None
    finally:
        con.close()


def _sql_text(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def list_versions(db_path: Path) -> list[Version]:
    """The stored versions, newest first; ``live`` marks the one live now. Damaged entries are skipped."""
    return _list(versions_dir(db_path), live_version_id(db_path))


def _list(root: Path, live: str | None) -> list[Version]:
    out = []
    if not root.is_dir():
        return []
    for entry in root.iterdir():
        if entry.name.startswith(".") or entry.name == "blobs":
            continue
        version = _read_version(entry, live)
        if version is not None:
            out.append(version)
    out.sort(key=lambda v: (v.created, v.id), reverse=True)
    return out


def _read_version(folder: Path, live: str | None) -> Version | None:
    try:
        d = json.loads((folder / "version.json").read_text(encoding="utf-8"))
        if d["id"] != folder.name:  # renamed by hand: its id would name another folder
            return None
        created = dt.datetime.fromisoformat(d["created"])
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.timezone.utc)
        return Version(id=d["id"], created=created, actor=d.get("actor") or "", origin=d.get("origin") or "",
                       files=tuple(d.get("files") or ()), summary=d.get("summary") or "",
                       changes=d.get("changes"), base=d.get("base"), live=d["id"] == live)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def get_version(db_path: Path, version_id: str) -> Version:
    """The stored version ``version_id``; UnknownVersion when there is none."""
    folder = versions_dir(db_path) / version_id
    version = None
    if version_id and "/" not in version_id and not version_id.startswith(".") and version_id != "blobs":
        version = _read_version(folder, live_version_id(db_path))
    if version is None or version.id != version_id or not (folder / "monitor.duckdb").is_file():
        raise UnknownVersion(version_id)
    return version


# ------------------------------------------------------------------------------------------------- publish
def publish(candidate_db: Path, source_dir: Path, db_path: Path, *, actor: str, origin: str,
            expected_live: str | None | object = ANY, summary: str = "", changes: dict | None = None,
            keep: int | None = None) -> Version:
    """Make ``candidate_db`` (built by ``etl.build.build`` from ``source_dir``) the live database ``db_path``
    and store it as a version (its id from the candidate's ``meta``). When ``expected_live`` is given and another
    version is live, nothing happens and LiveChanged is raised. The candidate file is used up (it becomes the
    live file). Then the oldest versions beyond ``keep`` are removed (never the live one); the run is logged."""
    candidate_db, source_dir, db_path = Path(candidate_db), Path(source_dir), Path(db_path)
    with _logged(db_path, "Veröffentlichung", origin, actor, source_dir=str(source_dir)) as record:
        if candidate_db.resolve() == db_path.resolve():
            raise ValueError("the candidate must not be the live database")
        with exclusive(db_path), as_input_error(db_path):
            version = _store_and_replace(candidate_db, source_dir, db_path, expected_live, actor=actor,
                                         origin=origin, summary=summary, changes=changes)
            record.update(version_id=version.id, files=list(version.files))
            _prune(db_path, keep, version.id)
    return version


@contextmanager
def _logged(db_path: Path, kind: str, origin: str, actor: str, **fields):
    """One line in the run log for the block: status 'ok', or 'failed' with the exception as its errors.
    Yields the record, for the block to add its version id and files."""
    started, t0 = dt.datetime.now(), time.perf_counter()
    record = {"run_id": new_run_id(started), "started_at": started.isoformat(timespec="seconds"), "kind": kind,
              "origin": origin, "actor": actor, "status": "failed", "version_id": None, "files": [],
              "errors": [], "warnings": 0, **fields}
    try:
        yield record
        record["status"] = "ok"
    except BaseException as exc:
        record["errors"] = _error_lines(exc)
        raise
    finally:
        record["duration_s"] = round(time.perf_counter() - t0, 3)
        try:
            append_run(db_path, record)
        except OSError:
            pass  # a run log that cannot be written must not turn a done publication into a failed one


def _error_lines(exc: BaseException) -> list[str]:
    if isinstance(exc, InputError):
        return [i.text() for i in exc.issues]
    if isinstance(exc, (LiveChanged, UnknownVersion)):
        return [str(exc)]
    if isinstance(exc, KeyboardInterrupt):
        return ["abgebrochen (Strg+C)"]
    return [f"{type(exc).__name__}: {exc}"[:300]]


def _store_and_replace(candidate: Path, source_dir: Path, db_path: Path, expected_live, *, actor: str,
                       origin: str, summary: str, changes: dict | None) -> Version:
    version_id, files, base = _prepare_candidate(candidate, db_path, expected_live)
    root = versions_dir(db_path)
    final = root / version_id
    if final.exists():
        raise InputError(Issue("error", f"Die Version {version_id} ist bereits veröffentlicht.",
                               expected="eine neu gebaute Datenbank"))
    root.mkdir(parents=True, exist_ok=True)
    _remove_dead(root, _PARTIAL, ("-",))  # of publications killed outright
    _remove_dead(root / "blobs", _PARTIAL, ("-",))
    created = dt.datetime.now(dt.timezone.utc)
    entry = {"id": version_id, "created": created.isoformat(), "actor": actor,
             "origin": origin, "files": files, "summary": summary, "changes": changes, "base": base}
    partial = root / f"{_PARTIAL}{os.getpid()}-{version_id}"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir()
        for f in files:
            _link_or_copy(_blob(root, source_dir, f), partial / "source" / f["name"])
        _copy_file_synced(candidate, partial / "monitor.duckdb")
        _write_synced(partial / "version.json", json.dumps(entry, ensure_ascii=False, indent=1).encode("utf-8"))
        os.rename(partial, final)
        _sync_dir(root)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    try:
        _replace_live(candidate, db_path)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)  # never live: it must not appear in the list
        raise
    return Version(id=version_id, created=created, actor=actor, origin=origin, files=tuple(files),
                   summary=summary, changes=changes, base=base, live=True)


def _prepare_candidate(candidate: Path, db_path: Path, expected_live) -> tuple[str, list[dict], str | None]:
    """The candidate's version id, its source files (of its build's ``etl_run``) and the live id (LiveChanged
    when it is not ``expected_live``); the run history of the live database is carried into the candidate, as a
    build on the live path does. One connection: opening DuckDB files is the slow part of a publication."""
    con = duckdb.connect(str(candidate))
    try:
        attached = db_path.is_file() and _attach_old(con, db_path)
        live = None
        if attached:
            row = con.execute("select max(value) from old.meta where key = 'version_id'").fetchone()
            live = row[0] if row and row[0] else None
        if expected_live is not ANY and expected_live != live:
            raise LiveChanged(live, expected_live)
        row = con.execute("select value from meta where key = 'version_id'").fetchone()
        version_id = row[0] if row and row[0] else None
        if version_id is None:  # built before versions existed: it gets one now
            version_id = new_version_id()
            con.execute("insert into meta values ('version_id', ?)", [version_id])
        row = con.execute("select files from etl_run order by started_at desc limit 1").fetchone()
        files = [{"name": f["name"], "size": f["size_bytes"], "sha256": f["sha256"]}
                 for f in json.loads(row[0] if row and row[0] else "[]")]
        if attached:
            _carry_history(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return version_id, files, live


def _attach_old(con: duckdb.DuckDBPyConnection, db_path: Path) -> bool:
    try:
        con.execute(f"attach {_sql_text(db_path)} as old (read_only)")
        return True
    except duckdb.Error:
        return False  # an unreadable live database: no id, no history; the publication goes on


def _carry_history(con: duckdb.DuckDBPyConnection) -> None:
    try:
        # the columns from empty results: information_schema takes ~10 ms a query
        new = [d[0] for d in con.execute("select * from etl_run limit 0").description]
        old = {d[0] for d in con.execute("select * from old.etl_run limit 0").description}
        cols = [c for c in new if c in old]
        if "run_id" in cols:
            names = ", ".join(cols)
            con.execute(f"insert into etl_run ({names}) select {names} from old.etl_run "
                        "where run_id not in (select run_id from etl_run)")
    except duckdb.Error:
        pass
    finally:
        con.execute("detach old")


def _blob(root: Path, source_dir: Path, f: dict) -> Path:
    """The stored copy of source file ``f`` ({name, size, sha256}), written now unless stored before. A file that
    no longer has the content the build read is refused (the version must rebuild what was checked)."""
    blobs = root / "blobs"
    if f["sha256"] and (blobs / f["sha256"]).is_file():
        return blobs / f["sha256"]
    blobs.mkdir(exist_ok=True)
    partial = blobs / f"{_PARTIAL}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        digest = _copy_synced(source_dir / f["name"], partial)
        f["sha256"] = f["sha256"] or digest  # a build that did not record it (never one that succeeded)
        target = blobs / digest
        if digest != f["sha256"]:
            raise InputError(Issue("error", "Die Datei hat sich seit dem Einlesen geändert; gespeichert wird nur, "
                                            "was geprüft wurde.", file=f["name"],
                                   expected="die Prüfung bzw. den Import wiederholen"))
        os.chmod(partial, 0o444)  # shared by every version holding this content: never written in place
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        _copy_synced(src, dest)


def _copy_synced(src: Path, dest: Path) -> str:
    """Copy ``src`` to ``dest`` (fsynced); returns the sha256 of what was copied."""
    digest = hashlib.sha256()
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        for chunk in iter(lambda: fin.read(_COPY_CHUNK), b""):
            digest.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return digest.hexdigest()


def _copy_file_synced(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` in the kernel (no hash needed), fsynced."""
    shutil.copyfile(src, dest)
    with open(dest, "rb+") as fh:
        os.fsync(fh.fileno())


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _staging_path(db_path: Path) -> Path:
    # '.<db>.tmp-<pid>.publish': removed by the build's clean-up of dead runs should this process be killed
    return temporary_path(db_path).with_name(temporary_path(db_path).name + ".publish")


def _replace_live(complete: Path, db_path: Path, *, consume: bool = True) -> None:
    """``os.replace`` the live database by the complete file ``complete`` (moved when ``consume`` and on the
    same file system, else copied beside the live file first); fsynced before and after."""
    staged = _staging_path(db_path)
    try:
        if consume:
            with open(complete, "rb+") as fh:
                os.fsync(fh.fileno())
            try:
                os.replace(complete, staged)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                _copy_file_synced(complete, staged)
        else:
            _copy_file_synced(complete, staged)
        os.replace(staged, db_path)
        _sync_dir(db_path.parent)
    finally:
        staged.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------ rollback
def rollback(version_id: str, db_path: Path, *, actor: str) -> Version:
    """Make the stored version ``version_id`` live again (a copy of its file replaces the live database);
    UnknownVersion when there is none. Logged as a 'Wiederherstellung'."""
    db_path = Path(db_path)
    with _logged(db_path, "Wiederherstellung", "Wiederherstellung", actor, version_id=version_id) as record, \
            exclusive(db_path):
        version = get_version(db_path, version_id)
        with as_input_error(db_path):
            _replace_live(versions_dir(db_path) / version_id / "monitor.duckdb", db_path, consume=False)
        record["files"] = list(version.files)
    return dataclasses.replace(version, live=True)


# --------------------------------------------------------------------------------------------- the source
def materialize_source(db_path: Path, version_id: str | None, dest: Path) -> Path:
    """Copy the source folder version ``version_id`` was built from to ``dest`` (created; must not hold
    files) and return ``dest``. None: the live version; when that is not stored (a database built before
    versions existed, or by ``build`` without publishing), the folder its last ``etl_run`` names. Own copies, so
    the caller may change them."""
    db_path, dest = Path(db_path), Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise ValueError(f"{dest} is not empty")
    wanted = version_id if version_id is not None else live_version_id(db_path)
    try:
        version = get_version(db_path, wanted) if wanted else None
    except UnknownVersion:
        # the live file's own id without a stored version (built by ``build`` alone, or the folder removed by
        # hand): its source is the folder its last run names, as for a database from before versions
        if version_id is not None and version_id != live_version_id(db_path):
            raise
        version = None
    if version is None:
        return _copy_legacy_source(db_path, dest)
    root = versions_dir(db_path)
    dest.mkdir(parents=True, exist_ok=True)
    for f in version.files:
        target = dest / f["name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        blob = root / "blobs" / str(f["sha256"])
        shutil.copyfile(blob if blob.is_file() else root / version.id / "source" / f["name"], target)
    return dest


def _copy_legacy_source(db_path: Path, dest: Path) -> Path:
    source = None
    if db_path.is_file():
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"attach {_sql_text(db_path)} as v (read_only)")
            row = con.execute("select source_dir from v.etl_run where status = 'ok' "
                              "order by started_at desc limit 1").fetchone()
            source = Path(row[0]) if row and row[0] else None
        except duckdb.Error:
            source = None
        finally:
            con.close()
    if source is None or not source.is_dir():
        raise InputError(Issue("error", "Der Quellordner der aktiven Datenbank ist nicht mehr vorhanden"
                               + (f" ({source})." if source else "."),
                               expected="einmal 'python -m etl --source <Quellordner>' ausführen; danach wird "
                                        "jede Version mit ihren Quelldateien gespeichert"))
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, dest, symlinks=True, dirs_exist_ok=True)  # a link out of the folder stays a link
    return dest


# ------------------------------------------------------------------------------------------------- pruning
def prune(db_path: Path, keep: int | None = None) -> list[str]:
    """Remove the versions beyond the newest ``keep`` (see :func:`keep_count`), never the live one, and the
    stored source files no remaining version needs; returns the removed ids."""
    with exclusive(db_path):
        return _prune(Path(db_path), keep, live_version_id(db_path))


def _prune(db_path: Path, keep: int | None, live: str | None) -> list[str]:
    versions = _list(versions_dir(db_path), live)
    n = keep_count(keep)
    removed = [v.id for i, v in enumerate(versions) if i >= n and not v.live]
    root = versions_dir(db_path)
    for vid in removed:
        shutil.rmtree(root / vid, ignore_errors=True)
    needed = {f.get("sha256") for v in versions if v.id not in removed for f in v.files}
    blobs = root / "blobs"
    if removed and blobs.is_dir():
        for blob in blobs.iterdir():
            if not blob.name.startswith(".") and blob.name not in needed:
                blob.unlink(missing_ok=True)
    return removed
