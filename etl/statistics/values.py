"""Values, GENESIS special values and periods: the Python parsers (table path) and the same rules as SQL
macros (bulk path); tests/etl/test_statistics.py checks both agree."""
from __future__ import annotations

import math
import re
from datetime import date

from etl.keys import install_sql_macros

_FLAG_SUFFIX = {"p": "provisional", "r": "revised", "s": "estimated", "e": "final"}
_SPECIAL = {"-": (0.0, "zero"), ".": (None, "secret"), "...": (None, "later"), "/": (None, "unreliable"),
            "x": (None, "not_applicable"), "X": (None, "not_applicable")}
# A number: plain (decimal comma or point, no grouping), or German grouping by thousands points, which is
# unambiguous with a decimal comma ('1.812,4') or with two or more points ('1.812.345'). One point before
# exactly three digits ('1.812') is ambiguous (1812 or 1,812) and refused, see ``value_refusal``.
_PLAIN = r"-?[0-9]+(?:[.,][0-9]+)?"
_GROUPED = r"-?[1-9][0-9]{0,2}(?:(?:\.[0-9]{3})+,[0-9]+|(?:\.[0-9]{3}){2,})"
_AMBIGUOUS = r"-?[1-9][0-9]{0,2}\.[0-9]{3}"
_NUM = rf"(?:{_GROUPED}|{_PLAIN})"
# As the SQL macros below read them (RE2): ASCII digits only, whitespace [ \t\n\f\r], the end of the text at \Z
# (``$`` would also match before a final newline).
_S = r"[ \t\n\f\r]"
_RE_NUM = re.compile(rf"^{_NUM}\Z", re.ASCII)
_RE_AMBIGUOUS = re.compile(rf"^{_AMBIGUOUS}\Z", re.ASCII)
_RE_LIMITED = re.compile(rf"^\({_S}*({_NUM}){_S}*\)\Z", re.ASCII)
_RE_SUFFIX = re.compile(rf"^({_NUM}){_S}*([prsePRSE])\Z", re.ASCII)
_RE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)
_RE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\Z", re.ASCII)
_RE_YEAR = re.compile(r"^([12]\d{3})\Z", re.ASCII)
# INKAR multi-year means: the end of the last year
_RE_YEAR_RANGE = re.compile(rf"^(\d{{4}}){_S}*-{_S}*(\d{{4}})\Z", re.ASCII)

EXPECT_VALUE = ("Zahl (Dezimalkomma oder -punkt; Tausenderpunkte nur zusammen mit Dezimalkomma wie 1.812,4) "
                "oder Zeichen - . ... / x (12,3) 12p")
AMBIGUOUS_VALUE = ("Mehrdeutiger Wert: ein Punkt vor genau drei Ziffern kann Tausenderpunkt oder Dezimalpunkt sein "
                   "(1.812 = 1812 oder 1,812).")
EXPECT_UNAMBIGUOUS = ("die Datei ohne Tausendertrennzeichen exportieren (1812 oder 1,812) oder mit Dezimalkomma "
                      "(1.812,0)")
INVALID_VALUE = "Ungültiger Wert: weder Zahl noch Sonderzeichen der amtlichen Statistik."
EXPECT_PERIOD = "Datum 2024-12-31 oder 31.12.2024, Jahr 2024 oder Zeitraum 2019-2021"
#: The blanks stripped around a cell: the same as the SQL macro ``rm_trim`` (etl/keys.py), so both paths agree.
_BLANKS = " \t"


def parse_value(raw: str | None) -> tuple[float | None, str | None] | None:
    """Parse one cell: (value, flag), or None when the cell is neither a number nor a GENESIS symbol.

    An empty cell is invalid (None) too: exports write a symbol for every missing value; so is a number beyond
    the range of a double (it would be stored as infinity).
    """
    v = (raw or "").strip(_BLANKS)
    if v in _SPECIAL:
        return _SPECIAL[v]
    if m := _RE_NUM.match(v):
        number, flag = m.group(0), None
    elif m := _RE_LIMITED.match(v):
        number, flag = m.group(1), "limited"
    elif m := _RE_SUFFIX.match(v):
        number, flag = m.group(1), _FLAG_SUFFIX[m.group(2).lower()]
    else:
        return None
    if _RE_AMBIGUOUS.match(number):
        return None
    if number.count(".") > 1 or ("." in number and "," in number):  # thousands points (German grouping)
        number = number.replace(".", "")
    value = float(number.replace(",", "."))
    return (value, flag) if math.isfinite(value) else None


