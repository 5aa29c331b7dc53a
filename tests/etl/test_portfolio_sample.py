"""The committed sample portfolio and the empty template: they load cleanly and hold what the app needs."""
from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from etl.portfolio import read_portfolio  # noqa: E402
from monitor.core.vocab import STATUS_LINE, STATUSES  # noqa: E402

_spec = importlib.util.spec_from_file_location("make_sample_portfolio", ROOT / "data" / "make_sample_portfolio.py")
gen = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gen
_spec.loader.exec_module(gen)

SAMPLE = ROOT / "data" / "sample" / "portfolio" / "Portfolio_Kompetenzstelle.xlsx"
TEMPLATE = ROOT / "data" / "vorlage" / "Portfolio_Vorlage.xlsx"
MUNICIPALITIES = pd.DataFrame([(a, n, None) for a, n in gen.MUNICIPALITIES], columns=["ags", "name", "name_sorbian"])
BOXBERG = "14626060"


@pytest.fixture(scope="module")
def sample():
    return read_portfolio(SAMPLE, MUNICIPALITIES, set(gen.INDICATOR_IDS_USED), gen.REFERENCE_DATE)


def test_sample_loads_without_errors(sample):
    assert [i for i in sample.issues if i.severity == "error"] == []
    ini = sample.tables["initiative"]
    assert len(ini) >= 40 and ini["initiative_id"].is_unique


def test_sample_covers_statuses_themes_and_places(sample):
    ini = sample.tables["initiative"]
    assert set(ini["status"]) == set(STATUSES)
    assert set(ini["theme"]) == {"mobility", "supply", "tourism", "value_chains"}
    mun = sample.tables["initiative_municipality"]
    assert mun["ags"].nunique() >= 40
    assert (mun["ags"] == BOXBERG).sum() - ini["districtwide"].sum() >= 8  # Boxberg/O.L. is prominent
    assert ini["districtwide"].sum() >= 3
    orgs = sample.tables["initiative_organisation"]
    assert orgs.loc[orgs["organisation"] == "Perspektive Boxberg e. V.", "initiative_id"].nunique() >= 5
    assert (~ini["is_public"]).sum() >= 3
    assert ini["lat"].notna().sum() >= 4
    starts = ini["start_date"].dropna().dt.year
    assert starts.min() >= 2021 and starts.max() <= 2026


def test_sample_money_is_consistent(sample):
    ini = sample.tables["initiative"]
    with_both = ini.dropna(subset=["total_cost_eur", "funding_granted_eur"])
    assert len(with_both) >= 20
    assert (with_both["funding_granted_eur"] <= with_both["total_cost_eur"]).all()
    programmes = set(sample.tables["initiative_programme"]["programme"])
    assert {"LEADER", "STARK", "Strukturentwicklung Braunkohleregionen (InvKG)", "EFRE", "GRW",
            "Regionalbudget", "Eigenmittel"} <= programmes


def test_sample_status_history_walks_the_status_line(sample):
    ini = sample.tables["initiative"].set_index("initiative_id")
    hist = sample.tables["status_history"].sort_values(["initiative_id", "seq"])
    assert set(hist["initiative_id"]) == set(ini.index)
    for iid, group in hist.groupby("initiative_id"):
        statuses = list(group["status"])
        assert statuses[-1] == ini.loc[iid, "status"], iid
        on_line = [s for s in statuses if s in STATUS_LINE]
        assert on_line == list(STATUS_LINE[: len(on_line)]), iid  # Idee, In Beratung, ... without gaps
        assert all(s in STATUS_LINE for s in statuses[:-1]), iid
        assert group["date"].is_monotonic_increasing and group["date"].max() <= pd.Timestamp(gen.REFERENCE_DATE)


def test_sample_milestones_kpis_and_rounds(sample):
    ms = sample.tables["milestone"]
    today = pd.Timestamp(gen.REFERENCE_DATE)
    overdue = ms["due_date"].lt(today) & ms["done_date"].isna()
    late = ms["done_date"].gt(ms["due_date"])
    on_time = ms["done_date"].le(ms["due_date"])
    assert overdue.sum() >= 3 and late.sum() >= 5 and on_time.sum() >= 5
    kpi = sample.tables["kpi"]
    assert set(kpi["indicator_id"].dropna()) == set(gen.INDICATOR_IDS_USED)
    assert kpi["actual"].notna().sum() >= 10 and kpi["target"].notna().all()
    rounds = sample.tables["coordination_round"]
    assert 15 <= len(rounds) <= 30
    assert rounds["date"].dt.year.min() == 2022 and rounds["date"].dt.year.max() == 2026
    assert len(set(rounds["format"])) >= 4
    assert len(sample.tables["coordination_round_initiative"]) >= len(rounds) * 2


def test_sample_warnings_show_stale_and_overdue(sample):
    messages = [i.message for i in sample.issues if i.severity == "warning"]
    assert sum("älter als ein Jahr" in m for m in messages) >= 2
    assert sum("überfällig" in m for m in messages) >= 3


