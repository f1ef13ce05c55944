"""What units, reviewers and leaders see of a directive's life: the list by status, a closed
directive read-only, the changes made after publication, lead and supporting units (chủ trì,
phối hợp) on the item, the checklist and the matrix."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.deadlines import local_date, today
from portal.demo import sample_pdf
from portal.directives import lifecycle
from portal.extensions import db
from portal.items.actions import SUPPORTING_ONLY
from portal.items.queries import CLOSED_DIRECTIVE
from portal.matrix import model as review_queries
from portal.models import Directive, Progress, Task

from .support.statements import count_statements


def sa_dec(directive_id: int) -> Directive:
    return db.session.get(Directive, directive_id)


def task(directive_id: int, code: str) -> Task:
    return db.session.scalar(
        select(Task).where(Task.directive_id == directive_id, Task.code == code))


def close(app, directive_id: int, archive: bool = False) -> date:
    """Close the directive (and archive it); the day it closed, in the city."""
    with app.app_context():
        directive = sa_dec(directive_id)
        lifecycle.close(directive)
        if archive:
            lifecycle.archive(directive)
        db.session.commit()
        return local_date(directive.closed_at)


def change(app, directive_id: int, code: str, **values) -> None:
    with app.app_context():
        lifecycle.change_task(task(directive_id, code), sa_dec(directive_id), **values)
        db.session.commit()


def lead(app, ids, code: str, unit_name: str) -> None:
    change(app, ids.directive(), code, lead_unit_id=ids.unit(unit_name))


def checklist_url(ids, unit_name: str) -> str:
    return f"/directives/{ids.directive()}/units/{ids.unit(unit_name)}"


def item_html(html: str, item_id: int) -> str:
    """One item's article out of a page."""
    return re.search(rf'<article[^>]*id="item-{item_id}".*?</article>', html, re.S).group(0)


# The directive list: open, then closed, then archived (folded away).

@pytest.fixture
def three_cycles(app):
    """Sa Đéc 2023 closed, a 2022 copy open, a 2024 copy archived: the year order inverted."""
    with app.app_context():
        source = db.session.scalar(select(Directive).where(Directive.slug == "sa-dec-2023-cchc"))
        earlier = lifecycle.copy_for_cycle(source, 2022, "sa-dec-2022", "Chu kỳ 2022 đang mở")
        later = lifecycle.copy_for_cycle(source, 2024, "sa-dec-2024", "Chu kỳ 2024 đã lưu trữ")
        for directive in (earlier, later):
            lifecycle.publish(directive)
        lifecycle.close(source)
        lifecycle.close(later)
        lifecycle.archive(later)
        draft = lifecycle.copy_for_cycle(source, 2025, "sa-dec-2025", "Chu kỳ 2025 bản nháp")
        db.session.commit()
        return {"open": earlier.id, "closed": source.id, "archived": later.id, "draft": draft.id}


@pytest.mark.parametrize("username", ["phuong1", "noivu.duyet", "lanhdao"])
def test_directives_are_listed_open_then_closed_then_archived(three_cycles, login, username):
    html = login(username).get("/directives").get_data(as_text=True)
    open_at = html.index("Chu kỳ 2022 đang mở")
    closed_at = html.index("Chấn chỉnh, khắc phục thực hiện công tác CCHC")
    archived_at = html.index("Chu kỳ 2024 đã lưu trữ")
    assert open_at < closed_at < archived_at
    assert html.index('id="h-directives-open"') < open_at
    assert html.index('id="h-directives-open"') < html.index('id="h-directives-closed"') \
        < closed_at
    assert "Chu kỳ 2025 bản nháp" not in html
    # The archived ones are folded away under a summary that counts them.
    archived = html[html.index('<details class="directives-archived"'):]
    assert "<summary>Văn bản đã lưu trữ (1)</summary>" in archived
    assert "Chu kỳ 2024 đã lưu trữ" in archived and "Chu kỳ 2022 đang mở" not in archived
    # Each says its status in words, its year and its number.
    assert '<span class="badge directive-open">Đang thực hiện</span>' in html
    assert '<span class="badge directive-closed">Đã kết thúc</span>' in html
    assert '<span class="badge directive-archived">Đã lưu trữ</span>' in html
    assert "Năm 2022 · Số: (chưa có số)" in html and "Năm 2023" in html


