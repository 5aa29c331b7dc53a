"""A minimal, complete and valid ETL source folder, for tests that need a real build.

``make_minimal_source(dest)`` writes two municipalities of the Görlitz district, the district and Saxony as
benchmark regions, a two-indicator catalogue (population from a file, its change as a formula), one GENESIS
flat file (three years, a dissolved unit, a unit outside the district, a withheld value), a one-initiative
portfolio workbook and the provenance manifest. ``make_workbook`` writes (or overwrites) that workbook with
variations; ``ff_row`` writes one flat-file data row.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

FF_HEADER = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
             "1_variable_attribute_code;1_variable_attribute_label;2_variable_code;2_variable_label;"
             "2_variable_attribute_code;2_variable_attribute_label;value;value_unit;value_variable_code;"
             "value_variable_label")
MUNIS = [("14626060", "Boxberg/O.L.", 4303), ("14626110", "Görlitz", 55186)]
INITIATIVE_HEADER = ["ID", "Titel", "Kurzbeschreibung", "Thema", "Weitere Themen", "Gemeinden", "Träger", "Partner",
                     "Herkunft", "Status", "Beginn", "Ende geplant", "Gesamtkosten €", "Fördermittel bewilligt €",
                     "Eigenmittel €", "Förderprogramm(e)", "Ansprechperson", "E-Mail", "Telefon", "Öffentlich",
                     "Breitengrad", "Längengrad", "Stand"]
CATALOGUE = (
    "indicator_id;name_de;name_en;theme;unit;higher_is_better;decimals;source;licence;definition;method;"
    "source_file;source_statistic;source_variable;source_dims;formula;series_break\n"
    "population;Einwohner;Population;demography;Personen;;0;StaLa;dl-de/by-2-0;Einwohner am 31.12.;file;;"
    "12411;BEVSTD;;;2024-12-31|Zensus 2022\n"
    "population_change;Veränderung;Change;demography;%;;1;StaLa;dl-de/by-2-0;Veränderung zum Vorjahr;formula;;"
    ";;;change_pct({population});\n")
MANIFEST = (
    "datei;titel;herkunft;stichtag;lizenz;synthetisch\n"
    "gemeinden.csv;Gemeinden;Destatis;31.12.2024;dl-de/by-2-0;nein\n"
    "gebiete.csv;Gebiete;Destatis;31.12.2024;dl-de/by-2-0;nein\n"
    "indikatoren.csv;Katalog;Kompetenzstelle;30.06.2026;CC BY 4.0;nein\n"
    "statistik/bev.csv;Bevölkerung;StaLa Sachsen;31.12.2024;dl-de/by-2-0;ja\n"
    "portfolio/portfolio.xlsx;Portfolio;Kompetenzstelle;30.06.2026;intern;ja\n")


def ff_row(key: str, level_code: str, year: int, value, var: str = "BEVSTD") -> str:
    """One GENESIS flat-file data row of statistic 12411 (population) for ``key`` at 31.12. of ``year``."""
    return (f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{year}-12-31;{level_code};x;{key};"
            f"Name {key};GES;Geschlecht;;Insgesamt;{value};Anzahl;{var};Bevölkerungsstand")


def initiative_row(iid: str = "I-001", title: str = "Rufbus Boxberg", status: str = "Idee", **over) -> list:
    """A valid row of sheet Initiativen (header INITIATIVE_HEADER); keyword arguments replace cells by header."""
    row = dict(zip(INITIATIVE_HEADER, [
        iid, title, "Bedarfsverkehr", "Mobilität", "", "Boxberg/O.L.", "Perspektive Boxberg e. V.",
        "Gemeinde Boxberg/O.L.", "Verein", status, "01.03.2024", "31.12.2026", "120.000,00 €", 80000, 40000,
        "LEADER", "Erika Muster", "erika@example.org", "+49 3581 000-1", "ja", None, None, "30.06.2026"]))
    row.update(over)
    return [row[h] for h in INITIATIVE_HEADER]


def make_workbook(path: Path, status: str = "Idee", extra_initiative: list | None = None,
                  title: str = "Rufbus Boxberg", initiatives: list[list] | None = None) -> None:
    """Write the portfolio workbook: one initiative I-001 (or ``initiatives`` rows) and one row per child sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Initiativen"
    ws.append(INITIATIVE_HEADER)
    for row in initiatives or [initiative_row(status=status, title=title)]:
        ws.append(row)
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


def statistics_lines() -> list[str]:
    """The lines of statistik/bev.csv (header first)."""
    lines = [FF_HEADER]
    for year, factor in ((2022, 1.02), (2023, 1.01), (2024, 1.0)):
        for a, _, p in MUNIS:
            lines.append(ff_row(a, "GEMEIN", year, round(p * factor)))
        lines.append(ff_row("14626", "KREISE", year, sum(round(p * factor) for _, _, p in MUNIS)))
    lines.append(ff_row("14626999", "GEMEIN", 2024, "-"))  # a unit that no longer exists
    lines.append(ff_row("14612000", "GEMEIN", 2024, "556780"))  # outside the district: skipped
    lines.append(ff_row("14", "DLAND", 2024, "."))  # withheld: NULL with reason
    return lines


def write_ffcsv(path: Path, lines: list[str]) -> None:
    """A flat file as the portals write it: UTF-8 with BOM, one line per entry, final newline."""
    path.write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))


def make_minimal_source(dest: Path) -> Path:
    """Write the minimal source folder into ``dest`` (created) and return it."""
    src = Path(dest)
    (src / "statistik").mkdir(parents=True, exist_ok=True)
    (src / "portfolio").mkdir(exist_ok=True)
    (src / "gemeinden.csv").write_text(
        "ags;name;kind;population;population_date;lat;lon\n"
        + "".join(f"{a};{n};Gemeinde;{p};2024-12-31;51.2;14.7\n" for a, n, p in MUNIS), encoding="utf-8")
    (src / "gebiete.csv").write_text("region_key;name;level;parent_key\n14626;Landkreis Görlitz;kreis;14\n"
                                     "14;Sachsen;land;DG\n", encoding="utf-8")
    (src / "indikatoren.csv").write_text(CATALOGUE, encoding="utf-8")
    write_ffcsv(src / "statistik" / "bev.csv", statistics_lines())
    make_workbook(src / "portfolio" / "portfolio.xlsx")
    (src / "quellen.csv").write_text(MANIFEST, encoding="utf-8")
    return src
