"""The web tests' fixtures (reusable by every tests/web module, the operator console's too):

- ``web_platform``: the small synthetic platform (``web_platform.build_platform``), once per session;
- ``web_world``: an application database with the demo cast and their logins (password ``PASSWORD``), the
  ``WebState`` over it (catalog built once) and the app: ``World.app``, ``World.accounts[role]``,
  ``World.as_(role)`` → a signed-in ``WebClient``; ``World.anonymous()``;
- ``web_server``: ``guanghe web`` as a uvicorn subprocess on its own copies of the database and ledger:
  ``Server.url``, ``Server.accounts``;
- ``browser`` / ``page``: Playwright driving Debian's Chromium (``browser_or_skip``: missing → skip, FAIL
  under CI); a failing test's page is screenshotted into ``tests/web/screenshots/`` (``SCREENSHOTS``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_platform import PlatformFiles, build_platform
from web_world import Server, World, fresh_world, start_web

from system_tools import CHROMIUM, missing_browser, require

SCREENSHOTS = Path(os.environ.get("GUANGHE_TEST_SCREENSHOTS", Path(__file__).parent / "screenshots"))


@pytest.fixture(scope="session")
def web_platform(tmp_path_factory) -> PlatformFiles:
    return build_platform(tmp_path_factory.mktemp("web_platform"))


@pytest.fixture(scope="session")
def web_world(web_platform: PlatformFiles, tmp_path_factory) -> Iterator[World]:
    world = fresh_world(web_platform, tmp_path_factory.mktemp("web_world"))
    yield world
    world.state.close()


# -- a real server -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def web_server(web_platform: PlatformFiles, tmp_path_factory) -> Iterator[Server]:
    """``guanghe web`` (the real command) on a free port, with its own database and ledger copy."""
    folder = tmp_path_factory.mktemp("web_server")
    ledger = folder / "ledger.sqlite3"
    shutil.copy(web_platform.ledger_file, ledger)
    server = start_web(folder, ["--warehouse", web_platform.warehouse, "--db", f"sqlite:///{folder / 'app.sqlite3'}",
                                "--ledger", f"sqlite:///{ledger}"])  # fmt: skip
    yield server
    server.stop()


# -- a real browser ------------------------------------------------------------------------------------------------
def browser_or_skip() -> None:
    """Skip (FAIL under CI) when Playwright or Chromium is missing."""
    require(missing_browser(), "browser tests")


@pytest.fixture(scope="module")
def browser():
    browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--no-first-run"])  # fmt: skip
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page (English labels; console errors and CSP violations collected in
    ``page.errors``); screenshotted into ``SCREENSHOTS`` when the test fails."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


# -- the operator console's fixtures (tests/web/test_web_operator_*.py) --------------------------------------------
@pytest.fixture(scope="module")
def operator_world(web_platform: PlatformFiles, tmp_path_factory) -> Iterator[World]:
    """An operator's world on COPIES of the warehouse, ledger and program files (the console writes them)."""
    from web_operator_world import operator_world as build

    world = build(web_platform, tmp_path_factory.mktemp("operator_world"))
    yield world
    world.state.close()


@pytest.fixture(scope="module")
def operator_server(web_platform: PlatformFiles, tmp_path_factory) -> Iterator[Server]:
    """``guanghe web`` on copies of the warehouse, ledger and program files (``--programs``): the operator's
    journey edits a program and reruns the allocation."""
    from web_operator_world import serve

    folder = tmp_path_factory.mktemp("operator_server")
    server = serve(web_platform, folder)
    yield server
    server.stop()
