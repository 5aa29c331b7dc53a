"""bench/results_md.py, the results.md writer, on made-up figures (no browser, no timing): tables per figure with
district and national columns, the growth factor, the aims marked, the machine and the date."""
from __future__ import annotations

from bench import results_md, run_all

MACHINE = {"cores": 2, "cores_usable": 2, "memory_gb": 23.5, "cpu": "Test-CPU", "os": "Linux", "python": "3.11",
           "duckdb": "2.0.0", "streamlit": "1.67.0", "playwright": "1.65.2", "chromium": "Chromium 1"}


def _entry(data, load=0.5, when="2026-11-25T01:00:00"):
    return {"measured_at": when, "stage_s": 1.0, "load_min": load, "load_max": load, "load_median": load,
            "data": data}


def _results(load=0.5):
    pages = {"district": [{"page": "ueberblick", "cold_ms": 900.0, "median_ms": 200.0, "median_cpu_ms": 150.0,
                           "filter_change_ms": 350.0, "apptest_median_ms": 360.0, "runs": 7}],
             "national": [{"page": "ueberblick", "cold_ms": 1800.0, "median_ms": 800.0, "median_cpu_ms": 600.0,
                           "filter_change_ms": 1200.0, "runs": 7}]}
    browser = {"district": [{"page": "karte", "cold_ms": 2500.0, "warm_ms": 1500.0, "filter_change_ms": 700.0,
                             "switch_ms": 1100.0,
                             "warm_script_done_ms": 400.0, "failures": ["Lauf 1: Timeout"]}],
               "national": [{"page": "karte", "cold_ms": 3000.0, "warm_ms": 1800.0, "filter_change_ms": 2100.0,
                             "warm_script_done_ms": 900.0, "failures": []}]}
    etl = {"district": {"statistics_rows": 7500, "statistics_mb": 1.3, "etl_s": 4.0, "raw_read_csv_s": 0.4,
                        "ratio": 10.0, "etl_peak_mb": 250.0, "runs": 3},
           "national": {"statistics_rows": 6_480_000, "statistics_mb": 960.0, "etl_s": 30.0, "raw_read_csv_s": 20.0,
                        "ratio": 1.5, "etl_peak_mb": 800.0, "runs": 2}}
    memory = {"district": {"sessions": 10, "idle_mb": 70.0, "after_one_session_mb": 280.0, "peak_mb": 390.0,
                           "end_mb": 400.0, "sessions_wall_s": 100.0, "sessions_failed": 0, "repeated_clicks": 0,
                           "errors": []},
              "national": {"sessions": 10, "idle_mb": 70.0, "after_one_session_mb": 350.0, "peak_mb": 630.0,
                           "end_mb": 600.0, "sessions_wall_s": 200.0, "sessions_failed": 1, "repeated_clicks": 2,
                           "errors": ["Seite Karte: Timeout"]}}
    stages = {name: {scale: _entry(data[scale], load) for scale in ("district", "national")}
              for name, data in (("pages", pages), ("browser", browser), ("etl", etl), ("memory", memory))}
    return {"machine": MACHINE, "stages": stages,
            "data": {"district": {"municipalities": 53, "values": 13_396}, "national": {"municipalities": 10_800,
                                                                                       "values": 6_480_000}}}


def _row(md: str, title: str, label: str) -> str:
    """The table row starting with ``| label |`` in the section headed ``### title``."""
    section = md.split(f"### {title}", 1)[1].split("\n### ", 1)[0]
    return next(line for line in section.splitlines() if line.startswith(f"| {label} |"))


