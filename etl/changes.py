"""What publishing a candidate database would change against the live one: the preview an office worker checks
before publishing (issue #17, point 3), stored with each version (``version.json``, key ``changes``).

``compare(live_db, candidate_db)`` attaches both files read-only to one in-memory DuckDB connection and answers
with a :class:`ChangeSet` of frozen dataclasses: initiatives added / removed / changed (field, old -> new),
status changes, milestones, KPI actuals, per indicator new years and changed values (count and the largest
changes), sources and municipalities. ``live_db=None`` is the first version: everything is new.

Rules kept here:
- Contact fields (names, e-mails, phones) are never read out: a changed contact is only the marker
  "Kontaktdaten geändert", because the ChangeSet may be shown beyond the office.
- Every list is capped at ``cap`` rows (the total is kept), so a national-scale comparison stays small.
- Milestones and KPI actuals are compared for initiatives in both databases (an added initiative is listed
  once as added, not with every milestone of it); milestones are matched by initiative, title and occurrence
  (a milestone inserted above another shifts its row number, not its identity); "newly overdue" uses the
  marts' ``milestone_state`` of each database (the rule is the macro ``milestone_state_on``, as of each Stand).
- Values of an indicator are matched by region and period; a period only in the candidate is a new year.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
import shutil
import tempfile
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import duckdb

from monitor.core.format import MISSING, date, number, yes_no

CAP = 200
TOP = 5
CONTACT_MARKER = "Kontaktdaten geändert"
CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------- the result
@dataclass(frozen=True)
class Capped(Generic[T]):
    """The first ``cap`` rows of a list (``items``) and how many there are in all (``total``)."""

    total: int = 0
    items: tuple[T, ...] = ()


@dataclass(frozen=True)
class Ref:
    """One thing by its key and German title (initiative, indicator, source, municipality)."""

    id: str
    title: str


@dataclass(frozen=True)
class FieldChange:
    """One changed field: ``field`` (column), ``label`` (German), ``old`` -> ``new`` as JSON values (dates as
    ISO text, lists as tuples). A marker (e.g. changed contact data) has ``label`` only and no values."""

    field: str
    label: str
    old: Any = None
    new: Any = None
    marker: bool = False

    def text(self) -> str:
        """German line: "Status: Idee → In Beratung"; a marker is its label alone."""
        return self.label if self.marker else f"{self.label}: {display(self.old)} → {display(self.new)}"


@dataclass(frozen=True)
class RecordChange:
    """A thing in both databases whose fields differ."""

    id: str
    title: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class StatusChange:
    id: str
    title: str
    old: str
    new: str


@dataclass(frozen=True)
class MilestoneChange:
    """A milestone (by initiative and title) with its dates and state (``milestone_state``) in each database;
    the ``old_*`` values are None for an added one, the others None for a removed one."""

    initiative_id: str
    initiative_title: str
    title: str
    due_date: str | None = None
    done_date: str | None = None
    state: str | None = None
    old_due_date: str | None = None
    old_done_date: str | None = None
    old_state: str | None = None


@dataclass(frozen=True)
class KpiChange:
    """A KPI's actual value (Istwert), new or changed: ``old`` -> ``new`` in ``unit`` (as of ``as_of``)."""

    initiative_id: str
    initiative_title: str
    kpi: str
    old: float | None
    new: float | None
    unit: str
    as_of: str | None = None


@dataclass(frozen=True)
class ValueChange:
    """One changed indicator value: municipality or benchmark region, period, ``old`` -> ``new`` (in the
    indicator's unit); ``relative`` = (new - old) / |old| (None when old is 0 or a value is missing)."""

    region_key: str
    region_name: str
    period: str
    old: float | None
    new: float | None
    relative: float | None = None


@dataclass(frozen=True)
class IndicatorChange:
    """What changed in one indicator present in both databases."""

    id: str
    title: str
    unit: str
    decimals: int = 0
    fields: tuple[FieldChange, ...] = ()
    new_periods: tuple[str, ...] = ()
    removed_periods: tuple[str, ...] = ()
    values_added: int = 0
    values_changed: int = 0
    values_removed: int = 0
    largest_absolute: tuple[ValueChange, ...] = ()
    largest_relative: tuple[ValueChange, ...] = ()


