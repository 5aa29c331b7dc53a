"""The command line of versions: ``python -m etl`` publishes its build, ``versions`` lists, ``rollback`` restores;
the old call (options only) works as before."""
from __future__ import annotations

import hashlib
import re
import shutil

import pytest

from etl import versions
from etl.__main__ import main
from etl.runlog import os_user, read_runs
from tests.conftest import MINIMAL_TODAY

LINE = re.compile(r"^(\d{8}-\d{6}-[0-9a-f]{4})  (\(aktiv\)| {7})  (\d\d\.\d\d\.\d{4} \d\d:\d\d)  (\S+)  (\S+)  (.+)$")


@pytest.fixture()
def case(minimal_build, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(minimal_build.source, src)
    db = tmp_path / "data" / "monitor.duckdb"
    db.parent.mkdir()
    return src, db


def etl(capsys, *args: str) -> tuple[int, str, str]:
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def build_args(src, db, *more) -> list:
    return ["--source", src, "--db", db, "--quiet", "--today", MINIMAL_TODAY.isoformat(), *more]


def listed(capsys, db) -> list[re.Match]:
    rc, out, _ = etl(capsys, "versions", "--db", db)
    assert rc == 0
    lines = out.splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    return matches


def test_import_publishes_lists_and_rolls_back(case, capsys):
    src, db = case
    rc, out, err = etl(capsys, *build_args(src, db))
    assert rc == 0, err
    assert "Fertig in" in out and "Warnungen:" in out  # the output as before …
    first = re.search(r"^Version (\S+) ist jetzt aktiv\.$", out, re.M).group(1)  # … plus the version
    assert versions.live_version_id(db) == first
    assert not [p for p in db.parent.iterdir() if ".tmp-" in p.name]
    runs = read_runs(db)
    assert [(r["kind"], r["status"], r["version_id"], r["origin"], r["actor"]) for r in runs] == [
        ("Veröffentlichung", "ok", first, "Kommandozeile", os_user()),
        ("Import", "ok", first, "Kommandozeile", os_user())]
    assert runs[1]["files"] and runs[1]["warnings"] >= 0 and runs[1]["duration_s"] > 0

    rc, out, err = etl(capsys, *build_args(src, db))
    second = re.search(r"^Version (\S+) ist jetzt aktiv\.$", out, re.M).group(1)
    lines = listed(capsys, db)
    assert [m.group(1) for m in lines] == [second, first]
    assert [m.group(2) for m in lines] == ["(aktiv)", " " * 7]
    assert {m.group(4) for m in lines} == {os_user()} and {m.group(5) for m in lines} == {"Kommandozeile"}

    rc, out, err = etl(capsys, "rollback", first, "--db", db)
    assert rc == 0, err
    assert f"Version {first} ist jetzt aktiv" in out
    assert versions.live_version_id(db) == first
    assert [m.group(2) for m in listed(capsys, db)] == [" " * 7, "(aktiv)"]

    rc, out, err = etl(capsys, *build_args(src, db, "--keep", "1"))
    assert rc == 0, err
    third = re.search(r"^Version (\S+) ist jetzt aktiv\.$", out, re.M).group(1)
    assert [m.group(1) for m in listed(capsys, db)] == [third]


def test_rollback_of_an_unknown_version_is_refused_in_german(case, capsys):
    src, db = case
    assert etl(capsys, *build_args(src, db))[0] == 0
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    rc, out, err = etl(capsys, "rollback", "20000101-000000-0000", "--db", db)
    assert rc == 1 and out == ""
    assert "Wiederherstellung abgebrochen" in err and "20000101-000000-0000" in err and "gibt es nicht" in err
    assert "Traceback" not in err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    with pytest.raises(SystemExit) as exc:  # no id at all: a wrong call
        main(["rollback", "--db", str(db)])
    assert exc.value.code == 2


def test_a_failed_import_publishes_nothing(case, capsys):
    src, db = case
    assert etl(capsys, *build_args(src, db))[0] == 0
    before = [v.id for v in versions.list_versions(db)]
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    (src / "gemeinden.csv").unlink()
    rc, out, err = etl(capsys, *build_args(src, db))
    assert rc == 1 and "Pflichtdatei fehlt" in err and "ist jetzt aktiv" not in out
    assert [v.id for v in versions.list_versions(db)] == before
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    last = read_runs(db, 1)[0]
    assert (last["kind"], last["status"], last["origin"]) == ("Import", "failed", "Kommandozeile")
    assert any("gemeinden.csv" in e for e in last["errors"])
    assert not [p for p in db.parent.iterdir() if ".tmp-" in p.name]


def test_versions_of_an_empty_folder_and_wrong_calls(case, capsys):
    _, db = case
    rc, out, err = etl(capsys, "versions", "--db", db)
    assert rc == 0 and out == "" and "Keine gespeicherten Versionen" in err
    for wrong in (["--keep", "0"], ["--keep", "zehn"]):
        with pytest.raises(SystemExit) as exc:
            main(["--db", str(db), *wrong])
        assert exc.value.code == 2
        assert "ganze Zahl ab 1" in capsys.readouterr().err
