"""bench/results.md from the benchmarks' figures (the dict bench/run_all.py keeps in bench/out/results.json).

:func:`write_markdown` is the entry point; each section of results.md has its own function that returns the
section's lines. A stage or scale without figures shows as "–" (or its section is left out).
"""
from __future__ import annotations

import statistics
from pathlib import Path

from bench.aims import AIM_BROWSER_MS, AIM_ETL_RATIO, AIM_MEMORY_MB, AIM_SCRIPT_MS, SCALE_LABELS

#: A stage whose speed probe took this much longer than the fastest probe of the run is flagged as slowed.
SLOW_PROBE_FLAG = 1.25
#: A stage during which other programs used more than this share of the machine's CPU capacity is flagged.
FOREIGN_LOAD_FLAG = 0.15


def write_markdown(results: dict, path: Path) -> None:
    """Write ``results`` (machine, data facts, stage entries per scale) as results.md to ``path``."""
    lines = [*_machine_section(results), *_data_section(results),
             "", "## Ziele auf einen Blick", "", *_summary(results), "", "## Ergebnisse", "",
             *_etl_section(results), *_pages_section(results), *_browser_section(results),
             *_memory_section(results), *_report_section(results), *_reading_help_section()]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


# ---------------------------------------------------------------- formatting and lookups
def _num(v, digits: int = 0, unit: str = "") -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "–"
    text = f"{v:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")  # German: 1.234,5
    return f"{text}{unit}"


def _ms(v) -> str:
    return _num(v, 0, " ms")


def _times(v) -> str:
    return _num(v, 1, "×")


def _growth(d, n) -> str:
    if d in (None, 0) or n is None:
        return "–"
    return _times(n / d)


def _mark(value, aim, below: bool = True) -> str:
    if value is None or aim is None:
        return ""
    return " ✓" if (value < aim if below else value <= aim) else " ✗"


def _label(scale: str) -> str:
    return SCALE_LABELS.get(scale, scale)


def _get(results: dict, stage: str, scale: str):
    """The figures of a stage at a scale, or None when it was not measured or failed."""
    entry = results.get("stages", {}).get(stage, {}).get(scale)
    return entry.get("data") if entry and "error" not in entry else None


def _page_titles() -> dict[str, str]:
    from tests.browser_support import app_pages

    from bench.bench_browser import REFERENCES, row_name

    return {**{Path(p.file).stem: p.title for p in app_pages()}, **{row_name(p): p.title for p in REFERENCES}}


def _page_rows(results: dict, stage: str, reference: bool = False) -> dict[str, dict[str, dict]]:
    """page stem -> scale -> the stage's row for that page (the app's pages, or with ``reference`` the
    reference pages of bench/floor_app.py)."""
    rows: dict[str, dict[str, dict]] = {}
    for scale in SCALE_LABELS:
        for row in _get(results, stage, scale) or []:
            if bool(row.get("reference")) == reference:
                rows.setdefault(row["page"], {})[scale] = row
    return rows


# ---------------------------------------------------------------- tables and notes
def _per_page_table(results: dict, stage: str, key: str, title: str, aims: dict[str, float | None],
                    aim_text: str, reference: bool = False) -> list[str]:
    """A table of ``key`` per page and scale with the growth factor and (for the app's pages) the slowest page."""
    rows = _page_rows(results, stage, reference)
    if not rows:
        return []
    titles = _page_titles()
    lines = [f"### {title}", "", f"Ziel: {aim_text}", "",
             "| Seite | Landkreis | National | Wachstum |", "| --- | ---: | ---: | ---: |"]
    values = {"district": [], "national": []}
    for page, by_scale in rows.items():
        cells = []
        for scale in SCALE_LABELS:
            row = by_scale.get(scale)
            if row is None:
                cells.append("–")
            elif "error" in row:
                cells.append("Fehler")
            else:
                v = row.get(key)
                if v is not None:
                    values[scale].append(v)
                cells.append(_ms(v) + _mark(v, aims.get(scale)))
        d, n = (by_scale.get(s, {}).get(key) for s in SCALE_LABELS)
        lines.append(f"| {titles.get(page, page)} | {cells[0]} | {cells[1]} | {_growth(d, n)} |")
    if (values["district"] or values["national"]) and not reference:
        mx = [max(values[s]) if values[s] else None for s in SCALE_LABELS]
        lines.append(f"| **langsamste Seite** | {_ms(mx[0])}{_mark(mx[0], aims.get('district'))} | "
                     f"{_ms(mx[1])}{_mark(mx[1], aims.get('national'))} | {_growth(*mx)} |")
    errors = [f"{titles.get(p, p)} ({_label(s)}): {r['error']}" for p, by in rows.items()
              for s, r in by.items() if "error" in r]
    if errors:
        lines += ["", "Fehler: " + "; ".join(errors)]
    return lines + [""]


