"""Browser fixtures: the real portal served over HTTP on 127.0.0.1, and Debian's Chromium driven by
Playwright (never a downloaded browser). What they are made of is in tests/support/browser.py.

Without /usr/bin/chromium the browser tests are skipped on a developer's machine and fail in CI
(CI set), so that a broken CI image cannot pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..support.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    BrowserLog,
    LiveServer,
    log_in_at,
    new_page,
    serve,
)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """One server per test module, with the demo data and no progress. Each test works as a
    different ward so that tests share no items."""
    with serve(tmp_path_factory) as server:
        yield server


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = (
        f"{CHROMIUM} not found: the browser tests use Debian's Chromium "
        "(apt-get install chromium); they never download a browser."
    )
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def playwright_driver():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright_driver):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


def _close(request, context, page) -> None:
    """Close the profile; after a failure keep a screenshot in tests/artifacts/ first."""
    if getattr(request.node, "e2e_failed", False):
        try:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
        except Exception as error:  # the screenshot must not hide the real failure
            print(f"no screenshot: {error}")
    context.close()


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser, browser_log, request):
    """A fresh browser profile (no cookies) with JavaScript on."""
    context, page = new_page(browser, browser_log)
    yield page
    _close(request, context, page)


@pytest.fixture
def page_without_js(browser, browser_log, request):
    """A fresh browser profile with JavaScript disabled: the portal must work by plain posts."""
    context, page = new_page(browser, browser_log, java_script_enabled=False)
    yield page
    _close(request, context, page)


@pytest.fixture
def log_in(live_server):
    """log_in(page, "phuong1"): through the login form of `live_server`."""

    def log_in(page, username: str) -> None:
        log_in_at(live_server.url, page, username)

    return log_in
