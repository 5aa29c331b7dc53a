"""``etl.check``: an upload is checked on a copy of the live source in a background thread; the live database
is never touched, a failed or discarded check leaves no files, two checks run side by side, abandoned
workspaces are removed, and every check writes one run line."""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from etl import check as chk
from etl.check import discard, get_check, publish_check, recheck, remove_abandoned, start_check
from etl.issues import InputError
from etl.markup import FILLS
from etl.uploads import Upload, accept
from tests.conftest import MINIMAL_TODAY
from tests.minimal_source import MUNIS, ff_row, make_workbook, statistics_lines

TIMEOUT = 120


@pytest.fixture
def live(minimal_build, tmp_path) -> Path:
    """A live database (a copy of the minimal build; its source folder is the minimal source) in its own folder."""
    db = tmp_path / "data" / "monitor.duckdb"
    db.parent.mkdir()
    shutil.copy(minimal_build.db, db)
    yield db
    for c in list(chk._registry.values()):
        if c.db_path == db:
            discard(c.id)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def workbook(**kw) -> bytes:
    buf = io.BytesIO()
    make_workbook(buf, **kw)
    return buf.getvalue()


def valid_upload(title: str = "Rufbus Boxberg – neu") -> Upload:
    return Upload("Portfolio Stand Dezember.xlsx", workbook(title=title))


def invalid_upload() -> Upload:
    return Upload("Portfolio kaputt.xlsx", workbook(status="Umsetzung läuft"))


def run(upload: Upload, db: Path, **kw):
    c = start_check([upload], db, actor="Test Person", today=MINIMAL_TODAY, **kw)
    assert c.wait(TIMEOUT), "the check did not end"
    return c


