"""Statistics exports -> stg_statistic (etl.statistics): formats, encodings, values, errors, sample data."""
from __future__ import annotations

import csv
import importlib.util
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.issues import InputError
from etl.statistics import (
    STAGING_DDL,
    detect_format,
    ensure_staging,
    install_macros,
    load_statistics_file,
    parse_period,
    parse_value,
)
from etl.statistics.encoding import eight_bit_encoding

ROOT = Path(__file__).resolve().parents[2]
FX = ROOT / "tests" / "fixtures" / "stats"
SAMPLE = ROOT / "data" / "sample"
STG_COLUMNS = ["source_id", "format", "line", "statistic_code", "variable_code", "dims", "region_key",
               "region_level", "region_name", "period", "value", "flag", "unit"]


@pytest.fixture()
def con():
    c = duckdb.connect()
    yield c
    c.close()


def rows(con, source_id, where="true", params=()):
    cur = con.execute(f"select * from stg_statistic where source_id = ? and ({where}) order by line, variable_code",
                      [source_id, *params])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def load(con, name):
    return load_statistics_file(con, FX / name, name)


# ------------------------------------------------------------------------------------------ staging table
def test_staging_columns_exactly(con):
    ensure_staging(con)
    ensure_staging(con)  # idempotent
    cols = [r[0] for r in con.execute("select column_name from information_schema.columns "
                                      "where table_name = 'stg_statistic' order by ordinal_position").fetchall()]
    assert cols == STG_COLUMNS
    assert "create table if not exists stg_statistic" in STAGING_DDL


# ------------------------------------------------------------------------------------------ detection
@pytest.mark.parametrize("name,fmt,enc", [
    ("ffcsv_en_bom_3blocks.csv", "genesis_ffcsv", "utf-8-sig"),
    ("ffcsv_en_1block_value_q_point.csv", "genesis_ffcsv", "utf-8"),
    ("ffcsv_de_old_header_cp1252.csv", "genesis_ffcsv", "cp1252"),
    ("table_cp1252_datecol.csv", "genesis_table", "cp1252"),
    ("table_iso885915_periods_header.csv", "genesis_table", "iso-8859-15"),
    ("inkar.csv", "inkar", "utf-8"),
])
def test_detect_format_from_content(name, fmt, enc, tmp_path):
    assert detect_format(FX / name) == (fmt, enc)
    # the file name plays no part
    copy = tmp_path / "export.txt"
    shutil.copy(FX / name, copy)
    assert detect_format(copy) == (fmt, enc)


@pytest.mark.parametrize("name,text", [
    ("empty.csv", "leer"),
    ("garbage.bin.csv", "Binärdaten"),
    ("html_error_page.csv", "HTML-Seite"),
    ("unknown_header.csv", "Unbekanntes Dateiformat"),
])
def test_detect_format_rejects_non_exports(name, text):
    with pytest.raises(InputError) as exc:
        detect_format(FX / name)
    issue = exc.value.issues[0]
    assert issue.severity == "error"
    assert issue.file == name
    assert text in issue.message


