"""The reviewer's live matrix in a real browser, next to a ward working in another one."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ..support.browser import BrowserLog, new_page, open_checklist


def test_reviewers_matrix_shows_a_wards_submission_without_reload(
    browser, page, browser_log, live_server, log_in
):
    item_id = live_server.item_id("Phường 4", "1.5")
    log_in(page, "noivu.duyet")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Ma trận theo dõi"))
    cell = page.locator(f"#c{item_id}")
    expect(cell).to_have_text(re.compile(r"^○"))

    polls = []
    page.on("response", lambda r: polls.append(r.status) if "/matrix" in r.url else None)
    page.evaluate("window.__marker = 1")
    loads = len(browser_log.loads)
    waiting = int(page.locator("#waiting .count").text_content())
    cell.focus()

    # The ward, in its own browser profile, writes a note and submits the item.
    ward_log = BrowserLog()
    context, ward = new_page(browser, ward_log)
    try:
        log_in(ward, "phuong4")
        open_checklist(ward)
        article = ward.locator(f"article#item-{item_id}")
        article.locator("summary", has_text="Cập nhật kết quả").click()
        article.get_by_label("Ghi chú, kết quả thực hiện").fill("Đã niêm yết đầy đủ TTHC.")
        article.get_by_role("button", name="Lưu").click()
        expect(article.locator(".item-result")).to_have_text("Đã lưu ghi chú và số liệu.")
        article.get_by_role("button", name="Gửi duyệt").click()
        expect(article.locator(".badge .label").first).to_have_text("Chờ duyệt")
        assert ward_log.foreign_requests() == [] and ward_log.console_errors == []
    finally:
        context.close()

    # Within 5 s the reviewer's open matrix shows it, without a reload, focus kept.
    expect(cell).to_have_text(re.compile(r"^→"), timeout=5000)
    expect(page.locator(f"td:has(#c{item_id})")).to_have_class(re.compile("status-submitted"))
    assert page.evaluate("window.__marker") == 1
    assert browser_log.loads[loads:] == []
    assert page.evaluate("document.activeElement.id") == f"c{item_id}"
    # The navigation's "Chờ duyệt" count came with the same poll.
    expect(page.locator("#waiting .count")).to_have_text(str(waiting + 1))

    # Nothing changes now: the next poll is answered 304 and nothing is swapped.
    polls.clear()
    page.wait_for_timeout(4500)
    assert polls and set(polls) == {304}, polls
    assert browser_log.foreign_requests() == []
    assert browser_log.console_errors == []


def test_reviewer_approves_from_the_side_panel(page, browser_log, live_server, log_in):
    from portal.extensions import db
    from portal.models import Progress, ProgressStatus

    item_id = live_server.item_id("Xã Tân Phú Đông", "1.8")
    with live_server.app.app_context():
        item = db.session.get(Progress, item_id)
        item.status = ProgressStatus.SUBMITTED
        item.note = "Đã xử lý văn bản trên iDesk."
        db.session.commit()

    log_in(page, "noivu.duyet")
    page.locator(f"#c{item_id}").click()
    panel = page.locator("#panel")
    expect(panel.get_by_role("heading", level=3)).to_have_text(re.compile("iDesk"))
    expect(panel).to_contain_text("Đã xử lý văn bản trên iDesk.")
    panel.get_by_label("Đạt").check()
    panel.get_by_role("button", name="Ghi kết quả duyệt").click()
    expect(panel.locator(".item-result")).to_have_text("Đã duyệt: Đạt.")
    # The matrix refreshes at once (HX-Trigger), not only at the next poll.
    expect(page.locator(f"#c{item_id}")).to_have_text(re.compile(r"^✓"), timeout=2000)
    panel.get_by_role("button", name="Đóng").click()
    expect(panel).to_be_empty()
    assert page.evaluate("document.activeElement.id") == f"c{item_id}"
    with live_server.app.app_context():
        assert db.session.get(Progress, item_id).status is ProgressStatus.APPROVED
    assert browser_log.foreign_requests() == [] and browser_log.console_errors == []


def test_the_reminder_form_is_loaded_when_opened_and_sends(page, browser_log, live_server,
                                                           log_in):
    """The matrix page carries the section closed and without the form; opening it loads the
    form (one request), which then reminds a unit in place."""
    log_in(page, "noivu.duyet")
    section = page.locator("#remind")
    expect(section.locator("summary")).to_have_text("Nhắc nhở đơn vị")
    expect(section.locator("form")).to_have_count(0)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if r.url.endswith("/reminders") else None)
    section.locator("summary").click()
    form = page.locator("#remind form")
    expect(form).to_be_visible()
    expect(page.locator("#remind details")).to_have_attribute("open", "")
    assert len(asked) == 1
    page.get_by_role("radio", name="Một đơn vị").check()
    page.locator("#remind-unit").select_option(label="Phường 1")
    page.locator("#remind-message").fill("Đề nghị khẩn trương hoàn thành.")
    page.get_by_role("button", name="Gửi nhắc nhở").click()
    expect(page.locator("#remind .flash-success")).to_contain_text("Đã nhắc 1 đơn vị")
    assert browser_log.foreign_requests() == [] and browser_log.console_errors == []
