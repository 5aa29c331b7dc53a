"""Daten aktualisieren (issue #17) under AppTest: the section only for the Kompetenzstelle, every operation of
``monitor.app.updates`` refusing other roles on the server, and the flow upload → check → preview → publish,
versions and rollback, the conflict of two publishes and the run log, with the real check on copies of the
minimal source (tests/minimal_source.py). Expected values come from that source and the workbooks written here.
"""
from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from etl import versions
from monitor.app import updates
from monitor.data.access import FULL, Access, Role
from tests.app_helpers import capture_downloads, new_app, open_page
from tests.conftest import MINIMAL_TODAY, serving
from tests.minimal_source import FF_HEADER, MUNIS, ff_row, make_workbook

PAGE = "pages/daten.py"
OLD_TITLE, NEW_TITLE = "Rufbus Boxberg", "Rufbus Boxberg und Umland"
BAD_STATUS = "Erfunden"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHECK_TIMEOUT_S = 60


@pytest.fixture
def live(minimal_build, tmp_path):
    """The minimal build published as the first version of a live database in its own folder (versions, runs,
    checks, audit log), served to the app; yields its Path."""
    db = tmp_path / "live" / "monitor.duckdb"
    db.parent.mkdir()
    candidate = tmp_path / "candidate.duckdb"
    shutil.copy(minimal_build.db, candidate)
    versions.publish(candidate, minimal_build.source, db, actor="test", origin="Kommandozeile")
    with serving(db, MINIMAL_TODAY):
        yield db


def workbook(tmp_path: Path, name: str = "portfolio.xlsx", **kwargs) -> tuple[str, bytes, str]:
    """An upload of the minimal workbook written with ``make_workbook(**kwargs)``."""
    path = tmp_path / "upload" / name
    path.parent.mkdir(exist_ok=True)
    make_workbook(path, **kwargs)
    return name, path.read_bytes(), XLSX


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def title_in(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select title from initiative where initiative_id = 'I-001'").fetchone()[0]


def as_role(monkeypatch, role: str) -> None:
    monkeypatch.setenv("REGIONALMONITOR_ROLE", role)


def upload_and_check(at, files) -> None:
    """Upload ``files`` on the open Daten page, start the check and run the app until its result shows."""
    at.file_uploader(key="updates_uploader").set_value(files)
    at.run()
    at.button(key="updates_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    wait_for_check(at)
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def wait_for_check(at) -> None:
    """Wait until the check of the session ``at`` has ended (the page's fragment would poll it)."""
    assert updates.check(FULL, at.session_state[updates.CHECK_KEY]).wait(CHECK_TIMEOUT_S), "the check did not end"


def click(at, key: str):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> list[str]:
    return [e.value for e in elements]


# ---------------------------------------------------------------- who sees it
@pytest.mark.parametrize("role", ["kompetenzstelle", "leitung", "partner"])
def test_section_only_for_the_kompetenzstelle(app, monkeypatch, role):
    as_role(monkeypatch, role)
    at = open_page(app, PAGE)
    labels = [t.label for t in at.tabs]
    office = role == "kompetenzstelle"
    assert ("Daten aktualisieren" in labels) == ("Versionen" in labels) == office
    assert bool(at.get("file_uploader")) == office
    assert ("Importläufe" in labels) == (role != "partner")


@pytest.mark.parametrize("role", [Role.LEITUNG, Role.PARTNER])
def test_every_operation_refuses_other_roles(live, tmp_path, role):
    access = Access(role, "jemand@example.org")
    name, data, _ = workbook(tmp_path)
    calls = {
        "start": lambda: updates.start(access, [(name, data)]),
        "check": lambda: updates.check(access, "x"),
        "discard": lambda: updates.discard(access, "x"),
        "recheck": lambda: updates.recheck(access, "x"),
        "new_exports": lambda: updates.new_exports(access, [(name, data)]),
        "issues_table": lambda: updates.issues_table(access, []),
        "marked": lambda: updates.marked(access, None),
        "publish": lambda: updates.publish(access, "x"),
        "restore": lambda: updates.restore(access, "x"),
        "version_list": lambda: updates.version_list(access),
    }
    for label, call in calls.items():
        with pytest.raises(updates.NotAllowed, match="Kompetenzstelle"):
            call()
            pytest.fail(f"{label} did not refuse {role}")
    assert not (live.parent / "checks").exists() or not any((live.parent / "checks").iterdir())
    if role is Role.PARTNER:
        with pytest.raises(updates.NotAllowed):
            updates.run_log(access)


# ---------------------------------------------------------------- the flow
def test_valid_workbook_check_preview_publish(live, tmp_path, monkeypatch):
    log = live.parent / "audit.jsonl"
    at = open_page(new_app(), PAGE)
    upload_and_check(at, [workbook(tmp_path, title=NEW_TITLE)])
    assert any("keine Fehler" in s for s in texts(at.success))
    assert title_in(live) == OLD_TITLE  # nothing is live yet
    assert any("Noch ist nichts veröffentlicht" in m for m in texts(at.markdown))
    preview = [d.value for d in at.dataframe if "Neu" in d.value.columns]
    assert any((OLD_TITLE in df.to_numpy()) and (NEW_TITLE in df.to_numpy()) for df in preview), preview

    click(at, "updates_publish")
    assert title_in(live) == OLD_TITLE  # the confirmation comes first
    click(at, "updates_publish_confirm")
    assert title_in(live) == NEW_TITLE
    (done,) = [s for s in texts(at.success) if "ist jetzt aktiv" in s]
    (version,) = [v for v in updates.version_list(FULL) if v.live]
    assert version.id in done and version.origin == "Hochladen"
    assert updates.CHECK_KEY not in at.session_state
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["action"], version.id in e["filters"]) for e in entries] == [("veroeffentlichung", True)]


