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
    src = _frame(app, "sha256").set_index("file_name")
    assert set(src.index) == {s["file_name"] for s in SOURCES}
    for s in SOURCES:
        row = src.loc[s["file_name"]]
        assert row["synthetic_de"] == ("ja" if s["synthetic"] else "nein")
        assert row["licence"] == s["licence"] and row["origin"] == s["origin"] and row["sha256"] == s["sha256"]


def test_synthetic_notice_names_the_synthetic_sources(app):
    _open(app)
    assert any("Beispieldaten" in w.value for w in app.warning)
    listing = next(m.value for m in app.markdown if m.value.startswith("**Synthetisch"))
    for s in SOURCES:
        assert (s["file_name"].replace("_", "\\_").replace(".", "\\.") in listing) == s["synthetic"]


def test_indicator_catalogue(app):
    _open(app)
    cat = _frame(app, "definition").set_index("name_de")
    assert set(cat.index) == {i["name_de"] for i in INDICATORS}
    for ind in INDICATORS:
        row = cat.loc[ind["name_de"]]
        values = [v for v in VALUES if v["indicator_id"] == ind["indicator_id"]]
        assert row["unit"] == ind["unit"] and row["definition"] == ind["definition"]
        assert row["n_values"] == len(values)
        assert row["n_missing"] == sum(v["value"] is None for v in values)
    assert cat.loc["Bevölkerung", "break_de"] == INDICATORS[0]["series_break"].split("|")[1]


def test_runs_warnings_and_data_tests(app):
    _open(app)
    runs = _frame(app, "run_id")
    assert list(runs["run_id"]) == [ETL_RUN["run_id"]]
    assert runs["status_de"].iloc[0] == "erfolgreich"
    issues = _frame(app, "expected")
    assert len(issues) == len(VALIDATION_ISSUES)
    assert {"file", "sheet", "row", "col", "message"} <= set(issues.columns)
    assert set(issues["message"]) == {v["message"] for v in VALIDATION_ISSUES}
    tests = _frame(app, "failing_rows")
    assert set(tests["test_name"]) == {t["test_name"] for t in DATA_TESTS}
    failing = sum(t["failing_rows"] > 0 for t in DATA_TESTS)
    assert any(w.value.startswith(f"{failing} von {len(DATA_TESTS)} Datentests") for w in app.warning)
    assert [t.label for t in app.tabs] == ["Quellen", "Indikatoren", "ETL-Läufe", "Prüfhinweise", "Datentests"]