def test_tables_have_both_scales_growth_and_marked_aims(tmp_path):
    out = tmp_path / "results.md"
    results = _results()
    results_md.write_markdown(results, out)
    md = out.read_text(encoding="utf-8")

    assert "Test-CPU, 2 Kerne" in md and "23,5 GB" in md and "2026-11-25" in md
    assert "Hinweis:** Während der Messungen" not in md  # idle machine: no load warning

    # script time: 200 ms < 300 ms (district), 800 ms < 1000 ms (national), growth 4×
    row = _row(md, "Skriptzeit je Seite – Median (warme Caches)", "Überblick")
    assert row == "| Überblick | 200 ms ✓ | 800 ms ✓ | 4,0× |"
    row = _row(md, "Skriptzeit je Seite – Filterwechsel (Thema)", "Überblick")
    assert row == "| Überblick | 350 ms ✗ | 1.200 ms ✗ | 3,4× |"
    # browser: aim 2 s for both scales
    row = _row(md, "Browser bis zur fertigen Seite – kalt (frischer Server)", "Karte")
    assert row == "| Karte | 2.500 ms ✗ | 3.000 ms ✗ | 1,2× |"
    # the page switch inside the app: measured for the district only here
    row = _row(md, "Browser bis zur fertigen Seite – Seitenwechsel in der App (Klick in der Navigation)", "Karte")
    assert row == "| Karte | 1.100 ms ✓ | – | – |"
    assert "Browser bis fertig nach Seitenwechsel in der App, langsamste Seite < 2 s: Landkreis 1.100 ms ✓" in md
    # the whole AppTest run is shown for comparison, without an aim
    row = _row(md, "Zum Vergleich: ganzer AppTest-Lauf (Median, mit Testumgebung)", "Überblick")
    assert row == "| Überblick | 360 ms | – | – |"
    assert "Karte (Landkreis): Lauf 1: Timeout" in md
    # ETL ratio aim ≤ 2×; no growth factor for a ratio
    row = _row(md, "ETL", "Verhältnis ETL / read_csv")
    assert row == "| Verhältnis ETL / read_csv | 10,0× ✗ | 1,5× ✓ | – |"
    assert _row(md, "ETL", "Statistikzeilen").endswith("| 864,0× |")
    assert "Untergrenze dafür" not in md  # no floor measured: no floor line


def test_etl_floor_rows_and_summary(tmp_path):
    """The ETL's floors: the raw read's own process and the stack's imports plus the read, as ratios to the
    raw read without an aim mark or a growth factor; the summary names the stack floor per scale."""
    results = _results()
    etl = results["stages"]["etl"]
    etl["district"]["data"].update(floor_s=0.9, floor_ratio=2.3, stack_import_s=1.3, stack_floor_ratio=4.3)
    etl["national"]["data"].update(floor_s=21.0, floor_ratio=1.05, stack_import_s=1.4, stack_floor_ratio=1.07)
    out = tmp_path / "results.md"
    results_md.write_markdown(results, out)
    md = out.read_text(encoding="utf-8")
    assert (_row(md, "ETL", "Verhältnis Untergrenze / read_csv")
            == "| Verhältnis Untergrenze / read_csv | 2,3× | 1,1× | – |")
    row = _row(md, "ETL", "Python-Start mit den Bibliotheken des ETL (`import duckdb, pandas, openpyxl`, s)")
    assert row.endswith("| 1,30 | 1,40 | 1,1× |")
    row = next(line for line in md.splitlines() if line.startswith("| Verhältnis Untergrenze mit diesen"))
    assert row.endswith("| 4,3× | 1,1× | – |") and "✓" not in row and "✗" not in row
    summary = next(line for line in md.splitlines() if line.startswith("- Untergrenze dafür"))
    assert summary.endswith("Landkreis 4,3× · National 1,1×")
    # memory aim < 400 MB, failed sessions listed
    row = _row(md, "Speicher des App-Servers mit 10 gleichzeitigen Browsersitzungen",
               "**Spitze mit 10 Sitzungen (MB)**")
    assert row == "| **Spitze mit 10 Sitzungen (MB)** | 390 ✓ | 630 ✗ | 1,6× |"
    assert "nicht fertig (National): Seite Karte: Timeout" in md
    # per further session: (390 − 280) ÷ 9 = 12,2 and (630 − 350) ÷ 9 = 31,1, growth 2,5×
    row = _row(md, "Speicher des App-Servers mit 10 gleichzeitigen Browsersitzungen",
               "Zuwachs je weiterer gleichzeitiger Sitzung (MB, (Spitze − nach einer) ÷ 9)")
    assert row.endswith("| 12,2 | 31,1 | 2,5× |"), row
    # the summary names the slowest page
    assert "Landkreis 200 ms ✓ (Überblick) · National 800 ms ✓ (Überblick)" in md


def _set_everywhere(results: dict, key: str, value) -> None:
    """Give every stage entry of ``results`` the same ``key``."""
    for per in results["stages"].values():
        for e in per.values():
            e[key] = value


def test_load_on_the_machine_is_reported(tmp_path):
    out = tmp_path / "results.md"
    results_md.write_markdown(_results(load=9.5), out)
    md = out.read_text(encoding="utf-8")
    assert "bis 9,5 bei 2 Kernen" in md
    assert "Last (1 min) 9,5–9,5" in md


