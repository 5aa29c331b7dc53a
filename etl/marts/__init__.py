"""The marts: the tables (and day-dependent macros) the app, the report and the Steckbrief read, built in SQL
after the staging tables of ``etl/schema.sql`` are loaded (dbt style: staging -> marts).

Each ``NNN_name.sql`` file beside this module is run in file-name order. Its comment header documents what it
creates, one line per object, which :func:`build_marts` turns into DuckDB comments (``COMMENT ON``)::

    -- @table initiative_span: meaning of the table
    -- @column first_date: meaning and unit of a column of the table named above
    -- @macro milestone_state_on: meaning of a scalar macro
    -- @table_macro milestones_on: meaning of a table macro

Every column of every ``@table`` must be described (a missing description fails the build).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

MARTS_DIR = Path(__file__).resolve().parent
_DOC = re.compile(r"^--\s*@(table|column|macro|table_macro)\s+(\w+)\s*:\s*(.+?)\s*$")
_CREATE = re.compile(r"^\s*create\s+(?:or\s+replace\s+)?(table|view|macro)\s+(\w+)", re.IGNORECASE | re.MULTILINE)


@dataclass
class MartDoc:
    """The documented objects of one mart file: tables with their columns, and macros."""

    tables: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> meaning
    macros: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (kind 'macro'|'macro table', meaning)


def mart_files() -> list[Path]:
    """The mart SQL files in the order they run."""
    return sorted(MARTS_DIR.glob("[0-9]*.sql"))


def parse_doc(sql: str) -> MartDoc:
    """The ``@table``/``@column``/``@macro``/``@table_macro`` lines of a mart file's comments."""
    doc, table = MartDoc(), None
    for line in sql.splitlines():
        m = _DOC.match(line.strip())
        if not m:
            continue
        kind, name, text = m.groups()
        if kind == "table":
            table = name
            doc.tables[name] = text
            doc.columns[name] = {}
        elif kind == "column":
            if table is None:
                raise ValueError(f"@column {name} ohne vorangehende @table")
            doc.columns[table][name] = text
        else:
            doc.macros[name] = ("macro table" if kind == "table_macro" else "macro", text)
    return doc


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run the mart files on ``con`` (a database with the loaded tables of ``etl/schema.sql`` and its meta
    ``stand``), then comment every mart table, column and macro. Returns the tables created, in order.
    Raises ValueError when a mart column has no description."""
    created = []
    for path in mart_files():
        sql = path.read_text(encoding="utf-8")
        doc = parse_doc(sql)
        con.execute(sql)
        for table, text in doc.tables.items():
            con.execute(f"comment on table {table} is {_quote(text)}")
            actual = [r[0] for r in con.execute(
                "select column_name from duckdb_columns() where table_name = ? and database_name = current_database()"
                " and schema_name = current_schema() order by column_index", [table]).fetchall()]
            missing = [c for c in actual if c not in doc.columns[table]]
            unknown = [c for c in doc.columns[table] if c not in actual]
            if missing or unknown:
                raise ValueError(f"{path.name}: Spalten ohne Beschreibung {missing}, beschrieben aber nicht "
                                 f"vorhanden {unknown}")
            for column, meaning in doc.columns[table].items():
                con.execute(f"comment on column {table}.{column} is {_quote(meaning)}")
            created.append(table)
        for name, (kind, text) in doc.macros.items():
            con.execute(f"comment on {kind} {name} is {_quote(text)}")
    return created


def drop_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what the mart files create (tables, views, macros), so :func:`build_marts` can run again on a
    database that has them (a copy of a built one)."""
    created = {name.lower() for path in mart_files()
               for _, name in _CREATE.findall(path.read_text(encoding="utf-8"))}
    for name, kind in con.execute("select table_name, case when table_type = 'VIEW' then 'view' else 'table' end "
                                  "from information_schema.tables where table_catalog = current_database() "
                                  "and table_schema = current_schema()").fetchall():
        if name.lower() in created:
            con.execute(f"drop {kind} {name}")
    for name, kind in con.execute("select distinct function_name, function_type from duckdb_functions() "
                                  "where function_type in ('macro', 'table_macro') and database_name = "
                                  "current_database() and schema_name = current_schema()").fetchall():
        if name.lower() in created:
            con.execute(f"drop macro {'table ' if kind == 'table_macro' else ''}{name}")
