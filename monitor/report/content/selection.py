"""What the report covers: the selection (:class:`ReportFilters`), the reference day, every selected
initiative's status at the start and end of the period and its development in the period — gathered once
per build in a :class:`Scope` that every section reads."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from monitor.core import format as fmt
from monitor.core.vocab import STATUS_LINE, STATUS_RANK
from monitor.data import initiatives, meta, overview, sources
from monitor.data import municipalities as mun
from monitor.data.filters import Filters
from monitor.report.content import queries
from monitor.report.content.cells import as_date, plain
from monitor.report.model import ReportParams

MAX_MUNICIPALITY_SERIES = 3


@dataclass(frozen=True)
class ReportFilters(Filters):
    """:class:`Filters` that, with ``public_only``, also require ``is_public`` — so every existing query
    function that calls :meth:`initiative_sql` selects exactly the initiatives the report may show."""

    public_only: bool = True

    def initiative_sql(self, alias: str = "i") -> tuple[str, tuple]:
        cond, params = super().initiative_sql(alias)
        if self.public_only:
            cond = f"{cond} and ({alias}.is_public)"
        return cond, params


def report_filters(params: ReportParams) -> ReportFilters:
    """The selection of ``params`` (the sidebar's status filter never applies to a report)."""
    return ReportFilters(params.date_from, params.date_to, tuple(params.themes), tuple(params.municipalities),
                         (), public_only=not params.internal)


def reference_day(params: ReportParams, stand: dt.date | None) -> dt.date:
    """The day "overdue" and "status at the end" refer to: the period end, or the data Stand if earlier."""
    return min(params.date_to, stand) if stand else params.date_to


# ---------------------------------------------------------------------------------------------- development

def is_advance(previous: str | None, status: str) -> bool:
    """A change to a later stage of the status line (not Abgeschlossen), or back onto the line from Ruht."""
    if status not in STATUS_LINE or status == "Abgeschlossen":
        return False
    if previous is None or previous not in STATUS_LINE:
        return previous in ("Ruht",)
    return STATUS_RANK[status] > STATUS_RANK[previous]


def is_setback(previous: str | None, status: str) -> bool:
    """A change to Ruht or to an earlier stage of the status line."""
    if status == "Ruht":
        return True
    return (previous in STATUS_LINE and status in STATUS_LINE and status != "Abgeschlossen"
            and STATUS_RANK[status] < STATUS_RANK[previous])


@dataclass(frozen=True)
class Development:
    """What happened to one initiative in the period."""

    started: bool
    advanced: bool
    completed: bool
    set_back: bool
    dropped: bool
    last_change: dt.date | None

    def text(self) -> str:
        parts = [name for flag, name in ((self.started, "neu"), (self.advanced, "vorangekommen"),
                                         (self.completed, "abgeschlossen"), (self.set_back, "zurückgestellt"),
                                         (self.dropped, "verworfen"))
                 if flag]
        return ", ".join(parts) or "unverändert"


def developments(ids: list[str], ch: overview.Changes) -> dict[str, Development]:
    """The :class:`Development` of every initiative in ``ids`` from the period's changes ``ch``."""
    new = set(ch.new_initiatives["initiative_id"])
    new_dates = {r.initiative_id: as_date(r.date) for r in ch.new_initiatives.itertuples(index=False)}
    out = {}
    moves: dict[str, list[tuple]] = {}  # initiative -> its status changes in the period, in row order (one pass)
    for r in ch.status_changes.itertuples(index=False):
        moves.setdefault(r.initiative_id, []).append((plain(r.previous_status), r.status, as_date(r.date)))
    for i in ids:
        pairs = moves.get(i, [])
        dates = [d for _, _, d in pairs if d] + ([new_dates[i]] if new_dates.get(i) else [])
        out[i] = Development(
            started=i in new,
            advanced=any(is_advance(p, s) for p, s, _ in pairs),
            completed=any(s == "Abgeschlossen" for _, s, _ in pairs),
            set_back=any(is_setback(p, s) for p, s, _ in pairs),
            dropped=any(s == "Verworfen" for _, s, _ in pairs),
            last_change=max(dates) if dates else None,
        )
    return out


# ---------------------------------------------------------------------------------------------- scope

def of_themes(df: pd.DataFrame, themes: tuple[str, ...]) -> pd.DataFrame:
    """The rows of ``df`` whose main ``theme`` is one of ``themes`` (every row when none is chosen), in order."""
    return df[df["theme"].isin(list(themes))].reset_index(drop=True) if themes else df


def of_initiatives(df: pd.DataFrame, ids) -> pd.DataFrame:
    """The rows of ``df`` whose ``initiative_id`` is in ``ids``, in order."""
    return df[df["initiative_id"].isin(list(ids))].reset_index(drop=True)


@dataclass(frozen=True)
class Scope:
    """What every part of one report shares: the selection and its status, changes and dates."""

    params: ReportParams
    f: ReportFilters
    pf: pd.DataFrame  # initiatives.portfolio of the selection
    ids: list
    theme_of: dict
    title_of: dict
    start_status: dict
    end_status: dict
    changes: overview.Changes
    dev: dict
    overdue: pd.DataFrame  # overdue milestones at as_of, initiatives Verworfen at as_of excluded
    as_of: dt.date
    day_before: dt.date
    stand: dt.date | None
    stand_statistics: dt.date | None
    synthetic: bool
    source_note: str
    b: mun.Benchmarks
    muni_names: dict
    chosen_munis: tuple


def scope(params: ReportParams) -> Scope:
    """The :class:`Scope` of ``params`` on the current database."""
    facts = meta.info()
    stand = facts.stand
    b = mun.benchmarks()
    f = report_filters(params)
    as_of = reference_day(params, stand)
    day_before = params.date_from - dt.timedelta(days=1)
    source_note = f"Quelle: {sources.portfolio_source_label()} · Stand: {fmt.date(stand)}"
    # The selection's queries are asked for every theme and narrowed to the chosen main themes here: the same
    # SQL for any choice of themes, so changing the theme filter (the Bericht page) is served from the cache.
    every_theme = f.with_(themes=())
    pf = of_themes(initiatives.portfolio(every_theme), f.themes)
    ids = list(pf["initiative_id"])
    chosen = set(ids)
    start_status = {i: s for i, s in initiatives.status_at(every_theme, day_before).items() if i in chosen}
    end_status = {i: s for i, s in initiatives.status_at(every_theme, as_of).items() if i in chosen}
    every = overview.changes(every_theme)
    ch = overview.Changes(*(of_initiatives(df, chosen) for df in (every.new_initiatives, every.status_changes,
                                                                   every.milestones_reached)))
    overdue = of_themes(queries.overdue(every_theme, as_of), f.themes)
    muni_names = dict(zip(*[mun.municipality_table()[c] for c in ("ags", "name")]))
    chosen_munis = tuple(a for a in params.municipalities if a in muni_names)[:MAX_MUNICIPALITY_SERIES]
    return Scope(params=params, f=f, pf=pf, ids=ids, theme_of=dict(zip(pf["initiative_id"], pf["theme"])),
                 title_of=dict(zip(pf["initiative_id"], pf["title"])), start_status=start_status,
                 end_status=end_status, changes=ch, dev=developments(ids, ch), overdue=overdue, as_of=as_of,
                 day_before=day_before, stand=stand, stand_statistics=facts.stand_statistics,
                 synthetic=facts.synthetic, source_note=source_note, b=b, muni_names=muni_names,
                 chosen_munis=chosen_munis)
