"""Überblick page under AppTest on the fixture database: numbers derived from tests/fixture_db.py lists."""
from __future__ import annotations

from datetime import timedelta

from monitor.core import format as fmt
from monitor.data import overview
from tests.app_helpers import figures, metrics
from tests.app_helpers import table_with as _frame
from tests.fixture_db import (BOXBERG, FIXTURE_TODAY, KPIS, MILESTONES, MUNICIPALITY_NAME, initiatives_where,
                              last_activity, overdue_milestones, status_dates)

CLOSED = ("Abgeschlossen", "Verworfen")


def _label(i: dict) -> str:
    """How the attention tables name an initiative: 'ID – Titel'."""
    return f"{i['initiative_id']} – {i['title']}"


def _metrics(at) -> dict[str, str]:
    """Metric label -> value; the funds metric's delta (share of total cost) as '<label> (Anteil)'."""
    out = metrics(at)
    out.update({f"{m.label} (Anteil)": m.delta for m in at.metric if m.delta})
    return out


def _expected_key_figures(rows: list[dict]) -> dict[str, str]:
    ids = {i["initiative_id"] for i in rows}
    granted = sum(i["funding_granted_eur"] or 0 for i in rows)
    cost = sum(i["total_cost_eur"] or 0 for i in rows if i["status"] != "Verworfen")
    return {
        "Initiativen": fmt.number(len(rows)),
        "In Umsetzung": fmt.number(sum(i["status"] == "In Umsetzung" for i in rows)),
        "Abgeschlossen": fmt.number(sum(i["status"] == "Abgeschlossen" for i in rows)),
        "Fördermittel bewilligt": fmt.eur_compact(granted),
        "Fördermittel bewilligt (Anteil)": f"{fmt.share(granted, cost)} von {fmt.eur_compact(cost)}",
        "Meilensteine überfällig": fmt.number(len(overdue_milestones(FIXTURE_TODAY, ids))),
    }


def test_key_figures_default_view(app):
    app.run()
    assert not app.exception
    metrics = _metrics(app)
    for label, value in _expected_key_figures(initiatives_where()).items():
        assert metrics[label] == value, label
    # the money figure is German-formatted (400.000 € in the fixture)
    assert metrics["Fördermittel bewilligt"].endswith(" €") and "." in metrics["Fördermittel bewilligt"]


def test_status_funnel_counts(app):
    app.run()
    spec = figures(app)[0]
    funnel = next(t for t in spec["data"] if t["type"] == "funnel")
    counts = dict(zip(funnel["y"], funnel["x"]))
    rows = initiatives_where()
    for status, n in counts.items():
        assert n == sum(i["status"] == status for i in rows), status
    bar = next(t for t in spec["data"] if t["type"] == "bar")
    assert dict(zip(bar["y"], bar["x"])) == {s: sum(i["status"] == s for i in rows) for s in ("Ruht", "Verworfen")}


def test_theme_filter_changes_numbers(app):
    app.run()
    app.multiselect(key="thema").set_value(["supply"]).run()
    assert not app.exception
    metrics = _metrics(app)
    for label, value in _expected_key_figures(initiatives_where(themes=("supply",))).items():
        assert metrics[label] == value, label
    assert metrics["Initiativen"] != fmt.number(len(initiatives_where()))


def test_municipality_from_url(app):
    app.query_params["gemeinde"] = MUNICIPALITY_NAME[BOXBERG]
    app.run()
    assert not app.exception
    metrics = _metrics(app)
    for label, value in _expected_key_figures(initiatives_where(municipalities=(BOXBERG,))).items():
        assert metrics[label] == value, label