def test_unit_list_without_archived_has_no_archive_folder(app, login, ids):
    html = login("phuong1").get("/directives").get_data(as_text=True)
    assert "Đang thực hiện (1)" in html
    assert "directives-archived" not in html and "Đã kết thúc (" not in html


# A closed directive: read-only, with a banner that says so.

def test_closed_directive_checklist_is_read_only_with_banner(app, login, ids):
    closed_on = close(app, ids.directive())
    ward = login("phuong1")
    response = ward.get(checklist_url(ids, "Phường 1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (f"Văn bản đã kết thúc ngày {closed_on:%d/%m/%Y}: chỉ xem, không thay đổi được."
            in html)
    assert 'action="/items/' not in html and "hx-post" not in html.split('<main id="main">')[1]
    item_id = ids.item("Phường 1", "1.4")
    assert 'action="/items/' not in ward.get(f"/items/{item_id}").get_data(as_text=True)
    response = ward.post(f"/items/{item_id}/save", {"note": "Sửa sau khi kết thúc"})
    assert response.status_code == 409
    assert CLOSED_DIRECTIVE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Progress, item_id).note == ""


def test_closed_directive_panel_has_no_review_forms(app, login, ids):
    item_id = ids.item("Phường 1", "1.4")
    ward = login("phuong1")
    assert ward.post(f"/items/{item_id}/save", {"note": "Đã thực hiện."}).status_code == 303
    assert ward.post(f"/items/{item_id}/submit").status_code == 303
    reviewer = login("noivu.duyet")
    assert 'action="/items/' in reviewer.get(f"/items/{item_id}", htmx=True).get_data(as_text=True)
    close(app, ids.directive())
    panel = reviewer.get(f"/items/{item_id}", htmx=True).get_data(as_text=True)
    assert "<form" not in panel and "hx-post" not in panel
    assert "Chờ duyệt" in panel


@pytest.mark.parametrize("page", ["matrix", "dashboard"])
def test_matrix_and_dashboard_of_a_closed_directive_say_so(app, login, ids, page):
    url = f"/directives/{ids.directive()}/{page}"
    leader = login("lanhdao")
    assert "directive-banner" not in leader.get(url).get_data(as_text=True)
    closed_on = close(app, ids.directive(), archive=True)
    html = leader.get(url).get_data(as_text=True)
    assert (f"Văn bản đã lưu trữ (kết thúc ngày {closed_on:%d/%m/%Y}): chỉ xem, không thay đổi "
            "được.") in html
    assert '<span class="badge directive-archived">Đã lưu trữ</span>' in html


# What changed for a unit after publication.

def test_unit_sees_a_moved_deadline_and_an_untouched_unit_sees_nothing(app, login, ids):
    change(app, ids.directive(), "1.1", deadline=date(2023, 6, 30))  # inspected units only
    html = login("phuong1").get(checklist_url(ids, "Phường 1")).get_data(as_text=True)
    box = html[html.index('<section class="changes"'):]
    box = box[:box.index("</section>")]
    assert "Thay đổi sau khi ban hành (1)" in box
    assert "hạn đổi từ 16/06/2023 thành 30/06/2023" in box
    assert re.search(r"<time datetime=\"[^\"]+\">\d\d:\d\d \d\d/\d\d/\d{4}</time>", box)
    # Phòng Nội vụ was not inspected: 1.1 never reached it.
    html = login("phongnoivu").get(checklist_url(ids, "Phòng Nội vụ")).get_data(as_text=True)
    assert "Thay đổi sau khi ban hành" not in html and 'class="changes"' not in html


