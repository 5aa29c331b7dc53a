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


# ---------------------------------------------------------------------------------------------- KPI plausibility
# Warnings (the office decides): a KPI's values and unit checked against what it claims to measure.
#
# A KPI linked to an indicator (kpi.indicator_id) measures that indicator in the initiative's municipalities
# (initiative_municipality). Compared with each municipality's latest known value of the indicator:
# - unit: a KPI unit given (not blank) must equal the indicator's unit (case and blanks aside);
# - share (indicator unit '%'): baseline and actual lie in 0..100 and within a factor SHARE_FACTOR of the median
#   of the municipalities' latest values (when that median is above 0);
# - count (indicator unit in COUNT_UNITS, additive over municipalities): the baseline is at most the sum of the
#   municipalities' latest values, the actual at most COUNT_GROWTH times that sum (growth since the last
#   published figure); only when every municipality has a value (withheld values would make the sum too low);
# - any other unit (rates, distances, times): baseline and actual within a factor SHARE_FACTOR of the median.
# A free-text KPI (no indicator) with a unit: the unit contains one of the words of the initiative's themes
# (THEME_UNIT_WORDS); and when the title names what the initiative builds (KIND_UNIT_WORDS, e.g. a Radweg),
# the unit contains one of that kind's words (a cycle path is not measured in passengers).

SHARE_FACTOR = 3
COUNT_UNITS = ("Anzahl", "Personen")
COUNT_GROWTH = 1.25
#: Per theme, words (lower case, matched inside the unit) of units that fit what initiatives of the theme do.
THEME_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "mobility": ("fahrgäst", "fahrt", "fahrend", "mitfahr", "haltestelle", "abfahrt", "verbindung", "linie",
                 "km", "minute", "stunde", "buchung", "ausleih", "nutz", "fahrzeug", "person", "schul", "%"),
    "supply": ("person", "kund", "haushalt", "patient", "besuch", "stunde", "öffnung", "sprechstund", "termin",
               "angebot", "praxis", "platz", "plätze", "nutz", "einsatz", "einsätze", "kind", "%"),
    "tourism": ("übernacht", "gäst", "besuch", "person", "bett", "angebot", "buchung", "veranstalt", "führung",
                "teilnehm", "km", "radfahr", "€", "%"),
    "value_chains": ("betrieb", "erzeug", "arbeitspl", "beschäftig", "umsatz", "€", "produkt", "kund",
                     "teilnehm", "gründung", "person", "%"),
}
#: Words in an initiative's title naming what it builds -> words one of its free-text KPI units must contain.
KIND_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "radweg": ("radfahr", "radverkehr", "km", "zählstelle"),
}


def _words_sql(table: dict[str, tuple[str, ...]], key: str) -> str:
    rows = ", ".join(f"('{k}', '{w}')" for k, words in table.items() for w in words)
    return f"(values {rows}) as t({key}, word)"


_KPI_AREA = """
    with latest as (  -- each municipality's latest known value of each indicator a KPI names
        select v.indicator_id, v.region_key as ags, arg_max(v.value, v.period) as value
        from indicator_value v
        semi join (select distinct indicator_id from kpi) k on k.indicator_id = v.indicator_id
        semi join municipality m on m.ags = v.region_key
        where v.value is not null
        group by all
    ),
    area as (
        select k.initiative_id, k.seq, k.name, k.indicator_id, trim(ind.unit) as unit, k.baseline, k.actual,
               median(l.value) as median, sum(l.value) as total, count(im.ags) = count(l.value) as complete
        from kpi k
        join indicator ind on ind.indicator_id = k.indicator_id
        join initiative_municipality im on im.initiative_id = k.initiative_id
        left join latest l on l.indicator_id = k.indicator_id and l.ags = im.ags
        group by all
    ),
    checked as (
        select a.*, w.which, w.value from area a,
        lateral (select * from (values ('Ausgangswert', a.baseline), ('Istwert', a.actual)) t(which, value)) w
        where w.value is not null
    )
"""


def kpi_against_indicator(name: str, description: str, condition: str) -> DataTest:
    """KPI values (baseline, actual) failing ``condition`` (over the columns of ``_KPI_AREA``'s checked)."""
    return DataTest(name, description,
                    _KPI_AREA + "select initiative_id, seq, name, indicator_id, which, value, unit, median, total "
                                f"from checked where {condition} order by initiative_id, seq, which",
                    severity="warning")