def value_refusal(raw: str | None) -> tuple[str, str]:
    """Why a cell that ``parse_value`` refused is refused: (German message, what is expected)."""
    v = (raw or "").strip(_BLANKS)
    inner = v.strip("() ")
    inner = inner[:-1].rstrip() if inner[-1:].lower() in _FLAG_SUFFIX else inner
    if _RE_AMBIGUOUS.match(inner):
        return AMBIGUOUS_VALUE, EXPECT_UNAMBIGUOUS
    return INVALID_VALUE, EXPECT_VALUE


def parse_period(raw: str | None) -> date | None:
    """'2024-12-31', '31.12.2024' or '2024' (→ 31.12.2024); None when not a valid date."""
    t = (raw or "").strip(_BLANKS)
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


# The same rules in SQL (bulk path). tests/etl/test_statistics.py checks both agree.
_SQL_VALUE_MACROS = [
    # rm_num: a number text as double, NULL when not a number or ambiguous (same patterns as the Python side)
    r"""create or replace temp macro rm_num(s) as (
    case
        when regexp_full_match(s, '@PLAIN@') then
            case when regexp_full_match(s, '@AMBIGUOUS@') then null::double
                 else cast(replace(s, ',', '.') as double) end
        when regexp_full_match(s, '@GROUPED@') then cast(replace(replace(s, '.', ''), ',', '.') as double)
        else null::double
    end
)""".replace("@PLAIN@", _PLAIN).replace("@AMBIGUOUS@", _AMBIGUOUS).replace("@GROUPED@", _GROUPED),
    r"""create or replace temp macro rm_num_flag(n, f) as (
    case when n is null or isinf(n) then {'value': null::double, 'flag': 'invalid'} else {'value': n, 'flag': f} end
)""",
    r"""create or replace temp macro rm_value_t(v) as (
    case
        when regexp_full_match(v, '@NUM@') then rm_num_flag(rm_num(v), null::varchar)
        when v = '-' then {'value': 0.0::double, 'flag': 'zero'}
        when v = '.' then {'value': null::double, 'flag': 'secret'}
        when v = '...' then {'value': null::double, 'flag': 'later'}
        when v = '/' then {'value': null::double, 'flag': 'unreliable'}
        when v in ('x', 'X') then {'value': null::double, 'flag': 'not_applicable'}
        when regexp_full_match(v, '\(\s*@NUM@\s*\)') then rm_num_flag(rm_num(trim(v, '() ')), 'limited')
        when regexp_full_match(v, '@NUM@\s*[prsePRSE]') then
            rm_num_flag(rm_num(trim(v[1:-2])),
                        case lower(v[-1]) when 'p' then 'provisional' when 'r' then 'revised'
                                          when 's' then 'estimated' else 'final' end)
        else {'value': null::double, 'flag': 'invalid'}
    end
)""".replace("@NUM@", _NUM),
    "create or replace temp macro rm_value(raw) as rm_value_t(rm_trim(coalesce(raw, '')))",
    # cheap tests first (this runs once per row on national files); same results as parse_period
    r"""create or replace temp macro rm_period_t(t) as (
    case
        when length(t) = 4 then
            case when try_cast(t as usmallint) between 1000 and 2999
                 then make_date(cast(t as integer), 12, 31) else null::date end
        when length(t) = 10 and t[5:5] = '-' and t[8:8] = '-' then
            case when regexp_full_match(t, '[0-9]{4}-[0-9]{2}-[0-9]{2}') and t[1:4] <> '0000'
                 then try_strptime(t, '%Y-%m-%d')::date else null::date end
        when regexp_full_match(t, '[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}') and t[-4:] <> '0000'
            then try_strptime(t, '%d.%m.%Y')::date
        when regexp_full_match(t, '[0-9]{4}\s*-\s*[0-9]{4}') and t[-4:] <> '0000'
            then make_date(cast(t[-4:] as integer), 12, 31)
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
