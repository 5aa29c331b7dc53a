"""The DuckDB bulk path for GENESIS flat files (``genesis_ffcsv``) and INKAR exports.

DuckDB reads only the needed columns into a temp table (parallel, in file order); region key, dims, value and
period are parsed once per *distinct* raw value into small lookup tables and joined back, instead of once per
row (``_BulkPlan``). ``load_statistics_file(..., as_view=True)`` (the build) copies nothing further: the file's
rows are a view over that temp table and the lookups, with a summary table of counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from etl.issues import InputError, Issue
from etl.keys import hint_layers, region_key_layers
from etl.statistics.detect import INKAR_COLUMNS, split_cells
from etl.statistics.encoding import refuse_long_lines, refuse_mixed_encoding, scan_encoding, transcode
from etl.statistics.file_issues import MAX_LISTED_ISSUES, error, warning
from etl.statistics.staging import BULK_TEMP_TABLES, STAGING_COLUMNS, LoadResult, Target, sql_literal, summary_sql
from etl.statistics.values import EXPECT_PERIOD, value_refusal

_REJECT_TEXT = {
    "MISSING COLUMNS": "Die Zeile hat zu wenige Felder (abgeschnittene Zeile?).",
    "TOO MANY COLUMNS": "Die Zeile hat zu viele Felder (Semikolon im Text ohne Anführungszeichen?).",
    "UNQUOTED VALUE": "Anführungszeichen in der Zeile sind nicht korrekt geschlossen.",
    "LINE SIZE OVER MAXIMUM": "Die Zeile ist ungewöhnlich lang (fehlender Zeilenumbruch?).",
    "INVALID ENCODING": "Die Zeile enthält ungültige Zeichen (Zeichenkodierung).",
}


def _header_cells(path: Path, encoding: str) -> list[str]:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for line in fh:
            if line.strip():
                return [c.strip() for c in split_cells(line.lstrip("\ufeff").rstrip("\r\n"))]
    return []


def _flat_title(path: Path, encoding: str, fmt: str) -> str | None:
    """statistics_label (Statistik_Label) of the first data line of a flat file; None for INKAR."""
    if fmt != "genesis_ffcsv":
        return None
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        lines = [ln for _, ln in zip(range(2), (x for x in fh if x.strip()))]
    if len(lines) < 2:
        return None
    cells = split_cells(lines[1].rstrip("\r\n"))
    return cells[1].strip() or None if len(cells) > 1 else None


@dataclass(frozen=True)
class _BulkPlan:
    """How a bulk file becomes staging rows, in three steps that keep per-row work small:

    1. ``raw``: the needed columns only, read by DuckDB into the temp table ``rm_raw`` (file order, so a row's
       line is its rowid + 2; no window function, the read stays parallel);
    2. ``lookups``: per distinct raw tuple (region columns, value, period, …) the parsed result, computed once
       per distinct value instead of once per row (temp tables ``rm_l_*``);
    3. ``select``: rows of ``rm_raw`` joined with the lookups, in the column order of ``stg_statistic``.
    """

    raw: dict[str, str]  # rm_raw column -> file column (c1..cn)
    #: in order: (table, key columns, SQL over relation "d" of the distinct keys, SQL of "d" when not rm_raw's
    #: keys); key columns None: the SQL makes the table itself (rm_groups: rows per series and region columns)
    lookups: list[tuple[str, list[str] | None, str, str | None]]
    select: str  # SQL over "r" (rm_raw rows with line) and the lookup tables; placeholders {source} {fmt}
    rows: str = "select rowid + 2 as line, * from rm_raw"  # the relation "r"
    #: the summary (SUMMARY_COLUMNS) from raw groups joined with the lookups, valid when no row is invalid or an
    #: empty INKAR value (a cheaper pass than grouping the parsed rows); None: always the full summary
    fast_summary: str | None = None


def _nd_join(table: str, keys: list[str], left: str = "r") -> str:
    cond = " and ".join(f"{left}.{k} is not distinct from {table}.{k}" for k in keys)
    return f"left join {table} on {cond}"


_VALUE_LOOKUP = ("select v, q, pv.value as value, case when pv.flag = 'invalid' then 'invalid' "
                 "else coalesce(pv.flag, rm_q_flag(q)) end as vflag "
                 "from (select *, rm_value_t(rm_trim(coalesce(v, ''))) as pv from d)")
_PERIOD_LOOKUP = "select t, rm_period_t(rm_trim(coalesce(t, ''))) as per from d"


def _ffcsv_layout(path: Path, header: list[str]) -> _BulkPlan:
    """The plan for a GENESIS flat file (current English or older German header); InputError when the header
    was changed."""
    low = [h.strip().lower() for h in header]
    col = {name: f"c{i + 1}" for i, name in enumerate(low)}
    old = low[0] == "statistik_code"
    if old:
        block_re = re.compile(r"^(\d+)_(merkmal_code|merkmal_label|auspraegung_code|auspraegung_label)$")
        parts = {"merkmal_code": "code", "merkmal_label": "label", "auspraegung_code": "attr",
                 "auspraegung_label": "attr_label"}
        required = ["statistik_code", "zeit"]
        time_col = "zeit"
        stat_col = "statistik_code"
    else:
        block_re = re.compile(r"^(\d+)_variable_(code|label|attribute_code|attribute_label)$")
        parts = {"code": "code", "label": "label", "attribute_code": "attr", "attribute_label": "attr_label"}
        required = ["statistics_code", "time", "value", "value_unit", "value_variable_code"]
        time_col = "time"
        stat_col = "statistics_code"
    expected_hdr = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;…;value;value_unit;"
                    "value_variable_code;value_variable_label[;value_q]" if not old else
                    "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;…;CODE__Label__Einheit")
    missing = [r for r in required if r not in col]
    if missing:
        raise InputError(error(path, f"Die Kopfzeile ist verändert: Spalte {missing[0]!r} fehlt.", row=1,
                               column=missing[0], value=";".join(header), expected=expected_hdr))
    if len(set(low)) != len(low):
        dup = next(h for h in low if low.count(h) > 1)
        raise InputError(error(path, "Die Kopfzeile enthält eine Spalte doppelt.", row=1, column=dup,
                               expected=expected_hdr))
    blocks: dict[int, dict[str, str]] = {}
    value_cols: list[tuple[str, str, str]] = []  # (column, variable_code, unit) for the old layout
    for i, name in enumerate(low):
        m = block_re.match(name)
        if m:
            blocks.setdefault(int(m.group(1)), {})[parts[m.group(2)]] = f"c{i + 1}"
        elif old and "__" in header[i]:
            pieces = header[i].strip().split("__")
            value_cols.append((f"c{i + 1}", pieces[0].strip(), pieces[-1].strip() if len(pieces) > 2 else ""))
    for n, b in sorted(blocks.items()):
        for part in ("code", "attr", "attr_label"):
            if part not in b:
                raise InputError(error(path, f"Die Kopfzeile ist verändert: Merkmalsblock {n} ist unvollständig.",
                                       row=1, value=";".join(header), expected=expected_hdr))
    if old and not value_cols:
        raise InputError(error(path, "Die Kopfzeile ist verändert: keine Wertspalte (CODE__Label__Einheit) gefunden.",
                               row=1, value=";".join(header), expected=expected_hdr))
    order = sorted(blocks)
    raw = {"stat": col[stat_col], "t": col[time_col]}
    region_keys: list[str] = []
    for n in order:
        raw[f"k{n}"], raw[f"a{n}"], raw[f"l{n}"] = blocks[n]["code"], blocks[n]["attr"], blocks[n]["attr_label"]
        region_keys += [f"k{n}", f"a{n}", f"l{n}"]
    period_name = sql_literal(header[int(col[time_col][1:]) - 1].strip())
    lookups: list[tuple[str, list[str] | None, str, str | None]] = [("rm_l_per", ["t"], _PERIOD_LOOKUP, None)]
    if order:
        # region and dims per distinct combination of the variable blocks (a few thousand, not millions)
        ridx = "case " + " ".join(f"when h{n} is not null then {n}" for n in order) + " else 0 end"
        pick = lambda part: "case ridx " + " ".join(f"when {n} then {part}{n}" for n in order) + " end"  # noqa: E731
        structs = ", ".join(f"{{'c': rm_trim(coalesce(k{n}, '')), 'a': rm_trim(coalesce(a{n}, '')), 'i': {n}}}"
                            for n in order)
        dims = ("array_to_string(list_transform(list_sort(list_filter([" + structs + "], "
                "lambda x: x.i <> ridx and x.a <> '' and x.c <> '')), lambda x: x.c || '=' || x.a), ';')")
        hinted = hint_layers("select * from d", {f"h{n}": f"k{n}" for n in order})
        layered = (f"select *, {pick('a')} as raw_key, {pick('h')} as hint_level, "
                   f"rm_trim({pick('l')}) as region_name, {dims} as dims "
                   f"from (select *, {ridx} as ridx from ({hinted}))")
        keyed = region_key_layers(layered, "raw_key", "hint_level")
        reg_lookup = ("rm_l_reg", region_keys, f"select {', '.join(region_keys)}, region_key, region_level, "
                                               f"region_name, dims from ({keyed})",
                      f"select distinct {', '.join(region_keys)} from rm_groups")
        reg = "rm_l_reg.dims, rm_l_reg.region_key, rm_l_reg.region_level, rm_l_reg.region_name"
    else:
        reg = "'', null::varchar, null::varchar, null::varchar"
    if old:
        for j, (c, _, _) in enumerate(value_cols):
            raw[f"v{j}"] = c
        items = ", ".join(
            f"{{'v': v{j}, 'code': {sql_literal(code)}, 'unit': {sql_literal(unit)}, "
            f"'col': {sql_literal(header[int(c[1:]) - 1].strip())}}}" for j, (c, code, unit) in enumerate(value_cols))
        rows = (f"select * exclude (vc, {', '.join(f'v{j}' for j in range(len(value_cols)))}), vc.v as v, "
                f"null::varchar as q, vc.code as var, nullif(vc.unit, '') as u, vc.col as vcol "
                f"from (select rowid + 2 as line, *, unnest([{items}]) as vc from rm_raw)")
        value_keys_sql = f"select distinct v, q from ({rows})"
        variable, unit, value_column = "r.var", "r.u", "r.vcol"
    else:
        raw.update(v=col["value"], u=col["value_unit"], var=col["value_variable_code"],
                   q=col.get("value_q", "null::varchar"))
        rows = "select rowid + 2 as line, * from rm_raw"
        value_keys_sql = None
        variable, unit, value_column = "rm_trim(r.var)", "rm_trim(r.u)", "'value'"
    lookups.append(("rm_l_val", ["v", "q"], _VALUE_LOOKUP, value_keys_sql))
    if order:
        # rows counted per series and block combination (also the source of the region lookup's keys)
        lookups.append(("rm_groups", None, f"""
            select stat, var, {', '.join(region_keys)}, count(*) as n, min(line) as first_line,
                   bool_and(v in (select v from rm_l_val where vflag = 'zero' or value is null)) as only_dashes
            from ({rows}) r group by all""", None))
        lookups.append(reg_lookup)
    select = f"""
        select {{source}}, {{fmt}}, r.line, rm_trim(r.stat), {variable}, {reg}, rm_l_per.per, rm_l_val.value,
               case when rm_l_per.per is null then 'invalid_period:' || {period_name} || ':' || coalesce(r.t, '')
                    when rm_l_val.vflag = 'invalid' then 'invalid_value:' || {value_column} || ':' || coalesce(r.v, '')
                    else rm_l_val.vflag end,
               {unit}
        from r
        {_nd_join("rm_l_per", ["t"])}
        {_nd_join("rm_l_val", ["v", "q"])}
        {_nd_join("rm_l_reg", region_keys) if order else ""}
    """
    fast = None
    if order:
        on = " and ".join(f"g.{k} is not distinct from rm_l_reg.{k}" for k in region_keys)
        fast = f"""
            select rm_trim(g.stat) as statistic_code, {'g.var' if old else 'rm_trim(g.var)'} as variable_code,
                   rm_l_reg.dims, rm_l_reg.region_key, rm_l_reg.region_level, null::varchar as kind,
                   null::bigint as bad_line, sum(g.n)::bigint as n, min(g.first_line) as first_line,
                   arg_min(rm_l_reg.region_name, g.first_line) as name, bool_and(g.only_dashes) as only_dashes
            from rm_groups g join rm_l_reg on {on}
            group by all
        """
    return _BulkPlan(raw=raw, lookups=lookups, select=select, rows=rows, fast_summary=fast)


def _inkar_layout(path: Path, header: list[str]) -> _BulkPlan:
    """The plan for an INKAR bulk export; InputError when the header was changed."""
    low = [h.strip().lower() for h in header]
    if low[: len(INKAR_COLUMNS)] != INKAR_COLUMNS:
        raise InputError(error(path, "Die Kopfzeile des INKAR-Exports ist verändert.", row=1,
                               value=";".join(header), expected=";".join(c.capitalize() for c in INKAR_COLUMNS)))
    # c1 Bereich c2 ID c3 Kuerzel c4 Indikator c5 Raumbezug c6 Kennziffer c7 Name c8 Zeitbezug c9 Wert
    raw = {"var": "c3", "ind": "c4", "h": "c5", "k": "c6", "name": "c7", "t": "c8", "v": "c9"}
    region = region_key_layers(f"select * from ({hint_layers('select * from d', {'hint_level': 'h'})})",
                               "k", "hint_level")
    lookups = [
        ("rm_l_per", ["t"], _PERIOD_LOOKUP, None),
        # the unit is the last "(…)" of the indicator's name: parsed once per indicator, not once per row
        ("rm_l_unit", ["ind"], "select ind, case when suffix(ind, ')') and contains(ind, '(') "
                               "then nullif(trim(rtrim(split_part(ind, '(', -1), ')')), '') end as unit from d",
         None),
        ("rm_l_val", ["v"], "select v, rm_trim(coalesce(v, '')) = '' as was_empty, pv.value as value, "
                            "case when rm_trim(coalesce(v, '')) = '' then 'inkar_empty' else pv.flag end as vflag "
                            "from (select *, rm_value_t(case when rm_trim(coalesce(v, '')) = '' then '.' "
                            "else rm_trim(v) end) as pv from d)", None),
        ("rm_groups", None, """
            select var, h, k, count(*) as n, min(line) as first_line, arg_min(rm_trim(name), line) as name,
                   bool_and(v in (select v from rm_l_val where vflag = 'zero' or value is null)) as only_dashes
            from (select rowid + 2 as line, * from rm_raw) r group by all""", None),
        ("rm_l_reg", ["h", "k"], f"select h, k, region_key, region_level from ({region})",
         "select distinct h, k from rm_groups"),
    ]
    select = f"""
        select {{source}}, {{fmt}}, r.line, 'INKAR', rm_trim(r.var), '', rm_l_reg.region_key, rm_l_reg.region_level,
               rm_trim(r.name), rm_l_per.per, rm_l_val.value,
               case when rm_l_per.per is null then 'invalid_period:Zeitbezug:' || coalesce(r.t, '')
                    when rm_l_val.vflag = 'invalid' then 'invalid_value:Wert:' || coalesce(r.v, '')
                    else rm_l_val.vflag end,
               rm_l_unit.unit
        from r
        {_nd_join("rm_l_per", ["t"])}
        {_nd_join("rm_l_reg", ["h", "k"])}
        {_nd_join("rm_l_unit", ["ind"])}
        {_nd_join("rm_l_val", ["v"])}
    """
    fast = """
        select 'INKAR' as statistic_code, rm_trim(g.var) as variable_code, '' as dims, rm_l_reg.region_key,
               rm_l_reg.region_level, null::varchar as kind, null::bigint as bad_line, sum(g.n)::bigint as n,
               min(g.first_line) as first_line, arg_min(g.name, g.first_line) as name,
               bool_and(g.only_dashes) as only_dashes
        from rm_groups g join rm_l_reg on g.h is not distinct from rm_l_reg.h and g.k is not distinct from rm_l_reg.k
        group by all
    """
    return _BulkPlan(raw=raw, lookups=lookups, select=select, fast_summary=fast)


def load_bulk(con, path: Path, source_id: str, fmt: str, encoding: str, target: Target,
              check_lines: bool = True) -> LoadResult:
    """Stage a flat file or INKAR export into ``target`` (``check_lines``: scan for overlong lines first);
    InputError for a malformed file or invalid values."""
    if check_lines:
        refuse_long_lines(path)
    header = _header_cells(path, encoding)
    plan = _ffcsv_layout(path, header) if fmt == "genesis_ffcsv" else _inkar_layout(path, header)
    issues: list[Issue] = []
    tmp: Path | None = None
    try:
        read_path = path
        if encoding not in ("utf-8", "utf-8-sig"):
            tmp = transcode(path, encoding)
            read_path = tmp
        rows, rejects = _run_bulk(con, read_path, source_id, fmt, header, plan, target)
        if rejects and all(r[1] == "INVALID ENCODING" for r in rejects) and tmp is None:
            # the first MiB was UTF-8, later bytes are not: decide on the whole file and transcode
            target.discard(con)
            target.prepare(con)
            refuse_mixed_encoding(path, encoding)
            encoding = scan_encoding(path)
            if encoding == "utf-8":
                encoding = "cp1252"
            tmp = transcode(path, encoding)
            rows, rejects = _run_bulk(con, tmp, source_id, fmt, header, plan, target)
        if rejects:
            raise InputError([
                error(path, _REJECT_TEXT.get(err_type, "Die Zeile kann nicht gelesen werden.")
                      + f" Gefunden: {len(split_cells(csv_line or ''))} Felder.", row=line,
                      value=csv_line, expected=f"{len(header)} Felder getrennt durch Semikolon wie in der Kopfzeile")
                for line, err_type, csv_line in rejects[:MAX_LISTED_ISSUES]
            ] + ([error(path, f"Insgesamt {len(rejects)} fehlerhafte Zeilen; nur die ersten "
                             f"{MAX_LISTED_ISSUES} sind aufgeführt.")] if len(rejects) > MAX_LISTED_ISSUES else []))
        if rows == 0:
            raise InputError(error(path, "Die Datei enthält keine Datenzeilen, nur die Kopfzeile.",
                                   expected="mindestens eine Datenzeile"))
        if target.as_view:
            target.publish(con, fmt)
            summary = f"{target.name}_summary"
        else:
            summary = "rm_summary"
            con.execute(f"create or replace temp table rm_summary as {summary_sql(target.relation())}")
        try:
            _check_staged(con, path, summary)
            issues += _staged_warnings(con, path, fmt, summary)
        finally:
            con.execute("drop table if exists rm_summary")
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    if fmt == "inkar" and not target.as_view:
        con.execute(f"update {target.table} set flag = 'secret' where source_id = ? and flag = 'inkar_empty'",
                    [source_id])
    return LoadResult(format=fmt, encoding=encoding, rows=rows, issues=issues,
                      title=_flat_title(path, encoding, fmt), stand=None)


def _run_bulk(con, read_path: Path, source_id: str, fmt: str, header: list[str], plan: _BulkPlan,
              target: Target):
    """Read via DuckDB read_csv into ``rm_raw``, build the lookups, then insert the rows into the target's
    table or (``as_view``) keep ``rm_raw`` and the lookups for the target's view. Returns (rows, rejected
    lines [(line, type, text)])."""
    columns = "{" + ", ".join(f"'c{i + 1}': 'VARCHAR'" for i in range(len(header))) + "}"
    for name in BULK_TEMP_TABLES:
        con.execute(f"drop table if exists {name}")
    keep = False
    try:
        con.execute(
            f"create temp table rm_raw as select {', '.join(f'{c} as {n}' for n, c in plan.raw.items())} "
            f"from read_csv({sql_literal(str(read_path))}, delim=';', quote='\"', escape='\"', header=true, "
            f"auto_detect=false, columns={columns}, all_varchar=true, strict_mode=true, null_padding=false, "
            f"store_rejects=true, rejects_table='rm_rejects', rejects_scan='rm_rejects_scan', max_line_size=1048576)")
        rejects = con.execute(
            "select line, min(error_type), min(csv_line) from rm_rejects group by line order by line").fetchall()
        if rejects:
            return 0, rejects
        for lookup, keys, sql, distinct in plan.lookups:
            if keys is None:  # a table of its own (rm_groups), not a lookup over distinct keys
                con.execute(f"create temp table {lookup} as {sql}")
                continue
            distinct = distinct or f"select distinct {', '.join(keys)} from rm_raw"
            con.execute(f"create temp table {lookup} as with d as ({distinct}) {sql}")
        select = f"with r as ({plan.rows}) " + plan.select.format(source=sql_literal(source_id), fmt=sql_literal(fmt))
        if target.as_view:
            target.view_sql = (f"select * from (select * from ({select})) "
                               f"as rm_v ({', '.join(STAGING_COLUMNS)})")
            target.fast_summary = plan.fast_summary
            keep = True
            return con.execute(f"select count(*) from ({plan.rows})").fetchone()[0], []
        rows = con.execute(f"insert into {target.table} {select}").fetchall()[0][0]
        return rows, []
    finally:
        if not keep:
            for name in BULK_TEMP_TABLES:
                con.execute(f"drop table if exists {name}")


def _check_staged(con, path: Path, summary: str) -> None:
    """Raise InputError for staged rows marked invalid (value or period), up to 50 + a summary; ``summary``
    is a table of :data:`SUMMARY_COLUMNS` over the file's rows."""
    n_bad = con.execute(f"select coalesce(sum(n), 0) from {summary} where kind like 'invalid%'").fetchone()[0]
    if not n_bad:
        return
    bad = con.execute(f"select bad_line, kind from {summary} where kind like 'invalid%' "
                      "order by bad_line, kind limit ?", [MAX_LISTED_ISSUES]).fetchall()
    issues = []
    for line, flag in bad:
        kind, column, raw = flag.split(":", 2)
        if kind == "invalid_period":
            issues.append(error(path, "Ungültiger Zeitbezug.", row=line, column=column, value=raw,
                                expected=EXPECT_PERIOD))
        else:
            message, expected = value_refusal(raw)
            issues.append(error(path, message, row=line, column=column, value=raw, expected=expected))
    if n_bad > len(bad):
        issues.append(error(path, f"Insgesamt {n_bad} ungültige Werte; nur die ersten {len(bad)} sind aufgeführt."))
    raise InputError(issues)


def _staged_warnings(con, path: Path, fmt: str, summary: str) -> list[Issue]:
    """Warnings for rows without a usable region key and (INKAR) empty values, from the file's summary."""
    out = []
    n, first_line, raw = con.execute(
        f"select sum(n)::bigint, min(first_line), arg_min(name, first_line) from {summary} "
        "where region_key is null").fetchone()
    if n:
        out.append(warning(path, f"{n} Zeilen ohne verwendbaren Regionalschlüssel (z. B. Summenzeilen "
                               f"'Insgesamt' oder eine unbekannte Regionalebene); sie werden keiner Region zugeordnet.",
                           row=first_line, value=raw,
                           expected="AGS (8-stellig), Kreis (5), Land (2), Regierungsbezirk (3), DG"))
    if fmt == "inkar":
        n, first_line = con.execute(f"select sum(n)::bigint, min(first_line) from {summary} "
                                    "where kind = 'inkar_empty'").fetchone()
        if n:
            out.append(warning(path, f"{n} leere Werte im INKAR-Export; geladen als 'unbekannt' (ohne Wert).",
                               row=first_line, column="Wert"))
    return out