def _failures_note(results: dict, stage: str) -> list[str]:
    """Runs that failed and were repeated on a fresh server (bench_browser), with what the page lacked."""
    titles = _page_titles()
    notes = [f"{titles.get(p, p)} ({_label(s)}): {f}" for p, by in _page_rows(results, stage).items()
             for s, r in by.items() for f in r.get("failures") or []]
    if not notes:
        return []
    return ["Fehlgeschlagene und auf einem frischen Server wiederholte Läufe:", "",
            *[f"- {n}" for n in notes], ""]


def _kv_row(label: str, d, n, digits: int = 0, unit: str = "", aim=None, below: bool = True,
            growth: bool = True) -> tuple[str, object, object, str, str]:
    """A row of :func:`_kv_table`: the figures formatted and marked against ``aim``; without ``growth`` the
    table shows no growth factor for it."""
    return (label, d if growth else None, n if growth else None,
            _num(d, digits, unit) + _mark(d, aim, below), _num(n, digits, unit) + _mark(n, aim, below))


def _spec_rows(figures: dict[str, dict | None], spec, below: bool = True) -> list[tuple]:
    """Rows of :func:`_kv_table` from ``spec``: (label, key in the figures, digits, unit, aim, growth)."""
    rows = []
    for label, key, digits, unit, aim, growth in spec:
        d, n = ((figures[s] or {}).get(key) for s in SCALE_LABELS)
        rows.append(_kv_row(label, d, n, digits, unit, aim, below, growth))
    return rows


def _kv_table(title: str, aim_text: str | None, rows: list[tuple[str, object, object, str, str]]) -> list[str]:
    """rows: (label, district, national, formatted district, formatted national)."""
    lines = [f"### {title}", ""]
    if aim_text:
        lines += [f"Ziel: {aim_text}", ""]
    lines += ["| Kennzahl | Landkreis | National | Wachstum |", "| --- | ---: | ---: | ---: |"]
    for label, d, n, fmt_d, fmt_n in rows:
        growth = _growth(d, n) if isinstance(d, (int, float)) and not label.startswith("Verhältnis") else "–"
        lines.append(f"| {label} | {fmt_d} | {fmt_n} | {growth} |")
    return lines + [""]


def _stage_note(results: dict, stage: str) -> str:
    """When and under which load the stage was measured at each scale, and its failure if any."""
    parts = []
    for scale in SCALE_LABELS:
        e = results.get("stages", {}).get(stage, {}).get(scale)
        if e:
            parts.append(f"{_label(scale)}: gemessen {e['measured_at'].replace('T', ' ')}, "
                         f"Last (1 min) {_num(e['load_min'], 1)}–{_num(e['load_max'], 1)}"
                         + (f", fremde CPU-Last {_num(100 * e['foreign_cpu_share'], 0)} %"
                            if e.get("foreign_cpu_share") is not None else "")
                         + (f", Rechenprobe {_num(e['probe_s'], 2)} s" if e.get("probe_s") is not None else "")
                         + (f", **{e['error']}**" if "error" in e else "")
                         + (f" (spätere Wiederholung fehlgeschlagen: {e['last_error']})" if "last_error" in e else ""))
    return "_" + " · ".join(parts) + "_" if parts else ""


# ---------------------------------------------------------------- machine, its load, the data
def _machine_section(results: dict) -> list[str]:
    """The title, the machine and the notes on its load and speed during the stages."""
    m = results.get("machine", {})
    cores = m.get("cores_usable") or m.get("cores") or 1
    dates = sorted(e["measured_at"][:10] for st in results.get("stages", {}).values() for e in st.values())
    return ["# Benchmark-Ergebnisse", "",
            "Erzeugt von `make bench` (`python bench/run_all.py`); Teile lassen sich einzeln wiederholen, z. B. "
            "`python bench/run_all.py --only browser --scale national`. Zeiten sind Wanduhrzeiten; ✓/✗ vergleicht "
            "mit dem Ziel aus dem Auftrag.", "",
            "## Maschine", "",
            f"- Datum der Messungen: {', '.join(sorted(set(dates))) or '–'}",
            f"- CPU: {m.get('cpu', '–')}, {m.get('cores', '–')} Kerne ({m.get('cores_usable', '–')} nutzbar), "
            f"Arbeitsspeicher {_num(m.get('memory_gb'), 1, ' GB')}",
            f"- {m.get('os', '')}, Python {m.get('python', '–')}, DuckDB {m.get('duckdb', '–')}, "
            f"Streamlit {m.get('streamlit', '–')}, Playwright {m.get('playwright', '–')}, "
            f"{m.get('chromium', '–')}",
            *_foreign_lines(results, cores), *_probe_lines(results)]


