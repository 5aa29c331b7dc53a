"""The staging table ``stg_statistic`` and where one file's rows go: a staging table or, for the build, a temp
view over the bulk path's temp tables plus a summary table of counts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from etl.issues import Issue

STAGING_DDL = """
create table if not exists stg_statistic (
    source_id       varchar,   -- id of the source file (table source)
    format          varchar,   -- genesis_ffcsv | genesis_table | inkar
    line            bigint,    -- line number in the file, 1-based (header = line 1 for flat files)
    statistic_code  varchar,   -- GENESIS statistic (12411), table code (12411-01-01-5) or 'INKAR'
    variable_code   varchar,   -- value variable (BEVSTD), table column label, or INKAR Kuerzel
    dims            varchar,   -- further variable attributes 'CODE=ATTR;…' sorted by CODE; '' = none
    region_key      varchar,   -- normalised key (etl.keys): AGS 8, district 5, Land 2, regbez 3, verband 9, DG
    region_level    varchar,   -- gemeinde | kreis | land | bund | verband | regbez; NULL = key unusable
    region_name     varchar,   -- name as written in the file
    period          date,      -- reference date; a year is 31.12. of that year
    value           double,    -- value in unit; NULL when withheld (see flag)
    flag            varchar,   -- NULL | zero | secret | later | unreliable | not_applicable | limited
                               -- | provisional | revised | estimated | final
    unit            varchar    -- unit as written in the file (Anzahl, %, km, …)
)
"""

STAGING_COLUMNS = ["source_id", "format", "line", "statistic_code", "variable_code", "dims", "region_key",
                   "region_level", "region_name", "period", "value", "flag", "unit"]


@dataclass(frozen=True)
class LoadResult:
    """What one statistics file gave: format, encoding, rows staged, warnings, title and Stand date."""

    format: str
    encoding: str
    rows: int
    issues: list[Issue] = field(default_factory=list)
    title: str | None = None
    stand: date | None = None


def ensure_staging(con, table: str = "stg_statistic", temporary: bool = False) -> None:
    """Create the staging table (``stg_statistic`` or another name, same columns; optionally a temp table)
    if no table of that name exists yet."""
    if con.execute("select count(*) from duckdb_tables() where table_name = ?", [table]).fetchone()[0]:
        return
    con.execute(STAGING_DDL.replace("create table if not exists stg_statistic",
                                    f"create {'temp ' if temporary else ''}table if not exists {table}"))


def sql_literal(text: str | None) -> str:
    """``text`` as an SQL string literal (NULL for None)."""
    return "null" if text is None else "'" + text.replace("'", "''") + "'"


#: Columns of the ``<view>_summary`` table (``as_view``): one row per series × region × problem kind.
SUMMARY_COLUMNS = ["statistic_code", "variable_code", "dims", "region_key", "region_level", "kind", "bad_line",
                   "n", "first_line", "name", "only_dashes"]
#: Temp tables of the bulk path (``etl.statistics.bulk``); those of a staged view stay until
#: :func:`drop_staged_view`.
BULK_TEMP_TABLES = ("rm_rejects", "rm_rejects_scan", "rm_raw", "rm_l_per", "rm_l_val", "rm_groups", "rm_l_reg",
                    "rm_l_unit")


def summary_sql(relation: str) -> str:
    """Counts per series, region and problem (invalid row, empty INKAR value) of staged rows."""
    return f"""
        select statistic_code, variable_code, dims, region_key, region_level,
               case when flag like 'invalid%' or flag = 'inkar_empty' then flag end as kind,
               case when flag like 'invalid%' then line end as bad_line,
               count(*) as n, min(line) as first_line, arg_min(region_name, line) as name,
               bool_and(flag is not distinct from 'zero' or value is null) as only_dashes
        from {relation}
        group by all
    """


class Target:
    """Where the rows of one file go: a staging table (rows of the source replaced) or, ``as_view``, a temp
    view ``name`` over temp tables plus ``name_summary``."""

    def __init__(self, name: str, source_id: str, as_view: bool):
        self.name, self.source_id, self.as_view = name, source_id, as_view
        # the materialised rows: the staging table, or (view of a table-format file) a temp table behind it
        self.table = f"{name}_rows" if as_view else name
        self.view_sql: str | None = None  # bulk view: the SELECT over rm_raw and the lookups
        self.fast_summary: str | None = None  # bulk view: _BulkPlan.fast_summary

    def prepare(self, con) -> None:
        if self.as_view:
            drop_staged_view(con, self.name)
            ensure_staging(con, self.table, temporary=True)
        else:
            ensure_staging(con, self.table)
            con.execute(f"delete from {self.table} where source_id = ?", [self.source_id])

    def relation(self) -> str:
        """SQL relation of this file's staged rows (raw flags)."""
        if self.view_sql is not None:
            return f"({self.view_sql})"
        return f"(select * from {self.table} where source_id = {sql_literal(self.source_id)})"

    def publish(self, con, fmt: str) -> None:
        """``as_view``: create ``name_summary`` and the view ``name`` (empty INKAR values as 'secret')."""
        summary = summary_sql(self.relation())
        if self.fast_summary is not None and not con.execute(
                "select (select count(*) from rm_l_val where vflag in ('invalid', 'inkar_empty')) "
                "+ (select count(*) from rm_l_per where per is null)").fetchone()[0]:
            summary = self.fast_summary  # no row can be invalid or empty: count raw groups, not parsed rows
        con.execute(f"create temp table {self.name}_summary as {summary}")
        flag = "case when flag = 'inkar_empty' then 'secret' else flag end" if fmt == "inkar" else "flag"
        cols = ", ".join(STAGING_COLUMNS)
        con.execute(f"create temp view {self.name} ({cols}) as select * replace ({flag} as flag) "
                    f"from {self.relation()}")

    def discard(self, con) -> None:
        if self.as_view:
            drop_staged_view(con, self.name)
        else:
            con.execute(f"delete from {self.table} where source_id = ?", [self.source_id])


def drop_staged_view(con, name: str) -> None:
    """Drop a view made by ``load_statistics_file(..., as_view=True)`` and everything behind it."""
    con.execute(f"drop view if exists {name}")
    con.execute(f"drop table if exists {name}_summary")
    con.execute(f"drop table if exists {name}_rows")
    for table in BULK_TEMP_TABLES:
        con.execute(f"drop table if exists {table}")
