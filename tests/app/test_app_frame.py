"""The app frame: navigation over seven pages, the Beispieldaten badge, the missing-database message and the
shared sidebar filters bound to the URL (monitor/data/filters.py)."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from monitor.app import sidebar
from monitor.data.filters import Filters, default_period
from tests.conftest import APP_TIMEOUT, ROOT, clear_streamlit_caches
from tests.fixture_db import (BOXBERG, DEFAULT_FROM, DEFAULT_TO, GOERLITZ, MUNICIPALITY_NAME, build_fixture_db,
                              initiatives_where)

PAGES = ["pages/ueberblick.py", "pages/themen.py", "pages/gemeinden.py", "pages/initiativen.py",
         "pages/karte.py", "pages/akteure.py", "pages/daten.py"]
BADGE = "Beispieldaten"


def _badges(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "badge[" in m.value and BADGE in m.value]


def test_app_lists_the_seven_pages_in_order():
    text = (ROOT / "app.py").read_text(encoding="utf-8")
    positions = [text.find(f'st.Page("{p}"') for p in PAGES]
    assert all(p > 0 for p in positions), positions
    assert positions == sorted(positions)
    for title in ("Überblick", "Themen", "Gemeinden", "Initiativen", "Karte", "Akteure", "Daten"):
        assert f'title="{title}"' in text


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_with_badge(app, page):
    app.run()
    assert not app.exception
    app.switch_page(page).run()
    assert not app.exception, app.exception[0].message if app.exception else ""
    assert _badges(app), f"no Beispieldaten badge on {page}"
    # the frame's sidebar filters are present on every page
    assert app.multiselect(key="thema") is not None


def test_no_badge_when_data_is_not_synthetic(fixture_db, tmp_path, monkeypatch):
    real = tmp_path / "real.duckdb"
    build_fixture_db(real)
    con = duckdb.connect(str(real))
    con.execute("update meta set value = 'false' where key = 'synthetic'")
    con.close()
    monkeypatch.setenv("REGIONALMONITOR_DB", str(real))
    clear_streamlit_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run()
    assert not at.exception
    assert not _badges(at)
    assert [m.label for m in at.metric][:1] == ["Initiativen"]  # the page itself still renders
    clear_streamlit_caches()


@pytest.mark.parametrize("page", ["pages/ueberblick.py", "pages/daten.py"])
def test_missing_database_gives_message_not_traceback(fixture_db, tmp_path, monkeypatch, page):
    monkeypatch.setenv("REGIONALMONITOR_DB", str(tmp_path / "fehlt.duckdb"))
    clear_streamlit_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run()
    at.switch_page(page).run()
    assert not at.exception
    assert any("Noch keine Daten geladen" in i.value and "python -m etl" in i.value for i in at.info)
    assert not at.metric
    clear_streamlit_caches()


def test_default_filters(app):
    app.run()
    assert app.date_input(key="von").value == DEFAULT_FROM
    assert app.date_input(key="bis").value == DEFAULT_TO
    f = app.session_state["filters"]
    assert f == Filters(DEFAULT_FROM, DEFAULT_TO)
    assert app.query_params == {}  # defaults are not written into the URL


def test_query_params_restore_filters_across_pages(app):
    app.query_params["thema"] = "Tourismus"
    app.query_params["gemeinde"] = [MUNICIPALITY_NAME[GOERLITZ], MUNICIPALITY_NAME[BOXBERG]]
    app.query_params["status"] = "Beantragt"
    app.query_params["von"] = "2026-01-01"
    app.run()
    assert not app.exception
    assert app.multiselect(key="thema").value == ["tourism"]
    assert app.multiselect(key="gemeinde").value == [GOERLITZ, BOXBERG]
    assert app.multiselect(key="status").value == ["Beantragt"]
    assert app.date_input(key="von").value == date(2026, 1, 1)
    expected = Filters(date(2026, 1, 1), DEFAULT_TO, ("tourism",), (GOERLITZ, BOXBERG), ("Beantragt",))
    assert app.session_state["filters"] == expected
    for page in ("pages/initiativen.py", "pages/daten.py", "pages/ueberblick.py"):
        app.switch_page(page).run()
        assert not app.exception
        assert app.session_state["filters"] == expected
        assert app.multiselect(key="thema").value == ["tourism"]
        assert app.query_params.get("thema") == "Tourismus"
        assert app.query_params.get("von") == "2026-01-01"
    n = len(initiatives_where(date_from=date(2026, 1, 1), themes=("tourism",), municipalities=(GOERLITZ, BOXBERG),
                              statuses=("Beantragt",)))
    assert [m.value for m in app.metric if m.label == "Initiativen"] == [str(n)]


def test_invalid_query_params_are_ignored(app):
    app.query_params["thema"] = "Gibt es nicht"
    app.query_params["von"] = "kein-datum"
    app.run()
    assert not app.exception
    assert app.multiselect(key="thema").value == []
    assert app.date_input(key="von").value == DEFAULT_FROM


def test_swapped_period_is_corrected(app):
    app.query_params["von"] = "2026-05-01"
    app.query_params["bis"] = "2026-02-01"
    app.run()
    assert not app.exception
    f = app.session_state["filters"]
    assert (f.date_from, f.date_to) == (date(2026, 2, 1), date(2026, 5, 1))
    assert any("getauscht" in w.value for w in app.sidebar.warning)


# ---------------------------------------------------------------- Filters (pure)
def test_default_period_is_twelve_months_up_to_stand_or_today():
    assert default_period(date(2026, 6, 30), date(2026, 7, 15)) == (date(2025, 7, 1), date(2026, 6, 30))
    # Stand in the future or missing: up to today
    assert default_period(date(2027, 1, 1), date(2026, 7, 15)) == (date(2025, 7, 16), date(2026, 7, 15))
    assert default_period(None, date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))


def test_filters_helpers():
    f = Filters(date(2025, 1, 1), date(2025, 12, 31), themes=("mobility",))
    assert f.theme_ids() == ("mobility",)
    assert Filters(date(2025, 1, 1), date(2025, 12, 31)).theme_ids() == ("mobility", "supply", "tourism",
                                                                          "value_chains")
    assert f.includes_theme("mobility") and not f.includes_theme("tourism")
    assert f.includes_status("Idee") and f.includes_municipality("14626060")
    assert f.includes_date(date(2025, 6, 1)) and not f.includes_date(date(2026, 1, 1))
    assert not f.includes_date(None)
    assert f.period_text() == "01.01.2025 – 31.12.2025"
    assert not f.is_unfiltered() and f.with_(themes=()).is_unfiltered()
    assert hash(f) == hash(Filters(date(2025, 1, 1), date(2025, 12, 31), themes=("mobility",)))


@pytest.mark.parametrize("kwargs", [
    {},
    {"themes": ("supply",)},
    {"statuses": ("In Umsetzung", "Ruht")},
    {"municipalities": (BOXBERG,)},
    {"municipalities": (GOERLITZ,), "themes": ("mobility", "value_chains")},
    {"date_from": date(2026, 1, 1)},  # INI-009 (Verworfen 2025-08-20) drops out
    {"date_to": date(2025, 9, 30)},  # INI-004, -005, -010 start later
    {"date_from": date(2020, 1, 1), "date_to": date(2023, 12, 31)},
])
def test_initiative_sql_matches_python_rule(fixture_db, kwargs):
    from monitor.data import db

    base = {"date_from": DEFAULT_FROM, "date_to": DEFAULT_TO}
    f = Filters(**{**base, **kwargs})
    cond, params = f.initiative_sql("i")
    got = list(db.query(f"select initiative_id from initiative i where {cond} order by 1", params)["initiative_id"])
    assert got == sorted(i["initiative_id"] for i in initiatives_where(**{**base, **kwargs}))


def test_current_falls_back_to_defaults_outside_the_app(fixture_db):
    assert sidebar.current() == Filters(DEFAULT_FROM, DEFAULT_TO)


def test_the_page_body_runs_inside_the_gate_and_gives_its_place_back(app, monkeypatch):
    from monitor.app import gate

    fresh = gate.RunGate(1)
    monkeypatch.setattr(gate, "GATE", fresh)
    app.run()
    assert not app.exception
    app.switch_page("pages/karte.py").run()
    assert not app.exception
    assert fresh.max_running == 1 and fresh._next_ticket == 2  # one place taken per page run
    assert fresh.running == 0