@dataclass(frozen=True)
class ChangeSet:
    """What publishing the candidate would change against the live version (``first``: there is none)."""

    first: bool = False
    initiatives_added: Capped[Ref] = Capped()
    initiatives_removed: Capped[Ref] = Capped()
    initiatives_changed: Capped[RecordChange] = Capped()
    status_changes: Capped[StatusChange] = Capped()
    milestones_added: Capped[MilestoneChange] = Capped()
    milestones_removed: Capped[MilestoneChange] = Capped()
    milestones_reached: Capped[MilestoneChange] = Capped()
    milestones_overdue: Capped[MilestoneChange] = Capped()
    milestones_dates_changed: Capped[MilestoneChange] = Capped()
    kpi_actuals: Capped[KpiChange] = Capped()
    indicators_added: Capped[Ref] = Capped()
    indicators_removed: Capped[Ref] = Capped()
    indicators_changed: Capped[IndicatorChange] = Capped()
    sources_added: Capped[Ref] = Capped()
    sources_removed: Capped[Ref] = Capped()
    sources_changed: Capped[RecordChange] = Capped()
    municipalities_added: Capped[Ref] = Capped()
    municipalities_removed: Capped[Ref] = Capped()
    municipalities_changed: Capped[RecordChange] = Capped()
    # over all indicators in both databases (indicators_changed may be capped)
    values_added: int = 0
    values_changed: int = 0
    values_removed: int = 0
    new_years: tuple[int, ...] = ()

    def empty(self) -> bool:
        """True when publishing would change nothing the office checks."""
        return all(v.total == 0 for v in vars(self).values() if isinstance(v, Capped))

    def summary(self) -> str:
        """One German line, e.g. "2 Initiativen neu, 3 Status geändert, 120 Werte geändert"."""
        if self.first:
            parts = [_count(self.initiatives_added.total, "Initiative", "Initiativen"),
                     _count(self.indicators_added.total, "Indikator", "Indikatoren"),
                     _count(self.sources_added.total, "Quelle", "Quellen"),
                     _count(self.municipalities_added.total, "Gemeinde", "Gemeinden")]
            return "Erste Version: " + ", ".join(parts)
        if self.empty():
            return "Keine Änderungen"
        with_years = sum(1 for c in self.indicators_changed.items if c.new_periods)
        parts = [
            (self.initiatives_added.total, "Initiative neu", "Initiativen neu"),
            (self.initiatives_removed.total, "Initiative entfernt", "Initiativen entfernt"),
            (self.initiatives_changed.total, "Initiative geändert", "Initiativen geändert"),
            (self.status_changes.total, "Status geändert", "Status geändert"),
            (self.milestones_added.total, "Meilenstein neu", "Meilensteine neu"),
            (self.milestones_removed.total, "Meilenstein entfernt", "Meilensteine entfernt"),
            (self.milestones_reached.total, "Meilenstein erreicht", "Meilensteine erreicht"),
            (self.milestones_overdue.total, "Meilenstein neu überfällig", "Meilensteine neu überfällig"),
            (self.milestones_dates_changed.total, "Meilensteintermin geändert", "Meilensteintermine geändert"),
            (self.kpi_actuals.total, "Kennzahl-Istwert neu/geändert", "Kennzahl-Istwerte neu/geändert"),
            (self.indicators_added.total, "Indikator neu", "Indikatoren neu"),
            (self.indicators_removed.total, "Indikator entfernt", "Indikatoren entfernt"),
        ]
        text = [_count(n, one, many) for n, one, many in parts if n]
        if self.new_years:
            years = ", ".join(str(y) for y in self.new_years)
            text.append(f"neue Jahre bei {_count(with_years, 'Indikator', 'Indikatoren')} ({years})")
        for n, one, many in ((self.values_changed, "Wert geändert", "Werte geändert"),
                             (self.values_removed, "Wert entfernt", "Werte entfernt"),
                             (self.sources_added.total, "Quelle neu", "Quellen neu"),
                             (self.sources_removed.total, "Quelle entfernt", "Quellen entfernt"),
                             (self.sources_changed.total, "Quelle geändert", "Quellen geändert")):
            if n:
                text.append(_count(n, one, many))
        muni = (self.municipalities_added.total + self.municipalities_removed.total
                + self.municipalities_changed.total)
        if muni:
            text.append(f"Gemeindedaten geändert ({number(muni)})")
        if not text:  # only catalogue details of indicators changed
            text.append(_count(self.indicators_changed.total, "Indikator geändert", "Indikatoren geändert"))
        return ", ".join(text)

    def as_dict(self) -> dict:
        """Plain JSON values (lists, not tuples), for ``version.json``; :meth:`from_dict` reads it back."""
        return _plain(self)

    @classmethod
    def from_dict(cls, data: dict) -> ChangeSet:
        return _build(cls, data)


