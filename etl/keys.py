"""Regional keys of the statistics portals → one normalised key and level.

Rules (DATA.md §1). Keys are strings and keep their leading zeros.

| raw key                         | result                          |
| ------------------------------- | ------------------------------- |
| ``DG``                          | ``DG``, bund                    |
| 2 digits (``14``)               | Land, ``14``                    |
| 3 digits (``146``)              | Regierungsbezirk/Region, regbez |
| 5 digits (``14626``)            | district, kreis                 |
| 8 digits (``14626110``)         | municipality (AGS), gemeinde    |
| 8 digits + hint kreis (``14626000``) | district ``14626`` (INKAR padding) |
| 8 digits + hint land (``14000000``)  | Land ``14``                |
| 9 digits (``146265302``)        | Gemeindeverband (INKAR), verband |
| 12 digits (ARS ``146260000110``)| AGS = first 5 + last 3, gemeinde |

An 8-digit key ending in ``000`` is *never* taken for a district without a hint: kreisfreie Städte have
real AGS like ``14612000`` (Dresden). A key that lost its leading zero (a spreadsheet turned ``01001`` into
``1001``) is padded back when its length is odd-one-out (1, 4, 7, 11 digits, or 8 with hint verband).

The same rules exist in SQL (``SQL_MACROS`` + ``region_key_layers``) for the bulk path in ``etl.statistics``;
``tests/etl/test_keys.py`` checks both give the same answer.
"""
from __future__ import annotations

import re

LEVELS = ("gemeinde", "kreis", "land", "bund", "verband", "regbez")

# Hints as they appear in the sources → level. GENESIS variable codes (regionalstatistik.de,
# GENESIS-Online, Zensus database) and INKAR's Raumbezug column; matched case-insensitively.
_HINT_EXACT = {
    # own level names
    **{lv: lv for lv in LEVELS},
    # GENESIS / regionalstatistik.de regional variables
    "dinsg": "bund",
    "dland": "land",
    "regbez": "regbez",
    "kreise": "kreis",
    "gemein": "gemeinde",
    "gemeind": "gemeinde",
    "gemeinde": "gemeinde",
    # INKAR Raumbezug
    "bund": "bund",
    "deutschland": "bund",
    "länder": "land",
    "laender": "land",
    "bundesländer": "land",
    "regierungsbezirke": "regbez",
    "kreise und kreisfreie städte": "kreis",
    "gemeinden": "gemeinde",
    "gemeindeverbände": "verband",
    "gemeindeverbaende": "verband",
    "verbandsgemeinden": "verband",
}
# Zensus-2022 database variables: GEODL1 (Germany), GEOBL1 (Länder), GEORB1, GEOKR1, GEOGM1..4, GEOVB1
_HINT_PREFIX = (("geodl", "bund"), ("geobl", "land"), ("georb", "regbez"), ("geokr", "kreis"),
                ("geogm", "gemeinde"), ("geovb", "verband"))


def level_from_hint(hint: str | None) -> str | None:
    """Map a level hint (own level name, GENESIS regional variable code, INKAR Raumbezug) to a level.

    Returns None for no hint or an unknown one (then the key's shape alone decides).
    """
    if hint is None:
        return None
    h = hint.strip().lower()
    if not h:
        return None
    if h in _HINT_EXACT:
        return _HINT_EXACT[h]
    for prefix, level in _HINT_PREFIX:
        if h.startswith(prefix):
            return level
    return None


_DIGITS = re.compile(r"^[0-9]+\Z")


def normalise_region_key(raw: str, level_hint: str | None = None) -> tuple[str, str] | None:
    """Return (region_key, level) for a raw key from a statistics file, or None when unusable.

    ``level_hint`` is a level name, a GENESIS regional variable code (KREISE, GEMEIN, DLAND, DINSG,
    REGBEZ, GEO…) or an INKAR Raumbezug (Kreise, Gemeinden, Gemeindeverbände, …); it only resolves
    ambiguous shapes (padded 8-digit keys, lost leading zeros) and rejects contradictions.
    """
    if raw is None:
        return None
    key = str(raw).strip(' "\t')
    hint = level_from_hint(level_hint)
    if not key:
        return None
    if key.upper() == "DG":
        return ("DG", "bund")
    if hint == "bund" and key.strip("0") == "":
        return ("DG", "bund")  # INKAR writes Germany as 0 / 00000000
    if not _DIGITS.match(key):
        return None
    n = len(key)
    if n in (1, 4, 7, 11) or (n == 8 and hint == "verband"):
        key = "0" + key  # leading zero lost on the way
        n += 1
    if n == 2:
        return (key, "land")
    if n == 3:
        return (key, "regbez")
    if n == 5:
        return (key, "kreis")
    if n == 9:
        return (key, "verband")
    if n == 12:
        return (key[:5] + key[9:], "gemeinde")
    if n == 8:
        if hint == "kreis":
            return (key[:5], "kreis") if key.endswith("000") else None
        if hint == "land":
            return (key[:2], "land") if key[2:] == "000000" else None
        if hint == "regbez":
            return (key[:3], "regbez") if key[3:] == "00000" else None
        return (key, "gemeinde")
    return None


