"""The audit log (monitor/data/audit.py): entries appended as JSON lines, whole even when several processes
write at once, recorded when a download's file is made, read back (newest first, bounded) only for the
Kompetenzstelle."""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing

import pytest

from monitor.data import audit
from monitor.data.access import Access, Role
from monitor.data.filters import Filters
from tests.fixture_db import DEFAULT_FROM, DEFAULT_TO

KOMPETENZSTELLE, LEITUNG, PARTNER = (Access(r, f"{r.value}@example.org") for r in Role)


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "audit.jsonl"
    monkeypatch.setenv(audit.AUDIT_ENV, str(path))
    return path


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_record_appends_one_json_line(log):
    when = dt.datetime(2026, 7, 15, 8, 30, tzinfo=dt.timezone.utc)
    audit.record(LEITUNG, "liste", "Zeitraum x", internal=True, now=when)
    audit.record(PARTNER, "bericht", "Zeitraum y", now=when)
    first, second = _lines(log)
    assert first == {"time": when.astimezone().isoformat(timespec="seconds"), "user": LEITUNG.user,
                     "role": "leitung", "action": "liste", "filters": "Zeitraum x", "internal": True}
    assert (second["role"], second["action"], second["internal"]) == ("partner", "bericht", False)
    with pytest.raises(ValueError):
        audit.record(LEITUNG, "löschen")


def test_lines_are_bounded(log):
    audit.record(Access(Role.LEITUNG, "x" * 5000), "liste", "y" * 50_000)
    entry = _lines(log)[0]
    assert len(entry["filters"]) == audit.MAX_TEXT and len(entry["user"]) < 5000


def _writer(args) -> None:
    path, n, who = args
    import os
    os.environ[audit.AUDIT_ENV] = path
    for k in range(n):
        audit.record(Access(Role.LEITUNG, f"{who}-{k}"), "liste", "Zeitraum " + "z" * 500)


def test_several_processes_append_whole_lines(log):
    log.parent.mkdir(parents=True)
    n, procs = 200, 4
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        pool.map(_writer, [(str(log), n, f"p{p}") for p in range(procs)])
    entries = _lines(log)  # every line parses: none torn or interleaved
    assert sorted(e["user"] for e in entries) == sorted(f"p{p}-{k}" for p in range(procs) for k in range(n))


def test_logged_records_when_the_file_is_made(log):
    built = []
    run = audit.logged(lambda: built.append(1) or b"data", PARTNER, "steckbrief", "Gemeinde: 1")
    assert not log.exists()  # wrapping records nothing: only the click does
    assert run() == b"data" and built == [1]
    assert [(e["action"], e["role"], e["filters"]) for e in _lines(log)] == [("steckbrief", "partner", "Gemeinde: 1")]

    def broken() -> bytes:
        raise RuntimeError("kaputt")
    with pytest.raises(RuntimeError):
        audit.logged(broken, PARTNER, "liste")()
    assert len(_lines(log)) == 1  # no file, no entry


def test_no_file_without_an_entry(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(audit.AUDIT_ENV, str(blocker / "audit.jsonl"))  # a file where the folder should be
    with pytest.raises(OSError):
        audit.logged(lambda: b"data", LEITUNG, "liste")()


def test_recent_newest_first_bounded_and_only_for_the_office(log, monkeypatch):
    base = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.timezone.utc)
    for k in range(30):
        audit.record(LEITUNG if k % 2 else PARTNER, "bericht" if k % 3 else "liste", f"Auswahl {k}",
                     internal=bool(k % 2), now=base + dt.timedelta(minutes=k))
    with log.open("a", encoding="utf-8") as fh:
        fh.write("kein json\n")
    table = audit.recent(KOMPETENZSTELLE, limit=5)
    assert list(table.columns) == audit.COLUMNS
    # the newest 5 lines: the damaged one is skipped
    assert list(table["Auswahl"]) == [f"Auswahl {k}" for k in range(29, 25, -1)]
    newest = table.iloc[0]
    assert newest["Zeit"] == (base + dt.timedelta(minutes=29)).astimezone().strftime("%d.%m.%Y %H:%M:%S")
    assert (newest["Person"], newest["Rolle"], newest["Aktion"], newest["Fassung"]) == (
        LEITUNG.user, "Leitung", "Bericht", "intern")
    assert len(audit.recent(KOMPETENZSTELLE)) == 30

    def must_not_read(*args):
        raise AssertionError("the log was read for a role that may not see it")
    monkeypatch.setattr(audit, "_tail_lines", must_not_read)
    assert audit.recent(LEITUNG) is None and audit.recent(PARTNER) is None


def test_recent_reads_from_the_end_of_a_long_log(log):
    log.parent.mkdir(parents=True)
    filler = json.dumps({"time": "2026-01-01T00:00:00+00:00", "user": "", "role": "leitung", "action": "liste",
                         "filters": "f" * 900, "internal": False})
    log.write_text((filler + "\n") * 2000, encoding="utf-8")
    audit.record(Access(Role.LEITUNG, ""), "liste", "die neueste")
    table = audit.recent(KOMPETENZSTELLE, limit=3)
    assert len(table) == 3 and table.iloc[0]["Auswahl"] == "die neueste"
    assert table.iloc[0]["Person"] == "lokaler Modus"
    assert audit.recent(KOMPETENZSTELLE) is not None and len(audit.recent(KOMPETENZSTELLE)) == audit.SHOWN


def test_recent_without_a_log_is_empty(log):
    assert audit.recent(KOMPETENZSTELLE).empty


def test_describe_names_the_selection():
    f = Filters(DEFAULT_FROM, DEFAULT_TO, ("mobility",), ("14626060",), ("Idee",))
    text = audit.describe(f, {"Träger": ["A", "B"], "Suche": "", "Herkunft": ()})
    assert text == (f"Zeitraum {f.period_text()} · Thema: Mobilität · Gemeinde: 14626060 · Status: Idee"
                    " · Träger: A, B")
