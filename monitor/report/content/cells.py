"""DataFrame cells as the plain Python values a report table holds (None, date, int, float, str)."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd


def plain(v):
    """A DataFrame cell as a plain Python value: None for missing, ``date`` for timestamps, int/float/str."""
    if v is None:
        return None
    if isinstance(v, (str, bool)):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def rounded(v, decimals: int):
    """``v`` rounded to the indicator's decimals (None stays None)."""
    return None if v is None else round(float(v), decimals)


def as_date(v) -> dt.date | None:
    """A cell as a ``date`` (None when missing; ISO text is parsed)."""
    v = plain(v)
    if v is None:
        return None
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])
