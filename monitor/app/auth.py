"""Who uses this session, decided on the server: :func:`access` (ROLES.md) and the gate :func:`gate` in app.py.

Three modes (:func:`mode`), never chosen by anything the browser sends besides Streamlit's signed identity cookie:

- **local** (the default of ``make run``): no identity provider; ``python -m monitor.app.serve`` binds the
  server to 127.0.0.1 and refuses a non-local address (see serve.py); the role comes from
  ``$REGIONALMONITOR_ROLE`` or ``[regionalmonitor] role`` in ``.streamlit/secrets.toml``, default Kompetenzstelle.
  A visitor from another machine (the app started some other way) gets a German refusal and nothing else.
- **public** (``serve.py --oeffentlich`` or ``$REGIONALMONITOR_OEFFENTLICH=1``): a read-only instance, everyone
  is Partner, no sign-in.
- **sign-in** (an ``[auth]`` section in ``.streamlit/secrets.toml``): OpenID Connect through ``st.login``
  (Authlib). The role comes from the ID token's claim named by ``[regionalmonitor] role_claim`` (default
  ``groups``), mapped by ``[regionalmonitor.groups]`` (group → role; several groups → the most privileged).
  A visitor who is not signed in sees only the sign-in page; a signed-in person without a role only the
  "Kein Zugang" page. A sign-in is valid for ``[regionalmonitor] max_age_hours`` (default 12) after it was
  made, then the sign-in page asks again (Streamlit keeps its cookie 30 days and checks no expiry itself).
  Each sign-in is written once to the audit log.

``.streamlit/secrets.example.toml`` documents every setting.
"""
from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from monitor.data import audit
from monitor.data.access import FULL, PUBLIC, ROLE_RANK, Access, Role

PUBLIC_ENV = "REGIONALMONITOR_OEFFENTLICH"
ROLE_ENV = "REGIONALMONITOR_ROLE"
#: The app's own section in secrets.toml (Streamlit's is ``[auth]``).
SETTINGS = "regionalmonitor"
DEFAULT_ROLE_CLAIM = "groups"
DEFAULT_MAX_AGE_HOURS = 12.0
#: What ``st.login()`` (the default provider) needs in ``[auth]``.
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
#: The example file's placeholder; a value still containing it is not configured.
PLACEHOLDER = "HIER-EINTRAGEN"
OFFICE = "Kompetenzstelle"


class Mode(StrEnum):
    LOCAL = "lokal"
    PUBLIC = "oeffentlich"
    SIGNIN = "anmeldung"


# ---------------------------------------------------------------- pure rules (unit-tested without a server)
def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "ja", "yes", "on"}


def group_mapping(groups: Mapping[str, object] | None) -> tuple[dict[str, Role], list[str]]:
    """``[regionalmonitor.groups]`` as group → Role, and a German line per entry naming an unknown role
    (such an entry grants nothing)."""
    mapping, problems = {}, []
    for group, name in (groups or {}).items():
        role = Role.parse(str(name))
        if role is None:
            problems.append(f"Gruppe „{group}“: unbekannte Rolle „{name}“ "
                            f"(erlaubt: {', '.join(r.value for r in Role)})")
        else:
            mapping[str(group)] = role
    return mapping, problems


def claim_values(claims: Mapping[str, object], claim: str) -> list[str]:
    """The values of ``claim`` in the ID token's claims: a list or a single string; a dotted name reads a nested
    claim (``realm_access.roles``)."""
    value: object = claims
    for part in claim.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def role_from_claims(claims: Mapping[str, object], claim: str, groups: Mapping[str, Role]) -> Role | None:
    """The most privileged role of the person's groups, or None when none of them is mapped."""
    found = {groups[g] for g in claim_values(claims, claim) if g in groups}
    return next((r for r in ROLE_RANK if r in found), None)


def user_name(claims: Mapping[str, object]) -> str:
    """Who signed in, for the audit log and the sidebar: e-mail, else user name, name or subject."""
    for key in ("email", "preferred_username", "name", "sub"):
        if claims.get(key):
            return str(claims[key])
    return ""


