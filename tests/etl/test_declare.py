"""Declaring a new statistics export (etl.declare): describe what a file holds, propose catalogue rows, write them
into indikatoren.csv / quellen.csv so that a build loads the new indicator; invalid declarations refused."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from etl.build import build
from etl.declare import FIELD_LABELS, declare, describe, propose, propose_source
from etl.issues import InputError
from tests.minimal_source import MUNIS, make_minimal_source

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 24)
BENCHMARKS = {"14626", "14"}  # gebiete.csv of the minimal source
MUNI_KEYS = {a for a, _, _ in MUNIS}

# --- a GENESIS flat file: one regional block and a sex dimension (total and women)
FLAT_HEADER = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
               "1_variable_attribute_code;1_variable_attribute_label;2_variable_code;2_variable_label;"
               "2_variable_attribute_code;2_variable_attribute_label;value;value_unit;value_variable_code;"
               "value_variable_label")
FLAT_STAT = ("13111", "Statistik der sozialversicherungspflichtig Beschäftigten")
FLAT_VAR = ("ERW032", "Sozialversicherungspflichtig Beschäftigte am Arbeitsort", "Anzahl")
SEXES = [("", "Insgesamt"), ("GESW", "weiblich")]
FLAT_REGIONS = [(a, "GEMEIN", n) for a, n, _ in MUNIS] + [("14626", "KREISE", "Görlitz, Landkreis"),
                                                          ("14", "DLAND", "Sachsen"),
                                                          ("14612000", "GEMEIN", "Dresden, Stadt")]
FLAT_VALUES = {(key, year, sex): 1000 * i + 10 * (year - 2020) + j
               for i, (key, _, _) in enumerate(FLAT_REGIONS) for year in (2022, 2023)
               for j, (sex, _) in enumerate(SEXES)}

# --- a GENESIS table CSV (Windows-1252): year column, a group label line, units line, footer with Stand
TABLE_CODE = "45412-01-03-5"
TABLE_TITLE = "Beherbergung im Reiseverkehr – Jahressumme – regionale Tiefe: Gemeinden"
TABLE_GROUP = "Beherbergung"
TABLE_LABELS = ["Gästeankünfte", "Gästeübernachtungen"]
TABLE_STAND = dt.date(2025, 3, 14)
TABLE_REGIONS = [("14626", "Görlitz, Landkreis")] + [(a, n) for a, n, _ in MUNIS] + [("14612000", "Dresden, Stadt")]
TABLE_VALUES = {(key, year, label): 300 * i + 7 * (year - 2020) + 2 * k
                for i, (key, _) in enumerate(TABLE_REGIONS) for year in (2023, 2024)
                for k, label in enumerate(TABLE_LABELS)}

# --- an INKAR export: padded district and Land keys, Germany as 00000000, decimal comma
INKAR_VAR = ("q_dist_apotheke", "Luftliniendistanz zur nächsten Apotheke", "m")
INKAR_REGIONS = [("Gemeinden", a, n) for a, n, _ in MUNIS] + [("Kreise", "14626000", "Görlitz"),
                                                             ("Länder", "14000000", "Sachsen"),
                                                             ("Bund", "00000000", "Deutschland")]
INKAR_KEYS = {"14626000": "14626", "14000000": "14", "00000000": "DG"}
INKAR_VALUES = {(key, year): 1000.5 + 100 * i + year - 2020
                for i, (_, key, _) in enumerate(INKAR_REGIONS) for year in (2021, 2023)}


def write_flat(path: Path, stat=FLAT_STAT, var=FLAT_VAR) -> Path:
    lines = [FLAT_HEADER]
    for (key, year, sex), value in FLAT_VALUES.items():
        level, name = next((lv, n) for k, lv, n in FLAT_REGIONS if k == key)
        sex_label = dict(SEXES)[sex]
        lines.append(f"{stat[0]};{stat[1]};STAG;Stichtag;{year}-12-31;{level};Gebiet;{key};{name};GES;Geschlecht;"
                     f"{sex};{sex_label};{value};{var[2]};{var[0]};{var[1]}")
    path.write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))
    return path


def write_table(path: Path) -> Path:
    lines = [f"GENESIS-Tabelle: {TABLE_CODE};;;;", f"{TABLE_TITLE};;;;", "Beherbergungsstatistik;;;;",
             f";;;{TABLE_GROUP};", ";;;" + ";".join(TABLE_LABELS), ";;;Anzahl;Anzahl"]
    for year in (2023, 2024):
        for key, name in TABLE_REGIONS:
            lines.append(f"{year};{key};  {name};" + ";".join(str(TABLE_VALUES[(key, year, lab)])
                                                          for lab in TABLE_LABELS))
    lines += ["__________", "© Statistische Ämter des Bundes und der Länder, Deutschland, 2025",
              f"Stand: {TABLE_STAND:%d.%m.%Y} / 08:15:52"]
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def write_inkar(path: Path) -> Path:
    lines = ["Bereich;ID;Kuerzel;Indikator;Raumbezug;Kennziffer;Name;Zeitbezug;Wert"]
    for (key, year), value in INKAR_VALUES.items():
        space, name = next((s, n) for s, k, n in INKAR_REGIONS if k == key)
        lines.append(f"Erreichbarkeit;12;{INKAR_VAR[0]};{INKAR_VAR[1]} ({INKAR_VAR[2]});{space};{key};{name};"
                     f"{year};{str(value).replace('.', ',')}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def flat_expected() -> dict[tuple[str, int], float]:
    return {(k, y): v for (k, y, sex), v in FLAT_VALUES.items() if sex == "" and (k in MUNI_KEYS | BENCHMARKS)}


def table_expected() -> dict[tuple[str, int], float]:
    return {(k, y): v for (k, y, lab), v in TABLE_VALUES.items()
            if lab == TABLE_LABELS[0] and (k in MUNI_KEYS | BENCHMARKS)}


def inkar_expected() -> dict[tuple[str, int], float]:
    out = {(INKAR_KEYS.get(k, k), y): v for (k, y), v in INKAR_VALUES.items()}
    return {(k, y): v for (k, y), v in out.items() if k in MUNI_KEYS | BENCHMARKS}


FORMATS = {
    # name: (writer, file name, format, first series' variable code, values the new indicator must get)
    "flat": (write_flat, "13111_beschaeftigte.csv", "genesis_ffcsv", FLAT_VAR[0], flat_expected),
    "table": (write_table, "45412_beherbergung.csv", "genesis_table", f"{TABLE_GROUP} - {TABLE_LABELS[0]}",
              table_expected),
    "inkar": (write_inkar, "inkar_apotheke.csv", "inkar", INKAR_VAR[0], inkar_expected),
}


@pytest.fixture()
def source(tmp_path) -> Path:
    return make_minimal_source(tmp_path / "src")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def values(db: Path, indicator_id: str) -> dict[tuple[str, int], float]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {(k, y): v for k, y, v in con.execute(
            "select region_key, year, value from indicator_value where indicator_id = ?", [indicator_id]).fetchall()}


def declared(source: Path, kind: str, theme: str = "supply"):
    """Write the format's file into statistik/, describe and propose it; the first new proposal with a theme."""
    writer, name, _, _, _ = FORMATS[kind]
    path = writer(source / "statistik" / name)
    desc = describe(path, source)
    new = [p for p in propose(desc, source) if not p.known_as]
    return desc, [dataclasses.replace(p, theme=theme) for p in new]


