"""German number, money and date formatting (de-DE): ``1.234,5``, ``1.234.567 €``, ``31.12.2024``.

Pure functions; None/NaN become an en dash so a missing value never looks like zero.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

MISSING = "–"


def _is_missing(x) -> bool:
    if x is None or x is pd.NaT:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def number(x, decimals: int = 0) -> str:
    """``1234.5 -> '1.234,5'`` (decimals fixed); missing -> '–'."""
    if _is_missing(x):
        return MISSING
    x = float(x)
    if math.isinf(x):
        return MISSING
    text = f"{x:,.{decimals}f}"  # 1,234.5
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


def eur(x, decimals: int = 0) -> str:
    """``1234567 -> '1.234.567 €'``."""
    return MISSING if _is_missing(x) else f"{number(x, decimals)} €"


def eur_compact(x) -> str:
    """Short money for cards: ``1234567 -> '1,2 Mio. €'``, ``45600 -> '45.600 €'``."""
    if _is_missing(x):
        return MISSING
    x = float(x)
    if abs(x) >= 1e9:
        return f"{number(x / 1e9, 1)} Mrd. €"
    if abs(x) >= 1e6:
        return f"{number(x / 1e6, 1)} Mio. €"
    return eur(x)


def percent(x, decimals: int = 0) -> str:
    """A share given in percent points: ``12.34 -> '12 %'`` (``decimals`` after the comma)."""
    return MISSING if _is_missing(x) else f"{number(x, decimals)} %"


def share(part, whole, decimals: int = 0) -> str:
    """``part / whole`` as percent text; '–' when whole is 0 or missing."""
    if _is_missing(part) or _is_missing(whole) or float(whole) == 0:
        return MISSING
    return percent(100.0 * float(part) / float(whole), decimals)


def yes_no(flag) -> str:
    """A flag as German text: 'ja' when truthy, else 'nein'."""
    return "ja" if flag else "nein"


def date(d) -> str:
    """``2024-12-31 -> '31.12.2024'``."""
    if _is_missing(d):
        return MISSING
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    if isinstance(d, pd.Timestamp):
        d = d.date()
    return d.strftime("%d.%m.%Y")


def month(d) -> str:
    """``2024-03-01 -> '03/2024'``."""
    if _is_missing(d):
        return MISSING
    d = pd.Timestamp(d)
    return f"{d.month:02d}/{d.year}"


def value_with_unit(x, unit: str | None, decimals: int = 0) -> str:
    """``(1234.5, 'km', 1) -> '1.234,5 km'``; a '%' unit is written with a thin space like other units."""
    text = number(x, decimals)
    return text if text == MISSING or not unit else f"{text} {unit}"


def stand_text(stand) -> str:
    """Subtitle text naming the data date: ``'Stand: 31.12.2024'`` (or 'Stand: unbekannt').

    Accepts a date, a Timestamp, an ISO string or an already formatted text."""
    if isinstance(stand, str):
        try:
            text = date(stand) if len(stand) >= 10 and stand[4] == "-" else stand
        except ValueError:
            text = stand
    else:
        text = date(stand)
    return f"Stand: {text}" if text and text != MISSING else "Stand: unbekannt"