COUNTS = ", ".join(f"'{u}'" for u in COUNT_UNITS)
KPI_TESTS: tuple[DataTest, ...] = (
    DataTest("kpi_unit_is_indicator_unit", "Kennzahl mit Indikator: Einheit wie beim Indikator",
             "select k.initiative_id, k.seq, k.indicator_id, k.unit, i.unit as indicator_unit from kpi k "
             "join indicator i using (indicator_id) where nullif(trim(k.unit), '') is not null "
             "and lower(trim(k.unit)) <> lower(trim(i.unit))", severity="warning"),
    kpi_against_indicator("kpi_share_plausible", "Kennzahl mit Anteils-Indikator (%): Ausgangs- und Istwert "
                          f"zwischen 0 und 100 und höchstens Faktor {SHARE_FACTOR} vom Median der Gemeinden",
                          f"unit = '%' and (value not between 0 and 100 or (median > 0 and value not between "
                          f"median / {SHARE_FACTOR} and median * {SHARE_FACTOR}))"),
    kpi_against_indicator("kpi_count_within_total", "Kennzahl mit Zähl-Indikator: Ausgangswert höchstens die "
                          f"Summe der Gemeinden, Istwert höchstens das {str(COUNT_GROWTH).replace('.', ',')}-fache",
                          f"unit in ({COUNTS}) and complete and value > total * case which when 'Istwert' "
                          f"then {COUNT_GROWTH} else 1 end"),
    kpi_against_indicator("kpi_rate_plausible", "Kennzahl mit sonstigem Indikator: Ausgangs- und Istwert höchstens "
                          f"Faktor {SHARE_FACTOR} vom Median der Gemeinden",
                          f"unit <> '%' and unit not in ({COUNTS}) and median > 0 and value not between "
                          f"median / {SHARE_FACTOR} and median * {SHARE_FACTOR}"),
    DataTest("kpi_unit_fits_theme", "Kennzahl ohne Indikator: Einheit passt zu einem Thema der Initiative",
             f"""select k.initiative_id, k.seq, k.name, k.unit from kpi k
                 where k.indicator_id is null and nullif(trim(k.unit), '') is not null
                 and not exists (
                     select 1 from (select theme from initiative i where i.initiative_id = k.initiative_id
                                    union select theme from initiative_theme it
                                    where it.initiative_id = k.initiative_id) th
                     join {_words_sql(THEME_UNIT_WORDS, 'theme')} using (theme)
                     where contains(lower(k.unit), t.word))""", severity="warning"),
    DataTest("kpi_unit_fits_initiative", "Kennzahl ohne Indikator: Einheit passt zu dem, was die Initiative "
                                         "baut (z. B. Radweg: Radfahrten, km)",
             f"""select k.initiative_id, k.seq, i.title, k.name, k.unit
                 from kpi k join initiative i using (initiative_id)
                 where k.indicator_id is null and nullif(trim(k.unit), '') is not null
                 and exists (select 1 from {_words_sql(KIND_UNIT_WORDS, 'kind')}
                             where contains(lower(i.title), t.kind))
                 and not exists (select 1 from {_words_sql(KIND_UNIT_WORDS, 'kind')}
                                 where contains(lower(i.title), t.kind) and contains(lower(k.unit), t.word))""",
             severity="warning"),
)

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
) + KPI_TESTS


@dataclass(frozen=True)
class DataTestResult:
    name: str
    description: str
    severity: str
    failing_rows: int
    sample: str  # first failing rows as text


def run_data_tests(con: duckdb.DuckDBPyConnection,
                   tests: tuple[DataTest, ...] = TESTS) -> list[DataTestResult]:
    """Run each test on ``con``; a test whose SQL itself fails counts as failing (message as sample).
    The failing rows of all tests are counted in one query; only tests with failing rows (or all, when that
    query fails) are asked for their rows."""
    counts = _failing_counts(con, tests)
    results = []
    for t, n in zip(tests, counts):
        if n == 0:
            results.append(DataTestResult(t.name, t.description, t.severity, 0, ""))
            continue
        try:
            rows = con.execute(f"select * from ({t.sql}) limit {MAX_FAILING}").fetchall()
            sample = "; ".join(str(r) for r in rows[:3])
            n = len(rows)
        except duckdb.Error as exc:
            rows, n, sample = [], 1, f"Test nicht ausführbar: {exc}"
        results.append(DataTestResult(t.name, t.description, t.severity, n, sample[:500]))
    return results


#: Failing rows counted per test (and fetched for its sample) at most.
MAX_FAILING = 1000


def _failing_counts(con: duckdb.DuckDBPyConnection, tests: tuple[DataTest, ...]) -> list[int | None]:
    """Per test, its failing rows (at most MAX_FAILING), all in one query; all None when it fails (a test
    whose SQL cannot run: each is then run alone and the faulty one reported)."""
    if not tests:
        return []
    counts = ", ".join(f"(select count(*) from (select 1 from ({t.sql}) limit {MAX_FAILING}))" for t in tests)
    try:
        return list(con.execute(f"select [{counts}]").fetchone()[0])
    except duckdb.Error:
        return [None] * len(tests)
