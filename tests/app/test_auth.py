"""Sign-in and modes (monitor/app/auth.py): the claim → role rules, the checks of the [auth] settings, and what
the app shows in each mode before anything of the data (AppTest; the real sign-in flow is in
tests/browser/test_signin.py)."""
from __future__ import annotations

import tomllib

import pytest

from monitor.app import auth
from monitor.data.access import Access, Role
from tests.app_helpers import open_page
from tests.conftest import ROOT
from tests.fixture_db import INITIATIVES

GROUPS = {"GG-K": Role.KOMPETENZSTELLE, "GG-L": Role.LEITUNG, "GG-P": Role.PARTNER}
COMPLETE_AUTH = {"redirect_uri": "https://monitor.example.invalid/oauth2callback", "cookie_secret": "s" * 40,
                 "client_id": "regionalmonitor", "client_secret": "geheim",
                 "server_metadata_url": "https://login.example.invalid/.well-known/openid-configuration"}


# ---------------------------------------------------------------- claim → role
@pytest.mark.parametrize("groups, expected", [
    (["GG-P"], Role.PARTNER),
    (["GG-L"], Role.LEITUNG),
    (["GG-K"], Role.KOMPETENZSTELLE),
    (["GG-P", "GG-L"], Role.LEITUNG),  # several groups: the most privileged role
    (["GG-P", "GG-K", "GG-L"], Role.KOMPETENZSTELLE),
    (["Andere", "GG-P"], Role.PARTNER),
    (["Andere"], None),
    ([], None),
    (["gg-k"], None),  # group names are exact
])
def test_role_from_the_groups_claim(groups, expected):
    assert auth.role_from_claims({"sub": "x", "groups": groups}, "groups", GROUPS) == expected


def test_role_claim_may_be_a_single_string_another_name_or_nested():
    assert auth.role_from_claims({"groups": "GG-L"}, "groups", GROUPS) is Role.LEITUNG
    assert auth.role_from_claims({"roles": ["GG-K"]}, "roles", GROUPS) is Role.KOMPETENZSTELLE
    assert auth.role_from_claims({"groups": ["GG-K"]}, "roles", GROUPS) is None  # the configured claim only
    nested = {"realm_access": {"roles": ["GG-P"]}}
    assert auth.role_from_claims(nested, "realm_access.roles", GROUPS) is Role.PARTNER
    assert auth.role_from_claims({}, "groups", GROUPS) is None
    assert auth.role_from_claims({"groups": {"GG-K": True}}, "groups", GROUPS) is None  # not a list of names


def test_group_mapping_accepts_ids_and_labels_and_names_unknown_roles():
    mapping, problems = auth.group_mapping({"a": "kompetenzstelle", "b": "Leitung", "c": " PARTNER ",
                                            "d": "admin"})
    assert mapping == {"a": Role.KOMPETENZSTELLE, "b": Role.LEITUNG, "c": Role.PARTNER}
    assert len(problems) == 1 and "„d“" in problems[0] and "admin" in problems[0]
    assert auth.group_mapping(None) == ({}, [])


def test_user_name_prefers_the_email():
    assert auth.user_name({"sub": "123", "name": "Anna", "email": "anna@lk.test"}) == "anna@lk.test"
    assert auth.user_name({"sub": "123", "preferred_username": "anna"}) == "anna"
    assert auth.user_name({"sub": "123"}) == "123"


def test_sign_in_expires_after_the_configured_hours():
    now = 1_800_000_000
    assert not auth.signin_expired({"iat": now - 11 * 3600}, 12, now)
    assert auth.signin_expired({"iat": now - 13 * 3600}, 12, now)
    assert not auth.signin_expired({}, 12, now)


# ---------------------------------------------------------------- settings
def test_complete_auth_settings_have_no_problems():
    assert auth.auth_problems(COMPLETE_AUTH) == []


@pytest.mark.parametrize("change, words", [
    ({"client_id": ""}, "client_id fehlt"),
    ({"server_metadata_url": None}, "server_metadata_url fehlt"),
    ({"client_secret": "HIER-EINTRAGEN"}, "client_secret ist noch der Platzhalter"),
    ({"redirect_uri": "https://monitor.example.invalid/"}, "/oauth2callback"),
    ({"cookie_secret": "kurz"}, "cookie_secret ist zu kurz"),
])
def test_incomplete_auth_settings_are_named(change, words):
    problems = auth.auth_problems({**COMPLETE_AUTH, **change})
    assert any(words in p for p in problems), problems


def test_example_secrets_file_is_valid_toml_with_placeholders_and_valid_roles():
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))
    assert auth.auth_problems(example["auth"])  # a copied example never passes as configured
    mapping, problems = auth.group_mapping(example[auth.SETTINGS]["groups"])
    assert problems == [] and set(mapping.values()) == set(Role)
    assert Role.parse(example[auth.SETTINGS]["role"]) is Role.KOMPETENZSTELLE
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("address, local", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("", False), (None, False), ("::", False), ("192.168.10.5", False),
    ("10.0.0.1", False), ("monitor.landkreis.test", False),
])
def test_local_addresses(address, local):
    assert auth.is_local_address(address) is local


