"""Debian's headless Chromium driven by Playwright, shared by the browser tests.

Needs `apt-get install chromium` (scripts/ensure_chromium.sh; never
`playwright install`: nothing can be downloaded here). If Chromium cannot
start, the tests fail and say why. Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.servers import REPO

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a set-up problem, said plainly
        pytest.fail(f"the playwright package is missing ({exc}); install requirements-dev.txt", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)",
                    pytrace=False)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
    except Exception as exc:
        playwright.stop()
        pytest.fail(f"headless Chromium ({CHROMIUM}) could not start: {exc}", pytrace=False)
    ARTIFACTS.mkdir(exist_ok=True)
    yield browser
    browser.close()
    playwright.stop()