def test_detect_zip_and_comma_csv(tmp_path):
    z = tmp_path / "a.csv"
    z.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    with pytest.raises(InputError, match="ZIP-Archiv"):
        detect_format(z)
    c = tmp_path / "b.csv"
    c.write_text("statistik,jahr,wert\n12411,2024,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="Komma"):
        detect_format(c)


@pytest.mark.parametrize("data,enc", [
    (b"G\xf6rlitz \x80 5", "cp1252"),  # euro sign in cp1252
    (b"G\xf6rlitz \xa4 5", "iso-8859-15"),  # euro sign in ISO-8859-15
    (b"G\xf6rlitz \x84Zitat\x93", "cp1252"),  # German quotes only exist in cp1252
    (b"G\xf6rlitz", "cp1252"),  # same text in both: cp1252
])
def test_eight_bit_encoding_rule(data, enc):
    assert eight_bit_encoding(data) == enc


# ------------------------------------------------------------------------------------------ values
VALUE_CASES = [
    ("123", (123.0, None)), ("-4", (-4.0, None)), ("12,5", (12.5, None)), ("12.5", (12.5, None)),
    (" 7 ", (7.0, None)), ("-", (0.0, "zero")), (".", (None, "secret")), ("...", (None, "later")),
    ("/", (None, "unreliable")), ("x", (None, "not_applicable")), ("(12,3)", (12.3, "limited")),
    ("( 5 )", (5.0, "limited")), ("123p", (123.0, "provisional")), ("4,5 r", (4.5, "revised")),
    ("9s", (9.0, "estimated")), ("10e", (10.0, "final")), ("", None), ("12a", None),
    # German Excel grouping: unambiguous with a decimal comma or two or more points; '1.812' alone is not
    ("1.234.567", (1234567.0, None)), ("1.234,5", (1234.5, None)), ("1.812.345,6", (1812345.6, None)),
    ("-1.812,4", (-1812.4, None)), ("1.812,4p", (1812.4, "provisional")), ("(1.812,4)", (1812.4, "limited")),
    ("0.123", (0.123, None)), ("1234.567", (1234.567, None)), ("12.345", None), ("1.812", None),
    ("-1.812", None), ("1.812p", None), ("(1.812)", None), ("1.81,2", None), ("12.34,5", None),
    ("1,812.4", None), ("nan", None), ("inf", None), ("1e5", None), ("k. A.", None), ("--", None),
]


@pytest.mark.parametrize("raw,expected", VALUE_CASES)
def test_parse_value(raw, expected):
    assert parse_value(raw) == expected


def test_sql_value_and_period_rules_agree_with_python(con):
    install_macros(con)
    for raw, expected in VALUE_CASES:
        got = con.execute("select rm_value(?)", [raw]).fetchall()[0][0]
        got = None if got["flag"] == "invalid" else (got["value"], got["flag"])
        assert got == expected, raw
    for raw in ["2024-12-31", "31.12.2024", "1.1.2024", "2024", "2019-2021", "2024-02-30", "31.13.2024", "24",
                "", "Jahr"]:
        got = con.execute("select rm_period(?)", [raw]).fetchall()[0][0]
        assert got == parse_period(raw), raw


def test_parse_period():
    assert parse_period("2024-12-31") == date(2024, 12, 31)
    assert parse_period("31.12.2022") == date(2022, 12, 31)
    assert parse_period("2019") == date(2019, 12, 31)
    assert parse_period("2019-2021") == date(2021, 12, 31)  # INKAR multi-year mean
    assert parse_period("2024-02-30") is None
    assert parse_period("Q1 2024") is None


# ------------------------------------------------------------------------------------------ GENESIS flat file
def test_ffcsv_three_blocks_bom_special_values(con):
    res = load(con, "ffcsv_en_bom_3blocks.csv")
    assert (res.format, res.encoding, res.rows) == ("genesis_ffcsv", "utf-8-sig", 13)
    assert res.title == "Fortschreibung des Bevölkerungsstandes" and res.stand is None
    got = {(r["region_key"], r["dims"]): r for r in rows(con, "ffcsv_en_bom_3blocks.csv")}
    district = got[("14626", "")]
    assert district["region_level"] == "kreis" and district["value"] == 243958
    assert district["statistic_code"] == "12411" and district["variable_code"] == "BEVSTD"
    assert district["unit"] == "Anzahl" and district["period"] == date(2024, 12, 31) and district["line"] == 2
    # region block not in first position; dims sorted by code, the region block excluded
    assert got[("14626", "ALTX20=ALT065UM;GES=GESW")]["value"] == 44000
    flags = {k[0]: (r["value"], r["flag"]) for k, r in got.items() if k[1] == ""}
    assert flags["14626060"] == (4303, "provisional")
    assert flags["14626020"] == (None, "secret")
    assert flags["14626030"] == (0, "zero")
    assert flags["14626050"] == (None, "later")
    assert flags["14626070"] == (None, "unreliable")
    assert flags["14626085"] == (None, "not_applicable")
    assert flags["14626100"] == (1550.5, "limited")
    assert flags["14"] == (4041583, None)
    assert flags["DG"] == (83577140, None)
    assert got[("14626110", "")]["region_name"] == "Görlitz, Stadt"
    # the total row without a key is staged without a region and reported
    no_key = rows(con, "ffcsv_en_bom_3blocks.csv", "region_key is null")
    assert len(no_key) == 1 and no_key[0]["region_name"] == "Insgesamt"
    assert any(i.severity == "warning" and i.row == 14 for i in res.issues)


def test_ffcsv_one_block_value_q_decimal_point_and_ars(con):
    res = load(con, "ffcsv_en_1block_value_q_point.csv")
    assert res.rows == 6
    got = [(r["line"], r["region_key"], r["value"], r["flag"], r["period"]) for r in
           rows(con, "ffcsv_en_1block_value_q_point.csv")]
    assert got == [
        (2, "14626110", 23456.5, "provisional", date(2023, 12, 31)),
        (3, "14626060", 1550.0, "revised", date(2023, 12, 31)),
        (4, "14626010", 1200.25, "estimated", date(2023, 12, 31)),
        (5, "14626020", 300.0, "final", date(2023, 12, 31)),
        (6, "14626030", -0.5, None, date(2023, 12, 31)),
        (7, "14626110", 55186.0, "final", date(2023, 12, 31)),  # 12-digit ARS from the Zensus database
    ]


def test_ffcsv_old_german_header_cp1252_two_value_columns(con):
    res = load(con, "ffcsv_de_old_header_cp1252.csv")
    assert (res.format, res.encoding, res.rows) == ("genesis_ffcsv", "cp1252", 6)
    got = {(r["region_key"], r["variable_code"]): r for r in rows(con, "ffcsv_de_old_header_cp1252.csv")}
    area = got[("14626", "FLC006")]
    assert (area["value"], area["unit"], area["period"]) == (2111.41, "qkm", date(2022, 12, 31))
    assert area["region_name"] == "Görlitz, Landkreis"  # transcoded from cp1252
    assert got[("14612", "BEV001")]["region_level"] == "kreis"
    assert (got[("14", "BEV001")]["value"], got[("14", "BEV001")]["flag"]) == (0.0, "zero")


def test_ffcsv_non_utf8_after_first_mib_is_transcoded(con, tmp_path):
    head = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
            "1_variable_attribute_code;1_variable_attribute_label;value;value_unit;value_variable_code;"
            "value_variable_label\n")
    line = "12411;Bev;STAG;Stichtag;2024-12-31;GEMEIN;Gemeinden;14626110;Goerlitz;55186;Anzahl;BEVSTD;Bev\n"
    n = (1 << 20) // len(line) + 50
    p = tmp_path / "late_cp1252.csv"
    p.write_bytes((head + line * n).encode() + line.replace("Goerlitz", "Görlitz").encode("cp1252"))
    assert detect_format(p) == ("genesis_ffcsv", "utf-8")  # the head alone looks like UTF-8
    res = load_statistics_file(con, p, "late")
    assert res.rows == n + 1 and res.encoding == "cp1252"
    assert con.execute("select count(*) from stg_statistic where region_name = 'Görlitz'").fetchall()[0][0] == 1