def _probe_lines(results: dict) -> list[str]:
    """The speed probes of the stages: their range, and the stages during which the machine computed clearly
    slower than in the fastest one (flagged by name)."""
    probes = [(stage, scale, e["probe_s"]) for stage, per in results.get("stages", {}).items()
              for scale, e in per.items() if e.get("probe_s")]
    if not probes:
        return []
    fastest, slowest = min(p for *_, p in probes), max(p for *_, p in probes)
    text = (f"Rechenprobe (dieselbe Python-Schleife gleichzeitig auf jedem Kern, vor und nach jeder Stufe; je Stufe "
            f"unten die langsamere): {_num(fastest, 2)}–{_num(slowest, 2)} s.")
    slow = [(stage, scale, p) for stage, scale, p in probes if p > SLOW_PROBE_FLAG * fastest]
    if not slow:
        return ["", text + " Die Maschine rechnete in allen Stufen etwa gleich schnell."]
    names = ", ".join(f"{stage} {_label(scale)} ({_times(p / fastest)})" for stage, scale, p in slow)
    return ["", f"> **Hinweis:** In einigen Stufen rechnete die Maschine für dieselbe Arbeit deutlich langsamer als "
                f"in der schnellsten (Rechenprobe: {names}); eine virtuelle Maschine bremst so ihr Wirt, ohne dass "
                f"es in ihr als fremde CPU-Zeit erscheint. Die Zeiten dieser Stufen sind pessimistisch. {text}"]


def _foreign_lines(results: dict, cores: int) -> list[str]:
    """The note on the machine's load: flagged when other programs used a notable share of the CPUs during a
    stage (or, for figures without that count, when even the quietest load average exceeded the cores)."""
    entries = [(stage, scale, e) for stage, per in results.get("stages", {}).items() for scale, e in per.items()]
    loads = [e["load_max"] for _, _, e in entries if "load_max" in e]
    shares = [(stage, scale, e["foreign_cpu_share"]) for stage, scale, e in entries
              if e.get("foreign_cpu_share") is not None]
    if shares:
        busy = [(stage, scale, share) for stage, scale, share in shares if share > FOREIGN_LOAD_FLAG]
        top = max(share for _, _, share in shares)
        if busy:
            names = ", ".join(f"{stage} {_label(scale)} ({_num(100 * share, 0)} %)" for stage, scale, share in busy)
            return ["", f"> **Hinweis:** Während einiger Stufen lief auf der Maschine andere CPU-lastige Arbeit "
                        f"(Anteil fremder Programme an der CPU-Leistung: {names}). Deren Zeiten sind "
                        "pessimistisch; auf einer ruhigen Maschine sind sie kürzer."]
        return ["", f"Andere Programme nutzten während jeder Stufe höchstens {_num(100 * top, 0)} % der CPU-Leistung "
                    "(gezählt: belegte CPU-Zeit der Maschine minus der der Messungen). Das Lastmittel über 1 min "
                    f"(bis {_num(max(loads), 1) if loads else '–'} bei {cores} Kernen, je Stufe unten) erzeugen die "
                    "Messungen selbst – Chromium, der Streamlit-Server und DuckDBs Threads – und es hinkt von Stufe "
                    "zu Stufe nach."]
    floors = [e["load_min"] for _, _, e in entries if "load_min" in e]
    if floors and statistics.median(floors) > cores:
        # even the quietest moment of most stages was busier than the machine has cores: other work ran
        return ["", f"> **Hinweis:** Während der Messungen lief auf der Maschine andere CPU-lastige Arbeit "
                    f"(Lastmittel über 1 min bis {_num(max(loads), 1)} bei {cores} Kernen; je Stufe unten "
                    "angegeben). Alle Zeiten sind daher pessimistisch; auf einer ruhigen Maschine sind sie "
                    "kürzer."]
    if loads:
        return ["", f"Lastmittel über 1 min während der Messungen bis {_num(max(loads), 1)} bei {cores} Kernen "
                    "(je Stufe unten angegeben). Die Messungen erzeugen diese Last selbst – Chromium, der "
                    "Streamlit-Server und DuckDBs Threads; zwischen den Stufen fällt sie auf den Leerlauf zurück."]
    return []