# ------------------------------------------------------------------ describe

def test_describe_flat_file_finds_codes_labels_dimensions_years_and_regions(source):
    desc = describe(write_flat(source / "statistik" / "x.csv"), source)
    assert desc.format == "genesis_ffcsv"
    assert [(s.code, s.label) for s in desc.statistics] == [FLAT_STAT]
    assert [(v.code, v.label, v.unit) for v in desc.variables] == [FLAT_VAR]
    (ges,) = desc.dimensions
    assert (ges.code, ges.label) == ("GES", "Geschlecht")
    assert {(v.code, v.label) for v in ges.values} == set(SEXES)
    assert {(s.statistic, s.variable, s.dims) for s in desc.series} == {
        (FLAT_STAT[0], FLAT_VAR[0], f"GES={sex}" if sex else "") for sex, _ in SEXES}
    assert {s.label for s in desc.series} == {FLAT_VAR[1]} | {f"{FLAT_VAR[1]} – {lab}" for sex, lab in SEXES if sex}
    assert desc.years == tuple(sorted({y for _, y, _ in FLAT_VALUES}))
    assert desc.rows == len(FLAT_VALUES)
    keys = {k for k, _, _ in FLAT_REGIONS}
    r = desc.regions
    assert r.keys == len(keys)
    assert (r.municipalities, r.municipalities_total) == (len(keys & MUNI_KEYS), len(MUNIS))
    assert r.benchmarks == len(keys & BENCHMARKS)
    assert r.other == len(keys - MUNI_KEYS - BENCHMARKS)
    years = desc.years
    assert desc.summary() == (f"GENESIS-Flatfile (ffcsv), Statistik {FLAT_STAT[0]}, 1 Merkmal, 1 Dimension, "
                              f"{years[0]}–{years[-1]}, {r.keys} Gebiete ({r.municipalities} von {len(MUNIS)} "
                              f"Gemeinden, {r.benchmarks} Vergleichsgebiete, {r.other} weitere)")


