"""Who may see what: the role of a session and what it grants (the shared interface of issue #16, ROLES.md).

Pure values, no Streamlit: the app decides the Access of a session on the server (``monitor/app/auth.py``),
the data layer reads it.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    KOMPETENZSTELLE = "kompetenzstelle"
    LEITUNG = "leitung"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {Role.KOMPETENZSTELLE: "Kompetenzstelle", Role.LEITUNG: "Leitung", Role.PARTNER: "Partner"}


@dataclass(frozen=True)
class Access:
    """The role of a session; ``user`` names the signed-in person for the audit log ("" in local mode)."""

    role: Role
    user: str = ""

    @property
    def contacts(self) -> bool:
        """Contact persons' names, e-mails and phones."""
        return self.role is Role.KOMPETENZSTELLE

    @property
    def internal(self) -> bool:
        """Non-public initiatives and their non-public fields, the internal report."""
        return self.role in (Role.KOMPETENZSTELLE, Role.LEITUNG)

    @property
    def data_updates(self) -> bool:
        return self.role is Role.KOMPETENZSTELLE
