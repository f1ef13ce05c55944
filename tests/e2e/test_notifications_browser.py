"""The bell in a real browser: the matrix's own polling brings its count (out of band, htmx 4),
a poll that carries only the bell leaves the matrix as it is, and "mark all read" empties it."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Notification, User

from ..support.browser import PASSWORD
from ..support.clients import PortalClient


def client_of(live_server, username: str) -> PortalClient:
    """Another person at work meanwhile, through the portal's routes."""
    client = PortalClient(live_server.app.test_client())
    assert client.login(username, PASSWORD).status_code == 303
    return client


def newest_notification(live_server, username: str) -> int:
    with live_server.app.app_context():
        found = db.session.scalar(
            select(Notification.id).join(User, User.id == Notification.user_id)
            .where(User.username == username).order_by(Notification.id.desc())
        )
        db.session.remove()
        return found


def test_the_matrix_poll_brings_the_bell_and_a_bell_only_poll_keeps_the_matrix(
        page, browser_log, live_server, log_in):
    item_id = live_server.item_id("Phường 3", "1.5")
    log_in(page, "noivu.duyet")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Ma trận theo dõi"))
    bell = page.locator("#bell")
    expect(bell).to_have_text("")
    page.evaluate("window.__marker = 1")

    ward = client_of(live_server, "phuong3")
    assert ward.post(f"/items/{item_id}/save", {"note": "Đã thực hiện."}).status_code == 303
    assert ward.post(f"/items/{item_id}/submit").status_code == 303

    # Within a poll or two: the cell and the bell, without a reload.
    expect(page.locator(f"#c{item_id}")).to_have_text(re.compile(r"^→"), timeout=9000)
    expect(bell).to_have_text("1 chưa đọc", timeout=9000)
    expect(bell).to_have_attribute("aria-live", "polite")

    # Read elsewhere (another tab): the next poll carries the bell alone; the matrix stays.
    reviewer = client_of(live_server, "noivu.duyet")
    opened = reviewer.get(f"/notifications/{newest_notification(live_server, 'noivu.duyet')}"
                          "/open")
    assert opened.status_code == 303
    expect(bell).to_have_text("", timeout=9000)
    expect(page.locator(f"#c{item_id}")).to_have_text(re.compile(r"^→"))
    expect(page.locator("#matrix table.matrix")).to_be_visible()
    assert page.evaluate("window.__marker") == 1
    assert browser_log.console_errors == [] and browser_log.page_errors == []
    assert browser_log.foreign_requests() == []


def test_mark_all_read_updates_the_list_and_the_bell_in_place(page, browser_log, live_server,
                                                              log_in):
    log_in(page, "phuong4")
    page.goto(f"{live_server.url}/notifications")
    expect(page.locator("#bell")).to_have_text("1 chưa đọc")
    expect(page.locator("ol.notifications li.unread")).to_have_count(1)
    page.evaluate("window.__marker = 1")
    page.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    expect(page.locator("#notifications [role=status]")).to_have_text(
        "Đã đánh dấu 1 thông báo là đã đọc.")
    expect(page.locator("#bell")).to_have_text("")
    expect(page.locator("ol.notifications li.unread")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1
    assert browser_log.console_errors == [] and browser_log.page_errors == []
