"""Data of the actors page (Akteure): who works on which initiatives, who works with whom,
coordination rounds over time and the most connected actors.

Scope: initiatives matching the sidebar filters (:meth:`Filters.initiative_sql`); coordination rounds dated
in the sidebar period and, when a theme, municipality or status is selected, only rounds that dealt with at
least one of the selected initiatives.

Network: organisations are linked when they share an initiative (``initiative_organisation``, any role) or a
coordination round (``coordination_round_organisation``); the edge weight is the number of shared initiatives
plus shared rounds. Layout: a deterministic force-directed layout computed with numpy (no networkx).
Data functions are pure (SQL through :func:`monitor.data.db.query`); the figures are built by
:mod:`monitor.figures.network` from :func:`load`'s result.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from monitor.core import format as fmt
from monitor.core.cache import memo
from monitor.core.vocab import THEME_BY_ID, THEMES
from monitor.data import meta, sources
from monitor.data.db import query
from monitor.data.filters import Filters

#: Which links the network shows: key -> German label.
LINK_KINDS = {"beides": "Initiativen und Abstimmungsrunden", "initiativen": "nur gemeinsame Initiativen",
              "runden": "nur gemeinsame Abstimmungsrunden"}


ALL = "*"  # the part of :func:`_scopes` that is the scope of the filters without a theme choice


def _round_rule(filters: Filters) -> str:
    """The condition on a round ``r`` in the period that puts it in the scope of ``filters`` (needs ``ini``)."""
    if not filters.is_unfiltered():
        return ("and exists (select 1 from coordination_round_initiative ri where ri.round_id = r.round_id "
                f"and ri.initiative_id in (select initiative_id from ini where part = '{ALL}'))")
    if not filters.access.internal:  # as the public report: no round that dealt only with non-public initiatives
        return ("and (exists (select 1 from coordination_round_initiative ri join initiative x using "
                "(initiative_id) where ri.round_id = r.round_id and x.is_public) or not exists "
                "(select 1 from coordination_round_initiative ri where ri.round_id = r.round_id))")
    return ""


def _scopes(filters: Filters) -> tuple[str, tuple, str]:
    """CTEs ``ini`` (initiative_id, part) and ``rnd`` (round_id, part): the initiatives and rounds in scope, in
    parts, with their parameters, and the part that is the scope of ``filters``.

    With at most one theme chosen, the parts are every theme's scope (part = theme id) and the scope without the
    theme choice (part :data:`ALL`): the same SQL and parameters for no theme and for any one theme, so a change
    of the theme filter is served from the query cache. With more themes, the one part :data:`ALL` is the
    filters' scope. A theme's rounds are the rounds in the period that dealt with one of its initiatives in
    scope (the rule of a filtered scope)."""
    per_theme = len(filters.themes) <= 1
    base = filters.with_(themes=()) if per_theme else filters
    cond, params = base.initiative_sql("i")
    if not per_theme:
        sql = f"""
        ini as (select i.initiative_id, '{ALL}' as part from initiative i where {cond}),
        rnd as (select r.round_id, '{ALL}' as part from coordination_round r
                where r.date between ? and ? {_round_rule(base)})
    """
        return sql, (*params, base.date_from, base.date_to), ALL
    sql = f"""
        ini as (select i.initiative_id, p.part from initiative i,
                    lateral (select '{ALL}' as part union all select i.theme) p where {cond}),
        rnd as (select r.round_id, '{ALL}' as part from coordination_round r
                where r.date between ? and ? {_round_rule(base)}
                union all
                select distinct r.round_id, x.part from coordination_round r
                join coordination_round_initiative ri on ri.round_id = r.round_id
                join ini x on x.initiative_id = ri.initiative_id and x.part <> '{ALL}'
                where r.date between ? and ?)
    """
    dates = (base.date_from, base.date_to)
    return sql, (*params, *dates, *dates), filters.themes[0] if filters.themes else ALL


def _part(df: pd.DataFrame, part: str) -> pd.DataFrame:
    """The rows of ``df`` (column ``part`` first) in the ``part`` of :func:`_scopes`, without that column."""
    return df[df["part"] == part].drop(columns="part").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- data

def organisation_initiatives(filters: Filters) -> pd.DataFrame:
    """Which organisation works on which initiative (in scope): ``organisation``, ``role`` (Träger |
    Partner), ``initiative_id``, ``title``, ``theme``, ``status``; by organisation and initiative. Asked for every
    theme and narrowed to the chosen ones here: a change of the theme filter is served from the query cache."""
    scopes, params, _ = _scopes(filters.with_(themes=()))
    df = query(
        f"""
        with {scopes}
        select o.organisation, o.role, i.initiative_id, i.title, i.theme, i.status
        from initiative_organisation o
        join initiative i on i.initiative_id = o.initiative_id
        where o.initiative_id in (select initiative_id from ini where part = '{ALL}')
        order by o.organisation, i.initiative_id, o.role desc
        """, params)
    return df[df["theme"].isin(filters.themes)].reset_index(drop=True) if filters.themes else df


def links(filters: Filters, kind: str = "beides") -> pd.DataFrame:
    """Edges of the network: ``source``, ``target`` (organisation names, source < target),
    ``shared_initiatives``, ``shared_rounds``, ``weight`` (the sum of the counts ``kind`` includes:
    'beides' | 'initiativen' | 'runden')."""
    scopes, params, part = _scopes(filters)
    df = _part(query(
        f"""
        with {scopes},
        io as (select distinct x.part, o.initiative_id, o.organisation from initiative_organisation o
               join ini x on x.initiative_id = o.initiative_id),
        ro as (select distinct x.part, o.round_id, o.organisation from coordination_round_organisation o
               join rnd x on x.round_id = o.round_id),
        pi as (select a.part, a.organisation as source, b.organisation as target, count(*) as n
               from io a join io b on a.part = b.part and a.initiative_id = b.initiative_id
                                      and a.organisation < b.organisation
               group by all),
        pr as (select a.part, a.organisation as source, b.organisation as target, count(*) as n
               from ro a join ro b on a.part = b.part and a.round_id = b.round_id and a.organisation < b.organisation
               group by all)
        select coalesce(pi.part, pr.part) as part, coalesce(pi.source, pr.source) as source,
               coalesce(pi.target, pr.target) as target,
               coalesce(pi.n, 0) as shared_initiatives, coalesce(pr.n, 0) as shared_rounds
        from pi full outer join pr on pi.part = pr.part and pi.source = pr.source and pi.target = pr.target
        order by part, source, target
        """, params), part)
    use_i = kind in ("beides", "initiativen")
    use_r = kind in ("beides", "runden")
    df["weight"] = df["shared_initiatives"] * use_i + df["shared_rounds"] * use_r
    return df[df["weight"] > 0].reset_index(drop=True)


def actors(filters: Filters, kind: str = "beides") -> pd.DataFrame:
    """One row per organisation in scope (working on an initiative in scope or taking part in a round in
    scope): ``organisation``, ``initiatives`` (count), ``lead`` (as Träger), ``rounds`` (count),
    ``partners`` (distinct linked organisations under ``kind``), ``main_theme`` (theme of most of its
    initiatives, ties by theme order; None without initiatives). Sorted by partners, initiatives, rounds
    (descending) and name. Everything is counted in DuckDB (one query, one row per organisation)."""
    scopes, params, part = _scopes(filters)
    use_i, use_r = kind in ("beides", "initiativen"), kind in ("beides", "runden")
    df = _part(query(
        f"""
        with {scopes},
        io as (select x.part, o.organisation, o.initiative_id, bool_or(o.role = 'Träger') as is_lead
               from initiative_organisation o join ini x on x.initiative_id = o.initiative_id group by all),
        ro as (select distinct x.part, o.organisation, o.round_id from coordination_round_organisation o
               join rnd x on x.round_id = o.round_id),
        orgs as (select part, organisation from io union select part, organisation from ro),
        per_ini as (select part, organisation, count(*) as initiatives, count(*) filter (where is_lead) as lead
                    from io group by all),
        per_round as (select part, organisation, count(*) as rounds from ro group by all),
        pairs as (select a.part, a.organisation, b.organisation as other from io a join io b
                      on a.part = b.part and a.initiative_id = b.initiative_id and a.organisation <> b.organisation
                      where ?
                  union
                  select a.part, a.organisation, b.organisation as other from ro a join ro b
                      on a.part = b.part and a.round_id = b.round_id and a.organisation <> b.organisation where ?),
        per_partner as (select part, organisation, count(distinct other) as partners from pairs group by all),
        per_theme as (select io.part, io.organisation, i.theme, count(distinct i.initiative_id) as n
                      from io join initiative i on i.initiative_id = io.initiative_id group by all),
        main as (select p.part, p.organisation, arg_max(p.theme, p.n * 1000 - coalesce(t.sort, 999)) as main_theme
                 from per_theme p left join theme t on t.theme_id = p.theme group by all)
        select g.part, g.organisation, coalesce(a.initiatives, 0)::int as initiatives,
               coalesce(a.lead, 0)::int as lead, coalesce(b.rounds, 0)::int as rounds,
               coalesce(pp.partners, 0)::int as partners, m.main_theme
        from orgs g
        left join per_ini a on a.part = g.part and a.organisation = g.organisation
        left join per_round b on b.part = g.part and b.organisation = g.organisation
        left join per_partner pp on pp.part = g.part and pp.organisation = g.organisation
        left join main m on m.part = g.part and m.organisation = g.organisation
        order by g.part, partners desc, initiatives desc, rounds desc, g.organisation
        """, (*params, use_i, use_r)), part)
    df["main_theme"] = df["main_theme"].astype("object").where(df["main_theme"].notna(), None)
    return df.reset_index(drop=True)


#: Most organisations the network figure draws (a large portfolio: the table lists them all).
NETWORK_LIMIT = 60


def network_subset(nodes: pd.DataFrame, edges: pd.DataFrame, limit: int = NETWORK_LIMIT
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``limit`` most connected organisations (the first rows of :func:`actors`) and the links among
    them — what the network figure can show readably; unchanged when there are not more."""
    if len(nodes) <= limit:
        return nodes, edges
    top = nodes.head(limit)
    names = set(top["organisation"])
    return top, edges[edges["source"].isin(names) & edges["target"].isin(names)].reset_index(drop=True)


