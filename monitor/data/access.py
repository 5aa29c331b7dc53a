"""Who may see what: the role of a session and what it grants. Pure (no Streamlit); decided on the server by
``monitor.app.auth.access()`` and carried inside :class:`monitor.data.filters.Filters`, so every loader enforces it.

- **Kompetenzstelle**: everything, including contact persons (name, e-mail, phone) and, later, data updates.
- **Leitung**: everything except contact data (non-public initiatives and their internal fields, the internal report).
- **Partner**: public initiatives and their public fields only; no contact data; the public report only.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The three roles; the value is what the configuration (and the ID-token group mapping) names."""

    KOMPETENZSTELLE = "kompetenzstelle"
    LEITUNG = "leitung"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        """The German name shown on screen."""
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, text: str | None) -> "Role | None":
        """The role named by ``text`` (value or German label, any case, blanks trimmed); None when unknown."""
        wanted = (text or "").strip().lower()
        return next((r for r in cls if wanted in (r.value, ROLE_LABELS[r].lower())), None)


ROLE_LABELS = {Role.KOMPETENZSTELLE: "Kompetenzstelle", Role.LEITUNG: "Leitung", Role.PARTNER: "Partner"}
#: Most privileged first (several groups of one person: the first role that matches wins).
ROLE_RANK = (Role.KOMPETENZSTELLE, Role.LEITUNG, Role.PARTNER)


@dataclass(frozen=True)
class Access:
    """The role of one session and the signed-in person (name or e-mail for the audit log; '' in local mode).
    Frozen and hashable: part of the cache keys of everything it restricts."""

    role: Role = Role.KOMPETENZSTELLE
    user: str = ""

    @property
    def contacts(self) -> bool:
        """May see contact persons' names, e-mails and phone numbers (never in an export, for no role)."""
        return self.role is Role.KOMPETENZSTELLE

    @property
    def internal(self) -> bool:
        """May see non-public initiatives, their internal fields (status notes) and the internal report."""
        return self.role in (Role.KOMPETENZSTELLE, Role.LEITUNG)

    @property
    def data_updates(self) -> bool:
        """May change data (later) and read the audit log."""
        return self.role is Role.KOMPETENZSTELLE

    @property
    def label(self) -> str:
        """'Leitung' (the role's German name)."""
        return self.role.label


#: The office's own tools (the report CLI, the ETL, tests of data code) see everything.
FULL = Access(Role.KOMPETENZSTELLE)
#: The most restricted access: what a public read-only instance gives everyone.
PUBLIC = Access(Role.PARTNER)