def test_changes_in_period(app):
    app.run()
    f_from, f_to = app.session_state["filters"].date_from, app.session_state["filters"].date_to
    rows = initiatives_where()
    ids = {i["initiative_id"] for i in rows}
    new = sum(f_from <= status_dates(i)[0][0] <= f_to for i in ids)
    moves = sum(f_from <= d <= f_to for i in ids for d, _ in status_dates(i)[1:])
    reached = sum(1 for m in MILESTONES if m[0] in ids and m[3] is not None and f_from <= m[3] <= f_to)
    metrics = _metrics(app)
    assert metrics["Neue Initiativen"] == str(new)
    assert metrics["Statuswechsel"] == str(moves)
    assert metrics["Meilensteine erreicht"] == str(reached)
    events = _frame(app, "Ereignis")
    assert len(events) == min(8, new + moves + reached)
    assert list(events["Datum"]) == sorted(events["Datum"], reverse=True)


def test_attention_tabs(app):
    app.run()
    rows = initiatives_where()
    open_rows = [i for i in rows if i["status"] not in CLOSED]
    six_months_ago = FIXTURE_TODAY.replace(month=FIXTURE_TODAY.month - overview.STALE_MONTHS)  # today: July
    stale = [i for i in open_rows if last_activity(i["initiative_id"]) < six_months_ago]
    ending = [i for i in open_rows
              if i["end_planned"] and FIXTURE_TODAY <= i["end_planned"] <= FIXTURE_TODAY + timedelta(days=90)]
    labels = [t.label for t in app.tabs]
    assert f"Überfällig ({len(overdue_milestones())})" in labels
    assert f"Ohne Bewegung ({len(stale)})" in labels
    assert f"Endet bald ({len(ending)})" in labels
    overdue = _frame(app, "Tage")
    assert sorted(overdue["Meilenstein"]) == sorted(m[1] for m in overdue_milestones())
    assert set(_frame(app, "Letzter Meilenstein")["Initiative"]) == {_label(i) for i in stale}
    assert set(_frame(app, "Ende geplant")["Initiative"]) == {_label(i) for i in ending}
    # every tab says what it counts, with the rule's dates
    captions = " ".join(c.value for c in app.caption)
    assert f"seit dem {fmt.date(overview.months_before(FIXTURE_TODAY, overview.STALE_MONTHS))}" in captions
    assert f"vor dem {fmt.date(FIXTURE_TODAY)} fällig" in captions


def test_theme_cards(app):
    app.run()
    texts = [m.value for m in app.markdown]
    mobility = [i for i in initiatives_where() if i["theme"] == "mobility"]
    granted = sum(i["funding_granted_eur"] or 0 for i in mobility)
    assert ":blue-badge[Mobilität]" in texts and f"**{len(mobility)} Initiativen**" in texts
    assert any(t.startswith(f"**Fördermittel:** {fmt.eur_compact(granted)} von") for t in texts)
    # KPI attainment (direction-aware): INI-008's waiting time fell below its target -> reached
    supply_ids = {i["initiative_id"] for i in initiatives_where() if i["theme"] == "supply"}
    rated = [k for k in KPIS if k[0] in supply_ids and k[7] is not None]
    reached = [k for k in rated if (k[7] <= k[5] if k[4] > k[5] else k[7] >= k[5])]
    assert f"**Kennzahlen am Ziel:** {len(reached)} von {len(rated)} ({fmt.share(len(reached), len(rated))})" in texts


def test_empty_selection_shows_friendly_message(app):
    app.query_params["thema"] = "Tourismus"
    app.query_params["status"] = "Abgeschlossen"
    app.run()
    assert not initiatives_where(themes=("tourism",), statuses=("Abgeschlossen",))
    assert not app.exception
    assert any("Keine Initiativen" in i.value for i in app.info)
    assert not [m for m in app.metric if m.label == "Initiativen"]


def test_stand_in_header_and_captions(app):
    app.run()
    assert any("Stand der Daten: 30.06.2026" in c.value for c in app.caption)
    assert any("Stand: 30.06.2026" in c.value and "Einheit" in c.value for c in app.caption)
