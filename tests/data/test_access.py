"""Roles enforced in the data layer (issue #16): every page loader, the exports, the report and the Steckbrief,
on the fixture database, per role. A Partner's results hold no non-public initiative (its ID, title or summary)
and no contact field; the Leitung's no contact field; the Kompetenzstelle's everything."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pandas as pd
import pytest

from monitor.data import actors, geo, initiatives, municipalities, overview, sources, themes
from monitor.data.access import FULL, Access, Role
from monitor.data.filters import Filters
from monitor.report import page as report_page
from monitor.report import profile
from monitor.report.model import ReportParams
from tests.fixture_db import (DEFAULT_FROM, DEFAULT_TO, FIXTURE_TODAY, GOERLITZ, INITIATIVES, ROUNDS, SOURCES,
                              STATUS_HISTORY, initiatives_where)

KOMPETENZSTELLE, LEITUNG, PARTNER = (Access(r) for r in (Role.KOMPETENZSTELLE, Role.LEITUNG, Role.PARTNER))
CONTACT_COLUMNS = ("contact_name", "contact_email", "contact_phone")
HIDDEN = [i for i in INITIATIVES if not i["is_public"]]
#: What must never reach a Partner: each non-public initiative's ID, title and summary.
NON_PUBLIC_TEXTS = {i[c] for i in HIDDEN for c in ("initiative_id", "title", "summary")}
CONTACTS = {i[c] for i in INITIATIVES for c in CONTACT_COLUMNS}


def _f(access: Access) -> Filters:
    return Filters(DEFAULT_FROM, DEFAULT_TO, access=access)


def texts(obj, depth: int = 0) -> Iterator[str]:
    """Every text inside a loader's result: dataclass fields, frames (cells and headers), mappings, sequences."""
    if depth > 12 or obj is None:
        return
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, pd.DataFrame):
        yield from (str(c) for c in obj.columns)
        for v in obj.to_numpy().ravel():
            yield from texts(v, depth + 1)
    elif isinstance(obj, pd.Series):
        yield from texts(obj.tolist(), depth + 1)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for field in dataclasses.fields(obj):
            yield from texts(getattr(obj, field.name), depth + 1)
    elif isinstance(obj, dict) or hasattr(obj, "items"):
        for k, v in obj.items():
            yield from texts(k, depth + 1)
            yield from texts(v, depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for v in obj:
            yield from texts(v, depth + 1)


def _found(result, needles: set[str]) -> set[str]:
    """The ``needles`` that occur in any text of ``result``."""
    return {n for t in texts(result) for n in needles if n in t}


def _page_results(access: Access) -> dict[str, object]:
    """What every page's loader gives ``access`` (with the non-public initiative asked for by a link)."""
    f = _f(access)
    hidden = HIDDEN[0]
    return {
        "Überblick": overview.load(f, FIXTURE_TODAY),
        "Themen": themes.load(f, hidden["theme"], None),
        "Gemeinden": municipalities.load(f, hidden["municipalities"][0], municipalities.PROFILE,
                                         indicator_id="population"),
        "Initiativen": initiatives.load(f, detail_id=hidden["initiative_id"], today=FIXTURE_TODAY),
        "Initiativen (Optionen)": initiatives.filter_options(access),
        "Karte": geo.load(f, "population", 2024),
        "Akteure": actors.load(f),
        "Daten": sources.load(access),
        "Bericht": report_page.load(ReportParams(DEFAULT_FROM, DEFAULT_TO, internal=True), access).report,
        "Steckbrief": profile.build_profile(GOERLITZ, f),
    }


# ---------------------------------------------------------------- the roles
def test_roles_grant_what_the_brief_says():
    assert [(a.contacts, a.internal, a.data_updates) for a in (KOMPETENZSTELLE, LEITUNG, PARTNER)] == [
        (True, True, True), (False, True, False), (False, False, False)]
    assert [a.label for a in (KOMPETENZSTELLE, LEITUNG, PARTNER)] == ["Kompetenzstelle", "Leitung", "Partner"]
    assert Role.parse(" Leitung ") is Role.LEITUNG and Role.parse("partner") is Role.PARTNER
    assert Role.parse("admin") is None and Role.parse(None) is None
    assert FULL == KOMPETENZSTELLE and Filters(DEFAULT_FROM, DEFAULT_TO).access == FULL


# ---------------------------------------------------------------- every loader, per role
@pytest.mark.parametrize("access", [KOMPETENZSTELLE, LEITUNG, PARTNER], ids=lambda a: a.role.value)
def test_every_page_loader_obeys_the_role(fixture_db, access):
    results = _page_results(access)
    for page, result in results.items():
        if not access.internal:
            assert not _found(result, NON_PUBLIC_TEXTS), page
        if not access.contacts:
            assert not _found(result, CONTACTS), page
    everything = _found(results, NON_PUBLIC_TEXTS | CONTACTS)
    # the same walk finds them where the role may see them (so the checks above can fail)
    assert bool(everything & NON_PUBLIC_TEXTS) == access.internal
    assert bool(everything & CONTACTS) == access.contacts


def test_partner_counts_only_public_initiatives(fixture_db):
    public = [i for i in initiatives_where() if i["is_public"]]
    assert len(public) < len(initiatives_where())  # the fixture's non-public initiative is in the period
    for access, expected in ((PARTNER, public), (LEITUNG, initiatives_where())):
        f = _f(access)
        assert overview.key_figures(f, FIXTURE_TODAY).initiatives == len(expected)
        assert int(overview.status_counts(f)["initiatives"].sum()) == len(expected)
        assert set(initiatives.portfolio(f)["initiative_id"]) == {i["initiative_id"] for i in expected}
        assert set(geo.map_initiatives(f)["initiative_id"]) <= {i["initiative_id"] for i in expected}


# ---------------------------------------------------------------- Initiativen: detail, options, downloads
def test_detail_by_role(fixture_db):
    hidden, public = HIDDEN[0]["initiative_id"], "INI-001"
    assert initiatives.detail(hidden, FIXTURE_TODAY, PARTNER) is None
    assert initiatives.detail_view(hidden, FIXTURE_TODAY, PARTNER) is None
    assert initiatives.detail(hidden, FIXTURE_TODAY, LEITUNG).info["title"] == HIDDEN[0]["title"]
    notes = {n for i, _, _, n in STATUS_HISTORY if i == public and n}
    assert notes
    for access in (KOMPETENZSTELLE, LEITUNG, PARTNER):
        d = initiatives.detail(public, FIXTURE_TODAY, access)
        v = initiatives.detail_view(public, FIXTURE_TODAY, access)
        has_contact = set(CONTACT_COLUMNS) <= set(d.info)
        assert has_contact == access.contacts and bool(v.contact) == access.contacts
        assert (set(d.history["note"].dropna()) == notes) == access.internal
        assert not access.internal or not d.history["note"].dropna().empty


def test_filter_options_of_a_partner_name_no_non_public_initiative(fixture_db):
    public_leads = {i["lead_organisation"] for i in INITIATIVES if i["is_public"]}
    only_hidden = {i["lead_organisation"] for i in HIDDEN} - public_leads
    assert only_hidden  # the fixture's non-public initiative has a lead of its own
    assert set(initiatives.filter_options(PARTNER).leads) == public_leads
    assert only_hidden <= set(initiatives.filter_options(LEITUNG).leads)
    public_programmes = {p for i in INITIATIVES if i["is_public"] for p in i["programmes"]}
    assert set(initiatives.filter_options(PARTNER).programmes) == public_programmes


@pytest.mark.parametrize("access", [KOMPETENZSTELLE, LEITUNG, PARTNER], ids=lambda a: a.role.value)
def test_list_download_by_role(fixture_db, access):
    view = initiatives.load(_f(access), today=FIXTURE_TODAY)
    in_period = initiatives_where()
    public = {i["initiative_id"] for i in in_period if i["is_public"]}
    everything = {i["initiative_id"] for i in in_period}
    # "Nur öffentliche" unticked (also by ?nur_oeffentlich=false): all for the office, the public list for a Partner
    assert set(view.export(False)["ID"]) == (everything if access.internal else public)
    assert set(view.export(True)["ID"]) == public
    for data in (view.download_csv(False), view.download_xlsx(False)):
        assert data
    csv_text = view.download_csv(False).decode("utf-8-sig")
    assert not any(c in csv_text for c in CONTACTS)
    assert any(t in csv_text for t in NON_PUBLIC_TEXTS) == access.internal


# ---------------------------------------------------------------- Akteure, Daten, Bericht
def test_partner_sees_no_round_only_about_non_public_initiatives(fixture_db):
    hidden_ids = {i["initiative_id"] for i in HIDDEN}
    in_period = [r for r in ROUNDS if DEFAULT_FROM <= r["date"] <= DEFAULT_TO]
    visible = [r for r in in_period if not r["initiatives"] or set(r["initiatives"]) - hidden_ids]
    partner = actors.rounds(_f(PARTNER))
    assert len(partner) == len(visible)
    assert len(actors.rounds(_f(LEITUNG))) == len(in_period)
    assert not any(h in text for text in partner["initiatives"].dropna() for h in hidden_ids)
    assert any(h in text for text in actors.rounds(_f(LEITUNG))["initiatives"].dropna() for h in hidden_ids)


def test_daten_by_role(fixture_db):
    portfolio_rows = next(s["rows_loaded"] for s in SOURCES if s["kind"] == "portfolio")
    full, leitung, partner = (sources.load(a) for a in (KOMPETENZSTELLE, LEITUNG, PARTNER))
    assert full.audit is not None and leitung.audit is None and partner.audit is None
    assert not full.runs.empty and not full.issues.empty and not full.tests.empty and full.internal
    assert partner.runs.empty and partner.issues.empty and partner.tests.empty and not partner.internal
    assert partner.last_run_files.empty
    assert set(partner.sources["Datei"]) == set(full.sources["Datei"])
    by_kind = dict(zip(full.sources["Art"], full.sources["Zeilen geladen"]))
    assert by_kind[sources.SOURCE_KIND_DE["portfolio"]] == str(portfolio_rows)
    shown = dict(zip(partner.sources["Art"], partner.sources["Zeilen geladen"]))
    assert shown[sources.SOURCE_KIND_DE["portfolio"]] != str(portfolio_rows)


def test_report_internal_only_for_internal_roles(fixture_db):
    asked = ReportParams(DEFAULT_FROM, DEFAULT_TO, internal=True)
    assert report_page.allowed(asked, PARTNER).internal is False
    assert report_page.allowed(asked, LEITUNG) == asked == report_page.allowed(asked, KOMPETENZSTELLE)
    assert report_page.load(asked, PARTNER).report.params.internal is False
    assert report_page.load(asked, LEITUNG).report.params.internal is True
