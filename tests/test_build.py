"""The whole build on a small source folder: tables filled, flags kept, atomic replacement, run log."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from etl.build import build
from etl.issues import InputError

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 24)
FF_HEADER = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
             "1_variable_attribute_code;1_variable_attribute_label;2_variable_code;2_variable_label;"
             "2_variable_attribute_code;2_variable_attribute_label;value;value_unit;value_variable_code;"
             "value_variable_label")
MUNIS = [("14626060", "Boxberg/O.L.", 4303), ("14626110", "Görlitz", 55186)]


def ff_row(key, level_code, year, value, var="BEVSTD"):
    return (f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{year}-12-31;{level_code};x;{key};"
            f"Name {key};GES;Geschlecht;;Insgesamt;{value};Anzahl;{var};Bevölkerungsstand")


def make_workbook(path: Path, status: str = "Idee", extra_initiative: list | None = None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Initiativen"
    ws.append(["ID", "Titel", "Kurzbeschreibung", "Thema", "Weitere Themen", "Gemeinden", "Träger", "Partner",
               "Herkunft", "Status", "Beginn", "Ende geplant", "Gesamtkosten €", "Fördermittel bewilligt €",
               "Eigenmittel €", "Förderprogramm(e)", "Ansprechperson", "E-Mail", "Telefon", "Öffentlich",
               "Breitengrad", "Längengrad", "Stand"])
    ws.append(["I-001", "Rufbus Boxberg", "Bedarfsverkehr", "Mobilität", "", "Boxberg/O.L.",
               "Perspektive Boxberg e. V.", "Gemeinde Boxberg/O.L.", "Verein", status, "01.03.2024", "31.12.2026",
               "120.000,00 €", 80000, 40000, "LEADER", "Erika Muster", "erika@example.org", "+49 3581 000-1", "ja",
               None, None, "30.06.2026"])
    if extra_initiative:
        ws.append(extra_initiative)
    wb.create_sheet("Meilensteine").append(["Initiative-ID", "Meilenstein", "Fällig am", "Erledigt am"])
    wb["Meilensteine"].append(["I-001", "Fahrplan steht", "30.06.2024", "15.06.2024"])
    sh = wb.create_sheet("Statusverlauf")
    sh.append(["Initiative-ID", "Datum", "Status", "Notiz"])
    sh.append(["I-001", "01.03.2024", "Idee", "erste Runde"])
    wb.create_sheet("Kennzahlen").append(["Initiative-ID", "Kennzahl", "Einheit", "Ausgangswert", "Zielwert",
                                          "Zieljahr", "Istwert", "Stand"])
    wb["Kennzahlen"].append(["I-001", "Fahrgäste je Monat", "Personen", 0, 400, 2026, 150, "30.06.2026"])
    ar = wb.create_sheet("Abstimmungsrunden")
    ar.append(["Datum", "Format", "Teilnehmende Organisationen", "Initiativen (IDs)", "Ergebnisse"])
    ar.append(["12.04.2024", "Abstimmungsrunde", "Perspektive Boxberg e. V.; Landratsamt Görlitz", "I-001", "ok"])
    wb.save(path)


@pytest.fixture()
def source(tmp_path) -> Path:
    src = tmp_path / "src"
    (src / "statistik").mkdir(parents=True)
    (src / "portfolio").mkdir()
    (src / "gemeinden.csv").write_text(
        "ags;name;kind;population;population_date;lat;lon\n"
        + "".join(f"{a};{n};Gemeinde;{p};2024-12-31;51.2;14.7\n" for a, n, p in MUNIS), encoding="utf-8")
    (src / "gebiete.csv").write_text("region_key;name;level;parent_key\n14626;Landkreis Görlitz;kreis;14\n"
                                     "14;Sachsen;land;DG\n", encoding="utf-8")
    (src / "indikatoren.csv").write_text(
        "indicator_id;name_de;name_en;theme;unit;higher_is_better;decimals;source;licence;definition;method;"
        "source_file;source_statistic;source_variable;source_dims;formula;series_break\n"
        "population;Einwohner;Population;demography;Personen;;0;StaLa;dl-de/by-2-0;Einwohner am 31.12.;file;;"
        "12411;BEVSTD;;;2024-12-31|Zensus 2022\n"
        "population_change;Veränderung;Change;demography;%;;1;StaLa;dl-de/by-2-0;Veränderung zum Vorjahr;formula;;"
        ";;;change_pct({population});\n", encoding="utf-8")
    total = sum(p for _, _, p in MUNIS)
    lines = [FF_HEADER]
    for year, factor in ((2022, 1.02), (2023, 1.01), (2024, 1.0)):
        for a, _, p in MUNIS:
            lines.append(ff_row(a, "GEMEIN", year, round(p * factor)))
        lines.append(ff_row("14626", "KREISE", year, sum(round(p * factor) for _, _, p in MUNIS)))
    lines.append(ff_row("14626999", "GEMEIN", 2024, "-"))  # a unit that no longer exists
    lines.append(ff_row("14612000", "GEMEIN", 2024, "556780"))  # outside the district: skipped
    lines.append(ff_row("14", "DLAND", 2024, "."))  # withheld: NULL with reason
    (src / "statistik" / "bev.csv").write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))
    make_workbook(src / "portfolio" / "portfolio.xlsx")
    (src / "quellen.csv").write_text(
        "datei;titel;herkunft;stichtag;lizenz;synthetisch\n"
        "gemeinden.csv;Gemeinden;Destatis;31.12.2024;dl-de/by-2-0;nein\n"
        "gebiete.csv;Gebiete;Destatis;31.12.2024;dl-de/by-2-0;nein\n"
        "indikatoren.csv;Katalog;Kompetenzstelle;30.06.2026;CC BY 4.0;nein\n"
        "statistik/bev.csv;Bevölkerung;StaLa Sachsen;31.12.2024;dl-de/by-2-0;ja\n"
        "portfolio/portfolio.xlsx;Portfolio;Kompetenzstelle;30.06.2026;intern;ja\n", encoding="utf-8")
    assert total
    return src


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_fills_tables_and_keeps_reasons(source, tmp_path):
    db = tmp_path / "m.duckdb"
    report = build(source, db, today=TODAY)
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    assert q("select count(*) from municipality") == [(2,)]
    assert q("select value from indicator_value where indicator_id='population' and region_key='14626' "
             "and year=2024") == [(sum(p for _, _, p in MUNIS),)]
    assert q("select value, flag from indicator_value where region_key='14'") == [(None, "secret")]
    assert q("select count(*) from indicator_value where region_key in ('14626999', '14612000')") == [(0,)]
    # change across the census break is not a number, and says why
    assert q("select value, flag from indicator_value where indicator_id='population_change' "
             "and region_key='14626060' and year=2024") == [(None, "break")]
    assert q("select count(*) from initiative") == [(1,)]
    assert q("select synthetic from source where source_id='statistik/bev.csv'") == [(True,)]
    assert dict(q("select key, value from meta"))["synthetic"] == "true"
    warnings = [i for i in report.issues if i.severity == "warning"]
    assert any("14626999" in (w.value or "") and "existiert nicht mehr" in w.message for w in warnings)
    runs = q("select status, row_counts from etl_run")
    assert runs[0][0] == "ok" and json.loads(runs[0][1])["initiative"] == 1
    assert q("select count(*) from data_test where failing_rows > 0 and test_name not like 'population%'") == [(0,)]


def test_failed_build_leaves_database_byte_identical(source, tmp_path):
    db = tmp_path / "m.duckdb"
    build(source, db, today=TODAY)
    before = digest(db)
    make_workbook(source / "portfolio" / "portfolio.xlsx", status="Erfunden")
    with pytest.raises(InputError) as exc:
        build(source, db, today=TODAY)
    assert any(i.column == "Status" and i.sheet == "Initiativen" for i in exc.value.issues)
    assert digest(db) == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]
    log = [json.loads(line) for line in (tmp_path / "etl_runs.jsonl").read_text().splitlines()]
    assert log[-1]["status"] == "failed" and "Status" in " ".join(log[-1]["errors"])
    assert "erika" not in (tmp_path / "etl_runs.jsonl").read_text()


def test_second_build_keeps_run_history(source, tmp_path):
    db = tmp_path / "m.duckdb"
    build(source, db, today=TODAY)
    build(source, db, today=TODAY)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from etl_run").fetchone()[0] == 2


def test_file_without_provenance_is_refused(source, tmp_path):
    shutil.copy(source / "statistik" / "bev.csv", source / "statistik" / "bev2.csv")
    with pytest.raises(InputError) as exc:
        build(source, tmp_path / "m.duckdb", today=TODAY)
    assert [i.file for i in exc.value.issues] == ["statistik/bev2.csv"]
    assert not (tmp_path / "m.duckdb").exists()


def test_cli_reports_errors_in_german_without_traceback(source, tmp_path):
    (source / "gemeinden.csv").write_text("ags;name;kind;lat;lon\n1462606;X;Gemeinde;51;14\n", encoding="utf-8")
    db = tmp_path / "m.duckdb"
    p = subprocess.run([sys.executable, "-m", "etl", "--source", str(source), "--db", str(db)],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr and "Zeile 2" in p.stderr and "Spalte ags" in p.stderr
    assert not db.exists()


def test_cli_builds_the_sample(tmp_path):
    db = tmp_path / "sample.duckdb"
    p = subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "--quiet"], capture_output=True, text=True,
                       cwd=ROOT)
    assert p.returncode == 0, p.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*), sum(population) from municipality").fetchone() == (53, 243958)
    assert con.execute("select count(*) from initiative").fetchone()[0] >= 40
    themes = {r[0] for r in con.execute("select distinct theme from indicator").fetchall()}
    assert themes == {"mobility", "supply", "tourism", "value_chains", "demography"}
    per_theme = con.execute("select theme, count(*) from indicator group by 1").fetchall()
    assert all(n >= 3 for _, n in per_theme)
    formats = {r[0] for r in con.execute("select distinct format from source where kind='statistics'").fetchall()}
    assert formats == {"genesis_ffcsv", "genesis_table", "inkar"}
    assert con.execute("select count(*) from indicator_value where flag is not null").fetchone()[0] > 0
    failing = con.execute("select test_name from data_test where failing_rows > 0").fetchall()
    assert failing == []


def test_overlapping_exports_newest_reference_date_wins(source, tmp_path):
    lines = [FF_HEADER, ff_row("14626060", "GEMEIN", 2024, "4400")]
    (source / "statistik" / "bev_neu.csv").write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))
    with (source / "quellen.csv").open("a", encoding="utf-8") as fh:
        fh.write("statistik/bev_neu.csv;Bevölkerung (berichtigt);StaLa Sachsen;31.03.2025;dl-de/by-2-0;ja\n")
    report = build(source, tmp_path / "m.duckdb", today=TODAY)
    con = duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True)
    rows = con.execute("select value, source_id from indicator_value where indicator_id='population' "
                       "and region_key='14626060' and year=2024").fetchall()
    assert rows == [(4400.0, "statistik/bev_neu.csv")]
    assert any("verschiedene Werte" in i.message for i in report.issues)
