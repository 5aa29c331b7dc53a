"""The project's fixed vocabulary: themes (with their one colour each), the status line, value flags and
series breaks.

Used by the ETL (validation, lookup tables) and by the app (labels, colours, order). The colours themselves come
from :mod:`monitor.core.palette` (the theme's ``colour`` is written into the database by the ETL).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from monitor.core.palette import THEME_COLOURS


@dataclass(frozen=True)
class Theme:
    theme_id: str
    name_de: str
    name_en: str
    short_de: str
    colour: str


THEMES: tuple[Theme, ...] = (
    Theme("mobility", "Mobilität", "Mobility", "Mobilität", THEME_COLOURS["mobility"]),
    Theme("supply", "Daseinsvorsorge & Nahversorgung", "Local supply", "Nahversorgung", THEME_COLOURS["supply"]),
    Theme("tourism", "Tourismus", "Tourism", "Tourismus", THEME_COLOURS["tourism"]),
    Theme("value_chains", "Regionale Wertschöpfung", "Regional value chains", "Wertschöpfung",
          THEME_COLOURS["value_chains"]),
)
#: Indicators may also belong to demography (context for every theme); initiatives may not.
DEMOGRAPHY = Theme("demography", "Bevölkerung", "Demography", "Bevölkerung", THEME_COLOURS["demography"])
INDICATOR_THEMES: tuple[Theme, ...] = THEMES + (DEMOGRAPHY,)

THEME_BY_ID = {t.theme_id: t for t in INDICATOR_THEMES}

#: The status line in order, then the two states off the line.
STATUS_LINE: tuple[str, ...] = (
    "Idee", "In Beratung", "In Vorbereitung", "Beantragt", "Bewilligt", "In Umsetzung", "Abgeschlossen",
)
STATUS_OFF_LINE: tuple[str, ...] = ("Ruht", "Verworfen")
STATUSES: tuple[str, ...] = STATUS_LINE + STATUS_OFF_LINE
STATUS_RANK = {s: i + 1 for i, s in enumerate(STATUSES)}

#: How files and pages flag sample data (the ETL's synthetic sources).
SAMPLE_DATA_NOTE = "Beispieldaten – keine amtlichen Zahlen"

ORIGINS: tuple[str, ...] = ("Bürgerschaft", "Gemeinde", "Verein", "Landratsamt", "Unternehmen", "Wissenschaft")

#: Flags of indicator values (DATA.md §2) and their German explanation.
VALUE_FLAGS = {
    "zero": "nichts vorhanden (genau null)",
    "secret": "unbekannt oder geheim zu halten",
    "later": "noch nicht verfügbar",
    "unreliable": "Aussagewert eingeschränkt, nicht veröffentlicht",
    "not_applicable": "Nachweis nicht sinnvoll",
    "limited": "eingeschränkte Aussagekraft",
    "provisional": "vorläufig",
    "revised": "berichtigt",
    "estimated": "geschätzt",
    "final": "endgültig",
    "break": "Bruch in der Zeitreihe (neue Basis)",
}


@dataclass(frozen=True)
class SeriesBreak:
    """A break in an indicator series: values from ``date`` on are on a new basis (e.g. census 2022)."""

    date: dt.date
    note: str


def parse_series_break(text: str | None) -> SeriesBreak | None:
    """``'2022-05-15|Zensus 2022'`` -> ``SeriesBreak(date(2022, 5, 15), 'Zensus 2022')``; empty -> None."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
        return None
    day, _, note = str(text).partition("|")
    try:
        date = dt.date.fromisoformat(day.strip()[:10])
    except ValueError:
        return None
    return SeriesBreak(date, note.strip() or "Bruch in der Zeitreihe")


def flag_label(flag) -> str:
    """German reason for a flagged value, e.g. ``'secret' -> 'unbekannt oder geheim zu halten'``."""
    if flag is None or (isinstance(flag, float) and pd.isna(flag)) or flag is pd.NA:
        return "kein Wert"
    if flag == "missing":
        return "kein Wert geliefert"
    return VALUE_FLAGS.get(str(flag), str(flag))
