"""The audit log: who took which file out of the app (and, from the sign-in, who signed in), when, with which
selection, public or internal. One JSON object per line in ``data/audit.jsonl`` (``$REGIONALMONITOR_AUDIT_LOG``
overrides; git-ignored)::

    {"time": "2026-07-15T10:12:03+02:00", "user": "a.b@lra-gr.de", "role": "leitung", "action": "liste",
     "filters": "Zeitraum 01.07.2025 – 30.06.2026 · Thema: Mobilität", "internal": false}

- **Append-only and safe across processes**: each entry is one ``write`` of one line to a file opened with
  ``O_APPEND`` (the kernel puts it at the end, whole), never rewritten by the app; lines are bounded in length.
- **Recorded when the file is made**: :func:`logged` wraps a download's builder (Streamlit runs it on the click),
  so an entry means a file was handed out; when the entry cannot be written the file is not handed out either.
- **Read by the Kompetenzstelle only** (:func:`recent`: the newest entries, read from the end of the file, so a long
  log costs no more than a short one); for every other role nothing is read.
- No contact data and no free text of the workbook enter it: the selection is named by period, themes,
  municipalities (AGS), statuses and the list's own filters.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from monitor.core import format as fmt
from monitor.core.vocab import THEME_BY_ID
from monitor.data.access import Access, Role
from monitor.data.db import ROOT
from monitor.data.filters import Filters

AUDIT_ENV = "REGIONALMONITOR_AUDIT_LOG"
DEFAULT_LOG = ROOT / "data" / "audit.jsonl"
#: action -> German label (the sign-in records "anmeldung"; "Daten aktualisieren" the publish and the rollback,
#: naming the version in the selection text).
ACTIONS = {"anmeldung": "Anmeldung", "bericht": "Bericht", "liste": "Liste", "steckbrief": "Steckbrief",
           "tabelle": "Tabelle", "veroeffentlichung": "Veröffentlichung", "wiederherstellung": "Wiederherstellung"}
#: Actions that hand out no file (their "Fassung" is '–').
NO_FILE = {"anmeldung", "veroeffentlichung", "wiederherstellung"}
#: How many entries the Daten page shows (the newest).
SHOWN = 200
MAX_TEXT = 1000  # characters of the selection text kept per entry (bounded lines)
COLUMNS = ["Zeit", "Person", "Rolle", "Aktion", "Auswahl", "Fassung"]
_BLOCK = 64 * 1024


def log_path() -> Path:
    """The audit log file: ``$REGIONALMONITOR_AUDIT_LOG`` or ``data/audit.jsonl``."""
    return Path(os.environ.get(AUDIT_ENV) or DEFAULT_LOG)


def record(access: Access, action: str, filters: str = "", internal: bool = False,
           now: dt.datetime | None = None) -> None:
    """Append one entry (``action`` a key of :data:`ACTIONS`). Raises ``OSError`` when it cannot be written."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    when = (now or dt.datetime.now(dt.timezone.utc)).astimezone()
    entry = {"time": when.isoformat(timespec="seconds"), "user": access.user[:200], "role": access.role.value,
             "action": action, "filters": filters[:MAX_TEXT], "internal": bool(internal)}
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)  # one write of one line: whole, at the end, whatever other processes append
    finally:
        os.close(fd)


def logged(build: Callable[[], bytes], access: Access, action: str, filters: str = "",
           internal: bool = False) -> Callable[[], bytes]:
    """``build`` wrapped for a download button: makes the file, records the entry, returns the bytes."""
    def run() -> bytes:
        data = build()
        record(access, action, filters, internal)
        return data
    return run


def describe(f: Filters, extra: Mapping[str, object] | None = None) -> str:
    """The selection as audit text: 'Zeitraum 01.07.2025 – 30.06.2026 · Thema: Mobilität · Gemeinde: 14626060'
    plus ``extra`` (label -> value or sequence; empty ones left out)."""
    parts = [f"Zeitraum {f.period_text()}"]
    named = {"Thema": [THEME_BY_ID[t].name_de if t in THEME_BY_ID else t for t in f.themes],
             "Gemeinde": list(f.municipalities), "Status": list(f.statuses), **(extra or {})}
    for label, value in named.items():
        values = [value] if isinstance(value, str) else list(value or ())
        values = [str(v) for v in values if str(v).strip()]
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    return " · ".join(parts)


def _tail_lines(path: Path, n: int) -> list[bytes]:
    """The last ``n`` complete lines of ``path`` (oldest first), read backwards in blocks."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return []
    with fh:
        end = fh.seek(0, os.SEEK_END)
        data, pos = b"", end
        while pos > 0 and data.count(b"\n") <= n:
            step = min(_BLOCK, pos)
            pos -= step
            fh.seek(pos)
            data = fh.read(step) + data
    lines = data.split(b"\n")
    if pos > 0:
        lines = lines[1:]  # the first piece may be a partial line
    return [ln for ln in lines if ln.strip()][-n:]


def recent(access: Access, limit: int = SHOWN) -> pd.DataFrame | None:
    """The entries of the newest ``limit`` lines, newest first, as a display table (:data:`COLUMNS`); None
    (nothing read) without ``access.data_updates``. Lines that are not valid entries are skipped."""
    if not access.data_updates:
        return None
    rows = []
    for raw in reversed(_tail_lines(log_path(), limit)):
        try:
            e = json.loads(raw)
            when = dt.datetime.fromisoformat(e["time"])
        except (ValueError, KeyError, TypeError):
            continue
        rows.append({
            "Zeit": when.strftime("%d.%m.%Y %H:%M:%S"), "Person": e.get("user") or "lokaler Modus",
            "Rolle": _role_label(e.get("role")), "Aktion": ACTIONS.get(e.get("action"), str(e.get("action"))),
            "Auswahl": e.get("filters") or fmt.MISSING, "Fassung": _version(e),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _role_label(value) -> str:
    role = Role.parse(value if isinstance(value, str) else None)
    return role.label if role else str(value)


def _version(entry: dict) -> str:
    """'intern' or 'öffentlich' for a file; '–' for a sign-in, a publish or a rollback."""
    if entry.get("action") in NO_FILE:
        return fmt.MISSING
    return "intern" if entry.get("internal") else "öffentlich"
