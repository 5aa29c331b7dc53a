"""The audit log (ROLES.md): one JSON line per sign-in, report or list download, appended to
``data/audit.jsonl`` (``$REGIONALMONITOR_AUDIT_LOG``). Minimal until the roles work lands."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from monitor.data.access import Access

ENV = "REGIONALMONITOR_AUDIT_LOG"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "audit.jsonl"


def log_path() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT_PATH)


def record(access: Access, action: str, filters: str = "", internal: bool = False) -> None:
    """Append one entry (one ``write`` on a file opened for appending, so lines of several processes
    never interleave)."""
    entry = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "user": access.user,
             "role": str(access.role), "action": action, "filters": filters,
             "scope": "intern" if internal else "öffentlich"}
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