def test_describe_table_finds_code_columns_units_stand_and_regions(source):
    desc = describe(write_table(source / "statistik" / "t.csv"), source)
    assert (desc.format, desc.encoding, desc.stand) == ("genesis_table", "cp1252", TABLE_STAND)
    assert desc.title == TABLE_TITLE
    assert [s.code for s in desc.statistics] == [TABLE_CODE]
    assert sorted((v.code, v.unit) for v in desc.variables) == [(f"{TABLE_GROUP} - {lab}", "Anzahl")
                                                                  for lab in TABLE_LABELS]
    assert desc.dimensions == ()
    assert desc.years == tuple(sorted({y for _, y, _ in TABLE_VALUES}))
    keys = {k for k, _ in TABLE_REGIONS}
    assert (desc.regions.keys, desc.regions.municipalities, desc.regions.benchmarks, desc.regions.other) == (
        len(keys), len(keys & MUNI_KEYS), len(keys & BENCHMARKS), len(keys - MUNI_KEYS - BENCHMARKS))


def test_describe_inkar_finds_kuerzel_label_unit_and_normalised_regions(tmp_path, source):
    desc = describe(write_inkar(source / "statistik" / "i.csv"), source)
    assert desc.format == "inkar"
    assert [(v.code, v.label, v.unit) for v in desc.variables] == [INKAR_VAR]
    (series,) = desc.series
    assert not series.integral  # decimal comma values: the proposal gets decimals
    keys = {INKAR_KEYS.get(k, k) for _, k, _ in INKAR_REGIONS}
    assert desc.regions.keys == len(keys)
    assert dict(desc.regions.by_level)["gemeinde"] == len(MUNIS)
    assert desc.regions.benchmarks == len(keys & BENCHMARKS)
    assert desc.years == tuple(sorted({y for _, y in INKAR_VALUES}))
    assert describe(tmp_path / "src" / "statistik" / "i.csv").regions.municipalities is None  # no folder given


def test_describe_old_german_flat_file_takes_variables_from_the_value_columns():
    path = ROOT / "tests" / "fixtures" / "stats" / "ffcsv_de_old_header_cp1252.csv"
    header, *rows = [line.split(";") for line in path.read_text(encoding="cp1252").splitlines() if line.strip()]
    value_columns = [h.strip().split("__") for h in header if "__" in h]
    desc = describe(path)
    assert desc.format == "genesis_ffcsv" and desc.encoding == "cp1252"
    assert {(s.code, s.label) for s in desc.statistics} == {(r[0], r[1]) for r in rows}
    assert [(v.code, v.label, v.unit) for v in desc.variables] == sorted((c, lab, u) for c, lab, u in value_columns)
    assert desc.regions.keys == len({r[7] for r in rows})
    assert desc.years == tuple(sorted({int(r[4][-4:]) for r in rows}))


