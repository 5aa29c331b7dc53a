"""Shared helpers for the AppTests of the pages (tests/app/test_app_*.py): open a page as a shared link would, and
find what it rendered — metrics, tables, plotly figures, deck.gl maps.

    from tests.app_helpers import open_page, metric, table_with, figure

    def test_something(app):                        # ``app``: fixture of tests/conftest.py
        at = open_page(app, "pages/themen.py", themenfeld="Tourismus")
        assert metric(at, "Initiativen") == "3"
"""
from __future__ import annotations

import json
import re

import pandas as pd
from streamlit.testing.v1 import AppTest

from monitor.core import format as fmt
from tests.conftest import APP_TIMEOUT, ROOT
from tests.fixture_db import SOURCES


def new_app() -> AppTest:
    """A fresh, not yet run AppTest of app.py (for a second session in one test)."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)


def open_page(app: AppTest, page: str | None = None, **query) -> AppTest:
    """Open the app with URL parameters ``query`` (a list value repeats the parameter), switch to ``page``
    (e.g. 'pages/karte.py'; None: stay on the default page) and run it; fails on any exception."""
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    if page is not None:
        app.switch_page(page).run()
        assert not app.exception, [e.value for e in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    """Metric label -> value of every st.metric on the page."""
    return {m.label: m.value for m in app.metric}


def metric(app: AppTest, label: str) -> str:
    """The value of the metric labelled ``label``."""
    return next(m.value for m in app.metric if m.label == label)


def table_with(app: AppTest, *columns: str) -> pd.DataFrame:
    """The first st.dataframe that has all ``columns`` (dataframes carry no key in AppTest)."""
    for frame in app.dataframe:
        if all(c in frame.value.columns for c in columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns!r}")


def figures(app: AppTest) -> list[dict]:
    """The plotly figures of the page as dicts, in page order."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def figure(app: AppTest, title_part: str) -> dict:
    """The first plotly figure whose title contains ``title_part``."""
    for spec in figures(app):
        if title_part in spec["layout"].get("title", {}).get("text", ""):
            return spec
    raise AssertionError(f"no figure titled like {title_part!r}")


def captions_under(app: AppTest, title_part: str) -> list[str]:
    """The captions right below the first plotly figure whose title contains ``title_part`` (the run of captions
    that follows it in page order)."""
    def walk(node):
        yield node
        children = getattr(node, "children", {})
        for key in sorted(children):  # page order (a container filled later was added to the dict later)
            yield from walk(children[key])

    out, after_chart = [], False
    for node in walk(app.main):
        if node.type == "plotly_chart":
            if after_chart:
                break
            spec = json.loads(node.proto.spec)
            after_chart = title_part in spec["layout"].get("title", {}).get("text", "")
        elif after_chart and node.type == "caption":
            out.append(node.value)
        elif after_chart and not isinstance(getattr(node, "children", None), dict):
            break  # the first element that is no caption ends the run
    if not after_chart:
        raise AssertionError(f"no figure titled like {title_part!r}")
    return out


def shown(markdown: str) -> str:
    """The text a reader sees of Markdown whose data parts went through ``monitor.core.text.md_text``:
    backslash escapes resolved, the invisible word joiners that break automatic links removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def assert_figure_caption(app: AppTest, title_part: str, source: str, as_of, unit: str | None = None) -> None:
    """The captions under the figure titled like ``title_part`` name its source, Stand ``as_of`` (and unit), as
    the reader sees them (:func:`shown`)."""
    caption = shown(" ".join(captions_under(app, title_part)))
    assert f"Quelle: {source}" in caption, (title_part, caption)
    assert f"Stand: {fmt.date(as_of)}" in caption, (title_part, caption)
    assert unit is None or f"Einheit: {unit}" in caption, (title_part, caption)


def portfolio_label() -> str:
    """How captions name the fixture's portfolio: 'Initiativen-Portfolio (<file name>)'."""
    return next(f"Initiativen-Portfolio ({s['file_name']})" for s in SOURCES if s["kind"] == "portfolio")


def deck(app: AppTest, index: int = 0) -> dict:
    """The ``index``-th deck.gl map of the page as a dict."""
    return json.loads(app.get("deck_gl_json_chart")[index].proto.json)


def layer(spec: dict, layer_id: str) -> dict:
    """The layer ``layer_id`` of a deck dict."""
    return next(x for x in spec["layers"] if x["id"] == layer_id)


def layer_ids(spec: dict) -> list[str]:
    """The ids of a deck's layers, bottom to top."""
    return [x["id"] for x in spec["layers"]]


def rendered_texts(app: AppTest) -> list[str]:
    """Every text of the rendered element tree (main area and sidebar), Markdown escapes removed: each element's
    message in UTF-8 text form, each table's cells and headers, each chart's spec."""
    from google.protobuf import text_format

    out: list[str] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if node.type == "arrow_data_frame":
            frame = node.value
            out.extend(str(c) for c in frame.columns)
            out.extend(str(v) for v in frame.to_numpy().ravel())
        elif proto is not None:
            out.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return [t.replace("\\", "") for t in out]


def found_in(app: AppTest, needles) -> set[str]:
    """The ``needles`` that occur anywhere in :func:`rendered_texts` (also JSON-escaped, as in chart specs)."""
    texts = rendered_texts(app)
    texts = [*texts, *(shown(t) for t in texts)]  # also as the reader sees escaped Markdown
    variants = {n: {n, json.dumps(n)[1:-1].replace("\\", "")} for n in needles}
    return {n for n, forms in variants.items() if any(f in t for t in texts for f in forms)}


def capture_downloads(monkeypatch) -> dict:
    """Patch ``st.download_button`` so the files a page offers can be made in a test (AppTest has no runtime that
    would keep a deferred ``data`` callable): returns a dict filled on each run with key -> data (bytes or the
    callable Streamlit would run on the click)."""
    import streamlit as st
    from streamlit.elements.widgets.button import ButtonMixin

    offered: dict = {}
    original = ButtonMixin.download_button

    def download_button(self, label, data, *args, **kwargs):
        offered[kwargs.get("key") or label] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(ButtonMixin, "download_button", download_button)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: download_button(st._main, *a, **k))
    return offered
