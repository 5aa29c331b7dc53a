"""The honesty audit (issue #15): every page, in several states of the sidebar's filters and with each of its own
choices (select boxes, radio buttons, toggles, tabs), and every download it offers, checked by the generic checks
of ``tests/honesty.py``: the 'Beispieldaten' flag, a source line with 'Quelle' and 'Stand' under every chart and
table, and every indicator value shown (charts, tables, files) against the fixture's — a NULL with its reason and
never as 0 or a number, a '-' named as such, a year label over that year's value.

The fixture holds each trap (tests/fixture_db.py ``SPECIAL_VALUES``): a latest year withheld, a latest year not
yet published, a '-' in the latest year, an older withheld value and an older '-', a series break.
"""
from __future__ import annotations

import pytest

from tests import honesty
from tests.app_helpers import new_app
from tests.conftest import clear_streamlit_caches
from tests.fixture_db import (
    BOXBERG,
    INDICATORS,
    MUNICIPALITY_NAME,
    NIESKY,
    SPECIAL_VALUES,
    VALUES,
    WEISSWASSER,
)

PAGES = ("ueberblick", "ereignisse", "themen", "gemeinden", "initiativen", "karte", "akteure", "daten", "bericht")
#: The sidebar's filters in several states (URL parameters as a shared link carries them).
SIDEBAR_STATES = {
    "Standard": {},
    "Gemeinden mit Fallen": {"gemeinde": [MUNICIPALITY_NAME[a] for a in (NIESKY, BOXBERG, WEISSWASSER)]},
    "Thema, Status, langer Zeitraum": {"thema": ["Tourismus", "Daseinsvorsorge & Nahversorgung"],
                                       "status": ["Idee", "In Umsetzung", "Ruht"],
                                       "von": "2019-01-01", "bis": "2026-06-30"},
}
#: The page's own choices are walked in this sidebar state, whose municipalities hold the traps (the others open
#: each page as it comes): one widget at a time, each of its options, the others as the option before left them.
WALKED = ("Gemeinden mit Fallen",)
#: Widgets not walked: free text and multi-choice filters (their effect is the sidebar's), the report's text.
SKIP_KINDS = ("text_input", "text_area", "multiselect", "date_input", "button", "download_button")
#: Pages whose tables need no source line: the Daten page lists the sources, runs and checks themselves.
NO_SOURCE_LINE = ("daten",)
#: Views that are switched on by URL parameters (lazy tabs) or the session (expanders).
VIEWS = {
    "gemeinden": [{"gemeinde_ansicht": "Vergleich",
                   "gemeinden_vergleich": list(MUNICIPALITY_NAME.values())[:4]}],
}
EXPANDERS = {"karte": ("karte_tabelle_offen",)}


@pytest.fixture(scope="module")
def captured():
    with honesty.capture_downloads():
        yield


def test_the_fixture_holds_every_trap():
    """Each trap the audit is meant to catch is in the fixture (else a passing audit proves nothing)."""
    latest = max(v["year"] for v in VALUES)
    flags = {(v["value"] is None, v["flag"], v["year"] == latest) for v in VALUES
             if v["region_key"] in MUNICIPALITY_NAME}
    assert (True, "secret", True) in flags, "a latest year withheld"
    assert (True, "later", True) in flags, "a latest year not yet published"
    assert (False, "zero", True) in flags and (False, "zero", False) in flags, "a '-' in the latest and an older year"
    assert (True, "secret", False) in flags, "an older year withheld"
    assert any(i["series_break"] for i in INDICATORS)
    # the year before each withheld latest value has a number (the trap of arg_max skipping NULLs)
    for (ind, region, year), (value, _flag) in SPECIAL_VALUES.items():
        if value is None and year == latest:
            assert next(v for v in VALUES if (v["indicator_id"], v["region_key"], v["year"]) ==
                        (ind, region, year - 1))["value"] is not None


