"""Tests of monitor/data/actors.py (queries on the fixture database, the deterministic layout, the page loader) and of
monitor/figures/network.py (the figures)."""
from __future__ import annotations

import datetime as dt
from itertools import combinations

import pandas as pd
import pytest

from monitor.data import actors
from monitor.data.filters import Filters
from monitor.figures import network
from monitor.core import palette
from monitor.core.palette import THEME_COLOURS
from tests.fixture_db import DEFAULT_FROM, DEFAULT_TO, INITIATIVE, ROUNDS, initiatives_where

F = Filters(DEFAULT_FROM, DEFAULT_TO)


def fixture_orgs(ini: dict) -> set[str]:
    return {ini["lead_organisation"], *ini["partners"]}


def test_links_weights_from_fixture(fixture_db):
    edges = actors.links(F)
    got = {(r.source, r.target): (r.shared_initiatives, r.shared_rounds, r.weight) for r in edges.itertuples()}
    shared_i: dict[tuple, int] = {}
    for ini in initiatives_where():
        for pair in combinations(sorted(fixture_orgs(ini)), 2):
            shared_i[pair] = shared_i.get(pair, 0) + 1
    shared_r: dict[tuple, int] = {}
    for r in ROUNDS:
        if DEFAULT_FROM <= r["date"] <= DEFAULT_TO:
            for pair in combinations(sorted(set(r["organisations"])), 2):
                shared_r[pair] = shared_r.get(pair, 0) + 1
    pairs = set(shared_i) | set(shared_r)
    assert set(got) == pairs
    for pair in pairs:
        i, r = shared_i.get(pair, 0), shared_r.get(pair, 0)
        assert got[pair] == (i, r, i + r)
    only_rounds = actors.links(F, "runden")
    assert set(zip(only_rounds["source"], only_rounds["target"])) == set(shared_r)


def test_actors_counts_and_main_theme(fixture_db):
    nodes = actors.actors(F).set_index("organisation")
    lead = "Gemeinde Boxberg/O.L."
    inis = [i for i in initiatives_where() if lead in fixture_orgs(i)]
    assert nodes.loc[lead, "initiatives"] == len(inis)
    assert nodes.loc[lead, "lead"] == sum(1 for i in inis if i["lead_organisation"] == lead)
    assert nodes.loc[lead, "rounds"] == sum(1 for r in ROUNDS if lead in r["organisations"]
                                            and DEFAULT_FROM <= r["date"] <= DEFAULT_TO)
    themes = [i["theme"] for i in inis]
    assert nodes.loc[lead, "main_theme"] == max(set(themes), key=themes.count)
    partners = nodes["partners"].tolist()
    assert partners == sorted(partners, reverse=True)  # most connected first


def test_rounds_scope_follows_filters(fixture_db):
    listed = actors.rounds(F)
    in_period = [r for r in ROUNDS if DEFAULT_FROM <= r["date"] <= DEFAULT_TO]
    assert len(listed) == len(in_period)
    first = listed.iloc[-1]  # oldest last
    oldest = min(in_period, key=lambda r: r["date"])
    assert first["organisations"] == "; ".join(sorted(oldest["organisations"]))
    first_id = oldest["initiatives"][0]
    assert first["initiatives"].startswith(f"{first_id} {INITIATIVE[first_id]['title']}")
    tourism = actors.rounds(F.with_(themes=("tourism",)))
    ids = {i["initiative_id"] for i in initiatives_where(themes=("tourism",))}
    assert len(tourism) == sum(1 for r in in_period if ids & set(r["initiatives"]))


