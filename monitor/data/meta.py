"""The build facts of the loaded database (table ``meta``), parsed in one place, and "today" for every date rule.

:func:`info` returns a frozen :class:`DataInfo` per database version: the data Stand, the Stand of the statistics,
whether synthetic (sample) data is loaded, the district's key and name, the Land's key and name when the ETL
recorded them. Pages, the report and the Steckbrief read these facts here, never from ``meta`` themselves.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from monitor.core.cache import memo
from monitor.data import db

TODAY_ENV = "REGIONALMONITOR_TODAY"
_TRUE = ("true", "1", "ja", "yes")


@dataclass(frozen=True)
class DataInfo:
    """Facts of one database version. Dates are None when the ETL did not record them."""

    stand: dt.date | None  # data Stand of the whole database (the portfolio's Stand)
    stand_statistics: dt.date | None  # newest reference date of the statistics
    synthetic: bool  # sample data (Beispieldaten) is loaded
    district_key: str | None
    district_name: str  # e.g. 'Landkreis Görlitz' ('Landkreis' when not recorded)
    state_key: str | None
    state_name: str | None
    facts: Mapping[str, str]  # every row of ``meta`` (read-only)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def parse(rows: Mapping[str, str]) -> DataInfo:
    """A :class:`DataInfo` from the key/value rows of table ``meta``."""
    return DataInfo(
        stand=_date(rows.get("stand")),
        stand_statistics=_date(rows.get("stand_statistics")),
        synthetic=str(rows.get("synthetic", "")).strip().lower() in _TRUE,
        district_key=rows.get("district_key") or None,
        district_name=rows.get("district_name") or "Landkreis",
        state_key=rows.get("state_key") or None,
        state_name=rows.get("state_name") or None,
        facts=MappingProxyType(dict(rows)),
    )


def info() -> DataInfo:
    """The facts of the database version queries read now (raises ``db.DatabaseMissing`` / ``duckdb.Error``)."""
    return _info(db.current_stamp())


@memo(16)
def _info(stamp: tuple) -> DataInfo:
    df = db.query("select key, value from meta")
    return parse(dict(zip(df["key"], df["value"])))


def today() -> dt.date:
    """"Today" for every date rule (overdue, ending soon): ``$REGIONALMONITOR_TODAY`` (ISO date) or the real date."""
    value = os.environ.get(TODAY_ENV)
    return dt.date.fromisoformat(value) if value else dt.date.today()