def rounds(filters: Filters) -> pd.DataFrame:
    """Coordination rounds in scope, newest first: ``round_id``, ``date``, ``format``, ``organisations``
    (names, '; '-separated), ``initiatives`` ('ID Titel', '; '-separated; without ``access.internal`` only the
    public ones), ``results``.

    Asked for every theme, with the main themes of the initiatives in scope each round dealt with, and narrowed
    here to the rounds that dealt with one of the chosen themes (:func:`_scopes`' rule: the rounds of a theme
    choice are among those of every theme), so a change of the theme filter is served from the query cache."""
    scopes, params, _ = _scopes(filters.with_(themes=()))
    visible = "" if filters.access.internal else " and i.is_public"
    df = query(
        f"""
        with {scopes}
        select r.round_id, r.date, r.format,
               (select string_agg(o.organisation, '; ' order by o.organisation)
                from coordination_round_organisation o where o.round_id = r.round_id) as organisations,
               (select string_agg(ri.initiative_id || ' ' || coalesce(i.title, ''), '; ' order by ri.initiative_id)
                from coordination_round_initiative ri left join initiative i on i.initiative_id = ri.initiative_id
                where ri.round_id = r.round_id{visible}) as initiatives,
               r.results,
               (select list(distinct i.theme) from coordination_round_initiative ri
                join initiative i on i.initiative_id = ri.initiative_id
                where ri.round_id = r.round_id
                  and ri.initiative_id in (select initiative_id from ini where part = '{ALL}')) as themes
        from coordination_round r
        where r.round_id in (select round_id from rnd where part = '{ALL}')
        order by r.date desc, r.round_id desc
        """, params)
    if filters.themes:
        chosen = set(filters.themes)
        dealt = np.array([t is not None and not chosen.isdisjoint(t) for t in df["themes"]], dtype=bool)
        df = df[dealt].reset_index(drop=True)
    return df.drop(columns="themes")


