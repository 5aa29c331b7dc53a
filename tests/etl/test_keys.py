"""Regional key normalisation (etl.keys): Python rules and the SQL macros must agree."""
from __future__ import annotations

import duckdb
import pytest

from etl.keys import install_sql_macros, level_from_hint, normalise_region_key, region_key_layers

CASES = [
    # raw, hint, expected
    ("14626110", None, ("14626110", "gemeinde")),
    ("14626110", "GEMEIN", ("14626110", "gemeinde")),
    ("14626", None, ("14626", "kreis")),
    ("14626", "KREISE", ("14626", "kreis")),
    ("14626000", "Kreise", ("14626", "kreis")),  # INKAR padded district key
    ("14626000", "kreis", ("14626", "kreis")),
    ("14612000", None, ("14612000", "gemeinde")),  # Dresden: real AGS ending in 000, no hint -> municipality
    ("14612000", "Gemeinden", ("14612000", "gemeinde")),
    ("14612000", "Kreise", ("14612", "kreis")),
    ("14626110", "Kreise", None),  # contradiction: not a padded district key
    ("146260000110", None, ("14626110", "gemeinde")),  # ARS -> AGS
    ("146265302", "Gemeindeverbände", ("146265302", "verband")),
    ("46265302", "Gemeindeverbände", ("046265302", "verband")),  # lost leading zero
    ("DG", None, ("DG", "bund")),
    ("dg", "DINSG", ("DG", "bund")),
    ("00000000", "Bund", ("DG", "bund")),
    ("14", None, ("14", "land")),
    ("14", "DLAND", ("14", "land")),
    ("14000000", "Länder", ("14", "land")),
    ("145", "REGBEZ", ("145", "regbez")),
    ("01001", None, ("01001", "kreis")),
    ("1001", None, ("01001", "kreis")),  # spreadsheet dropped the zero
    ("1001000", None, ("01001000", "gemeinde")),
    ("  14626110 ", None, ("14626110", "gemeinde")),
    ('"14626110"', None, ("14626110", "gemeinde")),
    ("092760130130", "GEOGM4", ("09276130", "gemeinde")),
    ("", None, None),
    ("   ", None, None),
    ("Insgesamt", None, None),
    ("14626-110", None, None),
    ("1462611012345", None, None),
    ("123456", None, None),
]


@pytest.mark.parametrize("raw,hint,expected", CASES)
def test_normalise_region_key(raw, hint, expected):
    assert normalise_region_key(raw, hint) == expected


def test_none_is_unusable():
    assert normalise_region_key(None) is None


@pytest.mark.parametrize("hint,level", [
    ("KREISE", "kreis"), ("gemein", "gemeinde"), ("DLAND", "land"), ("DINSG", "bund"), ("REGBEZ", "regbez"),
    ("Gemeindeverbände", "verband"), ("Kreise", "kreis"), ("Länder", "land"), ("GEOBL1", "land"),
    ("GEOGM4", "gemeinde"), ("GES", None), ("ALTX20", None), ("", None), (None, None),
])
def test_level_from_hint(hint, level):
    assert level_from_hint(hint) == level


def test_sql_macros_agree_with_python():
    con = duckdb.connect()
    install_sql_macros(con)
    con.execute("create temp table cases (i integer, raw varchar, hint varchar)")
    con.executemany("insert into cases values (?, ?, ?)", [(i, r, h) for i, (r, h, _) in enumerate(CASES)])
    sql = region_key_layers("select i, raw, rm_level_hint(hint) as h from cases", "raw", "h")
    got = {i: (k, lv) for i, k, lv in con.execute(f"select i, region_key, region_level from ({sql})").fetchall()}
    for i, (raw, hint, expected) in enumerate(CASES):
        assert (got[i] if got[i][0] is not None else None) == expected, (raw, hint)