#: The data facts' rows: (key, label).
DATA_ROWS = (("municipalities", "Gemeinden"), ("indicators", "Indikatoren"), ("years", "Jahre"),
             ("values", "Indikatorwerte"), ("initiatives", "Initiativen"), ("db_mb", "Datenbankdatei (MB)"))


def _data_section(results: dict) -> list[str]:
    """The size of the built databases per scale (none when no database was measured)."""
    facts = {s: results.get("data", {}).get(s) for s in SCALE_LABELS}
    if not any(facts.values()):
        return []
    lines = ["", "## Datenumfang", "", "| | Landkreis | National | Wachstum |", "| --- | ---: | ---: | ---: |"]
    for key, label in DATA_ROWS:
        d, n = ((facts[s] or {}).get(key) for s in SCALE_LABELS)
        digits = 1 if key == "db_mb" else 0
        lines.append(f"| {label} | {_num(d, digits)} | {_num(n, digits)} | {_growth(d, n)} |")
    return lines


# ---------------------------------------------------------------- the aims at a glance
def _slowest(results: dict, stage: str, key: str, scale: str) -> tuple[float | None, str]:
    """The largest ``key`` over the pages of a stage at a scale, and that page's title."""
    rows = [r for r in _get(results, stage, scale) or [] if r.get(key) is not None and not r.get("reference")]
    if not rows:
        return None, ""
    worst = max(rows, key=lambda r: r[key])
    return worst[key], _page_titles().get(worst["page"], worst["page"])


def _aim_cells(values: dict[str, tuple], fmt_value, aims: dict[str, float | None], below: bool = True) -> str:
    """'Landkreis 200 ms ✓ (Überblick) · National –': each scale's (figure, where) formatted and marked."""
    parts = []
    for scale in SCALE_LABELS:
        v, where = values[scale]
        if v is None:
            parts.append(f"{_label(scale)} –")
        else:
            parts.append(f"{_label(scale)} {fmt_value(v)}{_mark(v, aims[scale], below)}"
                         + (f" ({where})" if where else ""))
    return " · ".join(parts)


def _summary(results: dict) -> list[str]:
    """One line per aim: the figure at each scale with ✓/✗ (the worst page where the aim is per page)."""
    return [*_summary_etl(results), *_summary_pages(results), *_summary_browser(results),
            *_summary_memory(results)]


def _summary_etl(results: dict) -> list[str]:
    """The ETL's ratio to read_csv; its floor, CPU and grown ratios when measured."""
    lines = []
    for key, text, aim, always in (
            ("ratio", f"ETL ≤ {AIM_ETL_RATIO:g}× rohes `read_csv`", AIM_ETL_RATIO, True),
            ("stack_floor_ratio", "Untergrenze dafür (Python-Start mit duckdb, pandas und openpyxl plus das rohe "
                                  "`read_csv`; liegt sie über dem Ziel, ist es mit `python -m etl` nicht erreichbar)",
             None, False),
            ("cpu_ratio", "dasselbe in CPU-Zeit", AIM_ETL_RATIO, False),
            ("grown_ratio", "dasselbe ohne die festen Kosten (Zuwachs über eine Minimalquelle)", AIM_ETL_RATIO,
             False)):
        values = {s: ((_get(results, "etl", s) or {}).get(key), "") for s in SCALE_LABELS}
        if always or any(v for v, _ in values.values()):
            lines.append(f"- {text}: " + _aim_cells(values, _times, {s: aim for s in SCALE_LABELS}, below=False))
    return lines


def _summary_pages(results: dict) -> list[str]:
    """The slowest page's script times against the script aims."""
    lines = []
    for key, label in (("median_ms", "Skriptzeit (Median), langsamste Seite"),
                       ("median_cpu_ms", "Skriptzeit in CPU-Zeit (Median), langsamste Seite"),
                       ("filter_change_ms", "Skriptzeit Filterwechsel, langsamste Seite")):
        values = {s: _slowest(results, "pages", key, s) for s in SCALE_LABELS}
        lines.append(f"- {label} < {AIM_SCRIPT_MS['district']} ms / < {AIM_SCRIPT_MS['national']} ms: "
                     + _aim_cells(values, _ms, AIM_SCRIPT_MS))
    return lines


