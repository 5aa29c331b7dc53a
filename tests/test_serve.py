"""The launcher's preload: every listed module exists and imports, quietly, before the server starts."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_preload_imports_every_listed_module_without_runtime_warnings():
    code = ("import sys; from monitor.serve import PRELOAD, preload; preload(); "
            "missing = [m for m in PRELOAD if m not in sys.modules]; print('missing', missing)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "missing []" in p.stdout
    assert "No runtime found" not in p.stderr + p.stdout
    # the pages' own modules are among them, so the first script run of a process imports none of them
    pages = " ".join(path.read_text(encoding="utf-8") for path in (ROOT / "pages").glob("*.py"))
    from monitor.serve import PRELOAD
    for module in ("charts", "indicator_charts", "maps", "overview", "themes", "initiatives", "sources", "export"):
        assert f"monitor.{module}" in PRELOAD
        assert module in pages
