"""Tests of etl.changes: what publishing a candidate would change against the live database.

Two small databases are built by the real ETL from copies of the minimal source: the live one (the minimal
workbook plus two open milestones) and a candidate whose workbook and statistics file were changed with openpyxl
and by line (an initiative added, a status changed, a milestone reached, one becoming overdue, a KPI actual and a
contact changed; a statistics value changed and a year added). Every expected value comes from those edits.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl.build import build
from etl.changes import CONTACT_MARKER, Capped, ChangeSet, compare, display
from tests.conftest import MINIMAL_TODAY
from tests.minimal_source import MUNIS, ff_row, initiative_row, statistics_lines, write_ffcsv

WORKBOOK = Path("portfolio") / "portfolio.xlsx"
STATISTICS = Path("statistik") / "bev.csv"
# Two open milestones of I-001 in the live workbook: the first is reached in the candidate, the second falls
# due between the live Stand (the workbook's Stand) and the candidate's later one (the added initiative's).
TO_REACH = ("Haltestellen markiert", "31.12.2026")
TO_OVERDUE = ("Fahrzeug bestellt", "01.10.2026")
REACHED_ON = "10.11.2026"
ADDED_MILESTONE = ("Fahrplan veröffentlicht", "31.03.2027")
REDATED_DUE = "01.06.2024"  # the minimal workbook's done milestone, now due before it was done
NEW_ROW = initiative_row("I-002", "Dorfladen Kodersdorf", "In Beratung", **{
    "Ansprechperson": "Max Beispiel", "E-Mail": "max@example.org", "Telefon": "+49 3581 000-2",
    "Stand": "15.11.2026"})
NEW_STATUS = "In Beratung"
NEW_EMAIL = "erika.muster@example.org"
KPI_DELTA = 60
VALUE_DELTA = 1234
NEW_YEAR = 2025


@dataclass(frozen=True)
class Pair:
    live_source: Path
    live: Path
    candidate_source: Path
    candidate: Path


def iso(german: str) -> str:
    d, m, y = german.split(".")
    return f"{y}-{m}-{d}"


def column(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def row_of(ws, first_cell: str, title: str | None = None) -> int:
    """The sheet row whose first cell is ``first_cell`` (and second ``title`` when given)."""
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == first_cell and (title is None or ws.cell(r, 2).value == title):
            return r
    raise LookupError(first_cell)


def edit_workbook(source: Path, edit) -> None:
    wb = load_workbook(source / WORKBOOK)
    edit(wb)
    wb.save(source / WORKBOOK)


def add_open_milestones(wb) -> None:
    for title, due in (TO_REACH, TO_OVERDUE):
        wb["Meilensteine"].append(["I-001", title, due, None])


def change_portfolio(wb) -> None:
    ws = wb["Initiativen"]
    ws.append(NEW_ROW)
    r = row_of(ws, "I-001")
    ws.cell(r, column(ws, "Status"), NEW_STATUS)
    ws.cell(r, column(ws, "E-Mail"), NEW_EMAIL)
    ms = wb["Meilensteine"]
    ms.cell(row_of(ms, "I-001", TO_REACH[0]), column(ms, "Erledigt am"), REACHED_ON)
    ms.cell(2, column(ms, "Fällig am"), REDATED_DUE)
    ms.append(["I-001", *ADDED_MILESTONE, None])
    kpi = wb["Kennzahlen"]
    cell = kpi.cell(row_of(kpi, "I-001"), column(kpi, "Istwert"))
    cell.value = cell.value + KPI_DELTA


def changed_statistics() -> list[str]:
    """The minimal statistics with Görlitz's 2024 value raised by VALUE_DELTA and a year NEW_YEAR added."""
    lines = statistics_lines()
    goerlitz, population = MUNIS[1][0], MUNIS[1][2]
    old = ff_row(goerlitz, "GEMEIN", 2024, population)
    lines[lines.index(old)] = ff_row(goerlitz, "GEMEIN", 2024, population + VALUE_DELTA)
    lines += [ff_row(a, "GEMEIN", NEW_YEAR, p) for a, _, p in MUNIS]
    lines.append(ff_row("14626", "KREISE", NEW_YEAR, sum(p for _, _, p in MUNIS)))
    return lines


@pytest.fixture(scope="module")
def pair(minimal_build, tmp_path_factory) -> Pair:
    base = tmp_path_factory.mktemp("changes")
    live_source = base / "live_src"
    shutil.copytree(minimal_build.source, live_source)
    edit_workbook(live_source, add_open_milestones)
    candidate_source = base / "cand_src"
    shutil.copytree(live_source, candidate_source)
    edit_workbook(candidate_source, change_portfolio)
    write_ffcsv(candidate_source / STATISTICS, changed_statistics())
    live, candidate = base / "live.duckdb", base / "candidate.duckdb"
    build(live_source, live, today=MINIMAL_TODAY)
    build(candidate_source, candidate, today=MINIMAL_TODAY)
    return Pair(live_source, live, candidate_source, candidate)


