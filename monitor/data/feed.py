"""Data of the Neuigkeiten page: every event since a day, newest first, for the sidebar's selection and role.

:func:`load` returns a frozen :class:`Feed` (counts per kind, the whole list for the download, one page of it);
:func:`since_choices` the "Seit" presets. Pure functions over ``monitor.data.db.query``.

Rules (shown on the page as help texts):
- The period is ``since`` … ``today`` (both days included); the sidebar's period does not apply here. The
  initiatives are those of the sidebar's themes, municipalities and statuses and the role
  (``Filters.initiative_sql`` with the period ``since`` … ``today``): a Partner sees public initiatives only.
- *Neue Initiative*: its first status date (else its start date) in the period; *Statuswechsel*: every status
  history row after the first dated in the period; *Meilenstein erreicht*: done in the period;
  *Meilenstein überfällig*: due in the period and overdue today (the macro ``milestone_state_on``: not done and due
  before today; dated with its due date); *Kennzahl-Istwert*: a KPI's actual value dated (``as_of``) in the period
  (named and rated by the mart ``kpi_rating``); *Neue Datenfassung*: a successful ETL run (``etl_run``) finished in
  the period — it concerns every selection, so the sidebar's filters leave it in.
- Presets: the latest coordination round before today (a Partner's only among rounds with a public initiative
  or none, as on the Akteure page), the newest report in the audit log (roles that may read it), 30 days.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from monitor.core import format as fmt
from monitor.data import audit, db, meta, overview, sources
from monitor.data.access import Access
from monitor.data.filters import Filters
from monitor.data.initiatives import value_text

PAGE_SIZE = 50
RECENT_DAYS = 30
#: Audit log lines searched for the newest report (read from the end of the file).
AUDIT_LINES = 1000
#: How captions name the source of the data versions (table etl_run).
RUNS_SOURCE = "Ladeprotokoll der Datenbank"


@dataclass(frozen=True)
class Kind:
    """One kind of event: key (URL-stable id), label (the table's Art), plural (the metric's label)."""

    key: str
    label: str
    plural: str


KINDS: tuple[Kind, ...] = (
    Kind("neu", "Neue Initiative", "Neue Initiativen"),
    Kind("status", "Statuswechsel", "Statuswechsel"),
    Kind("erreicht", "Meilenstein erreicht", "Meilensteine erreicht"),
    Kind("ueberfaellig", "Meilenstein überfällig", "Meilensteine überfällig"),
    Kind("kennzahl", "Kennzahl-Istwert", "Neue Kennzahl-Istwerte"),
    Kind("daten", "Neue Datenfassung", "Neue Datenfassungen"),
)
KIND_BY_KEY = {k.key: k for k in KINDS}
_ORDER = {k.key: n for n, k in enumerate(KINDS)}
#: The raw event list's columns (one row per event); the display table's German columns.
EVENT_COLUMNS = ["date", "kind", "initiative_id", "title", "text"]
TABLE_COLUMNS = ["Datum", "Art", "Initiative", "Ereignis"]


# ---------------------------------------------------------------- presets
@dataclass(frozen=True)
class SinceChoice:
    """A "Seit" preset: label (German, also its URL value), the day it starts (None: the page asks for a
    date), note (what it refers to, data text: show as text)."""

    label: str
    since: date | None
    note: str = ""


ROUND_LABEL = "seit der letzten Abstimmungsrunde"
REPORT_LABEL = "seit dem letzten Bericht"
DAYS_LABEL = f"seit {RECENT_DAYS} Tagen"
DATE_LABEL = "seit einem Datum"


def last_round(access: Access, today: date) -> tuple[date, str] | None:
    """The latest coordination round before ``today``: (date, format as its title), or None. Without
    ``access.internal`` only rounds that dealt with a public initiative or with none."""
    visible = "" if access.internal else (
        "and (exists (select 1 from coordination_round_initiative ri join initiative x using (initiative_id) "
        "where ri.round_id = r.round_id and x.is_public) or not exists "
        "(select 1 from coordination_round_initiative ri where ri.round_id = r.round_id))")
    df = db.query(f"""select r.date, coalesce(r.format, '') as format from coordination_round r
                      where r.date < ? {visible} order by r.date desc, r.round_id desc limit 1""", (today,))
    return None if df.empty else (pd.Timestamp(df.iat[0, 0]).date(), str(df.iat[0, 1]))


def last_report(access: Access) -> dt.datetime | None:
    """When the newest report was made (the audit log's newest 'Bericht' entry), or None; None too for a role that
    may not read the log (:func:`monitor.data.audit.recent`)."""
    log = audit.recent(access, AUDIT_LINES)
    if log is None:
        return None
    reports = log[log["Aktion"] == audit.ACTIONS["bericht"]]
    return None if reports.empty else dt.datetime.strptime(reports.iloc[0]["Zeit"], "%d.%m.%Y %H:%M:%S")


def since_choices(access: Access, today: date) -> tuple[SinceChoice, ...]:
    """The "Seit" presets that apply: the last coordination round (when there is one), the last report (when the
    role may read the log and it holds one), 30 days, a free date."""
    out = []
    rnd = last_round(access, today)
    if rnd:
        out.append(SinceChoice(ROUND_LABEL, rnd[0], f"{fmt.date(rnd[0])} · {rnd[1]}" if rnd[1] else fmt.date(rnd[0])))
    report = last_report(access)
    if report:
        out.append(SinceChoice(REPORT_LABEL, report.date(), f"Bericht vom {fmt.date(report)}, "
                                                            f"{report:%H:%M} Uhr"))
    start = today - timedelta(days=RECENT_DAYS)
    out += [SinceChoice(DAYS_LABEL, start, f"ab dem {fmt.date(start)}"), SinceChoice(DATE_LABEL, None)]
    return tuple(out)


def default_choice(choices: tuple[SinceChoice, ...]) -> int:
    """Index of the preset chosen when the URL names none: the last round, else 30 days."""
    labels = [c.label for c in choices]
    return labels.index(ROUND_LABEL) if ROUND_LABEL in labels else labels.index(DAYS_LABEL)


# ---------------------------------------------------------------- events
def _selected(f: Filters) -> tuple[str, tuple]:
    """CTE ``sel``: the initiatives of the filters (their period: the feed's)."""
    cond, params = f.initiative_sql("i")
    return f"sel as (select i.* from initiative i where {cond})", params


def _rows(df: pd.DataFrame, kind: str, dates: str, texts) -> pd.DataFrame:
    """``df``'s rows as events of ``kind`` (date column ``dates``, text per row from ``texts(row)``)."""
    df = df.reset_index(drop=True)
    return pd.DataFrame({"date": [pd.Timestamp(d).date() for d in df[dates]], "kind": kind,
                         "initiative_id": df["initiative_id"] if "initiative_id" in df else None,
                         "title": df["title"] if "title" in df else None,
                         "text": [texts(r) for r in df.itertuples()]}, columns=EVENT_COLUMNS)


def initiative_events(f: Filters, since: date, today: date) -> pd.DataFrame:
    """The events of the filtered initiatives from ``since`` to ``today`` (see module rules): date, kind,
    initiative_id, title, text (German). New initiatives, status changes and milestones reached are the Überblick's
    changes (:func:`monitor.data.overview.changes`) of the period ``since`` … ``today``."""
    period_filters = f.with_(date_from=since, date_to=today)
    ch = overview.changes(period_filters)
    cte, params = _selected(period_filters)
    overdue = db.query(
        f"""with {cte}
        select i.initiative_id, i.title, m.title as milestone, m.due_date
        from sel i join milestones_on(?) m using (initiative_id)
        where m.state = 'überfällig' and m.due_date between ? and ?""", (*params, today, since, today))
    kpis = db.query(
        f"""with {cte}
        select i.initiative_id, i.title, k.name, k.unit, k.actual, k.target, k.reached, k.as_of
        from sel i join kpi_rating k using (initiative_id)
        where k.actual is not null and k.as_of between ? and ?""", (*params, since, today))
    return pd.concat([
        _rows(ch.new_initiatives, "neu", "date", lambda r: f"Neu aufgenommen als {r.first_status}"),
        _rows(ch.status_changes, "status", "date", lambda r: f"Status: {r.previous_status} → {r.status}"),
        _rows(ch.milestones_reached, "erreicht", "done_date", lambda r: f"Meilenstein erreicht: {r.milestone}"
              + (f" (fällig am {fmt.date(r.due_date)})" if r.state == "verspätet erledigt" else "")),
        _rows(overdue, "ueberfaellig", "due_date", lambda r: f"Meilenstein überfällig: {r.milestone}"
              f" (fällig am {fmt.date(r.due_date)})"),
        _rows(kpis, "kennzahl", "as_of", lambda r: f"{r.name}: Istwert {value_text(r.actual, r.unit)}"
              f" (Ziel {value_text(r.target, r.unit)}{', erreicht' if _true(r.reached) else ''})"),
    ], ignore_index=True)


def _true(flag) -> bool:
    """True for a true rating; False for false and for NULL (not rated)."""
    return bool(flag) if flag is not None and not pd.isna(flag) else False


def _columns(table: str) -> set[str]:
    df = db.query("select column_name from information_schema.columns where table_name = ?", (table,))
    return set(df["column_name"])


def data_versions(access: Access, since: date, today: date) -> pd.DataFrame:
    """Successful ETL runs finished (else started) from ``since`` to ``today`` as events (date, kind 'daten',
    text). The text names the version (``etl_run.version_id``, else ``meta`` 'version_id' for the newest run)
    when the database records one; the run's message only for ``access.internal`` (as the Daten page)."""
    cols = _columns("etl_run")
    if not {"status", "started_at"} <= cols:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    version = "version_id" if "version_id" in cols else "null"
    message = "message" if "message" in cols and access.internal else "null"
    runs = db.query(
        f"""select coalesce(finished_at, started_at)::date as date, {version}::varchar as version_id,
                   {message}::varchar as message
            from etl_run where status = 'ok' order by coalesce(finished_at, started_at) desc""")
    newest_version = meta.info().facts.get("version_id")
    if newest_version and not runs.empty and runs["version_id"].isna().all():
        runs.loc[runs.index[0], "version_id"] = newest_version
    runs = runs[(pd.to_datetime(runs["date"]).dt.date >= since) & (pd.to_datetime(runs["date"]).dt.date <= today)]

    def text(r) -> str:
        out = "Neue Datenfassung geladen"
        if isinstance(r.version_id, str) and r.version_id:
            out += f" (Fassung {r.version_id})"
        return f"{out}: {r.message}" if isinstance(r.message, str) and r.message else out

    return _rows(runs, "daten", "date", text)


def events(f: Filters, since: date, today: date) -> pd.DataFrame:
    """Every event from ``since`` to ``today`` (see module rules), newest first (same day: in the order of
    :data:`KINDS`, then by initiative): date, kind, initiative_id, title, text."""
    df = pd.concat([initiative_events(f, since, today), data_versions(f.access, since, today)], ignore_index=True)
    df = df.assign(_order=df["kind"].map(_ORDER), _id=df["initiative_id"].fillna(""))
    df = df.sort_values(["date", "_order", "_id"], ascending=[False, True, True], kind="stable")
    return df.drop(columns=["_order", "_id"]).reset_index(drop=True)


def event_table(df: pd.DataFrame) -> pd.DataFrame:
    """Events for display and download: Datum, Art, Initiative ('ID – Titel', None for a data version), Ereignis."""
    return pd.DataFrame({
        "Datum": pd.to_datetime(df["date"]), "Art": [KIND_BY_KEY[k].label for k in df["kind"]],
        "Initiative": [overview.initiative_label(i, t) if isinstance(i, str) else None
                       for i, t in zip(df["initiative_id"], df["title"])],
        "Ereignis": df["text"]}, columns=TABLE_COLUMNS).reset_index(drop=True)


# ---------------------------------------------------------------- the page's data
@dataclass(frozen=True)
class Feed:
    """Everything the Neuigkeiten page shows for one selection, start day, kind choice and page."""

    filters: Filters
    since: date
    today: date
    stand: date | None  # data Stand (captions)
    source: str  # how captions name the portfolio
    counts: dict  # kind key -> number of events (every kind, before the kind choice)
    kinds: tuple[str, ...]  # the kinds shown (all when none was chosen)
    table: pd.DataFrame  # every event of the kinds shown (all pages), for display and download
    page: int  # the page shown (1-based, within 1 … pages)
    pages: int  # number of pages (1 when there are no events)
    page_size: int
    rows: pd.DataFrame  # the events of the page shown

    @property
    def total(self) -> int:
        """Events of the kinds shown."""
        return len(self.table)

    @property
    def first(self) -> int:
        """Number (1-based) of the page's first event; 0 when there are none."""
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last(self) -> int:
        """Number of the page's last event."""
        return self.first + len(self.rows) - 1 if self.total else 0

    def at(self, page: int) -> "Feed":
        """The same feed showing page ``page`` (clamped to 1 … pages)."""
        page = min(max(int(page), 1), self.pages)
        return replace(self, page=page, rows=_page_rows(self.table, page, self.page_size))


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    """Pages needed for ``total`` events (at least 1)."""
    return max(1, -(-total // page_size))


def _page_rows(table: pd.DataFrame, page: int, page_size: int) -> pd.DataFrame:
    return table.iloc[(page - 1) * page_size: page * page_size].reset_index(drop=True)


def load(f: Filters, since: date, today: date, kinds: tuple[str, ...] = (), page: int = 1,
         page_size: int | None = None) -> Feed:
    """The feed from ``since`` to ``today`` for the filters (see module rules), of ``kinds`` (keys of
    :data:`KINDS`; none: all), page ``page`` (clamped to 1 … pages) of ``page_size`` events (default
    :data:`PAGE_SIZE`)."""
    page_size = page_size or PAGE_SIZE
    every = events(f, since, today)
    counts = {k.key: int((every["kind"] == k.key).sum()) for k in KINDS}
    chosen = tuple(k for k in kinds if k in KIND_BY_KEY) or tuple(KIND_BY_KEY)
    table = event_table(every[every["kind"].isin(chosen)])
    feed = Feed(f, since, today, meta.info().stand, f"{sources.portfolio_source_label()} · {RUNS_SOURCE}", counts,
                chosen, table, 1, page_count(len(table), page_size), page_size, table.head(0))
    return feed.at(page)
