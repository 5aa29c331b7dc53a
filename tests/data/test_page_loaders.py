"""The page loaders of Überblick (overview.load), Initiativen (initiatives.load) and Daten (sources.load) on the
fixture database: every field checked against the fixture lists; display frames carry German column names."""
from __future__ import annotations

import csv
import io
import shutil
from contextlib import contextmanager

import duckdb
import openpyxl
import pytest

from monitor.core import format as fmt
from monitor.core.vocab import ORIGINS, SAMPLE_DATA_NOTE
from monitor.data import initiatives, overview, sources
from monitor.data.filters import Filters
from tests.fixture_db import (DATA_TESTS, DEFAULT_FROM, DEFAULT_TO, ETL_RUN, FIXTURE_TODAY, INDICATORS, INITIATIVE,
                              INITIATIVES, KPIS, MILESTONES, ROUNDS, SOURCES, STAND, VALIDATION_ISSUES,
                              initiatives_where, overdue_milestones)
from tests.conftest import clear_streamlit_caches

F = Filters(DEFAULT_FROM, DEFAULT_TO)
PORTFOLIO_LABEL = next(f"Initiativen-Portfolio ({s['file_name']})" for s in SOURCES if s["kind"] == "portfolio")
CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone")


def _label(i: dict) -> str:
    return f"{i['initiative_id']} – {i['title']}"


# ---------------------------------------------------------------- Initiativen
def test_filter_options_come_from_the_portfolio(fixture_db):
    o = initiatives.filter_options()
    assert o.programmes == tuple(sorted({p for i in INITIATIVES for p in i["programmes"]}))
    assert o.leads == tuple(sorted({i["lead_organisation"] for i in INITIATIVES if i["lead_organisation"]}))
    assert o.origins == ORIGINS


def test_initiatives_load_table_sums_exports_and_choices(fixture_db):
    rows = initiatives_where()
    view = initiatives.load(F, today=FIXTURE_TODAY)
    assert (view.filters, view.today, view.stand, view.source) == (F, FIXTURE_TODAY, STAND, PORTFOLIO_LABEL)
    ids = sorted(i["initiative_id"] for i in rows)
    assert list(view.rows["initiative_id"]) == ids and list(view.table["ID"]) == ids
    assert list(view.table.columns) == ["ID", "Titel", "Thema", "Status", "Gemeinden", "Träger", "Förderprogramme",
                                        "Gesamtkosten", "Fördermittel bewilligt", "Beginn", "Ende geplant",
                                        "Öffentlich"]
    by_id = view.table.set_index("ID")
    for i in rows:
        row = by_id.loc[i["initiative_id"]]
        assert row["Titel"] == i["title"] and row["Träger"] == i["lead_organisation"]
        assert row["Gesamtkosten"] == fmt.eur(i["total_cost_eur"]) and row["Öffentlich"] == fmt.yes_no(i["is_public"])
    assert view.active_cost_eur == sum(i["total_cost_eur"] or 0 for i in rows if i["status"] != "Verworfen")
    assert view.granted_eur == sum(i["funding_granted_eur"] or 0 for i in rows)
    assert set(view.export(True)["ID"]) == {i["initiative_id"] for i in rows if i["is_public"]}
    assert list(view.export(False)["ID"]) == ids
    cells = {str(v) for frame in (view.table, view.export(False)) for v in frame.to_numpy().ravel()}
    assert not cells & {i[c] for i in INITIATIVES for c in CONTACT_COLUMNS}
    assert dict(view.choices) == {i["initiative_id"]: i["title"] for i in rows}
    assert view.detail is None  # nothing asked for


def test_initiatives_load_applies_page_filters(fixture_db):
    view = initiatives.load(F, initiatives.PortfolioFilters(programmes=("LEADER",)), today=FIXTURE_TODAY)
    assert list(view.table["ID"]) == sorted(i["initiative_id"] for i in initiatives_where()
                                            if "LEADER" in i["programmes"])


def test_initiatives_load_detail(fixture_db):
    ini = INITIATIVE["INI-001"]
    view = initiatives.load(F, detail_id="INI-001", today=FIXTURE_TODAY)
    dv = view.detail
    assert dv.detail.info["initiative_id"] == "INI-001"
    facts = dict(dv.facts)
    assert facts["Träger"] == ini["lead_organisation"] and facts["Herkunft"] == ini["origin"]
    assert facts["Beginn"] == fmt.date(ini["start_date"])
    assert set(dv.partners) == set(ini["partners"])
    assert dict(dv.contact) == {"Name": ini["contact_name"], "E-Mail": ini["contact_email"],
                                "Telefon": ini["contact_phone"]}
    ms = [m for m in MILESTONES if m[0] == "INI-001"]
    assert list(dv.milestones["Meilenstein"]) == [m[1] for m in ms]
    overdue = {m[1] for m in overdue_milestones(FIXTURE_TODAY, {"INI-001"})}
    assert {t for t, s in zip(dv.milestones["Meilenstein"], dv.milestones["Stand heute"]) if s == "überfällig"} \
        == overdue
    assert list(dv.kpis["Kennzahl"]) == [k[1] for k in KPIS if k[0] == "INI-001"]
    assert list(dv.kpis.columns) == ["Kennzahl", "Ausgangswert", "Zielwert", "Zieljahr", "Istwert", "Stand",
                                     "Ziel erreicht"]
    assert sorted(dv.rounds["Ergebnisse"]) == sorted(r["results"] for r in ROUNDS if "INI-001" in r["initiatives"])


