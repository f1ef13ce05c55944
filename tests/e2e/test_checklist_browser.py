"""A ward's staff work through the checklist in a real browser: evidence upload and submission
swap the item in place under htmx, validation errors show beside the field, the same work is
possible with JavaScript off, and a file over the limit is refused without storing anything."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal import storage
from portal.demo import sample_pdf
from portal.extensions import db
from portal.models import Evidence, ProgressStatus

from ..support.browser import open_checklist
from ..support.records import item_row

DETAILS = "Cập nhật kết quả, số liệu, tài liệu kiểm chứng"


def evidence_rows(live_server, item_id: int) -> list[Evidence]:
    with live_server.app.app_context():
        rows = db.session.scalars(select(Evidence).where(Evidence.progress_id == item_id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def evidence_count(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(func.count(Evidence.id)))


def open_item(page, item_id: int):
    """The item's article, with its work area (<details>) expanded."""
    article = page.locator(f"article#item-{item_id}")
    expect(article).to_be_visible()
    article.locator("summary", has_text=DETAILS).click()
    expect(article.locator("details.work")).to_have_attribute("open", "")
    return article


def status_badge(article):
    return article.locator("header.item-head .badge .label")


def test_ward_uploads_evidence_and_submits_without_page_reload(
    page, browser_log, live_server, log_in, tmp_path
):
    item_id = live_server.item_id("Phường 1", "1.1")
    pdf = tmp_path / "Báo cáo khắc phục 2023.pdf"
    pdf.write_bytes(sample_pdf("Phuong 1 - 1.1"))
    assert pdf.read_bytes().startswith(b"%PDF-1.4")

    log_in(page, "phuong1")
    open_checklist(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường 1: nhiệm vụ theo văn bản")
    article = page.locator(f"article#item-{item_id}")
    expect(article.locator("header .code")).to_have_text("1.1")
    expect(article.get_by_role("heading", level=3)).to_have_text(
        re.compile(r"^Báo cáo kết quả khắc phục")
    )
    expect(status_badge(article)).to_have_text("Chưa thực hiện")

    # From here on, nothing may reload the page: htmx swaps the item in place.
    page.evaluate("window.__marker = 1")
    loads, url = len(browser_log.loads), page.url
    uploads = []
    page.on("request", lambda r: uploads.append(r) if r.url.endswith("/files") else None)

    article = open_item(page, item_id)
    article.get_by_label(re.compile(r"^Đính kèm tệp")).set_input_files(pdf)
    # What portal.js reports while sending (the article is replaced once the answer is in).
    article.locator(".upload-status").evaluate(
        """status => { window.__progress = [];
            new MutationObserver(() => window.__progress.push(status.textContent))
                .observe(status, {childList: true, characterData: true, subtree: true}); }"""
    )
    with page.expect_response(f"{live_server.url}/items/{item_id}/files") as answer:
        article.get_by_role("button", name="Tải lên").click()
    assert answer.value.status == 200
    expect(article.get_by_role("link", name=pdf.name, exact=True)).to_be_visible()
    expect(article.locator(".item-result")).to_have_text(f"Đã đính kèm tệp «{pdf.name}».")
    expect(article.get_by_role("heading", name="Tài liệu kiểm chứng (1)")).to_be_visible()
    expect(status_badge(article)).to_have_text("Đang thực hiện")

    # The upload went through portal.js's XHR, which reported progress, as an htmx request.
    assert page.evaluate("window.__progress")[-1:] == ["Đang tải lên 100 %"]
    assert len(uploads) == 1
    assert uploads[0].resource_type == "xhr"
    headers = uploads[0].all_headers()
    assert headers.get("hx-request") == "true" and headers.get("x-csrftoken")
    assert "multipart/form-data" in headers.get("content-type", "")

    # 1.1 was due on 16/06/2023: the unit explains the delay (giải trình) as it submits.
    article.get_by_label(re.compile(r"^Giải trình")).fill("Chờ số liệu tổng hợp.")
    with page.expect_response(f"{live_server.url}/items/{item_id}/submit") as answer:
        article.get_by_role("button", name="Gửi duyệt").click()
    assert answer.value.status == 200
    expect(status_badge(article)).to_have_text("Chờ duyệt")
    expect(article.locator(".item-result")).to_have_text("Đã gửi Phòng Nội vụ duyệt.")
    expect(article.get_by_role("link", name=pdf.name, exact=True)).to_be_visible()
    # Submitted: the unit can no longer change it, so its buttons are gone.
    expect(article.get_by_role("button", name="Gửi duyệt")).to_have_count(0)
    expect(page.locator(f"article#item-{item_id}")).to_have_count(1)

    assert page.evaluate("window.__marker") == 1
    assert browser_log.loads[loads:] == [] and page.url == url

    rows = evidence_rows(live_server, item_id)
    assert [(r.file_name, r.size) for r in rows] == [(pdf.name, pdf.stat().st_size)]
    with live_server.app.app_context():
        stored = storage.path_for(rows[0].stored_name)
    assert stored.is_file() and stored.read_bytes() == pdf.read_bytes()
    assert stored.is_relative_to(live_server.upload_dir)
    assert item_row(live_server.app, item_id).status is ProgressStatus.SUBMITTED

    assert len(browser_log.requests) > 5  # page, styles, scripts, posts: all on 127.0.0.1
    assert browser_log.foreign_requests() == []
    assert browser_log.console_errors == []
    assert browser_log.page_errors == []
    assert browser_log.failed == []


def test_figure_over_100_percent_is_refused_in_place(page, browser_log, live_server, log_in):
    item_id = live_server.item_id("Phường 2", "1.10")
    log_in(page, "phuong2")
    open_checklist(page)
    page.evaluate("window.__marker = 1")
    loads, url = len(browser_log.loads), page.url

    article = open_item(page, item_id)
    # By name, not by label: see test_every_label_names_its_field for why.
    numerator = article.locator("input[name=numerator]")
    denominator = article.locator("input[name=denominator]")
    numerator.fill("101")
    denominator.fill("100")
    with page.expect_response(f"{live_server.url}/items/{item_id}/save") as answer:
        article.get_by_role("button", name="Lưu", exact=True).click()
    assert answer.value.status == 422

    error = article.locator(".field.has-error .error")
    expect(error).to_have_text(re.compile(r"^Số đạt không được lớn hơn tổng số"))
    expect(numerator).to_have_attribute("aria-invalid", "true")
    expect(numerator).to_have_accessible_description(
        re.compile(r"^Số đạt không được lớn hơn tổng số")
    )
    # What the user typed is kept for correcting; the work area stays open; nothing was saved.
    expect(numerator).to_have_value("101")
    expect(denominator).to_have_value("100")
    expect(article.locator("details.work")).to_have_attribute("open", "")
    expect(article.locator("dl.facts")).to_contain_text("Chưa nhập")
    expect(status_badge(article)).to_have_text("Chưa thực hiện")

    assert page.evaluate("window.__marker") == 1
    assert browser_log.loads[loads:] == [] and page.url == url
    row = item_row(live_server.app, item_id)
    assert (row.numerator, row.denominator, row.status) == (None, None,
                                                            ProgressStatus.NOT_STARTED)
    assert browser_log.foreign_requests() == []
    assert browser_log.page_errors == []
    # Chromium logs every 4xx answer as a console error; that one is expected, nothing else.
    assert browser_log.console_errors_except(422) == []


def test_upload_and_submit_work_with_javascript_off(
    page_without_js, browser_log, live_server, log_in, tmp_path
):
    page = page_without_js
    item_id = live_server.item_id("Phường 3", "1.1")
    pdf = tmp_path / "Bao cao khac phuc P3.pdf"
    pdf.write_bytes(sample_pdf("Phuong 3 - 1.1"))

    log_in(page, "phuong3")
    open_checklist(page)
    checklist = page.url.split("#")[0]
    assert re.fullmatch(rf"{re.escape(live_server.url)}/directives/\d+/units/\d+", checklist)

    article = open_item(page, item_id)
    article.get_by_label(re.compile(r"^Đính kèm tệp")).set_input_files(pdf)
    with page.expect_navigation():
        article.get_by_role("button", name="Tải lên").click()
    assert page.url == f"{checklist}#item-{item_id}"
    expect(page.locator("#messages")).to_have_text(f"Đã đính kèm tệp «{pdf.name}».")
    article = page.locator(f"article#item-{item_id}")
    expect(article.get_by_role("link", name=pdf.name, exact=True)).to_be_visible()
    expect(status_badge(article)).to_have_text("Đang thực hiện")

    article.get_by_label(re.compile(r"^Giải trình")).fill("Chờ số liệu tổng hợp.")
    with page.expect_navigation():
        article.get_by_role("button", name="Gửi duyệt").click()
    assert page.url == f"{checklist}#item-{item_id}"
    expect(page.locator("#messages")).to_have_text("Đã gửi Phòng Nội vụ duyệt.")
    expect(status_badge(article)).to_have_text("Chờ duyệt")
    expect(article.get_by_role("link", name=pdf.name, exact=True)).to_be_visible()

    rows = evidence_rows(live_server, item_id)
    assert [r.file_name for r in rows] == [pdf.name]
    with live_server.app.app_context():
        assert storage.path_for(rows[0].stored_name).read_bytes() == pdf.read_bytes()
    assert item_row(live_server.app, item_id).status is ProgressStatus.SUBMITTED
    assert browser_log.foreign_requests() == []
    assert browser_log.console_errors == []
    assert browser_log.failed == []


@pytest.mark.parametrize(
    "javascript", [True, False], ids=["refused-in-browser", "refused-by-server"]
)
def test_file_over_the_limit_is_refused_and_nothing_is_stored(
    javascript, browser_log, live_server, log_in, tmp_path, request
):
    page = request.getfixturevalue("page" if javascript else "page_without_js")
    limit_mb = live_server.app.config["MAX_UPLOAD_MB"]
    unit = "Phường 4" if javascript else "Phường An Hòa"
    username = "phuong4" if javascript else "phuonganhoa"
    item_id = live_server.item_id(unit, "1.1")
    big = tmp_path / "Bao cao qua lon.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    assert big.stat().st_size > limit_mb * 1024 * 1024

    log_in(page, username)
    open_checklist(page)
    files_before = live_server.stored_files()
    rows_before = evidence_count(live_server)
    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.url.endswith("/files") else None)

    article = open_item(page, item_id)
    article.get_by_label(re.compile(r"^Đính kèm tệp")).set_input_files(big)
    refusal = re.compile(rf"vượt quá giới hạn {limit_mb} MB")
    if javascript:
        article.get_by_role("button", name="Tải lên").click()
        expect(article.locator(".upload-status")).to_have_text(refusal)
        expect(article.locator(".upload-status")).to_contain_text(big.name)
        assert posted == []  # refused before sending a byte
    else:
        with page.expect_response(f"{live_server.url}/items/{item_id}/files") as answer:
            article.get_by_role("button", name="Tải lên").click()
        assert answer.value.status == 413
        page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1)).to_have_text("Không thực hiện được")
        expect(page.get_by_role("alert")).to_have_text(refusal)
        expect(page.get_by_role("link", name="Về trang chính")).to_be_visible()
        assert posted == [f"{live_server.url}/items/{item_id}/files"]

    assert evidence_count(live_server) == rows_before
    assert evidence_rows(live_server, item_id) == []
    assert live_server.stored_files() == files_before
    assert item_row(live_server.app, item_id).status is ProgressStatus.NOT_STARTED

    if javascript:
        # The refusal leaves htmx able to send the next, smaller file.
        small = tmp_path / "Bao cao nho.pdf"
        small.write_bytes(sample_pdf("Nho"))
        article.get_by_label(re.compile(r"^Đính kèm tệp")).set_input_files(small)
        with page.expect_response(f"{live_server.url}/items/{item_id}/files") as answer:
            article.get_by_role("button", name="Tải lên").click()
        assert answer.value.status == 200
        expect(article.get_by_role("link", name=small.name, exact=True)).to_be_visible()
        assert [r.file_name for r in evidence_rows(live_server, item_id)] == [small.name]

    assert browser_log.foreign_requests() == []
    assert browser_log.console_errors_except(413) == []
    assert browser_log.page_errors == []
    assert browser_log.failed == []  # the server's 413 arrived, not a connection reset


def test_every_label_names_its_field(page, live_server, log_in):
    """Each label on the checklist points at a control (screen readers, clicking the label)."""
    item_id = live_server.item_id("Phường Tân Quy Đông", "1.10")
    log_in(page, "phuongtanquydong")
    open_checklist(page)
    orphans = page.evaluate(
        """() => [...document.querySelectorAll("label[for]")]
            .filter(label => !document.getElementById(label.htmlFor))
            .map(label => label.htmlFor + ": " + label.textContent.trim())"""
    )
    duplicated = page.evaluate(
        """() => { const seen = {}; document.querySelectorAll("[id]").forEach(e => {
            seen[e.id] = (seen[e.id] || 0) + 1; });
            return Object.keys(seen).filter(id => seen[id] > 1); }"""
    )
    assert duplicated == []
    assert orphans == []
    article = open_item(page, item_id)
    expect(article.get_by_label("Số đạt", exact=True)).to_have_attribute(
        "id", f"numerator-{item_id}"
    )
