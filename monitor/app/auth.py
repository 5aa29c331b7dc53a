"""Who is using this session: :func:`access` decides the :class:`~monitor.data.access.Access` on the server, once
per run (``app.py``), and the sidebar's Filters carry it to every loader.

- **Local mode** (no ``[auth]`` section in ``.streamlit/secrets.toml``; what ``make run`` starts): the role set in
  the configuration — ``$REGIONALMONITOR_ROLE`` or ``secrets["regionalmonitor"]["role"]`` ('kompetenzstelle',
  'leitung', 'partner'; the German names work too) — default Kompetenzstelle. A value that names no role gives
  the most restricted role (Partner): a typo never widens access.
- **Signed-in mode** (``[auth]`` configured): the role from the identity provider's ID token (see
  :func:`_identity_provider_access`).

Never from the URL or anything else the browser sends besides Streamlit's session cookie.
"""
from __future__ import annotations

import os

import streamlit as st

from monitor.data.access import FULL, PUBLIC, Access, Role

ROLE_ENV = "REGIONALMONITOR_ROLE"
SETTINGS = "regionalmonitor"  # the section of .streamlit/secrets.toml with the app's own settings


def _secret(*keys: str):
    """``st.secrets[k1][k2]…``, or None when the file, section or key is missing."""
    try:
        value = st.secrets
        for key in keys:
            if key not in value:
                return None
            value = value[key]
        return value
    except FileNotFoundError:  # no secrets.toml at all
        return None


def signin_configured() -> bool:
    """True when an identity provider is configured (``[auth]`` in ``.streamlit/secrets.toml``)."""
    return _secret("auth") is not None


def local_access() -> Access:
    """The Access of local mode (see the module docstring); no user name."""
    configured = os.environ.get(ROLE_ENV) or _secret(SETTINGS, "role")
    if not configured:
        return FULL
    role = Role.parse(str(configured))
    return Access(role) if role else PUBLIC


def _identity_provider_access() -> Access:
    """The signed-in person's Access (OpenID Connect, issue #16). Until the sign-in is built here, a configured
    identity provider grants the least."""
    return PUBLIC


def access() -> Access:
    """The Access of this session, decided on the server."""
    if signin_configured():
        return _identity_provider_access()
    return local_access()
