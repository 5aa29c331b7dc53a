"""Data tests as SQL: each query returns the failing rows (none = pass), like dbt's schema tests.

They run on the freshly built database before it replaces the old one. A failing ``error`` test stops the
build; a failing ``warning`` test is recorded (table ``data_test``, ``etl_run``) and shown on the Daten page.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from monitor.core.vocab import VALUE_FLAGS


@dataclass(frozen=True)
class DataTest:
    name: str
    description: str  # German, shown on the Daten page
    sql: str  # returns the failing rows
    severity: str = "error"


def unique(table: str, cols: str) -> DataTest:
    # Guarded: when the hashes of all keys differ, no key can repeat and the grouping (costly on millions of
    # rows) is skipped; equal hashes (a repeat, or rarely a collision) run the exact grouping.
    return DataTest(f"unique_{table}_{cols.replace(', ', '_')}", f"{table}: ({cols}) ist eindeutig",
                    f"select {cols}, count(*) as n from {table} "
                    f"where (select count(*) > count(distinct hash({cols})) from {table}) "
                    f"group by all having count(*) > 1")


def not_null(table: str, col: str) -> DataTest:
    return DataTest(f"not_null_{table}_{col}", f"{table}.{col} ist nie leer",
                    f"select * from {table} where {col} is null")


def accepted(table: str, col: str, values_sql: str) -> DataTest:
    return DataTest(f"accepted_values_{table}_{col}", f"{table}.{col} hat nur erlaubte Werte",
                    f"select * from {table} where {col} is not null and {col} not in ({values_sql})")


def relationship(table: str, col: str, parent: str, parent_col: str) -> DataTest:
    return DataTest(f"relationship_{table}_{col}", f"{table}.{col} verweist auf {parent}.{parent_col}",
                    f"select c.* from {table} c anti join {parent} p on c.{col} = p.{parent_col}")


def covers(mart: str, table: str, key: str) -> DataTest:
    return DataTest(f"complete_{mart}", f"{mart} hat eine Zeile je Zeile von {table}",
                    f"select {key} from {table} anti join {mart} using ({key})")


def not_empty(table: str) -> DataTest:
    return DataTest(f"not_empty_{table}", f"{table} ist nicht leer",
                    f"select '{table}' as tabelle where not exists (select 1 from {table})")


FLAGS = ", ".join(f"'{f}'" for f in VALUE_FLAGS)
#: The states of the macro milestone_state_on (etl/marts/010_macros.sql).
MILESTONE_STATES = "'erledigt', 'verspätet erledigt', 'entfallen', 'überfällig', 'offen'"

TESTS: tuple[DataTest, ...] = (
    not_empty("municipality"), not_empty("indicator"), not_empty("indicator_value"), not_empty("region"),
    unique("municipality", "ags"), unique("indicator", "indicator_id"), unique("initiative", "initiative_id"),
    unique("indicator_value", "indicator_id, region_key, period"), unique("region", "region_key"),
    not_null("indicator_value", "source_id"), not_null("initiative", "title"), not_null("municipality", "lat"),
    not_null("municipality", "lon"), not_null("indicator", "unit"), not_null("source", "licence"),
    accepted("initiative", "status", "select status from status"),
    accepted("initiative", "theme", "select theme_id from theme where theme_id <> 'demography'"),
    accepted("initiative_theme", "theme", "select theme_id from theme where theme_id <> 'demography'"),
    accepted("status_history", "status", "select status from status"),
    accepted("indicator", "theme", "select theme_id from theme"),
    accepted("indicator_value", "flag", FLAGS),
    accepted("region", "level", "'gemeinde', 'kreis', 'land', 'bund', 'regbez', 'verband'"),
    relationship("indicator_value", "indicator_id", "indicator", "indicator_id"),
    relationship("indicator_value", "region_key", "region", "region_key"),
    DataTest("relationship_indicator_value_source_id", "indicator_value.source_id verweist auf source",
             "select v.* from (select distinct source_id from indicator_value) v "
             "where exists (select 1 from unnest(string_split(v.source_id, '+')) t(s) "
             "anti join source on t.s = source.source_id)"),
    relationship("municipality", "ags", "region", "region_key"),
    relationship("initiative_municipality", "initiative_id", "initiative", "initiative_id"),
    relationship("initiative_municipality", "ags", "municipality", "ags"),
    relationship("initiative_theme", "initiative_id", "initiative", "initiative_id"),
    relationship("initiative_programme", "initiative_id", "initiative", "initiative_id"),
    relationship("initiative_organisation", "initiative_id", "initiative", "initiative_id"),
    relationship("milestone", "initiative_id", "initiative", "initiative_id"),
    relationship("status_history", "initiative_id", "initiative", "initiative_id"),
    relationship("kpi", "initiative_id", "initiative", "initiative_id"),
    relationship("coordination_round_initiative", "initiative_id", "initiative", "initiative_id"),
    relationship("coordination_round_initiative", "round_id", "coordination_round", "round_id"),
    relationship("coordination_round_organisation", "round_id", "coordination_round", "round_id"),
    DataTest("kpi_indicator_known", "kpi.indicator_id verweist auf einen Indikator",
             "select k.* from kpi k where k.indicator_id is not null "
             "and k.indicator_id not in (select indicator_id from indicator)"),
    DataTest("zero_flag_is_zero", "Werte mit Kennzeichen 'zero' (–) sind genau 0",
             "select * from indicator_value where flag = 'zero' and value is distinct from 0"),
    DataTest("withheld_flag_is_null", "Gesperrte/fehlende Werte (. … / x) sind leer, nie 0",
             "select * from indicator_value where flag in ('secret', 'later', 'unreliable', 'not_applicable')"
             " and value is not null"),
    DataTest("value_without_flag_not_null", "Ein leerer Wert hat immer ein Kennzeichen mit Grund",
             "select * from indicator_value where value is null and flag is null"),
    DataTest("funds_within_cost", "Bewilligte Fördermittel ≤ Gesamtkosten",
             "select initiative_id, total_cost_eur, funding_granted_eur from initiative "
             "where funding_granted_eur > total_cost_eur"),
    DataTest("end_after_start", "Geplantes Ende nicht vor dem Beginn",
             "select initiative_id, start_date, end_planned from initiative where end_planned < start_date"),
    DataTest("amounts_not_negative", "Beträge sind nicht negativ",
             "select initiative_id from initiative where total_cost_eur < 0 or funding_granted_eur < 0 "
             "or own_funds_eur < 0"),
    DataTest("municipality_in_germany", "Gemeindepunkte liegen in Deutschland",
             "select ags, lat, lon from municipality where lat not between 47 and 55.1 "
             "or lon not between 5.8 and 15.1"),
    DataTest("population_adds_up", "Einwohner der Gemeinden ergeben die Kreissumme (neuester Stichtag)",
             """select m.population_date, sum(m.population) as gemeinden, v.value as kreis
                from municipality m
                join region k on k.level = 'kreis' and m.ags like k.region_key || '%'
                join indicator_value v on v.indicator_id = 'population' and v.region_key = k.region_key
                     and v.period = m.population_date
                where m.valid_to is null
                group by m.population_date, v.value having sum(m.population) <> v.value""",
             severity="warning"),
    DataTest("initiative_has_history", "Jede Initiative hat einen Statusverlauf",
             "select initiative_id from initiative anti join status_history using (initiative_id)",
             severity="warning"),
    # the marts (etl/marts): one row per key of their source table, the columns the app relies on filled
    unique("initiative_span", "initiative_id"), unique("milestone_state", "initiative_id, seq"),
    unique("kpi_rating", "initiative_id, seq"),
    covers("initiative_span", "initiative", "initiative_id"),
    covers("milestone_state", "milestone", "initiative_id, seq"), covers("kpi_rating", "kpi", "initiative_id, seq"),
    not_null("initiative_span", "closed"), not_null("milestone_state", "state"), not_null("kpi_rating", "name"),
    not_null("kpi_rating", "unit"),
    accepted("milestone_state", "state", MILESTONE_STATES),
)


@dataclass(frozen=True)
class DataTestResult:
    name: str
    description: str
    severity: str
    failing_rows: int
    sample: str  # first failing rows as text


def run_data_tests(con: duckdb.DuckDBPyConnection,
                   tests: tuple[DataTest, ...] = TESTS) -> list[DataTestResult]:
    """Run each test on ``con``; a test whose SQL itself fails counts as failing (message as sample)."""
    results = []
    for t in tests:
        try:
            rows = con.execute(f"select * from ({t.sql}) limit 1000").fetchall()
            sample = "; ".join(str(r) for r in rows[:3])
            n = len(rows)
        except duckdb.Error as exc:
            rows, n, sample = [], 1, f"Test nicht ausführbar: {exc}"
        results.append(DataTestResult(t.name, t.description, t.severity, n, sample[:500]))
    return results
