"""Values, GENESIS special values and periods: the Python parsers (table path) and the same rules as SQL
macros (bulk path); tests/test_statistics.py checks both agree."""
from __future__ import annotations

import re
from datetime import date

from etl.keys import install_sql_macros

_FLAG_SUFFIX = {"p": "provisional", "r": "revised", "s": "estimated", "e": "final"}
_SPECIAL = {"-": (0.0, "zero"), ".": (None, "secret"), "...": (None, "later"), "/": (None, "unreliable"),
            "x": (None, "not_applicable"), "X": (None, "not_applicable")}
_NUM = r"-?[0-9]+(?:[.,][0-9]+)?"
_RE_NUM = re.compile(rf"^{_NUM}$")
_RE_LIMITED = re.compile(rf"^\(\s*({_NUM})\s*\)$")
_RE_SUFFIX = re.compile(rf"^({_NUM})\s*([prsePRSE])$")
_RE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_RE_YEAR = re.compile(r"^([12]\d{3})$")
_RE_YEAR_RANGE = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")  # INKAR multi-year means: end of the last year

EXPECT_VALUE = "Zahl (Dezimalkomma oder -punkt, ohne Tausendertrennzeichen) oder Zeichen - . ... / x (12,3) 12p"
EXPECT_PERIOD = "Datum 2024-12-31 oder 31.12.2024, Jahr 2024 oder Zeitraum 2019-2021"


def parse_value(raw: str | None) -> tuple[float | None, str | None] | None:
    """Parse one cell: (value, flag), or None when the cell is neither a number nor a GENESIS symbol.

    An empty cell is invalid (None) too: exports write a symbol for every missing value.
    """
    v = (raw or "").strip()
    if v in _SPECIAL:
        return _SPECIAL[v]
    if _RE_NUM.match(v):
        return float(v.replace(",", ".")), None
    m = _RE_LIMITED.match(v)
    if m:
        return float(m.group(1).replace(",", ".")), "limited"
    m = _RE_SUFFIX.match(v)
    if m:
        return float(m.group(1).replace(",", ".")), _FLAG_SUFFIX[m.group(2).lower()]
    return None


def parse_period(raw: str | None) -> date | None:
    """'2024-12-31', '31.12.2024' or '2024' (→ 31.12.2024); None when not a valid date."""
    t = (raw or "").strip()
    try:
        m = _RE_ISO.match(t)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _RE_DE.match(t)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _RE_YEAR.match(t) or _RE_YEAR_RANGE.match(t)
        if m:
            return date(int(m.group(m.lastindex)), 12, 31)
    except ValueError:
        return None
    return None


# The same rules in SQL (bulk path). tests/test_statistics.py checks both agree.
_SQL_VALUE_MACROS = [
    r"""create or replace temp macro rm_value_t(v) as (
    case
        when regexp_full_match(v, '-?[0-9]+([.,][0-9]+)?') then {'value': cast(replace(v, ',', '.') as double), 'flag': null::varchar}
        when v = '-' then {'value': 0.0::double, 'flag': 'zero'}
        when v = '.' then {'value': null::double, 'flag': 'secret'}
        when v = '...' then {'value': null::double, 'flag': 'later'}
        when v = '/' then {'value': null::double, 'flag': 'unreliable'}
        when v in ('x', 'X') then {'value': null::double, 'flag': 'not_applicable'}
        when regexp_full_match(v, '\(\s*-?[0-9]+([.,][0-9]+)?\s*\)') then
            {'value': cast(replace(trim(v, '() '), ',', '.') as double), 'flag': 'limited'}
        when regexp_full_match(v, '-?[0-9]+([.,][0-9]+)?\s*[prsePRSE]') then
            {'value': cast(replace(trim(v[1:-2]), ',', '.') as double),
             'flag': case lower(v[-1]) when 'p' then 'provisional' when 'r' then 'revised'
                                      when 's' then 'estimated' else 'final' end}
        else {'value': null::double, 'flag': 'invalid'}
    end
)""",
    "create or replace temp macro rm_value(raw) as rm_value_t(rm_trim(coalesce(raw, '')))",
    # cheap tests first (this runs once per row on national files); same results as parse_period
    r"""create or replace temp macro rm_period_t(t) as (
    case
        when length(t) = 4 then
            case when try_cast(t as usmallint) between 1000 and 2999
                 then make_date(cast(t as integer), 12, 31) else null::date end
        when length(t) = 10 and t[5:5] = '-' and t[8:8] = '-' then
            case when regexp_full_match(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
                 then try_strptime(t, '%Y-%m-%d')::date else null::date end
        when regexp_full_match(t, '[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}') then try_strptime(t, '%d.%m.%Y')::date
        when regexp_full_match(t, '[0-9]{4}\s*-\s*[0-9]{4}') then make_date(cast(t[-4:] as integer), 12, 31)
        else null::date
    end
)""",
    "create or replace temp macro rm_period(raw) as rm_period_t(rm_trim(coalesce(raw, '')))",
    """create or replace temp macro rm_q_flag(q) as (
    case coalesce(q, '') when '' then null when 'p' then 'provisional' when 'r' then 'revised'
        when 's' then 'estimated' when 'e' then 'final'
        else case lower(rm_trim(q)) when 'p' then 'provisional' when 'r' then 'revised'
                  when 's' then 'estimated' when 'e' then 'final' else null end end
)""",
]


def install_macros(con) -> None:
    """Create the temp macros for keys, values and periods on a connection (idempotent)."""
    install_sql_macros(con)
    for stmt in _SQL_VALUE_MACROS:
        con.execute(stmt)
