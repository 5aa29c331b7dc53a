"""The language of what is shown: German (the default) or English.

Every text a person reads goes through ``_("German text")`` (or ``ngettext`` for counts) at the moment it is
shown, never at import time, so one process serves German and English sessions side by side. The language of
the running script (a Streamlit session's run, a report being written) is a context variable: the app sets it
from the link (``?lang=en``) at the top of each run, the report CLI from its ``--lang`` option.

German is the source language: with ``de`` the message is returned as written.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

LANGUAGES = ("de", "en")
DEFAULT = "de"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("regionalmonitor_language", default=DEFAULT)


def normalise(code: object) -> str:
    """A language code from a link or an option (``'EN'``, ``'en-GB'``) as one of ``LANGUAGES``; else German."""
    text = str(code or "").strip().lower().replace("_", "-").split("-")[0]
    return text if text in LANGUAGES else DEFAULT


def current() -> str:
    """The language of the running script."""
    return _current.get()


def set_language(code: object) -> str:
    """Make ``code`` (normalised) the language of the running script; returns what was set."""
    lang = normalise(code)
    _current.set(lang)
    return lang


@contextlib.contextmanager
def language(code: object) -> Iterator[str]:
    """Within the block, texts are in ``code`` (for a report written in another language than the page)."""
    token = _current.set(normalise(code))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """``message`` (German) in the current language."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural German message for ``n``, in the current language."""
    return singular if n == 1 else plural
