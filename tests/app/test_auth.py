"""monitor/app/auth.py, local mode: the role from REGIONALMONITOR_ROLE, else secrets["regionalmonitor"]["role"],
else the Kompetenzstelle; a value that names no role gives the least (Partner); nothing from the URL."""
from __future__ import annotations

import pytest

from monitor.app import auth
from monitor.data.access import Access, Role
from tests.app_helpers import open_page


@pytest.fixture
def secrets(monkeypatch):
    """A stand-in for st.secrets (a dict: auth reads it with ``in`` and ``[]``)."""
    values: dict = {}
    monkeypatch.setattr(auth.st, "secrets", values)
    monkeypatch.delenv(auth.ROLE_ENV, raising=False)
    return values


def test_default_is_the_kompetenzstelle(secrets):
    assert auth.access() == Access(Role.KOMPETENZSTELLE) and not auth.signin_configured()


@pytest.mark.parametrize("value, role", [("leitung", Role.LEITUNG), (" Partner ", Role.PARTNER),
                                         ("KOMPETENZSTELLE", Role.KOMPETENZSTELLE), ("admin", Role.PARTNER)])
def test_role_from_the_environment(secrets, monkeypatch, value, role):
    monkeypatch.setenv(auth.ROLE_ENV, value)
    secrets[auth.SETTINGS] = {"role": "kompetenzstelle"}  # the environment wins
    assert auth.access() == Access(role)


def test_role_from_the_secrets(secrets):
    secrets[auth.SETTINGS] = {"role": "leitung"}
    assert auth.access() == Access(Role.LEITUNG)
    secrets[auth.SETTINGS] = {"other": 1}
    assert auth.access() == Access(Role.KOMPETENZSTELLE)


def test_missing_secrets_file_is_local_mode(monkeypatch):
    class NoFile:
        def __contains__(self, key):
            raise FileNotFoundError("no secrets.toml")

    monkeypatch.setattr(auth.st, "secrets", NoFile())
    monkeypatch.delenv(auth.ROLE_ENV, raising=False)
    assert auth.access() == Access(Role.KOMPETENZSTELLE) and not auth.signin_configured()


def test_a_configured_identity_provider_never_falls_back_to_local_mode(secrets, monkeypatch):
    monkeypatch.setenv(auth.ROLE_ENV, "kompetenzstelle")
    secrets["auth"] = {"client_id": "x"}
    assert auth.signin_configured()
    assert auth.access().role is not Role.KOMPETENZSTELLE or auth.access().user


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