def runs(db: Path) -> list[dict]:
    path = db.with_name("etl_runs.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def checks_left(db: Path) -> list[Path]:
    root = db.parent / "checks"
    return sorted(root.iterdir()) if root.exists() else []


def test_valid_workbook_builds_a_candidate_beside_the_untouched_live_database(live):
    before = digest(live)
    up = valid_upload()
    c = start_check([up], live, actor="Test Person", today=MINIMAL_TODAY)
    assert c.state == "läuft" and get_check(c.id) is c
    seen = []
    while not c.wait(0.01):
        s = c.snapshot()
        seen.append(s.fraction)
        assert s.step and 0 <= s.fraction <= 1
    s = c.snapshot()
    assert (s.state, s.ok, s.fraction) == ("fertig", True, 1.0)
    assert seen == sorted(seen)  # the bar never moves back
    assert not [i for i in s.issues if i.severity == "error"]
    assert s.candidate_db == c.workspace / "candidate.duckdb" and s.candidate_db.exists()
    assert c.workspace.parent == live.parent / "checks"
    with duckdb.connect(str(s.candidate_db), read_only=True) as con:
        titles = [r[0] for r in con.execute("select title from initiative").fetchall()]
    assert titles == ["Rufbus Boxberg – neu"]
    from etl.changes import ChangeSet  # the preview against the live version (helper "changes")

    assert isinstance(s.changes, ChangeSet) and not s.changes.empty()
    # the workbook replaced the one in portfolio/ under its name (so quellen.csv still describes it)
    assert sorted(p.name for p in (c.source_dir / "portfolio").iterdir()) == ["portfolio.xlsx"]
    assert c.uploads[0].target == "portfolio/portfolio.xlsx" and c.uploads[0].name == "Portfolio Stand Dezember.xlsx"
    assert digest(live) == before
    (line,) = runs(live)
    assert (line["kind"], line["origin"], line["actor"], line["status"]) == ("Prüfung", "Hochladen", "Test Person",
                                                                            "ok")
    assert line["files"][0]["sha256"] == hashlib.sha256(up.data).hexdigest()
    discard(c.id)
    assert get_check(c.id) is None and not checks_left(live)


def test_invalid_workbook_fails_with_its_issues_under_the_uploaded_name_and_leaves_no_files(live):
    before = digest(live)
    c = run(invalid_upload(), live)
    assert (c.state, c.ok, c.candidate_db) == ("fehler", False, None)
    errors = [i for i in c.issues if i.severity == "error"]
    assert [(i.file, i.sheet, i.row, i.column, i.value) for i in errors] == [
        ("Portfolio kaputt.xlsx", "Initiativen", 2, "Status", "Umsetzung läuft")]
    assert any(i.severity == "warning" for i in c.issues)  # the warnings found before the stop are kept
    assert not c.workspace.exists() and not checks_left(live)
    assert digest(live) == before
    (line,) = runs(live)
    assert line["status"] == "failed" and "Umsetzung läuft" in line["errors"][0]
    # the office's own workbook comes back with the faulty cell marked
    marked = load_workbook(io.BytesIO(c.marked_workbook()))
    ini = marked["Initiativen"]
    status = ini.cell(2, [x.value for x in ini[1]].index("Status") + 1)
    assert status.fill.fgColor.rgb == FILLS["error"].fgColor.rgb and "Unbekannter Status" in status.comment.text


def test_two_checks_run_at_once_each_in_its_own_workspace(live):
    before = digest(live)
    good = start_check([valid_upload("Zweiter Titel")], live, actor="A", today=MINIMAL_TODAY)
    bad = start_check([invalid_upload()], live, actor="B", today=MINIMAL_TODAY)
    assert good.workspace != bad.workspace and good.state == bad.state == "läuft"
    assert good.wait(TIMEOUT) and bad.wait(TIMEOUT)
    assert (good.state, bad.state) == ("fertig", "fehler")
    with duckdb.connect(str(good.candidate_db), read_only=True) as con:
        assert con.execute("select title from initiative").fetchall() == [("Zweiter Titel",)]
    assert checks_left(live) == [good.workspace]
    assert sorted((r["actor"], r["status"]) for r in runs(live)) == [("A", "ok"), ("B", "failed")]
    assert digest(live) == before


def test_new_statistics_export_goes_to_statistik_and_its_values_reach_the_candidate(live):
    lines = statistics_lines()
    lines[1] = ff_row(MUNIS[0][0], "GEMEIN", 2022, 4444)  # a changed value
    data = ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")
    (accepted,) = accept([Upload("bev.csv", data)])  # what a page accepted earlier is checked again and taken
    c = run(accepted, live)
    assert c.ok, [i.text() for i in c.issues]
    assert (c.uploads[0].kind, c.uploads[0].target, c.uploads[0].data) == ("statistik", "statistik/bev.csv", b"")
    with duckdb.connect(str(c.candidate_db), read_only=True) as con:
        value = con.execute("select value from indicator_value where indicator_id = 'population' "
                            "and region_key = ? and year(period) = 2022", [MUNIS[0][0]]).fetchone()[0]
    assert value == 4444


def test_declarations_run_on_the_workspace_before_the_build(live):
    seen = []

    def declare(source_dir: Path) -> None:
        seen.append((source_dir, (source_dir / "portfolio" / "portfolio.xlsx").read_bytes()))
        assert not (source_dir.parent / "candidate.duckdb").exists()
    up = valid_upload()
    c = run(up, live, declarations=declare)
    assert c.ok and seen == [(c.source_dir, up.data)]


def test_a_refused_declaration_fails_the_check_with_its_issue(live):
    from etl.issues import Issue

    def declare(source_dir: Path) -> None:
        raise InputError(Issue("error", "Indikator unbekannt.", file="indikatoren.csv"))
    c = run(valid_upload(), live, declarations=declare)
    assert not c.ok and [i.message for i in c.issues] == ["Indikator unbekannt."] and not checks_left(live)


def test_the_change_preview_compares_live_and_candidate(live, monkeypatch):
    calls = []
    monkeypatch.setattr(chk, "compare",
                        lambda live_db, candidate_db: calls.append((live_db, candidate_db)) or "die Änderungen")
    c = run(valid_upload(), live)
    assert c.ok and c.changes == "die Änderungen" and calls == [(live, c.candidate_db)]
    bad = run(invalid_upload(), live)
    assert bad.changes is None and len(calls) == 1  # a failed build is not compared


def test_a_check_discarded_while_it_runs_removes_its_workspace(live):
    c = start_check([valid_upload()], live, actor="A", today=MINIMAL_TODAY)
    discard(c.id)
    assert get_check(c.id) is None
    assert c.wait(TIMEOUT)
    deadline = time.time() + 10
    while c.workspace.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert not c.workspace.exists() and not checks_left(live)


def test_remove_abandoned_removes_workspaces_of_dead_processes_and_old_ones(live):
    c = run(valid_upload(), live)  # finished and registered: kept
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    root = live.parent / "checks"
    now = time.time()

    def fake(name: str, pid: int, age_h: float) -> Path:
        ws = root / name
        (ws / "source").mkdir(parents=True)
        started = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now - age_h * 3600))
        (ws / "check.json").write_text(json.dumps({"id": name, "pid": pid, "started": started}))
        return ws
    gone_dead = fake("x-dead", dead.pid, 0.1)
    gone_old = fake("x-old", 1, 13)  # pid 1 lives, but the workspace is older than 12 h
    gone_mine = fake("x-unregistered", __import__("os").getpid(), 0.1)
    kept = fake("x-other-live-process", 1, 0.1)
    removed = remove_abandoned(live)
    assert sorted(removed) == sorted([gone_dead, gone_old, gone_mine])
    assert c.workspace.exists() and kept.exists() and not gone_dead.exists()


