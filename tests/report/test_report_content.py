"""The report's content (monitor/report/content/) on the fixture database: every figure equals the value
computed from the fixture's lists; public vs internal variant; filters; no personal data; reproducible;
the small-multiples builder and the chart fallback."""
from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest

from monitor.data import db
from monitor.report import content, figures
from monitor.report.content import indicators as report_indicators
from monitor.report.model import INTERNAL_LABEL, ReportParams
from monitor.core.vocab import THEMES
from tests import report_support as rs
from tests.fixture_db import (
    DEFAULT_FROM,
    DEFAULT_TO,
    DISTRICT_NAME,
    INITIATIVE,
    NIESKY,
    STAND,
    STATE_NAME,
)


@pytest.fixture(scope="module")
def public(fixture_db):
    return content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO))


@pytest.fixture(scope="module")
def internal(fixture_db):
    return content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO, internal=True, assessment="Gut.\n\nWeiter."))


def test_summary_figures_equal_the_fixture(public):
    items = rs.scope()
    day = rs.as_of()
    rounds = rs.rounds_kept()
    rated, reached = rs.kpis_rated_reached(items)
    expected = {
        "initiatives": len(items),
        "started": sum(rs.started(i) for i in items),
        "advanced": sum(rs.advanced(i) for i in items),
        "completed": sum(rs.completed(i) for i in items),
        "milestones_reached": len(rs.milestones_reached(items)),
        "milestones_overdue": len(rs.milestones_overdue(items, day)),
        "funding_granted": rs.funding(items),
        "total_cost": rs.total_cost(items),
        "rounds": len(rounds),
        "organisations": len(rs.organisations(items, rounds)),
        "kpis_reached": reached,
    }
    got = {k: public.summary_value(k) for k in expected}
    assert got == pytest.approx(expected)
    assert f"(von {rated})" in next(f.label for f in public.summary if f.key == "kpis_reached")
    assert public.as_of == day and public.stand == STAND
    assert public.district_name == DISTRICT_NAME and public.state_name == STATE_NAME


def test_theme_sections_equal_the_fixture(public):
    assert [s.theme_id for s in public.themes] == [t.theme_id for t in THEMES]
    day = rs.as_of()
    for section in public.themes:
        items = rs.scope(themes=(section.theme_id,))
        assert section.figure("initiatives") == len(items), section.theme_id
        assert section.figure("started") == sum(rs.started(i) for i in items)
        assert section.figure("advanced") == sum(rs.advanced(i) for i in items)
        assert section.figure("completed") == sum(rs.completed(i) for i in items)
        assert section.figure("milestones_reached") == len(rs.milestones_reached(items))
        assert section.figure("milestones_overdue") == len(rs.milestones_overdue(items, day))
        assert section.figure("funding_granted") == pytest.approx(rs.funding(items))
        assert section.figure("kpis_reached") == rs.kpis_rated_reached(items)[1]
        # status at the start and end of the period, per status
        end = Counter(rs.status_at(i["initiative_id"], day) or content.NOT_YET for i in items)
        start = Counter(rs.status_at(i["initiative_id"], rs.day_before()) or content.NOT_YET for i in items)
        rows = {r[0]: r[1:] for r in section.status.rows}
        assert rows.pop("Summe") == (len(items), len(items), 0)
        assert rows == {s: (start[s], end[s], end[s] - start[s]) for s in set(start) | set(end)}
        assert sorted(section.development.column("initiative_id")) == sorted(i["initiative_id"] for i in items)


def test_status_changes_and_milestones_sheets(public):
    items = rs.scope()
    changes = public.sheet("changes")
    expected = sorted((i["initiative_id"], prev, new)
                      for i in items for prev, new in rs.moves_in_period(i["initiative_id"]))
    got = sorted(zip(changes.column("initiative_id"), changes.column("previous"), changes.column("status")))
    assert got == expected
    ms = public.sheet("milestones")
    reached = {(m[0], m[1]) for m in rs.milestones_reached(items)}
    overdue = {(m[0], m[1]) for m in rs.milestones_overdue(items, rs.as_of())}
    states = dict(zip(zip(ms.column("initiative_id"), ms.column("milestone")), ms.column("state")))
    assert {k for k, v in states.items() if v.startswith("erreicht")} == reached
    assert {k for k, v in states.items() if v.startswith("überfällig")} == overdue


def test_funds_by_programme(public):
    items = rs.scope()
    programmes = {p for i in items for p in i["programmes"]}
    table = public.sheet("funds")
    got = dict(zip(table.column("programme"), table.column("granted")))
    assert set(got) == programmes
    for p in programmes:
        assert got[p] == pytest.approx(sum(i["funding_granted_eur"] or 0 for i in items if p in i["programmes"]))


