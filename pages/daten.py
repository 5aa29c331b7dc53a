"""Daten: where the numbers come from — sources with provenance, the indicator catalogue, ETL runs,
validation warnings, data tests, and what is synthetic."""
import streamlit as st

from monitor.core import format as fmt
from monitor.data import sources
from monitor.app import ui
from monitor.core.vocab import THEME_BY_ID

ui.page_header("Daten und Quellen")

if ui.is_synthetic():
    synthetic = sources.synthetic_sources()
    ui.synthetic_notice()
    if not synthetic.empty:
        st.markdown("**Synthetisch (erfunden) sind:**  \n" + "  \n".join(
            f"- {ui.md(title or name)} ({ui.md(name)})" for name, title in zip(synthetic["file_name"],
                                                                                synthetic["title"])))
    st.caption("Echte Fakten (z. B. Gemeindeschlüssel, Namen, Einwohnerzahlen des Gemeindeverzeichnisses) sind in der "
               "Tabelle unten mit „Synthetisch: nein“ gekennzeichnet.")

tabs = st.tabs(["Quellen", "Indikatoren", "ETL-Läufe", "Prüfhinweise", "Datentests"])
date_col = st.column_config.DateColumn

with tabs[0]:
    src = sources.sources()
    if src.empty:
        ui.empty_state("Keine Quellen verzeichnet.")
    else:
        shown = src.assign(
            kind_de=[sources.SOURCE_KIND_DE.get(k, k) for k in src["kind"]],
            synthetic_de=["ja" if v else "nein" for v in src["synthetic"]],
            size=[sources.file_size(v) for v in src["size_bytes"]],
            rows=[fmt.number(v) for v in src["rows_loaded"]],
        )
        ui.table(shown, "sources",
                 column_order=["file_name", "kind_de", "title", "origin", "reference_date", "licence",
                               "attribution", "synthetic_de", "size", "rows", "sha256", "note"],
                 column_config={"file_name": "Datei", "kind_de": "Art", "title": "Titel", "origin": "Herkunft",
                                "reference_date": date_col("Stichtag", format="DD.MM.YYYY"),
                                "licence": "Lizenz", "attribution": "Namensnennung",
                                "synthetic_de": "Synthetisch", "size": "Größe", "rows": "Zeilen geladen",
                                "sha256": st.column_config.TextColumn("SHA-256 der Datei", width="medium"),
                                "note": "Hinweis"})
        st.caption(f"{fmt.number(len(src))} Quellen · SHA-256: Prüfsumme der geladenen Datei "
                   "(gleiche Prüfsumme = gleiche Datei).")

with tabs[1]:
    cat = sources.indicator_catalogue()
    if cat.empty:
        ui.empty_state("Der Indikatorenkatalog ist leer.")
    else:
        shown = cat.assign(
            theme_de=[THEME_BY_ID[t].name_de if t in THEME_BY_ID else t for t in cat["theme"]],
            direction=["höher ist besser" if v is True else "niedriger ist besser" if v is False else "neutral"
                       for v in cat["higher_is_better"]],
            years=[fmt.MISSING if a != a or a is None else f"{int(a)}–{int(b)}"
                   for a, b in zip(cat["first_year"], cat["last_year"])],
            break_de=[(s.split("|", 1)[-1] if isinstance(s, str) and s else "") for s in cat["series_break"]],
        )
        ui.table(shown, "indicators",
                 column_order=["name_de", "theme_de", "unit", "direction", "definition", "source", "licence",
                               "method", "formula", "years", "n_values", "n_missing", "break_de"],
                 column_config={"name_de": "Indikator", "theme_de": "Thema", "unit": "Einheit",
                                "direction": "Richtung", "definition": st.column_config.TextColumn(
                                    "Definition", width="large"),
                                "source": "Quelle", "licence": "Lizenz", "method": "Methode",
                                "formula": "Formel", "years": "Jahre",
                                "n_values": st.column_config.NumberColumn("Werte", format="%d"),
                                "n_missing": st.column_config.NumberColumn("davon ohne Wert", format="%d"),
                                "break_de": "Bruch in der Zeitreihe"})
        st.caption("Werte ohne Zahl tragen eine Kennzeichnung (z. B. geheim gehalten); sie werden nie als 0 gezeigt.")

with tabs[2]:
    runs = sources.etl_runs()
    if runs.empty:
        ui.empty_state("Keine ETL-Läufe verzeichnet.")
    else:
        shown = runs.assign(
            status_de=[sources.RUN_STATUS_DE.get(s, s) for s in runs["status"]],
            duration=[fmt.value_with_unit(v, "s", 1) for v in runs["duration_s"]],
            rows_text=[sources.row_counts_text(v) for v in runs["row_counts"]],
        )
        ui.table(shown, "runs",
                 column_order=["started_at", "status_de", "duration", "warnings", "errors", "rows_text",
                               "source_dir", "message", "run_id"],
                 column_config={"started_at": st.column_config.DatetimeColumn("Beginn", format="DD.MM.YYYY HH:mm"),
                                "status_de": "Ergebnis", "duration": "Dauer",
                                "warnings": st.column_config.NumberColumn("Warnungen", format="%d"),
                                "errors": st.column_config.NumberColumn("Fehler", format="%d"),
                                "rows_text": "Zeilen je Tabelle", "source_dir": "Quellordner",
                                "message": "Meldung", "run_id": "Lauf-ID"})
        files = sources.run_files(runs.iloc[0]["files"])
        if not files.empty:
            st.markdown("**Dateien des letzten Laufs**")
            ui.table(files.assign(size=[sources.file_size(v) for v in files["size_bytes"]]), "run_files",
                     column_order=["name", "size", "sha256"],
                     column_config={"name": "Datei", "size": "Größe", "sha256": "SHA-256"})

with tabs[3]:
    issues = sources.validation_issues()
    if issues.empty:
        st.success("Der letzte Aufbau hat keine Warnungen gemeldet.", icon=":material/check_circle:")
    else:
        st.caption(f"{fmt.number(len(issues))} Hinweise des letzten Aufbaus – die Daten sind geladen, "
                   "sollten aber geprüft werden.")
        shown = issues.assign(severity_de=[sources.SEVERITY_DE.get(s, s) for s in issues["severity"]])
        ui.table(shown, "issues",
                 column_order=["severity_de", "file", "sheet", "row", "col", "value", "message", "expected"],
                 column_config={"severity_de": "Art", "file": "Datei", "sheet": "Blatt",
                                "row": st.column_config.NumberColumn("Zeile", format="%d"), "col": "Spalte",
                                "value": "Wert", "message": st.column_config.TextColumn("Meldung", width="large"),
                                "expected": "Erwartet"})

with tabs[4]:
    tests = sources.data_tests()
    if tests.empty:
        ui.empty_state("Keine Datentests verzeichnet.")
    else:
        failing = int((tests["failing_rows"] > 0).sum())
        if failing:
            st.warning(f"{fmt.number(failing)} von {fmt.number(len(tests))} Datentests finden auffällige Zeilen.",
                       icon=":material/rule:")
        else:
            st.success(f"Alle {fmt.number(len(tests))} Datentests bestanden.", icon=":material/check_circle:")
        shown = tests.assign(result=["bestanden" if n == 0 else "auffällig" for n in tests["failing_rows"]])
        ui.table(shown, "data_tests",
                 column_order=["result", "test_name", "description", "failing_rows", "sample"],
                 column_config={"result": "Ergebnis", "test_name": "Test", "description": "Prüft",
                                "failing_rows": st.column_config.NumberColumn("Auffällige Zeilen", format="%d"),
                                "sample": "Beispiel"})
