"""Trao đổi in a real browser: Phòng Nội vụ's reviewer writes on an item, the unit's officer (on a
phone, 390 pixels wide) sees the unread marker on the item and in the conversation and replies,
and the reviewer sees the reply marked new. With JavaScript on, the conversation opens and each
message is sent in place (htmx); with it off, by plain links, posts and redirects."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ..support.browser import (
    BrowserLog,
    fits_the_screen,
    new_page,
    open_checklist,
)
from ..support.browser import message_bodies as bodies
from ..support.records import ids_of

PHONE = {"width": 390, "height": 844}
OPEN = re.compile(r"^Mở trao đổi giữa đơn vị và Phòng Nội vụ")


def send(talk, text: str) -> None:
    talk.get_by_label("Nội dung trao đổi").fill(text)
    talk.get_by_role("button", name="Gửi tin nhắn").click()


def test_reviewer_and_officer_talk_on_an_item_in_place(browser, live_server, log_in):
    item_id = live_server.item_id("Phường 1", "1.2")
    talk_id = f"#talk-{item_id}"
    reviewer_log, ward_log = BrowserLog(), BrowserLog()
    reviewer_context, reviewer = new_page(browser, reviewer_log)
    ward_context, ward = new_page(browser, ward_log)
    try:
        log_in(reviewer, "noivu.duyet")
        reviewer.goto(f"{live_server.url}/items/{item_id}")
        reviewer.evaluate("window.__marker = 1")
        reviewer.locator(talk_id).get_by_role("link", name=OPEN).click()
        talk = reviewer.locator(talk_id)
        expect(talk.get_by_text("Chưa có trao đổi nào về nhiệm vụ này.")).to_be_visible()
        send(talk, "Đề nghị đơn vị bổ sung biên bản họp.")
        expect(talk.get_by_text("Đã gửi tin nhắn.")).to_be_visible()
        expect(talk.locator(".message")).to_have_count(1)
        expect(talk.locator(".message").first).to_contain_text("Chuyên viên Phòng Nội vụ")
        assert reviewer.evaluate("window.__marker") == 1  # swapped in place, no page load

        ward.set_viewport_size(PHONE)
        log_in(ward, "phuong1")
        open_checklist(ward)
        article = ward.locator(f"article#item-{item_id}")
        expect(article.locator(talk_id).locator(".badge.unread")).to_have_text("1 tin mới")
        article.locator(talk_id).get_by_role("link", name=OPEN).click()
        talk = ward.locator(talk_id)
        message = talk.locator(".message.unread")
        expect(message).to_have_count(1)
        expect(message).to_contain_text("Đề nghị đơn vị bổ sung biên bản họp.")
        expect(message.locator(".badge.unread")).to_have_text("Mới")
        fits_the_screen(ward, talk_id)
        send(talk, "Đơn vị sẽ bổ sung biên bản trong tuần.")
        expect(talk.get_by_text("Đã gửi tin nhắn.")).to_be_visible()
        expect(talk.locator(".message")).to_have_count(2)
        expect(talk.locator(".message.unread")).to_have_count(0)  # seen now
        fits_the_screen(ward, talk_id)

        reviewer.reload()
        expect(reviewer.locator(talk_id).locator(".badge.unread")).to_have_text("1 tin mới")
        reviewer.locator(talk_id).get_by_role("link", name=OPEN).click()
        reply = reviewer.locator(talk_id).locator(".message.unread")
        expect(reply).to_have_count(1)
        expect(reply).to_contain_text("Đơn vị sẽ bổ sung biên bản trong tuần.")
        expect(reply).to_contain_text(ids_of(live_server.app).full_name("phuong1"))
        assert bodies(live_server, item_id) == ["Đề nghị đơn vị bổ sung biên bản họp.",
                                                 "Đơn vị sẽ bổ sung biên bản trong tuần."]
        assert reviewer_log.page_errors == [] and ward_log.page_errors == []
        assert reviewer_log.foreign_requests() == [] and ward_log.foreign_requests() == []
    finally:
        reviewer_context.close()
        ward_context.close()


def test_reviewer_and_officer_talk_with_javascript_off(browser, live_server, log_in):
    item_id = live_server.item_id("Phường 2", "1.2")
    talk_id = f"#talk-{item_id}"
    conversation = f"{live_server.url}/items/{item_id}/messages"
    reviewer_log, ward_log = BrowserLog(), BrowserLog()
    reviewer_context, reviewer = new_page(browser, reviewer_log, java_script_enabled=False)
    ward_context, ward = new_page(browser, ward_log, java_script_enabled=False)
    try:
        log_in(reviewer, "noivu.duyet")
        reviewer.goto(f"{live_server.url}/items/{item_id}")
        with reviewer.expect_navigation():
            reviewer.locator(talk_id).get_by_role("link", name=OPEN).click()
        assert reviewer.url == conversation + "#talk-new"
        with reviewer.expect_navigation():
            send(reviewer.locator(talk_id), "Đề nghị gửi lại tệp có chữ ký.")
        assert reviewer.url == conversation + "#talk-new"  # redirected after the post
        expect(reviewer.locator("#messages")).to_contain_text("Đã gửi tin nhắn.")
        expect(reviewer.locator(talk_id).locator(".message")).to_have_count(1)

        ward.set_viewport_size(PHONE)
        log_in(ward, "phuong2")
        open_checklist(ward)
        article = ward.locator(f"article#item-{item_id}")
        expect(article.locator(talk_id).locator(".badge.unread")).to_have_text("1 tin mới")
        with ward.expect_navigation():
            article.locator(talk_id).get_by_role("link", name=OPEN).click()
        talk = ward.locator(talk_id)
        expect(talk.locator(".message.unread")).to_contain_text("Đề nghị gửi lại tệp có chữ ký.")
        fits_the_screen(ward, talk_id)
        with ward.expect_navigation():
            send(talk, "Đã gửi lại tệp có chữ ký.")
        expect(ward.locator("#messages")).to_contain_text("Đã gửi tin nhắn.")
        expect(talk.locator(".message")).to_have_count(2)
        expect(talk.locator(".message.unread")).to_have_count(0)

        reviewer.goto(conversation)
        reply = reviewer.locator(talk_id).locator(".message.unread")
        expect(reply).to_have_count(1)
        expect(reply).to_contain_text("Đã gửi lại tệp có chữ ký.")
        assert bodies(live_server, item_id) == ["Đề nghị gửi lại tệp có chữ ký.",
                                                 "Đã gửi lại tệp có chữ ký."]
    finally:
        reviewer_context.close()
        ward_context.close()
