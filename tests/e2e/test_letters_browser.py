"""A scanned letter imported in a real browser: the administrator uploads a 4-page scan (rendered
at 200 dpi from the letter laid out by LibreOffice), watches "Đang đọc trang k/n" while
`flask read-letter` reads it (htmx polls), lands on the draft with the letter's text beside it,
corrects a slip in the text and makes the draft again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..support import letters
from ..support.browser import serve

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("letters_browser")]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The portal with the default upload limit, which a scan needs."""
    with serve(tmp_path_factory, MAX_UPLOAD_MB=20) as server:
        yield server


def test_a_scan_shows_its_progress_then_its_draft_beside_its_text(page, log_in, live_server,
                                                                   tmp_path):
    scan = tmp_path / "cong-van-quet.pdf"
    scan.write_bytes(letters.scan_pdf(letters.scan_images(letters.letter_pdf(), noise=0.005)))
    log_in(page, "quantri")
    page.goto(f"{live_server.url}/admin/directives/import")
    page.get_by_label(re.compile("^Hoặc tệp công văn")).set_input_files(str(scan))
    page.get_by_label("Mã văn bản").fill("cv-quet-trinh-duyet")
    page.get_by_role("button", name="Nhập thành bản nháp").click()

    expect(page.get_by_role("heading", name="Đọc tệp công văn «cong-van-quet.pdf»")).to_be_visible()
    # The reading process starts in a few seconds, more on a busy machine.
    expect(page.locator("#letter-read").get_by_role("status")).to_contain_text(
        re.compile(r"Đang đọc trang \d/4"), timeout=60_000)
    page.wait_for_url(re.compile(r"/admin/directives/\d+$"), timeout=120_000)
    expect(page.get_by_text("Đã đọc «cong-van-quet.pdf» và nhập thành bản nháp")).to_be_visible()
    text = page.get_by_label("Văn bản đã đọc từ tệp")
    expect(text).to_contain_text("Kính gửi:")
    expect(page.get_by_text("bản quét 4 trang được nhận dạng chữ tự động")).to_be_visible()

    corrected = text.input_value().replace("16/6/2023", "18/6/2023")
    text.fill(corrected)
    page.get_by_role("button", name="Nhập lại từ văn bản này").click()
    expect(page.get_by_text(re.compile(r"Đã nhập lại bản nháp từ văn bản đã sửa: \d+ mục"))
           ).to_be_visible()
    expect(page.get_by_label("Văn bản đã đọc từ tệp")).to_contain_text("18/6/2023")