# ------------------------------------------------------------------ the same rules in SQL
# DuckDB expands macro arguments textually: a macro that uses its argument twenty times copies the argument
# expression twenty times per row. The bulk path therefore computes each step as its own column
# (hint_layers, region_key_layers); the one-call macro rm_level_hint is for single values.
#
# rm_trim(s)                 trim blanks/tabs only when there are any (trim() is costly per row)
# rm_level_hint(code)        level from a hint (GENESIS variable code / INKAR Raumbezug), NULL if unknown
# region_key_layers(...)     adds region_key / region_level from a raw key and a hint level (SQL text)
_FAST_HINTS = ("DINSG", "DLAND", "REGBEZ", "KREISE", "GEMEIN", "Bund", "Länder", "Regierungsbezirke", "Kreise",
               "Gemeinden", "Gemeindeverbände")


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


SQL_MACROS: list[str] = [
    """create or replace temp macro rm_trim(s) as (
    case when prefix(s, ' ') or suffix(s, ' ') or prefix(s, chr(9)) or suffix(s, chr(9)) then trim(s, ' ' || chr(9))
         else s end
)""",
    # exact usual spellings, on the raw code
    "create or replace temp macro rm_level_hint_fast(code) as (case code\n"
    + "\n".join(f"        when {_q(h)} then {_q(level_from_hint(h))}" for h in _FAST_HINTS)
    + "\n        else null end)",
    # the full rule on the lower-cased, trimmed hint h
    "create or replace temp macro rm_level_hint_h(h) as (case\n"
    + "\n".join(f"        when h = {_q(k)} then {_q(v)}" for k, v in sorted(_HINT_EXACT.items()))
    + "\n" + "\n".join(f"        when starts_with(h, {_q(p)}) then {_q(lv)}" for p, lv in _HINT_PREFIX)
    + "\n        else null end)",
    "create or replace temp macro rm_hint_norm(code) as lower(rm_trim(coalesce(code, '')))",
    """create or replace temp macro rm_level_hint(code) as
    coalesce(rm_level_hint_fast(code), rm_level_hint_h(rm_hint_norm(code)))""",
    """create or replace temp macro rm_clean_key(raw) as (
    case when raw is null then ''
         when prefix(raw, ' ') or suffix(raw, ' ') or prefix(raw, '"') or suffix(raw, '"')
              or prefix(raw, chr(9)) or suffix(raw, chr(9)) then trim(raw, ' "' || chr(9))
         else raw end
)""",
    """create or replace temp macro rm_key_padded(k, hint) as (
    case
        when length(k) in (1, 4, 7, 11) or (length(k) = 8 and hint is not distinct from 'verband') then '0' || k
        else k
    end
)""",
    # kp: cleaned and padded key; returns the normalised key or NULL
    """create or replace temp macro rm_region_key_clean(kp, hint) as (
    case
        when kp = '' then null
        when kp in ('DG', 'dg', 'Dg', 'dG') then 'DG'
        when hint is not distinct from 'bund' and regexp_full_match(kp, '0+') then 'DG'
        when not regexp_full_match(kp, '[0-9]+') then null
        when length(kp) in (2, 3, 5, 9) then kp
        when length(kp) = 12 then kp[1:5] || kp[10:12]
        when length(kp) = 8 then
            case
                when hint is not distinct from 'kreis' then case when kp[6:8] = '000' then kp[1:5] end
                when hint is not distinct from 'land' then case when kp[3:8] = '000000' then kp[1:2] end
                when hint is not distinct from 'regbez' then case when kp[4:8] = '00000' then kp[1:3] end
                else kp
            end
        else null
    end
)""",
    # the level follows from the normalised key's length
    """create or replace temp macro rm_level_of_key(rk) as (
    case when rk = 'DG' then 'bund'
         else case length(rk) when 2 then 'land' when 3 then 'regbez' when 5 then 'kreis' when 8 then 'gemeinde'
                              when 9 then 'verband' end end
)""",
]


def install_sql_macros(con) -> None:
    """Create the temp macros (rm_trim, rm_level_hint, rm_clean_key, rm_region_key_clean, …) on a connection."""
    for stmt in SQL_MACROS:
        con.execute(stmt)


def hint_layers(relation: str, codes: dict[str, str]) -> str:
    """SQL: ``relation``'s columns plus, for each output name → code expression, the level hint as a column."""
    if not codes:
        return relation
    norm = ", ".join(f"rm_level_hint_fast({expr}) as {name}__f, rm_hint_norm({expr}) as {name}__n"
                     for name, expr in codes.items())
    final = ", ".join(f"coalesce({name}__f, rm_level_hint_h({name}__n)) as {name}" for name in codes)
    drop = ", ".join(f"{name}__f, {name}__n" for name in codes)
    return f"select * exclude ({drop}), {final} from (select *, {norm} from ({relation}))"


def region_key_layers(relation: str, raw_col: str, hint_col: str) -> str:
    """SQL: ``relation``'s columns plus ``region_key`` and ``region_level`` from a raw key and a hint level.

    Each step is its own query layer, so DuckDB evaluates every intermediate once per row.
    """
    return (f"select * exclude (rm_k0, rm_kp), rm_level_of_key(region_key) as region_level from ("
            f"select *, rm_region_key_clean(rm_kp, {hint_col}) as region_key from ("
            f"select *, rm_key_padded(rm_k0, {hint_col}) as rm_kp from ("
            f"select *, rm_clean_key({raw_col}) as rm_k0 from ({relation}))))")