def test_remote_visitor():
    assert auth.remote_visitor("192.168.10.5") and auth.remote_visitor("2001:db8::1")
    assert not auth.remote_visitor(None)  # Streamlit reports loopback visitors as None
    assert not auth.remote_visitor("127.0.0.1")
    assert not auth.remote_visitor(object())  # no client (AppTest)


# ---------------------------------------------------------------- what the app shows (AppTest)
def _text(at) -> str:
    parts = [e.value for kind in (at.title, at.subheader, at.markdown, at.caption, at.text) for e in kind]
    parts += [e.value for kind in (at.sidebar.markdown, at.sidebar.caption, at.sidebar.text) for e in kind]
    return "\n".join(str(p) for p in parts)


def test_signin_mode_without_sign_in_shows_only_the_sign_in_page(app):
    app.secrets["auth"] = COMPLETE_AUTH
    app.secrets[auth.SETTINGS] = {"groups": {"GG-K": "kompetenzstelle"}}
    app.run()
    assert not app.exception
    assert [b.label for b in app.button] == ["Anmelden"]
    text = _text(app)
    assert "Bitte melden Sie sich" in text
    assert not any(i["title"] in text for i in INITIATIVES)
    # nothing else ran: no filters, no page, no data
    assert len(app.multiselect) == 0 and len(app.sidebar.button) == 0 and len(app.dataframe) == 0


def test_an_incomplete_auth_section_never_falls_back_to_local_mode(app):
    app.secrets["auth"] = {"client_id": "x"}
    app.run()
    assert [b.label for b in app.button] == ["Anmelden"] and len(app.multiselect) == 0


def test_local_mode_shows_its_note_and_the_data(app, monkeypatch):
    monkeypatch.delenv(auth.PUBLIC_ENV, raising=False)
    app.run()
    assert not app.exception
    assert "Lokaler Modus" in _text(app)
    assert app.multiselect(key="thema") is not None


def test_public_instance_is_partner_for_everyone_with_its_note(app, monkeypatch):
    monkeypatch.setenv(auth.PUBLIC_ENV, "1")
    monkeypatch.setenv(auth.ROLE_ENV, "kompetenzstelle")  # a configured role does not lift the public limit
    app.secrets["auth"] = COMPLETE_AUTH  # nor does sign-in: the explicit public start wins
    app.run()
    assert not app.exception
    text = _text(app)
    assert "Öffentliche Ansicht" in text and "Lokaler Modus" not in text
    assert "Anmelden" not in [b.label for b in app.button]
    assert auth.mode() is auth.Mode.PUBLIC


def test_public_decision_is_partner(monkeypatch):
    monkeypatch.setenv(auth.PUBLIC_ENV, "ja")
    monkeypatch.setenv(auth.ROLE_ENV, "kompetenzstelle")
    assert auth.decide().access == Access(Role.PARTNER)


# ---------------------------------------------------------------- local mode: where the role comes from
@pytest.fixture
def settings(monkeypatch):
    """The app's secrets sections as a dict (auth reads them through ``secrets_section``); no role in the
    environment."""
    values: dict = {}
    monkeypatch.setattr(auth, "secrets_section", lambda name: dict(values.get(name, {})))
    monkeypatch.delenv(auth.ROLE_ENV, raising=False)
    monkeypatch.delenv(auth.PUBLIC_ENV, raising=False)
    return values


def test_local_default_is_the_kompetenzstelle(settings):
    assert auth.local_access() == Access(Role.KOMPETENZSTELLE) and not auth.signin_configured()


@pytest.mark.parametrize("value, role", [("leitung", Role.LEITUNG), (" Partner ", Role.PARTNER),
                                         ("KOMPETENZSTELLE", Role.KOMPETENZSTELLE), ("admin", Role.PARTNER)])
def test_local_role_from_the_environment(settings, monkeypatch, value, role):
    monkeypatch.setenv(auth.ROLE_ENV, value)
    settings[auth.SETTINGS] = {"role": "kompetenzstelle"}  # the environment wins
    assert auth.local_access() == Access(role)


def test_local_role_from_the_secrets(settings):
    settings[auth.SETTINGS] = {"role": "leitung"}
    assert auth.local_access() == Access(Role.LEITUNG)
    settings[auth.SETTINGS] = {"other": 1}
    assert auth.local_access() == Access(Role.KOMPETENZSTELLE)


def test_any_auth_section_is_sign_in_mode(settings):
    settings["auth"] = {"client_id": "x"}
    assert auth.signin_configured()


def test_the_url_sets_no_role(app, monkeypatch):
    monkeypatch.setenv(auth.ROLE_ENV, "partner")
    at = open_page(app, "pages/daten.py", rolle="kompetenzstelle", role="kompetenzstelle")
    assert "Rolle: Partner" in [c.value for c in at.sidebar.caption]
    assert "Protokoll" not in [t.label for t in at.tabs]


def test_role_from_the_apps_secrets(app, monkeypatch):
    monkeypatch.delenv(auth.ROLE_ENV, raising=False)
    app.secrets[auth.SETTINGS] = {"role": "leitung"}
    at = open_page(app, "pages/daten.py")
    assert "Rolle: Leitung" in [c.value for c in at.sidebar.caption]
