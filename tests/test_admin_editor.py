"""The administrators' pages as they read: the sub-menu marks the page shown, the directive
editor shows its details as a form, and a change its state forbids answers with the editor's
page and the reason."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from portal.directives.editing import DRAFT_ONLY

from .support.clients import PortalClient
from .support.databases import writes, written_since
from .support.records import task_row


@pytest.fixture
def admin(login) -> PortalClient:
    return login("quantri")


def submenu(response) -> dict[str, str]:
    """The sub-menu's links: label to their aria-current ("" when not current)."""
    html = response.get_data(as_text=True)
    nav = re.search(r'<nav class="pages admin-pages" aria-label="Quản trị">(.*?)</nav>', html,
                    re.S).group(1)
    return {label: current for current, label in
            re.findall(r'<a href="[^"]+"(?: aria-current="(\w+)")?>([^<]+)</a>', nav)}


def test_submenu_marks_the_page_shown(admin):
    for url, label in [("/admin/units", "Đơn vị"), ("/admin/users", "Tài khoản"),
                       ("/admin/directives", "Văn bản chỉ đạo"), ("/admin/mail", "Thư điện tử"),
                       ("/admin/import/users", "Nhập tài khoản từ tệp"),
                       ("/admin/report", "Người ký báo cáo"), ("/admin/audit", "Nhật ký hệ thống"),
                       ("/admin/finding-fields", "Lĩnh vực hạn chế"), ("/admin/areas", "Địa bàn")]:
        links = submenu(admin.get(url))
        assert len(links) == 10
        assert {name for name, current in links.items() if current} == {label}, url
        assert links[label] == "page"


def test_submenu_marks_the_part_a_deeper_page_belongs_to(admin, app, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.1")
    for url in (f"/admin/directives/{directive}", f"/admin/directives/{directive}/edit",
                f"/admin/tasks/{task.id}/edit"):
        links = submenu(admin.get(url))
        assert links["Văn bản chỉ đạo"] == "true", url
        assert [name for name, current in links.items() if current] == ["Văn bản chỉ đạo"]
    links = submenu(admin.get(f"/admin/units/{ids.unit('Phường 1')}/edit"))
    assert links == {**dict.fromkeys(links, ""), "Đơn vị": "true"}


def test_editor_shows_the_directives_details_as_a_form(admin, ids):
    directive = ids.directive()
    html = admin.get(f"/admin/directives/{directive}").get_data(as_text=True)
    form = re.search(r'<form method="post" class="narrow" action="([^"]+)"[^>]*>(.*?)</form>',
                     html, re.S)
    assert form.group(1) == f"/admin/directives/{directive}/edit"
    fields = form.group(2)
    assert 'id="title"' in fields and 'value="Chấn chỉnh, khắc phục' in fields
    assert 'id="year"' in fields and 'value="2023"' in fields
    assert 'id="signer"' in fields and 'name="csrf_token"' in fields
    assert 'id="slug"' not in fields  # a published directive keeps its code
    assert "<dl class=\"directive-meta\">" not in html


def test_details_saved_from_the_editor_land_back_on_it(admin, ids):
    directive = ids.directive()
    page = admin.get(f"/admin/directives/{directive}").get_data(as_text=True)
    values = {name: value for name, value in
              re.findall(r'<input[^>]* name="(\w+)"[^>]* value="([^"]*)"', page)
              if name in ("title", "number", "issuer", "date_line", "issued_on", "year",
                          "signer", "signer_title")}
    values["number"] = "1234/UBND-HC"
    response = admin.post(f"/admin/directives/{directive}/edit",
                          {**values, "subject": "V/v chấn chỉnh"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/directives/{directive}"
    assert 'value="1234/UBND-HC"' in admin.get(response.headers["Location"]).get_data(
        as_text=True)


def test_split_of_a_published_task_answers_with_the_editor_and_the_reason(admin, app, ids):
    directive = ids.directive()
    task = task_row(app, directive, "1.3")
    counted = writes(app)
    response = admin.get(f"/admin/tasks/{task.id}/split")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert '<p class="flash flash-error" role="alert">' + str(escape(DRAFT_ONLY)) in html
    assert f'<a href="/admin/directives/{directive}#task-{task.id}">Xem nhiệm vụ</a>' in html
    assert "Thông tin văn bản" in html and f'id="task-{task.id}"' in html  # the editor's page
    assert "Không thực hiện được" not in html  # not the bare error page
    assert written_since(app, counted) == set()
