"""Daten aktualisieren (issue #17): the Kompetenzstelle uploads a workbook or statistics exports, the ETL checks
them on a copy in the background, the page previews what would change, one click publishes; older versions can
be made live again; every import run is listed.

Two halves:

- **Operations** (no widgets): every function that changes or reveals anything takes the session's
  :class:`~monitor.data.access.Access` and checks it again on the server (:func:`require`, :class:`NotAllowed`),
  so hiding the section from other roles is never the only guard. The work itself is the ETL's
  (``etl.uploads``, ``etl.check``, ``etl.changes``, ``etl.declare``, ``etl.markup``, ``etl.versions``); a check
  runs in a thread of this (warm) server process and is found again by its id.
- **Rendering** (:func:`upload_section`, :func:`versions_section`, :func:`runs_section`): the tabs of
  ``pages/daten.py``. Text from files and data is shown as text (tables, ``st.text``), never as Markdown.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from etl import check as etl_check
from etl import declare, runlog, versions
from etl.changes import display
from etl.issues import InputError
from etl.uploads import MAX_FILES, MAX_STATISTICS_BYTES, MAX_WORKBOOK_BYTES, Upload, accept
from monitor.app import ui
from monitor.core import format as fmt
from monitor.core.text import md_text as md
from monitor.core.vocab import INDICATOR_THEMES
from monitor.data import audit, db
from monitor.data.access import Access

DENIED_TEXT = "Nur die Kompetenzstelle darf Daten aktualisieren."
#: Columns of the check's error table.
ISSUE_COLUMNS = ["Art", "Datei", "Blatt", "Zeile", "Spalte", "Wert", "Erwartet", "Hinweis"]
VERSION_COLUMNS = ["Version", "Aktiv", "Zeitpunkt", "Wer", "Herkunft", "Zusammenfassung", "Dateien"]
RUN_COLUMNS = ["Beginn", "Art", "Herkunft", "Wer", "Ergebnis", "Dauer", "Version", "Dateien", "Warnungen",
               "Fehler", "Lauf-ID"]
SEVERITY_DE = {"error": "Fehler", "warning": "Warnung", "info": "Hinweis"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
STATUS_DE = {"ok": "erfolgreich", "failed": "fehlgeschlagen"}


class NotAllowed(PermissionError):
    """The session's role may not do this (German ``str``)."""


def require(access: Access) -> None:
    """Raise :class:`NotAllowed` unless ``access`` may update data (the Kompetenzstelle)."""
    if not access.data_updates:
        raise NotAllowed(DENIED_TEXT)


def actor(access: Access) -> str:
    """Who acts, for versions and the run log: the signed-in person, else 'lokal (<OS user>)'."""
    if access.user:
        return access.user
    try:
        return f"lokal ({getpass.getuser()})"
    except (KeyError, OSError):  # no passwd entry (containers)
        return "lokal"


def db_file() -> Path:
    """The live database this server reads (``REGIONALMONITOR_DB`` or ``data/monitor.duckdb``)."""
    return db.db_path()


# ---------------------------------------------------------------- the check
def start(access: Access, files: list[tuple[str, bytes]], declarations=None):
    """Start the background check of the uploaded ``files`` ((name, bytes) pairs) against the live version; returns
    the ``etl.check.Check``. Raises ``InputError`` (German) for refused files, :class:`NotAllowed`."""
    require(access)
    uploads = [Upload(name, data) for name, data in files]
    return etl_check.start_check(uploads, db_file(), actor=actor(access), declarations=declarations)


def check(access: Access, check_id: str | None):
    """The check ``check_id`` (None when unknown or gone)."""
    require(access)
    return etl_check.get_check(check_id) if check_id else None


@dataclass(frozen=True)
class NewExport:
    """An uploaded statistics export the live catalogue loads nothing from: it needs a declaration. ``name`` is its
    file name in ``statistik/``; ``proposals`` the prefilled new indicator rows (``etl.declare.propose``),
    ``source`` the prefilled ``quellen.csv`` row."""

    name: str
    description: declare.FileDescription
    proposals: tuple[declare.IndicatorDeclaration, ...]
    source: declare.SourceDeclaration


