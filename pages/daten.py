"""Daten: where the numbers come from — sources with provenance, the indicator catalogue, import runs,
validation warnings, data tests, and what is synthetic; for the Kompetenzstelle "Daten aktualisieren" (upload,
check, preview, publish), the kept versions and the audit log (Protokoll).
What a role may see is decided by the loader (``sources.load(access)``) and, for the updates, by
``monitor.app.updates`` (which checks the role again in every operation)."""
import streamlit as st

from monitor.core import format as fmt
from monitor.data import audit, sources
from monitor.app import sidebar, ui, updates

ui.page_header("Daten und Quellen")
f = sidebar.current()
access = f.access
data = sources.load(access)

if data.synthetic:
    ui.synthetic_notice()
    if data.synthetic_sources:
        st.markdown("**Synthetisch (erfunden) sind:**  \n" + "  \n".join(
            f"- {ui.md(title)} ({ui.md(name)})" for name, title in data.synthetic_sources))
    st.caption("Echte Fakten (z. B. Gemeindeschlüssel, Namen, Einwohnerzahlen des Gemeindeverzeichnisses) sind in der "
               "Tabelle unten mit „Synthetisch: nein“ gekennzeichnet.")

labels = (["Quellen", "Indikatoren"] + (["Importläufe", "Prüfhinweise", "Datentests"] if data.internal else [])
          + (["Daten aktualisieren", "Versionen"] if access.data_updates else [])
          + (["Protokoll"] if data.audit is not None else []))
tabs = dict(zip(labels, st.tabs(labels)))
date_col = st.column_config.DateColumn
count_col = st.column_config.NumberColumn(format="%d")

with tabs["Quellen"]:
    if data.sources.empty:
        ui.empty_state("Keine Quellen verzeichnet.")
    else:
        ui.table(data.sources, "sources",
                 column_config={"Stichtag": date_col(format="DD.MM.YYYY"),
                                "SHA-256 der Datei": st.column_config.TextColumn(width="medium")})
        st.caption(f"{fmt.number(len(data.sources))} Quellen · SHA-256: Prüfsumme der geladenen Datei "
                   "(gleiche Prüfsumme = gleiche Datei).")
        ui.table_downloads(data.sources, "sources", f, "Quellen", "Ladeprotokoll der Datenbank (Tabelle source)",
                           licence_kind="")

with tabs["Indikatoren"]:
    if data.catalogue.empty:
        ui.empty_state("Der Indikatorenkatalog ist leer.")
    else:
        ui.table(data.catalogue, "indicators",
                 column_config={"Definition": st.column_config.TextColumn(width="large"), "Werte": count_col,
                                "davon ohne Wert": count_col})
        st.caption("Werte ohne Zahl tragen eine Kennzeichnung (z. B. geheim gehalten); sie werden nie als 0 gezeigt.")
        ui.table_downloads(data.catalogue, "indicators", f, "Indikatorenkatalog", "indikatoren.csv (Katalog)",
                           licence_kind="")

if not data.internal:
    st.stop()

with tabs["Importläufe"]:
    logged = updates.runs_section(access)
    if data.runs.empty:
        if not logged:
            ui.empty_state("Keine Importläufe verzeichnet.")
    else:
        if logged:
            st.markdown("**Aufbauten der aktiven Datenbank**")
        ui.table(data.runs, "runs",
                 column_config={"Beginn": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm"),
                                "Warnungen": count_col, "Fehler": count_col})
        if not data.last_run_files.empty:
            st.markdown("**Dateien des letzten Laufs**")
            ui.table(data.last_run_files, "run_files")

with tabs["Prüfhinweise"]:
    if data.issues.empty:
        st.success("Der letzte Aufbau hat keine Warnungen gemeldet.", icon=":material/check_circle:")
    else:
        st.caption(f"{fmt.number(len(data.issues))} Hinweise des letzten Aufbaus – die Daten sind geladen, "
                   "sollten aber geprüft werden.")
        ui.table(data.issues, "issues",
                 column_config={"Zeile": count_col, "Meldung": st.column_config.TextColumn(width="large")})

with tabs["Datentests"]:
    if data.tests.empty:
        ui.empty_state("Keine Datentests verzeichnet.")
    else:
        if data.failing_tests:
            st.warning(f"{fmt.number(data.failing_tests)} von {fmt.number(len(data.tests))} Datentests finden "
                       "auffällige Zeilen.", icon=":material/rule:")
        else:
            st.success(f"Alle {fmt.number(len(data.tests))} Datentests bestanden.", icon=":material/check_circle:")
        ui.table(data.tests, "data_tests", column_config={"Auffällige Zeilen": count_col})

if access.data_updates:
    with tabs["Daten aktualisieren"]:
        updates.upload_section(access)
    with tabs["Versionen"]:
        updates.versions_section(access)

if data.audit is not None:
    with tabs["Protokoll"]:
        if data.audit.empty:
            ui.empty_state("Noch keine Einträge im Protokoll.")
        else:
            st.caption(f"Die neuesten {fmt.number(len(data.audit))} Einträge (höchstens "
                       f"{fmt.number(audit.SHOWN)}): Anmeldungen und heruntergeladene Berichte, Listen und "
                       "Steckbriefe – wer, wann, welche Auswahl, öffentlich oder intern.")
            ui.table(data.audit, "audit_log", column_config={"Auswahl": st.column_config.TextColumn(width="large")})