def auth_problems(auth: Mapping[str, object]) -> list[str]:
    """What keeps ``[auth]`` from working with ``st.login()``, one German line each; [] when it is complete."""
    problems = [f"[auth] {key} fehlt" for key in AUTH_KEYS if not str(auth.get(key) or "").strip()]
    problems += [f"[auth] {key} ist noch der Platzhalter des Beispiels" for key in AUTH_KEYS
                 if PLACEHOLDER in str(auth.get(key) or "")]
    if not str(auth.get("redirect_uri") or "/oauth2callback").rstrip("/").endswith("/oauth2callback"):
        problems.append("[auth] redirect_uri muss auf /oauth2callback enden")
    if 0 < len(str(auth.get("cookie_secret") or "")) < 32 and PLACEHOLDER not in str(auth.get("cookie_secret")):
        problems.append("[auth] cookie_secret ist zu kurz (mindestens 32 Zeichen, zufällig)")
    return problems


def is_local_address(address: str | None) -> bool:
    """True for a loopback address or ``localhost``; an empty address means every interface, so False."""
    text = (address or "").strip().strip("[]")
    if text.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def remote_visitor(ip: object) -> bool:
    """True when the visitor's address (``st.context.ip_address``: None for loopback) is another machine's.
    Anything but an address string (no client, as under AppTest) is not a remote visitor."""
    return isinstance(ip, str) and bool(ip.strip()) and not is_local_address(ip)


def signin_expired(claims: Mapping[str, object], max_age_hours: float, now: float | None = None) -> bool:
    """True when the sign-in (the ID token's ``iat``) is older than ``max_age_hours``."""
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or max_age_hours <= 0:
        return False
    return (time.time() if now is None else now) - issued > max_age_hours * 3600


# ---------------------------------------------------------------- settings from secrets.toml
def secrets_section(name: str) -> dict:
    """A section of the secrets files as a plain dict; {} when there is no secrets file or no such section."""
    if not st.secrets.load_if_toml_exists():
        return {}
    value = st.secrets.get(name)
    return value.to_dict() if hasattr(value, "to_dict") else dict(value or {})


def mode(environ: Mapping[str, str] = os.environ) -> Mode:
    if truthy(environ.get(PUBLIC_ENV)):
        return Mode.PUBLIC
    # Any [auth] section means sign-in, even an incomplete one: a broken configuration must never fall back to
    # local mode's Kompetenzstelle.
    return Mode.SIGNIN if secrets_section("auth") else Mode.LOCAL


# ---------------------------------------------------------------- the session's access
@dataclass(frozen=True)
class Decision:
    """The Access of this session, or None with why not (``refusal``: "nur-lokal", "anmelden", "abgelaufen",
    "kein-zugang")."""

    mode: Mode
    access: Access | None
    refusal: str = ""
    claims: Mapping[str, object] | None = None


def local_access() -> Access:
    """Local mode's Access: the role from ``$REGIONALMONITOR_ROLE``, else ``[regionalmonitor] role``, else the
    Kompetenzstelle. A value that names no role gives the least (Partner): a typo never widens access."""
    configured = os.environ.get(ROLE_ENV) or secrets_section(SETTINGS).get("role")
    if not configured:
        return FULL
    role = Role.parse(str(configured))
    return Access(role) if role else PUBLIC


def signin_configured() -> bool:
    """True when an identity provider is configured (any ``[auth]`` section in ``.streamlit/secrets.toml``)."""
    return mode() is Mode.SIGNIN


def _signed_in(settings: Mapping[str, object]) -> Decision:
    """Sign-in mode: the role from the ID token's claims in Streamlit's signed cookie (``st.user``)."""
    if not st.user.get("is_logged_in"):
        return Decision(Mode.SIGNIN, None, "anmelden")
    claims = {k: v for k, v in st.user.to_dict().items() if k != "tokens"}
    try:
        max_age = float(settings.get("max_age_hours", DEFAULT_MAX_AGE_HOURS))
    except (TypeError, ValueError):
        max_age = DEFAULT_MAX_AGE_HOURS
    if signin_expired(claims, max_age):
        return Decision(Mode.SIGNIN, None, "abgelaufen", claims)
    groups, _ = group_mapping(settings.get("groups"))
    role = role_from_claims(claims, str(settings.get("role_claim") or DEFAULT_ROLE_CLAIM), groups)
    if role is None:
        return Decision(Mode.SIGNIN, None, "kein-zugang", claims)
    return Decision(Mode.SIGNIN, Access(role, user_name(claims)), claims=claims)


