"""The indicator catalogue (``indikatoren.csv``): which indicators exist and where their values come from.

Two methods:
- ``file``: values are rows of the staged statistics matching (file, statistic, variable, dims);
- ``formula``: values are computed from other indicators per region and period, either an arithmetic
  expression over ``{indicator_id}`` placeholders (``{gp_count} / {population} * 10000``) or
  ``change_pct({id})``, the change to the previous period in percent.

A formula value is NULL when an input is NULL (it keeps that input's flag) or a divisor is 0
(flag ``not_applicable``); ``change_pct`` across a series break is NULL with flag ``break``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.issues import Issue, short
from etl.reference import _frame
from monitor.core.vocab import THEME_BY_ID

COLUMNS = ["indicator_id", "name_de", "name_en", "theme", "unit", "higher_is_better", "decimals", "source",
           "licence", "definition", "method", "source_file", "source_statistic", "source_variable",
           "source_dims", "formula", "series_break"]
REQUIRED = ["indicator_id", "name_de", "theme", "unit", "source", "licence", "definition", "method"]
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TOKEN_RE = re.compile(r"\s*(?:(\{[a-z][a-z0-9_]*\})|(\d+(?:\.\d+)?)|([-+*/()]))")
#: Flags of an input that carry over to a computed value (the value exists but is qualified).
SOFT_FLAGS = "'limited', 'provisional', 'estimated', 'revised'"
CHANGE_RE = re.compile(r"^\s*change_pct\(\s*\{([a-z][a-z0-9_]*)\}\s*\)\s*$")


@dataclass(frozen=True)
class Formula:
    indicator_id: str
    kind: str  # "expr" | "change_pct"
    inputs: tuple[str, ...]
    tokens: tuple[str, ...]  # for expr: the token stream


def parse_formula(indicator_id: str, text: str) -> Formula:
    """Parse a formula; raises ValueError with a German reason."""
    m = CHANGE_RE.match(text)
    if m:
        return Formula(indicator_id, "change_pct", (m.group(1),), ())
    pos, tokens, depth = 0, [], 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"unerwartetes Zeichen an Stelle {pos + 1}")
        tok = next(g for g in m.groups() if g is not None)
        depth += tok == "("
        depth -= tok == ")"
        if depth < 0:
            raise ValueError("Klammern passen nicht zusammen")
        tokens.append(tok)
        pos = m.end()
    if depth != 0 or not tokens:
        raise ValueError("Klammern passen nicht zusammen" if tokens else "leere Formel")
    inputs = tuple(dict.fromkeys(t[1:-1] for t in tokens if t.startswith("{")))
    if not inputs:
        raise ValueError("die Formel nennt keinen Indikator in {geschweiften Klammern}")
    return Formula(indicator_id, "expr", inputs, tuple(tokens))


def read_catalogue(path: Path) -> tuple[pd.DataFrame, dict[str, Formula], list[Issue]]:
    """``indikatoren.csv`` -> (rows of table ``indicator``, formulas by id in dependency order, issues)."""
    df, issues = _frame(path, REQUIRED, [c for c in COLUMNS if c not in REQUIRED])
    if df.empty:
        if not issues:
            issues.append(Issue("error", "Der Katalog enthält keine Indikatoren.", file=path.name,
                                expected="mindestens einen Indikator"))
        return pd.DataFrame(columns=COLUMNS), {}, issues
    rows, formulas, seen = [], {}, {}
    for rec in df.to_dict("records"):
        row = rec["_row"]

        def err(msg: str, col: str, expected: str, row=row, rec=rec) -> None:
            issues.append(Issue("error", msg, file=path.name, row=row, column=col, value=short(rec.get(col)),
                                expected=expected))

        iid = rec["indicator_id"]
        if not ID_RE.match(iid):
            err("Ungültige Indikator-ID.", "indicator_id", "Kleinbuchstaben, Ziffern und _ (z. B. population)")
            continue
        if iid in seen:
            err(f"Indikator-ID doppelt (schon in Zeile {seen[iid]}).", "indicator_id", "eindeutige IDs")
            continue
        seen[iid] = row
        if rec["theme"] not in THEME_BY_ID:
            err("Unbekanntes Thema.", "theme", ", ".join(THEME_BY_ID))
        hib = rec["higher_is_better"].lower()
        if hib not in ("ja", "nein", ""):
            err("Unklare Angabe.", "higher_is_better", "ja, nein oder leer (neutral)")
        try:
            decimals = int(rec["decimals"] or 0)
        except ValueError:
            err("Keine ganze Zahl.", "decimals", "Anzahl Nachkommastellen, z. B. 1")
            decimals = 0
        method = rec["method"]
        if method == "file":
            if not rec["source_statistic"] or not rec["source_variable"]:
                err("Für method=file fehlen Statistik oder Merkmal.", "source_statistic",
                    "source_statistic und source_variable wie in der Exportdatei")
        elif method == "formula":
            try:
                formulas[iid] = parse_formula(iid, rec["formula"])
            except ValueError as exc:
                err(f"Formel nicht lesbar: {exc}.", "formula",
                    "z. B. {arzte} / {population} * 10000 oder change_pct({population})")
        else:
            err("Unbekannte Methode.", "method", "file oder formula")
        if rec["series_break"]:
            try:
                pd.Timestamp(rec["series_break"].split("|", 1)[0])
            except ValueError:
                err("Bruchdatum nicht lesbar.", "series_break", "JJJJ-MM-TT|Hinweis")
        rows.append({
            "indicator_id": iid, "name_de": rec["name_de"], "name_en": rec["name_en"] or rec["name_de"],
            "theme": rec["theme"], "unit": rec["unit"],
            "higher_is_better": {"ja": True, "nein": False}.get(hib), "decimals": decimals,
            "source": rec["source"], "licence": rec["licence"], "definition": rec["definition"],
            "method": method, "source_file": rec["source_file"] or None,
            "source_statistic": rec["source_statistic"] or None, "source_variable": rec["source_variable"] or None,
            "source_dims": rec["source_dims"] or "", "formula": rec["formula"] or None,
            "series_break": rec["series_break"] or None, "_row": row,
        })
    ordered, order_issues = _dependency_order(formulas, set(seen), path.name, {r["indicator_id"]: r["_row"]
                                                                            for r in rows})
    issues += order_issues
    out = pd.DataFrame(rows, columns=COLUMNS + ["_row"]).drop(columns="_row")
    return out, ordered, issues


def _dependency_order(formulas: dict[str, Formula], known: set[str], file: str,
                      rows: dict[str, int]) -> tuple[dict[str, Formula], list[Issue]]:
    issues, done, ordered = [], set(known) - set(formulas), {}
    for f in formulas.values():
        for dep in f.inputs:
            if dep not in known:
                issues.append(Issue("error", f"Formel nennt unbekannten Indikator {dep!r}.", file=file,
                                    row=rows.get(f.indicator_id), column="formula", value=dep,
                                    expected="eine indicator_id aus dem Katalog"))
    if issues:
        return {}, issues
    pending = dict(formulas)
    while pending:
        ready = [i for i, f in pending.items() if all(d in done for d in f.inputs)]
        if not ready:
            for i in pending:
                issues.append(Issue("error", "Formeln hängen im Kreis voneinander ab.", file=file,
                                    row=rows.get(i), column="formula", value=i,
                                    expected="keine zirkulären Bezüge"))
            return {}, issues
        for i in ready:
            ordered[i] = pending.pop(i)
            done.add(i)
    return ordered, issues


def formula_sql(f: Formula, series_break: str | None) -> str:
    """SELECT producing (indicator_id, region_key, period, year, value, flag, source_id) for a formula."""
    if f.kind == "change_pct":
        src = f.inputs[0]
        brk = f"date '{series_break.split('|', 1)[0]}'" if series_break else "null"
        return f"""
        with s as (
            select region_key, period, year, value, flag, source_id,
                   lag(value) over w as prev_value, lag(flag) over w as prev_flag,
                   lag(period) over w as prev_period
            from indicator_value where indicator_id = '{src}'
            window w as (partition by region_key order by period)
        )
        select '{f.indicator_id}' as indicator_id, region_key, period, year,
               case when prev_period is null then null
                    when {brk} is not null and prev_period < {brk} and period >= {brk} then null
                    when value is null or prev_value is null or prev_value = 0 then null
                    else (value / prev_value - 1) * 100 end as value,
               case when {brk} is not null and prev_period < {brk} and period >= {brk} then 'break'
                    when value is null then flag
                    when prev_value is null then prev_flag
                    when prev_value = 0 then 'not_applicable'
                    when flag in ({SOFT_FLAGS}) then flag
                    when prev_flag in ({SOFT_FLAGS}) then prev_flag end as flag,
               source_id
        from s where prev_period is not null"""
    alias = {dep: f"v{i}" for i, dep in enumerate(f.inputs)}
    expr_parts = []
    for tok in f.tokens:
        if tok.startswith("{"):
            expr_parts.append(f"{alias[tok[1:-1]]}.value")
        elif tok == "/":
            expr_parts.append("/")  # x / 0 gives inf in DuckDB: reported as not_applicable below
        else:
            expr_parts.append(tok)
    expr = " ".join(expr_parts)
    first = alias[f.inputs[0]]
    joins = "\n".join(
        f"join indicator_value {a} on {a}.indicator_id = '{dep}' and {a}.region_key = {first}.region_key "
        f"and {a}.period = {first}.period"
        for dep, a in alias.items() if a != first)
    flags = ", ".join(f"case when {a}.value is null then {a}.flag end" for a in alias.values())
    soft = ", ".join(f"case when {a}.flag in ({SOFT_FLAGS}) then {a}.flag end" for a in alias.values())
    sources = " || '+' || ".join(f"{a}.source_id" for a in alias.values()) if len(alias) > 1 \
        else f"{first}.source_id"
    return f"""
        with x as (
            select {first}.region_key, {first}.period, {first}.year,
                   ({" or ".join(f"{a}.value is null" for a in alias.values())}) as any_null,
                   coalesce({flags}) as null_flag, coalesce({soft}) as soft_flag,
                   try_cast({expr} as double) as raw, {sources} as source_id
            from indicator_value {first}
            {joins}
            where {first}.indicator_id = '{f.inputs[0]}'
        )
        select '{f.indicator_id}' as indicator_id, region_key, period, year,
               case when any_null or raw is null or isinf(raw) or isnan(raw) then null else raw end as value,
               case when any_null then null_flag
                    when raw is null or isinf(raw) or isnan(raw) then 'not_applicable'
                    else soft_flag end as flag,
               source_id
        from x"""


#: A formula indicator without a break of its own takes the latest break among the indicators it is computed
#: from, directly or through other formulas (a share of the population breaks where the population does):
#: the date and note of that break, the note naming the input(s) it comes from. Run once after the catalogue is
#: loaded, before the formulas are computed (``change_pct`` of a derived indicator then respects it too).
INHERIT_SERIES_BREAKS = """
    update indicator as t set series_break = s.series_break
    from (
        with recursive edge as (
            select f.indicator_id as child, i.indicator_id as parent
            from indicator f join indicator i on contains(f.formula, '{' || i.indicator_id || '}')
            where f.method = 'formula'
        ), ancestor(child, parent) as (
            select child, parent from edge
            union
            select a.child, e.parent from ancestor a join edge e on e.child = a.parent
        ), breaks as (
            select a.child, trim(split_part(p.series_break, '|', 1)) as day,
                   coalesce(nullif(trim(split_part(p.series_break, '|', 2)), ''), 'Bruch in der Zeitreihe') as note,
                   p.name_de
            from ancestor a join indicator p on p.indicator_id = a.parent
            where nullif(trim(p.series_break), '') is not null
        ), latest as (
            select child, max(day) as day from breaks group by child
        )
        select b.child as indicator_id,
               b.day || '|' || min(b.note) || ' (übernommen aus '
                   || string_agg(distinct b.name_de, ', ' order by b.name_de) || ')' as series_break
        from breaks b join latest l on l.child = b.child and l.day = b.day
        group by b.child, b.day
    ) s
    where t.indicator_id = s.indicator_id and t.method = 'formula' and nullif(trim(t.series_break), '') is null
"""


def inherit_series_breaks(con) -> None:
    """Give every formula indicator without a break of its own the break of its inputs
    (:data:`INHERIT_SERIES_BREAKS`) in table ``indicator`` of ``con``."""
    con.execute(INHERIT_SERIES_BREAKS)