def test_invalid_workbook_error_table_and_marked_copy(live, tmp_path, monkeypatch):
    offered = capture_downloads(monkeypatch)
    before, kept = sha256(live), versions.list_versions(live)
    at = open_page(new_app(), PAGE)
    upload_and_check(at, [workbook(tmp_path, status=BAD_STATUS)])
    assert any("Fehler gefunden" in e for e in texts(at.error))
    (table,) = [d.value for d in at.dataframe if list(d.value.columns) == updates.ISSUE_COLUMNS]
    bad = table[table["Wert"] == BAD_STATUS]
    assert len(bad) >= 1 and set(bad["Art"]) == {"Fehler"} and set(bad["Spalte"]) == {"Status"}
    assert set(bad["Blatt"]) == {"Initiativen"} and set(bad["Zeile"]) == {2}
    assert not _has_button(at, "updates_publish")  # nothing to publish
    marked = offered["updates_marked"]()
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(marked))["Initiativen"]
    status_col = [c.value for c in sheet[1]].index("Status") + 1
    cell = sheet.cell(row=2, column=status_col)
    assert cell.value == BAD_STATUS and cell.comment is not None
    assert sha256(live) == before and versions.list_versions(live) == kept


def _has_button(at, key: str) -> bool:
    return any(b.key == key for b in at.button)


def test_second_publish_is_refused_with_the_conflict(live, tmp_path):
    first, second = open_page(new_app(), PAGE), open_page(new_app(), PAGE)
    upload_and_check(first, [workbook(tmp_path, title=NEW_TITLE)])
    upload_and_check(second, [workbook(tmp_path, title="Rufbus Boxberg Nord")])
    click(click(first, "updates_publish"), "updates_publish_confirm")
    assert title_in(live) == NEW_TITLE
    click(click(second, "updates_publish"), "updates_publish_confirm")
    assert title_in(live) == NEW_TITLE  # nothing overwritten silently
    assert any("andere Version veröffentlicht" in e and "Veröffentlicht wurde nichts" in e
               for e in texts(second.error))
    click(second, "updates_recheck")  # a fresh check against the new live version
    wait_for_check(second)
    second.run()
    preview = [d.value for d in second.dataframe if "Neu" in d.value.columns]
    assert any(NEW_TITLE in df.to_numpy() and "Rufbus Boxberg Nord" in df.to_numpy() for df in preview)