def new_exports(access: Access, files: list[tuple[str, bytes]]) -> list[NewExport]:
    """The uploaded statistics exports among ``files`` that are new to the live catalogue, described and with the
    proposed declarations. An export of which the catalogue already loads a series is an update: it needs none.
    Raises ``InputError`` for files the ETL refuses (the same check as :func:`start`)."""
    require(access)
    accepted = accept([Upload(name, data) for name, data in files])
    stats = [a for a in accepted if a.kind == "statistik"]
    if not stats:
        return []
    out = []
    with _reference_folder() as reference, tempfile.TemporaryDirectory(prefix="regionalmonitor-describe-") as tmp:
        for a in stats:
            path = Path(tmp) / Path(a.target).name
            path.write_bytes(a.data)
            desc = declare.describe(path, reference)
            proposals = declare.propose(desc, reference)
            path.unlink()
            if proposals and not any(p.known_as for p in proposals):
                out.append(NewExport(path.name, desc, tuple(proposals), declare.propose_source(desc)))
    return out


@contextmanager
def _reference_folder():
    """The live version's source folder, to read its catalogue and municipalities (never written): the stored
    version's own folder, or for a database built before versions existed a temporary copy."""
    live = db_file()
    stored = versions.versions_dir(live) / str(versions.live_version_id(live)) / "source"
    if stored.is_dir():
        yield stored
        return
    with tempfile.TemporaryDirectory(prefix="regionalmonitor-reference-") as tmp:
        yield versions.materialize_source(live, None, Path(tmp) / "source")


def recheck(access: Access, check_id: str):
    """A fresh check of the same files (and declarations) against the version live now; the old one is
    discarded. Returns the new ``etl.check.Check``."""
    require(access)
    return etl_check.recheck(check_id, actor=actor(access))


def discard(access: Access, check_id: str) -> None:
    """Forget the check and remove its workspace."""
    require(access)
    etl_check.discard(check_id)


def issues_table(access: Access, issues) -> pd.DataFrame:
    """The check's errors and warnings (``etl.issues.Issue``), errors first: :data:`ISSUE_COLUMNS`."""
    require(access)
    rows = [{"Art": SEVERITY_DE.get(i.severity, i.severity), "Datei": i.file, "Blatt": i.sheet,
             "Zeile": i.row, "Spalte": i.column, "Wert": i.value, "Erwartet": i.expected, "Hinweis": i.message}
            for i in sorted(issues, key=lambda i: SEVERITY_ORDER.get(i.severity, len(SEVERITY_ORDER)))]
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS).astype({"Zeile": "Int64"})


def marked(access: Access, chk) -> bytes | None:
    """The check's uploaded workbook with its faulty cells highlighted and commented (None without a workbook)."""
    require(access)
    return chk.marked_workbook()


def marked_name(name: str) -> str:
    """'portfolio.xlsx' -> 'portfolio_markiert.xlsx'."""
    return f"{Path(name).stem}_markiert.xlsx"


# ---------------------------------------------------------------- publish, versions, runs
def publish(access: Access, check_id: str) -> versions.Version:
    """Make the candidate of the finished, error-free check ``check_id`` the live database
    (``etl.check.publish_check``: only while the live version is still the one the check compared with, else
    ``etl.versions.LiveChanged``) and record it in the audit log."""
    require(access)
    version = etl_check.publish_check(check_id, actor=actor(access))
    audit.record(access, "veroeffentlichung", f"Version {version.id}: {version.summary}"[:audit.MAX_TEXT],
                 internal=True)
    return version


def restore(access: Access, version_id: str) -> versions.Version:
    """Make the kept version ``version_id`` live again (``etl.versions.rollback``) and record the audit entry."""
    require(access)
    version = versions.rollback(version_id, db_file(), actor=actor(access))
    audit.record(access, "wiederherstellung", f"Version {version_id}", internal=True)
    return version


