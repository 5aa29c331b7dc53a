"""AppTest of the Akteure page on the fixture database: counts, network, rounds, selector, URL, empty state."""
from __future__ import annotations

import json
from itertools import combinations

from streamlit.testing.v1 import AppTest

from monitor import format as fmt
from monitor.actors import LINK_KINDS
from tests.conftest import APP_TIMEOUT, ROOT
from tests.fixture_db import DEFAULT_FROM, DEFAULT_TO, ROUNDS, initiatives_where

PAGE = "pages/akteure.py"


def open_page(app, **query):
    """Open the app with URL parameters ``query``, switch to the page and run it; fail on any exception."""
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


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
    table = next(d.value for d in at.dataframe if "Partner" in d.value.columns)
    partners = {o: sum(1 for pair in links if o in pair) for o in orgs}
    assert dict(zip(table["Organisation"], table["Partner"])) == partners
    assert table["Partner"].iloc[0] == max(partners.values())  # most connected first
    net = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
               if json.loads(c.proto.spec)["layout"]["title"]["text"] == "Wer arbeitet mit wem?")
    drawn = [c[0] for t in net["data"] if t.get("mode") == "markers+text" for c in t["customdata"]]
    assert sorted(drawn) == sorted(orgs)


def test_link_kind_selector_and_url(app):
    at = open_page(app)
    at.radio(key="akteure_verbindung").set_value("initiativen").run()
    assert not at.exception
    _, links, _ = expected_network("initiativen")
    assert metric(at, "Verbindungen") == fmt.number(len(links))
    at2 = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    at2 = open_page(at2, akteure_verbindung=LINK_KINDS["runden"])
    assert at2.radio(key="akteure_verbindung").value == "runden"
    _, links, _ = expected_network("runden")
    assert metric(at2, "Verbindungen") == fmt.number(len(links))


def test_rounds_per_quarter_and_list(app):
    at = open_page(app)
    _, _, rounds = expected_network()
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                 if "Abstimmungsrunden je Quartal" in json.loads(c.proto.spec)["layout"]["title"]["text"])
    assert sum(chart["data"][0]["y"]) == len(rounds)
    assert chart["layout"]["yaxis"]["title"]["text"] == "Anzahl Abstimmungsrunden"
    for r in rounds:
        q = f"Q{(r['date'].month - 1) // 3 + 1}/{r['date'].year}"
        assert chart["data"][0]["y"][chart["data"][0]["x"].index(q)] >= 1
    listing = next(d.value for d in at.dataframe if "Ergebnisse" in d.value.columns)
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
