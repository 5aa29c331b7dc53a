"""Daten page under AppTest on the fixture database: sources, catalogue, runs, warnings, data tests."""
from __future__ import annotations

from tests.app_helpers import open_page
from tests.app_helpers import table_with as _frame
from tests.fixture_db import DATA_TESTS, ETL_RUN, INDICATORS, SOURCES, VALIDATION_ISSUES, VALUES

PAGE = "pages/daten.py"


def _open(app):
    return open_page(app, PAGE)


def test_sources_with_provenance(app):
    _open(app)
    src = _frame(app, "SHA-256 der Datei").set_index("Datei")
    assert set(src.index) == {s["file_name"] for s in SOURCES}
    for s in SOURCES:
        row = src.loc[s["file_name"]]
        assert row["Synthetisch"] == ("ja" if s["synthetic"] else "nein")
        assert row["Lizenz"] == s["licence"] and row["Herkunft"] == s["origin"]
        assert row["SHA-256 der Datei"] == s["sha256"]


def test_synthetic_notice_names_the_synthetic_sources(app):
    _open(app)
    assert any("Beispieldaten" in w.value for w in app.warning)
    listing = next(m.value for m in app.markdown if m.value.startswith("**Synthetisch"))
    for s in SOURCES:
        assert (s["file_name"].replace("_", "\\_").replace(".", "\\.") in listing) == s["synthetic"]


def test_indicator_catalogue(app):
    _open(app)
    cat = _frame(app, "Definition").set_index("Indikator")
    assert set(cat.index) == {i["name_de"] for i in INDICATORS}
    for ind in INDICATORS:
        row = cat.loc[ind["name_de"]]
        values = [v for v in VALUES if v["indicator_id"] == ind["indicator_id"]]
        assert row["Einheit"] == ind["unit"] and row["Definition"] == ind["definition"]
        assert row["Werte"] == len(values)
        assert row["davon ohne Wert"] == sum(v["value"] is None for v in values)
        assert row["Richtung"] == {True: "höher ist besser", False: "niedriger ist besser",
                                   None: "neutral"}[ind["higher_is_better"]]
    assert cat.loc["Bevölkerung", "Bruch in der Zeitreihe"] == INDICATORS[0]["series_break"].split("|")[1]
    # a formula over the population carries the population's break, naming where it comes from
    derived = next(i for i in INDICATORS if i["method"] == "formula" and "{population}" in i["formula"])
    assert cat.loc[derived["name_de"], "Bruch in der Zeitreihe"] == (
        f"{INDICATORS[0]['series_break'].split('|')[1]} (übernommen aus {INDICATORS[0]['name_de']})")


def test_runs_warnings_and_data_tests(app):
    _open(app)
    runs = _frame(app, "Lauf-ID")
    assert list(runs["Lauf-ID"]) == [ETL_RUN["run_id"]]
    assert runs["Ergebnis"].iloc[0] == "erfolgreich"
    issues = _frame(app, "Erwartet")
    assert len(issues) == len(VALIDATION_ISSUES)
    assert {"Datei", "Blatt", "Zeile", "Spalte", "Meldung"} <= set(issues.columns)
    assert set(issues["Meldung"]) == {v["message"] for v in VALIDATION_ISSUES}
    tests = _frame(app, "Auffällige Zeilen")
    assert set(tests["Test"]) == {t["test_name"] for t in DATA_TESTS}
    failing = sum(t["failing_rows"] > 0 for t in DATA_TESTS)
    assert any(w.value.startswith(f"{failing} von {len(DATA_TESTS)} Datentests") for w in app.warning)
    # the default role of local mode is the Kompetenzstelle: it also updates data and gets the audit log
    assert [t.label for t in app.tabs] == ["Quellen", "Indikatoren", "Importläufe", "Prüfhinweise", "Datentests",
                                           "Daten aktualisieren", "Versionen", "Protokoll"]
