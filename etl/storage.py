"""The folder of the database file: the temporary files of a build, and German answers when it cannot be
written.

A build writes its new database beside the old one as ``.<db>.tmp-<pid>`` (with DuckDB's ``.wal`` and a
``.spill`` folder) and removes them however it ends, except when its process is killed outright (SIGKILL,
power cut). :func:`remove_stale_temporaries` removes what such runs left behind, judged by their process id:
never the files of a process that is still alive.
"""
from __future__ import annotations

import errno
import glob
import os
import re
import shutil
import tempfile
from pathlib import Path

import duckdb

from etl.issues import Issue
from etl.statistics.encoding import TRANSCODE_PREFIX

_PID = re.compile(r"\d+")


def temporary_path(db_path: Path, pid: int | None = None) -> Path:
    """Where the build of process ``pid`` (default: this one) writes the new database."""
    return db_path.with_name(f".{db_path.name}.tmp-{os.getpid() if pid is None else pid}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user: alive
        return True
    return True


def remove_stale_temporaries(db_path: Path) -> list[Path]:
    """Remove the temporary files (``.<db>.tmp-<pid>``, its ``.wal``, its ``.spill`` folder; transcoded copies
    of statistics files in the system's temp folder) of earlier builds whose process no longer runs; returns
    what was removed. Files of live processes (and of this one) stay."""
    return (_remove_dead(db_path.parent, temporary_path(db_path, 0).name[:-1], (".",))  # '.<db>.tmp-'
            + _remove_dead(Path(tempfile.gettempdir()), TRANSCODE_PREFIX, ("_",)))


def _remove_dead(folder: Path, prefix: str, after: tuple[str, ...]) -> list[Path]:
    """Files and folders ``<prefix><pid>[<after>…]`` in ``folder`` whose process is gone, removed."""
    removed = []
    for path in sorted(folder.glob(glob.escape(prefix) + "*")):
        rest = path.name[len(prefix):]
        match = _PID.match(rest)
        if match is None or not (match.end() == len(rest) or rest[match.end()] in after):
            continue
        pid = int(match.group())
        if pid == os.getpid() or _alive(pid):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


#: DuckDB reports write failures as text; the system's wording of the errno values below.
_DUCKDB_TEXTS = {"No space left on device": errno.ENOSPC, "Disk quota exceeded": errno.EDQUOT,
                 "Read-only file system": errno.EROFS, "Permission denied": errno.EACCES}


def storage_issue(exc: BaseException, db_path: Path) -> Issue | None:
    """The German error for a file-system failure while building ``db_path`` (full disk, read-only folder,
    missing rights, a file where a folder belongs), naming the path and what to do; None when ``exc`` is
    no such failure."""
    if isinstance(exc, OSError):
        code, where = exc.errno, Path(exc.filename) if exc.filename else db_path
    elif isinstance(exc, duckdb.IOException):
        code = next((c for text, c in _DUCKDB_TEXTS.items() if text in str(exc)), None)
        if code is None:
            return None
        where = db_path
    else:
        return None
    folder = where if where.is_dir() else where.parent
    if code in (errno.ENOSPC, errno.EDQUOT):
        return Issue("error", f"Kein Speicherplatz mehr frei im Ordner {folder} (dort wird die neue Datenbank "
                              "geschrieben).", file=str(where),
                     expected="Platz schaffen (etwa das Doppelte der bisherigen Datenbank) oder mit --db einen "
                              "anderen Ordner wählen, dann den Import wiederholen")
    if code == errno.EROFS:
        return Issue("error", f"Der Ordner {folder} ist schreibgeschützt; die neue Datenbank kann dort nicht "
                              "geschrieben werden.", file=str(where),
                     expected="den Schreibschutz aufheben oder mit --db einen beschreibbaren Ordner wählen")
    if code in (errno.EACCES, errno.EPERM):
        return Issue("error", f"Keine Berechtigung für {where}.", file=str(where),
                     expected="Lese- und Schreibrechte für den Ordner der Datenbank (bei der IT anfragen) oder "
                              "mit --db einen anderen Ordner wählen")
    if code in (errno.ENOTDIR, errno.EISDIR, errno.EEXIST):
        return Issue("error", f"Der Pfad {where} passt nicht: dort steht eine Datei, wo ein Ordner sein muss, "
                              "oder ein Ordner, wo eine Datei sein muss.", file=str(where),
                     expected="mit --db einen Dateinamen in einem vorhandenen Ordner angeben")
    return Issue("error", f"Datei- oder Ordnerfehler bei {where} ({exc.strerror or exc}).",
                 file=str(where), expected="Pfad, Speicherplatz und Rechte prüfen und den Import wiederholen")