def decide() -> Decision:
    """This session's access (see the module docstring)."""
    current = mode()
    if current is Mode.PUBLIC:
        return Decision(current, PUBLIC)
    if current is Mode.SIGNIN:
        return _signed_in(secrets_section(SETTINGS))
    if remote_visitor(st.context.ip_address):
        return Decision(current, None, "nur-lokal")
    return Decision(current, local_access())


def access() -> Access:
    """The Access of this session (ROLES.md). A session without one was shown its page by :func:`gate`
    and stops here."""
    decision = decide()
    if decision.access is None:
        st.stop()
    return decision.access


# ---------------------------------------------------------------- what the visitor sees
def _page(title: str, text: str) -> None:
    st.title("Regionalmonitor Landkreis Görlitz")
    st.subheader(title)
    st.write(text)


def _refusal_page(decision: Decision) -> None:
    if decision.refusal == "nur-lokal":
        _page("Nur auf diesem Rechner",
              "Dieser Regionalmonitor läuft im lokalen Modus ohne Anmeldung und ist nur auf dem Rechner "
              "erreichbar, auf dem er gestartet wurde.")
        return
    if decision.refusal == "kein-zugang":
        _page("Kein Zugang",
              "Sie sind angemeldet, Ihrem Konto ist aber keine Rolle im Regionalmonitor zugeordnet. Bitte wenden "
              f"Sie sich an die {OFFICE} (Strukturentwicklung, Wirtschaftsförderung), wenn Sie Zugang brauchen.")
        if st.button("Abmelden", icon=":material/logout:"):
            st.logout()
        return
    expired = decision.refusal == "abgelaufen"
    _page("Anmeldung" if not expired else "Anmeldung abgelaufen",
          ("Ihre Anmeldung ist abgelaufen. " if expired else "")
          + "Bitte melden Sie sich mit Ihrem Konto der Kreisverwaltung an.")
    if st.button("Anmelden", type="primary", icon=":material/login:"):
        st.login()


#: Sign-ins already written to the audit log in this process (subject, time of sign-in), newest last; bounded.
_RECORDED: OrderedDict[tuple[str, str], None] = OrderedDict()
_RECORDED_LOCK = threading.Lock()
_RECORDED_MAX = 10_000


def _record_signin(decision: Decision) -> None:
    """Write the sign-in to the audit log once: a sign-in is one ID token (subject + time issued); each new tab
    or reload of the same sign-in starts a session with the same cookie and is not counted again."""
    claims = decision.claims or {}
    key = (str(claims.get("sub", "")), str(claims.get("iat", "")))
    if st.session_state.get("_auth_recorded") == key:
        return
    with _RECORDED_LOCK:
        new = key not in _RECORDED
        _RECORDED[key] = None
        while len(_RECORDED) > _RECORDED_MAX:
            _RECORDED.popitem(last=False)
    if new:
        audit.record(decision.access, "anmeldung")
    st.session_state["_auth_recorded"] = key


def _sidebar_note(decision: Decision) -> None:
    sb = st.sidebar
    if decision.mode is Mode.LOCAL:
        sb.caption(":material/computer: **Lokaler Modus** – ohne Anmeldung, nur auf diesem Rechner erreichbar")
    elif decision.mode is Mode.PUBLIC:
        sb.caption(":material/public: **Öffentliche Ansicht** – nur öffentliche Initiativen")
    else:
        sb.text(f"Angemeldet: {decision.access.user}")  # from the identity provider: shown as text
        if sb.button("Abmelden", icon=":material/logout:"):
            st.logout()


def gate() -> Access:
    """At the top of app.py, before anything of the data: show the sign-in, "Kein Zugang" or local-only page
    and stop the run when this session has no Access; otherwise write a new sign-in to the audit log, show
    the mode (and the sign-out) in the sidebar and return the Access."""
    # What `python -m monitor.app.serve` settles before the server starts (see serve.py), settled here too for a
    # plain `streamlit run app.py`: Streamlit routes page URLs to the files in pages/ alone, without this gate,
    # until some run reaches st.navigation, which a refused run never does.
    PagesManager.uses_pages_directory = False
    decision = decide()
    if decision.access is None:
        _refusal_page(decision)
        st.stop()
    if decision.mode is Mode.SIGNIN:
        _record_signin(decision)
    _sidebar_note(decision)
    return decision.access
