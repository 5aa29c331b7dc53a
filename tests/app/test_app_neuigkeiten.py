"""Neuigkeiten page under AppTest on the fixture database: counts and rows from tests/fixture_db.py's lists, the
sidebar, the presets, the kind choice, paging, the role, the empty state, the link from Überblick."""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, timedelta

from monitor.core import format as fmt
from monitor.data import feed
from tests.app_helpers import (capture_downloads, found_in, metrics, new_app, open_page, portfolio_label, shown,
                               table_with)
from tests.data.test_feed import EARLY, _shown, expected_events
from tests.fixture_db import BOXBERG, FIXTURE_TODAY, INITIATIVE, MUNICIPALITY_NAME, ROUNDS

PAGE = "pages/ereignisse.py"
LAST_ROUND = max(r["date"] for r in ROUNDS if r["date"] < FIXTURE_TODAY)


def _feed(at):
    return table_with(at, *feed.TABLE_COLUMNS)


def _assert_feed(at, expected) -> None:
    """Metrics per kind and the table's rows are those of ``expected`` (all on one page)."""
    m = metrics(at)
    for kind in feed.KINDS:
        assert m[kind.plural] == fmt.number(sum(e[1] == kind.key for e in expected)), kind.key
    assert Counter(_shown(_feed(at))) == Counter(expected)


def test_default_is_since_the_last_round(app):
    at = open_page(app, PAGE)
    radio = at.radio(key="seit")
    assert radio.value == feed.ROUND_LABEL
    assert fmt.date(LAST_ROUND) in shown(" ".join(radio.proto.captions))
    _assert_feed(at, expected_events(LAST_ROUND))
    captions = shown(" ".join(c.value for c in at.caption))
    assert f"Quelle: {portfolio_label()}" in captions and "Stand: " in captions
    assert f"1–{len(expected_events(LAST_ROUND))} von {len(expected_events(LAST_ROUND))}" in captions


def test_preset_and_free_date_from_the_url(app, monkeypatch):
    monkeypatch.setattr(feed, "PAGE_SIZE", 1000)  # every event on one page
    at = open_page(app, PAGE, seit=feed.DAYS_LABEL)
    _assert_feed(at, expected_events(FIXTURE_TODAY - timedelta(days=feed.RECENT_DAYS)))
    at.radio(key="seit").set_value(feed.DATE_LABEL).run()
    at.date_input(key="ab").set_value(EARLY).run()
    assert not at.exception
    _assert_feed(at, expected_events(EARLY))


def test_link_reproduces_the_view(app):
    """The URL parameters of a view open the same view in a new session."""
    start = date(2025, 11, 1)
    at = open_page(app, PAGE, seit=feed.DATE_LABEL, ab=start.isoformat(), art=["Statuswechsel"],
                   gemeinde=MUNICIPALITY_NAME[BOXBERG])
    expected = [e for e in expected_events(start, municipalities=(BOXBERG,)) if e[1] == "status"]
    assert expected and Counter(_shown(_feed(at))) == Counter(expected)


def test_reacts_to_the_sidebar(app):
    at = open_page(app, PAGE, seit=feed.DATE_LABEL, ab=EARLY.isoformat())
    at.multiselect(key="thema").set_value(["supply"]).run()
    assert not at.exception
    expected = expected_events(EARLY, themes=("supply",))
    assert len(expected) < len(expected_events(EARLY))
    _assert_feed(at, expected)


def test_paging(app, monkeypatch):
    monkeypatch.setattr(feed, "PAGE_SIZE", 10)
    at = open_page(app, PAGE, seit=feed.DATE_LABEL, ab=EARLY.isoformat())
    total = len(expected_events(EARLY))
    pages = -(-total // 10)
    assert pages > 2
    pager = at.get("pagination")[0]
    assert pager.proto.num_pages == pages
    first = _shown(_feed(at))
    assert len(first) == 10
    pager.set_value(2).run()
    second = _shown(_feed(at))
    assert len(second) == 10 and not set(second) & set(first)
    assert f"Ereignisse 11–20 von {fmt.number(total)}" in " ".join(c.value for c in at.caption)
    last = _shown(_feed(open_page(new_app(), PAGE, seit=feed.DATE_LABEL, ab=EARLY.isoformat(), seite=str(pages))))
    assert len(last) == total - 10 * (pages - 1)  # a link to the last page opens it
    # another start day shows the newest events again
    at.date_input(key="ab").set_value(EARLY + timedelta(days=1)).run()
    assert at.get("pagination")[0].value == 1


def test_download_holds_every_page(app, monkeypatch):
    monkeypatch.setattr(feed, "PAGE_SIZE", 10)
    offered = capture_downloads(monkeypatch)
    at = open_page(app, PAGE, seit=feed.DATE_LABEL, ab=EARLY.isoformat())
    assert len(_feed(at)) == 10
    data = offered["feed_csv"]
    text = (data() if callable(data) else data).decode("utf-8-sig")
    table = text[text.index(";".join(feed.TABLE_COLUMNS)):]
    key_of = {k.label: k.key for k in feed.KINDS}
    rows = [(datetime.strptime(r["Datum"], "%d.%m.%Y").date(), key_of[r["Art"]],
             r["Initiative"].split(" – ")[0] or None) for r in csv.DictReader(io.StringIO(table), delimiter=";")]
    assert Counter(rows) == Counter(expected_events(EARLY))  # all pages, not only the ten shown


def test_partner_sees_no_internal_initiative(app, monkeypatch):
    monkeypatch.setenv("REGIONALMONITOR_ROLE", "partner")
    hidden = next(i for i in INITIATIVE.values() if not i["is_public"])
    at = open_page(app, PAGE, seit=feed.DATE_LABEL, ab=EARLY.isoformat())
    _assert_feed(at, expected_events(EARLY, public_only=True))
    assert not found_in(at, {hidden["initiative_id"], hidden["title"]})
    assert feed.REPORT_LABEL not in at.radio(key="seit").options


def test_empty_result_gives_the_friendly_message(app):
    at = open_page(app, PAGE, seit=feed.DATE_LABEL, ab=FIXTURE_TODAY.isoformat())
    assert expected_events(FIXTURE_TODAY) == []
    assert any("hat sich für diese Auswahl nichts getan" in i.value for i in at.info)
    assert not at.dataframe


def test_overview_links_to_the_feed(app):
    at = open_page(app)
    link = next(p for p in at.get("page_link") if p.proto.label == "Alle Ereignisse: Neuigkeiten")
    assert link.proto.page == "neuigkeiten"