def _summary_browser(results: dict) -> list[str]:
    """The slowest page's browser times against the browser aim, and the reference pages' warm times."""
    lines = []
    for key, label in (("cold_ms", "Browser bis fertig, kalt"), ("warm_ms", "Browser bis fertig, warm"),
                       ("switch_ms", "Browser bis fertig nach Seitenwechsel in der App"),
                       ("filter_change_ms", "Browser bis fertig nach Filterwechsel")):
        values = {s: _slowest(results, "browser", key, s) for s in SCALE_LABELS}
        lines.append(f"- {label}, langsamste Seite < {AIM_BROWSER_MS / 1000:g} s: "
                     + _aim_cells(values, _ms, {s: AIM_BROWSER_MS for s in SCALE_LABELS}))
    floor = _page_rows(results, "browser", reference=True)
    if floor:
        titles = _page_titles()
        parts = []
        for page, by_scale in floor.items():
            row = next((by_scale[s] for s in SCALE_LABELS if s in by_scale and by_scale[s].get("warm_ms")), None)
            if row:
                parts.append(f"{titles.get(page, page)} warm {_ms(row['warm_ms'])} (kalt {_ms(row['cold_ms'])})")
        if parts:
            lines.append("- zum Vergleich, Grundlast ohne die App: " + " · ".join(parts))
    return lines


def _summary_memory(results: dict) -> list[str]:
    """The server's peak memory against the memory aim."""
    peak = {s: ((_get(results, "memory", s) or {}).get("peak_mb"), "") for s in SCALE_LABELS}
    sessions = next((d["sessions"] for d in (_get(results, "memory", s) for s in SCALE_LABELS) if d), 10)
    return [f"- Speicher-Spitze mit {sessions} Sitzungen < {AIM_MEMORY_MB} MB: "
            + _aim_cells(peak, lambda v: _num(v, 0, " MB"), {s: AIM_MEMORY_MB for s in SCALE_LABELS})]


# ---------------------------------------------------------------- results per stage
#: The ETL table's rows: (label, key, digits, unit, aim, growth factor).
ETL_ROWS = (
    ("Statistikzeilen", "statistics_rows", 0, "", None, True),
    ("Statistikdateien (MB)", "statistics_mb", 1, "", None, True),
    ("ETL `python -m etl` (s)", "etl_s", 2, "", None, True),
    ("DuckDB `read_csv` roh (s)", "raw_read_csv_s", 2, "", None, True),
    ("Verhältnis ETL / read_csv", "ratio", 1, "×", AIM_ETL_RATIO, True),
    ("Untergrenze: frischer Python-Prozess, nur `import duckdb` und dasselbe `read_csv` (s)", "floor_s", 2, "",
     None, True),
    ("Verhältnis Untergrenze / read_csv", "floor_ratio", 1, "×", None, True),
    ("Python-Start mit den Bibliotheken des ETL (`import duckdb, pandas, openpyxl`, s)", "stack_import_s", 2, "",
     None, True),
    ("Verhältnis Untergrenze mit diesen Bibliotheken (Start + `read_csv`) / read_csv: kein "
     "`python -m etl` kann darunter liegen", "stack_floor_ratio", 1, "×", None, True),
    ("CPU-Zeit ETL (s, unabhängig von fremder Last)", "etl_cpu_s", 2, "", None, True),
    ("CPU-Zeit `read_csv` roh (s)", "raw_cpu_s", 2, "", None, True),
    ("Verhältnis der CPU-Zeiten", "cpu_ratio", 1, "×", AIM_ETL_RATIO, True),
    ("ETL einer Minimalquelle (s, feste Kosten)", "etl_fixed_s", 2, "", None, True),
    ("Verhältnis ETL / read_csv ohne feste Kosten (Zuwachs über die Minimalquelle)", "grown_ratio", 1, "×",
     AIM_ETL_RATIO, True),
    ("Spitzenspeicher ETL (MB)", "etl_peak_mb", 0, "", None, True),
    ("Läufe", "runs", 0, "", None, False),
)


def _etl_section(results: dict) -> list[str]:
    """The ETL against DuckDB's raw read_csv, with its floors, CPU times and fixed costs."""
    etl = {s: _get(results, "etl", s) for s in SCALE_LABELS}
    if not any(etl.values()):
        return []
    return [*_kv_table("ETL", f"ETL-Zeit höchstens {AIM_ETL_RATIO:g}× DuckDBs rohes `read_csv` derselben "
                              "Statistikdateien (Median der Läufe, je Lauf ein frischer Prozess)",
                       _spec_rows(etl, ETL_ROWS, below=False)),
            _stage_note(results, "etl"), ""]