def test_describe_refuses_what_the_etl_refuses(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        describe(path)
    assert "Unbekanntes Dateiformat" in str(exc.value)


# ------------------------------------------------------------------ propose + declare + build

@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_proposal_declared_makes_the_build_load_the_new_indicator(kind, source, tmp_path):
    desc, proposals = declared(source, kind)
    _, name, fmt, variable, expected = FORMATS[kind]
    assert desc.format == fmt
    first = next(p for p in proposals if p.source_variable == variable and not p.source_dims)
    ids = [p.indicator_id for p in proposals]
    assert len(set(ids)) == len(ids) and not {"population", "population_change"} & set(ids)
    assert (first.source_file, first.source_statistic) == (name, desc.series[0].statistic)
    declare(source, name, [first], propose_source(desc), desc=desc)
    build(source, tmp_path / "m.duckdb", today=TODAY)
    assert values(tmp_path / "m.duckdb", first.indicator_id) == pytest.approx(expected())
    with duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True) as con:
        assert con.execute("select name_de, unit, theme from indicator where indicator_id = ?",
                           [first.indicator_id]).fetchone() == (first.name_de, first.unit, "supply")
        assert con.execute("select count(*) from source where source_id = ?", [f"statistik/{name}"]).fetchone()[0]


def test_known_variable_is_not_proposed_again(source, tmp_path):
    path = write_flat(source / "statistik" / "bev2.csv", stat=("12411", "Bevölkerungsstand"),
                      var=("BEVSTD", "Bevölkerungsstand", "Anzahl"))
    desc = describe(path, source)
    proposals = propose(desc, source)
    # the minimal catalogue's "population" reads 12411/BEVSTD without dimensions from any file
    assert {(p.source_dims, p.known_as) for p in proposals} == {("", "population"), ("GES=GESW", None)}
    new = [dataclasses.replace(p, theme="demography") for p in proposals if not p.known_as]
    declare(source, path.name, proposals[:0] + [p for p in proposals if p.known_as] + new, propose_source(desc))
    again = propose(describe(path, source), source)
    assert {p.known_as for p in again} == {"population", new[0].indicator_id}
    with pytest.raises(InputError) as exc:  # declaring the known series under a new id is refused
        declare(source, path.name, [dataclasses.replace(new[0], indicator_id="women_again")], propose_source(desc))
    assert any(i.column == "source_variable" and new[0].indicator_id in i.message for i in exc.value.issues)


def test_sample_exports_propose_their_catalogue_rows_as_known():
    sample = ROOT / "data" / "sample"
    with (sample / "indikatoren.csv").open(encoding="utf-8") as fh:
        catalogue = [r for r in csv.DictReader(fh, delimiter=";") if r["method"] == "file"]
    for path in sorted((sample / "statistik").glob("*.csv")):
        proposals = propose(describe(path, sample), sample)
        expected = {r["indicator_id"] for r in catalogue if r["source_file"] == path.name}
        assert {p.known_as for p in proposals if p.known_as} == expected, path.name
        new = [p.indicator_id for p in proposals if not p.known_as]
        assert len(set(new)) == len(new) and not set(new) & {r["indicator_id"] for r in catalogue}


# ------------------------------------------------------------------ refusals