def test_utf16_export_is_read(con, tmp_path):
    p = tmp_path / "utf16.csv"
    p.write_bytes((FX / "inkar.csv").read_text(encoding="utf-8").encode("utf-16"))
    assert detect_format(p) == ("inkar", "utf-16")
    res = load_statistics_file(con, p, "u16")
    assert res.rows == 8
    assert con.execute("select count(*) from stg_statistic where region_name = 'Görlitz'").fetchall()[0][0] == 2


def test_ffcsv_bad_values_are_errors_with_place(con):
    with pytest.raises(InputError) as exc:
        load(con, "bad_values_ffcsv.csv")
    issues = exc.value.issues
    assert [(i.row, i.column, i.value) for i in issues] == [
        (2, "value", "12a"), (3, "value", "1.234"), (4, "time", "2023-13-45")]
    assert "Mehrdeutig" in issues[1].message and "Tausendertrennzeichen" in issues[1].expected
    assert "weder Zahl" in issues[0].message
    assert all(i.file == "bad_values_ffcsv.csv" and i.severity == "error" and i.expected for i in issues)
    assert con.execute("select count(*) from stg_statistic").fetchall()[0][0] == 0  # nothing left staged


def test_ffcsv_many_bad_values_are_capped_with_summary(con, tmp_path):
    head = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
            "1_variable_attribute_code;1_variable_attribute_label;value;value_unit;value_variable_code;"
            "value_variable_label\n")
    body = "".join(f"12411;B;STAG;S;2024-12-31;GEMEIN;G;14626110;G;k.A.{i};Anzahl;BEVSTD;B\n" for i in range(120))
    p = tmp_path / "many.csv"
    p.write_text(head + body, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_statistics_file(con, p, "many")
    issues = exc.value.issues
    assert len(issues) == 51
    assert issues[0].row == 2 and issues[49].row == 51
    assert "120" in issues[-1].message


def test_ffcsv_truncated_row(con):
    with pytest.raises(InputError) as exc:
        load(con, "truncated_ffcsv.csv")
    issues = exc.value.issues
    assert len(issues) == 1 and issues[0].row == 4 and "zu wenige Felder" in issues[0].message
    assert "Gefunden: 10 Felder" in issues[0].message and issues[0].expected.startswith("14 Felder")
    assert "duckdb" not in str(exc.value).lower() and "Error:" not in str(exc.value)


def test_ffcsv_changed_header(con):
    with pytest.raises(InputError) as exc:
        load(con, "changed_header_ffcsv.csv")
    issue = exc.value.issues[0]
    assert issue.row == 1 and issue.column == "value" and "Kopfzeile" in issue.message


def test_ffcsv_header_only_is_an_error(con, tmp_path):
    p = tmp_path / "only_header.csv"
    p.write_text((FX / "ffcsv_en_1block_value_q_point.csv").read_text(encoding="utf-8").splitlines()[0] + "\n",
                 encoding="utf-8")
    with pytest.raises(InputError, match="keine Datenzeilen"):
        load_statistics_file(con, p, "h")


def test_reload_replaces_rows_of_the_source(con):
    load(con, "ffcsv_en_1block_value_q_point.csv")
    load(con, "ffcsv_en_1block_value_q_point.csv")
    assert con.execute("select count(*) from stg_statistic").fetchall()[0][0] == 6


# ------------------------------------------------------------------------------------------ GENESIS table
def test_table_cp1252_date_column_groups_units_footer(con):
    res = load(con, "table_cp1252_datecol.csv")
    assert (res.format, res.encoding, res.rows) == ("genesis_table", "cp1252", 15)
    assert res.title == "Bevölkerung nach Geschlecht – Stichtag 31.12. – regionale Tiefe: Gemeinden"
    assert res.stand == date(2024, 11, 27)
    got = {(r["region_key"], r["period"], r["variable_code"]): r for r in rows(con, "table_cp1252_datecol.csv")}
    city = got[("14626110", date(2024, 12, 31), "Bevölkerungsstand - Insgesamt")]
    assert (city["value"], city["unit"], city["statistic_code"], city["dims"], city["line"]) == \
        (55186, "Anzahl", "12411-01-01-5", "", 8)
    assert city["region_name"] == "Görlitz, Stadt"
    assert got[("14626110", date(2023, 12, 31), "Bevölkerungsstand - Insgesamt")]["value"] == 56694
    assert got[("14626", date(2024, 12, 31), "Bevölkerungsstand - weiblich")]["region_level"] == "kreis"
    # a dissolved unit, filled with '-': staged as zeros, the build reports it against the reference
    gone = [r for k, r in got.items() if k[0] == "14626999"]
    assert len(gone) == 3 and all(r["flag"] == "zero" and r["value"] == 0 for r in gone)
    secret = got[("14626020", date(2024, 12, 31), "Bevölkerungsstand - männlich")]
    assert (secret["value"], secret["flag"]) == (None, "secret")


def test_table_iso8859_15_periods_in_header(con):
    res = load(con, "table_iso885915_periods_header.csv")
    assert (res.encoding, res.rows, res.stand) == ("iso-8859-15", 9, date(2025, 3, 14))
    got = {(r["region_key"], r["period"].year, r["variable_code"]): (r["value"], r["flag"], r["unit"])
           for r in rows(con, "table_iso885915_periods_header.csv")}
    assert got[("14626", 2024, "Gästeankünfte")] == (510000, None, "Anzahl")  # unit from the title line
    assert got[("14626110", 2024, "Gästeankünfte")] == (None, "later", "Anzahl")
    assert got[("14626430", 2023, "Gästeankünfte")] == (30000, "limited", "Anzahl")
    assert got[("14626430", 2024, "Gästeankünfte")] == (31000, "revised", "Anzahl")
    assert got[("14626430", 2023, "Gästeübernachtungen")] == (95000, None, "Anzahl")


def test_table_truncated_row(con):
    with pytest.raises(InputError) as exc:
        load(con, "truncated_table.csv")
    issue = exc.value.issues[0]
    assert issue.row == 8 and "5 statt 6" in issue.message


def test_table_bad_values(con):
    with pytest.raises(InputError) as exc:
        load(con, "bad_values_table.csv")
    got = [(i.row, i.column, i.value) for i in exc.value.issues]
    assert got == [(8, "Bevölkerungsstand - Insgesamt", "55.186"), (8, "Bevölkerungsstand - männlich", "k. A.")]
    assert "Mehrdeutig" in exc.value.issues[0].message and "weder Zahl" in exc.value.issues[1].message
    assert con.execute("select count(*) from stg_statistic").fetchall()[0][0] == 0


def test_table_without_title_code(con, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("GENESIS-Tabelle:\n;;2024\n14626;Görlitz;1\n", encoding="utf-8")
    with pytest.raises(InputError, match="Tabellenkopf"):
        load_statistics_file(con, p, "t")


# ------------------------------------------------------------------------------------------ INKAR
def test_inkar_keys_levels_and_empty_values(con):
    res = load(con, "inkar.csv")
    assert (res.format, res.rows) == ("inkar", 8)
    got = [(r["region_key"], r["region_level"], r["value"], r["flag"]) for r in rows(con, "inkar.csv")]
    assert got == [
        ("14626", "kreis", 1234.5, None),
        ("14612", "kreis", 650.0, None),  # kreisfreie Stadt as Kreis
        ("14612000", "gemeinde", 651.0, None),  # the same city as Gemeinde keeps its AGS
        ("14626110", "gemeinde", 700.25, None),
        ("146265302", "verband", 2100.0, None),
        ("14", "land", 1450.0, None),
        ("DG", "bund", 1150.0, None),
        ("14626060", "gemeinde", None, "secret"),
    ]
    r = rows(con, "inkar.csv")[0]
    assert (r["statistic_code"], r["variable_code"], r["dims"], r["unit"], r["period"]) == \
        ("INKAR", "q_dist_supermarkt", "", "m", date(2023, 12, 31))
    assert [i.row for i in res.issues if i.severity == "warning"] == [9]


def test_inkar_changed_header(con, tmp_path):
    p = tmp_path / "i.csv"
    p.write_text("Bereich;ID;Kuerzel;Indikator;Raumbezug;Kennziffer;Name;Zeitbezug;Wert\n"
                 "A;1;k;I;Kreise;14626000;Görlitz;2023;1;extra\n", encoding="utf-8")
    with pytest.raises(InputError, match="zu viele Felder"):
        load_statistics_file(con, p, "i")


# ------------------------------------------------------------------------------------------ sample data
def _catalogue():
    with open(SAMPLE / "indikatoren.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


@pytest.fixture(scope="module")
def sample_con():
    c = duckdb.connect()
    results = {}
    for p in sorted((SAMPLE / "statistik").glob("*.csv")):
        results[p.name] = load_statistics_file(c, p, "statistik/" + p.name)
    yield c, results
    c.close()


def test_sample_files_load_cleanly_in_all_formats(sample_con):
    con, results = sample_con
    assert len(results) >= 9
    assert all(not r.issues for r in results.values())
    formats = {(r.format, r.encoding) for r in results.values()}
    assert {("genesis_table", "cp1252"), ("genesis_table", "iso-8859-15"), ("inkar", "utf-8"),
            ("genesis_ffcsv", "utf-8-sig"), ("genesis_ffcsv", "utf-8")} <= formats
    flags = {f for (f,) in con.execute("select distinct flag from stg_statistic where flag is not null").fetchall()}
    assert {"secret", "zero", "later", "limited", "provisional"} <= flags


def test_catalogue_matches_sample_files(sample_con):
    con, _ = sample_con
    cat = _catalogue()
    assert list(cat[0].keys()) == ["indicator_id", "name_de", "name_en", "theme", "unit", "higher_is_better",
                                   "decimals", "source", "licence", "definition", "method", "source_file",
                                   "source_statistic", "source_variable", "source_dims", "formula",
                                   "series_break"]
    ids = {c["indicator_id"] for c in cat}
    for c in cat:
        assert c["theme"] in {"mobility", "supply", "tourism", "value_chains", "demography"}
        assert c["higher_is_better"] in {"ja", "nein", ""}
        if c["method"] == "file":
            src = "statistik/" + c["source_file"] if c["source_file"] else None
            n = con.execute(
                "select count(*) from stg_statistic where (? is null or source_id = ?) and statistic_code = ? "
                "and variable_code = ? and dims = ? and region_key is not null",
                [src, src, c["source_statistic"], c["source_variable"], c["source_dims"]]).fetchall()[0][0]
            assert n > 0, c["indicator_id"]
        else:
            assert c["method"] == "formula" and c["formula"]
            refs = set(re.findall(r"\{([a-z0-9_]+)\}", c["formula"]))
            assert refs and refs <= ids, c["indicator_id"]
    for theme in ("mobility", "supply", "tourism", "value_chains", "demography"):
        assert sum(c["theme"] == theme for c in cat) >= 3, theme


def test_sample_population_facts_and_consistency(sample_con):
    con, _ = sample_con
    q = ("select region_key, year(period), value from stg_statistic where statistic_code = '12411' "
         "and variable_code = 'BEVSTD' and dims = ''")
    pop = {(k, y): v for k, y, v in con.execute(q).fetchall()}
    ref = {}
    with open(ROOT / "data" / "reference" / "goerlitz_municipalities.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            ref[r["ags"]] = int(r["population"])
    assert len(ref) == 53
    assert all(pop[(k, 2024)] == v for k, v in ref.items())
    assert pop[("14626110", 2023)] == 56694
    for year in range(2015, 2025):
        assert pop[("14626", year)] == sum(pop[(k, year)] for k in ref)
    assert pop[("14626", 2024)] == 243958
    assert 4_000_000 < pop[("14", 2024)] < 4_100_000


def test_sample_generator_is_deterministic(tmp_path):
    spec = importlib.util.spec_from_file_location("make_sample_statistics", ROOT / "data" / "make_sample_statistics.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    import sys
    argv = sys.argv
    try:
        sys.argv = ["make_sample_statistics.py", "--out", str(tmp_path)]
        mod.main()
    finally:
        sys.argv = argv
    for p in sorted((SAMPLE / "statistik").iterdir()):
        assert (tmp_path / "statistik" / p.name).read_bytes() == p.read_bytes(), p.name
    assert (tmp_path / "indikatoren.csv").read_bytes() == (SAMPLE / "indikatoren.csv").read_bytes()