def test_foreign_cpu_share_decides_the_load_note(tmp_path):
    # the stages' own load (high load average) with little foreign CPU: no warning, the share is named
    results = _results(load=9.5)
    _set_everywhere(results, "foreign_cpu_share", 0.02)
    out = tmp_path / "results.md"
    results_md.write_markdown(results, out)
    md = out.read_text(encoding="utf-8")
    assert "Hinweis:**" not in md
    assert "höchstens 2 % der CPU-Leistung" in md and "fremde CPU-Last 2 %" in md
    # one stage with 40 % foreign CPU: flagged by name
    results["stages"]["browser"]["national"]["foreign_cpu_share"] = 0.4
    results_md.write_markdown(results, out)
    md = out.read_text(encoding="utf-8")
    assert "Hinweis:** Während einiger Stufen" in md and "browser National (40 %)" in md
    assert "pages Landkreis" not in md


def test_speed_probe_flags_stages_on_a_slowed_machine(tmp_path):
    results = _results()
    _set_everywhere(results, "probe_s", 0.4)
    out = tmp_path / "results.md"
    results_md.write_markdown(results, out)
    md = out.read_text(encoding="utf-8")
    assert "Rechenprobe (dieselbe Python-Schleife" in md and "0,40–0,40 s" in md and "etwa gleich schnell" in md
    assert "Rechenprobe 0,40 s" in md  # in each stage's note
    assert "rechnete die Maschine" not in md
    # the ETL at national scale ran while the host slowed the machine to 60 %
    results["stages"]["etl"]["national"]["probe_s"] = 0.66
    results_md.write_markdown(results, out)
    md = out.read_text(encoding="utf-8")
    assert "Hinweis:** In einigen Stufen rechnete die Maschine" in md and "etl National (1,6×)" in md
    assert "0,40–0,66 s" in md and "pages Landkreis (" not in md


def test_speed_probe_runs_on_every_core():
    seconds = run_all.speed_probe(cores=2)
    assert seconds is not None and 0 < seconds < 60


def test_busy_cpu_seconds_reads_the_first_line_of_proc_stat():
    import os

    tick = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal: busy = all but idle and iowait
    stat = f"cpu  {10 * tick} 0 {5 * tick} {100 * tick} {7 * tick} 0 {tick} 0 0 0\ncpu0 1 2 3 4\n"
    assert run_all.busy_cpu_seconds(stat) == 16.0
    assert run_all.busy_cpu_seconds("intr 1 2 3") is None
    assert run_all.busy_cpu_seconds("") is None


def test_missing_scale_shows_a_dash(tmp_path):
    results = _results()
    for stage in results["stages"].values():
        del stage["national"]
    out = tmp_path / "results.md"
    results_md.write_markdown(results, out)
    assert _row(out.read_text(encoding="utf-8"), "Skriptzeit je Seite – Median (warme Caches)", "Überblick") \
        == "| Überblick | 200 ms ✓ | – | – |"


def test_reference_pages_get_their_own_tables_and_never_count_as_the_slowest_page(tmp_path):
    results = _results()
    for scale, warm in (("district", 9000.0), ("national", 9500.0)):  # slower than every app page on purpose
        results["stages"]["browser"][scale]["data"].append(
            {"page": "vergleich_plotly", "reference": True, "cold_ms": warm + 1000, "warm_ms": warm,
             "filter_change_ms": None, "failures": []})
    out = tmp_path / "results.md"
    results_md.write_markdown(results, out)
    md = out.read_text(encoding="utf-8")
    assert _row(md, "Zum Vergleich: Streamlit selbst – warm", "Streamlit: eine Plotly-Grafik") \
        == "| Streamlit: eine Plotly-Grafik | 9.000 ms | 9.500 ms | 1,1× |"
    # the app's tables and the summary name the app's slowest page, not the reference
    assert "Streamlit: eine Plotly-Grafik" not in _row(md, "Browser bis zur fertigen Seite – warm (neue Sitzung)",
                                                       "**langsamste Seite**")
    assert "Landkreis 1.500 ms ✓ (Karte) · National 1.800 ms ✓ (Karte)" in md
    assert "Grundlast ohne die App: Streamlit: eine Plotly-Grafik warm 9.000 ms (kalt 10.000 ms)" in md
    section = md.split("### Browser bis zur fertigen Seite – warm (neue Sitzung)", 1)[1].split("\n### ", 1)[0]
    assert "Streamlit: eine Plotly-Grafik" not in section