def test_narrowed_audience_hides_the_item_and_tells_the_office(app, login, ids):
    item_id = ids.item("Phòng Tư pháp", "1.4")
    change(app, ids.directive(), "1.4", audience="kind:commune")
    office = login("phongtuphap")
    html = office.get(checklist_url(ids, "Phòng Tư pháp")).get_data(as_text=True)
    assert f'id="item-{item_id}"' not in html
    assert re.search(r"Nhiệm vụ 1\.4 «[^»]+» không còn giao cho đơn vị; những gì đã ghi nhận "
                     r"được lưu giữ\.", html)
    assert office.get(f"/items/{item_id}").status_code == 404
    # The item is kept, only hidden.
    with app.app_context():
        assert db.session.get(Progress, item_id).hidden


# Lead and supporting units.

def test_supporting_item_shows_its_lead_and_cannot_be_submitted(app, login, ids):
    lead(app, ids, "1.4", "Phường 1")
    item_id = ids.item("Phường 2", "1.4")
    ward = login("phuong2")
    html = ward.get(f"/items/{item_id}").get_data(as_text=True)
    assert "Phối hợp với đơn vị chủ trì: <strong>Phường 1</strong>" in html
    assert f'action="/items/{item_id}/submit"' not in html
    assert f'action="/items/{item_id}/extension"' not in html
    # Note, figures and evidence stay available.
    assert f'action="/items/{item_id}/save"' in html
    assert f'action="/items/{item_id}/links"' in html
    assert f'action="/items/{item_id}/files"' in html
    response = ward.post(f"/items/{item_id}/submit", htmx=True)
    assert response.status_code == 422
    assert SUPPORTING_ONLY in response.get_data(as_text=True)
    # On the checklist too.
    page = ward.get(checklist_url(ids, "Phường 2")).get_data(as_text=True)
    assert f'action="/items/{item_id}/submit"' not in item_html(page, item_id)
    assert "(trong đó 1 nhiệm vụ phối hợp)" in page


def test_supporting_extension_form_is_gone_where_the_lead_has_it(app, login, ids):
    lead(app, ids, "1.1", "Phường 1")  # 1.1 has a deadline
    # Before the deadline, so that the extension form would be offered.
    change(app, ids.directive(), "1.1", deadline=date(date.today().year + 1, 6, 16))
    supporting, leading = ids.item("Phường 2", "1.1"), ids.item("Phường 1", "1.1")
    assert f'/items/{leading}/extension"' in login("phuong1").get(
        f"/items/{leading}").get_data(as_text=True)
    assert "/extension" not in login("phuong2").get(f"/items/{supporting}").get_data(as_text=True)


def test_lead_unit_sees_contributions_and_downloads_them(app, login, ids):
    lead(app, ids, "1.4", "Phường 1")
    supporting, leading = ids.item("Phường 2", "1.4"), ids.item("Phường 1", "1.4")
    ward2 = login("phuong2")
    response = ward2.post(f"/items/{supporting}/links",
                          {"url": "https://sadec.dongthap.gov.vn/tin-cchc"}, htmx=True)
    assert response.status_code == 200
    assert ward2.post(f"/items/{supporting}/save", {"note": "Đã đôn đốc tổ dân phố."},
                      htmx=True).status_code == 200
    assert ward2.upload(supporting, sample_pdf("phoi hop"), "Báo cáo phối hợp.pdf").status_code \
        == 200
    with app.app_context():
        from portal.models import Evidence

        file_id = db.session.scalar(select(Evidence.id).where(
            Evidence.progress_id == supporting, Evidence.file_name == "Báo cáo phối hợp.pdf"))

    ward1 = login("phuong1")
    for html in (ward1.get(f"/items/{leading}").get_data(as_text=True),
                 item_html(ward1.get(checklist_url(ids, "Phường 1")).get_data(as_text=True),
                           leading)):
        assert "Đơn vị chủ trì" in html
        section = html[html.index('<section class="contributions"'):]
        section = section[:section.index("</section>")]
        assert "Đóng góp của đơn vị phối hợp (1/23 đơn vị đã có)" in section
        assert "<strong>Phường 2</strong>" in section
        assert "Chưa có ghi chú, tài liệu: Văn phòng HĐND và UBND, " in section
        assert "Phường 2," not in section  # listed in full, not among those with nothing
        assert "Đã đôn đốc tổ dân phố." in section
        assert 'href="https://sadec.dongthap.gov.vn/tin-cchc"' in section
        assert f'href="/evidence/{file_id}/download"' in section
    response = ward1.get(f"/evidence/{file_id}/download")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert login("phuong3").get(f"/evidence/{file_id}/download").status_code == 403
    # The supporting unit's item does not list contributions of its own.
    assert "Đóng góp của đơn vị phối hợp" not in ward2.get(
        f"/items/{supporting}").get_data(as_text=True)