@pytest.fixture(scope="module")
def changes(pair) -> ChangeSet:
    return compare(pair.live, pair.candidate)


def live_cell(pair: Pair, sheet: str, first: str, header: str, title: str | None = None):
    ws = load_workbook(pair.live_source / WORKBOOK)[sheet]
    return ws.cell(row_of(ws, first, title), column(ws, header)).value


def test_initiative_added_and_removed(pair, changes):
    assert [(r.id, r.title) for r in changes.initiatives_added.items] == [(NEW_ROW[0], NEW_ROW[1])]
    assert changes.initiatives_added.total == 1
    assert changes.initiatives_removed.total == 0
    back = compare(pair.candidate, pair.live)
    assert [(r.id, r.title) for r in back.initiatives_removed.items] == [(NEW_ROW[0], NEW_ROW[1])]


def test_status_change_with_old_and_new(pair, changes):
    old = live_cell(pair, "Initiativen", "I-001", "Status")
    assert [(s.id, s.old, s.new) for s in changes.status_changes.items] == [("I-001", old, NEW_STATUS)]


def test_changed_initiative_lists_fields_and_only_a_marker_for_contacts(pair, changes):
    (change,) = changes.initiatives_changed.items
    assert change.id == "I-001"
    fields = {f.field: f for f in change.fields}
    assert (fields["status"].old, fields["status"].new) == (live_cell(pair, "Initiativen", "I-001", "Status"),
                                                              NEW_STATUS)
    assert fields["status"].text() == f"Status: {fields['status'].old} → {NEW_STATUS}"
    contact = fields["contact"]
    assert contact.marker and contact.label == CONTACT_MARKER and contact.old is None and contact.new is None
    assert not {"contact_name", "contact_email", "contact_phone"} & set(fields)
    assert contact.text() == CONTACT_MARKER


def test_values_are_displayed_in_german():
    assert display(iso(REACHED_ON)) == REACHED_ON
    assert (display(True), display(None), display(()), display(1234.5)) == ("ja", "–", "–", "1.234,5")
    assert display(("LEADER", "STARK")) == "LEADER; STARK"


def test_no_contact_value_in_the_serialised_changes(pair, changes):
    text = json.dumps(changes.as_dict(), ensure_ascii=False) + json.dumps(
        compare(None, pair.candidate).as_dict(), ensure_ascii=False)
    wb = load_workbook(pair.candidate_source / WORKBOOK)["Initiativen"]
    contacts = {wb.cell(r, column(wb, h)).value for r in range(2, wb.max_row + 1)
                for h in ("Ansprechperson", "E-Mail", "Telefon")}
    contacts.add(live_cell(pair, "Initiativen", "I-001", "E-Mail"))
    assert NEW_EMAIL in contacts and len(contacts) >= 6
    assert [c for c in contacts if c and str(c) in text] == []


def test_milestone_reached_and_newly_overdue(changes):
    (reached,) = changes.milestones_reached.items
    assert (reached.initiative_id, reached.title, reached.old_done_date, reached.done_date) == (
        "I-001", TO_REACH[0], None, iso(REACHED_ON))
    (overdue,) = changes.milestones_overdue.items
    assert (overdue.title, overdue.due_date, overdue.old_state, overdue.state) == (
        TO_OVERDUE[0], iso(TO_OVERDUE[1]), "offen", "überfällig")
    assert [(m.title, m.due_date, m.old_state) for m in changes.milestones_added.items] == [
        (ADDED_MILESTONE[0], iso(ADDED_MILESTONE[1]), None)]
    assert changes.milestones_removed.total == 0


def test_milestone_dates_changed(pair, changes):
    title = live_cell(pair, "Meilensteine", "I-001", "Meilenstein")
    old_due = live_cell(pair, "Meilensteine", "I-001", "Fällig am")
    (redated,) = changes.milestones_dates_changed.items
    assert (redated.title, redated.old_due_date, redated.due_date) == (title, iso(old_due), iso(REDATED_DUE))
    back = compare(pair.candidate, pair.live)
    assert [m.title for m in back.milestones_removed.items] == [ADDED_MILESTONE[0]]


def test_overdue_follows_each_databases_milestone_state(pair, changes):
    import duckdb

    def state(db):
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("select state from milestone_state where title = ?", [TO_OVERDUE[0]]).fetchone()[0]

    assert (state(pair.live), state(pair.candidate)) == (changes.milestones_overdue.items[0].old_state,
                                                         changes.milestones_overdue.items[0].state)


