"""Indicator catalogue: reading, validation, formulas computed in DuckDB."""
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from etl.catalogue import formula_sql, parse_formula, read_catalogue

SCHEMA = (Path(__file__).resolve().parents[2] / "etl" / "schema.sql").read_text(encoding="utf-8")
HEAD = ("indicator_id;name_de;name_en;theme;unit;higher_is_better;decimals;source;licence;definition;method;"
        "source_file;source_statistic;source_variable;source_dims;formula;series_break\n")


def row(iid, method="file", theme="demography", formula="", stat="12411", var="BEVSTD", brk="", hib="ja"):
    return (f"{iid};{iid} de;{iid} en;{theme};Personen;{hib};0;StaLa;dl-de/by-2-0;Def;{method};;"
            f"{stat if method == 'file' else ''};{var if method == 'file' else ''};;{formula};{brk}\n")


def write(tmp_path, text):
    p = tmp_path / "indikatoren.csv"
    p.write_text(HEAD + text, encoding="utf-8")
    return p


def test_catalogue_reads_and_orders_formulas(tmp_path):
    p = write(tmp_path, row("ratio", "formula", formula="{a} / {b} * 10000") + row("a") + row("b", hib="")
              + row("chg", "formula", formula="change_pct({ratio})"))
    df, formulas, issues = read_catalogue(p)
    assert issues == []
    assert list(formulas) == ["ratio", "chg"]  # dependency order, not file order
    assert df.set_index("indicator_id").loc["b", "higher_is_better"] is None
    assert bool(df.set_index("indicator_id").loc["a", "higher_is_better"]) is True


@pytest.mark.parametrize("text, column", [
    (row("Bad-Id"), "indicator_id"),
    (row("a", theme="weather"), "theme"),
    (row("a", method="guess"), "method"),
    (row("a", hib="vielleicht"), "higher_is_better"),
    (row("a", "formula", formula="{a} ** 2"), "formula"),
    (row("a", "formula", formula="({b}"), "formula"),
    (row("a", "formula", formula="{zzz} / 2"), "formula"),
    (row("a", brk="gestern|x"), "series_break"),
])
def test_catalogue_errors(tmp_path, text, column):
    _, _, issues = read_catalogue(write(tmp_path, text + row("b")))
    assert issues and issues[0].column == column and issues[0].row == 2 and issues[0].severity == "error"


def test_circular_formulas_are_refused(tmp_path):
    _, _, issues = read_catalogue(write(tmp_path, row("x", "formula", formula="{y} + 1")
                                        + row("y", "formula", formula="{x} + 1")))
    assert len(issues) == 2 and all("Kreis" in i.message for i in issues)


def test_duplicate_id(tmp_path):
    _, _, issues = read_catalogue(write(tmp_path, row("a") + row("a")))
    assert issues[0].row == 3 and "doppelt" in issues[0].message


def _db(values):
    con = duckdb.connect()
    con.execute(SCHEMA)
    con.executemany("insert into indicator_value values (?, ?, ?, ?, ?, ?, ?)",
                    [(i, r, dt.date(y, 12, 31), y, v, f, "s.csv") for i, r, y, v, f in values])
    return con


def test_ratio_formula_keeps_reasons():
    con = _db([("gp", "A", 2023, 3, None), ("pop", "A", 2023, 6000, None),
               ("gp", "B", 2023, None, "secret"), ("pop", "B", 2023, 5000, None),
               ("gp", "C", 2023, 2, "limited"), ("pop", "C", 2023, 4000, None),
               ("gp", "D", 2023, 1, None), ("pop", "D", 2023, 0, "zero")])
    rows = con.execute("select * exclude (indicator_id, period) from ("
                       + formula_sql(parse_formula("per10k", "{gp} / {pop} * 10000"), None)
                       + ") order by region_key").fetchall()
    got = {r[0]: (r[2], r[3], r[4]) for r in rows}
    assert got["A"] == (pytest.approx(5.0), None, "s.csv+s.csv")
    assert got["B"][:2] == (None, "secret")          # withheld input stays withheld, with its reason
    assert got["C"][:2] == (pytest.approx(5.0), "limited")
    assert got["D"][:2] == (None, "not_applicable")  # division by zero is not a number


def test_change_pct_respects_series_break():
    con = _db([("pop", "A", 2022, 100, None), ("pop", "A", 2023, 110, None), ("pop", "A", 2024, 99, None)])
    sql = formula_sql(parse_formula("chg", "change_pct({pop})"), "2024-12-31|Zensus 2022")
    rows = con.execute(f"select year, value, flag from ({sql}) order by year").fetchall()
    assert rows[0][0] == 2023 and rows[0][1] == pytest.approx(10.0) and rows[0][2] is None
    assert rows[1] == (2024, None, "break")


def test_formula_indicators_inherit_the_break_of_their_inputs(tmp_path):
    from etl.catalogue import inherit_series_breaks

    census = "2024-12-31|Zensus 2022"
    p = write(tmp_path, row("pop", brk=census) + row("young", brk=census) + row("old", brk="2011-05-09|Zensus 2011")
              + row("cars") + row("share", "formula", formula="{young} / {pop} * 100")
              + row("chg", "formula", formula="change_pct({share})")
              + row("per_car", "formula", formula="{cars} / {old}")
              + row("own", "formula", formula="{cars} / {pop}", brk="2020-01-01|eigener Bruch")
              + row("plain", "formula", formula="{cars} * 2"))
    df, _, issues = read_catalogue(p)
    assert issues == []
    con = duckdb.connect()
    con.execute(SCHEMA)
    con.register("cat", df)
    con.execute("insert into indicator select * from cat")
    inherit_series_breaks(con)
    got = dict(con.execute("select indicator_id, series_break from indicator").fetchall())
    day, note = census.split("|")
    both = f"{day}|{note} (übernommen aus pop de, young de)"  # the same break of two inputs: both named
    assert got["share"] == both
    assert got["chg"] == both  # through another formula
    assert got["per_car"] == "2011-05-09|Zensus 2011 (übernommen aus old de)"
    assert got["own"] == "2020-01-01|eigener Bruch"  # a break of its own is kept
    assert got["plain"] is None and got["cars"] is None
    assert got["pop"] == census