def test_sample_contacts_are_fictional(sample):
    ini = sample.tables["initiative"]
    mails = ini["contact_email"].dropna()
    phones = ini["contact_phone"].dropna()
    assert len(mails) >= 40
    assert mails.str.fullmatch(r"[a-zäöü]+\.[a-zäöü]+@example\.org").all()
    assert phones.str.startswith("+49 3581 000-").all()


def test_sample_looks_like_a_human_workbook():
    wb = load_workbook(SAMPLE)
    ws = wb["Initiativen"]
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)  # merged title row
    header = [c.value for c in ws[3]]
    assert "Gemeinden " in header and "Stand " in header  # trailing blanks
    cols = {h.strip() if h else h: i for i, h in enumerate(header)}
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    starts = [r[cols["Beginn"]] for r in rows if r[0]]
    assert any(isinstance(v, str) and v.count(".") == 2 for v in starts)  # German text dates
    assert any(isinstance(v, dt.datetime) for v in starts)  # and real Excel dates
    costs = [r[cols["Gesamtkosten €"]] for r in rows if r[0]]
    assert any(isinstance(v, str) and v.endswith(",00 €") for v in costs)
    assert any(isinstance(v, (int, float)) for v in costs)
    public = {r[header.index("Öffentlich\n(ja/nein)")] for r in rows if r[0]}
    assert {"ja", "Ja", "x", "nein"} <= public
    assert any(all(v is None for v in r) for r in rows)  # an empty row in between


def test_committed_files_match_the_generator(tmp_path):
    """The committed xlsx files are the generator's current output (it is deterministic)."""
    gen.save_deterministic(gen.build_sample(), tmp_path / "sample.xlsx")
    gen.save_deterministic(gen.build_template(), tmp_path / "template.xlsx")
    assert (tmp_path / "sample.xlsx").read_bytes() == SAMPLE.read_bytes()
    assert (tmp_path / "template.xlsx").read_bytes() == TEMPLATE.read_bytes()


def test_template_loads_empty_without_issues():
    result = read_portfolio(TEMPLATE, MUNICIPALITIES, set(), gen.REFERENCE_DATE)
    assert result.issues == []
    assert all(frame.empty for frame in result.tables.values())


def test_template_has_lists_notes_and_frozen_headers():
    wb = load_workbook(TEMPLATE)
    assert wb.sheetnames[:6] == ["Hinweise", "Initiativen", "Meilensteine", "Statusverlauf", "Kennzahlen",
                                 "Abstimmungsrunden"]
    assert wb["Listen"].sheet_state == "hidden"
    for sheet, headers in gen.HEADERS.items():
        ws = wb[sheet]
        assert [c.value for c in ws[1]] == headers
        assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    ini = wb["Initiativen"]
    letters = {h: chr(ord("A") + i) for i, h in enumerate(gen.HEADERS["Initiativen"])}
    validated = {str(rng).split(":")[0][:-1]: dv.formula1 for dv in ini.data_validations.dataValidation
                 for rng in dv.sqref.ranges}
    for column in ("Thema", "Status", "Herkunft", "Öffentlich (ja/nein)", "Gemeinden"):
        assert letters[column] in validated, column
        assert validated[letters[column]].startswith("Listen!") or validated[letters[column]].startswith("=Listen!")
    lists = wb["Listen"]
    gemeinden = [c.value for c in lists["E"][1:] if c.value]
    assert gemeinden[0] == "kreisweit" and len(gemeinden) == 54
    explained = {(r[0], r[1]) for r in wb["Hinweise"].iter_rows(min_row=5, values_only=True) if r[0]}
    assert explained == {(s, h) for s, hs in gen.HEADERS.items() for h in hs}


def test_sample_tables_fit_the_database_schema(sample):
    """Every table inserts into etl/schema.sql (types, NOT NULL, primary keys) in DuckDB."""
    import duckdb

    con = duckdb.connect()
    for statement in (ROOT / "etl" / "schema.sql").read_text(encoding="utf-8").split(";\n"):
        if statement.strip() and not all(line.strip().startswith("--") or not line.strip()
                                         for line in statement.splitlines()):
            con.execute(statement).fetchall()
    for name, frame in sample.tables.items():
        con.register("frame", frame)
        con.execute(f"insert into {name} select * from frame").fetchall()
        con.unregister("frame")
        assert con.execute(f"select count(*) from {name}").fetchall()[0][0] == len(frame) > 0
    dates = con.execute("select min(start_date), max(as_of) from initiative").fetchall()[0]
    assert isinstance(dates[0], dt.date) and dates[1] <= gen.REFERENCE_DATE


def test_sample_reads_the_same_without_calamine(sample, monkeypatch):
    """The openpyxl read-only fallback gives the same tables and Issues as the fast reader."""
    import etl.portfolio as portfolio

    monkeypatch.setattr(portfolio, "CalamineWorkbook", None)
    slow = read_portfolio(SAMPLE, MUNICIPALITIES, set(gen.INDICATOR_IDS_USED), gen.REFERENCE_DATE)
    assert slow.issues == sample.issues
    for name, frame in sample.tables.items():
        pd.testing.assert_frame_equal(slow.tables[name], frame, check_dtype=True)
