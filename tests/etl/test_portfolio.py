"""Tests of etl.portfolio: normalisation, validation (errors and warnings) and the output tables.

Small workbooks are built here with openpyxl; ``base_sheets()`` is a clean workbook without any Issue,
each test changes one thing and checks the Issue names file, sheet, Excel row and column.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from etl import portfolio as P  # noqa: E402
from etl.issues import InputError  # noqa: E402

TODAY = dt.date(2026, 11, 24)
INDICATORS = {"population", "overnight_stays", "stop_20dep_share"}
FILE = "Portfolio_Test.xlsx"

MUNICIPALITIES = pd.DataFrame(
    [
        ("14626010", "Bad Muskau", "Mužakow"),
        ("14626060", "Boxberg/O.L.", "Hamor"),
        ("14626110", "Görlitz", None),
        ("14626250", "Krauschwitz i.d. O.L.", "Krušwica"),
        ("14626290", "Löbau", None),
        ("14626450", "Reichenbach/O.L.", None),
        ("14626490", "Schleife", "Slepo"),
        ("14626600", "Weißwasser/O.L.", "Běła Woda"),
        ("14626610", "Zittau", None),
    ],
    columns=["ags", "name", "name_sorbian"],
)

INI_HEADER = [
    "ID", "Titel", "Kurzbeschreibung", "Thema", "Weitere Themen", "Gemeinden", "Träger", "Partner", "Herkunft",
    "Status", "Beginn", "Ende geplant", "Gesamtkosten €", "Fördermittel bewilligt €", "Eigenmittel €",
    "Förderprogramm(e)", "Ansprechperson", "E-Mail", "Telefon", "Öffentlich (ja/nein)", "Breitengrad",
    "Längengrad", "Stand",
]
CONTACTS = [("Erika Muster", "erika.muster@example.org", "+49 3581 000-111"),
            ("Max Beispiel", "max.beispiel@example.org", "+49 3581 000-222")]


def base_sheets() -> dict[str, list[list]]:
    """A clean portfolio (first row of each sheet = header) that loads without any Issue."""
    return {
        "Initiativen": [
            list(INI_HEADER),
            ["I-001", "Rufbus Boxberg", "Bedarfsverkehr in den Ortsteilen", "Mobilität", "Tourismus",
             "Boxberg/O.L.; Görlitz", "Gemeinde Boxberg/O.L.", "Perspektive Boxberg e. V.; ZVON", "Gemeinde",
             "In Umsetzung", "01.03.2024", dt.datetime(2025, 12, 31), "184.500,00 €", 100000, "84.500",
             "LEADER + STARK", *CONTACTS[0], "ja", 51.405, "14,576", "15.10.2026"],
            ["I-002", "Dorfladen", "Genossenschaftlicher Laden", "Daseinsvorsorge & Nahversorgung", None,
             "kreisweit", "Perspektive Boxberg e. V.", None, "Verein", "Idee", dt.datetime(2026, 5, 1), None,
             None, None, None, None, *CONTACTS[1], "nein", None, None, dt.datetime(2026, 11, 1)],
        ],
        "Meilensteine": [
            ["Initiative-ID", "Meilenstein", "Fällig am", "Erledigt am"],
            ["I-001", "Förderantrag eingereicht", "01.01.2024", "15.01.2024"],
            ["I-001", "Probebetrieb", dt.datetime(2026, 12, 15), None],
        ],
        "Statusverlauf": [
            ["Initiative-ID", "Datum", "Status", "Notiz"],
            ["I-001", "01.06.2023", "In Beratung", "Erstberatung"],
            ["I-001", "01.01.2023", "Idee", "Idee eingegangen"],
            ["I-001", dt.datetime(2024, 3, 1), "In Umsetzung", "Start"],
            ["I-002", "05.05.2026", "Idee", None],
        ],
        "Kennzahlen": [
            ["Initiative-ID", "Kennzahl", "Einheit", "Ausgangswert", "Zielwert", "Zieljahr", "Istwert", "Stand"],
            ["I-001", "Fahrgäste je Monat", "Fahrgäste/Monat", 0, 400, 2027, 120, "01.10.2026"],
            ["I-001", "stop_20dep_share", "%", "38,5", 45, 2028, None, None],
        ],
        "Abstimmungsrunden": [
            ["Datum", "Format", "Teilnehmende Organisationen", "Initiativen", "Ergebnisse"],
            ["10.05.2024", "Workshop", "Kompetenzstelle; Perspektive Boxberg e. V.\nGemeinde Boxberg/O.L.",
             "I-001, I-002", "Ideen gesammelt"],
            [dt.datetime(2025, 2, 3), "Abstimmungsrunde", "Kompetenzstelle", "I-001", None],
        ],
    }


def write_workbook(path: Path, sheets: dict[str, list[list]], title_rows: dict[str, int] | None = None,
                   names: dict[str, str] | None = None) -> Path:
    """Write ``sheets`` to ``path``; ``title_rows`` puts merged title rows above a sheet's header,
    ``names`` renames sheets (e.g. to 'initiativen ')."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, rows in sheets.items():
        ws = wb.create_sheet((names or {}).get(sheet, sheet))
        offset = (title_rows or {}).get(sheet, 0)
        for k in range(offset):
            ws.cell(row=k + 1, column=1, value=f"Titelzeile {k + 1} – Kompetenzstelle")
            ws.merge_cells(start_row=k + 1, start_column=1, end_row=k + 1, end_column=max(2, len(rows[0])))
        for r, row in enumerate(rows, start=offset + 1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def load(tmp_path: Path, sheets: dict[str, list[list]] | None = None, **kwargs) -> P.PortfolioResult:
    path = write_workbook(tmp_path / FILE, sheets if sheets is not None else base_sheets(), **kwargs)
    return P.read_portfolio(path, MUNICIPALITIES, INDICATORS, TODAY)


def set_cell(sheets: dict, sheet: str, data_row: int, column: str, value) -> None:
    """Set a cell by data row (1 = first row below the header) and header name."""
    header = sheets[sheet][0]
    row = sheets[sheet][data_row]
    col = header.index(column)
    row.extend([None] * (col + 1 - len(row)))
    row[col] = value


def only(issues, severity: str, **match) -> P.Issue:
    """The single Issue of ``severity`` whose fields equal ``match`` (message matched as substring)."""
    msg = match.pop("message", None)
    found = [i for i in issues if i.severity == severity and all(getattr(i, k) == v for k, v in match.items())
             and (msg is None or msg in i.message)]
    assert len(found) == 1, f"expected one {severity} with {match} {msg!r}, got {found} of {issues}"
    return found[0]


def errors(result):
    return [i for i in result.issues if i.severity == "error"]


# ---------------------------------------------------------------------------------------------- baseline


def test_clean_workbook_has_no_issues_and_all_tables(tmp_path):
    result = load(tmp_path)
    assert result.issues == []
    ini = result.tables["initiative"]
    assert list(ini["initiative_id"]) == ["I-001", "I-002"]
    assert list(ini["source_row"]) == [2, 3]


def _schema_columns() -> dict[str, list[str]]:
    text = (ROOT / "etl" / "schema.sql").read_text(encoding="utf-8")
    tables = {}
    for name, body in re.findall(r"create table (\w+) \((.*?)\n\);", text, flags=re.S):
        cols = []
        for line in body.splitlines():
            line = line.strip()
            if line and not line.startswith("primary key") and not line.startswith("--"):
                cols.append(line.split()[0])
        tables[name] = cols
    return tables


def test_tables_have_exactly_the_schema_columns(tmp_path):
    schema = _schema_columns()
    for result in (load(tmp_path), load(tmp_path, {"Initiativen": [INI_HEADER]})):
        assert set(result.tables) == set(P.TABLE_COLUMNS)
        for name, frame in result.tables.items():
            assert list(frame.columns) == schema[name], name


# ---------------------------------------------------------------------------------------------- normalisation


def test_parse_date_text_excel_and_serial():
    raw = pd.Series(["31.12.2024", "1.2.2024", "2024-12-31", dt.datetime(2025, 3, 1, 0, 0), dt.date(2023, 5, 6),
                     45657, "31.12.24", None, "  ", "31.02.2024", "morgen", "01.01.1800"], dtype=object)
    parsed, bad = P.parse_date(raw)
    assert [d.date() if pd.notna(d) else None for d in parsed] == [
        dt.date(2024, 12, 31), dt.date(2024, 2, 1), dt.date(2024, 12, 31), dt.date(2025, 3, 1),
        dt.date(2023, 5, 6), dt.date(2024, 12, 31), dt.date(2024, 12, 31), None, None, None, None, None]
    assert list(bad) == [False] * 9 + [True, True, True]


def test_parse_number_german_amounts_and_coordinates():
    raw = pd.Series(["184.500,00 €", "12500", "12.500", 12500, 99.5, "12,5", "1.234.567", "EUR 7.000", "-",
                     None, "abc", "1,234.50"], dtype=object)
    values, bad = P.parse_number(raw, strip_units=r"€|euro|eur")
    assert list(values[:8]) == [184500.0, 12500.0, 12500.0, 12500.0, 99.5, 12.5, 1234567.0, 7000.0]
    assert values[8:11].isna().all()
    assert values[11] == 1234.5
    assert list(bad) == [False] * 10 + [True, False]
    coords, bad = P.parse_number(pd.Series(["51.405", "51,405", 14.5, "x"], dtype=object), thousands=False)
    assert list(coords[:3]) == [51.405, 51.405, 14.5] and list(bad) == [False, False, False, True]


def test_parse_date_column_is_not_a_number_column(tmp_path):
    """A German date must not be read as a number with thousands separators (31.12.2024 -> 31122024)."""
    result = load(tmp_path)
    start = result.tables["initiative"].set_index("initiative_id").loc["I-001", "start_date"]
    assert start == pd.Timestamp("2024-03-01")


def test_parse_bool_variants():
    raw = pd.Series(["ja", "Ja", "x", "X", True, 1, "nein", "Nein", False, None, "", "vielleicht"], dtype=object)
    values, bad = P.parse_bool(raw)
    assert list(values[:9]) == [True] * 6 + [False] * 3
    assert values[9:11].isna().all()
    assert list(bad) == [False] * 11 + [True]


def test_amounts_booleans_and_ids_in_workbook(tmp_path):
    sheets = base_sheets()
    sheets["Initiativen"].append(
        [17, "Numerische ID", "Test", "mobility", None, "Görlitz", "Stadt Görlitz", None, "gemeinde", "idee",
         "01.01.2026", None, 12500, "12.500", None, None, "A B", "a.b@example.org", "0", "X", None, None,
         "01.11.2026"])
    sheets["Statusverlauf"].append([17, "02.01.2026", "Idee", None])
    result = load(tmp_path, sheets)
    assert errors(result) == []
    ini = result.tables["initiative"].set_index("initiative_id")
    assert ini.loc["I-001", "total_cost_eur"] == 184500.0
    assert ini.loc["I-001", "funding_granted_eur"] == 100000.0
    assert ini.loc["I-001", "own_funds_eur"] == 84500.0
    assert (ini.loc["I-001", "lat"], ini.loc["I-001", "lon"]) == (51.405, 14.576)
    assert ini.loc["17", "total_cost_eur"] == 12500.0 and ini.loc["17", "funding_granted_eur"] == 12500.0
    assert ini.loc["17", "origin"] == "Gemeinde" and ini.loc["17", "status"] == "Idee"
    assert list(ini["is_public"]) == [True, False, True]
    assert "17" in set(result.tables["status_history"]["initiative_id"])


THEME_CASES = [
    ("Mobilität", "mobility"), ("mobility", "mobility"), ("MOBILITÄT", "mobility"),
    ("Daseinsvorsorge & Nahversorgung", "supply"), ("Nahversorgung", "supply"),
    ("daseinsvorsorge und nahversorgung", "supply"), ("Tourismus", "tourism"), ("tourism", "tourism"),
    ("Regionale Wertschöpfung", "value_chains"), ("regionale wertschoepfung", "value_chains"),
    ("value_chains", "value_chains"),
]


def add_initiatives(sheets: dict, count: int) -> list[str]:
    """Append ``count`` copies of I-002 (ids X-1..X-n, with status history); returns the new ids."""
    template = sheets["Initiativen"][2]
    ids = []
    for n in range(1, count + 1):
        row = list(template)
        row[0] = f"X-{n}"
        sheets["Initiativen"].append(row)
        sheets["Statusverlauf"].append([row[0], "05.05.2026", "Idee", None])
        ids.append(row[0])
    return ids


def test_theme_names_and_ids(tmp_path):
    sheets = base_sheets()
    ids = add_initiatives(sheets, len(THEME_CASES))
    for n, (text, _) in enumerate(THEME_CASES, start=3):
        set_cell(sheets, "Initiativen", n, "Thema", text)
    result = load(tmp_path, sheets)
    assert errors(result) == []
    themes = result.tables["initiative"].set_index("initiative_id")["theme"]
    assert [themes[i] for i in ids] == [expected for _, expected in THEME_CASES]


def test_more_themes_and_primary_theme(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 1, "Weitere Themen", "Tourismus; Nahversorgung\nMobilität")
    result = load(tmp_path, sheets)
    themes = result.tables["initiative_theme"]
    i1 = themes[themes["initiative_id"] == "I-001"].set_index("theme")["is_primary"].to_dict()
    assert i1 == {"mobility": True, "tourism": False, "supply": False}


MUNICIPALITY_CASES = [
    ("Boxberg/O.L.", ["14626060"]),
    ("boxberg / o. l.", ["14626060"]),
    ("Boxberg", ["14626060"]),
    ("Hamor", ["14626060"]),
    ("Weißwasser/O.L./Běła Woda", ["14626600"]),
    ("Běła Woda; Zittau", ["14626600", "14626610"]),
    ("14626110", ["14626110"]),
    (14626110, ["14626110"]),
    ("Görlitz, Löbau;Zittau\nBad Muskau", ["14626110", "14626290", "14626610", "14626010"]),
    ("Krauschwitz i.d. O.L.; Weisswasser/O.L.", ["14626250", "14626600"]),
]


def test_municipalities_by_name_ags_and_sorbian(tmp_path):
    sheets = base_sheets()
    ids = add_initiatives(sheets, len(MUNICIPALITY_CASES))
    for n, (cell, _) in enumerate(MUNICIPALITY_CASES, start=3):
        set_cell(sheets, "Initiativen", n, "Gemeinden", cell)
    result = load(tmp_path, sheets)
    assert errors(result) == []
    mun = result.tables["initiative_municipality"]
    for iid, (cell, expected) in zip(ids, MUNICIPALITY_CASES):
        assert list(mun.loc[mun["initiative_id"] == iid, "ags"]) == expected, cell
    ini = result.tables["initiative"].set_index("initiative_id")
    assert not ini.loc[ids, "districtwide"].any()


def test_districtwide_means_all_municipalities(tmp_path):
    sheets = base_sheets()
    cells = ["kreisweit", "Kreisweit", "KREISWEIT", "Landkreisweit", "Görlitz; kreisweit"]
    ids = add_initiatives(sheets, len(cells))
    for n, cell in enumerate(cells, start=3):
        set_cell(sheets, "Initiativen", n, "Gemeinden", cell)
    result = load(tmp_path, sheets)
    assert errors(result) == []
    mun = result.tables["initiative_municipality"]
    for iid in ["I-002", *ids]:
        assert sorted(mun.loc[mun["initiative_id"] == iid, "ags"]) == sorted(MUNICIPALITIES["ags"])
    ini = result.tables["initiative"].set_index("initiative_id")
    assert ini.loc[["I-002", *ids], "districtwide"].all() and not bool(ini.loc["I-001", "districtwide"])


def test_header_variations_sheet_names_and_title_rows(tmp_path):
    sheets = base_sheets()
    header = sheets["Initiativen"][0]
    header[header.index("Titel")] = "  titel "
    header[header.index("Thema")] = "THEMA"
    header[header.index("Gesamtkosten €")] = "Gesamtkosten\n€"
    header[header.index("Fördermittel bewilligt €")] = "Fördermittel \nbewilligt (€) "
    header[header.index("Öffentlich (ja/nein)")] = "Öffentlich"
    header[header.index("Eigenmittel €")] = "Eigenmittel in EUR"
    header[header.index("Stand")] = "Stand "
    sheets["Meilensteine"][0][2] = "fällig am "
    names = {"Initiativen": "initiativen ", "Meilensteine": "MEILENSTEINE", "Statusverlauf": "Status\nverlauf"}
    result = load(tmp_path, sheets, title_rows={"Initiativen": 2, "Kennzahlen": 1}, names=names)
    assert result.issues == []
    ini = result.tables["initiative"].set_index("initiative_id")
    assert ini.loc["I-001", "title"] == "Rufbus Boxberg"
    assert ini.loc["I-001", "funding_granted_eur"] == 100000.0
    assert ini.loc["I-001", "own_funds_eur"] == 84500.0
    assert list(ini["source_row"]) == [4, 5]  # two title rows + header
    assert len(result.tables["milestone"]) == 2 and len(result.tables["kpi"]) == 2
    assert len(result.tables["status_history"]) == 4


def test_empty_rows_between_data_and_row_numbers(tmp_path):
    sheets = base_sheets()
    sheets["Initiativen"].insert(2, [None] * len(INI_HEADER))
    sheets["Initiativen"].insert(2, ["  "] + [None] * 3)
    sheets["Initiativen"][4][9] = "Unbekannt"  # Status of I-002, now in Excel row 5
    result = load(tmp_path, sheets)
    issue = only(result.issues, "error", message="Unbekannter Status")
    assert (issue.file, issue.sheet, issue.row, issue.column, issue.value) == (
        FILE, "Initiativen", 5, "Status", "Unbekannt")
    assert list(result.tables["initiative"]["source_row"]) == [2]


def test_issue_names_header_as_written_in_the_file(tmp_path):
    sheets = base_sheets()
    sheets["Initiativen"][0][3] = "Thema "
    set_cell(sheets, "Initiativen", 1, "Thema ", "Raumfahrt")
    result = load(tmp_path, sheets, title_rows={"Initiativen": 1})
    issue = only(result.issues, "error", message="Unbekanntes Thema")
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Initiativen", 3, "Thema", "Raumfahrt")


# ---------------------------------------------------------------------------------------------- output tables


def test_status_history_sorted_by_date_with_seq(tmp_path):
    hist = load(tmp_path).tables["status_history"]
    i1 = hist[hist["initiative_id"] == "I-001"].sort_values("seq")
    assert list(i1["status"]) == ["Idee", "In Beratung", "In Umsetzung"]
    assert list(i1["seq"]) == [1, 2, 3]
    assert list(hist[hist["initiative_id"] == "I-002"]["seq"]) == [1]


def test_organisations_programmes_and_current_status(tmp_path):
    result = load(tmp_path)
    orgs = result.tables["initiative_organisation"]
    i1 = orgs[orgs["initiative_id"] == "I-001"]
    assert set(map(tuple, i1[["organisation", "role"]].to_numpy())) == {
        ("Gemeinde Boxberg/O.L.", "Träger"), ("Perspektive Boxberg e. V.", "Partner"), ("ZVON", "Partner")}
    progs = result.tables["initiative_programme"]
    assert list(progs[progs["initiative_id"] == "I-001"]["programme"]) == ["LEADER", "STARK"]
    ini = result.tables["initiative"].set_index("initiative_id")
    assert ini.loc["I-001", "status"] == "In Umsetzung" and ini.loc["I-001", "lead_organisation"] == \
        "Gemeinde Boxberg/O.L."


def test_milestones_kpis_and_rounds(tmp_path):
    result = load(tmp_path)
    ms = result.tables["milestone"]
    assert list(ms["seq"]) == [1, 2]
    assert ms["done_date"].iloc[0] == pd.Timestamp("2024-01-15") and pd.isna(ms["done_date"].iloc[1])
    kpi = result.tables["kpi"]
    assert list(kpi["indicator_id"].isna()) == [True, False]
    assert kpi["indicator_id"].iloc[1] == "stop_20dep_share" and kpi["baseline"].iloc[1] == 38.5
    assert list(kpi["target_year"]) == [2027, 2028]
    rounds = result.tables["coordination_round"]
    assert list(rounds["round_id"]) == [1, 2] and list(rounds["format"]) == ["Workshop", "Abstimmungsrunde"]
    orgs = result.tables["coordination_round_organisation"]
    assert list(orgs[orgs["round_id"] == 1]["organisation"]) == [
        "Kompetenzstelle", "Perspektive Boxberg e. V.", "Gemeinde Boxberg/O.L."]
    ids = result.tables["coordination_round_initiative"]
    assert list(map(tuple, ids.to_numpy())) == [(1, "I-001"), (1, "I-002"), (2, "I-001")]


def test_personal_data_is_kept_in_the_table(tmp_path):
    ini = load(tmp_path).tables["initiative"]
    assert list(ini["contact_email"]) == [c[1] for c in CONTACTS]
    assert list(ini["contact_name"]) == [c[0] for c in CONTACTS]


# ---------------------------------------------------------------------------------------------- errors


VALUE_ERROR_CASES = [
    ("Thema", "Raumfahrt", "Unbekanntes Thema."),
    ("Weitere Themen", "Tourismus; Kultur", "Unbekanntes Thema unter Weitere Themen"),
    ("Status", "Fertig", "Unbekannter Status"),
    ("Herkunft", "Kirche", "Unbekannte Herkunft"),
    ("Beginn", "31.02.2024", "Ungültiges oder unmögliches Datum"),
    ("Stand", "gestern", "Ungültiges oder unmögliches Datum"),
    ("Gesamtkosten €", "viel", "Betrag ist keine Zahl"),
    ("Eigenmittel €", "-5.000,00 €", "Negativer Betrag"),
    ("Fördermittel bewilligt €", -1, "Negativer Betrag"),
    ("Öffentlich (ja/nein)", "vielleicht", "Unklare Angabe zu Öffentlich"),
    ("Breitengrad", "Nord", "Koordinate ist keine Zahl"),
    ("Längengrad", 200, "Koordinate außerhalb"),
]


def test_value_errors_name_file_sheet_row_column(tmp_path):
    """One faulty cell per row: each error is reported at its own row and column (lazy: all of them)."""
    sheets = base_sheets()
    add_initiatives(sheets, len(VALUE_ERROR_CASES))
    for n, (column, value, _) in enumerate(VALUE_ERROR_CASES, start=3):
        set_cell(sheets, "Initiativen", n, column, value)
    result = load(tmp_path, sheets)
    assert len(errors(result)) == len(VALUE_ERROR_CASES)
    for n, (column, _value, message) in enumerate(VALUE_ERROR_CASES, start=3):
        issue = only(result.issues, "error", row=n + 1)
        assert (issue.file, issue.sheet, issue.column) == (FILE, "Initiativen", column)
        assert message in issue.message and issue.value is not None and issue.expected


def test_unknown_more_theme_reports_the_unknown_item(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 1, "Weitere Themen", "Tourismus; Kultur")
    issue = only(load(tmp_path, sheets).issues, "error", message="Weitere Themen")
    assert issue.value == "Kultur"


def test_unknown_municipality(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 2, "Gemeinden", "Görlitz; Bautzen\n14626999")
    result = load(tmp_path, sheets)
    issue = only(result.issues, "error", message="Unbekannte Gemeinde")
    assert (issue.file, issue.sheet, issue.row, issue.column, issue.value) == (
        FILE, "Initiativen", 3, "Gemeinden", "Bautzen, 14626999")


def test_duplicate_id(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 2, "ID", "I-001")
    result = load(tmp_path, sheets)
    issue = only(result.issues, "error", message="Doppelte ID")
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Initiativen", 3, "ID", "I-001")
    assert "Zeile 2" in issue.message
    assert list(result.tables["initiative"]["initiative_id"]) == ["I-001"]  # primary key stays unique


@pytest.mark.parametrize("sheet, row, column", [
    ("Meilensteine", 1, "Initiative-ID"), ("Statusverlauf", 2, "Initiative-ID"),
    ("Kennzahlen", 1, "Initiative-ID"),
])
def test_rows_for_unknown_initiative_ids(tmp_path, sheet, row, column):
    sheets = base_sheets()
    set_cell(sheets, sheet, row, column, "I-999")
    result = load(tmp_path, sheets)
    issue = only(result.issues, "error", message="gibt es im Blatt Initiativen nicht")
    assert (issue.file, issue.sheet, issue.row, issue.column, issue.value) == (FILE, sheet, row + 1, column,
                                                                             "I-999")
    key = {"Meilensteine": "milestone", "Statusverlauf": "status_history", "Kennzahlen": "kpi"}[sheet]
    assert "I-999" not in set(result.tables[key]["initiative_id"])


def test_coordination_round_with_unknown_initiative(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Abstimmungsrunden", 2, "Initiativen", "I-001; I-404")
    issue = only(load(tmp_path, sheets).issues, "error", message="Initiative-ID")
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Abstimmungsrunden", 3, "Initiativen", "I-404")


def test_end_before_start(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 1, "Ende geplant", "28.02.2024")
    issue = only(load(tmp_path, sheets).issues, "error", message="vor dem Beginn")
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Initiativen", 2, "Ende geplant", "28.02.2024")


def test_funds_granted_above_total_cost(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 1, "Fördermittel bewilligt €", "200.000,00 €")
    issue = only(load(tmp_path, sheets).issues, "error", message="übersteigen die Gesamtkosten")
    assert (issue.sheet, issue.row, issue.column, issue.value) == (
        "Initiativen", 2, "Fördermittel bewilligt €", "200.000,00 €")


@pytest.mark.parametrize("sheet, column", [
    ("Initiativen", "Status"), ("Initiativen", "ID"), ("Meilensteine", "Meilenstein"),
    ("Statusverlauf", "Datum"), ("Kennzahlen", "Kennzahl"), ("Abstimmungsrunden", "Datum"),
])
def test_missing_required_column(tmp_path, sheet, column):
    sheets = base_sheets()
    col = sheets[sheet][0].index(column)
    for row in sheets[sheet]:
        del row[col]
    result = load(tmp_path, sheets, title_rows={sheet: 1})
    issue = only(result.issues, "error", message="Pflichtspalte")
    assert (issue.file, issue.sheet, issue.row, issue.column) == (FILE, sheet, 2, column)


def test_missing_optional_column_is_a_warning(tmp_path):
    sheets = base_sheets()
    col = INI_HEADER.index("Telefon")
    for row in sheets["Initiativen"]:
        del row[col]
    result = load(tmp_path, sheets)
    assert errors(result) == []
    issue = only(result.issues, "warning", message="Spalte Telefon fehlt")
    assert (issue.sheet, issue.row, issue.column) == ("Initiativen", 1, "Telefon")


def test_missing_initiatives_sheet_is_an_error(tmp_path):
    sheets = base_sheets()
    del sheets["Initiativen"]
    result = load(tmp_path, sheets)
    issue = only(result.issues, "error", message="Blatt Initiativen fehlt")
    assert issue.file == FILE and issue.sheet == "Initiativen"


def test_missing_required_values(tmp_path):
    sheets = base_sheets()
    columns = ["ID", "Titel", "Thema", "Status"]
    add_initiatives(sheets, len(columns))
    for n, column in enumerate(columns, start=3):
        set_cell(sheets, "Initiativen", n, column, None)
    result = load(tmp_path, sheets)
    for n, column in enumerate(columns, start=3):
        issue = only(result.issues, "error", message=f"Pflichtangabe {column} fehlt")
        assert (issue.file, issue.sheet, issue.row, issue.column) == (FILE, "Initiativen", n + 1, column)
    assert len(result.tables["initiative"]) == 2


def test_impossible_date_in_child_sheets(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Meilensteine", 1, "Erledigt am", "30.02.2024")
    set_cell(sheets, "Statusverlauf", 1, "Datum", "32.01.2023")
    result = load(tmp_path, sheets)
    a = only(result.issues, "error", sheet="Meilensteine", message="Datum")
    b = only(result.issues, "error", sheet="Statusverlauf", message="Datum")
    assert (a.row, a.column, a.value) == (2, "Erledigt am", "30.02.2024")
    assert (b.row, b.column, b.value) == (2, "Datum", "32.01.2023")


def test_lazy_validation_reports_all_errors_at_once(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 1, "Thema", "Raumfahrt")
    set_cell(sheets, "Initiativen", 1, "Gesamtkosten €", "teuer")
    set_cell(sheets, "Initiativen", 2, "Status", "Fertig")
    set_cell(sheets, "Initiativen", 2, "Gemeinden", "Atlantis")
    set_cell(sheets, "Meilensteine", 2, "Initiative-ID", "I-404")
    set_cell(sheets, "Statusverlauf", 3, "Status", "Erledigt")
    set_cell(sheets, "Kennzahlen", 1, "Zielwert", "hoch")
    set_cell(sheets, "Abstimmungsrunden", 1, "Datum", "31.04.2024")
    found = {(i.sheet, i.row, i.column) for i in errors(load(tmp_path, sheets))}
    assert found == {
        ("Initiativen", 2, "Thema"), ("Initiativen", 2, "Gesamtkosten €"), ("Initiativen", 3, "Status"),
        ("Initiativen", 3, "Gemeinden"), ("Meilensteine", 3, "Initiative-ID"), ("Statusverlauf", 4, "Status"),
        ("Kennzahlen", 2, "Zielwert"), ("Abstimmungsrunden", 2, "Datum"),
    }


def test_many_identical_errors_are_capped_and_summarised(tmp_path):
    sheets = base_sheets()
    for n in range(P.MAX_ISSUES_PER_RULE + 10):
        sheets["Statusverlauf"].append([f"X-{n}", "01.01.2024", "Idee", None])
    found = [i for i in load(tmp_path, sheets).issues if i.sheet == "Statusverlauf"]
    assert len(found) == P.MAX_ISSUES_PER_RULE + 1
    assert "10 weitere" in found[-1].message


def test_not_an_xlsx_raises_input_error(tmp_path):
    path = tmp_path / "kaputt.xlsx"
    path.write_text("ID;Titel\nI-001;Test\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        P.read_portfolio(path, MUNICIPALITIES, INDICATORS, TODAY)
    assert exc.value.issues[0].file == "kaputt.xlsx"
    assert "keine lesbare Excel-Arbeitsmappe" in str(exc.value)


# ---------------------------------------------------------------------------------------------- warnings


def test_missing_optional_fields_summarised_per_column(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 1, "Kurzbeschreibung", None)
    set_cell(sheets, "Initiativen", 2, "Kurzbeschreibung", "  ")
    set_cell(sheets, "Initiativen", 2, "Träger", None)
    result = load(tmp_path, sheets)
    assert errors(result) == []
    summary = only(result.issues, "warning", column="Kurzbeschreibung")
    assert (summary.file, summary.sheet, summary.row) == (FILE, "Initiativen", 2)
    assert "2 Zeile(n)" in summary.message and "2, 3" in summary.message
    lead = only(result.issues, "warning", column="Träger")
    assert lead.row == 3


def test_stale_stand(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 2, "Stand", "23.11.2025")  # one day more than a year before TODAY
    set_cell(sheets, "Initiativen", 1, "Stand", "24.11.2025")  # exactly a year: not stale
    issue = only(load(tmp_path, sheets).issues, "warning", message="älter als ein Jahr")
    assert (issue.file, issue.sheet, issue.row, issue.column, issue.value) == (
        FILE, "Initiativen", 3, "Stand", "23.11.2025")


def test_overdue_milestone(tmp_path):
    sheets = base_sheets()
    sheets["Meilensteine"].append(["I-002", "Standort gefunden", "23.11.2026", None])
    sheets["Meilensteine"].append(["I-002", "Heute fällig", "24.11.2026", None])
    sheets["Meilensteine"].append(["I-002", "Spät erledigt", "01.01.2025", "01.06.2025"])
    issue = only(load(tmp_path, sheets).issues, "warning", message="überfällig")
    assert (issue.file, issue.sheet, issue.row, issue.column, issue.value) == (
        FILE, "Meilensteine", 4, "Fällig am", "23.11.2026")


def test_initiative_without_status_history(tmp_path):
    sheets = base_sheets()
    sheets["Statusverlauf"] = [row for row in sheets["Statusverlauf"] if row[0] != "I-002"]
    issue = only(load(tmp_path, sheets).issues, "warning", message="Statusverlauf")
    assert (issue.file, issue.sheet, issue.row, issue.column, issue.value) == (FILE, "Initiativen", 3, "ID",
                                                                             "I-002")


def test_status_differing_from_last_history_entry(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 1, "Status", "Abgeschlossen")
    issue = only(load(tmp_path, sheets).issues, "warning", message="weicht vom letzten Eintrag")
    assert (issue.row, issue.column, issue.value) == (2, "Status", "Abgeschlossen")


def test_kpi_without_indicator_id_or_unit(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Kennzahlen", 1, "Einheit", None)   # free text, no unit -> warning
    set_cell(sheets, "Kennzahlen", 2, "Einheit", None)   # indicator id, no unit -> fine
    result = load(tmp_path, sheets)
    issue = only(result.issues, "warning", message="keine Indikator-ID")
    assert (issue.file, issue.sheet, issue.row, issue.column) == (FILE, "Kennzahlen", 2, "Einheit")


def test_personal_data_never_in_issues(tmp_path):
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 1, "E-Mail", "erika.muster(at)example")
    set_cell(sheets, "Initiativen", 2, "Status", "Fertig")
    set_cell(sheets, "Initiativen", 2, "Ansprechperson", None)
    result = load(tmp_path, sheets)
    issue = only(result.issues, "warning", column="E-Mail")
    assert issue.row == 2 and issue.value == P.MASK
    text = "\n".join(i.text() for i in result.issues) + repr(result.issues)
    for secret in ("erika", "Muster", "example", "3581", "Beispiel"):
        assert secret not in text


def test_openpyxl_fallback_reads_the_same(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / FILE, base_sheets(), title_rows={"Initiativen": 1})
    fast = P.read_portfolio(path, MUNICIPALITIES, INDICATORS, TODAY)
    monkeypatch.setattr(P, "CalamineWorkbook", None)
    slow = P.read_portfolio(path, MUNICIPALITIES, INDICATORS, TODAY)
    assert fast.issues == slow.issues == []
    for name in P.TABLE_COLUMNS:
        pd.testing.assert_frame_equal(fast.tables[name], slow.tables[name])


# ---------------------------------------------------------------------------------------------- formulas


def _formula_sheets() -> dict[str, list[list]]:
    """base_sheets with a formula title (I-001) and a formula total cost (I-001), written by openpyxl: no result
    saved with them (like a file written by a script and never opened in Excel)."""
    sheets = base_sheets()
    set_cell(sheets, "Initiativen", 1, "Titel", '="Rufbus "&"Boxberg"')
    set_cell(sheets, "Initiativen", 1, "Gesamtkosten €", "=100000+84500")
    return sheets


@pytest.mark.parametrize("calamine", [True, False])
def test_formula_without_saved_result_is_named_never_read_as_empty(tmp_path, monkeypatch, calamine):
    if not calamine:
        monkeypatch.setattr(P, "CalamineWorkbook", None)
    result = load(tmp_path, _formula_sheets())
    found = sorted((i.sheet, i.row, i.column, i.value) for i in errors(result))
    assert found == [("Initiativen", 2, "Gesamtkosten €", "=100000+84500"),
                     ("Initiativen", 2, "Titel", '="Rufbus "&"Boxberg"')]
    assert all(i.message == P.UNSAVED_FORMULA and "Excel öffnen und speichern" in i.message
               for i in errors(result))
    assert not any("Pflichtangabe" in i.message for i in result.issues)


def test_formula_with_saved_result_reads_the_result(tmp_path):
    import zipfile
    path = write_workbook(tmp_path / "raw.xlsx", _formula_sheets())
    saved = tmp_path / FILE
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(saved, "w") as dst:  # what Excel does on saving
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b'&amp;"Boxberg"</f><v></v>', b'&amp;"Boxberg"</f><v>Rufbus Boxberg</v>')
                data = data.replace(b"100000+84500</f><v></v>", b"100000+84500</f><v>184500</v>")
                data = data.replace(b'<c r="B2">', b'<c r="B2" t="str">')
            dst.writestr(item, data)
    result = P.read_portfolio(saved, MUNICIPALITIES, INDICATORS, TODAY)
    assert result.issues == []
    row = result.tables["initiative"].iloc[0]
    assert row["title"] == "Rufbus Boxberg" and row["total_cost_eur"] == 184500