def test_finished_checks_expire_from_the_registry_with_their_workspace(live, monkeypatch):
    c = run(valid_upload(), live)
    assert c.workspace.exists()
    monkeypatch.setattr(chk, "KEEP_FINISHED_S", 0)
    time.sleep(0.01)
    assert get_check(c.id) is None and not c.workspace.exists()


def test_refused_uploads_start_no_check(live):
    with pytest.raises(InputError) as exc:
        start_check([Upload("x.pdf", b"%PDF-1.7")], live, actor="A")
    assert exc.value.issues[0].file == "x.pdf"
    assert not checks_left(live) and not runs(live)


def test_build_reports_to_a_progress_instance(minimal_build, tmp_path):
    from etl.build import Progress, build

    class Recording(Progress):
        def __init__(self):
            super().__init__(False)
            self.seen = []

        def step(self, text):
            self.seen.append(("step", text))

        def files(self, items, desc):
            self.seen.append(("files", tuple(items)))
            return items
    pr = Recording()
    build(minimal_build.source, tmp_path / "x.duckdb", today=MINIMAL_TODAY, progress=pr)
    assert ("files", ("statistik/bev.csv",)) in pr.seen and ("step", "Datentests") in pr.seen
    assert [t for k, t in pr.seen if k == "step"][-2:] == ["Marts", "Datentests"]


def live_titles(db: Path) -> list[str]:
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach ? as db (read_only)", [str(db)])
        return [r[0] for r in con.execute("select title from db.initiative order by 1").fetchall()]
    finally:
        con.close()


def test_publishing_a_check_makes_its_candidate_live_and_stores_the_version(live):
    from etl.versions import list_versions, live_version_id

    c = run(valid_upload("Veröffentlicht"), live)
    version = publish_check(c.id, actor="Frau Amt")
    assert live_version_id(live) == version.id == c.version_id
    assert live_titles(live) == ["Veröffentlicht"]
    (stored,) = list_versions(live)
    assert (stored.id, stored.actor, stored.origin, stored.base, stored.live) == (
        version.id, "Frau Amt", "Hochladen", c.base, True)
    assert stored.summary == c.changes.summary() and stored.changes == c.changes.as_dict()
    assert get_check(c.id) is None and not checks_left(live)
    assert [r["kind"] for r in runs(live)] == ["Prüfung", "Veröffentlichung"]
    with pytest.raises(InputError):  # a second click finds the check gone
        publish_check(c.id, actor="Frau Amt")


def test_the_second_to_publish_is_told_the_live_version_changed_and_gets_a_fresh_check(live):
    from etl.versions import LiveChanged, live_version_id

    first = start_check([valid_upload("Erste")], live, actor="A", today=MINIMAL_TODAY)
    second = start_check([valid_upload("Zweite")], live, actor="B", today=MINIMAL_TODAY)
    assert first.wait(TIMEOUT) and second.wait(TIMEOUT) and first.ok and second.ok
    assert first.base == second.base
    published = publish_check(first.id, actor="A")
    with pytest.raises(LiveChanged) as exc:
        publish_check(second.id, actor="B")
    assert exc.value.live_id == published.id
    assert live_titles(live) == ["Erste"]  # nothing overwritten
    assert get_check(second.id) is second and second.workspace.exists()  # kept for the fresh check
    fresh = recheck(second.id, actor="B")
    assert fresh.wait(TIMEOUT) and fresh.ok and fresh.base == published.id
    assert get_check(second.id) is None and not second.workspace.exists()
    assert fresh.changes is not None and not fresh.changes.empty()  # previewed against "Erste"
    publish_check(fresh.id, actor="B")
    assert live_titles(live) == ["Zweite"] and live_version_id(live) == fresh.version_id


def test_a_failed_check_cannot_be_published(live):
    c = run(invalid_upload(), live)
    with pytest.raises(InputError) as exc:
        publish_check(c.id, actor="A")
    assert "Fehler" in exc.value.issues[0].message