def _pages_section(results: dict) -> list[str]:
    """Script time per page under AppTest: median, CPU time, first run, filter change, whole AppTest run."""
    aims = {s: AIM_SCRIPT_MS[s] for s in SCALE_LABELS}
    aim = f"< {AIM_SCRIPT_MS['district']} ms Landkreis, < {AIM_SCRIPT_MS['national']} ms national"
    none = {s: None for s in SCALE_LABELS}
    block = []
    for key, title, table_aims, aim_text in (
            ("median_ms", "Skriptzeit je Seite – Median (warme Caches)", aims, aim),
            ("median_cpu_ms", "Skriptzeit je Seite – CPU-Zeit des Prozesses (Median, unabhängig von fremder Last)",
             aims, aim),
            ("cold_ms", "Skriptzeit je Seite – erster Lauf (leere Caches)", aims,
             aim + " (gilt für den Median; kalt zur Einordnung)"),
            ("filter_change_ms", "Skriptzeit je Seite – Filterwechsel (Thema)", aims, aim),
            ("apptest_median_ms", "Zum Vergleich: ganzer AppTest-Lauf (Median, mit Testumgebung)", none,
             "– (Skriptzeit plus AppTests eigener Aufwand je Lauf)")):
        block += _per_page_table(results, "pages", key, title, table_aims, aim_text)
    if not block:
        return []
    return ["Skriptzeit: die Zeit, die Streamlits Skriptlauf für den Frame `app.py` plus die Seite braucht "
            "(ohne Browser; gemessen in `ScriptRunner._run_script` unter AppTest, `bench/bench_pages.py`). "
            "AppTests eigener Aufwand je Lauf (Schein-Laufzeitumgebung, Komponentenregister, Auswerten der "
            "Elemente; bei einer Seite, die als erste einer Sitzung läuft, rund 160 ms) gehört nicht zur Seite "
            "und steht in der letzten Tabelle mit.",
            "", *block, _stage_note(results, "pages"), ""]


def _browser_section(results: dict) -> list[str]:
    """Time to a finished page in Chromium: cold, warm, page switch, filter change; the reference pages."""
    aims = {s: AIM_BROWSER_MS for s in SCALE_LABELS}
    aim = f"< {AIM_BROWSER_MS / 1000:g} s"
    block = []
    for key, title, table_aims, aim_text in (
            ("cold_ms", "Browser bis zur fertigen Seite – kalt (frischer Server)", aims, aim),
            ("warm_ms", "Browser bis zur fertigen Seite – warm (neue Sitzung)", aims, aim),
            ("switch_ms", "Browser bis zur fertigen Seite – Seitenwechsel in der App (Klick in der Navigation)",
             aims, aim),
            ("filter_change_ms", "Browser bis zur fertigen Seite – Filterwechsel (Klick auf ein Thema)", aims, aim),
            ("warm_script_done_ms", "Browser warm – davon bis zum Ende des Skriptlaufs (Rest: Zeichnen im Browser)",
             {s: None for s in SCALE_LABELS}, "– (Aufteilung der warmen Zeit)")):
        block += _per_page_table(results, "browser", key, title, table_aims, aim_text)
    block += _browser_references(results)
    if not block:
        return []
    return ["Browserzeit: Chromium headless, von `page.goto` (bzw. dem Klick) bis die Seite fertig ist "
            "(Skriptlauf beendet, keine Platzhalter, alle Plotly-Diagramme und deck.gl-Karten gezeichnet); "
            "Median über frische Server je Seite, `bench/bench_browser.py`.", "", *block,
            *_failures_note(results, "browser"), _stage_note(results, "browser"), ""]


def _browser_references(results: dict) -> list[str]:
    """The reference pages of bench/floor_app.py (what Streamlit itself costs), cold and warm."""
    none = {s: None for s in SCALE_LABELS}
    refs = _per_page_table(results, "browser", "cold_ms", "Zum Vergleich: Streamlit selbst – kalt", none,
                           "– (Grundlast: `bench/floor_app.py`, ohne Inhalte der App)", reference=True)
    refs += _per_page_table(results, "browser", "warm_ms", "Zum Vergleich: Streamlit selbst – warm", none,
                            "– (gleiche Messung wie oben, neue Sitzung)", reference=True)
    if not refs:
        return []
    return ["Die Vergleichsseiten zeigen, was Streamlit auf dieser Maschine selbst kostet: eine leere Seite "
            "(JavaScript der Oberfläche laden, verbinden, ein Skriptlauf) und je eine Seite mit einer "
            "einzigen kleinen Plotly-Grafik bzw. pydeck-Karte (die Bausteine werden im Browser erst bei "
            "Bedarf geladen und ausgeführt). Diese Zeiten sind die Untergrenze jeder Seite der App mit "
            "Grafik bzw. Karte. Die vierte Seite hat die Elemente einer typischen Seite der App (wie das "
            "Gemeindeprofil: Seitenleiste mit zwei Datumsfeldern und drei Mehrfachauswahlen, vier Kennzahlen, "
            "zwei Plotly-Linien, eine Karte mit Punkten, Umriss und Beschriftung, eine Tabelle) mit "
            "erfundenen Werten und ohne eine Abfrage: was eine Seite der App darüber hinaus braucht, "
            "kosten ihre Daten und Abfragen.", "", *refs]


