"""The aims of the issue ("Scale and speed") and the scales' labels on screen; shared by the runner
(bench/run_all.py) and the results writer (bench/results_md.py)."""
from __future__ import annotations

#: The two scales in the order of results.md's columns, with their labels.
SCALE_LABELS = {"district": "Landkreis", "national": "National"}

#: ETL time at most this many times DuckDB's raw read_csv of the same statistics files.
AIM_ETL_RATIO = 2.0
#: Script time of a page (median, warm caches) below this, per scale.
AIM_SCRIPT_MS = {"district": 300, "national": 1000}
#: Time to a finished page in the browser, at both scales.
AIM_BROWSER_MS = 2000
#: Peak RSS of the app server with the concurrent browser sessions (issue #14: 10 national sessions under 400 MB;
#: met on 03.12.2026 with 398 MB, see results.md).
AIM_MEMORY_MB = 400
