"""A draft the importer could not fully place, corrected in a real browser: the administrator
pastes a page whose orders name no unit of the portal (a page about a body it does not hold, so
an order that names no one is not given to every unit), sees under each task what the importer
read, and gives both tasks their units at once from the link above the draft's tasks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

PAGE = """Hội Nông dân Sa Đéc bàn việc chuyển đổi số

Kết luận buổi làm việc, Chủ tịch UBND thành phố đề nghị sớm hoàn thành việc số hóa hồ sơ hộ \
tịch.

Chủ tịch UBND thành phố yêu cầu Ban Quản lý chợ Sa Đéc bố trí điểm thanh toán không dùng tiền \
mặt.
"""


def test_the_tasks_no_unit_was_found_for_get_their_units_at_once(page, log_in, live_server):
    log_in(page, "quantri")
    page.goto(f"{live_server.url}/admin/directives/import")
    page.get_by_label("Nội dung công văn").fill(PAGE)
    page.get_by_label("Mã văn bản").fill("chuyen-doi-so-trinh-duyet")
    page.get_by_role("button", name="Nhập thành bản nháp").click()
    page.wait_for_url(re.compile(r"/admin/directives/\d+$"))

    # what the importer read, open under each task it could not place
    notes = page.locator("details.import-notes[open]")
    expect(notes).to_have_count(2)
    expect(notes.first).to_contain_text("văn bản không nêu đối tượng")
    page.get_by_role("link", name="Chọn đơn vị thực hiện cho 2 nhiệm vụ chưa xác định").click()

    expect(page.get_by_role("heading", name="Chọn đơn vị cho nhiệm vụ chưa xác định")
           ).to_be_visible()
    tasks = page.get_by_role("checkbox", name=re.compile("Đề nghị sớm hoàn thành|Yêu cầu Ban"))
    expect(tasks).to_have_count(2)
    for index in range(2):
        expect(tasks.nth(index)).to_be_checked()
    page.get_by_label("Các xã, phường").check()
    page.get_by_role("button", name="Lưu").click()

    page.wait_for_url(re.compile(r"/admin/directives/\d+#tasks$"))
    expect(page.get_by_text(re.compile(
        r"Đã chọn đơn vị thực hiện cho 2 nhiệm vụ \(.+\): Các xã, phường\."))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("nhiệm vụ chưa xác định"))).to_have_count(0)
    expect(page.locator("details.import-notes[open]")).to_have_count(0)