def test_initiatives_load_detail_only_among_the_choices(fixture_db):
    lead = INITIATIVE["INI-002"]["lead_organisation"]
    others = initiatives.PortfolioFilters(leads=(lead,))
    assert INITIATIVE["INI-001"]["lead_organisation"] != lead
    assert initiatives.load(F, others, "INI-001", FIXTURE_TODAY).detail is None
    assert initiatives.load(F, detail_id="GIBT-ES-NICHT", today=FIXTURE_TODAY).detail is None


# ---------------------------------------------------------------- Daten
def test_sources_load(fixture_db):
    data = sources.load()
    assert data.synthetic is True
    synthetic = sorted((s for s in SOURCES if s["synthetic"]), key=lambda s: (s["kind"], s["file_name"]))
    assert data.synthetic_sources == tuple((s["file_name"], s["title"] or s["file_name"]) for s in synthetic)
    src = data.sources.set_index("Datei")
    assert set(src.index) == {s["file_name"] for s in SOURCES}
    for s in SOURCES:
        assert src.loc[s["file_name"], "Synthetisch"] == fmt.yes_no(s["synthetic"])
        assert src.loc[s["file_name"], "SHA-256 der Datei"] == s["sha256"]
    assert set(data.catalogue["Indikator"]) == {i["name_de"] for i in INDICATORS}
    assert list(data.runs["Lauf-ID"]) == [ETL_RUN["run_id"]] and list(data.runs["Ergebnis"]) == ["erfolgreich"]
    assert list(data.last_run_files.columns) == ["Datei", "Größe", "SHA-256"]
    assert set(data.issues["Meldung"]) == {v["message"] for v in VALIDATION_ISSUES}
    assert set(data.tests["Test"]) == {t["test_name"] for t in DATA_TESTS}
    assert data.failing_tests == sum(t["failing_rows"] > 0 for t in DATA_TESTS)
    for frame in (data.sources, data.catalogue, data.runs, data.issues, data.tests):
        assert not any("_" in c for c in frame.columns), list(frame.columns)  # German names, not database ones


@contextmanager
def changed_fixture(fixture_db, tmp_path, sql: str, params: tuple = ()):
    """The loaders on a copy of the fixture database changed by ``sql``; caches cleared on the way in and out."""
    path = tmp_path / "changed.duckdb"
    shutil.copy(fixture_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute(sql, list(params))
    mp = pytest.MonkeyPatch()
    mp.setenv("REGIONALMONITOR_DB", str(path))
    clear_streamlit_caches()
    try:
        yield
    finally:
        mp.undo()
        clear_streamlit_caches()


def test_catalogue_direction_with_a_neutral_indicator(fixture_db, tmp_path):
    # A NULL in higher_is_better (a neutral indicator, as in the real catalogue) makes DuckDB return a nullable
    # boolean column whose values are numpy bools: the direction must still read from the value, not its identity.
    neutral = INDICATORS[-1]["indicator_id"]
    with changed_fixture(fixture_db, tmp_path, "update indicator set higher_is_better = null where indicator_id = ?",
                         (neutral,)):
        cat = sources.load().catalogue.set_index("Indikator")
    words = {True: "höher ist besser", False: "niedriger ist besser", None: "neutral"}
    assert {i["name_de"]: cat.loc[i["name_de"], "Richtung"] for i in INDICATORS} == {
        i["name_de"]: words[None if i["indicator_id"] == neutral else i["higher_is_better"]] for i in INDICATORS}


def _download_first_lines(view) -> tuple[str, str]:
    """First line of the CSV download and cell A1 of the XLSX download of the public initiatives."""
    csv_text = view.download_csv(True).decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(view.download_xlsx(True))).active
    return csv_text.splitlines()[0], sheet["A1"].value


def test_initiatives_downloads_flag_sample_data(fixture_db, tmp_path):
    view = initiatives.load(F, today=FIXTURE_TODAY)
    assert _download_first_lines(view) == (SAMPLE_DATA_NOTE, SAMPLE_DATA_NOTE)
    csv_rows = list(csv.reader(io.StringIO(view.download_csv(True).decode("utf-8-sig")), delimiter=";"))
    assert csv_rows[1][:2] == ["ID", "Titel"]
    assert sorted(r[0] for r in csv_rows[2:]) == sorted(view.export_public["ID"])
    with changed_fixture(fixture_db, tmp_path, "update meta set value = 'false' where key = 'synthetic'"):
        official = initiatives.load(F, today=FIXTURE_TODAY)
        first_csv, a1 = _download_first_lines(official)
    assert first_csv.startswith("ID;Titel") and a1 == "ID"


# ---------------------------------------------------------------- Überblick
def test_overview_load(fixture_db):
    data = overview.load(F, FIXTURE_TODAY)
    assert (data.stand, data.source) == (STAND, PORTFOLIO_LABEL)
    assert data.stale_since == overview.months_before(FIXTURE_TODAY, overview.STALE_MONTHS)
    ch = data.changes
    assert data.n_events == len(ch.new_initiatives) + len(ch.status_changes) + len(ch.milestones_reached)
    assert len(data.events) == min(8, data.n_events)
    assert list(data.events.columns) == ["Datum", "Initiative", "Ereignis"]
    tables = data.attention_tables
    assert sorted(tables.overdue["Meilenstein"]) == sorted(m[1] for m in overdue_milestones())
    for raw, shown in ((data.attention.stale, tables.stale), (data.attention.ending_soon, tables.ending_soon)):
        assert list(shown["Initiative"]) == [_label(INITIATIVE[i]) for i in raw["initiative_id"]]
        assert list(shown["Status"]) == list(raw["status"])
    assert list(tables.overdue.columns) == ["Initiative", "Meilenstein", "Fällig am", "Tage"]
    assert list(tables.stale.columns) == ["Initiative", "Status", "Letzter Statuswechsel", "Letzter Meilenstein"]
    assert list(tables.ending_soon.columns) == ["Initiative", "Status", "Ende geplant"]
