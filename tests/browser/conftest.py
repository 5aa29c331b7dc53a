"""Fixtures of the browser tests: one headless Chromium per test module."""
from __future__ import annotations

import pytest

from tests.browser_support import launch_browser


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright (skips when either is missing, see launch_browser)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = launch_browser(p)
        yield b
        b.close()
