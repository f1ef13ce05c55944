"""The administrator manages units and accounts: create, edit, reorder, deactivate, reset a
password, and import many from a CSV or Excel file after a preview. Bad input gets Vietnamese
messages and a 422 with nothing written; a deactivated account is logged out at once and keeps its
past; a password an administrator chose must be changed at the next login."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from pathlib import Path

import openpyxl
import pytest
from markupsafe import escape
from sqlalchemy import func, select

from portal.directives.loader import load_directive
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Progress,
    Role,
    Task,
    Unit,
    UnitKind,
    UnitPosition,
    User,
)

from .support.clients import PASSWORD, PortalClient
from .support.databases import database_rows, writes, written_since
from .support.records import audit_since, last_audit_id

CHANGE_FIRST = "Hãy đặt mật khẩu mới của riêng bạn trước khi tiếp tục."
NEW_PASSWORD = "mat-khau-rieng-2024"


# --- helpers -------------------------------------------------------------------------------------


def html(response) -> str:
    return response.get_data(as_text=True)


def says(response, text: str) -> bool:
    return str(escape(text)) in html(response)


def shown_password(response) -> str:
    return re.search(r'<code id="password">([^<]+)</code>', html(response)).group(1)


def unit_row(app, name: str) -> Unit | None:
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == name))
        if unit is not None:
            db.session.expunge(unit)
        return unit


def user_row(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


def is_logged_in(client: PortalClient) -> bool:
    response = client.get("/directives")
    return response.status_code == 200


def csv_bytes(rows: list[list[str]], delimiter: str = ",", bom: bool = True) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client: PortalClient, what: str, content: bytes, name: str):
    return client.post(f"/admin/import/{what}", {"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def pending_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "pending-imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def admin(login) -> PortalClient:
    return login("quantri")


# --- units ---------------------------------------------------------------------------------------


def test_admin_creates_a_unit_listed_under_its_kind_after_the_others(app, admin):
    audit_id = last_audit_id(app)
    response = admin.post("/admin/units/new", {"name": "  Phường   Mỹ Phú ", "short_name": "MP",
                                               "kind": "commune"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/units"
    unit = unit_row(app, "Phường Mỹ Phú")  # spaces tidied
    assert unit.kind is UnitKind.COMMUNE and unit.active and unit.short_name == "MP"
    with app.app_context():
        last = db.session.scalar(select(func.max(Unit.position)).where(
            Unit.kind == UnitKind.COMMUNE, Unit.id != unit.id))
    assert unit.position == last + 1
    [event] = audit_since(app, audit_id)
    assert (event.action, event.target_id, event.after["name"]) == (
        "unit.create", unit.id, "Phường Mỹ Phú")

    page = html(admin.get("/admin/units"))
    assert "Đã thêm đơn vị «Phường Mỹ Phú»." in page
    communes = page[page.index('id="kind-commune"'):]
    assert f'<tr id="unit-{unit.id}">' in communes
    assert f'<tr id="unit-{unit.id}">' not in page[:page.index('id="kind-commune"')]


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"name": "", "kind": "commune"}, "name", "Hãy nhập tên đơn vị."),
    ({"name": "phường  1", "kind": "commune"}, "name",
     "Đã có đơn vị tên «phường 1»; tên đơn vị không được trùng."),
    ({"name": "Phường Mới", "kind": ""}, "kind", "Hãy chọn loại đơn vị."),
    ({"name": "Phường Mới", "kind": "planet"}, "kind", "Hãy chọn loại đơn vị."),
    ({"name": "Phường Mới", "kind": "commune", "position": "ba"}, "position",
     "Thứ tự là số nguyên từ 0 trở lên, ví dụ 3."),
    ({"name": "x" * 201, "kind": "commune"}, "name", "Tên đơn vị tối đa 200 ký tự."),
])
def test_bad_unit_is_refused_with_its_message_and_nothing_written(app, admin, form, field,
                                                                   message):
    counted = writes(app)
    response = admin.post("/admin/units/new", form)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{escape(message)}' in html(response)
    assert written_since(app, counted) == set()


def test_admin_edits_a_unit_and_the_audit_keeps_before_and_after(app, admin, ids):
    unit_id = ids.unit("Phường 1")
    audit_id = last_audit_id(app)
    page = admin.get(f"/admin/units/{unit_id}/edit")
    assert page.status_code == 200 and 'value="Phường 1"' in html(page)

    response = admin.post(f"/admin/units/{unit_id}/edit", {
        "name": "Phường 1 (Sa Đéc)", "short_name": "P.1", "kind": "commune", "position": "40"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/units#unit-{unit_id}"
    unit = unit_row(app, "Phường 1 (Sa Đéc)")
    assert (unit.id, unit.short_name, unit.position) == (unit_id, "P.1", 40)
    [event] = audit_since(app, audit_id)
    assert event.action == "unit.update"
    assert event.before == {"name": "Phường 1", "short_name": "P1", "position": 15}
    assert event.after == {"name": "Phường 1 (Sa Đéc)", "short_name": "P.1", "position": 40}

    # Another unit's name is taken, whatever its case.
    counted = writes(app)
    response = admin.post(f"/admin/units/{unit_id}/edit", {"name": "PHƯỜNG 2", "kind": "commune"})
    assert response.status_code == 422
    assert says(response, "Đã có đơn vị tên «PHƯỜNG 2»; tên đơn vị không được trùng.")
    assert written_since(app, counted) == set()
    # Its own name is not.
    response = admin.post(f"/admin/units/{unit_id}/edit", {"name": "phường 1 (sa đéc)",
                                                           "kind": "commune"})
    assert response.status_code == 303


def commune_order(app) -> list[str]:
    with app.app_context():
        from portal.admin.people.actions import units_in_order

        return [u.name for u in units_in_order(UnitKind.COMMUNE)]


def test_units_move_up_and_down_and_sort_in_vietnamese_order(app, admin, ids):
    before = commune_order(app)
    assert before[:3] == ["Phường 1", "Phường 2", "Phường 3"]
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/units/{ids.unit('Phường 2')}/move", {"direction": "up"})
    assert response.status_code == 303
    assert commune_order(app)[:3] == ["Phường 2", "Phường 1", "Phường 3"]
    assert [e.action for e in audit_since(app, audit_id)] == ["unit.move"]

    admin.post(f"/admin/units/{ids.unit('Phường 2')}/move", {"direction": "down"})
    admin.post(f"/admin/units/{ids.unit('Xã Tân Phú Đông')}/move", {"direction": "up"})
    order = commune_order(app)
    assert order[:2] == ["Phường 1", "Phường 2"] and order[-2:] == [
        "Xã Tân Phú Đông", "Xã Tân Quy Tây"]
    page = html(admin.get("/admin/units"))
    assert page.index("Xã Tân Phú Đông") < page.index("Xã Tân Quy Tây")

    # Already first: nothing changes, nothing is audited.
    counted = writes(app)
    response = admin.post(f"/admin/units/{ids.unit('Phường 1')}/move", {"direction": "up"})
    assert response.status_code == 303 and written_since(app, counted) == set()
    assert admin.post(f"/admin/units/{ids.unit('Phường 1')}/move",
                      {"direction": "sideways"}).status_code == 400

    admin.post("/admin/units/new", {"name": "Phường An Lộc", "kind": "commune", "position": "0"})
    assert commune_order(app)[0] == "Phường An Lộc"
    response = admin.post("/admin/units/sort", {"kind": "commune"})
    assert response.status_code == 303
    # Vietnamese order: digits as numbers, "Phường" before "Xã", Ă/Â/Đ in their places.
    assert commune_order(app) == [
        "Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường An Hòa", "Phường An Lộc",
        "Phường Tân Quy Đông", "Xã Tân Khánh Đông", "Xã Tân Phú Đông", "Xã Tân Quy Tây"]


def future_directive(tmp_path, slug: str) -> Path:
    path = tmp_path / f"{slug}.yaml"
    path.write_text(
        f"slug: {slug}\nyear: 2099\ntitle: Kế hoạch {slug}\nsections:\n"
        " - number: '1'\n   audience: kind:commune\n   tasks:\n"
        "    - {code: '1', title: Báo cáo quý, deadline: 2099-06-30}\n",
        encoding="utf-8",
    )
    return path


def units_reached(app, slug: str) -> set[str]:
    from portal.models import Directive

    with app.app_context():
        return set(db.session.scalars(
            select(Unit.name).join(Progress, Progress.unit_id == Unit.id)
            .join(Task, Task.id == Progress.task_id).join(Directive)
            .where(Directive.slug == slug)
        ))


def test_deactivated_unit_gets_no_new_directive_and_keeps_its_past(app, admin, login, ids,
                                                                   tmp_path):
    ward = login("phuong1")
    item = ids.item("Phường 1", "1.1")
    assert ward.post(f"/items/{item}/save", {"note": "Đã họp triển khai."}).status_code == 303
    audit_id = last_audit_id(app)

    response = admin.post(f"/admin/units/{ids.unit('Phường 1')}/active", {"active": "0"})
    assert response.status_code == 303
    assert not unit_row(app, "Phường 1").active
    assert [e.action for e in audit_since(app, audit_id)] == ["unit.deactivate"]
    assert "Ngừng hoạt động</span>" in html(admin.get("/admin/units"))

    with app.app_context():
        load_directive(future_directive(tmp_path, "sau-khi-ngung"))
        db.session.commit()
    reached = units_reached(app, "sau-khi-ngung")
    assert "Phường 2" in reached and "Phường 1" not in reached
    # Its past stays: the item, its note, the audit of it.
    with app.app_context():
        assert db.session.get(Progress, item).note == "Đã họp triển khai."
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.target_id == item, AuditEvent.action == "progress.save")) == 1

    assert admin.post(f"/admin/units/{ids.unit('Phường 1')}/active",
                      {"active": "1"}).status_code == 303
    with app.app_context():
        load_directive(future_directive(tmp_path, "sau-khi-mo-lai"))
        db.session.commit()
    assert "Phường 1" in units_reached(app, "sau-khi-mo-lai")
    assert admin.post(f"/admin/units/{ids.unit('Phường 1')}/active",
                      {"active": "maybe"}).status_code == 400


# --- accounts ------------------------------------------------------------------------------------


def test_new_account_gets_a_password_shown_once_and_must_change_it(app, admin, ids):
    audit_id = last_audit_id(app)
    response = admin.post("/admin/users/new", {
        "username": "Phuong1.VanThu", "full_name": "Nguyễn Thị Văn Thư", "role": "unit",
        "unit": str(ids.unit("Phường 1"))})
    assert response.status_code == 200
    assert says(response, "Mật khẩu ban đầu") and says(response, "Mật khẩu chỉ hiện một lần")
    password = shown_password(response)
    assert len(password) >= 16
    user = user_row(app, "phuong1.vanthu")  # stored in lower case
    assert user.must_change_password and user.role is Role.UNIT
    assert password not in user.password_hash and user.password_hash.startswith("$argon2")
    # Nowhere in the database, not even in the audit log.
    assert password not in repr(database_rows(app))
    [event] = audit_since(app, audit_id)
    assert event.action == "user.create" and "password" not in repr(event.after)

    person = PortalClient(app.test_client())
    response = person.login("phuong1.vanthu", password)
    assert response.status_code == 303
    for url in ("/", "/directives", f"/items/{ids.item('Phường 1', '1.1')}"):
        response = person.get(url)
        assert response.status_code == 303, url
        assert response.headers["Location"] == "/account/password"
    htmx = person.get("/directives", htmx=True)
    assert htmx.headers["HX-Redirect"] == "/account/password" and htmx.data == b""
    page = person.get("/account/password")
    assert page.status_code == 200
    assert html(page).count(CHANGE_FIRST) == 1  # once, however many pages sent it here

    response = person.post("/account/password", {"current": password, "new": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert not user_row(app, "phuong1.vanthu").must_change_password
    assert is_logged_in(person)


def test_a_first_password_is_hashed_cheaply_and_the_own_one_at_full_cost(app, admin, ids):
    """A random first password is out of reach of guessing at any cost: hashing it cheaply lets
    a thousand accounts be imported in seconds. The password the person chooses costs in full."""
    response = admin.post("/admin/users/new", {
        "username": "ld.moi", "full_name": "Lê Văn Mới", "role": "leader", "unit": ""})
    password = shown_password(response)
    assert user_row(app, "ld.moi").password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    person = PortalClient(app.test_client())
    assert person.login("ld.moi", "sai-mat-khau-roi").status_code == 401
    assert person.login("ld.moi", password).status_code == 303
    assert person.post("/account/password", {"current": password, "new": NEW_PASSWORD,
                                             "confirm": NEW_PASSWORD}).status_code == 303
    time_cost, memory_cost = app.config["PASSWORD_TIME_COST"], app.config["PASSWORD_MEMORY_COST"]
    assert user_row(app, "ld.moi").password_hash.startswith(
        f"$argon2id$v=19$m={memory_cost},t={time_cost},p=")


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"username": "", "full_name": "A", "role": "leader"}, "username", "Hãy nhập tên đăng nhập."),
    ({"username": "nguyễn", "full_name": "A", "role": "leader"}, "username",
     "Tên đăng nhập gồm 3 đến 80 ký tự: chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới."),
    ({"username": "PHUONG1", "full_name": "A", "role": "leader"}, "username",
     "Đã có tài khoản «phuong1»."),
    ({"username": "moi.lanhdao", "full_name": " ", "role": "leader"}, "full_name",
     "Hãy nhập họ và tên."),
    ({"username": "moi.lanhdao", "full_name": "A", "role": "boss"}, "role", "Hãy chọn vai trò."),
    ({"username": "moi.canbo", "full_name": "A", "role": "unit"}, "unit",
     "Vai trò «Cán bộ đơn vị» cần chọn đơn vị."),
    ({"username": "moi.duyet", "full_name": "A", "role": "reviewer"}, "unit",
     "Vai trò «Phòng Nội vụ (theo dõi, duyệt)» cần chọn đơn vị."),
    ({"username": "moi.lanhdao", "full_name": "A", "role": "leader", "unit": "{unit}"}, "unit",
     "Lãnh đạo và quản trị không thuộc đơn vị nào; hãy để trống ô đơn vị."),
    ({"username": "moi.canbo", "full_name": "A", "role": "unit", "unit": "999999"}, "unit",
     "Đơn vị không có hoặc đã ngừng hoạt động."),
])
def test_bad_account_is_refused_with_its_message_and_nothing_written(app, admin, ids, form,
                                                                     field, message):
    form = {k: v.format(unit=ids.unit("Phường 1")) for k, v in form.items()}
    counted = writes(app)
    response = admin.post("/admin/users/new", form)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">{escape(message)}' in html(response)
    assert written_since(app, counted) == set()


def test_account_of_an_inactive_unit_cannot_be_created(app, admin, ids):
    admin.post(f"/admin/units/{ids.unit('Phường 4')}/active", {"active": "0"})
    page = html(admin.get("/admin/users/new"))
    assert "Phường 3</option>" in page and "Phường 4</option>" not in page
    response = admin.post("/admin/users/new", {"username": "p4.moi", "full_name": "A",
                                               "role": "unit", "unit": str(ids.unit("Phường 4"))})
    assert response.status_code == 422
    assert says(response, "Đơn vị không có hoặc đã ngừng hoạt động.")
    # The unit's existing account keeps it, and may still be edited.
    response = admin.post(f"/admin/users/{ids.user('phuong4')}/edit", {
        "full_name": "Cán bộ P4", "role": "unit", "unit": str(ids.unit("Phường 4")),
        "active": "y"})
    assert response.status_code == 303


def test_admin_edits_an_account(app, admin, ids):
    user_id = ids.user("phongtuphap")
    page = admin.get(f"/admin/users/{user_id}/edit")
    assert page.status_code == 200 and "Đặng Minh Nghĩa" in html(page)
    assert '<option selected value="head">Lãnh đạo đơn vị</option>' in html(page)
    counted = writes(app)
    response = admin.post(f"/admin/users/{user_id}/edit", {  # still head of a unit: refused
        "full_name": "Trần Văn B", "role": "leader", "unit": "", "active": "y"})
    assert response.status_code == 422
    assert says(response, "Vị trí trong đơn vị chỉ dành cho vai trò «Cán bộ đơn vị»")
    assert written_since(app, counted) == set()
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/users/{user_id}/edit", {
        "full_name": "Trần Văn B", "role": "leader", "position": "", "unit": "", "active": "y"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users"
    user = user_row(app, "phongtuphap")
    assert (user.full_name, user.role, user.unit_id, user.active) == (
        "Trần Văn B", Role.LEADER, None, True)
    [event] = audit_since(app, audit_id)
    assert event.action == "user.update"
    assert event.before == {"full_name": "Đặng Minh Nghĩa", "role": "unit", "position": "head",
                            "unit_id": ids.unit("Phòng Tư pháp")}
    assert event.after == {"full_name": "Trần Văn B", "role": "leader", "position": None,
                           "unit_id": None}

    counted = writes(app)
    response = admin.post(f"/admin/users/{user_id}/edit", {
        "full_name": "Trần Văn B", "role": "reviewer", "unit": "", "active": "y"})
    assert response.status_code == 422
    assert says(response, "Vai trò «Phòng Nội vụ (theo dõi, duyệt)» cần chọn đơn vị.")
    assert written_since(app, counted) == set()


def test_admin_cannot_lock_themselves_out(app, admin, ids):
    me = ids.user("quantri")
    counted = writes(app)
    response = admin.post(f"/admin/users/{me}/edit", {"full_name": "Quản trị", "role": "leader",
                                                       "unit": "", "active": "y"})
    assert response.status_code == 422
    assert says(response, "Bạn không thể tự bỏ quyền quản trị của mình.")
    response = admin.post(f"/admin/users/{me}/edit", {"full_name": "Quản trị", "role": "admin",
                                                       "unit": ""})
    assert response.status_code == 422 and says(response, "Bạn không thể tự khoá tài khoản")
    response = admin.post(f"/admin/users/{me}/active", {"active": "0"})
    assert response.status_code == 422 and says(response, "Bạn không thể tự khoá tài khoản")
    assert written_since(app, counted) == set() and is_logged_in(admin)


@pytest.mark.parametrize("way", ["button", "edit form"])
def test_deactivated_account_is_logged_out_at_once_and_keeps_its_work(app, admin, login, ids,
                                                                      way):
    ward = login("phuong1")
    item = ids.item("Phường 1", "1.1")
    assert ward.post(f"/items/{item}/save", {"note": "Đã họp triển khai."}).status_code == 303
    user_id = ids.user("phuong1")
    with app.app_context():
        own_events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                       .where(AuditEvent.user_id == user_id))
    assert is_logged_in(ward)

    if way == "button":
        response = admin.post(f"/admin/users/{user_id}/active", {"active": "0"})
    else:
        response = admin.post(f"/admin/users/{user_id}/edit", {
            "full_name": "Cán bộ Phường 1", "role": "unit", "unit": str(ids.unit("Phường 1"))})
    assert response.status_code == 303

    after = ward.get("/directives")
    assert after.status_code == 302 and after.headers["Location"].startswith("/login")
    assert ward.post(f"/items/{item}/save", {"note": "Sửa sau khi bị khoá"}).status_code in (
        302, 400)  # logged out (or its CSRF token went with the session)
    assert PortalClient(app.test_client()).login("phuong1").status_code == 401
    user = user_row(app, "phuong1")
    assert not user.active
    with app.app_context():
        assert db.session.get(Progress, item).note == "Đã họp triển khai."
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.user_id == user_id)) == own_events
    assert "Đã khoá</span>" in html(admin.get("/admin/users?active=0"))

    assert admin.post(f"/admin/users/{user_id}/active", {"active": "1"}).status_code == 303
    assert PortalClient(app.test_client()).login("phuong1").status_code == 303


def test_reset_password_ends_sessions_and_must_be_changed_at_next_login(app, admin, login, ids):
    ward = login("phuong2")
    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/users/{ids.user('phuong2')}/password")
    assert response.status_code == 200 and says(response, "Mật khẩu mới")
    password = shown_password(response)
    assert [e.action for e in audit_since(app, audit_id)] == ["user.password_reset"]
    assert not is_logged_in(ward)
    assert PortalClient(app.test_client()).login("phuong2", PASSWORD).status_code == 401

    person = PortalClient(app.test_client())
    assert person.login("phuong2", password).status_code == 303
    response = person.get("/")
    assert response.status_code == 303 and response.headers["Location"] == "/account/password"
    assert says(person.get("/account/password"), CHANGE_FIRST)
    # Logging out is still possible.
    response = person.post("/account/password", {"current": password, "new": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert not user_row(app, "phuong2").must_change_password
    assert person.get("/").status_code == 302  # the home page again, no detour


def test_account_that_must_change_password_may_log_out(app, admin, ids):
    password = shown_password(admin.post(f"/admin/users/{ids.user('phuong3')}/password"))
    person = PortalClient(app.test_client())
    person.login("phuong3", password)
    response = person.post("/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/login"


def test_account_list_filters_by_role_unit_state_and_name(app, admin, ids):
    page = admin.get("/admin/users")
    assert page.status_code == 200
    assert "phuong1</a>" in html(page) and "lanhdao</a>" in html(page)

    leaders = html(admin.get("/admin/users?role=leader"))
    assert "lanhdao</a>" in leaders and "phuong1</a>" not in leaders
    home_affairs = html(admin.get(f"/admin/users?unit={ids.unit('Phòng Nội vụ')}"))
    assert "noivu.duyet</a>" in home_affairs and "phongnoivu</a>" in home_affairs
    assert "phuong1</a>" not in home_affairs
    admin.post(f"/admin/users/{ids.user('phuong2')}/active", {"active": "0"})
    locked = html(admin.get("/admin/users?active=0"))
    assert "phuong2</a>" in locked and "phuong1</a>" not in locked
    assert "phuong2</a>" not in html(admin.get("/admin/users?active=1"))
    found = html(admin.get("/admin/users?q=huynh%20kim"))  # Huỳnh Kim Hương without her marks
    assert "phuong1</a>" in found and "phuong2</a>" not in found
    # Each unit account says where it stands in its unit.
    row = found.split('id="user-')[1]
    assert "<td>Cán bộ đơn vị</td>\n        <td>Lãnh đạo đơn vị</td>" in row
    # A bad filter value is no filter.
    assert "lanhdao</a>" in html(admin.get("/admin/users?role=king&unit=abc"))

    fragment = admin.get("/admin/users?role=admin", htmx=True)
    assert fragment.status_code == 200 and "<html" not in html(fragment)
    assert html(fragment).startswith('<div id="users">') and "quantri</a>" in html(fragment)
    assert "HX-Request" in fragment.headers["Vary"]


def test_only_admins_see_the_administration_link(login):
    assert 'href="/admin/units">Quản trị</a>' in html(login("quantri").get("/directives"))
    for username in ("phuong1", "noivu.duyet", "lanhdao"):
        assert "/admin/" not in html(login(username).get("/directives")), username


def test_admin_post_without_csrf_token_is_refused(app, admin):
    counted = writes(app)
    response = admin.post("/admin/units/new", {"name": "Phường Giả", "kind": "commune"},
                          csrf=False)
    assert response.status_code == 400
    assert written_since(app, counted) == set()


# --- bulk import ---------------------------------------------------------------------------------


UNITS_HEADER = ["Tên đơn vị", "Tên viết tắt", "Loại đơn vị"]
USERS_HEADER = ["Tên đăng nhập", "Họ và tên", "Vai trò", "Đơn vị"]


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (",", False)])
def test_units_import_from_csv_previews_then_writes_everything_on_confirm(app, admin, delimiter,
                                                                          bom):
    content = csv_bytes([
        UNITS_HEADER + ["Thứ tự"],
        ["Phường Mỹ Phú", "MP", "Xã, phường", ""],
        ["Phòng Dân tộc", "DT", "phòng chuyên môn", "3"],
        ["Trung tâm Y tế", "TTYT", "service", ""],
    ], delimiter, bom)
    counted, audit_id = writes(app), last_audit_id(app)
    response = upload(admin, "units", content, "don-vi.csv")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/import/units/preview"
    preview = admin.get("/admin/import/units/preview")
    assert preview.status_code == 200
    page = html(preview)
    assert "Phường Mỹ Phú" in page and "Xác nhận nhập 3 đơn vị" in page
    assert "Đơn vị sự nghiệp công lập" in page  # how "service" was understood
    assert written_since(app, counted) == set()  # nothing yet

    response = admin.post("/admin/import/units/confirm")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/units"
    assert unit_row(app, "Phường Mỹ Phú").kind is UnitKind.COMMUNE
    assert unit_row(app, "Phòng Dân tộc").position == 3
    assert unit_row(app, "Trung tâm Y tế").kind is UnitKind.SERVICE
    events = audit_since(app, audit_id)
    assert [e.action for e in events] == ["unit.create"] * 3
    assert {e.after["imported_from"] for e in events} == {"don-vi.csv"}
    assert says(admin.get("/admin/units"), "Đã thêm 3 đơn vị từ tệp «don-vi.csv».")
    # Confirming again writes nothing more: the pending import is gone.
    counted = writes(app)
    again = admin.post("/admin/import/units/confirm")
    assert again.status_code == 303 and again.headers["Location"] == "/admin/import/units"
    assert written_since(app, counted) == set()
    assert pending_files(app) == []


def test_units_import_shows_each_rows_errors_and_refuses_to_confirm(app, admin):
    content = csv_bytes([
        UNITS_HEADER,
        ["Phường Mỹ Phú", "MP", "Xã, phường"],
        ["phường mỹ phú", "MP2", "commune"],
        ["Phường 1", "P1", "commune"],
        ["", "X", "commune"],
        ["Phòng Mới", "PM", "sở"],
        ["Phòng Khác", "PK", ""],
    ])
    counted = writes(app)
    assert upload(admin, "units", content, "don-vi.csv").status_code == 303
    preview = admin.get("/admin/import/units/preview")
    page = html(preview)
    for message in (
        "Trùng tên đơn vị với dòng 2 trong tệp.",
        "Đơn vị «Phường 1» đã có trong hệ thống.",
        "Thiếu tên đơn vị.",
        "Loại đơn vị «sở» không hợp lệ; dùng «Phòng chuyên môn», «Đơn vị sự nghiệp công lập» "
        "hoặc «Xã, phường».",
        "Thiếu loại đơn vị.",
    ):
        assert str(escape(message)) in page, message
    assert "5 dòng có lỗi" in page and "Xác nhận nhập" not in page

    response = admin.post("/admin/import/units/confirm")
    assert response.status_code == 422
    assert says(response, "Không nhập được: còn 5 dòng có lỗi. Chưa ghi gì vào hệ thống.")
    assert written_since(app, counted) == set()  # not even the good row


@pytest.mark.parametrize(("what", "header", "missing"), [
    ("units", ["Tên đơn vị", "Tên viết tắt"], "«Loại đơn vị»"),
    ("users", ["Tên đăng nhập", "Họ và tên", "Đơn vị"], "«Vai trò»"),
    ("users", ["Họ và tên", "Đơn vị"], "«Tên đăng nhập», «Vai trò»"),
])
def test_missing_column_is_an_error_of_the_whole_file_naming_it(app, admin, what, header,
                                                                missing):
    counted = writes(app)
    for content, name in ((csv_bytes([header, ["a"] * len(header)]), "tep.csv"),
                          (xlsx_bytes([header, ["a"] * len(header)]), "tep.xlsx")):
        response = upload(admin, what, content, name)
        assert response.status_code == 422
        assert says(response, f"Thiếu cột {missing} ở dòng tiêu đề (dòng đầu)."), name
        assert admin.get(f"/admin/import/{what}/preview").status_code == 303  # nothing pending
    assert written_since(app, counted) == set() and pending_files(app) == []


@pytest.mark.parametrize(("content", "name", "message"), [
    ("Tên don vi;Loai\nPhuong Moi;xa\n".encode("cp1252"), "don-vi.csv",
     "Tệp CSV không ở mã UTF-8."),
    (b"", "don-vi.csv", "Tệp rỗng, không có dữ liệu."),
    (csv_bytes([UNITS_HEADER]), "don-vi.csv",
     "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "don-vi.xls",
     "Chỉ nhận tệp .xlsx"),
    (b"PK\x03\x04 not really a workbook", "don-vi.xlsx",
     "Không đọc được tệp Excel (.xlsx)"),
    (b"%PDF-1.4", "don-vi.pdf", "Chỉ nhận tệp CSV (.csv) hoặc Excel (.xlsx)."),
])
def test_unreadable_file_is_refused_with_a_vietnamese_message(app, admin, content, name,
                                                              message):
    counted = writes(app)
    response = upload(admin, "units", content, name)
    assert response.status_code == 422
    assert says(response, message)
    assert written_since(app, counted) == set()


def test_upload_without_a_file_asks_for_one(admin):
    response = admin.post("/admin/import/users", {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert says(response, "Hãy chọn tệp CSV hoặc Excel để tải lên.")


def test_users_import_errors_duplicates_unknown_unit_bad_role(app, admin, ids):
    admin.post(f"/admin/units/{ids.unit('Phường 4')}/active", {"active": "0"})
    content = csv_bytes([
        USERS_HEADER,
        ["p1.moi", "Nguyễn Văn A", "Cán bộ đơn vị", "Phường 1"],
        ["P1.MOI", "Nguyễn Văn B", "cán bộ đơn vị", "Phường 1"],
        ["phuong2", "Lê Thị C", "đơn vị", "Phường 2"],
        ["p9.moi", "Trần D", "đơn vị", "Phường 99"],
        ["p4.moi", "Trần E", "đơn vị", "Phường 4"],
        ["giamdoc", "Phạm F", "giám đốc", ""],
        ["ld.moi", "Phạm G", "lãnh đạo", "Phường 1"],
        ["cb.moi", "Phạm H", "cán bộ đơn vị", ""],
        ["có dấu", "Phạm I", "quản trị", ""],
        ["", "Phạm K", "quản trị", ""],
        ["nv.moi", "", "duyệt", "Phòng Nội vụ"],
    ])
    counted = writes(app)
    assert upload(admin, "users", content, "tai-khoan.csv").status_code == 303
    page = html(admin.get("/admin/import/users/preview"))
    for message in (
        "Trùng tên đăng nhập với dòng 2 trong tệp.",
        "Tên đăng nhập «phuong2» đã có trong hệ thống.",
        "Không có đơn vị «Phường 99» trong hệ thống.",
        "Đơn vị «Phường 4» đã ngừng hoạt động.",
        "Vai trò «giám đốc» không hợp lệ; dùng «Cán bộ đơn vị», «Phòng Nội vụ», «Lãnh đạo» "
        "hoặc «Quản trị».",
        "Lãnh đạo và quản trị không thuộc đơn vị nào; hãy để trống ô đơn vị.",
        "Vai trò «Cán bộ đơn vị» cần chọn đơn vị.",
        "Tên đăng nhập gồm 3 đến 80 ký tự",
        "Thiếu tên đăng nhập.",
        "Thiếu họ và tên.",
    ):
        assert str(escape(message)) in page, message
    assert "10 dòng có lỗi" in page  # every row but the first
    assert admin.post("/admin/import/users/confirm").status_code == 422
    assert written_since(app, counted) == set()


def test_users_import_reads_the_place_in_the_unit_in_words_with_or_without_marks(app, admin,
                                                                                ids):
    content = csv_bytes([
        USERS_HEADER + ["Vị trí"],
        ["p1.pho", "Trần Văn Phó", "cán bộ đơn vị", "Phường 1", "lanh dao don vi"],
        ["p1.ct", "Lê Văn Chủ", "đơn vị", "Phường 1", "Lãnh đạo"],
        ["p1.cv", "Ngô Thị Cán", "đơn vị", "Phường 1", "CÁN BỘ"],
        ["p1.trong", "Võ Văn Trống", "đơn vị", "Phường 1", ""],
        ["ld.trong", "Phạm Văn Lãnh", "lãnh đạo", "", ""],
    ])
    assert upload(admin, "users", content, "tk.csv").status_code == 303
    preview = html(admin.get("/admin/import/users/preview"))
    assert "Cán bộ đơn vị · Lãnh đạo đơn vị · Phường 1" in preview
    assert admin.post("/admin/import/users/confirm").status_code == 200
    positions = {name: user_row(app, name).position
                 for name in ("p1.pho", "p1.ct", "p1.cv", "p1.trong", "ld.trong")}
    assert positions == {"p1.pho": UnitPosition.HEAD, "p1.ct": UnitPosition.HEAD,
                         "p1.cv": UnitPosition.OFFICER, "p1.trong": UnitPosition.OFFICER,
                         "ld.trong": None}


def test_users_import_refuses_a_bad_place_in_the_unit_row_by_row(app, admin):
    content = csv_bytes([
        USERS_HEADER + ["Vị trí trong đơn vị"],
        ["p1.dung", "Trần Văn Đúng", "cán bộ đơn vị", "Phường 1", "cán bộ"],
        ["p1.sep", "Trần Văn Sếp", "cán bộ đơn vị", "Phường 1", "sếp"],
        ["ld.moi", "Lê Văn Lãnh", "lãnh đạo", "", "Lãnh đạo đơn vị"],
        ["nv.moi", "Ngô Thị Duyệt", "duyệt", "Phòng Nội vụ", "cán bộ"],
    ])
    counted = writes(app)
    assert upload(admin, "users", content, "tk.csv").status_code == 303
    page = html(admin.get("/admin/import/users/preview"))
    assert str(escape("Vị trí trong đơn vị «sếp» không hợp lệ; dùng «Lãnh đạo đơn vị» hoặc "
                      "«Cán bộ»; để trống là «Cán bộ».")) in page
    refused = str(escape("Vị trí trong đơn vị chỉ dành cho vai trò «Cán bộ đơn vị»; hãy để "
                         "trống ô này."))
    assert page.count(refused) == 2
    assert "3 dòng có lỗi" in page
    assert admin.post("/admin/import/users/confirm").status_code == 422
    assert written_since(app, counted) == set() and user_row(app, "p1.dung") is None


def test_admin_gives_a_unit_a_second_head_and_officers(app, admin, ids):
    audit_id = last_audit_id(app)
    unit = str(ids.unit("Phường 1"))
    response = admin.post("/admin/users/new", {
        "username": "phuong1.pho", "full_name": "Trần Văn Phó", "role": "unit",
        "position": "head", "unit": unit})
    assert response.status_code == 200
    response = admin.post("/admin/users/new", {
        "username": "phuong1.cb9", "full_name": "Lê Thị Chín", "role": "unit", "unit": unit})
    assert response.status_code == 200
    assert user_row(app, "phuong1.pho").position is UnitPosition.HEAD
    assert user_row(app, "phuong1.cb9").position is UnitPosition.OFFICER  # left empty: officer
    assert user_row(app, "phuong1").position is UnitPosition.HEAD  # two heads, as a deputy
    first, second = audit_since(app, audit_id)
    assert first.after["position"] == "head" and second.after["position"] == "officer"

    # A head made an officer, and back: each change in the audit log.
    officer = ids.user("phuong1.cb1")
    audit_id = last_audit_id(app)
    form = {"full_name": "Người Được Giao", "role": "unit", "position": "head", "unit": unit,
            "active": "y"}
    assert admin.post(f"/admin/users/{officer}/edit", form).status_code == 303
    [event] = audit_since(app, audit_id)
    assert event.before["position"] == "officer" and event.after["position"] == "head"
    page = html(admin.get(f"/admin/users?unit={unit}"))
    assert page.count("<td>Lãnh đạo đơn vị</td>") == 3 and page.count("<td>Cán bộ</td>") == 2


@pytest.mark.parametrize(("form", "message"), [
    ({"role": "unit", "position": "chief"}, "Vị trí trong đơn vị không hợp lệ."),
    ({"role": "leader", "position": "officer", "unit": ""},
     "Vị trí trong đơn vị chỉ dành cho vai trò «Cán bộ đơn vị»; hãy để trống ô này."),
    ({"role": "reviewer", "position": "head"},
     "Vị trí trong đơn vị chỉ dành cho vai trò «Cán bộ đơn vị»; hãy để trống ô này."),
])
def test_account_form_refuses_a_bad_place_in_the_unit(app, admin, ids, form, message):
    data = {"username": "moi.canbo", "full_name": "Nguyễn Văn Mới",
            "unit": str(ids.unit("Phòng Nội vụ"))} | form
    counted = writes(app)
    response = admin.post("/admin/users/new", data)
    assert response.status_code == 422 and says(response, message)
    edit = admin.post(f"/admin/users/{ids.user('phuong1.cb1')}/edit", data | {"active": "y"})
    assert edit.status_code == 422 and says(edit, message)
    assert written_since(app, counted) == set()
    assert user_row(app, "phuong1.cb1").position is UnitPosition.OFFICER


@pytest.mark.parametrize(("word", "role"), [
    ("cán bộ đơn vị", Role.UNIT), ("Đơn vị", Role.UNIT), ("unit", Role.UNIT),
    ("Phòng Nội vụ", Role.REVIEWER), ("duyệt", Role.REVIEWER), ("reviewer", Role.REVIEWER),
    ("Lãnh đạo", Role.LEADER), ("LEADER", Role.LEADER),
    ("quản trị", Role.ADMIN), ("admin", Role.ADMIN),
])
def test_users_import_accepts_vietnamese_and_english_role_words(app, admin, word, role):
    unit = "Phòng Nội vụ" if role in (Role.UNIT, Role.REVIEWER) else ""
    content = csv_bytes([USERS_HEADER, ["tk.moi", "Nguyễn Văn A", word, unit]])
    assert upload(admin, "users", content, "tk.csv").status_code == 303
    response = admin.post("/admin/import/users/confirm")
    assert response.status_code == 200, html(response)[:3000]
    assert user_row(app, "tk.moi").role is role


def test_users_import_from_xlsx_shows_passwords_once_and_the_csv_downloads_once(app, admin):
    content = xlsx_bytes([
        ["Họ và tên", "Tên đăng nhập", "Vai trò", "Đơn vị", "Ghi chú"],  # any order, extra column
        ["Nguyễn Văn A", "p1.vanthu", "Cán bộ đơn vị", "Phuong 1"],  # without marks: found
        ["Lê Thị B", "ld.pho", "Lãnh đạo", None],
        [None, None, None, None],  # an empty row is skipped
        ["@Trần C", "nv.them", "duyệt", "Phòng Nội vụ"],
    ])
    counted, audit_id = writes(app), last_audit_id(app)
    assert upload(admin, "users", content, "tai-khoan.xlsx").status_code == 303
    preview = html(admin.get("/admin/import/users/preview"))
    assert "Cán bộ đơn vị · Cán bộ · Phường 1" in preview and "Xác nhận nhập 3 tài khoản" in preview
    assert written_since(app, counted) == set()

    response = admin.post("/admin/import/users/confirm")
    assert response.status_code == 200
    page = html(response)
    passwords = dict(re.findall(r'<th scope="row">([\w.]+)</th>.*?<code>([^<]+)</code>', page))
    assert set(passwords) == {"p1.vanthu", "ld.pho", "nv.them"}
    assert [e.action for e in audit_since(app, audit_id)] == ["user.create"] * 3
    assert user_row(app, "p1.vanthu").unit_id == unit_row(app, "Phường 1").id
    assert user_row(app, "ld.pho").must_change_password
    # The database holds hashes only.
    assert not any(p in repr(database_rows(app)) for p in passwords.values())

    download = admin.get("/admin/import/users/passwords.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"), newline=""),
                            delimiter=";"))  # Excel's list separator on a Vietnamese-format PC
    assert table[0] == ["Tên đăng nhập", "Họ và tên", "Vai trò", "Đơn vị", "Mật khẩu ban đầu"]
    assert {row[0]: row[4] for row in table[1:]} == passwords
    assert table[3][:2] == ["nv.them", "'@Trần C"]  # not a formula to Excel

    # Once: then gone, from the server too.
    again = admin.get("/admin/import/users/passwords.csv")
    assert again.status_code == 410
    assert says(again, "Danh sách mật khẩu ban đầu chỉ tải được một lần")
    assert pending_files(app) == []

    person = PortalClient(app.test_client())
    assert person.login("p1.vanthu", passwords["p1.vanthu"]).status_code == 303
    assert person.get("/").headers["Location"] == "/account/password"


def test_first_passwords_are_not_kept_past_their_time(app, admin):
    content = csv_bytes([USERS_HEADER, ["ld.moi", "Phạm G", "lãnh đạo", ""]])
    upload(admin, "users", content, "tk.csv")
    page = html(admin.post("/admin/import/users/confirm"))
    password = re.search(r"<code>([^<]+)</code>", page).group(1)
    [kept] = pending_files(app)
    assert password in kept.read_text(encoding="utf-8")
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    # Eleven minutes later any administration page removes it.
    old = time.time() - 11 * 60
    os.utime(kept, (old, old))
    assert admin.get("/admin/units").status_code == 200
    assert pending_files(app) == []
    assert admin.get("/admin/import/users/passwords.csv").status_code == 410


def test_an_import_not_confirmed_writes_nothing(app, admin):
    content = csv_bytes([UNITS_HEADER, ["Phường Mỹ Phú", "MP", "commune"],
                         ["Phường Mỹ Phú", "MP", "commune"]])
    counted = writes(app)
    upload(admin, "units", content, "don-vi.csv")
    admin.get("/admin/import/units/preview")
    # A good file uploaded afterwards replaces the pending one; still nothing written.
    upload(admin, "units", csv_bytes([UNITS_HEADER, ["Phường Mỹ Phú", "MP", "commune"]]),
           "don-vi-2.csv")
    assert "Xác nhận nhập 1 đơn vị" in html(admin.get("/admin/import/units/preview"))
    assert written_since(app, counted) == set()
    assert len(pending_files(app)) == 1
    # Another administrator's session does not see it.
    other = PortalClient(app.test_client())
    other.login("quantri")
    assert other.get("/admin/import/units/preview").status_code == 303
    # Nor does the same session under the other import.
    assert admin.get("/admin/import/users/preview").status_code == 303


def test_rows_checked_again_at_confirmation(app, admin):
    upload(admin, "units", csv_bytes([UNITS_HEADER, ["Phường Mỹ Phú", "MP", "commune"]]),
           "don-vi.csv")
    assert "Xác nhận nhập 1 đơn vị" in html(admin.get("/admin/import/units/preview"))
    # Meanwhile the same unit is created by hand.
    admin.post("/admin/units/new", {"name": "Phường Mỹ Phú", "kind": "commune"})
    counted = writes(app)
    response = admin.post("/admin/import/units/confirm")
    assert response.status_code == 422
    assert says(response, "Đơn vị «Phường Mỹ Phú» đã có trong hệ thống.")
    assert written_since(app, counted) == set()


@pytest.mark.slow
def test_a_thousand_accounts_import_quickly(app, admin):
    units = ["Phường 1", "Phường 2", "Phòng Tư pháp", "Xã Tân Khánh Đông"]
    content = csv_bytes([USERS_HEADER] + [
        [f"canbo{n:04d}", f"Cán bộ số {n}", "cán bộ đơn vị", units[n % len(units)]]
        for n in range(1000)
    ], delimiter=";")
    audit_id = last_audit_id(app)
    started = time.perf_counter()
    assert upload(admin, "users", content, "1000.csv").status_code == 303
    preview = admin.get("/admin/import/users/preview")
    assert "Xác nhận nhập 1000 tài khoản" in html(preview)
    response = admin.post("/admin/import/users/confirm")
    download = admin.get("/admin/import/users/passwords.csv")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and download.status_code == 200
    assert elapsed < 10, f"{elapsed:.1f} s"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.username.like("canbo%"))) == 1000
    assert len(audit_since(app, audit_id)) == 1000
    assert len(download.data.decode("utf-8-sig").splitlines()) == 1001


def test_a_thousand_rows_with_one_bad_write_nothing(app, admin):
    rows_in_file = [[f"Đơn vị thử {n}", f"T{n}", "commune"] for n in range(1000)]
    rows_in_file[777][2] = "hành tinh"
    counted = writes(app)
    assert upload(admin, "units", csv_bytes([UNITS_HEADER] + rows_in_file),
                  "don-vi.csv").status_code == 303
    page = html(admin.get("/admin/import/units/preview"))
    assert "1 dòng có lỗi" in page and "Loại đơn vị «hành tinh» không hợp lệ" in page
    assert admin.post("/admin/import/units/confirm").status_code == 422
    assert written_since(app, counted) == set()