def _memory_section(results: dict) -> list[str]:
    """The app server's RSS with N concurrent browser sessions, and the sessions that did not finish."""
    mem = {s: _get(results, "memory", s) for s in SCALE_LABELS}
    if not any(mem.values()):
        return []
    n = (mem["district"] or {}).get("sessions") or (mem["national"] or {}).get("sessions")

    def per_session(figures: dict) -> float | None:
        peak, one = figures.get("peak_mb"), figures.get("after_one_session_mb")
        return None if peak is None or one is None or not n or n < 2 else (peak - one) / (n - 1)

    figures = {s: {**(mem[s] or {}), "per_session_mb": per_session(mem[s] or {})} for s in SCALE_LABELS}
    rows = _spec_rows(figures, (
        ("RSS nach dem Start (MB)", "idle_mb", 0, "", None, True),
        ("RSS nach einer Sitzung (MB)", "after_one_session_mb", 0, "", None, True),
        (f"Zuwachs je weiterer gleichzeitiger Sitzung (MB, (Spitze − nach einer) ÷ {n - 1})", "per_session_mb", 1,
         "", None, True),
        (f"**Spitze mit {n} Sitzungen (MB)**", "peak_mb", 0, "", AIM_MEMORY_MB, True),
        ("RSS am Ende (MB)", "end_mb", 0, "", None, True),
        (f"Dauer aller {n} Sitzungen (s)", "sessions_wall_s", 1, "", None, True),
        ("Sitzungen, die eine Seite nicht fertig bekamen", "sessions_failed", 0, "", None, False),
        ("wiederholte Klicks (Klick ohne Skriptlauf nach 30 s)", "repeated_clicks", 0, "", None, False)))
    lines = _kv_table(f"Speicher des App-Servers mit {n} gleichzeitigen Browsersitzungen",
                      f"Spitze < {AIM_MEMORY_MB} MB (RSS des Streamlit-Prozesses samt Kindprozessen, "
                      "alle 100 ms gemessen; jede Sitzung wählt ein Thema und besucht jede Seite)", rows)
    for scale in SCALE_LABELS:
        for error in figures[scale].get("errors") or []:
            lines.append(f"- nicht fertig ({_label(scale)}): {error}")
    return lines + [_stage_note(results, "memory"), ""]


def _report_section(results: dict) -> list[str]:
    """The report benchmark (bench/bench_report.py: CLI cold; cold and warm phases in one process)."""
    rep = {s: _get(results, "report", s) for s in SCALE_LABELS}
    if not any(rep.values()):
        return []

    def g(s, *keys):
        v = rep[s]
        try:
            for k in keys:
                v = v[k]
            return v
        except (KeyError, IndexError, TypeError):
            return None

    try:
        from bench.bench_report import AIM_S
        aim = f"Bericht (ein Jahr, PDF + DOCX + XLSX mit Grafiken) in < {AIM_S:g} s"
    except ImportError:
        AIM_S, aim = None, None
    rows = [_kv_row("Kommandozeile `python -m monitor.report`, kalt (s)", g("district", "cli_cold_s"),
                    g("national", "cli_cold_s"), 2, aim=AIM_S)]
    for idx, name in ((0, "kalt"), (1, "warm")):
        for label, key in (("Inhalt", "content_s"), ("Warten auf Grafiken", "charts_wait_s"),
                           ("PDF + DOCX + XLSX gesamt", "total_s")):
            rows.append(_kv_row(f"{name}: {label} (s)", g("district", "runs", idx, key),
                                g("national", "runs", idx, key), 2))
    rows.append(_kv_row("Grafiken im Bericht", g("district", "runs", 0, "charts"), g("national", "runs", 0, "charts")))
    return [*_kv_table("Bericht", aim, rows), _stage_note(results, "report"), ""]