def display(value) -> str:
    """A value of a change as German text: ISO dates as 31.12.2024, numbers as 1.234,5 (at most two decimals),
    flags as ja/nein, lists joined with "; ", missing as "–"."""
    if value is None or value == ():
        return MISSING
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (int, float)):
        text = number(value, 2)
        return text.rstrip("0").rstrip(",") if "," in text else text
    if isinstance(value, (list, tuple)):
        return "; ".join(display(v) for v in value)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return date(value)
    return str(value)


def _count(n: int, one: str, many: str) -> str:
    return f"{number(n)} {one if n == 1 else many}"


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@functools.cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _build(tp, data):
    """``data`` (from :func:`_plain`) as an instance of the type ``tp``."""
    if data is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        return _build(next(a for a in args if a is not type(None)), data)
    if origin is tuple:
        return tuple(_build(args[0], v) for v in data)
    if origin is Capped:
        return Capped(int(data["total"]), tuple(_build(args[0], v) for v in data["items"]))
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{k: _build(hints[k], v) for k, v in data.items() if k in hints})
    if tp is Any:
        return _frozen(data)
    return data


def _frozen(value):
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def _json_value(value):
    """A DuckDB value as a JSON value: dates as ISO text, lists as tuples (sorted by the query)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return tuple(_json_value(v) for v in value)
    return value


# ---------------------------------------------------------------------------------------------- the fields
# (column, German label as the office knows it from the workbook and the catalogue); "?" names a column only
# some databases have (older ones); a missing column compares as NULL.
INITIATIVE_FIELDS = (
    ("title", "Titel"), ("summary", "Kurzbeschreibung"), ("theme", "Thema"), ("other_themes", "Weitere Themen"),
    ("districtwide", "Kreisweit"), ("municipalities", "Gemeinden"), ("lead_organisation", "Träger"),
    ("organisations", "Träger und Partner"), ("origin", "Herkunft"), ("status", "Status"),
    ("start_date", "Beginn"), ("end_planned", "Ende geplant"), ("total_cost_eur", "Gesamtkosten €"),
    ("funding_granted_eur", "Fördermittel bewilligt €"), ("own_funds_eur", "Eigenmittel €"),
    ("programmes", "Förderprogramm(e)"), ("is_public", "Öffentlich"), ("lat", "Breitengrad"),
    ("lon", "Längengrad"), ("as_of", "Stand"),
)
INDICATOR_FIELDS = (
    ("name_de", "Name"), ("name_en", "Name (englisch)"), ("theme", "Thema"), ("unit", "Einheit"),
    ("higher_is_better", "Höher ist besser"), ("decimals", "Nachkommastellen"), ("source", "Quelle"),
    ("licence", "Lizenz"), ("definition", "Definition"), ("method", "Methode"), ("source_file", "Datei"),
    ("source_statistic", "Statistik"), ("source_variable", "Merkmal"), ("source_dims", "Weitere Merkmale"),
    ("formula", "Formel"), ("series_break", "Zeitreihenbruch"),
)
SOURCE_FIELDS = (
    ("title", "Titel"), ("kind", "Art"), ("format", "Format"), ("origin", "Herkunft"),
    ("reference_date", "Stand"), ("licence", "Lizenz"), ("attribution", "Namensnennung"),
    ("synthetic", "Synthetisch"), ("note", "Hinweis"), ("rows_loaded", "Zeilen geladen"),
)
MUNICIPALITY_FIELDS = (
    ("name", "Name"), ("name_sorbian", "Sorbischer Name"), ("kind", "Art"), ("association", "Verwaltungsverband"),
    ("population", "Einwohner"), ("population_date", "Einwohner am"), ("area_km2", "Fläche km²"),
    ("lat", "Breitengrad"), ("lon", "Längengrad"), ("central_place", "Zentraler Ort"),
    ("valid_from", "Gültig ab"), ("valid_to", "Gültig bis"), ("source", "Quelle"),
)
# markers: changed without showing values (column group, German text)
INITIATIVE_MARKERS = (("contact", CONTACT_COLUMNS, CONTACT_MARKER),)
SOURCE_MARKERS = (("sha256", ("sha256",), "Dateiinhalt geändert"),)
MUNICIPALITY_MARKERS = (("boundary", ("boundary_md5",), "Grenze geändert"),)

# the tables read from each database (missing ones, e.g. in an old file, are read as empty)
TABLES = ("initiative", "initiative_theme", "initiative_municipality", "initiative_programme",
          "initiative_organisation", "milestone_state", "kpi_rating", "indicator", "indicator_value", "source",
          "municipality", "municipality_geometry", "region")


# ---------------------------------------------------------------------------------------------- compare
def compare(live_db: Path | None, candidate_db: Path, cap: int = CAP) -> ChangeSet:
    """The changes from ``live_db`` (None: there is no live version yet) to ``candidate_db``; both are only
    read. Every list holds at most ``cap`` rows (the totals count all)."""
    if live_db is not None and Path(live_db).resolve() == Path(candidate_db).resolve():
        return ChangeSet()
    # bounded like the ETL's own connection: the app runs this in its server process
    spill = Path(tempfile.mkdtemp(prefix="regionalmonitor-changes-"))
    con = duckdb.connect(":memory:", config={"memory_limit": os.environ.get("REGIONALMONITOR_ETL_MEMORY", "1GB"),
                                             "temp_directory": str(spill / "spill")})
    try:
        con.execute(f"attach {_literal(candidate_db)} as new (read_only)")
        if live_db is None:
            con.execute("attach ':memory:' as old")
        else:
            con.execute(f"attach {_literal(live_db)} as old (read_only)")
        _views(con)
        return _Comparison(con, cap).run(first=live_db is None)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _views(con: duckdb.DuckDBPyConnection) -> None:
    """Views ``o_<table>`` and ``n_<table>`` with the candidate's columns of each table (a column or table the
    live file lacks reads as NULL / no rows), then the per-initiative and per-municipality profiles."""
    cols: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for db, table, column, dtype in con.execute(
            "select database_name, table_name, column_name, data_type from duckdb_columns() "
            "where database_name in ('old', 'new') and schema_name = 'main' order by column_index").fetchall():
        cols.setdefault((db, table), []).append((column, dtype))
    for table in TABLES:
        new_cols = cols.get(("new", table), [])
        if not new_cols:
            raise ValueError(f"Die Kandidat-Datenbank hat keine Tabelle {table}.")
        con.execute(f"create temp view n_{table} as select * from new.main.{table}")
        old_names = {c for c, _ in cols.get(("old", table), [])}
        if old_names:
            select = ", ".join(c if c in old_names else f"null::{t} as {c}" for c, t in new_cols)
            con.execute(f"create temp view o_{table} as select {select} from old.main.{table}")
        else:
            select = ", ".join(f"null::{t} as {c}" for c, t in new_cols)
            con.execute(f"create temp view o_{table} as select {select} where false")
    for p in ("o", "n"):
        con.execute(f"""
            create temp view {p}_initiative_profile as
            with themes as (
                select initiative_id, list(theme order by theme) as other_themes
                from {p}_initiative_theme where not is_primary group by all
            ), munis as (
                select im.initiative_id, list(coalesce(m.name, im.ags) order by coalesce(m.name, im.ags)) as names
                from {p}_initiative_municipality im left join {p}_municipality m on m.ags = im.ags group by all
            ), programmes as (
                select initiative_id, list(programme order by programme) as programmes
                from {p}_initiative_programme group by all
            ), organisations as (
                select initiative_id,
                       list(organisation || ' (' || role || ')' order by organisation, role) as organisations
                from {p}_initiative_organisation group by all
            )
            select i.* exclude (source_row),
                   coalesce(t.other_themes, []) as other_themes,
                   case when i.districtwide then ['kreisweit'] else coalesce(mu.names, []) end as municipalities,
                   coalesce(pr.programmes, []) as programmes,
                   coalesce(org.organisations, []) as organisations
            from {p}_initiative i
            left join themes t using (initiative_id)
            left join munis mu using (initiative_id)
            left join programmes pr using (initiative_id)
            left join organisations org using (initiative_id)""")
        con.execute(f"""
            create temp view {p}_municipality_profile as
            select m.*, md5(g.geojson) as boundary_md5
            from {p}_municipality m left join {p}_municipality_geometry g using (ags)""")


class _Comparison:
    """The queries of one comparison on a connection with the views of :func:`_views`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, cap: int):
        self.con, self.cap = con, cap

    def run(self, first: bool) -> ChangeSet:
        ini = ("initiative", "initiative_id", "title")
        ind = ("indicator", "indicator_id", "name_de")
        src = ("source", "source_id", "title")
        mun = ("municipality", "ags", "name")
        return ChangeSet(
            first=first,
            initiatives_added=self.added(*ini, "n", "o"),
            initiatives_removed=self.added(*ini, "o", "n"),
            initiatives_changed=self.changed("initiative_profile", *ini[1:], INITIATIVE_FIELDS, INITIATIVE_MARKERS),
            status_changes=self.status_changes(),
            **self.milestones(),
            kpi_actuals=self.kpi_actuals(),
            indicators_added=self.added(*ind, "n", "o"),
            indicators_removed=self.added(*ind, "o", "n"),
            **self.indicators(),
            sources_added=self.added(*src, "n", "o"),
            sources_removed=self.added(*src, "o", "n"),
            sources_changed=self.changed(*src, SOURCE_FIELDS, SOURCE_MARKERS),
            municipalities_added=self.added(*mun, "n", "o"),
            municipalities_removed=self.added(*mun, "o", "n"),
            municipalities_changed=self.changed("municipality_profile", *mun[1:], MUNICIPALITY_FIELDS,
                                                MUNICIPALITY_MARKERS),
        )

    def capped(self, sql: str, bounded: bool = True) -> tuple[int, list[tuple]]:
        """The first ``cap`` rows of ``sql`` (ordered by it; all rows when not ``bounded``) and the number of all
        its rows."""
        limit = f" limit {int(self.cap)}" if bounded else ""
        rows = self.con.execute(f"select *, count(*) over () as _total from ({sql}){limit}").fetchall()
        return (rows[0][-1] if rows else 0), [r[:-1] for r in rows]

    def added(self, table: str, key: str, title: str, here: str, there: str) -> Capped[Ref]:
        """Rows of ``table`` in database ``here`` whose key is not in ``there`` (n/o: added, o/n: removed)."""
        total, rows = self.capped(f"""
            select {key}, {title} from {here}_{table} h
            where not exists (select 1 from {there}_{table} t where t.{key} = h.{key})
            order by {key}""")
        return Capped(total, tuple(Ref(str(k), str(k if t is None else t)) for k, t in rows))

    def changed(self, table: str, key: str, title: str, fields, markers=(), bounded: bool = True
                ) -> Capped[RecordChange]:
        """Rows of ``table`` in both databases with a field (old -> new) or a marker's columns changed; marker
        columns (contact data) are compared in SQL and never read out."""
        names = [f for f, _ in fields]
        differs = [f"o.{f} is distinct from n.{f}" for f in names]
        marks = [" or ".join(f"o.{c} is distinct from n.{c}" for c in columns) for _, columns, _ in markers]
        select = ", ".join([f"o.{f}" for f in names] + [f"n.{f}" for f in names] + [f"({m})" for m in marks])
        total, rows = self.capped(f"""
            select n.{key}, n.{title}, {select}
            from o_{table} o join n_{table} n on o.{key} = n.{key}
            where {' or '.join(differs + [f'({m})' for m in marks])}
            order by n.{key}""", bounded)
        items = []
        for row in rows:
            old, new, flags = row[2:2 + len(names)], row[2 + len(names):2 + 2 * len(names)], row[2 + 2 * len(names):]
            changes = [FieldChange(f, label, _json_value(a), _json_value(b))
                       for (f, label), a, b in zip(fields, old, new) if a != b]
            changes += [FieldChange(name, text, marker=True) for (name, _, text), flag in zip(markers, flags) if flag]
            items.append(RecordChange(str(row[0]), str(row[0] if row[1] is None else row[1]), tuple(changes)))
        return Capped(total, tuple(items))

    def status_changes(self) -> Capped[StatusChange]:
        total, rows = self.capped("""
            select n.initiative_id, n.title, o.status, n.status
            from o_initiative o join n_initiative n using (initiative_id)
            where o.status is distinct from n.status order by n.initiative_id""")
        return Capped(total, tuple(StatusChange(*r) for r in rows))

    def milestones(self) -> dict[str, Capped[MilestoneChange]]:
        """Added, removed, reached, newly overdue and re-dated milestones of initiatives in both databases."""
        self.con.execute("""
            create temp table ms_diff as
            with o as (
                select *, row_number() over (partition by initiative_id, title order by seq) as k
                from o_milestone_state where initiative_id in (select initiative_id from n_initiative)
            ), n as (
                select *, row_number() over (partition by initiative_id, title order by seq) as k
                from n_milestone_state where initiative_id in (select initiative_id from o_initiative)
            )
            select coalesce(n.initiative_id, o.initiative_id) as initiative_id,
                   coalesce(n.seq, o.seq) as seq, coalesce(n.title, o.title) as title,
                   n.due_date, n.done_date, n.state, o.due_date as old_due_date, o.done_date as old_done_date,
                   o.state as old_state, o.initiative_id is null as added, n.initiative_id is null as removed
            from o full join n on o.initiative_id = n.initiative_id and o.title = n.title and o.k = n.k
            where o.initiative_id is null or n.initiative_id is null
               or o.due_date is distinct from n.due_date or o.done_date is distinct from n.done_date
               or o.state is distinct from n.state""")
        kinds = {
            "milestones_added": "added",
            "milestones_removed": "removed",
            "milestones_reached": "not added and not removed and old_done_date is null and done_date is not null",
            "milestones_overdue": "state = 'überfällig' and old_state is distinct from 'überfällig'",
            "milestones_dates_changed": "not added and not removed and (due_date is distinct from old_due_date "
                                        "or (old_done_date is not null and done_date is distinct from old_done_date))",
        }
        out = {}
        for name, where in kinds.items():
            total, rows = self.capped(f"""
                select d.initiative_id, coalesce(i.title, oi.title), d.title, d.due_date, d.done_date, d.state,
                       d.old_due_date, d.old_done_date, d.old_state
                from ms_diff d left join n_initiative i using (initiative_id)
                left join o_initiative oi using (initiative_id)
                where {where} order by d.initiative_id, d.seq""")
            out[name] = Capped(total, tuple(MilestoneChange(*[_json_value(v) for v in r]) for r in rows))
        return out

    def kpi_actuals(self) -> Capped[KpiChange]:
        """KPIs (matched by initiative, name and occurrence) whose actual value is new or changed."""
        total, rows = self.capped("""
            with o as (
                select *, row_number() over (partition by initiative_id, name order by seq) as k from o_kpi_rating
            ), n as (
                select *, row_number() over (partition by initiative_id, name order by seq) as k from n_kpi_rating
                where initiative_id in (select initiative_id from o_initiative)
            )
            select n.initiative_id, i.title, n.name, o.actual, n.actual, n.unit, n.as_of
            from n left join o on o.initiative_id = n.initiative_id and o.name = n.name and o.k = n.k
            join n_initiative i on i.initiative_id = n.initiative_id
            where o.actual is distinct from n.actual
            order by n.initiative_id, n.seq""")
        return Capped(total, tuple(KpiChange(*[_json_value(v) for v in r]) for r in rows))

    def indicators(self) -> dict:
        """Per indicator in both databases: catalogue fields, new / removed periods, values added, changed and
        removed, and the largest changes. Periods whose values hash alike in both are not compared row by row
        (at national scale most of the millions of values are unchanged)."""
        con = self.con
        for p in ("o", "n"):
            con.execute(f"""
                create temp table {p}_period as
                select indicator_id, period, count(*) as n, bit_xor(hash(region_key, value, flag)) as h
                from {p}_indicator_value
                where indicator_id in (select indicator_id from o_indicator)
                  and indicator_id in (select indicator_id from n_indicator)
                group by all""")
        con.execute("""
            create temp table period_diff as
            select coalesce(n.indicator_id, o.indicator_id) as indicator_id, coalesce(n.period, o.period) as period,
                   o.n as old_n, n.n as new_n
            from o_period o full join n_period n using (indicator_id, period)
            where o.h is distinct from n.h or o.n is distinct from n.n""")
        con.execute("""
            create temp table value_diff as
            with changed as (
                select indicator_id, period from period_diff where old_n is not null and new_n is not null
            ),
            o as (select v.* from o_indicator_value v semi join changed c using (indicator_id, period)),
            n as (select v.* from n_indicator_value v semi join changed c using (indicator_id, period))
            select coalesce(n.indicator_id, o.indicator_id) as indicator_id,
                   coalesce(n.region_key, o.region_key) as region_key, coalesce(n.period, o.period) as period,
                   o.value as old, n.value as new, o.region_key is null as added, n.region_key is null as removed
            from o full join n using (indicator_id, region_key, period)
            where o.region_key is null or n.region_key is null
               or o.value is distinct from n.value or o.flag is distinct from n.flag""")
        counts = {r[0]: r[1:] for r in con.execute("""
            with per_period as (
                select indicator_id,
                       list(period order by period) filter (where old_n is null) as new_periods,
                       list(period order by period) filter (where new_n is null) as removed_periods,
                       coalesce(sum(new_n) filter (where old_n is null), 0) as added,
                       coalesce(sum(old_n) filter (where new_n is null), 0) as removed
                from period_diff group by all
            ), per_value as (
                select indicator_id, count(*) filter (where added) as added,
                       count(*) filter (where not added and not removed) as changed,
                       count(*) filter (where removed) as removed
                from value_diff group by all
            )
            select indicator_id, coalesce(p.new_periods, []), coalesce(p.removed_periods, []),
                   coalesce(p.added, 0) + coalesce(v.added, 0), coalesce(v.changed, 0),
                   coalesce(p.removed, 0) + coalesce(v.removed, 0)
            from per_period p full join per_value v using (indicator_id)""").fetchall()}
        largest: dict[tuple[str, str], list[ValueChange]] = {}
        for kind, measure in (("absolute", "abs(new - old)"), ("relative", "abs(new - old) / abs(old)")):
            for row in con.execute(f"""
                    with ranked as (
                        select *, row_number() over (partition by indicator_id
                                                     order by {measure} desc, region_key, period) as r
                        from value_diff
                        where not added and not removed and old is not null and new is not null and old <> new
                          {'and old <> 0' if kind == 'relative' else ''}
                    )
                    select d.indicator_id, d.region_key, coalesce(rn.name, ro.name, d.region_key), d.period,
                           d.old, d.new, case when d.old <> 0 then (d.new - d.old) / abs(d.old) end
                    from ranked d left join n_region rn using (region_key) left join o_region ro using (region_key)
                    where r <= {TOP} order by d.indicator_id, r""").fetchall():
                largest.setdefault((row[0], kind), []).append(ValueChange(*[_json_value(v) for v in row[1:]]))
        fields = {c.id: c.fields for c in self.changed("indicator", "indicator_id", "name_de",
                                                       INDICATOR_FIELDS, bounded=False).items}
        ids = sorted(set(counts) | set(fields))
        meta = {r[0]: r[1:] for r in con.execute(
            "select indicator_id, name_de, unit, decimals from n_indicator").fetchall()}
        items = []
        for iid in ids:
            new_p, removed_p, added, changed, removed = counts.get(iid, ((), (), 0, 0, 0))
            name, unit, decimals = meta[iid]
            items.append(IndicatorChange(
                iid, name, unit, int(decimals or 0), tuple(fields.get(iid, ())), _json_value(new_p),
                _json_value(removed_p), int(added), int(changed), int(removed),
                tuple(largest.get((iid, "absolute"), ())), tuple(largest.get((iid, "relative"), ()))))
        totals = con.execute("""
            select coalesce(sum(new_n) filter (where old_n is null), 0)
                       + (select count(*) filter (where added) from value_diff),
                   (select count(*) filter (where not added and not removed) from value_diff),
                   coalesce(sum(old_n) filter (where new_n is null), 0)
                       + (select count(*) filter (where removed) from value_diff),
                   coalesce(list(distinct year(period) order by year(period)) filter (where old_n is null), [])
            from period_diff""").fetchone()
        return {"indicators_changed": Capped(len(items), tuple(items[:self.cap])),
                "values_added": int(totals[0]), "values_changed": int(totals[1]), "values_removed": int(totals[2]),
                "new_years": tuple(totals[3])}