def test_checklist_statements_do_not_grow_with_lead_tasks_or_changes(app, login, ids):
    ward = login("phuong1")
    url = checklist_url(ids, "Phường 1")
    lead(app, ids, "1.4", "Phường 1")
    ward.post(f"/items/{ids.item('Phường 2', '1.4')}/links", {"url": "https://a.vn/1"})
    one_lead = count_statements(app, ward, url)
    for code in ("1.5", "1.8", "1.9"):
        lead(app, ids, code, "Phường 1")
        ward.post(f"/items/{ids.item('Phường 3', code)}/links", {"url": f"https://a.vn/{code}"})
    change(app, ids.directive(), "1.13", deadline=date(2023, 7, 1))
    assert count_statements(app, ward, url) == one_lead


# The matrix.

def test_matrix_shows_supporting_cells_as_ph_and_does_not_count_them(app, login, ids):
    directive_id = ids.directive()
    reviewer = login("noivu.duyet")
    before = reviewer.get(f"/api/directives/{directive_id}/matrix").get_json()
    lead(app, ids, "1.4", "Phường 1")
    after = reviewer.get(f"/api/directives/{directive_id}/matrix").get_json()

    def assigned(data, name):
        return next(u["assigned"] for u in data["units"] if u["name"] == name)

    assert assigned(after, "Phường 2") == assigned(before, "Phường 2") - 1
    assert assigned(after, "Phường 1") == assigned(before, "Phường 1")
    with app.app_context():
        m = review_queries.matrix(directive_id, today())
        column = next(c for c in m.columns if c.code == "1.4")
        assert column.assigned == 1
        assert m.totals()["assigned"] == sum(u["assigned"] for u in before["units"]) - 23

    html = reviewer.get(f"/directives/{directive_id}/matrix").get_data(as_text=True)
    item_id = ids.item("Phường 2", "1.4")
    assert re.search(
        rf'<td class="supporting"><a id="c{item_id}" href="/items/{item_id}" '
        r'title="Phối hợp \(không tính vào kết quả\)">PH<i>Phối hợp \(không tính vào kết quả\), ',
        html)
    assert "PH: đơn vị phối hợp với đơn vị chủ trì" in html
    lead_cell = ids.item("Phường 1", "1.4")
    assert f'<td class="supporting"><a id="c{lead_cell}"' not in html
    # The task's column counts its lead unit alone.
    footer = html[html.index("<tfoot>"):]
    codes = [c.code for c in m.columns]
    footer_cells = re.findall(r'<td class="num">(\d+/\d+)</td>', footer)
    assert footer_cells[codes.index("1.4")] == "0/1"


def test_matrix_without_lead_units_has_no_ph_legend(app, login, ids):
    html = login("noivu.duyet").get(f"/directives/{ids.directive()}/matrix").get_data(
        as_text=True)
    assert 'class="supporting"' not in html and "PH:" not in html