def test_rounds_and_organisations(public, internal):
    kept = rs.rounds_kept()
    assert sorted(public.sheet("rounds").column("date")) == sorted(r["date"] for r in kept)
    assert sorted(internal.sheet("rounds").column("date")) == sorted(r["date"] for r in rs.rounds_kept(internal=True))
    orgs = set(public.sheet("organisations").column("organisation"))
    assert orgs == rs.organisations(rs.scope(), kept)


def test_public_variant_has_no_non_public_initiative(public):
    texts = "\n".join(rs.strings_of(public))
    for ini in rs.NON_PUBLIC:
        assert ini["initiative_id"] not in texts
        assert ini["title"] not in texts
    assert sorted(public.annex.column("initiative_id")) == sorted(i["initiative_id"] for i in rs.scope())
    assert public.label == "" and not public.internal


def test_internal_variant_lists_them_and_is_labelled(internal):
    ids = internal.annex.column("initiative_id")
    assert sorted(ids) == sorted(i["initiative_id"] for i in rs.scope(internal=True))
    for ini in rs.NON_PUBLIC:
        if ini in rs.scope(internal=True):
            assert ini["initiative_id"] in ids
    assert internal.label == INTERNAL_LABEL
    assert "interne Fassung" in internal.selection
    public_col = internal.annex.column("public")
    assert public_col.count(False) == sum(1 for i in rs.scope(internal=True) if not i["is_public"])
    assert [r[0] for r in internal.sheet("assessment").rows] == ["Gut.", "Weiter."]


def test_no_personal_data_anywhere(public, internal):
    for report in (public, internal):
        texts = "\n".join(rs.strings_of(report))
        for value in rs.CONTACT_VALUES:
            assert value not in texts, value
        assert "@example.org" not in texts


def test_formula_title_is_plain_text(public):
    table = public.sheet("initiatives")
    assert rs.FORMULA_TITLE in table.column("title")


def test_theme_and_municipality_filters(fixture_db):
    report = content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO, themes=("tourism",)))
    assert [s.theme_id for s in report.themes] == ["tourism"]
    assert sorted(report.annex.column("initiative_id")) == sorted(
        i["initiative_id"] for i in rs.scope(themes=("tourism",)))
    report = content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO, municipalities=(NIESKY,)))
    assert sorted(report.annex.column("initiative_id")) == sorted(
        i["initiative_id"] for i in rs.scope(municipalities=(NIESKY,)))
    assert "Niesky" in report.selection
    # the chosen municipality gets its own line in the indicator panels
    panel = json.loads(next(c for c in report.charts if c.key.startswith("indicators_mobility")).figure_json)
    assert "Niesky" in {t.get("name") for t in panel["data"]}


def test_period_end_before_stand_uses_the_period_end(fixture_db):
    date_to = DEFAULT_TO - pd.Timedelta(days=200)
    date_to = date_to.date() if hasattr(date_to, "date") else date_to
    report = content.build_report(ReportParams(DEFAULT_FROM, date_to))
    assert report.as_of == date_to
    items = rs.scope(date_to=date_to)
    assert report.summary_value("milestones_overdue") == len(rs.milestones_overdue(items, date_to))


def test_reproducible(public, fixture_db):
    again = content.build_report(ReportParams(DEFAULT_FROM, DEFAULT_TO))
    assert again == public


def test_indicator_blocks_are_reused_and_equal_a_fresh_build(public, fixture_db, monkeypatch):
    params = ReportParams(DEFAULT_FROM - pd.Timedelta(days=365), DEFAULT_TO, themes=("tourism",))
    warm_sink = []
    warm = content.build_report(params, on_chart=warm_sink.append)  # blocks cached by the `public` report
    tourism = next(c for c in public.charts if c.key == "indicators_tourism_1")
    assert next(c for c in warm.charts if c.key == "indicators_tourism_1") is tourism
    # a cached block still hands every chart to the sink
    assert sorted(c.key for c in warm_sink) == sorted(c.key for c in warm.charts)
    report_indicators.BLOCKS.clear()
    cold = content.build_report(params)
    assert cold == warm
    assert next(c for c in cold.charts if c.key == "indicators_tourism_1") is not tourism
    # a new database version misses the cache
    stamp = db.current_stamp()
    monkeypatch.setattr(db, "current_stamp", lambda: (*stamp[:-1], stamp[-1] + 1))
    n = len(report_indicators.BLOCKS)
    content.build_report(params)
    assert len(report_indicators.BLOCKS) == 2 * n


def test_report_filters_add_the_public_condition():
    f = content.ReportFilters(DEFAULT_FROM, DEFAULT_TO, public_only=True)
    cond, params = f.initiative_sql("x")
    assert "x.is_public" in cond
    assert "is_public" not in content.ReportFilters(DEFAULT_FROM, DEFAULT_TO, public_only=False).initiative_sql()[0]
    assert f.with_(themes=("mobility",)).public_only  # reused modules keep the condition


