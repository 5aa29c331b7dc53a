"""Report benchmark: time of a one-year period report (PDF + DOCX + XLSX, with charts) on the sample database.

    python bench/bench_report.py [--db data/monitor.duckdb] [--repeat 2]

- **CLI, kalt**: ``python -m monitor.report`` in a fresh process, end to end (imports, queries, browser start,
  charts, three files) — what the office waits for on the command line.
- **kalt / warm** (in one fresh process, phases timed): the first report (empty query and chart caches,
  browser started while the content is built) and the same report again (caches warm, as on the page when
  only the assessment text changed).
- The time per chart image (kaleido/Chromium) of the cold run and the browser start.

Builds ``data/monitor.duckdb`` from the sample with ``python -m etl`` when it is missing. Prints tables and
returns the figures (for bench/run_all.py).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AIM_S = 10.0

CHILD = r"""
import json, os, sys, time, datetime as dt
t0 = time.perf_counter()
from monitor.report import figures
session = figures.ChartSession().start()          # as the CLI does: the browser starts first
import streamlit.logger
streamlit.logger.set_log_level("error")
from monitor.report import content, pdf, docx, xlsx
from monitor.report.model import ReportParams
import_s = time.perf_counter() - t0
params = ReportParams(dt.date.fromisoformat(sys.argv[1]), dt.date.fromisoformat(sys.argv[2]))
runs = []
for n in range(int(sys.argv[3])):
    # the steps of monitor.report.__main__.generate, timed one by one
    session = session if n == 0 else figures.ChartSession()
    t = time.perf_counter()
    cpu = time.process_time()
    report = content.build_report(params, on_chart=session.submit)
    t_content = time.perf_counter()
    sizes = {"xlsx": len(xlsx.to_xlsx(report))}
    t_xlsx = time.perf_counter()
    pdf.register_fonts()
    images = session.collect(report.charts, on_image=pdf.print_image)
    session.close()
    t_charts = time.perf_counter()
    sizes["pdf"] = len(pdf.to_pdf(report, images))
    t_pdf = time.perf_counter()
    sizes["docx"] = len(docx.to_docx(report, images))
    t_docx = time.perf_counter()
    runs.append({"content_s": t_content - t, "xlsx_s": t_xlsx - t_content, "charts_wait_s": t_charts - t_xlsx,
                 "pdf_s": t_pdf - t_charts, "docx_s": t_docx - t_pdf, "total_s": t_docx - t,
                 "cpu_s": time.process_time() - cpu, "charts": len(report.charts), "rendered": len(images.seconds),
                 "startup_s": images.startup_s, "chart_seconds": images.seconds, "note": images.note,
                 "sizes": sizes})
print(json.dumps({"import_s": import_s, "runs": runs}))
"""


def ensure_db(db: Path) -> None:
    if not db.exists():
        print("Erzeuge die Beispieldatenbank (python -m etl) …", flush=True)
        subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "--quiet"], cwd=ROOT, check=True)


def one_year(db: Path) -> tuple[str, str]:
    """The year up to the data Stand of ``db`` (ISO dates)."""
    import datetime as dt

    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        stand = con.execute("select value from meta where key = 'stand'").fetchone()
    finally:
        con.close()
    end = dt.date.fromisoformat(stand[0][:10]) if stand else dt.date.today()
    start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
    return start.isoformat(), end.isoformat()


def measure(db: Path, repeat: int) -> dict:
    ensure_db(db)
    date_from, date_to = one_year(db)
    env = {**os.environ, "REGIONALMONITOR_DB": str(db)}
    cli = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeat):
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "monitor.report", "--from", date_from, "--to", date_to,
                                   "--out", out, "--db", str(db), "--quiet"], cwd=ROOT, env=env,
                                  capture_output=True, text=True)
            cli.append(time.perf_counter() - t)
            if done.returncode != 0:
                raise SystemExit(f"Bericht fehlgeschlagen:\n{done.stderr}")
    child = subprocess.run([sys.executable, "-c", CHILD, date_from, date_to, "2"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    if child.returncode != 0:
        raise SystemExit(child.stderr)
    phases = json.loads(child.stdout.strip().splitlines()[-1])
    return {"period": f"{date_from} – {date_to}", "cli_cold_s": statistics.median(cli), "cli_runs": cli,
            **phases}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, default=ROOT / "data" / "monitor.duckdb")
    ap.add_argument("--repeat", type=int, default=2, help="Läufe der Kommandozeile (Median)")
    a = ap.parse_args()
    r = measure(a.db.resolve(), max(1, a.repeat))
    cold, warm = r["runs"]
    print(f"Bericht {r['period']} (ein Jahr, PDF + DOCX + XLSX mit Grafiken) auf {a.db}")
    print(f"{'Lauf':<26}{'Inhalt':>8}{'XLSX':>7}{'Grafiken':>10}{'PDF':>7}{'DOCX':>7}{'Gesamt':>8}{'CPU Python':>12}")
    print(f"{'Kommandozeile, kalt':<26}{'':>8}{'':>7}{'':>10}{'':>7}{'':>7}{r['cli_cold_s']:>8.2f}"
          f"   (Median von {len(r['cli_runs'])}; Ziel < {AIM_S:.0f} s)")
    for name, run in (("kalt (+ Import %.1f s)" % r["import_s"], cold), ("warm (Caches voll)", warm)):
        print(f"{name:<26}{run['content_s']:>8.2f}{run['xlsx_s']:>7.2f}{run['charts_wait_s']:>10.2f}"
              f"{run['pdf_s']:>7.2f}{run['docx_s']:>7.2f}{run['total_s']:>8.2f}{run['cpu_s']:>12.2f}")
    print("(Sekunden Wanduhr, in der Reihenfolge der Kommandozeile; Grafiken = Warten auf die restlichen Bilder – sie "
          "entstehen schon, während Inhalt und Excel-Datei gebaut werden; CPU Python = Rechenzeit dieses Prozesses "
          "ohne Chromium, unabhängig von der Last)")
    print(f"Systemlast beim Messen (loadavg 1 min): {os.getloadavg()[0]:.1f}, CPUs: {os.cpu_count()}")
    secs = cold["chart_seconds"]
    print(f"\nGrafiken: {cold['charts']} Bilder, Browserstart {cold['startup_s']:.2f} s, je Bild Median "
          f"{statistics.median(secs.values()) if secs else float('nan'):.2f} s, max "
          f"{max(secs.values()) if secs else float('nan'):.2f} s"
          + (f" – Hinweis: {cold['note']}" if cold["note"] else ""))
    for key, s in secs.items():
        print(f"  {key:<32}{s:>6.2f} s")
    print("\nDateigrößen: " + ", ".join(f"{k.upper()} {v / 1e6:.1f} MB" for k, v in cold["sizes"].items()))
    return r


if __name__ == "__main__":
    main()
