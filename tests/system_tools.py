"""The shared rule for tests that need something of the machine (Chromium, Playwright, a CJK font, ffmpeg,
espeak-ng): skipped loudly where it is missing, FAILED when ``CI`` is set — `make test` installs them, so a
green CI never hides a missing install step (as ``servers.py`` does for PostgreSQL and Redis)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GUANGHE_TEST_CHROMIUM", "/usr/bin/chromium")


def missing_commands(*names: str) -> list[str]:
    return [f"the command {n} (apt-get install {'ffmpeg' if n == 'ffprobe' else n})" for n in names
            if shutil.which(n) is None]  # fmt: skip


def missing_browser(cjk_font: bool = False) -> list[str]:
    """What a Playwright test on Debian's Chromium lacks (and a CJK font, for pages with Chinese text)."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install playwright)")
    if not Path(CHROMIUM).exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if cjk_font:
        fc = shutil.which("fc-list")
        if fc is None or not subprocess.run([fc, ":lang=zh"], capture_output=True, text=True).stdout.strip():
            missing.append("a CJK font (apt-get install fonts-noto-cjk)")
    return missing


def require(missing: list[str], what: str, module: bool = False) -> None:
    """Skip ``what`` when something is missing, or fail under CI; ``module``: called at a module's top."""
    if not missing:
        return
    msg = f"{what} NOT RUN: missing " + "; ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg, allow_module_level=module)
