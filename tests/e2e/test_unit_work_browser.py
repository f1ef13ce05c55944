"""Work inside a unit in a real browser, from end to end: the head assigns an item to an officer,
the officer (on a phone, 390 pixels wide) finds it in "Việc của tôi", works it and sends it up,
the head sends it on to Phòng Nội vụ, the reviewer returns it with a message, and the officer
replies. Once with JavaScript on (each step swapped in place by htmx), once with it off (plain
posts and redirects), where the head also returns the item once before sending it on."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Progress, ProgressStatus, User

from ..support.browser import BrowserLog, fits_the_screen, log_in_at, new_page
from ..support.browser import message_bodies as bodies

PHONE = {"width": 390, "height": 844}
OPEN_TALK = re.compile(r"^Mở trao đổi giữa đơn vị và Phòng Nội vụ")
LATE = "Giải trình lý do chậm (bắt buộc khi gửi sau hạn)"


def person(live_server, username: str) -> str:
    with live_server.app.app_context():
        return db.session.scalar(select(User).where(User.username == username)).display_name


def item_row(live_server, item_id: int) -> Progress:
    with live_server.app.app_context():
        found = db.session.get(Progress, item_id)
        db.session.expunge(found)
        return found


def click(page, role: str, name, js: bool, scope=None) -> None:
    """Press a button or follow a link; without JavaScript the browser loads a new page."""
    target = (scope or page).get_by_role(role, name=name)
    if js:
        target.click()
    else:
        with page.expect_navigation():
            target.click()


def run_the_whole_round(browser, live_server, unit: str, head_name: str, officer_name: str,
                        js: bool) -> None:
    def log_in_page(page, username: str) -> None:
        log_in_at(live_server.url, page, username)

    item_id = live_server.item_id(unit, "1.1")
    article = f"article#item-{item_id}"
    officer_label = person(live_server, officer_name)
    logs = [BrowserLog() for _ in range(3)]
    contexts = [new_page(browser, log, java_script_enabled=js) for log in logs]
    (_, head), (_, officer), (_, reviewer) = contexts
    try:
        # The head lands on "Việc của tôi" and hands 1.1 to the officer.
        log_in_page(head, head_name)
        assert head.url == f"{live_server.url}/my-work"
        expect(head.get_by_role("heading", name="Việc của tôi", level=1)).to_be_visible()
        head.goto(f"{live_server.url}/items/{item_id}")
        card = head.locator(article)
        card.locator("details.assign summary").click()
        card.get_by_label(officer_label).check()
        card.get_by_label("Hạn nội bộ (dd/mm/yyyy, không bắt buộc)").fill("30/06/2023")
        card.get_by_label("Ghi chú cho cán bộ").fill("Gửi dự thảo trước họp giao ban.")
        click(head, "button", "Ghi phân công", js, card)
        expect(head.get_by_text("Đã phân công.")).to_be_visible()
        expect(head.locator(article)).to_contain_text(f"{officer_label} · hạn nội bộ 30/06/2023")

        # The officer, on a phone, finds it in "Việc của tôi", works it and sends it up.
        officer.set_viewport_size(PHONE)
        log_in_page(officer, officer_name)
        mine = officer.locator("section", has=officer.get_by_role(
            "heading", name=re.compile(r"^Việc được giao cho tôi \(1\)")))
        expect(mine).to_contain_text("Gửi dự thảo trước họp giao ban.")
        fits_the_screen(officer, ".work-card")
        with officer.expect_navigation():
            mine.locator(".work-title a").click()
        card = officer.locator(article)
        card.locator("details.work summary").click()
        card.get_by_label(re.compile(r"^Đính kèm tệp")).set_input_files(
            files=[{"name": "Báo cáo khắc phục.pdf", "mimeType": "application/pdf",
                    "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"}])
        click(officer, "button", "Tải lên", js, card)
        expect(officer.locator(article)).to_contain_text("Báo cáo khắc phục.pdf")
        card = officer.locator(article)
        expect(card.get_by_role("button", name="Gửi duyệt")).to_have_count(0)
        card.get_by_label(LATE).fill("Chờ số liệu từ Hệ thống một cửa.")
        click(officer, "button", "Trình lãnh đạo đơn vị", js, card)
        expect(officer.get_by_text("Đã trình lãnh đạo đơn vị.")).to_be_visible()
        expect(officer.locator(article).locator(".badge.awaiting-head")).to_be_visible()
        fits_the_screen(officer, article)

        # The head finds it waiting for sign-off.
        head.goto(f"{live_server.url}/my-work")
        waiting = head.locator("section", has=head.get_by_role(
            "heading", name="Chờ tôi ký duyệt (1)"))
        with head.expect_navigation():
            waiting.locator(".work-title a").click()
        card = head.locator(article)
        if not js:  # once back to the officer with a comment, and up again
            card.get_by_label("Ý kiến của lãnh đạo đơn vị (nội dung cần sửa)").fill(
                "Ghi rõ số hồ sơ trễ hạn.")
            click(head, "button", "Trả lại cán bộ", js, card)
            expect(head.get_by_text("Đã trả lại cán bộ kèm ý kiến.")).to_be_visible()
            officer.goto(f"{live_server.url}/items/{item_id}")
            card = officer.locator(article)
            expect(card).to_contain_text("Ghi rõ số hồ sơ trễ hạn.")
            card.get_by_label(LATE).fill("Chờ số liệu từ Hệ thống một cửa.")
            click(officer, "button", "Trình lãnh đạo đơn vị", js, card)
            head.goto(f"{live_server.url}/items/{item_id}")
            card = head.locator(article)
        click(head, "button", "Gửi duyệt", js, card)
        expect(head.get_by_text("Đã gửi Phòng Nội vụ duyệt.")).to_be_visible()
        found = item_row(live_server, item_id)
        assert found.status is ProgressStatus.SUBMITTED

        # Phòng Nội vụ sees who prepared and who signed off, returns it and writes why.
        log_in_page(reviewer, "noivu.duyet")
        reviewer.goto(f"{live_server.url}/items/{item_id}")
        card = reviewer.locator(article)
        expect(card).to_contain_text(f"người chuẩn bị: {officer_label}")
        expect(card).to_contain_text(
            f"lãnh đạo đơn vị ký duyệt: {person(live_server, head_name)}")
        card.get_by_label("Yêu cầu bổ sung", exact=True).check()
        card.get_by_label("Nhận xét (bắt buộc khi yêu cầu bổ sung)").fill("Thiếu chữ ký số.")
        click(reviewer, "button", "Ghi kết quả duyệt", js, card)
        expect(reviewer.get_by_text("Đã trả lại: Yêu cầu bổ sung.")).to_be_visible()
        reviewer.goto(f"{live_server.url}/items/{item_id}")  # without JavaScript: the matrix
        card = reviewer.locator(article)
        expect(card.locator("header .badge.status-returned")).to_be_visible()
        click(reviewer, "link", OPEN_TALK, js, card)
        talk = reviewer.locator(f"#talk-{item_id}")
        talk.get_by_label("Nội dung trao đổi").fill("Đề nghị gửi bản có chữ ký số.")
        click(reviewer, "button", "Gửi tin nhắn", js, talk)
        expect(reviewer.locator(f"#talk-{item_id} .message")).to_have_count(1)

        # The officer sees it returned, reads the message and replies, still on the phone.
        officer.goto(f"{live_server.url}/my-work")
        expect(officer.locator(".work-card").first).to_contain_text("Yêu cầu bổ sung")
        officer.goto(f"{live_server.url}/items/{item_id}")
        card = officer.locator(article)
        expect(card.locator(".badge.unread")).to_have_text("1 tin mới")
        click(officer, "link", OPEN_TALK, js, card)
        talk = officer.locator(f"#talk-{item_id}")
        expect(talk.locator(".message").first).to_contain_text("Đề nghị gửi bản có chữ ký số.")
        talk.get_by_label("Nội dung trao đổi").fill("Đơn vị sẽ gửi lại trong tuần.")
        click(officer, "button", "Gửi tin nhắn", js, talk)
        expect(officer.locator(f"#talk-{item_id} .message")).to_have_count(2)
        fits_the_screen(officer, f"#talk-{item_id}")

        assert bodies(live_server, item_id) == ["Đề nghị gửi bản có chữ ký số.",
                                                "Đơn vị sẽ gửi lại trong tuần."]
        for log in logs:
            assert log.page_errors == [] and log.foreign_requests() == []
    finally:
        for context, _ in contexts:
            context.close()


def test_a_whole_round_inside_a_unit_and_with_phong_noi_vu(browser, live_server):
    run_the_whole_round(browser, live_server, "Phường 1", "phuong1", "phuong1.cb1", js=True)


def test_a_whole_round_with_javascript_off(browser, live_server):
    run_the_whole_round(browser, live_server, "Phường 2", "phuong2", "phuong2.cb1", js=False)
