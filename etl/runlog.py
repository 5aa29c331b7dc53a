"""The run log: every run (import, check, publication, rollback; succeeded or failed) as one JSON line in
``<db folder>/etl_runs.jsonl``.

A line's fields: run_id, started_at (ISO), duration_s, kind ("Import" | "Prüfung" | "Veröffentlichung" |
"Wiederherstellung"), origin ("Kommandozeile" | "Hochladen" | "Zeitplan" | "Wiederherstellung"), actor, status
("ok" | "failed"), version_id (or null), files, errors (German lines, at most 200), warnings (a count); failed
imports also carry source_dir. The file only grows (years of runs): :func:`read_runs` reads it from its end, and
a damaged line (a cut-off write, a hand edit) is skipped, never fatal.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import uuid
from pathlib import Path

LOG_NAME = "etl_runs.jsonl"
MAX_ERRORS = 200
KINDS = ("Import", "Prüfung", "Veröffentlichung", "Wiederherstellung")
_BLOCK = 1 << 16


def log_path(db_path: Path) -> Path:
    """The run log beside the database ``db_path``."""
    return Path(db_path).with_name(LOG_NAME)


def os_user() -> str:
    """The operating-system user running this process (the actor of command-line runs)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container without a passwd entry
        return f"uid {os.getuid()}"


def new_run_id(started: dt.datetime | None = None) -> str:
    """A sortable run id like the build's: '20261203T184400-ab12cd'."""
    return (started or dt.datetime.now()).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def append_run(db_path: Path, record: dict) -> None:
    """Append ``record`` as one line to the run log beside ``db_path`` (run_id and started_at filled in when
    missing, errors cut to 200). One ``write`` on a file opened for appending, so runs of several processes
    never interleave within a line."""
    rec = dict(record)
    rec.setdefault("run_id", new_run_id())
    rec.setdefault("started_at", dt.datetime.now().isoformat(timespec="seconds"))
    if rec.get("errors"):
        rec["errors"] = [str(e) for e in rec["errors"]][:MAX_ERRORS]
    line = (json.dumps(rec, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    path = log_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_runs(db_path: Path, limit: int = 200) -> list[dict]:
    """The newest ``limit`` runs of the log beside ``db_path``, newest first; [] without a log. Reads blocks
    from the end of the file until it has enough lines; lines that are no JSON object are skipped."""
    path = log_path(db_path)
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return []
    out: list[dict] = []
    with fh:
        pos = fh.seek(0, os.SEEK_END)
        rest = b""
        while len(out) < limit:
            if pos == 0:
                if rest:
                    _add(out, rest)
                break
            step = min(_BLOCK, pos)
            pos -= step
            fh.seek(pos)
            lines = (fh.read(step) + rest).split(b"\n")
            rest = lines.pop(0)  # maybe the tail of a line that starts in the block before
            for raw in reversed(lines):
                _add(out, raw)
    return out[:limit]


def _add(out: list[dict], raw: bytes) -> None:
    if not raw.strip():
        return
    try:
        rec = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError too
        return
    if isinstance(rec, dict):
        out.append(rec)
