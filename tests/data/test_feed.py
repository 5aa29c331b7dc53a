"""The change feed (monitor/data/feed.py) on the fixture database: every event kind, the presets' days, the role,
paging; expected events computed from the fixture's Python lists (tests/fixture_db.py)."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from datetime import date, timedelta

import pytest

from monitor.data import audit, feed
from monitor.data.access import FULL, PUBLIC, Access, Role
from monitor.data.filters import Filters
from tests.fixture_db import (BOXBERG, DEFAULT_FROM, DEFAULT_TO, ETL_RUN, FIXTURE_TODAY, INITIATIVE, KPIS,
                              MILESTONES, ROUNDS, STATUS_HISTORY, initiatives_where, status_dates)

F = Filters(DEFAULT_FROM, DEFAULT_TO)
EARLY = date(2023, 1, 1)  # before every event of the fixture


def expected_events(since: date, today: date = FIXTURE_TODAY, *, themes=(), municipalities=(), statuses=(),
                    public_only: bool = False) -> list[tuple[date, str, str | None]]:
    """(date, kind key, initiative id or None) of every event the feed must list, from the fixture lists."""
    ids = {i["initiative_id"] for i in initiatives_where(date_from=since, date_to=today, themes=themes,
                                                         municipalities=municipalities, statuses=statuses)
           if i["is_public"] or not public_only}

    def within(d) -> bool:
        return d is not None and since <= d <= today

    out = []
    for ini in sorted(ids):
        history = status_dates(ini)
        if within(history[0][0]):
            out.append((history[0][0], "neu", ini))
        out += [(d, "status", ini) for d, _ in history[1:] if within(d)]
    for ini, _title, due, done in MILESTONES:
        if ini not in ids:
            continue
        if within(done):
            out.append((done, "erreicht", ini))
        elif (done is None or done > today) and within(due) and due < today \
                and INITIATIVE[ini]["status"] != "Verworfen":
            out.append((due, "ueberfaellig", ini))
    out += [(k[8], "kennzahl", k[0]) for k in KPIS if k[0] in ids and k[7] is not None and within(k[8])]
    if ETL_RUN["status"] == "ok" and within(ETL_RUN["finished_at"].date()):
        out.append((ETL_RUN["finished_at"].date(), "daten", None))
    return out


def _shown(table) -> list[tuple[date, str, str | None]]:
    """(date, kind key, initiative id) of the rows of a feed table."""
    key_of = {k.label: k.key for k in feed.KINDS}
    return [(d.date(), key_of[a], i.split(" – ")[0] if isinstance(i, str) else None)
            for d, a, i in zip(table["Datum"], table["Art"], table["Initiative"])]


SINCES = [EARLY, DEFAULT_FROM, date(2026, 5, 5), FIXTURE_TODAY - timedelta(days=30), FIXTURE_TODAY]


@pytest.mark.parametrize("since", SINCES)
def test_every_event_of_every_kind(fixture_db, since):
    data = feed.load(F, since, FIXTURE_TODAY)
    expected = expected_events(since)
    assert Counter(_shown(data.table)) == Counter(expected)
    assert data.counts == {k.key: sum(e[1] == k.key for e in expected) for k in feed.KINDS}
    assert data.total == len(expected)


def test_the_fixture_has_every_kind_since_early(fixture_db):
    """Else the test above would not check a kind."""
    kinds = {e[1] for e in expected_events(EARLY)}
    assert kinds == {k.key for k in feed.KINDS}


def test_newest_first_and_texts(fixture_db):
    data = feed.load(F, EARLY, FIXTURE_TODAY)
    dates = list(data.table["Datum"])
    assert dates == sorted(dates, reverse=True)
    texts = dict(zip(_shown(data.table), data.table["Ereignis"]))
    ini, (d0, s0), (d1, s1) = "INI-002", *status_dates("INI-002")[:2]
    assert texts[(d1, "status", ini)] == f"Status: {s0} → {s1}"
    assert texts[(d0, "neu", ini)] == f"Neu aufgenommen als {s0}"
    late = next(m for m in MILESTONES if m[3] and m[3] > m[2])  # done after its due date
    assert texts[(late[3], "erreicht", late[0])].startswith(f"Meilenstein erreicht: {late[1]} (fällig am")
    overdue = next(e for e in expected_events(EARLY) if e[1] == "ueberfaellig")
    milestone = next(m for m in MILESTONES if m[0] == overdue[2] and m[2] == overdue[0])
    assert texts[overdue] == f"Meilenstein überfällig: {milestone[1]} (fällig am {milestone[2]:%d.%m.%Y})"
    kpi = next(k for k in KPIS if k[2] is None and k[7] is not None and k[7] >= k[5] > k[4])  # reached, rising
    assert texts[(kpi[8], "kennzahl", kpi[0])].startswith(f"{kpi[1]}: Istwert ")
    assert texts[(kpi[8], "kennzahl", kpi[0])].endswith(", erreicht)")
    assert texts[(ETL_RUN["finished_at"].date(), "daten", None)] == f"Neue Datenfassung geladen: {ETL_RUN['message']}"


@pytest.mark.parametrize("f", [F.with_(themes=("supply",)), F.with_(municipalities=(BOXBERG,)),
                               F.with_(statuses=("In Umsetzung", "Abgeschlossen"))])
def test_sidebar_filters(fixture_db, f):
    data = feed.load(f, EARLY, FIXTURE_TODAY)
    expected = expected_events(EARLY, themes=f.themes, municipalities=f.municipalities, statuses=f.statuses)
    assert Counter(_shown(data.table)) == Counter(expected)
    assert len(expected) < len(expected_events(EARLY))


def test_partner_sees_public_initiatives_only(fixture_db):
    hidden = {i for i, ini in INITIATIVE.items() if not ini["is_public"]}
    assert hidden and any(e[2] in hidden for e in expected_events(EARLY))  # the fixture can catch a leak
    data = feed.load(F.with_(access=PUBLIC), EARLY, FIXTURE_TODAY)
    assert Counter(_shown(data.table)) == Counter(expected_events(EARLY, public_only=True))
    assert not any(any(h in str(v) for h in hidden) for v in data.table.to_numpy().ravel())
    # the run's message is for internal roles (as on the Daten page)
    assert ETL_RUN["message"] not in " ".join(data.table["Ereignis"])


def test_kind_choice_keeps_the_counts(fixture_db):
    data = feed.load(F, EARLY, FIXTURE_TODAY, kinds=("erreicht", "daten"))
    expected = [e for e in expected_events(EARLY) if e[1] in ("erreicht", "daten")]
    assert Counter(_shown(data.table)) == Counter(expected)
    assert sum(data.counts.values()) == len(expected_events(EARLY))  # metrics count every kind


@pytest.mark.parametrize("page_size", [1, 7, 50])
def test_paging_bounds(fixture_db, page_size):
    total = len(expected_events(EARLY))
    pages = -(-total // page_size)
    whole = feed.load(F, EARLY, FIXTURE_TODAY, page_size=page_size).table
    seen = []
    for page in range(1, pages + 1):
        data = feed.load(F, EARLY, FIXTURE_TODAY, page=page, page_size=page_size)
        assert (data.page, data.pages) == (page, pages)
        assert len(data.rows) == (page_size if page < pages else total - page_size * (pages - 1))
        assert (data.first, data.last) == ((page - 1) * page_size + 1, (page - 1) * page_size + len(data.rows))
        seen += data.rows.to_dict("records")
    assert seen == whole.to_dict("records")  # every event once, in order, over the pages
    for wrong, clamped in ((0, 1), (-3, 1), (pages + 1, pages), (10 ** 6, pages)):
        assert feed.load(F, EARLY, FIXTURE_TODAY, page=wrong, page_size=page_size).page == clamped


def test_empty_feed_has_one_page(fixture_db):
    data = feed.load(F, FIXTURE_TODAY, FIXTURE_TODAY)
    assert expected_events(FIXTURE_TODAY) == [] and data.total == 0
    assert (data.page, data.pages, data.first, data.last, len(data.rows)) == (1, 1, 0, 0, 0)


# ---------------------------------------------------------------- presets
def _choice(choices, label):
    return next((c for c in choices if c.label == label), None)


@pytest.mark.parametrize("today", [FIXTURE_TODAY, ROUNDS[1]["date"], ROUNDS[0]["date"]])
def test_last_round_preset(fixture_db, today):
    before = [r["date"] for r in ROUNDS if r["date"] < today]
    c = _choice(feed.since_choices(FULL, today), feed.ROUND_LABEL)
    if not before:
        assert c is None
        return
    rnd = next(r for r in ROUNDS if r["date"] == max(before))
    assert c.since == rnd["date"]
    assert c.note == f"{rnd['date']:%d.%m.%Y} · {rnd['format']}"


def test_thirty_days_and_free_date(fixture_db):
    choices = feed.since_choices(FULL, FIXTURE_TODAY)
    assert _choice(choices, feed.DAYS_LABEL).since == FIXTURE_TODAY - timedelta(days=feed.RECENT_DAYS)
    assert _choice(choices, feed.DATE_LABEL).since is None
    assert choices[feed.default_choice(choices)].label == feed.ROUND_LABEL
    early = feed.since_choices(FULL, ROUNDS[0]["date"])  # no round before it: 30 days by default
    assert early[feed.default_choice(early)].label == feed.DAYS_LABEL


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv(audit.AUDIT_ENV, str(path))
    return path


def test_last_report_preset(fixture_db, log):
    assert _choice(feed.since_choices(FULL, FIXTURE_TODAY), feed.REPORT_LABEL) is None  # no report yet
    tz = dt.timezone.utc
    made = [dt.datetime(2026, 6, 2, 9, 30, tzinfo=tz), dt.datetime(2026, 6, 20, 14, 5, tzinfo=tz)]
    for when in made:
        audit.record(FULL, "bericht", "Zeitraum …", now=when)
    audit.record(FULL, "tabelle", "Zeitraum …", now=dt.datetime(2026, 7, 1, 8, 0, tzinfo=tz))  # not a report
    c = _choice(feed.since_choices(FULL, FIXTURE_TODAY), feed.REPORT_LABEL)
    newest = made[-1].astimezone()  # the log keeps local time
    assert c.since == newest.date() and fmt_date(newest) in c.note
    for role in (Role.LEITUNG, Role.PARTNER):  # roles that may not read the log: no such preset
        assert not Access(role).data_updates
        assert _choice(feed.since_choices(Access(role), FIXTURE_TODAY), feed.REPORT_LABEL) is None


def fmt_date(d) -> str:
    return f"{d:%d.%m.%Y}"


def test_partner_round_preset_skips_internal_rounds(fixture_variant):
    """A round that dealt only with non-public initiatives is not a Partner's 'last round' (it is the office's)."""
    hidden = next(i for i, ini in INITIATIVE.items() if not ini["is_public"])
    newest = max(r["date"] for r in ROUNDS if r["date"] < FIXTURE_TODAY)
    internal_day = newest + timedelta(days=1)
    fixture_variant(("insert into coordination_round values (?, ?, 'Interne Runde', null)",
                     (len(ROUNDS) + 1, internal_day)),
                    ("insert into coordination_round_initiative values (?, ?)", (len(ROUNDS) + 1, hidden)))
    assert _choice(feed.since_choices(FULL, FIXTURE_TODAY), feed.ROUND_LABEL).since == internal_day
    assert _choice(feed.since_choices(PUBLIC, FIXTURE_TODAY), feed.ROUND_LABEL).since == newest


def test_data_version_named_when_recorded(fixture_variant):
    """A build that records its version (meta 'version_id') names it on its data version event."""
    fixture_variant("insert into meta values ('version_id', 'v-2026-07-01')")
    text = feed.load(F, EARLY, FIXTURE_TODAY, kinds=("daten",)).table["Ereignis"].iloc[0]
    assert text == f"Neue Datenfassung geladen (Fassung v-2026-07-01): {ETL_RUN['message']}"


def test_status_history_is_complete_for_new_initiatives():
    """Every fixture initiative has a status history (the expected 'neu' dates above read it)."""
    assert {h[0] for h in STATUS_HISTORY} == set(INITIATIVE)