def test_kpi_actual_changed(pair, changes):
    old = live_cell(pair, "Kennzahlen", "I-001", "Istwert")
    (kpi,) = changes.kpi_actuals.items
    assert (kpi.initiative_id, kpi.kpi, kpi.old, kpi.new) == (
        "I-001", live_cell(pair, "Kennzahlen", "I-001", "Kennzahl"), old, old + KPI_DELTA)
    assert kpi.unit == live_cell(pair, "Kennzahlen", "I-001", "Einheit")


def test_indicator_new_year_and_changed_value(changes):
    by_id = {c.id: c for c in changes.indicators_changed.items}
    population = by_id["population"]
    assert population.new_periods == (f"{NEW_YEAR}-12-31",)
    assert population.values_added == len(MUNIS) + 1  # the municipalities and the district
    assert changes.new_years == (NEW_YEAR,)
    assert changes.values_changed == population.values_changed + by_id["population_change"].values_changed
    assert (population.values_changed, population.values_removed) == (1, 0)
    goerlitz_key, goerlitz, value = MUNIS[1]
    top = population.largest_absolute[0]
    assert (top.region_key, top.region_name, top.period, top.old, top.new) == (
        goerlitz_key, goerlitz, "2024-12-31", value, value + VALUE_DELTA)
    assert top.relative == pytest.approx(VALUE_DELTA / value)
    assert population.largest_relative == population.largest_absolute
    # the formula over the population follows with the new year (its 2024 values are withheld: series break)
    assert by_id["population_change"].new_periods == (f"{NEW_YEAR}-12-31",)
    assert by_id["population_change"].values_added == len(MUNIS) + 1
    assert changes.indicators_added.total == changes.indicators_removed.total == 0


def test_changed_sources_are_marked(changes):
    changed = {c.id: {f.field for f in c.fields} for c in changes.sources_changed.items}
    assert "sha256" in changed[STATISTICS.as_posix()] and "sha256" in changed[WORKBOOK.as_posix()]
    assert changes.sources_added.total == changes.sources_removed.total == 0


def test_summary_names_the_changes(changes):
    text = changes.summary()
    for part in ("1 Initiative neu", "1 Meilenstein neu", "1 Meilensteintermin geändert", "1 Status geändert",
                 "1 Meilenstein erreicht", "1 Meilenstein neu überfällig",
                 "1 Kennzahl-Istwert neu/geändert", f"({NEW_YEAR})", "1 Wert geändert"):
        assert part in text


def test_identical_inputs_change_nothing(pair, tmp_path):
    again = tmp_path / "again.duckdb"
    build(pair.live_source, again, today=MINIMAL_TODAY)
    result = compare(pair.live, again)
    assert result.empty(), result.as_dict()
    assert result.summary() == "Keine Änderungen"
    assert compare(pair.live, pair.live).empty()


def test_json_round_trip(pair, changes):
    for cs in (changes, compare(None, pair.candidate)):
        data = json.loads(json.dumps(cs.as_dict()))
        assert ChangeSet.from_dict(data) == cs
        assert ChangeSet.from_dict(data).summary() == cs.summary()


def test_first_version_lists_everything_as_new(pair):
    import duckdb

    first = compare(None, pair.candidate)
    with duckdb.connect(str(pair.candidate), read_only=True) as con:
        ids = [r[0] for r in con.execute("select initiative_id from initiative order by 1").fetchall()]
        indicators = con.execute("select count(*) from indicator").fetchone()[0]
    assert first.first and not first.empty()
    assert [r.id for r in first.initiatives_added.items] == ids
    assert first.indicators_added.total == indicators
    assert first.summary().startswith("Erste Version")


def test_lists_are_capped_and_keep_their_totals(pair, changes):
    full = compare(None, pair.candidate)
    capped = compare(None, pair.candidate, cap=1)
    assert full.initiatives_added.total > 1 and len(full.initiatives_added.items) > 1
    for name, listing in vars(capped).items():
        if isinstance(listing, Capped):
            assert len(listing.items) <= 1
            assert listing.total == getattr(full, name).total


def test_a_live_file_without_newer_columns_or_marts_is_compared(pair, tmp_path):
    """A live database built before a column or mart existed: the missing parts read as empty, the rest is
    compared as usual."""
    import duckdb

    older = tmp_path / "older.duckdb"
    shutil.copy(pair.live, older)
    with duckdb.connect(str(older)) as con:
        con.execute("alter table initiative drop column as_of")
        con.execute("drop table kpi_rating")
    result = compare(older, pair.candidate)
    assert [s.id for s in result.status_changes.items] == ["I-001"]
    stand = {c.id: {f.field: f for f in c.fields}.get("as_of") for c in result.initiatives_changed.items}
    assert stand["I-001"].old is None and stand["I-001"].new is not None
    assert result.kpi_actuals.total == len([r for r in result.kpi_actuals.items if r.old is None]) > 0