def _reading_help_section() -> list[str]:
    """How to read the figures: growth, the ETL's fixed costs, script vs browser time, load, memory."""
    return ["## Lesehilfe", "",
            "- *Wachstum* ist in jeder Tabelle national ÷ Landkreis; die Daten selbst wachsen um die Faktoren "
            "unter *Datenumfang*. Ein Wachstum weit unter dem der Daten heißt: die Zeit hängt kaum von der "
            "Datenmenge ab (DuckDB aggregiert, die Seiten holen nur kleine Ergebnisse).",
            "- Beim ETL im Landkreis überwiegen feste Kosten (Start des Interpreters, Importe, Prüfung des "
            "Arbeitsbuchs, Datentests, Schreiben und Austauschen der Datenbankdatei), die Statistikdateien sind "
            "nur gut 1 MB groß. Die Zeile *ETL einer Minimalquelle* misst diese festen Kosten; *Zuwachs über die "
            "Minimalquelle* vergleicht nur den Teil, der mit den Daten wächst. Das Ziel „≤ 2× read_csv“ ist "
            "erst bei nationalem Umfang aussagekräftig.",
            "- Skriptzeit (Skriptlauf unter AppTest, ohne Browser) misst nur Python; die Browserzeit enthält "
            "zusätzlich Laden und Zeichnen im Browser. Die Tabelle *davon bis zum Ende des Skriptlaufs* zeigt, "
            "wie viel der warmen Browserzeit auf den Server entfällt.",
            "- *Filterwechsel* in der Skriptzeit: die Seite läuft mit einem neuen Thema, ihre gefilterten "
            "Abfragen sind noch nicht im Zwischenspeicher. Der Bericht stellt dabei den ganzen Bericht für die "
            "neue Auswahl zusammen (Initiativen, Meilensteine, Mittel, Zusammenarbeit, Anhang); nur die "
            "Indikator-Teile hängen nicht von der Auswahl ab und kommen aus dem Zwischenspeicher. Die Karte "
            "baut bei einem neuen Thema nur die Initiativen neu, die Gemeindeebene bleibt fertig serialisiert.",
            "- Browser *kalt* und *warm* öffnen die Seite in einem neuen Tab: der Browser startet dabei "
            "Streamlits Oberfläche und führt – einmal je Tab – die Plotly- und deck.gl-Bausteine aus (Plotly "
            "allein sind 4,7 MB JavaScript, deren Start hier rund 0,5 s CPU kostet, gemessen mit Chromiums "
            "Profiler); danach zeichnet er jede Grafik. Die Vergleichsseiten zeigen diese Untergrenze; die "
            "Seite *Elemente einer App-Seite ohne Daten* hat die Elemente des Gemeindeprofils ohne eine Abfrage "
            "und braucht warm fast so lange wie das Gemeindeprofil selbst: die Zeit eines neuen Tabs ist hier "
            "überwiegend Streamlits eigene Arbeit im Browser (Chromium ohne Grafikkarte, 2 Kerne). Die Karte "
            "zeigt ihre Legende deshalb als Text statt als Plotly-Grafik und lädt Plotly gar nicht. Wer in "
            "der App von Seite zu Seite geht, zahlt den Start nicht noch einmal: das misst der *Seitenwechsel "
            "in der App*.",
            "- CPU-Zeiten hängen nicht von fremder Last auf der Maschine ab, Wanduhrzeiten schon. *Fremde "
            "CPU-Last* je Stufe ist der Anteil der CPU-Leistung, den andere Programme während der Stufe "
            "nutzten (belegte CPU-Zeit der Maschine laut `/proc/stat` minus der der Messung und ihrer "
            "Kindprozesse); das Lastmittel zählt dagegen auch die Threads der Messung selbst.",
            "- Speicher: Schon nach dem Start belegt der Server rund 175 MB (Python, Streamlit, pandas, "
            "DuckDB, Arrow, Plotly – fast ganz Programmcode und Bibliotheken). Nach der ersten Sitzung kommen "
            "hinzu: die beim ersten Seitenlauf nachgeladenen Teile der Bibliotheken, DuckDBs Blockpuffer "
            "(begrenzt auf 64 MB je Datenstand, `REGIONALMONITOR_DUCKDB_MEMORY`; ohne Grenze hielte DuckDB die "
            "ganze Datei) und die Abfrage-Caches (begrenzt, national unter 20 MB laut Streamlits "
            "`/_stcore/metrics`). Jede weitere gleichzeitige Sitzung kostet nur den Zuwachs in der Tabelle: "
            "Sitzungszustand, Widgets (die Gemeindeauswahl hat national 10.800 Einträge) und "
            "Zwischenergebnisse laufender Seiten. Dafür rechnen höchstens so viele Seiten gleichzeitig, wie der "
            "Server Kerne hat (`monitor/app/gate.py`), und glibc gibt freien Speicher zurück (`monitor/app/serve.py`). "
            "Verlauf der nationalen Spitze auf dieser Maschine (25.11.2026): 575 MB ohne diese Maßnahmen, "
            "523 MB mit Seitenlauf-Begrenzung und Speicherrückgabe, 467 MB mit DuckDBs Speichergrenze.", ""]
