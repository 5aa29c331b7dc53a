"""Start the app: ``python -m monitor.serve [streamlit options]`` = ``streamlit run app.py`` without a first-run glitch.

Streamlit decides once per process whether a folder ``pages/`` next to the entrypoint makes an old-style
multipage app; until ``st.navigation`` has run once, the first request is routed that way, so a shared link
to a page other than the start page, opened right after a server start, shows "Page not found". This app
routes with ``st.navigation`` only, so the launcher settles that decision before the server starts.
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> int:
    PagesManager.uses_pages_directory = False
    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", str(APP), *args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
