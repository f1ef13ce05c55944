"""The audit log as administrators read it (/admin/audit): its filters, its pages, each event's
before and after in Vietnamese, the chain's check and the Excel export; bad filter values get a
Vietnamese message, never a 500."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select, text

from portal import audit
from portal.admin.audit import export, queries
from portal.admin.audit.forms import Filters
from portal.deadlines import local_date
from portal.extensions import db
from portal.models import AuditEvent, Progress, Task

from .support.databases import writes
from .support.directives import load_future
from .support.statements import count_statements

WRONG_FILTER = "Bộ lọc chưa đúng"


@pytest.fixture
def admin(login):
    return login("quantri")


def event_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr id="event-(\d+)"', html)]


def newest_id(app, **where) -> int:
    with app.app_context():
        query = select(func.max(AuditEvent.id))
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return db.session.scalar(query)


def add_events(app, count: int, action: str = "reminder.send", **values) -> None:
    """`count` events recorded as the portal records them (chained when committed)."""
    with app.app_context():
        for number in range(count):
            audit.record(action, username="quantri", after={"message": f"Lần {number}"},
                         **values)
        db.session.commit()


def test_an_event_shows_who_when_and_its_before_and_after_in_vietnamese(app, ward, admin, ids):
    item = ids.item("Phường 1", "1.2")
    assert ward.post(f"/items/{item}/start").status_code == 303
    assert ward.post(f"/items/{item}/save", {"note": "Đã họp giao ban."}).status_code == 303
    response = admin.get("/admin/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    started = newest_id(app, action="progress.start")
    row = html.split(f'<tr id="event-{started}">')[1].split("</tr>")[0]
    assert "Bắt đầu thực hiện" in row and "Phường 1" in row and "(phuong1)" in row
    assert "Trạng thái: Chưa thực hiện → Đang thực hiện" in row
    saved = html.split(f'<tr id="event-{newest_id(app, action="progress.save")}">')[1]
    assert "Cập nhật ghi chú, số liệu: Đã họp giao ban." in saved.split("</tr>")[0]
    assert "Ghi chú: — → Đã họp giao ban." in saved.split("</tr>")[0]
    # Newest first.
    assert event_ids(html) == sorted(event_ids(html), reverse=True)
    assert 'href="/admin/audit"' in html  # the administration's menu names the page


def test_filters_by_person_unit_directive_kind_and_period(app, ward, login, admin, ids,
                                                           tmp_path):
    item = ids.item("Phường 1", "1.2")
    ward.post(f"/items/{item}/start")
    login("phuong2").post(f"/items/{ids.item('Phường 2', '1.2')}/start")
    other = load_future(app, tmp_path)
    with app.app_context():
        other_item = db.session.scalar(select(Progress.id).join(Task).where(
            Task.directive_id == other, Progress.unit_id == ids.unit("Phường 1")))
    ward.post(f"/items/{other_item}/start")
    mine = newest_id(app, action="progress.start", target_id=item)
    theirs = newest_id(app, action="progress.start", username="phuong2")
    elsewhere = newest_id(app, action="progress.start", target_id=other_item)

    def shown(**args) -> set[int]:
        response = admin.get("/admin/audit", query_string=args)
        assert response.status_code == 200, response.get_data(as_text=True)
        return set(event_ids(response.get_data(as_text=True)))

    assert {mine, theirs, elsewhere} <= shown()
    by_person = shown(user="phuong1", action="progress.start")
    assert mine in by_person and elsewhere in by_person and theirs not in by_person
    by_unit = shown(unit=ids.unit("Phường 2"))
    assert theirs in by_unit and mine not in by_unit
    by_directive = shown(directive=ids.directive(), action="progress.start")
    assert {mine, theirs} <= by_directive and elsewhere not in by_directive
    assert shown(action="login") and mine not in shown(action="login")
    with app.app_context():
        day = local_date(db.session.get(AuditEvent, mine).at)  # the city's day (UTC+7)
    assert mine in shown(since=f"{day:%d/%m/%Y}", until=f"{day:%d/%m/%Y}")
    assert mine not in shown(until=f"{day - timedelta(days=1):%d/%m/%Y}")
    assert mine not in shown(since=f"{day + timedelta(days=1):%d/%m/%Y}")
    assert not shown(until="01/01/2020")


@pytest.mark.parametrize("args, message", [
    ({"unit": "99999999999999999999"}, "Không có đơn vị này"),
    ({"unit": "abc"}, "Không có đơn vị này"),
    ({"directive": "99999999999999999999"}, "Không có văn bản này"),
    ({"directive": "-1"}, "Không có văn bản này"),
    ({"action": "drop table"}, "Không có loại sự kiện này"),
    ({"since": "31/02/2023"}, "Ngày không hợp lệ"),
    ({"until": "2023-13-01"}, "Ngày không hợp lệ"),
    ({"since": "01/01/99999"}, "Ngày không hợp lệ"),
    ({"since": "02/06/2023", "until": "01/06/2023"}, "«Đến ngày» phải cùng ngày hoặc sau"),
    ({"user": "x" * 81}, "Tên đăng nhập tối đa 80 ký tự"),
])
def test_a_wrong_filter_gets_a_vietnamese_message_and_no_list(app, admin, args, message):
    before = writes(app)
    for url in ("/admin/audit", "/admin/audit/export.xlsx"):
        response = admin.get(url, query_string=args)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, html
        assert message in html and WRONG_FILTER in html and not event_ids(html)
    assert writes(app) == before


@pytest.mark.parametrize("value", ["99999999999999999999", "-5", "abc", "1e9", "٣"])
def test_a_page_id_out_of_range_is_ignored(admin, value):
    for name in ("before", "after"):
        response = admin.get("/admin/audit", query_string={name: value})
        assert response.status_code == 200
        assert event_ids(response.get_data(as_text=True))


def test_pages_go_back_and_forth_by_id(app, admin):
    add_events(app, 120)
    first = admin.get("/admin/audit", query_string={"action": "reminder.send"})
    html = first.get_data(as_text=True)
    page1 = event_ids(html)
    assert len(page1) == 50 and "Mới hơn" not in html
    older = re.search(r'href="(/admin/audit\?[^"]*before=\d+[^"]*)"', html).group(1)
    html = admin.get(older.replace("&amp;", "&")).get_data(as_text=True)
    page2 = event_ids(html)
    assert len(page2) == 50 and max(page2) < min(page1) and "Mới hơn" in html
    newer = re.search(r'href="(/admin/audit\?[^"]*after=\d+[^"]*)"', html).group(1)
    assert event_ids(admin.get(newer.replace("&amp;", "&")).get_data(as_text=True)) == page1
    last = re.search(r'href="(/admin/audit\?[^"]*before=\d+[^"]*)"', html).group(1)
    html = admin.get(last.replace("&amp;", "&")).get_data(as_text=True)
    assert len(event_ids(html)) == 20 and "Cũ hơn" not in html


def test_the_chain_check_shows_what_verify_audit_reports(app, admin):
    response = admin.get("/admin/audit/chain")
    html = response.get_data(as_text=True)
    with app.app_context():
        count = db.session.scalar(select(func.count(AuditEvent.id)))
    assert response.status_code == 200 and "Chuỗi băm nguyên vẹn" in html
    assert f"{count:,}".replace(",", ".") + " sự kiện" in html
    # Under htmx the page loads only the result into itself.
    fragment = admin.get("/admin/audit/chain", htmx=True).get_data(as_text=True)
    assert "<html" not in fragment
    assert 'id="audit-chain"' in fragment
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert 'data-hx-get="/admin/audit/chain"' in page
    # Someone edits an event in the database: the page names it.
    edited = newest_id(app)
    with app.app_context():
        db.session.execute(text("UPDATE audit_events SET username = 'ai-do' WHERE id = :id"),
                           {"id": edited})
        db.session.commit()
    html = admin.get("/admin/audit/chain").get_data(as_text=True)
    assert "Nhật ký bị thay đổi tại" in html and f"sự kiện #{edited}" in html
    assert "đã bị sửa" in html


def test_the_export_holds_the_filtered_events_and_no_formula(app, ward, admin, ids):
    item = ids.item("Phường 1", "1.2")
    formula = '=HYPERLINK("http://example.com/x","Bấm")'
    assert ward.post(f"/items/{item}/save", {"note": formula}).status_code == 303
    response = admin.get("/admin/audit/export.xlsx",
                         query_string={"user": "phuong1", "action": "progress.save"})
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book["Nhật ký"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    with app.app_context():
        saved = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.username == "phuong1", AuditEvent.action == "progress.save"))
    assert len(rows) == saved == 1
    assert sheet["A2"].value == "Mã sự kiện" and "Người thực hiện" in sheet["A1"].value
    cells = [cell for cell in next(sheet.iter_rows(min_row=3)) if cell.value]
    assert all(cell.data_type != "f" for cell in cells)
    assert any(formula in str(cell.value) for cell in cells)
    assert rows[0][2] == "phuong1" and rows[0][5] == "Cập nhật ghi chú, số liệu"
    assert rows[0][0] == newest_id(app, action="progress.save")


def test_the_log_reads_a_page_in_a_fixed_number_of_statements(app, admin):
    add_events(app, 60)
    first = count_statements(app, admin.client, "/admin/audit")
    later = count_statements(app, admin.client, f"/admin/audit?before={newest_id(app) - 5}")
    add_events(app, 200)
    assert count_statements(app, admin.client, f"/admin/audit?before={newest_id(app) - 5}") \
        == later <= first + 1


def test_an_export_past_its_limit_keeps_the_newest_and_says_so(app):
    add_events(app, 5)
    out = io.BytesIO()
    with app.app_context():
        written = export.write_xlsx(
            queries.every_match(Filters(action="reminder.send")), "", out, limit=3)
    assert written == 3
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["Nhật ký"]
    ids = [row[0] for row in sheet.iter_rows(min_row=3, max_row=5, values_only=True)]
    assert ids == sorted(ids, reverse=True) and ids[0] == newest_id(app)
    assert sheet["A6"].value.startswith("Chỉ xuất 3 sự kiện mới nhất")