def round_links() -> pd.DataFrame:
    """Every link round -> initiative (all rounds, all initiatives) with the initiative's title and
    ``is_public`` (False when unknown), ordered by round and initiative."""
    return query(
        """select ri.round_id, ri.initiative_id, i.title, coalesce(i.is_public, false) as is_public
        from coordination_round_initiative ri left join initiative i using (initiative_id)
        order by ri.round_id, ri.initiative_id""")


def rounds_per_quarter(round_dates: pd.Series, date_from, date_to) -> pd.DataFrame:
    """Count of rounds per calendar quarter over the whole period (quarters without rounds = 0):
    ``quarter`` ('Q1/2026'), ``start`` (first day), ``n``. Pure (no query)."""
    start = pd.Timestamp(date_from).to_period("Q")
    end = pd.Timestamp(date_to).to_period("Q")
    quarters = pd.period_range(start, end, freq="Q")
    counts = pd.to_datetime(pd.Series(round_dates, dtype="object")).dt.to_period("Q").value_counts()
    return pd.DataFrame({
        "quarter": [f"Q{q.quarter}/{q.year}" for q in quarters],
        "start": [q.start_time.date() for q in quarters],
        "n": [int(counts.get(q, 0)) for q in quarters],
    })


# ---------------------------------------------------------------------------------------------- layout

