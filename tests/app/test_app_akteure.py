"""AppTest of the Akteure page on the fixture database: counts, network, rounds, selector, URL, empty state."""
from __future__ import annotations

from itertools import combinations

from monitor.core import format as fmt
from monitor.data.actors import LINK_KINDS
from tests.app_helpers import assert_figure_caption, figure, metric, new_app, portfolio_label, table_with
from tests.app_helpers import open_page as open_helper
from tests.fixture_db import DEFAULT_FROM, DEFAULT_TO, ROUNDS, STAND, initiatives_where

PAGE = "pages/akteure.py"


def open_page(app, **query):
    return open_helper(app, PAGE, **query)


def expected_network(kind: str = "beides", **filters):
    """(organisations, links {frozenset pair: weight}, rounds) computed from the fixture lists."""
    inis = initiatives_where(**filters)
    rounds = [r for r in ROUNDS if DEFAULT_FROM <= r["date"] <= DEFAULT_TO]
    if filters:
        ids = {i["initiative_id"] for i in inis}
        rounds = [r for r in rounds if ids & set(r["initiatives"])]
    orgs = {o for i in inis for o in [i["lead_organisation"], *i["partners"]]} | \
           {o for r in rounds for o in r["organisations"]}
    links: dict[frozenset, int] = {}
    if kind in ("beides", "initiativen"):
        for i in inis:
            for a, b in combinations(sorted({i["lead_organisation"], *i["partners"]}), 2):
                links[frozenset((a, b))] = links.get(frozenset((a, b)), 0) + 1
    if kind in ("beides", "runden"):
        for r in rounds:
            for a, b in combinations(sorted(set(r["organisations"])), 2):
                links[frozenset((a, b))] = links.get(frozenset((a, b)), 0) + 1
    return orgs, links, rounds


def test_counts_table_and_network(app):
    at = open_page(app)
    orgs, links, rounds = expected_network()
    assert metric(at, "Organisationen") == fmt.number(len(orgs))
    assert metric(at, "Verbindungen") == fmt.number(len(links))
    assert metric(at, "Abstimmungsrunden") == fmt.number(len(rounds))
    table = table_with(at, "Partner")
    partners = {o: sum(1 for pair in links if o in pair) for o in orgs}
    assert dict(zip(table["Organisation"], table["Partner"])) == partners
    assert table["Partner"].iloc[0] == max(partners.values())  # most connected first
    net = figure(at, "Wer arbeitet mit wem?")
    drawn = [c[0] for t in net["data"] if t.get("mode") == "markers+text" for c in t["customdata"]]
    assert sorted(drawn) == sorted(orgs)


def test_both_charts_name_source_and_stand(app):
    at = open_page(app)
    for title in ("Wer arbeitet mit wem?", "Abstimmungsrunden je Quartal"):
        assert_figure_caption(at, title, portfolio_label(), STAND)


def test_link_kind_selector_and_url(app):
    at = open_page(app)
    at.radio(key="akteure_verbindung").set_value("initiativen").run()
    assert not at.exception
    _, links, _ = expected_network("initiativen")
    assert metric(at, "Verbindungen") == fmt.number(len(links))
    at2 = open_page(new_app(), akteure_verbindung=LINK_KINDS["runden"])
    assert at2.radio(key="akteure_verbindung").value == "runden"
    _, links, _ = expected_network("runden")
    assert metric(at2, "Verbindungen") == fmt.number(len(links))


def test_rounds_per_quarter_and_list(app):
    at = open_page(app)
    _, _, rounds = expected_network()
    chart = figure(at, "Abstimmungsrunden je Quartal")
    assert sum(chart["data"][0]["y"]) == len(rounds)
    assert chart["layout"]["yaxis"]["title"]["text"] == "Anzahl Abstimmungsrunden"
    for r in rounds:
        q = f"Q{(r['date'].month - 1) // 3 + 1}/{r['date'].year}"
        assert chart["data"][0]["y"][chart["data"][0]["x"].index(q)] >= 1
    listing = table_with(at, "Ergebnisse")
    newest_first = sorted(rounds, key=lambda r: r["date"], reverse=True)
    assert list(listing["Datum"]) == [fmt.date(r["date"]) for r in newest_first]


def test_sidebar_filter_narrows_rounds(app):
    at = open_page(app, thema="Tourismus")
    orgs, links, rounds = expected_network(themes=("tourism",))
    assert metric(at, "Abstimmungsrunden") == fmt.number(len(rounds))
    assert metric(at, "Organisationen") == fmt.number(len(orgs))


def test_empty_state(app):
    at = open_page(app, thema="Mobilität", status="Verworfen")
    orgs, _, rounds = expected_network(themes=("mobility",), statuses=("Verworfen",))
    assert not orgs and not rounds
    assert any("keine beteiligten Organisationen" in i.value for i in at.info)
    assert any("keine Abstimmungsrunden" in i.value for i in at.info)
