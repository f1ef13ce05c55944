"""The browser tests' helpers (tests/e2e; their fixtures are in tests/e2e/conftest.py): the real
portal served threaded on 127.0.0.1 (`serve`, a `LiveServer`), Debian's Chromium (CHROMIUM,
CHROMIUM_ARGS, TIMEOUT_MS), a new browser profile whose network and console are recorded
(`new_page`, `BrowserLog`), logging in through the form (`log_in_at`, with the browser tests' own
PASSWORD), the page checkers installed by `make e2e-tools` (AXE, VNU, `require_tool`) and where
screenshots and PDFs land (ARTIFACTS)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app, demo
from portal.extensions import db
from portal.models import Message, Progress, Task, Unit

from .apps import test_settings

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"  # tests/artifacts

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "mat-khau-e2e-2023"
# Milliseconds: everything here is local, so a few seconds is plenty.
TIMEOUT_MS = 5000


@dataclass
class LiveServer:
    """The portal answering real HTTP on 127.0.0.1, and its Flask app for looking at the data."""

    app: Flask
    url: str
    upload_dir: Path

    def item_id(self, unit_name: str, code: str) -> int:
        with self.app.app_context():
            return db.session.scalar(
                select(Progress.id)
                .join(Task, Task.id == Progress.task_id)
                .join(Unit, Unit.id == Progress.unit_id)
                .where(Unit.name == unit_name, Task.code == code)
            )

    def stored_files(self) -> set[Path]:
        """Every file under UPLOAD_DIR, temporary ones included."""
        if not self.upload_dir.exists():
            return set()
        return {p for p in self.upload_dir.rglob("*") if p.is_file()}


@contextmanager
def serve(tmp_path_factory, *, sample_progress: bool = False, port: int = 0,
          **settings) -> Iterator[LiveServer]:
    """The portal on its own SQLite file (TEST_DATABASE_URL is for the rest of the suite), seeded
    with the demo data (and the demo's sample progress if asked), served threaded on 127.0.0.1
    (on `port`, any free one by default) as browsers open requests in parallel; `settings` on
    top of the tests' own."""
    root = tmp_path_factory.mktemp("e2e-portal")
    app = create_app(test_settings(root, f"sqlite:///{root / 'portal.sqlite3'}") | settings)
    with app.app_context():
        db.create_all()
        demo.seed(PASSWORD, sample_progress=sample_progress)
        db.session.remove()

    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-portal", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}",
                         upload_dir=Path(app.config["UPLOAD_DIR"]))
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


TOOLS = Path(__file__).resolve().parent.parent / "e2e" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require_tool(path: Path, what: str) -> Path:
    """A page checker installed by `make e2e-tools`; in CI its absence fails the run."""
    if not path.exists():
        message = f"{what} missing at {path}: run `make e2e-tools` (npm ci in tests/e2e)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@dataclass
class BrowserLog:
    """What a page did on the network and in its console, for asserting on afterwards."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # Document loads (a same-document history.replaceState, which htmx does, is not one).
    loads: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", self._failed)
        page.on("domcontentloaded", lambda page: self.loads.append(page.url))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = message.location.get("url") or ""
        if urlsplit(url).path == "/favicon.ico":
            # The portal has no icon; Chromium asks for /favicon.ico once and logs the 404.
            return
        self.console_errors.append(f"{message.text} ({url})")

    def console_errors_except(self, *statuses: int) -> list[str]:
        """Console errors, but for Chromium's "Failed to load resource" on expected statuses."""
        expected = tuple(f"the server responded with a status of {status} " for status in statuses)
        return [e for e in self.console_errors if not any(text in e for text in expected)]

    def _failed(self, request) -> None:
        if request.resource_type in ("fetch", "xhr") and "ERR_ABORTED" in (request.failure or ""):
            # a poll the page or the next navigation cancelled (a letter read's page polls
            # every second; leaving it aborts the one in flight): no answer failed
            return
        self.failed.append(f"{request.method} {request.url}: {request.failure}")

    def foreign_requests(self) -> list[str]:
        """Requests to anything but this machine (data: and blob: URLs stay in the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob")
            and urlsplit(url).hostname != "127.0.0.1"
        ]


def new_page(browser, log: BrowserLog, **context_options):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log.watch(page)
    return context, page


def fits_the_screen(page, selector: str) -> None:
    """The element is no wider than the viewport, and the page does not scroll sideways."""
    width = page.viewport_size["width"]
    box = page.locator(selector).first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def message_bodies(live_server: LiveServer, item_id: int) -> list[str]:
    """The words of an item's conversation, oldest first."""
    with live_server.app.app_context():
        return list(db.session.scalars(
            select(Message.body).where(Message.progress_id == item_id).order_by(Message.id)))


def open_checklist(page, title: str | None = None) -> None:
    """From "Việc của tôi", where a unit's person lands after logging in, to the unit's checklist
    of a directive (the first listed, or the one whose title has `title`), by its link."""
    links = page.locator("section[aria-labelledby=directives-title] ul.directives a")
    link = links.first if title is None else links.filter(has_text=title)
    with page.expect_navigation():
        link.click()


def log_in_at(base_url: str, page, username: str) -> None:
    """Log in through the login form of the portal at `base_url`, as a person would; waits for
    the page the portal lands on."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