def _time(value) -> str:
    """A datetime or ISO text as '03.12.2026 18:44'; '–' when missing or unreadable."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return fmt.MISSING
    if not isinstance(value, dt.datetime):
        return fmt.MISSING
    if value.tzinfo is not None:
        value = value.astimezone()
    return value.strftime("%d.%m.%Y %H:%M")


def _files_text(files) -> str:
    """The names of a version's or run's files: 'portfolio.xlsx, statistik/bev.csv'."""
    names = [str(f.get("name")) for f in files or () if isinstance(f, dict) and f.get("name")]
    return ", ".join(names) or fmt.MISSING


def version_list(access: Access) -> list[versions.Version]:
    """The kept versions, newest first."""
    require(access)
    return versions.list_versions(db_file())


def versions_table(vs: list[versions.Version]) -> pd.DataFrame:
    """Versions for display: :data:`VERSION_COLUMNS`."""
    rows = [{"Version": v.id, "Zeitpunkt": _time(v.created), "Wer": v.actor, "Herkunft": v.origin,
             "Dateien": _files_text(v.files), "Zusammenfassung": v.summary or fmt.MISSING,
             "Aktiv": "aktiv" if v.live else ""} for v in vs]
    return pd.DataFrame(rows, columns=VERSION_COLUMNS)


def run_log(access: Access, limit: int = 200) -> list[dict]:
    """The run log (``etl.runlog.read_runs``), newest first. Leitung gets it without who ran it (staff names are
    the Kompetenzstelle's business); a Partner gets nothing (:class:`NotAllowed`)."""
    if not access.internal:
        raise NotAllowed("Die Importläufe sind nur intern sichtbar.")
    runs = runlog.read_runs(db_file(), limit)
    if not access.data_updates:
        runs = [{**r, "actor": None} for r in runs]
    return runs


def runs_table(runs: list[dict]) -> pd.DataFrame:
    """Runs for display: :data:`RUN_COLUMNS`."""
    rows = [{"Beginn": _time(r.get("started_at")), "Art": r.get("kind") or "Import",
             "Herkunft": r.get("origin") or fmt.MISSING, "Wer": r.get("actor") or fmt.MISSING,
             "Ergebnis": STATUS_DE.get(r.get("status"), r.get("status")),
             "Dauer": fmt.value_with_unit(r.get("duration_s"), "s", 1), "Version": r.get("version_id") or fmt.MISSING,
             "Dateien": _files_text(r.get("files")), "Warnungen": _count(r.get("warnings")),
             "Fehler": len(r.get("errors") or ()), "Lauf-ID": r.get("run_id") or fmt.MISSING} for r in runs]
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def _count(value) -> int:
    if isinstance(value, list):
        return len(value)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


# ================================================================ rendering (the tabs of pages/daten.py)
CHECK_KEY = "updates_check"  # session state: id of this session's check
DESCRIBED_KEY = "updates_described"  # session state: (the uploader's files, their NewExports)
CONFIRM_KEY = "updates_confirm"  # session state: the publish confirmation is open
DONE_KEY = "updates_done"  # session state: German line of what was just done (shown once)
CONFLICT_KEY = "updates_conflict"  # session state: German message of a refused publish (live version changed)
SESSION_KEYS = (CHECK_KEY, DESCRIBED_KEY, CONFIRM_KEY, CONFLICT_KEY)
PROGRESS_EVERY_S = 0.5
#: The uploader's limit per file in MB: the ETL's largest accepted file (the server's ``maxUploadSize`` in
#: .streamlit/config.toml is the same; each file's own limit is checked by ``etl.uploads.accept``).
UPLOAD_MB = max(MAX_WORKBOOK_BYTES, MAX_STATISTICS_BYTES) >> 20


def _say_done(key: str = DONE_KEY) -> None:
    """Show (once) the German line of what was just done, kept under ``key`` across the rerun."""
    done = st.session_state.pop(key, None)
    if done:
        st.success(done, icon=":material/check_circle:")


def upload_section(access: Access) -> None:
    """The tab "Daten aktualisieren": upload → check → preview → publish."""
    require(access)
    _say_done()
    chk = check(access, st.session_state.get(CHECK_KEY))
    if chk is None:
        st.session_state.pop(CHECK_KEY, None)
        _upload_form(access)
    elif chk.state == "läuft":
        _progress(access, chk.id)
    else:
        _result(access, chk)


def _upload_form(access: Access) -> None:
    st.markdown("**1. Hochladen** – die Arbeitsmappe der Initiativen (.xlsx) und/oder Statistik-Exporte "
                "(GENESIS-Flatfile, GENESIS-Tabelle als CSV, INKAR).")
    files = st.file_uploader(
        "Dateien hochladen", accept_multiple_files=True, key="updates_uploader", max_upload_size=UPLOAD_MB,
        help=f"Arbeitsmappe bis {fmt.number(MAX_WORKBOOK_BYTES >> 20)} MB, Statistik-Export bis "
             f"{fmt.number(MAX_STATISTICS_BYTES >> 20)} MB, höchstens {fmt.number(MAX_FILES)} Dateien. Geprüft wird "
             "auf einer Kopie: die veröffentlichten Daten ändern sich erst mit „Veröffentlichen“.")
    if not files:
        return
    uploaded = [(f.name, f.getvalue()) for f in files]
    try:
        exports = _described(access, files, uploaded)
    except InputError as exc:
        _refused(access, exc)
        return
    forms = [_declaration_form(i, export) for i, export in enumerate(exports)]
    if st.button("Prüfen", type="primary", key="updates_start", icon=":material/fact_check:"):
        declarations = [d for d in forms if d is not None]
        _start(access, uploaded, declarations or None)


def _described(access: Access, files, uploaded) -> list[NewExport]:
    """:func:`new_exports` of this upload, kept in the session while the same files stay in the uploader."""
    key = tuple((f.file_id, f.name, f.size) for f in files)
    kept = st.session_state.get(DESCRIBED_KEY)
    if not kept or kept[0] != key:
        kept = (key, new_exports(access, uploaded))
        st.session_state[DESCRIBED_KEY] = kept
    return kept[1]


THEME_LABELS = {t.name_de: t.theme_id for t in INDICATOR_THEMES}
DIRECTIONS = {"höher ist besser": "ja", "niedriger ist besser": "nein", "neutral": ""}
#: A new export proposes at most this many series ticked (a file with many breakdowns: the office picks).
TICKED = 3


def _declaration_form(index: int, export: NewExport):
    """The form of one new statistics export: what the file holds, its proposed indicators (editable table) and
    its source; returns the declaration for ``etl.check.start_check`` (None when no indicator is ticked)."""
    st.markdown(f"**Neuer Statistik-Export: {md(export.name)}** – bitte beschreiben, was daraus geladen wird "
                "(Katalog und Quellenangabe werden daraus geschrieben).")
    st.text(export.description.summary())
    by_id = {t.theme_id: t.name_de for t in INDICATOR_THEMES}
    ticked = len(export.proposals) <= TICKED
    frame = pd.DataFrame([{
        "Aufnehmen": ticked, "Kennung": p.indicator_id, "Name": p.name_de, "Thema": by_id.get(p.theme),
        "Einheit": p.unit, "Richtung": next(k for k, v in DIRECTIONS.items() if v == (p.higher_is_better or "")),
        "Nachkommastellen": int(p.decimals or 0), "Definition": p.definition, "Statistik": p.source_statistic,
        "Merkmal": p.source_variable, "Ausprägungen": p.source_dims, "Hinweis": p.hint,
    } for p in export.proposals])
    edited = st.data_editor(
        frame, key=f"updates_declare_{index}", hide_index=True, num_rows="fixed",
        disabled=["Statistik", "Merkmal", "Ausprägungen", "Hinweis"],
        column_config={
            "Thema": st.column_config.SelectboxColumn(options=list(THEME_LABELS), required=True),
            "Richtung": st.column_config.SelectboxColumn(options=list(DIRECTIONS), required=True),
            "Nachkommastellen": st.column_config.NumberColumn(min_value=0, max_value=4, step=1),
            "Definition": st.column_config.TextColumn(width="large")})
    st.caption("Je aufgenommenem Indikator bitte ein Thema wählen; Kennung, Name, Einheit, Richtung und Definition "
               "lassen sich in der Tabelle ändern. Darunter die Angaben zur Quelle der Datei.")
    src = export.source
    left, right = st.columns(2)
    title = left.text_input("Titel der Quelle", src.title, key=f"updates_source_title_{index}")
    origin = right.text_input("Herkunft", src.origin, key=f"updates_source_origin_{index}")
    stand = left.date_input("Stand (Stichtag)", src.stand if isinstance(src.stand, dt.date) else None,
                            format="DD.MM.YYYY", key=f"updates_source_stand_{index}")
    licences = list(declare.LICENCES)
    licence = right.selectbox("Lizenz", licences, index=licences.index(src.licence) if src.licence in licences
                              else 0, key=f"updates_source_licence_{index}")
    chosen = [dataclasses.replace(p, indicator_id=str(row["Kennung"] or ""), name_de=str(row["Name"] or ""),
                                  theme=THEME_LABELS.get(row["Thema"], ""), unit=str(row["Einheit"] or ""),
                                  higher_is_better=DIRECTIONS.get(row["Richtung"], ""),
                                  decimals=int(row["Nachkommastellen"] or 0), definition=str(row["Definition"] or ""))
              for p, (_, row) in zip(export.proposals, edited.iterrows()) if bool(row["Aufnehmen"])]
    if not chosen:
        st.warning("Kein Indikator ausgewählt: die Datei würde nicht geladen.", icon=":material/warning:")
        return None
    return (export.name, chosen, dataclasses.replace(src, title=title, origin=origin, stand=stand or "",
                                                      licence=licence))


def _start(access: Access, files: list[tuple[str, bytes]], declarations) -> None:
    try:
        chk = start(access, files, declarations)
    except InputError as exc:
        _refused(access, exc)
        return
    _forget()
    st.session_state[CHECK_KEY] = chk.id
    st.rerun()


def _refused(access: Access, exc: InputError) -> None:
    """The files the ETL refuses (or why no check can start), each with its reason."""
    st.error("Diese Dateien können nicht geprüft werden:", icon=":material/block:")
    _issue_list(access, exc.issues)


def _forget() -> None:
    """Clear this session's check state (not the check itself: see :func:`discard`)."""
    for key in SESSION_KEYS:
        st.session_state.pop(key, None)


def _progress(access: Access, check_id: str) -> None:
    """The running check's progress bar, refreshed by a fragment while the rest of the app keeps working; when the
    check has ended, the whole app runs again and shows the result."""
    @st.fragment(run_every=PROGRESS_EVERY_S)
    def bar() -> None:
        chk = check(access, check_id)
        if chk is None or chk.state != "läuft":
            st.rerun(scope="app")
        st.markdown("**2. Prüfen** – die Daten werden auf einer Kopie aufgebaut …")
        st.progress(min(max(float(chk.fraction), 0.0), 1.0), text=md(chk.step or "…"))

    bar()


def _issue_list(access: Access, issues) -> None:
    ui.table(issues_table(access, issues), "updates_issues",
             column_config={"Zeile": st.column_config.NumberColumn(format="%d"),
                            "Erwartet": st.column_config.TextColumn(width="medium"),
                            "Hinweis": st.column_config.TextColumn(width="large")})


def _result(access: Access, chk) -> None:
    errors = [i for i in chk.issues if i.severity == "error"]
    warnings = [i for i in chk.issues if i.severity == "warning"]
    st.markdown("**2. Prüfen** – Ergebnis")
    if chk.ok and chk.state == "fertig":
        st.success(f"Geprüft: keine Fehler, {fmt.number(len(warnings))} "
                   f"{'Warnung' if len(warnings) == 1 else 'Warnungen'}.", icon=":material/check_circle:")
    elif errors:
        st.error(f"Die Prüfung hat {fmt.number(len(errors))} Fehler gefunden. Bitte in der Datei korrigieren und "
                 "erneut hochladen – veröffentlicht wurde nichts.", icon=":material/error:")
    else:
        st.error("Die Prüfung ist unerwartet abgebrochen; veröffentlicht wurde nichts. Bitte erneut versuchen – "
                 "die Importläufe nennen den Grund.", icon=":material/error:")
    if chk.issues:
        _issue_list(access, chk.issues)
    book = chk.workbook
    if book is not None and any(i.file in (None, book.name) for i in chk.issues):
        st.download_button("Arbeitsmappe mit markierten Fehlern", lambda: marked(access, chk),
                           file_name=marked_name(book.name), key="updates_marked",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:", on_click="ignore",
                           help="Ihre Arbeitsmappe mit jeder fehlerhaften Zelle farbig markiert und kommentiert, "
                                "dazu das Blatt „Prüfergebnis“ mit allen Meldungen.")
    if chk.ok and chk.state == "fertig":
        _preview(chk.changes)
        _publish(access, chk)
    if st.button("Verwerfen und neu hochladen", key="updates_discard", icon=":material/restart_alt:"):
        discard(access, chk.id)
        _forget()
        st.rerun()


def _preview(changes) -> None:
    st.markdown("**3. Vorschau** – was sich mit dem Veröffentlichen ändert. Noch ist nichts veröffentlicht.")
    sections = preview_sections(changes)
    if not sections:
        st.info("Keine Änderungen gegenüber der aktiven Version.", icon=":material/info:")
        return
    st.text(changes.summary())
    for section in sections:
        with st.expander(f"{section.title} ({fmt.number(section.count)})", expanded=section.count <= 20):
            ui.table(section.table, f"updates_preview_{section.key}")


def _publish(access: Access, chk) -> None:
    st.markdown("**4. Veröffentlichen**")
    conflict = st.session_state.get(CONFLICT_KEY)
    if conflict:
        st.error(conflict, icon=":material/sync_problem:")
        if st.button("Erneut prüfen (frische Vorschau)", type="primary", key="updates_recheck",
                     icon=":material/refresh:"):
            try:
                fresh = recheck(access, chk.id)
            except InputError as exc:
                st.error(str(exc), icon=":material/error:")
                return
            _forget()
            st.session_state[CHECK_KEY] = fresh.id
            st.rerun()
        return
    if st.session_state.get(CONFIRM_KEY) != chk.id:
        if st.button("Veröffentlichen …", type="primary", key="updates_publish", icon=":material/publish:"):
            st.session_state[CONFIRM_KEY] = chk.id
            st.rerun()
        return
    st.warning("Die geprüften Daten ersetzen die aktive Version für alle Nutzerinnen und Nutzer. Die bisherige "
               "Version bleibt unter „Versionen“ erhalten und kann wiederhergestellt werden.",
               icon=":material/publish:")
    yes, no = st.columns(2)
    if no.button("Abbrechen", key="updates_publish_cancel"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()
    if yes.button("Ja, jetzt veröffentlichen", type="primary", key="updates_publish_confirm"):
        try:
            version = publish(access, chk.id)
        except versions.LiveChanged as exc:
            st.session_state.pop(CONFIRM_KEY, None)
            st.session_state[CONFLICT_KEY] = (f"{exc} Veröffentlicht wurde nichts: „Erneut prüfen“ prüft Ihre "
                                              "Dateien gegen die jetzt aktive Version und zeigt eine frische "
                                              "Vorschau.")
            st.rerun()
        _forget()
        st.session_state[DONE_KEY] = f"Version {version.id} ist jetzt aktiv."
        st.rerun()


RESTORE_KEY = "updates_restore"  # session state: id of the version whose restore awaits confirmation
RESTORED_KEY = "updates_restored"  # session state: German line of the rollback just done (shown once)


def versions_section(access: Access) -> None:
    """The tab "Versionen": the kept versions and "Diese Version wiederherstellen" (with a confirmation)."""
    require(access)
    _say_done(RESTORED_KEY)
    vs = version_list(access)
    if not vs:
        ui.empty_state("Noch keine Versionen gespeichert. Jede Veröffentlichung (auch `python -m etl`) legt eine an.")
        return
    ui.table(versions_table(vs), "updates_versions",
             column_config={"Zusammenfassung": st.column_config.TextColumn(width="large"),
                            "Dateien": st.column_config.TextColumn(width="medium")})
    st.caption(f"{fmt.number(len(vs))} gespeicherte Versionen, die neueste zuerst; jede mit den Quelldateien, aus "
               "denen sie aufgebaut wurde.")
    older = [v for v in vs if not v.live]
    if not older:
        return
    labels = {v.id: f"{v.id} · {_time(v.created)} · {v.summary or v.origin}" for v in older}
    chosen = st.selectbox("Version zum Wiederherstellen", list(labels), format_func=labels.get,
                          key="updates_version_choice")
    if st.session_state.get(RESTORE_KEY) != chosen:
        if st.button("Diese Version wiederherstellen …", key="updates_restore_ask", icon=":material/history:"):
            st.session_state[RESTORE_KEY] = chosen
            st.rerun()
        return
    st.warning(f"Version {chosen} wird wieder die aktive Version für alle Nutzerinnen und Nutzer. Die jetzige "
               "bleibt gespeichert.", icon=":material/history:")
    yes, no = st.columns(2)
    if no.button("Abbrechen", key="updates_restore_cancel"):
        st.session_state.pop(RESTORE_KEY, None)
        st.rerun()
    if yes.button("Ja, wiederherstellen", type="primary", key="updates_restore_confirm"):
        st.session_state.pop(RESTORE_KEY, None)
        try:
            restore(access, chosen)
        except (InputError, versions.UnknownVersion) as exc:
            st.error(str(exc), icon=":material/error:")
            return
        st.session_state[RESTORED_KEY] = f"Version {chosen} ist wieder aktiv."
        st.rerun()


#: Failed runs whose errors the run log lists below its table.
RUNS_WITH_ERRORS_SHOWN = 20


def runs_section(access: Access) -> bool:
    """The run log of the tab "Importläufe": every run with its result; the errors of failed runs expandable.
    False (nothing shown) when there is no run log yet."""
    runs = run_log(access)
    if not runs:
        return False
    ui.table(runs_table(runs), "updates_runs",
             column_config={"Warnungen": st.column_config.NumberColumn(format="%d"),
                            "Fehler": st.column_config.NumberColumn(format="%d")})
    for r in [r for r in runs if r.get("errors")][:RUNS_WITH_ERRORS_SHOWN]:
        errors = [str(e) for e in r["errors"]]
        with st.expander(f"{r.get('kind') or 'Import'} vom {_time(r.get('started_at'))}: "
                         f"{fmt.number(len(errors))} Fehler", icon=":material/error:"):
            ui.table(pd.DataFrame({"Fehler": errors}), f"updates_run_errors_{r.get('run_id')}",
                     column_config={"Fehler": st.column_config.TextColumn(width="large")})
    return True


# ---------------------------------------------------------------- the preview (ChangeSet in German sections)
@dataclass(frozen=True)
class Section:
    """One part of the preview: ``title``, how many changes in all (``count``; the table may show fewer, see
    ``shown``) and the table (text cells)."""

    key: str
    title: str
    count: int
    table: pd.DataFrame

    @property
    def shown(self) -> int:
        return len(self.table)


def _old_new(old, new) -> str:
    """'30.06.2024 → 15.07.2024'; one value alone when the other is missing or the same."""
    if old is None or new is None or old == new:
        return display(new if new is not None else old)
    return f"{display(old)} → {display(new)}"


def _section(key: str, title: str, parts: list[tuple[object, list[dict]]]) -> Section | None:
    """A section of the rows of several capped lists ((Capped, rows)); None when they are all empty."""
    count = sum(capped.total for capped, _ in parts)
    rows = [row for _, rs in parts for row in rs]
    return Section(key, title, count, pd.DataFrame(rows)) if count else None


def _refs(capped, change: str | None = None, label: str = "Titel") -> list[dict]:
    return [{**({"Änderung": change} if change else {}), "ID": r.id, label: r.title} for r in capped.items]


def _fields(capped, label: str = "Titel") -> list[dict]:
    return [{"ID": r.id, label: r.title, "Feld": f.label, "Bisher": "" if f.marker else display(f.old),
             "Neu": "" if f.marker else display(f.new)} for r in capped.items for f in r.fields]


def _milestones(capped, change: str) -> list[dict]:
    return [{"Änderung": change, "Initiative": f"{m.initiative_id} {m.initiative_title}", "Meilenstein": m.title,
             "Fällig": _old_new(m.old_due_date, m.due_date), "Erledigt": _old_new(m.old_done_date, m.done_date),
             "Zustand": _old_new(m.old_state, m.state)} for m in capped.items]


def _value(v, decimals: int) -> str:
    return fmt.number(v, decimals)


def _indicators(ch) -> list[dict]:
    rows = _refs(ch.indicators_added, "neu", "Indikator") + _refs(ch.indicators_removed, "entfernt", "Indikator")
    for c in ch.indicators_changed.items:
        rows.append({"Änderung": "geändert", "ID": c.id, "Indikator": c.title,
                     "Neue Jahre": ", ".join(p[:4] for p in c.new_periods),
                     "Werte neu": fmt.number(c.values_added), "Werte geändert": fmt.number(c.values_changed),
                     "Werte entfernt": fmt.number(c.values_removed),
                     "Katalog": "; ".join(f.text() for f in c.fields)})
    return rows


def _largest(ch) -> list[dict]:
    rows, seen = [], set()
    for c in ch.indicators_changed.items:
        for v in (*c.largest_absolute, *c.largest_relative):
            if (c.id, v.region_key, v.period) in seen:
                continue
            seen.add((c.id, v.region_key, v.period))
            rows.append({"Indikator": c.title, "Gebiet": v.region_name, "Zeitraum": display(v.period),
                         "Bisher": _value(v.old, c.decimals), "Neu": _value(v.new, c.decimals), "Einheit": c.unit,
                         "Änderung": fmt.MISSING if v.relative is None else
                         f"{'+' if v.relative > 0 else ''}{fmt.number(v.relative * 100, 1)} %"})
    return rows


def preview_sections(changes) -> list[Section]:
    """The ChangeSet ``changes`` (``etl.changes.ChangeSet``) as German sections, empty ones left out; [] for no
    changes (or None)."""
    if changes is None or changes.empty():
        return []
    ch = changes
    sections = [
        _section("initiatives_added", "Initiativen neu", [(ch.initiatives_added, _refs(ch.initiatives_added))]),
        _section("initiatives_removed", "Initiativen entfernt",
                 [(ch.initiatives_removed, _refs(ch.initiatives_removed))]),
        _section("initiatives_changed", "Initiativen geändert",
                 [(ch.initiatives_changed, _fields(ch.initiatives_changed))]),
        _section("status", "Statuswechsel", [(ch.status_changes, [
            {"ID": s.id, "Titel": s.title, "Bisher": s.old, "Neu": s.new} for s in ch.status_changes.items])]),
        _section("milestones", "Meilensteine", [
            (ch.milestones_added, _milestones(ch.milestones_added, "neu")),
            (ch.milestones_removed, _milestones(ch.milestones_removed, "entfernt")),
            (ch.milestones_reached, _milestones(ch.milestones_reached, "erreicht")),
            (ch.milestones_overdue, _milestones(ch.milestones_overdue, "neu überfällig")),
            (ch.milestones_dates_changed, _milestones(ch.milestones_dates_changed, "Termin geändert"))]),
        _section("kpis", "Kennzahlen (Istwerte)", [(ch.kpi_actuals, [
            {"Initiative": f"{k.initiative_id} {k.initiative_title}", "Kennzahl": k.kpi, "Bisher": display(k.old),
             "Neu": display(k.new), "Einheit": k.unit, "Stand": display(k.as_of)} for k in ch.kpi_actuals.items])]),
        _section("indicators", "Indikatoren", [(ch.indicators_added, []), (ch.indicators_removed, []),
                                               (ch.indicators_changed, _indicators(ch))]),
        _section("largest", "Größte Änderungen der Indikatorwerte", [(ch.indicators_changed, _largest(ch))])
        if any(c.largest_absolute or c.largest_relative for c in ch.indicators_changed.items) else None,
        _section("sources", "Quellen", [
            (ch.sources_added, _refs(ch.sources_added, "neu")), (ch.sources_removed, _refs(ch.sources_removed,
                                                                                         "entfernt")),
            (ch.sources_changed, [{"Änderung": "geändert", **row} for row in _fields(ch.sources_changed)])]),
        _section("municipalities", "Gemeinden", [
            (ch.municipalities_added, _refs(ch.municipalities_added, "neu", "Gemeinde")),
            (ch.municipalities_removed, _refs(ch.municipalities_removed, "entfernt", "Gemeinde")),
            (ch.municipalities_changed, [{"Änderung": "geändert", **row}
                                         for row in _fields(ch.municipalities_changed, "Gemeinde")])]),
    ]
    return [s for s in sections if s is not None]