def test_development_rule_examples(public):
    """An initiative moving on the line counts as advanced, a completion as completed (from the fixture)."""
    sheet = public.sheet("development")
    dev = dict(zip(sheet.column("initiative_id"), sheet.column("development")))
    for ini in rs.scope():
        text = dev[ini["initiative_id"]]
        assert ("abgeschlossen" in text) == rs.completed(ini)
        assert ("vorangekommen" in text) == rs.advanced(ini)
        assert ("neu" in text.split(", ")) == rs.started(ini)


# ---------------------------------------------------------------- chart builders and fallback
def test_trend_panel_keeps_gaps_and_splits_at_break():
    from monitor.figures.indicators import SeriesBreak, SeriesStyle

    data = pd.DataFrame({"series": ["A"] * 4, "period": pd.to_datetime(["2020-12-31", "2021-12-31", "2022-12-31",
                                                                         "2023-12-31"]),
                         "value": [1.0, None, 3.0, 4.0]})
    panel = figures.trend_panel(data, styles={"A": SeriesStyle("#000000")},
                                series_break=SeriesBreak(pd.Timestamp("2022-06-30").date(), "neu"))
    ys = [t["y"] for t in panel["data"]]
    assert ys == [[1.0, None], [3.0, 4.0]]
    assert [t["showlegend"] for t in panel["data"]] == [True, False]
    assert panel["layout"]["shapes"][0]["x0"] == pytest.approx(2021.5)


def test_small_multiples_maps_axes_and_escapes_labels():
    from monitor.figures.indicators import SeriesStyle

    data = pd.DataFrame({"series": ["A", "B"], "period": pd.to_datetime(["2020-12-31"] * 2), "value": [1.0, 2.0]})
    styles = {"A": SeriesStyle("#000000"), "B": SeriesStyle("#999999")}
    panels = [("<b>eins</b>", figures.trend_panel(data, styles=styles)),
              ("zwei", figures.trend_panel(data, styles=styles)), ("drei", figures.trend_panel(data, styles=styles))]
    fig = figures.small_multiples(panels, title="T & U").to_plotly_json()
    assert [t["xaxis"] for t in fig["data"]] == ["x", "x", "x2", "x2", "x3", "x3"]
    assert [t["name"] for t in fig["data"] if t["showlegend"]] == ["A", "B"]
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert "&lt;b&gt;eins&lt;/b&gt;" in titles and "<b>eins</b>" not in titles
    assert fig["layout"]["yaxis3"]["domain"][1] < fig["layout"]["yaxis"]["domain"][0]


def test_render_without_browser_gives_a_note(monkeypatch, public):
    figures.clear_cache()
    monkeypatch.setattr(figures, "browser_path", lambda: None)
    images = figures.render(public.charts)
    assert images.images == {} and images.note == figures.NO_BROWSER
    with figures.ChartSession() as session:
        session.submit(public.charts[0])
        assert session.collect(public.charts[:1]).note == figures.NO_BROWSER


def test_render_without_kaleido_gives_a_note(monkeypatch, public):
    import sys

    figures.clear_cache()
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido -> ImportError
    assert figures.render(public.charts).note == figures.NO_KALEIDO


def test_untouched_initiative_fields_are_not_selected(public):
    """The annex sheet has exactly the agreed columns (no contact column sneaks in)."""
    labels = [c.label for c in public.sheet("initiatives").columns]
    assert labels[:2] == ["ID", "Titel"] and not any("Kontakt" in x or "Ansprech" in x for x in labels)
    assert INITIATIVE  # fixture loaded


@pytest.mark.parametrize("internal", [False, True])
@pytest.mark.parametrize("themes", [("mobility",), ("supply", "tourism")])
def test_scope_narrows_the_every_theme_rows_to_what_the_theme_filter_selects(fixture_db, themes, internal):
    """The scope asks for every theme (cached across theme choices) and keeps the chosen main themes: the same
    initiatives, statuses, changes and overdue milestones as the queries with the theme filter."""
    from monitor.data import initiatives, overview
    from monitor.report.content import queries, selection

    params = ReportParams(DEFAULT_FROM, DEFAULT_TO, themes, internal=internal)
    s = content.scope(params)
    f = selection.report_filters(params)
    assert f.themes == themes and set(s.theme_of.values()) <= set(themes) and s.ids

    def same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(got, expected, check_dtype=not expected.empty)

    same(s.pf, initiatives.portfolio(f))
    assert s.start_status == initiatives.status_at(f, s.day_before)
    assert s.end_status == initiatives.status_at(f, s.as_of)
    ch = overview.changes(f)
    for got, expected in [(s.changes.new_initiatives, ch.new_initiatives),
                          (s.changes.status_changes, ch.status_changes),
                          (s.changes.milestones_reached, ch.milestones_reached),
                          (s.overdue, queries.overdue(f, s.as_of))]:
        same(got, expected)