def network_layout(nodes: list[str], edges: pd.DataFrame, iterations: int = 300) -> dict[str, tuple[float, float]]:
    """Deterministic positions in [-1, 1]² for ``nodes``: connected organisations by a force-directed
    (Fruchterman–Reingold) layout, spread evenly over the inner disc (radius 0.8; each node keeps its
    direction and its rank of distance from the centre), organisations without any link
    evenly on an outer ring (radius 1). Attraction along an edge grows with its ``weight``. The start is a
    circle in the given node order, so the same input always gives the same output (no randomness).

    The same network is laid out once per process (:func:`_cached_layout`): the iterations take ~100 ms for
    the district's network, and every visit of the page with the same filters draws the same one."""
    links = tuple(zip(edges["source"].tolist(), edges["target"].tolist(), (float(w) for w in edges["weight"])))
    return dict(_cached_layout(tuple(nodes), links, iterations))


@memo(64)
def _cached_layout(nodes: tuple[str, ...], links: tuple[tuple[str, str, float], ...],
                   iterations: int) -> tuple[tuple[str, tuple[float, float]], ...]:
    edges = pd.DataFrame(list(links), columns=["source", "target", "weight"])
    return tuple(_layout(list(nodes), edges, iterations).items())


def network_positions(nodes: pd.DataFrame, edges: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """:func:`network_layout` of the organisations of :func:`actors` (``organisation``, ``main_theme``), started
    in theme order (vocabulary order, then without theme) and by name, so organisations of a theme start
    together."""
    order = {t.theme_id: n for n, t in enumerate(THEMES)}
    ranked = nodes.assign(_rank=[order.get(t, 99) for t in nodes["main_theme"]]).sort_values(["_rank", "organisation"])
    return network_layout(ranked["organisation"].tolist(), edges)


def _norms(v: np.ndarray) -> np.ndarray:
    """Euclidean lengths along the last axis: the arithmetic of ``np.linalg.norm(v, axis=-1)`` for a real array
    (the same results), without its argument handling, which took a third of the layout's time."""
    return np.sqrt(np.add.reduce(v * v, axis=-1))


def _layout(nodes: list[str], edges: pd.DataFrame, iterations: int) -> dict[str, tuple[float, float]]:
    if not nodes:
        return {}
    linked = {n for pair in zip(edges["source"], edges["target"]) for n in pair}
    inner = [n for n in nodes if n in linked]
    outer = [n for n in nodes if n not in linked]
    out: dict[str, tuple[float, float]] = {}
    for i, name in enumerate(outer):
        angle = -math.pi / 2 + 2 * math.pi * i / len(outer) + (math.pi / len(outer) if inner else 0)
        radius = 1.0 if inner else (0.0 if len(outer) == 1 else 0.8)
        out[name] = (round(radius * math.cos(angle), 4), round(radius * math.sin(angle), 4))
    n = len(inner)
    if n == 0:
        return out
    if n == 1:
        out[inner[0]] = (0.0, 0.0)
        return out
    index = {name: i for i, name in enumerate(inner)}
    angles = np.linspace(0, 2 * math.pi, n, endpoint=False)
    pos = np.column_stack([np.cos(angles), np.sin(angles)])
    pairs = [(index[a], index[b], float(w)) for a, b, w in zip(edges["source"], edges["target"], edges["weight"])
             if a in index and b in index]
    k = math.sqrt(4.0 / n)
    temperature = 0.2
    src = np.array([i for i, _, _ in pairs], dtype=int)
    dst = np.array([j for _, j, _ in pairs], dtype=int)
    strength = np.array([1.0 + math.log1p(w) for _, _, w in pairs])
    for step in range(iterations):
        # repulsion: [j, i] holds node j's push on node i, summed over j (axis 0: one row after the other, the
        # order of summation of the earlier (i, j, xy) form, so the same positions; x and y apart run faster)
        dx = pos[None, :, 0] - pos[:, None, 0]
        dy = pos[None, :, 1] - pos[:, None, 1]
        dist = np.maximum(np.sqrt(dx * dx + dy * dy), 1e-3)
        np.fill_diagonal(dist, np.inf)
        scale = k * k / dist
        disp = np.column_stack([(dx / dist * scale).sum(axis=0), (dy / dist * scale).sum(axis=0)])
        if len(src):  # attraction along the links, stronger with the weight
            d = pos[src] - pos[dst]
            length = np.maximum(_norms(d), 1e-3)
            pull = d * (length / k * strength)[:, None]
            np.subtract.at(disp, src, pull)
            np.add.at(disp, dst, pull)
        disp -= 0.05 * pos * _norms(pos)[:, None]  # gravity keeps components together
        length = np.maximum(_norms(disp), 1e-9)
        pos += disp / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature = max(0.2 * (1 - (step + 1) / iterations), 0.005)
    pos -= pos.mean(axis=0)
    # Spread evenly: keep the nodes' order around the centre and their order of distance from it, but give
    # the k-th node around an equal share of the circle and the k-th closest node the radius
    # 0.8 * ((k + 0.5) / n) ** 0.3 (the inner nodes, the most connected, get the most room), so a dense core
    # does not overlap while neighbours stay neighbours.
    radii = np.linalg.norm(pos, axis=1)
    angles_now = np.arctan2(pos[:, 1], pos[:, 0])
    ranks = np.argsort(np.argsort(radii, kind="stable"), kind="stable")
    around = np.argsort(np.argsort(angles_now, kind="stable"), kind="stable")
    new_angle = angles_now.min() + 2 * math.pi * around / n
    new_r = 0.8 * ((ranks + 0.5) / n) ** 0.3
    pos = np.column_stack([new_r * np.cos(new_angle), new_r * np.sin(new_angle)])
    for name, i in index.items():
        out[name] = (round(float(pos[i, 0]), 4), round(float(pos[i, 1]), 4))
    return out


def actor_table(nodes: pd.DataFrame) -> pd.DataFrame:
    """German display table of :func:`actors`: Organisation, Hauptthema, Initiativen, davon als Träger,
    Abstimmungsrunden, Partner."""
    return pd.DataFrame({
        "Organisation": nodes["organisation"],
        "Hauptthema": [THEME_BY_ID[t].name_de if t in THEME_BY_ID else "–" for t in nodes["main_theme"]],
        "Initiativen": nodes["initiatives"].astype(int),
        "davon als Träger": nodes["lead"].astype(int),
        "Abstimmungsrunden": nodes["rounds"].astype(int),
        "Partner": nodes["partners"].astype(int),
    })


@dataclass(frozen=True)
class ActorSummary:
    """Headline counts of the actors page."""

    organisations: int
    links: int
    rounds: int


def summary(nodes: pd.DataFrame, edges: pd.DataFrame, round_list: pd.DataFrame) -> ActorSummary:
    """Counts of organisations, links and rounds shown (pure)."""
    return ActorSummary(len(nodes), len(edges), len(round_list))


def rounds_display(round_list: pd.DataFrame) -> pd.DataFrame:
    """German display table of :func:`rounds`: Datum (formatted), Format, Organisationen, Initiativen,
    Ergebnisse."""
    return pd.DataFrame({
        "Datum": [fmt.date(d) for d in round_list["date"]],
        "Format": round_list["format"].fillna("–"),
        "Organisationen": round_list["organisations"].fillna("–"),
        "Initiativen": round_list["initiatives"].fillna("–"),
        "Ergebnisse": round_list["results"].fillna("–"),
    })


def work_table(work: pd.DataFrame) -> pd.DataFrame:
    """German display table of :func:`organisation_initiatives`: Organisation, Rolle, Initiative ('ID Titel'),
    Thema, Status."""
    return pd.DataFrame({
        "Organisation": work["organisation"],
        "Rolle": work["role"],
        "Initiative": work["initiative_id"] + " " + work["title"],
        "Thema": [THEME_BY_ID[t].name_de if t in THEME_BY_ID else t for t in work["theme"]],
        "Status": work["status"],
    })


# ---------------------------------------------------------------------------------------------- page

NO_ACTORS_TEXT = "Für die gewählten Filter gibt es keine beteiligten Organisationen und keine Abstimmungsrunden."
NO_WORK_TEXT = "Keine Initiativen mit Organisationen für die gewählten Filter."
NO_ROUNDS_TEXT = "Im gewählten Zeitraum fanden keine Abstimmungsrunden statt."


@dataclass(frozen=True)
class ActorsData:
    """Everything the Akteure page shows for one filter selection and kind of link."""

    filters: Filters
    kind: str  # a key of LINK_KINDS
    stand: date | None  # the data Stand (figure subtitles)
    source: str  # how figure captions name the portfolio (:func:`monitor.data.sources.portfolio_source_label`)
    scope_text: str  # caption: period and which initiatives and rounds count
    summary: ActorSummary
    nodes: pd.DataFrame  # as from :func:`actors`
    edges: pd.DataFrame  # as from :func:`links`
    network_nodes: pd.DataFrame  # the part the network figure draws (:func:`network_subset`)
    network_edges: pd.DataFrame
    positions: dict  # organisation -> (x, y) of the drawn network (:func:`network_positions`)
    network_note: str  # caption under the network
    actor_table: pd.DataFrame  # German display tables
    work_table: pd.DataFrame
    rounds: pd.DataFrame  # as from :func:`rounds`
    rounds_table: pd.DataFrame
    per_quarter: pd.DataFrame  # as from :func:`rounds_per_quarter`


def load(f: Filters, kind: str = "beides") -> ActorsData:
    """All data of the Akteure page: organisations, links under ``kind``, rounds, who works on what, the
    network to draw with its positions, display tables and captions."""
    nodes, edges, round_list = actors(f, kind), links(f, kind), rounds(f)
    net_nodes, net_edges = network_subset(nodes, edges)
    notes = ["Farbe = Thema, zu dem die Organisation die meisten Initiativen hat; ohne Linie = bisher ohne Partner "
             "im Ausschnitt."]
    if len(net_nodes) < len(nodes):
        notes.append(f"Das Netz zeigt die {fmt.number(len(net_nodes))} am stärksten vernetzten von "
                     f"{fmt.number(len(nodes))} Organisationen und ihre Verbindungen untereinander; alle stehen in "
                     "der Tabelle darunter.")
    scope = (f"Zeitraum {f.period_text()} · Initiativen nach den Filtern der Seitenleiste; Abstimmungsrunden im "
             "Zeitraum" + ("" if f.is_unfiltered() else ", die eine der gefilterten Initiativen behandelt haben"))
    return ActorsData(
        filters=f, kind=kind, stand=meta.info().stand, source=sources.portfolio_source_label(), scope_text=scope,
        summary=summary(nodes, edges, round_list),
        nodes=nodes, edges=edges, network_nodes=net_nodes, network_edges=net_edges,
        positions=network_positions(net_nodes, net_edges), network_note=" ".join(notes),
        actor_table=actor_table(nodes), work_table=work_table(organisation_initiatives(f)), rounds=round_list,
        rounds_table=rounds_display(round_list),
        per_quarter=rounds_per_quarter(round_list["date"], f.date_from, f.date_to))
