"""Published versions (etl/versions.py): publish, list, roll back, prune, the conflict of two publications,
crash safety, the stored source of a version; the run log (etl/runlog.py)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from etl import versions
from etl.build import SUMMARY_TABLES, build
from etl.issues import InputError
from etl.runlog import append_run, log_path, read_runs
from tests.conftest import MINIMAL_TODAY


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def meta_id(db: Path) -> str | None:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("select value from meta where key = 'version_id'").fetchone()
    return row[0] if row else None


@pytest.fixture()
def site(minimal_build, tmp_path):
    """An empty data folder (no live database yet) and a function making candidates: copies of the minimal
    build, each with its own version id (the source they name is the minimal source)."""
    db = tmp_path / "data" / "monitor.duckdb"
    db.parent.mkdir()
    made = []

    def candidate(version_id: str | None = None) -> Path:
        path = tmp_path / "cand" / f"{len(made)}.duckdb"
        path.parent.mkdir(exist_ok=True)
        shutil.copyfile(minimal_build.db, path)
        version_id = version_id or versions.new_version_id()
        with duckdb.connect(str(path)) as con:
            con.execute("update meta set value = ? where key = 'version_id'", [version_id])
        made.append(version_id)
        return path

    return db, candidate, minimal_build.source


def publish(site, **kw) -> versions.Version:
    db, candidate, source = site
    return versions.publish(candidate(), source, db, actor=kw.pop("actor", "Test"),
                            origin=kw.pop("origin", "Hochladen"), **kw)


# ------------------------------------------------------------------------------------ publish, list, rollback
def test_the_build_writes_a_sortable_version_id(minimal_build, tmp_path):
    assert meta_id(minimal_build.db) is not None
    report = build(minimal_build.source, tmp_path / "m.duckdb", today=MINIMAL_TODAY, version_id="20990101-000000-abcd")
    assert report.version_id == meta_id(tmp_path / "m.duckdb") == "20990101-000000-abcd"
    ids = [versions.new_version_id() for _ in range(3)]
    assert len(set(ids)) == 3 and all(len(i.split("-")) == 3 for i in ids)


def test_publish_list_rollback(site):
    db, _, source = site
    assert versions.live_version_id(db) is None and versions.list_versions(db) == []
    first = publish(site, actor="Erika", summary="erste")
    assert versions.live_version_id(db) == meta_id(db) == first.id
    second = publish(site, actor="Max", summary="zweite", changes={"n": 1})
    listed = versions.list_versions(db)
    assert [v.id for v in listed] == [second.id, first.id]
    assert [v.live for v in listed] == [True, False]
    assert (listed[0].actor, listed[0].summary, listed[0].changes, listed[0].base) == ("Max", "zweite", {"n": 1},
                                                                                        first.id)
    assert {f["name"] for f in listed[0].files} == {p.relative_to(source).as_posix()
                                                     for p in source.rglob("*") if p.is_file()}
    assert all(f["sha256"] == sha256(source / f["name"]) and f["size"] == (source / f["name"]).stat().st_size
               for f in listed[0].files)
    stored = versions.versions_dir(db) / first.id / "monitor.duckdb"

    back = versions.rollback(first.id, db, actor="Erika")
    assert back.id == first.id and back.live
    assert meta_id(db) == versions.live_version_id(db) == first.id
    assert sha256(db) == sha256(stored)
    assert os.stat(db).st_ino != os.stat(stored).st_ino  # never the stored file itself
    assert [v.live for v in versions.list_versions(db)] == [False, True]
    kinds = [(r["kind"], r["status"], r["version_id"]) for r in read_runs(db)]
    assert kinds == [("Wiederherstellung", "ok", first.id), ("Veröffentlichung", "ok", second.id),
                     ("Veröffentlichung", "ok", first.id)]
    assert all(r["actor"] and r["run_id"] and r["started_at"] and "duration_s" in r for r in read_runs(db))


def test_unchanged_source_files_are_stored_once(site):
    db, _, source = site
    publish(site)
    publish(site)
    root = versions.versions_dir(db)
    n_files = sum(1 for p in source.rglob("*") if p.is_file())
    assert len(list((root / "blobs").iterdir())) == n_files
    for v in versions.list_versions(db):
        for f in v.files:
            linked = root / v.id / "source" / f["name"]
            assert sha256(linked) == f["sha256"]
            assert linked.stat().st_ino == (root / "blobs" / f["sha256"]).stat().st_ino


def test_the_history_of_the_live_database_is_carried_into_the_new_one(site):
    db, _, _ = site
    publish(site)
    with duckdb.connect(str(db), read_only=True) as con:
        before = {r[0] for r in con.execute("select run_id from etl_run").fetchall()}
    with duckdb.connect(str(db)) as con:  # a run only the live database knows
        con.execute("update etl_run set run_id = 'alt-1'")
    publish(site)
    with duckdb.connect(str(db), read_only=True) as con:
        after = {r[0] for r in con.execute("select run_id from etl_run").fetchall()}
    assert after == before | {"alt-1"}


# ------------------------------------------------------------------------------------------------- pruning
def test_pruning_keeps_the_newest_n_and_the_live_one(site):
    db, _, _ = site
    made = [publish(site, keep=10) for _ in range(4)]
    versions.rollback(made[0].id, db, actor="Test")
    removed = versions.prune(db, keep=2)
    assert sorted(removed) == sorted(v.id for v in made[1:2])
    assert [v.id for v in versions.list_versions(db)] == [made[3].id, made[2].id, made[0].id]
    assert versions.live_version_id(db) == made[0].id


def test_the_number_kept_comes_from_the_environment(site, monkeypatch):
    db, _, _ = site
    monkeypatch.setenv(versions.KEEP_ENV, "2")
    made = [publish(site) for _ in range(3)]
    assert [v.id for v in versions.list_versions(db)] == [made[2].id, made[1].id]
    assert not (versions.versions_dir(db) / made[0].id).exists()
    publish(site, keep=1)
    assert len(versions.list_versions(db)) == 1


def test_source_files_no_version_needs_are_removed(site, tmp_path):
    db, _, source = site
    old = publish(site)
    changed = tmp_path / "src2"
    shutil.copytree(source, changed)
    with (changed / "gebiete.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    cand = tmp_path / "c2.duckdb"
    build(changed, cand, today=MINIMAL_TODAY)
    new = versions.publish(cand, changed, db, actor="Test", origin="Hochladen", keep=1)
    blobs = versions.versions_dir(db) / "blobs"
    assert {p.name for p in blobs.iterdir()} == {f["sha256"] for f in new.files}
    assert not (versions.versions_dir(db) / old.id).exists()
    assert sha256(blobs / next(f["sha256"] for f in new.files if f["name"] == "gebiete.csv")) == \
        sha256(changed / "gebiete.csv")


# ------------------------------------------------------------------------------------------------ conflicts
def test_a_second_publication_after_another_one_is_refused(site):
    db, candidate, source = site
    first = publish(site)
    mine = candidate()
    digest = sha256(db)
    with pytest.raises(versions.LiveChanged) as exc:
        versions.publish(mine, source, db, actor="Max", origin="Hochladen", expected_live=None)
    assert exc.value.live_id == first.id
    assert "Seit Ihrer Prüfung wurde eine andere Version veröffentlicht" in str(exc.value)
    assert first.id in str(exc.value) and "Bitte erneut prüfen." in str(exc.value)
    assert sha256(db) == digest and mine.exists()
    assert [v.id for v in versions.list_versions(db)] == [first.id]
    assert read_runs(db, 1)[0]["status"] == "failed" and "Seit Ihrer Prüfung" in read_runs(db, 1)[0]["errors"][0]
    again = versions.publish(mine, source, db, actor="Max", origin="Hochladen", expected_live=first.id)
    assert versions.live_version_id(db) == again.id


def test_a_crash_between_storing_and_replacing_leaves_the_live_file(site, monkeypatch):
    db, candidate, source = site
    first = publish(site)
    digest = sha256(db)
    real_replace = os.replace

    def crash(src, dst, *a, **kw):
        if Path(dst) == db:
            raise OSError(5, "simulated crash")
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", crash)
    cand = candidate()
    with pytest.raises(InputError, match="simulated crash"):
        versions.publish(cand, source, db, actor="Test", origin="Hochladen")
    monkeypatch.undo()
    assert sha256(db) == digest and versions.live_version_id(db) == first.id
    assert [v.id for v in versions.list_versions(db)] == [first.id]
    assert sorted(p.name for p in db.parent.iterdir()) == ["etl_runs.jsonl", "monitor.duckdb",
                                                           "monitor.duckdb.lock", "versions"]
    assert not [p for p in versions.versions_dir(db).iterdir() if p.name.startswith(".")]


def test_rollback_of_an_unknown_version(site):
    db, _, _ = site
    publish(site)
    digest = sha256(db)
    for bad in ("19990101-000000-0000", "blobs", "../data", ""):
        with pytest.raises(versions.UnknownVersion) as exc:
            versions.rollback(bad, db, actor="Test")
        assert "gibt es nicht" in str(exc.value)
    assert sha256(db) == digest
    assert read_runs(db, 1)[0]["kind"] == "Wiederherstellung" and read_runs(db, 1)[0]["status"] == "failed"


# ----------------------------------------------------------------------------------------- stored sources
def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in SUMMARY_TABLES}


def values(db: Path) -> list:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select * from indicator_value order by all").fetchall()


def test_a_stored_version_rebuilds_the_same_tables(site, minimal_build, tmp_path):
    db, _, _ = site
    v = publish(site)
    dest = versions.materialize_source(db, None, tmp_path / "ws" / "source")
    assert dest == tmp_path / "ws" / "source"
    (dest / "gebiete.csv").write_text("geändert", encoding="utf-8")  # an own copy: the stored one stays
    assert sha256(versions.versions_dir(db) / v.id / "source" / "gebiete.csv") == \
        sha256(minimal_build.source / "gebiete.csv")
    again = versions.materialize_source(db, v.id, tmp_path / "again")
    rebuilt = tmp_path / "rebuilt.duckdb"
    build(again, rebuilt, today=MINIMAL_TODAY)
    assert counts(rebuilt) == counts(db) and values(rebuilt) == values(db)
    stored_folder = tmp_path / "stored.duckdb"  # the version's own source/ folder builds too
    build(versions.versions_dir(db) / v.id / "source", stored_folder, today=MINIMAL_TODAY)
    assert counts(stored_folder) == counts(db)
    with pytest.raises(versions.UnknownVersion):
        versions.materialize_source(db, "19990101-000000-0000", tmp_path / "x")


def test_a_database_without_versions_names_its_source_folder(minimal_build, tmp_path):
    db = tmp_path / "monitor.duckdb"
    shutil.copyfile(minimal_build.db, db)
    dest = versions.materialize_source(db, None, tmp_path / "ws")
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == \
        sorted(p.relative_to(minimal_build.source).as_posix() for p in minimal_build.source.rglob("*")
               if p.is_file())
    # asked by the live file's own id (an upload check asks so), which no stored version has: the same folder
    live = meta_id(db)
    assert live and not versions.list_versions(db)
    again = versions.materialize_source(db, live, tmp_path / "again")
    assert sorted(p.name for p in again.rglob("*") if p.is_file()) == sorted(p.name for p in dest.rglob("*")
                                                                             if p.is_file())


# ------------------------------------------------------------------------------------------------- run log
def test_the_run_log_reads_from_the_end_and_skips_damaged_lines(tmp_path):
    db = tmp_path / "monitor.duckdb"
    assert read_runs(db) == []
    for i in range(3000):
        append_run(db, {"kind": "Prüfung", "status": "ok", "n": i, "errors": ["x" * 30] * (i % 3)})
    with log_path(db).open("ab") as fh:
        fh.write(b'{"kind": "Imp\xff\n[1, 2]\n')  # a cut-off write, a line that is no object
    append_run(db, {"kind": "Import", "status": "failed", "errors": [f"Fehler {i}" for i in range(500)]})
    runs = read_runs(db, limit=250)
    assert len(runs) == 250
    assert runs[0]["kind"] == "Import" and len(runs[0]["errors"]) == 200
    assert [r["n"] for r in runs[1:]] == list(range(2999, 2750, -1))
    assert all(r["run_id"] and r["started_at"] for r in runs)
    assert len(read_runs(db, limit=10_000)) == 3001
    lines = log_path(db).read_text(encoding="utf-8", errors="replace").splitlines()
    assert len(lines) == 3003


def test_every_publication_and_rollback_has_one_line(site):
    db, _, _ = site
    a = publish(site)
    b = publish(site)
    versions.rollback(a.id, db, actor="Erika")
    lines = [json.loads(line) for line in log_path(db).read_text(encoding="utf-8").splitlines()]
    assert [(r["kind"], r["version_id"]) for r in lines] == [
        ("Veröffentlichung", a.id), ("Veröffentlichung", b.id), ("Wiederherstellung", a.id)]
    for r in lines:
        assert set(r) >= {"run_id", "started_at", "duration_s", "kind", "origin", "actor", "status",
                          "version_id", "files", "errors", "warnings"}
        assert r["status"] == "ok" and r["errors"] == [] and r["files"]