def test_rounds_per_quarter_fills_empty_quarters():
    dates = pd.Series([dt.date(2025, 9, 10), dt.date(2026, 2, 20), dt.date(2026, 5, 5), dt.date(2026, 5, 6)])
    q = actors.rounds_per_quarter(dates, dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert q["quarter"].tolist() == ["Q3/2025", "Q4/2025", "Q1/2026", "Q2/2026"]
    assert q["n"].tolist() == [1, 0, 1, 2]
    empty = actors.rounds_per_quarter(pd.Series([], dtype="object"), dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert empty["n"].tolist() == [0]


def test_layout_is_deterministic_and_bounded():
    nodes = ["A", "B", "C", "D", "E"]
    edges = pd.DataFrame({"source": ["A", "A", "B"], "target": ["B", "C", "C"], "weight": [3, 1, 1]})
    first = actors.network_layout(nodes, edges)
    assert first == actors.network_layout(nodes, edges)
    assert set(first) == set(nodes)
    for x, y in first.values():
        assert -1.0001 <= x <= 1.0001 and -1.0001 <= y <= 1.0001
    # unlinked organisations on the outer ring, linked ones inside
    assert all(abs((x * x + y * y) ** 0.5 - 1.0) < 1e-3 for n, (x, y) in first.items() if n in ("D", "E"))
    assert all((x * x + y * y) ** 0.5 <= 0.8 + 1e-6 for n, (x, y) in first.items() if n in ("A", "B", "C"))
    assert actors.network_layout([], edges) == {}
    assert actors.network_layout(["A"], edges.iloc[0:0]) == {"A": (0.0, 0.0)}


def test_the_same_network_is_laid_out_once_and_callers_get_their_own_copy(monkeypatch):
    nodes = ["P", "Q", "R"]
    edges = pd.DataFrame({"source": ["P", "Q"], "target": ["Q", "R"], "weight": [2, 1]})
    actors._cached_layout.cache_clear()
    computed = []
    layout = actors._layout
    monkeypatch.setattr(actors, "_layout", lambda *a: computed.append(a) or layout(*a))
    first = actors.network_layout(nodes, edges)
    first["P"] = (9.0, 9.0)  # a caller changing its result changes nobody else's
    again = actors.network_layout(nodes, edges)
    assert again["P"] != (9.0, 9.0)
    assert len(computed) == 1 and len(actors._cached_layout.cache) == 1
    heavier = edges.assign(weight=[5, 1])  # another network: laid out anew
    actors.network_layout(nodes, heavier)
    assert len(computed) == 2


def test_network_figure_colours_and_sizes():
    nodes = pd.DataFrame({"organisation": ["A", "B", "C"], "initiatives": [2, 1, 0], "lead": [1, 1, 0],
                          "rounds": [1, 0, 1], "partners": [2, 1, 1], "main_theme": ["mobility", "tourism", None]})
    edges = pd.DataFrame({"source": ["A", "A"], "target": ["B", "C"], "shared_initiatives": [1, 0],
                          "shared_rounds": [0, 1], "weight": [1, 1]})
    positions = actors.network_positions(nodes, edges)
    d = network.network_figure(nodes, edges, positions, stand=dt.date(2026, 6, 30)).to_plotly_json()
    node_traces = {t["name"]: t for t in d["data"] if t.get("mode") == "markers+text"}
    assert node_traces["Mobilität"]["marker"]["color"] == THEME_COLOURS["mobility"]
    assert node_traces["Tourismus"]["marker"]["color"] == THEME_COLOURS["tourism"]
    assert node_traces["ohne Initiative im Ausschnitt"]["marker"]["color"] == palette.NO_THEME
    assert node_traces["Mobilität"]["marker"]["size"][0] > node_traces["Tourismus"]["marker"]["size"][0]
    assert "Stand: 30.06.2026" in d["layout"]["title"]["subtitle"]["text"]
    hover = next(t for t in d["data"] if t["name"] == "Verbindungen")
    assert any("gemeinsame Initiativen: 1" in text for text in hover["text"])
    few = network.network_figure(nodes, edges, positions, stand=None, label_top=1).to_plotly_json()
    labels = [x for t in few["data"] if t.get("mode") == "markers+text" for x in t["text"] if x]
    assert labels == ["A"]  # only the most connected is named; the others keep their hover
    assert "Namen der 1 am stärksten vernetzten" in few["layout"]["title"]["subtitle"]["text"]


def test_rounds_figure_axes():
    q = pd.DataFrame({"quarter": ["Q1/2026", "Q2/2026"], "start": [None, None], "n": [0, 2]})
    d = network.rounds_figure(q, stand=dt.date(2026, 6, 30)).to_plotly_json()
    assert list(d["data"][0]["y"]) == [0, 2]
    assert d["layout"]["yaxis"]["title"]["text"] == "Anzahl Abstimmungsrunden"
    assert d["layout"]["xaxis"]["title"]["text"] == "Quartal"
    assert d["layout"]["separators"] == ",."


@pytest.mark.parametrize("kind", list(actors.LINK_KINDS))
def test_summary_and_tables(fixture_db, kind):
    nodes, edges, listed = actors.actors(F, kind), actors.links(F, kind), actors.rounds(F)
    s = actors.summary(nodes, edges, listed)
    assert (s.organisations, s.links, s.rounds) == (len(nodes), len(edges), len(listed))
    table = actors.actor_table(nodes)
    assert list(table.columns) == ["Organisation", "Hauptthema", "Initiativen", "davon als Träger",
                                   "Abstimmungsrunden", "Partner"]
    work = actors.work_table(actors.organisation_initiatives(F))
    assert len(work) == sum(len(fixture_orgs(i)) for i in initiatives_where())


def test_network_subset_keeps_the_most_connected_and_their_links():
    nodes = pd.DataFrame({"organisation": list("ABCDE"), "partners": [3, 2, 2, 1, 0]})
    edges = pd.DataFrame({"source": ["A", "A", "B", "C"], "target": ["B", "D", "C", "D"], "weight": [1, 1, 1, 1]})
    top, links = actors.network_subset(nodes, edges, limit=3)
    assert list(top["organisation"]) == ["A", "B", "C"]
    assert set(zip(links["source"], links["target"])) == {("A", "B"), ("B", "C")}
    same, all_links = actors.network_subset(nodes, edges, limit=10)
    assert len(same) == 5 and len(all_links) == 4


def test_page_loader_fields_from_fixture(fixture_db):
    data = actors.load(F)
    inis = initiatives_where()
    in_period = [r for r in ROUNDS if DEFAULT_FROM <= r["date"] <= DEFAULT_TO]
    orgs = {o for i in inis for o in fixture_orgs(i)} | {o for r in in_period for o in r["organisations"]}
    assert data.kind == "beides" and data.filters == F
    assert set(data.nodes["organisation"]) == orgs
    assert (data.summary.organisations, data.summary.links, data.summary.rounds) == \
        (len(orgs), len(data.edges), len(in_period))
    assert len(data.rounds) == len(in_period) and len(data.rounds_table) == len(in_period)
    assert sum(data.per_quarter["n"]) == len(in_period)
    assert len(data.work_table) == sum(len(fixture_orgs(i)) for i in inis)
    assert list(data.actor_table["Organisation"]) == list(data.nodes["organisation"])
    assert set(data.positions) == set(data.network_nodes["organisation"]) == orgs  # few: all drawn
    assert data.network_note.startswith("Farbe = Thema") and "am stärksten vernetzten" not in data.network_note
    assert data.scope_text.startswith(f"Zeitraum {F.period_text()}") and "gefilterten" not in data.scope_text
    narrowed = actors.load(F.with_(themes=("tourism",)), "runden")
    assert narrowed.kind == "runden" and "gefilterten Initiativen" in narrowed.scope_text
    ids = {i["initiative_id"] for i in initiatives_where(themes=("tourism",))}
    assert len(narrowed.rounds) == sum(1 for r in in_period if ids & set(r["initiatives"]))
