"""The architecture checks of `make lint` can fail: import-linter's contracts (pyproject.toml) pass on the
project as it is and break, naming the contract, when a copy of the project gets a forbidden import."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed (make install-test)")


def _copy_project(tmp_path: Path) -> Path:
    dst = tmp_path / "project"
    dst.mkdir()
    for name in ("monitor", "etl"):
        shutil.copytree(ROOT / name, dst / name, ignore=shutil.ignore_patterns("__pycache__", "fonts", "*.sql"))
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    return dst


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}  # one line per contract in the report
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=env)


def test_contracts_hold_on_the_project():
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("module, line, contract", [
    ("monitor/data/overview.py", "import streamlit", "Only the app layer imports Streamlit"),
    ("monitor/data/themes.py", "from monitor.figures import indicators", "one-way layers"),
    ("monitor/figures/portfolio.py", "from monitor.data import db", "Figures run no SQL"),
    ("monitor/core/format.py", "import plotly", "Data and core draw nothing"),
    ("etl/build.py", "from monitor.data import db", "The ETL depends only on the shared vocabulary"),
])
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, contract):
    project = _copy_project(tmp_path)
    path = project / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # planted by the test\n", encoding="utf-8")
    done = _lint(project)
    assert done.returncode != 0
    broken = [ln for ln in done.stdout.splitlines() if ln.rstrip().endswith("BROKEN")]
    assert any(contract in ln for ln in broken), done.stdout