def test_versions_and_rollback(live, tmp_path):
    at = open_page(new_app(), PAGE)
    upload_and_check(at, [workbook(tmp_path, title=NEW_TITLE)])
    click(click(at, "updates_publish"), "updates_publish_confirm")
    upload_and_check(at, [workbook(tmp_path, title="Rufbus Boxberg Nord")])
    click(click(at, "updates_publish"), "updates_publish_confirm")
    vs = updates.version_list(FULL)
    table = next(d.value for d in at.dataframe if list(d.value.columns) == updates.VERSION_COLUMNS)
    assert list(table["Version"]) == [v.id for v in vs] and list(table["Aktiv"]).count("aktiv") == 1
    older = next(v for v in vs if not v.live and NEW_TITLE in title_of_version(live, v.id))
    at.selectbox(key="updates_version_choice").set_value(older.id).run()
    click(at, "updates_restore_ask")
    assert title_in(live) == "Rufbus Boxberg Nord"
    click(at, "updates_restore_confirm")
    assert title_in(live) == NEW_TITLE
    assert any(f"Version {older.id} ist wieder aktiv" in s for s in texts(at.success))
    entries = [json.loads(line) for line in (live.parent / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["action"] for e in entries][-1] == "wiederherstellung"


def title_of_version(live: Path, version_id: str) -> str:
    return title_in(live.parent / "versions" / version_id / "monitor.duckdb")


@pytest.mark.parametrize("role", ["kompetenzstelle", "leitung"])
def test_run_log_lists_every_run(live, tmp_path, monkeypatch, role):
    at = open_page(new_app(), PAGE)
    upload_and_check(at, [workbook(tmp_path, status=BAD_STATUS)])
    click(at, "updates_discard")
    upload_and_check(at, [workbook(tmp_path, title=NEW_TITLE)])
    click(click(at, "updates_publish"), "updates_publish_confirm")
    as_role(monkeypatch, role)
    at = open_page(new_app(), PAGE)
    runs = next(d.value for d in at.dataframe if list(d.value.columns) == updates.RUN_COLUMNS)
    logged = updates.run_log(FULL)
    assert list(runs["Lauf-ID"]) == [r["run_id"] for r in logged]
    assert "fehlgeschlagen" in set(runs["Ergebnis"]) and "erfolgreich" in set(runs["Ergebnis"])
    if role == "kompetenzstelle":
        assert list(runs["Wer"]) == [r["actor"] for r in logged]
        assert updates.actor(Access()) in set(runs["Wer"])
    else:  # Leitung: who ran it is left out
        assert set(runs["Wer"]) == {"–"}
    failed = next(r for r in logged if r["status"] == "failed")
    errors = [d.value for d in at.dataframe if list(d.value.columns) == ["Fehler"]]
    assert any(set(df["Fehler"]) == set(failed["errors"]) for df in errors)


def test_upload_limit_matches_the_etl():
    """The server refuses what the ETL would refuse anyway, and nothing the ETL accepts."""
    import tomllib

    from etl import uploads
    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    largest = max(uploads.MAX_WORKBOOK_BYTES, uploads.MAX_STATISTICS_BYTES) >> 20
    assert config["server"]["maxUploadSize"] == largest == updates.UPLOAD_MB


def new_export() -> tuple[str, bytes, str]:
    """A GENESIS flat file of a variable the minimal catalogue does not load (BEVDICHT), two years."""
    lines = [FF_HEADER] + [ff_row(ags, "GEMEIN", year, round(pop / 100), var="BEVDICHT")
                           for year in (2023, 2024) for ags, _, pop in MUNIS]
    return "dichte.csv", ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"), "text/csv"


def test_new_export_is_declared_in_the_form(live, tmp_path):
    name, data, mime = new_export()
    (export,) = updates.new_exports(FULL, [(name, data)])
    assert {p.source_variable for p in export.proposals} == {"BEVDICHT"}
    at = open_page(new_app(), PAGE)
    at.file_uploader(key="updates_uploader").set_value([(name, data, mime)]).run()
    assert not at.exception, [e.value for e in at.exception]
    (editor,) = at.data_editor
    assert list(editor.value["Kennung"]) == [p.indicator_id for p in export.proposals]
    assert export.description.summary() in texts(at.text)
    # the office chooses the theme (the form proposes none) and starts the check
    at.session_state["updates_declare_0"] = {"edited_rows": {"0": {"Thema": "Bevölkerung"}}, "added_rows": [],
                                             "deleted_rows": []}
    at.run()
    at.button(key="updates_start").click().run()
    wait_for_check(at)
    at.run()
    assert any("keine Fehler" in s for s in texts(at.success)), [e.value for e in at.error]
    (indicators,) = [d.value for d in at.dataframe if "Indikator" in d.value.columns and "Änderung" in d.value.columns]
    assert (export.proposals[0].indicator_id, "neu") in set(zip(indicators["ID"], indicators["Änderung"]))
    click(click(at, "updates_publish"), "updates_publish_confirm")
    with duckdb.connect(str(live), read_only=True) as con:
        theme, n = con.execute("select i.theme, count(v.value) from indicator i join indicator_value v "
                               "using (indicator_id) where indicator_id = ? group by all",
                               [export.proposals[0].indicator_id]).fetchone()
    assert theme == "demography" and n == 2 * len(MUNIS)


def test_a_refused_file_is_named_and_starts_no_check(live):
    from etl.issues import InputError
    from etl.uploads import Upload, accept

    name, data = "notizen.docx", b"PK\x03\x04 nicht wirklich ein Dokument"
    with pytest.raises(InputError) as refused:
        accept([Upload(name, data)])
    at = open_page(new_app(), PAGE)
    at.file_uploader(key="updates_uploader").set_value([(name, data, "application/octet-stream")]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("können nicht geprüft werden" in e for e in texts(at.error))
    (table,) = [d.value for d in at.dataframe if list(d.value.columns) == updates.ISSUE_COLUMNS]
    assert list(table["Hinweis"]) == [i.message for i in refused.value.issues]
    assert not _has_button(at, "updates_start") and updates.CHECK_KEY not in at.session_state
    assert not (live.parent / "checks").exists()
