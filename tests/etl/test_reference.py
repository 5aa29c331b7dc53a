"""Reference files: municipalities, regions, provenance manifest."""
from pathlib import Path

import pytest

from etl.issues import InputError
from etl.reference import parse_date, parse_number, read_manifest, read_municipalities, read_regions

HEADER = ("ags;name;name_sorbian;kind;association;population;population_date;area_km2;lat;lon;central_place;"
          "valid_from;valid_to;source\n")


def write(tmp_path: Path, name: str, text: str, encoding="utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_municipalities_read_with_utf8_names_and_leading_zero_keys(tmp_path):
    p = write(tmp_path, "gemeinden.csv", HEADER +
              "14626060;Boxberg/O.L.;Hamor;Gemeinde;;4303;2024-12-31;217.67;51.405;14.576;;;;GV\n"
              "01001000;Flensburg;;Stadt;;1;31.12.2024;56,74;54.78;9.43;;;;GV\n")
    df, issues = read_municipalities(p)
    assert issues == []
    assert list(df["ags"]) == ["14626060", "01001000"]
    assert df.loc[0, "name_sorbian"] == "Hamor"
    assert df.loc[1, "area_km2"] == pytest.approx(56.74)
    assert str(df.loc[1, "population_date"]) == "2024-12-31"


@pytest.mark.parametrize("row, column", [
    ("1462606;X;;Gemeinde;;1;;1;51;14;;;;", "ags"),
    ("14626060;X;;Gemeinde;;1;;1;abc;14;;;;", "lat"),
    ("14626060;X;;Gemeinde;;1;;1;151;14;;;;", "lat/lon"),
    ("14626060;X;;Gemeinde;;-5;;1;51;14;;;;", "population"),
    ("14626060;X;;Gemeinde;;1;31.02.2024;1;51;14;;;;", "population_date"),
])
def test_municipality_errors_name_row_and_column(tmp_path, row, column):
    p = write(tmp_path, "gemeinden.csv", HEADER + row + "\n")
    _, issues = read_municipalities(p)
    errors = [i for i in issues if i.severity == "error"]
    assert errors and errors[0].row == 2 and errors[0].column == column and errors[0].file == "gemeinden.csv"


def test_duplicate_municipality_key_is_an_error(tmp_path):
    line = "14626060;Boxberg/O.L.;;Gemeinde;;1;;1;51;14;;;;\n"
    _, issues = read_municipalities(write(tmp_path, "gemeinden.csv", HEADER + line + line))
    assert [i.row for i in issues] == [3] and "doppelt" in issues[0].message


def test_missing_required_column(tmp_path):
    _, issues = read_municipalities(write(tmp_path, "gemeinden.csv", "ags;name;kind;lat\n14626060;B;G;51\n"))
    assert [(i.column, i.severity) for i in issues] == [("lon", "error")]


def test_empty_and_binary_files_raise_input_error(tmp_path):
    with pytest.raises(InputError, match="leer"):
        read_municipalities(write(tmp_path, "gemeinden.csv", "  \n"))
    p = tmp_path / "gemeinden.csv"
    p.write_bytes(b"\x00\x01\x02PK\x03\x04" * 10)
    with pytest.raises(InputError, match="Binär"):
        read_municipalities(p)


def test_cp1252_file_is_read(tmp_path):
    p = write(tmp_path, "gebiete.csv", "region_key;name;level;parent_key\n14626;Landkreis Görlitz;kreis;14\n",
              encoding="cp1252")
    df, issues = read_regions(p)
    assert issues == [] and df.loc[0, "name"] == "Landkreis Görlitz"


def test_regions_need_a_district_and_known_levels(tmp_path):
    _, issues = read_regions(write(tmp_path, "gebiete.csv", "region_key;name;level\n14;Sachsen;land\n"))
    assert issues and "kreis" in issues[0].message
    _, issues = read_regions(write(tmp_path, "gebiete.csv", "region_key;name;level\n14;Sachsen;bundesland\n"))
    assert issues[0].column == "level" and issues[0].value == "bundesland"


def test_manifest(tmp_path):
    p = write(tmp_path, "quellen.csv", "datei;titel;herkunft;stichtag;lizenz;synthetisch;namensnennung;hinweis\n"
              "statistik/a.csv;A;StaLa;31.12.2024;dl-de/by-2-0;ja;;\n"
              "gemeinden.csv;G;Destatis;2024-12-31;dl-de/by-2-0;nein;© Destatis;\n"
              "x.csv;X;;;;vielleicht;;\n")
    out, issues = read_manifest(p)
    assert out["statistik/a.csv"]["synthetic"] is True
    assert out["gemeinden.csv"]["synthetic"] is False and str(out["gemeinden.csv"]["reference_date"]) == "2024-12-31"
    assert {(i.row, i.column) for i in issues} == {(4, "herkunft"), (4, "lizenz"), (4, "synthetisch")}


def test_parse_helpers():
    assert parse_number("1.234,5") == 1234.5 and parse_number("1234.5") == 1234.5 and parse_number("") is None
    assert str(parse_date("31.12.2024")) == "2024-12-31" and parse_date(" ") is None
    with pytest.raises(ValueError):
        parse_date("31.02.2024")
