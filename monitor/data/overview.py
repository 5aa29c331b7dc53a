"""Data of the Überblick page: key figures, status funnel, progress per theme, changes in the period, what needs
attention, funds by programme. Pure functions over ``monitor.data.db.query`` (aggregated in DuckDB, small results);
:func:`load` gathers everything the page shows (frozen :class:`Overview`), its tables as display frames with German
column names.

Rules (shown on the page as help texts):
- The initiatives counted are those matching the sidebar filters (``Filters.initiative_sql``).
- Total cost leaves out initiatives with status Verworfen; funds granted count every initiative.
- A milestone's state on today (erledigt, verspätet erledigt, entfallen, überfällig, offen) is the rule of the
  database macro ``milestone_state_on`` (``etl/marts/010_macros.sql``): *überfällig* = not done and due before
  today; milestones of initiatives with status Verworfen count as neither open nor overdue.
- A KPI's rating (*reached*, not rated) comes from the mart ``kpi_rating`` (``etl/marts/040_kpi_rating.sql``).
- *Ohne Bewegung* = not Abgeschlossen/Verworfen, and neither a status change (without any history: the row's
  Stand) nor a milestone done in the last ``STALE_MONTHS`` months before today: a project in implementation
  that keeps reaching milestones is moving, one that waits for months without any step is not.
  *Endet bald* = end planned within ``ENDING_DAYS`` days from today and not Abgeschlossen/Verworfen.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from monitor.data import db, meta, sources
from monitor.data.filters import Filters
from monitor.core.vocab import STATUSES, STATUS_RANK, THEMES

STALE_MONTHS = 6
ENDING_DAYS = 90
CLOSED = ("Abgeschlossen", "Verworfen")


def months_before(d: date, months: int) -> date:
    """``d`` minus whole months (day clipped to the month's end)."""
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    m += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _selected(f: Filters) -> tuple[str, tuple]:
    """CTE ``sel``: the initiatives matching the filters."""
    cond, params = f.initiative_sql("i")
    return f"sel as (select i.* from initiative i where {cond})", params


@dataclass(frozen=True)
class KeyFigures:
    """The first row of the page. Money in EUR; counts of initiatives or milestones."""

    initiatives: int
    in_progress: int
    completed: int
    funding_granted_eur: float
    total_cost_eur: float
    overdue_milestones: int


def key_figures(f: Filters, today: date) -> KeyFigures:
    """Counts and sums over the filtered initiatives (see module rules)."""
    return _key_figures_from(_theme_sums(f, today), status_mix(f))


def status_counts(f: Filters) -> pd.DataFrame:
    """Initiatives per current status, all nine statuses in line order (0 when none): status, rank, initiatives."""
    return _status_counts_from(status_mix(f))


def status_mix(f: Filters) -> pd.DataFrame:
    """Initiatives per main theme and status (long): theme, status, initiatives; themes in vocab order."""
    cte, params = _selected(f)
    df = db.query(
        f"""with {cte} select i.theme, i.status, count(*) as initiatives from sel i
        join status s using (status) group by i.theme, i.status, s.rank order by i.theme, s.rank""",
        params,
    )
    order = {t.theme_id: n for n, t in enumerate(THEMES)}
    return df.sort_values("theme", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def _theme_sums(f: Filters, today: date) -> pd.DataFrame:
    """One row per main theme of the filtered initiatives (only themes that have some) and one row with theme
    NULL over all of them: initiatives, funding_granted_eur, total_cost_eur, milestones_done,
    milestones_done_late, milestones_open, milestones_overdue, kpis_rated, kpis_reached (the totals row holds the
    same sums as :func:`key_figures`, so :func:`load` needs no query of its own for them)."""
    cte, params = _selected(f)
    return db.query(
        f"""with {cte},
        ini as (select theme, count(*) as initiatives, coalesce(sum(funding_granted_eur), 0) as funding_granted_eur,
                       coalesce(sum(total_cost_eur) filter (where status <> 'Verworfen'), 0) as total_cost_eur
                from sel group by rollup (theme)),
        ms as (select i.theme,
                      count(*) filter (where m.state in ('erledigt', 'verspätet erledigt')) as milestones_done,
                      count(*) filter (where m.state = 'verspätet erledigt') as milestones_done_late,
                      count(*) filter (where m.state = 'offen') as milestones_open,
                      count(*) filter (where m.state = 'überfällig') as milestones_overdue
               from sel i join milestones_on(?) m using (initiative_id) group by rollup (i.theme)),
        kp as (select i.theme,
                      count(k.reached) as kpis_rated,
                      count(*) filter (where k.reached) as kpis_reached
               from sel i join kpi_rating k using (initiative_id) group by rollup (i.theme))
        select ini.theme, ini.initiatives, ini.funding_granted_eur, ini.total_cost_eur,
               coalesce(ms.milestones_done, 0) as milestones_done,
               coalesce(ms.milestones_done_late, 0) as milestones_done_late,
               coalesce(ms.milestones_open, 0) as milestones_open,
               coalesce(ms.milestones_overdue, 0) as milestones_overdue,
               coalesce(kp.kpis_rated, 0) as kpis_rated, coalesce(kp.kpis_reached, 0) as kpis_reached
        from ini left join ms on ms.theme is not distinct from ini.theme
                 left join kp on kp.theme is not distinct from ini.theme""",
        (*params, today),
    )


def theme_progress(f: Filters, today: date) -> pd.DataFrame:
    """One row per theme of the filter (all four when none): theme, initiatives, funding_granted_eur,
    total_cost_eur, milestones_done, milestones_done_late, milestones_open, milestones_overdue, kpis_rated,
    kpis_reached. Themes without initiatives get zeros."""
    return _progress_rows(f, _theme_sums(f, today))


def _progress_rows(f: Filters, sums: pd.DataFrame) -> pd.DataFrame:
    """:func:`theme_progress` from the rows of :func:`_theme_sums`."""
    df = sums[sums["theme"].notna()]
    by_theme = df.set_index("theme")
    rows = []
    for theme in f.theme_ids():
        if theme in by_theme.index:
            rows.append({"theme": theme, **by_theme.loc[theme].to_dict()})
        else:
            rows.append({"theme": theme, **{c: 0 for c in df.columns if c != "theme"}})
    out = pd.DataFrame(rows, columns=df.columns)
    ints = [c for c in out.columns if c not in ("theme", "funding_granted_eur", "total_cost_eur")]
    out[ints] = out[ints].astype(int)
    out[["funding_granted_eur", "total_cost_eur"]] = out[["funding_granted_eur", "total_cost_eur"]].astype(float)
    return out


def _key_figures_from(sums: pd.DataFrame, mix: pd.DataFrame, themes: tuple[str, ...] = ()) -> KeyFigures:
    """:func:`key_figures` from :func:`_theme_sums` and the counts of :func:`status_mix` (every initiative's status
    is one of the status table's, a data test of the ETL): the totals row, or with ``themes`` (sums asked for
    every theme) the sum of those themes' rows."""
    if themes:
        rows = sums[sums["theme"].isin(list(themes))]
        r = {c: rows[c].sum() for c in ("initiatives", "funding_granted_eur", "total_cost_eur", "milestones_overdue")}
    else:
        r = sums[sums["theme"].isna()].iloc[0]  # rollup's grand total: one row, also when nothing is selected
    n = mix.groupby("status")["initiatives"].sum()
    return KeyFigures(int(r["initiatives"]), int(n.get("In Umsetzung", 0)), int(n.get("Abgeschlossen", 0)),
                      float(r["funding_granted_eur"]), float(r["total_cost_eur"]), int(r["milestones_overdue"]))


def _status_counts_from(mix: pd.DataFrame) -> pd.DataFrame:
    """:func:`status_counts` from the counts of :func:`status_mix`."""
    n = mix.groupby("status")["initiatives"].sum()
    return pd.DataFrame({"status": list(STATUSES), "rank": [STATUS_RANK[s] for s in STATUSES],
                         "initiatives": [int(n.get(s, 0)) for s in STATUSES]})


@dataclass(frozen=True)
class Changes:
    """What changed in the period: each a DataFrame sorted by date (newest first)."""

    new_initiatives: pd.DataFrame  # initiative_id, title, theme, status (current), first_status, date
    status_changes: pd.DataFrame  # initiative_id, title, date, previous_status, status
    milestones_reached: pd.DataFrame  # initiative_id, title, milestone, due_date, done_date, state


def changes(f: Filters) -> Changes:
    """New initiatives (first status date in the period), status changes (every history row after the first
    with a date in the period) and milestones done in the period (state: erledigt or verspätet erledigt), for
    the filtered initiatives."""
    cte, params = _selected(f)
    period = (f.date_from, f.date_to)
    new = db.query(
        f"""with {cte}, first as (select initiative_id, min(date) as date, arg_min(status, seq) as first_status
                                  from status_history group by 1)
        select i.initiative_id, i.title, i.theme, i.status, coalesce(h.first_status, i.status) as first_status,
               coalesce(h.date, i.start_date) as date
        from sel i left join first h using (initiative_id)
        where coalesce(h.date, i.start_date) between ? and ? order by date desc, i.initiative_id""",
        (*params, *period),
    )
    moves = db.query(
        f"""with {cte}, h as (select initiative_id, date, status, seq,
                   lag(status) over (partition by initiative_id order by seq) as previous_status
                   from status_history)
        select i.initiative_id, i.title, h.date, h.previous_status, h.status
        from sel i join h using (initiative_id)
        where h.previous_status is not null and h.date between ? and ?
        order by h.date desc, i.initiative_id, h.seq desc""",
        (*params, *period),
    )
    reached = db.query(
        f"""with {cte}
        select i.initiative_id, i.title, m.title as milestone, m.due_date, m.done_date, m.state
        from sel i join milestones_on(?) m using (initiative_id)
        where m.done_date between ? and ? order by m.done_date desc, i.initiative_id, m.seq""",
        (*params, f.date_to, *period),
    )
    return Changes(new, moves, reached)


def initiative_label(initiative_id, title) -> str:
    """How a table names an initiative in one column: 'ID – Titel'."""
    return f"{initiative_id} – {title}"


def recent_events(ch: Changes, limit: int = 8) -> pd.DataFrame:
    """The newest events of :class:`Changes` merged into one display list: Datum, Initiative ('ID – Titel'),
    Ereignis (German text). Newest first, at most ``limit`` rows."""
    rows = [(r.date, r.initiative_id, r.title, f"Neu aufgenommen als {r.first_status}")
            for r in ch.new_initiatives.itertuples()]
    rows += [(r.date, r.initiative_id, r.title, f"Status: {r.previous_status} → {r.status}")
             for r in ch.status_changes.itertuples()]
    rows += [(r.done_date, r.initiative_id, r.title, f"Meilenstein erreicht: {r.milestone}")
             for r in ch.milestones_reached.itertuples()]
    rows.sort(key=lambda r: (pd.Timestamp(r[0]), r[1]), reverse=True)
    return pd.DataFrame([{"Datum": r[0], "Initiative": initiative_label(r[1], r[2]), "Ereignis": r[3]}
                         for r in rows[:limit]], columns=["Datum", "Initiative", "Ereignis"])


@dataclass(frozen=True)
class Attention:
    """What needs attention today: each a DataFrame."""

    overdue: pd.DataFrame  # initiative_id, title, milestone, due_date, days_overdue
    stale: pd.DataFrame  # initiative_id, title, status, last_change, last_milestone, last_activity
    ending_soon: pd.DataFrame  # initiative_id, title, status, end_planned


def attention(f: Filters, today: date) -> Attention:
    """Overdue milestones, initiatives without movement (status change or milestone done) for ``STALE_MONTHS``
    months and initiatives ending within ``ENDING_DAYS`` days (see module rules), for the filtered initiatives.
    ``stale``: ``last_change`` = last status change (else the row's Stand), ``last_milestone`` = last milestone
    done (None without), ``last_activity`` = the later of both; oldest activity first."""
    cte, params = _selected(f)
    overdue = db.query(
        f"""with {cte}
        select i.initiative_id, i.title, m.title as milestone, m.due_date,
               date_diff('day', m.due_date, ?::date) as days_overdue
        from sel i join milestones_on(?) m using (initiative_id)
        where m.state = 'überfällig'
        order by m.due_date, i.initiative_id, m.seq""",
        (*params, today, today),
    )
    stale = db.query(
        f"""with {cte}, last as (select initiative_id, max(date) as date from status_history group by 1),
        ms as (select initiative_id, max(done_date) as date from milestone where done_date <= ? group by 1),
        act as (select i.initiative_id, i.title, i.status, coalesce(h.date, i.as_of) as last_change,
                       m.date as last_milestone,
                       greatest(coalesce(h.date, i.as_of), m.date) as last_activity
                from sel i left join last h using (initiative_id) left join ms m using (initiative_id)
                where i.status not in ('Abgeschlossen', 'Verworfen'))
        select * from act where last_activity is null or last_activity < ?
        order by last_activity nulls first, initiative_id""",
        (*params, today, months_before(today, STALE_MONTHS)),
    )
    ending = db.query(
        f"""with {cte}
        select i.initiative_id, i.title, i.status, i.end_planned from sel i
        where i.status not in ('Abgeschlossen', 'Verworfen') and i.end_planned between ? and ?
        order by i.end_planned, i.initiative_id""",
        (*params, today, today + timedelta(days=ENDING_DAYS)),
    )
    return Attention(overdue, stale, ending)


def funds_by_programme(f: Filters) -> pd.DataFrame:
    """Per funding programme of the filtered initiatives: programme, initiatives, funding_granted_eur,
    total_cost_eur (without Verworfen). An initiative with several programmes counts fully in each of them
    (the workbook has no split per programme). Sorted by funds granted, largest first."""
    cte, params = _selected(f)
    return db.query(
        f"""with {cte}
        select p.programme, count(*) as initiatives,
               coalesce(sum(i.funding_granted_eur), 0)::double as funding_granted_eur,
               coalesce(sum(i.total_cost_eur) filter (where i.status <> 'Verworfen'), 0)::double as total_cost_eur
        from sel i join initiative_programme p using (initiative_id)
        group by p.programme order by funding_granted_eur desc, p.programme""",
        params,
    )


def attention_tables(a: Attention) -> Attention:
    """The frames of :class:`Attention` for display, each initiative as one column 'ID – Titel' (Initiative):
    overdue: Initiative, Meilenstein, Fällig am, Tage; stale: Initiative, Status, Letzter Statuswechsel, Letzter
    Meilenstein; ending_soon: Initiative, Status, Ende geplant."""
    def named(df: pd.DataFrame, **columns: str) -> pd.DataFrame:
        out = pd.DataFrame({"Initiative": [initiative_label(i, t) for i, t in zip(df["initiative_id"], df["title"])]})
        for col, german in columns.items():
            out[german] = df[col].to_numpy()
        return out

    return Attention(named(a.overdue, milestone="Meilenstein", due_date="Fällig am", days_overdue="Tage"),
                     named(a.stale, status="Status", last_change="Letzter Statuswechsel",
                           last_milestone="Letzter Meilenstein"),
                     named(a.ending_soon, status="Status", end_planned="Ende geplant"))


@dataclass(frozen=True)
class Overview:
    """Everything the Überblick page shows, for one filter selection and day."""

    filters: Filters
    today: date
    stand: date | None  # data Stand (captions, figure subtitles)
    source: str  # how captions name the portfolio
    key: KeyFigures
    status_counts: pd.DataFrame
    status_mix: pd.DataFrame
    themes: pd.DataFrame
    changes: Changes
    events: pd.DataFrame  # recent_events(changes): the newest events for the table
    n_events: int  # all events of the period (the table shows the newest)
    attention: Attention
    attention_tables: Attention  # attention_tables(attention): the same rows for display
    stale_since: date  # no movement since this day counts as Ohne Bewegung
    funds: pd.DataFrame


def _main_themes() -> dict[str, str]:
    """Every initiative's main theme (initiative id -> theme id)."""
    df = db.query("select initiative_id, theme from initiative")
    return dict(zip(df["initiative_id"], df["theme"]))


def _of_themes(df: pd.DataFrame, themes: tuple[str, ...], theme_of: dict[str, str]) -> pd.DataFrame:
    """The rows of ``df`` whose initiative (its ``theme``, else the main theme of its ``initiative_id``) has one of
    ``themes`` as main theme, in order; every row when no theme is chosen."""
    if not themes:
        return df
    theme = df["theme"] if "theme" in df.columns else df["initiative_id"].map(theme_of)
    return df[theme.isin(list(themes))].reset_index(drop=True)


def load(f: Filters, today: date) -> Overview:
    """All data of the Überblick page. Its queries are asked for every theme and narrowed to the chosen themes
    here: the same SQL for any choice of themes, so a change of the theme filter is served from the query cache
    (the funds by programme excepted: their sums mix themes). The key figures and status counts come from the
    per-theme sums and the status mix."""
    every = f.with_(themes=())
    theme_of = _main_themes() if f.themes else {}

    def keep(df: pd.DataFrame) -> pd.DataFrame:
        return _of_themes(df, f.themes, theme_of)

    ch_all, at_all = changes(every), attention(every, today)
    ch = Changes(keep(ch_all.new_initiatives), keep(ch_all.status_changes), keep(ch_all.milestones_reached))
    at_ = Attention(keep(at_all.overdue), keep(at_all.stale), keep(at_all.ending_soon))
    n_events = len(ch.new_initiatives) + len(ch.status_changes) + len(ch.milestones_reached)
    sums, mix = _theme_sums(every, today), keep(status_mix(every))
    return Overview(f, today, meta.info().stand, sources.portfolio_source_label(),
                    _key_figures_from(sums, mix, f.themes), _status_counts_from(mix), mix, _progress_rows(f, sums), ch,
                    recent_events(ch), n_events, at_, attention_tables(at_), months_before(today, STALE_MONTHS),
                    funds_by_programme(f))