def _choices(at):
    """(widget kind, key, options) of the page's own widgets that take one of several values."""
    out = []
    for leaf in honesty.leaves(at.main):
        node = leaf.node
        key = getattr(node, "key", None)
        if not key or node.type in SKIP_KINDS:
            continue
        if node.type in ("selectbox", "radio"):
            out.append((node.type, key, list(range(len(node.options)))))  # by index: options are display texts
        elif node.type in ("toggle", "checkbox"):
            out.append((node.type, key, [True, False]))
    return out


_PICKED: dict[type, type] = {}


def _index(widget) -> int | None:
    try:
        return widget.index
    except ValueError:  # no option chosen yet (a select box with index=None shows its placeholder)
        return None


def pick(widget, index: int) -> None:
    """Choose option ``index`` of a select box or radio button (run the app afterwards). AppTest takes the raw
    value, which a ``format_func`` hides (its ``select_index`` formats the shown text a second time); the app
    reads the chosen option's text, so the widget is made to report that index."""
    cls = type(widget)
    if cls not in _PICKED:
        _PICKED[cls] = type(f"Picked{cls.__name__}", (cls,), {"index": property(lambda self: self.picked)})
    widget.__class__ = _PICKED[cls]
    widget.picked = index


def _audit_run(at, where: str, seen_files: set) -> list[tuple[str, str]]:
    """(fault, where) of one run: the page and the files of its download buttons (each file content once)."""
    assert not at.exception, (where, [e.value for e in at.exception])
    faults = honesty.audit_tree(at, "page", source_lines=not where.startswith(NO_SOURCE_LINE))
    for label, kind, data in honesty.downloads(at):
        if data in seen_files:
            continue
        seen_files.add(data)
        faults += honesty.audit_file(kind, data, f"download {label!r}")
    return [(fault, where) for fault in faults]


def _open(page: str, query: dict):
    clear_streamlit_caches()
    at = new_app()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(f"pages/{page}.py").run()
    return at


def _walk(page: str, state: str, query: dict, seen_files: set) -> list[str]:
    """Audit the page as opened, then each value of each of its own choices in turn (one widget at a time)."""
    at = _open(page, query)
    where = f"{page} [{state}]"
    faults = _audit_run(at, where, seen_files)
    for key in EXPANDERS.get(page, ()):
        at.session_state[key] = True
        faults += _audit_run(at.run(), f"{where} {key}", seen_files)
    if state not in WALKED:
        return faults
    done = set()
    while True:
        todo = [(kind, key, options) for kind, key, options in _choices(at) if key not in done]
        if not todo:
            break
        kind, key, options = todo[0]
        done.add(key)
        for option in options:
            widget = next((w for w in at.get(kind) if getattr(w, "key", None) == key), None)
            if widget is None:
                break  # the choice went away with the one before (e.g. a detail view closed)
            if kind in ("selectbox", "radio"):
                if _index(widget) == option:
                    continue
                label = widget.options[option]
                pick(widget, option)
            else:
                if widget.value == option:
                    continue
                label = option
                widget.set_value(option)
            faults += _audit_run(at.run(), f"{where} {key}={label!r}", seen_files)
    return faults


@pytest.mark.parametrize("page", PAGES)
def test_page_and_its_downloads_are_honest(page, fixture_db, captured):
    faults, seen_files = [], set()
    for state, query in SIDEBAR_STATES.items():
        faults += _walk(page, state, query, seen_files)
        for view in VIEWS.get(page, ()):
            faults += _walk(page, f"{state} + {sorted(view)}", {**query, **view}, seen_files)
    assert not faults, report(faults)


def report(faults: list[tuple[str, str]]) -> str:
    """Each distinct fault once, with the number of views that show it and the first of them."""
    first: dict[str, str] = {}
    count: dict[str, int] = {}
    for fault, where in faults:
        first.setdefault(fault, where)
        count[fault] = count.get(fault, 0) + 1
    return f"{len(first)} faults:\n" + "\n".join(f"- {fault}\n    ({count[fault]}x, first in {first[fault]})"
                                                for fault in first)