@pytest.mark.parametrize("change, column", [
    (lambda d, s: (dataclasses.replace(d, theme="verkehr"), s), "theme"),
    (lambda d, s: (dataclasses.replace(d, indicator_id="population"), s), "indicator_id"),
    (lambda d, s: (dataclasses.replace(d, indicator_id="Neue Zahl"), s), "indicator_id"),
    (lambda d, s: (dataclasses.replace(d, unit=" "), s), "unit"),
    (lambda d, s: (dataclasses.replace(d, licence="frei erfunden"), s), "licence"),
    (lambda d, s: (dataclasses.replace(d, source_variable="XYZ999"), s), "source_variable"),
    (lambda d, s: (d, dataclasses.replace(s, stand="31.02.2024")), "stichtag"),
    (lambda d, s: (d, dataclasses.replace(s, licence="irgendeine")), "lizenz"),
    (lambda d, s: (d, dataclasses.replace(s, origin="")), "herkunft"),
], ids=["theme", "duplicate-id", "bad-id", "unit", "licence", "variable", "stand", "source-licence", "origin"])
def test_invalid_declaration_is_refused_naming_the_field_and_nothing_is_written(change, column, source):
    desc, proposals = declared(source, "flat")
    decl, src = change(proposals[0], propose_source(desc))
    before = snapshot(source)
    with pytest.raises(InputError) as exc:
        declare(source, desc.file_name, [decl], src)
    hits = [i for i in exc.value.issues if i.column == column]
    assert hits and all(FIELD_LABELS[column] in i.message for i in hits)
    assert hits[0].file == ("quellen.csv" if column in FIELD_LABELS and column in
                            ("stichtag", "lizenz", "herkunft") else "indikatoren.csv")
    assert snapshot(source) == before  # no temporary file left, nothing changed


def test_declare_writes_nothing_outside_the_source_folder(source):
    desc, proposals = declared(source, "flat")
    before = snapshot(source.parent)
    for bad in ("../gemeinden.csv", "statistik/../../x.csv", "unter/ordner.csv"):
        with pytest.raises(InputError) as exc:
            declare(source, bad, proposals, propose_source(desc))
        assert exc.value.issues[0].column == "datei"
    assert snapshot(source.parent) == before


# ------------------------------------------------------------------ the files' own style

def test_declare_keeps_encoding_line_ends_and_quoting_and_replaces_the_files_source_row(source, tmp_path):
    cat, man = source / "indikatoren.csv", source / "quellen.csv"
    cat.write_bytes(cat.read_text(encoding="utf-8").replace("\n", "\r\n").encode("cp1252"))
    rows = [line.split(";") for line in man.read_text(encoding="utf-8").splitlines()]
    man.write_text("".join(";".join(f'"{c}"' for c in r) + "\n" for r in rows), encoding="utf-8")
    old_cat = cat.read_bytes()
    desc, proposals = declared(source, "flat")
    src = propose_source(desc)
    declare(source, desc.file_name, proposals[:1], dataclasses.replace(src, stand=dt.date(2024, 6, 30)))
    new_cat = cat.read_bytes()
    assert new_cat.startswith(old_cat)
    added = new_cat[len(old_cat):].decode("cp1252")  # Windows-1252 kept: umlauts in the name
    assert added.endswith("\r\n") and added.count("\r\n") == 1 and proposals[0].name_de in added
    declare(source, desc.file_name, proposals[1:2], dataclasses.replace(src, stand=dt.date(2024, 12, 31)))
    lines = [ln for ln in man.read_text(encoding="utf-8").splitlines() if f"statistik/{desc.file_name}" in ln]
    assert lines == [lines[0]] and '"31.12.2024"' in lines[0]  # one row for the file, the newer Stand, quoted
    assert all(c.startswith('"') for c in lines[0].split(";"))
    with pytest.raises(InputError) as exc:  # a character Windows-1252 cannot hold is refused, naming the field
        declare(source, desc.file_name, [dataclasses.replace(proposals[0], indicator_id="x", name_de="Anteil Ω")],
                src)
    assert [i.column for i in exc.value.issues if "Ω" in i.message] == ["name_de"]
    build(source, tmp_path / "m.duckdb", today=TODAY)
    for p in proposals[:2]:
        assert values(tmp_path / "m.duckdb", p.indicator_id)
