"""The one-page Gemeinde-Steckbrief (monitor/report/profile.py) read back with pypdf, and its download on the
Gemeinden page."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from monitor.core import format as fmt
from monitor.data.filters import Filters
from monitor.report import figures, profile
from tests import report_support as rs
from tests.app_helpers import open_page
from tests.fixture_db import (
    DEFAULT_FROM,
    DEFAULT_TO,
    GOERLITZ,
    INITIATIVES,
    MUNICIPALITIES,
    SOURCES,
    STAND,
    WEISSWASSER,
)

MUNI = {m["ags"]: m for m in MUNICIPALITIES}


def read(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join((p.extract_text() or "") for p in reader.pages).replace("\n", " ")


@pytest.fixture(scope="module")
def goerlitz(fixture_db):
    return profile.build_profile(GOERLITZ, Filters(DEFAULT_FROM, DEFAULT_TO))


def test_one_page_with_facts_and_sorbian_name(fixture_db):
    p = profile.build_profile(WEISSWASSER, Filters(DEFAULT_FROM, DEFAULT_TO))
    pages, text = read(profile.to_pdf(p, figures.disabled()))
    assert pages == 1
    m = MUNI[WEISSWASSER]
    assert m["name"] in text and m["name_sorbian"] in text  # Weißwasser/O.L. / Běła Woda
    assert fmt.number(m["population"]) in text and WEISSWASSER in text
    assert fmt.date(STAND) in text


def test_only_public_initiatives_and_no_personal_data(goerlitz):
    _, text = read(profile.to_pdf(goerlitz, figures.disabled()))
    in_goerlitz = [i for i in rs.scope(internal=True) if GOERLITZ in i["municipalities"]]
    assert in_goerlitz, "fixture has initiatives in Görlitz"
    for ini in in_goerlitz:
        assert (ini["initiative_id"] in text) == ini["is_public"], ini["initiative_id"]
    for value in rs.CONTACT_VALUES:
        assert value not in text
    assert sorted(goerlitz.initiatives.column("initiative_id")) == sorted(
        i["initiative_id"] for i in in_goerlitz if i["is_public"])


def test_indicator_rows_and_chart_note(goerlitz):
    assert len(goerlitz.indicators) > 0
    assert goerlitz.chart is not None
    _, text = read(profile.to_pdf(goerlitz, figures.ChartImages({}, figures.NO_BROWSER)))
    assert "Grafik nicht verfügbar" in text and "Chromium" in text


def test_unknown_municipality_gives_none(fixture_db):
    assert profile.build_profile("00000000") is None


def test_download_on_the_gemeinden_page(app):
    at = open_page(app, "pages/gemeinden.py")
    buttons = [b for b in at.get("download_button") if b.proto.label == "Steckbrief (PDF)"]
    assert len(buttons) == 1 and not buttons[0].proto.disabled
    assert all(i["title"] for i in INITIATIVES)  # fixture sanity


def test_sources_line_names_synthetic_values_as_such(fixture_variant):
    """An attribution of a synthetic source ("© Statistisches Landesamt …", the format's origin) must not read as
    official values: the Steckbrief's source line adds that the values are synthetic; real sources stay plain."""
    synthetic, real = (next(s for s in SOURCES if bool(s["synthetic"]) is flag) for flag in (True, False))
    fixture_variant(("update source set attribution = ? where source_id = ?",
                     ("© Statistisches Landesamt Sachsen", synthetic["source_id"])))
    text = profile.build_profile(GOERLITZ, Filters(DEFAULT_FROM, DEFAULT_TO)).sources_text
    assert f"© Statistisches Landesamt Sachsen ({synthetic['licence']}; Werte synthetisch – Beispieldaten)" in text
    assert f"{real['attribution']} ({real['licence']})" in text
