"""Who may and who may not, for every route.

A table gives, for each endpoint and method of the URL map, the answer each role gets: a visitor who
has not logged in, the people of the unit that owns the item (Phường 1: its head, and one of its
officers, who gets the head's answer unless the row says otherwise), the staff of another unit
(Phường 2, and Phòng Nội vụ's own staff, who are a unit like any other), and those who read
everything (Phòng Nội vụ's reviewer, the city's leader, the administrator), and an account created
at a first login that awaits its unit and role (refused all but the ways in and out). A route added
to the app
without a row here fails `test_every_route_has_a_row_for_every_role`.

Every refusal is checked to have written nothing: no database row anywhere, no file on disk.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from markupsafe import escape
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Progress, ProgressStatus, User
from portal.permissions import heads_unit, may_view_unit, may_work_on_unit

from .support.clients import PASSWORD
from .support.databases import writes, written_since
from .support.records import audit_actions_since, last_audit_id, stored_files
from .support.world import AWAITING, PDF, World, evidence_of, world_app

FORBIDDEN = "Bạn không có quyền thực hiện thao tác này."
NOT_FOUND = "Không tìm thấy trang hoặc dữ liệu được yêu cầu."

# Role -> demo account (None: not logged in).
ROLES = {
    "visitor": None,
    "owner": "phuong1",  # Phường 1's head
    "owner_officer": "phuong1.cb1",
    "other_ward": "phuong2",
    "noivu_staff": "phongnoivu",
    "reviewer": "noivu.duyet",
    "leader": "lanhdao",
    "admin": "quantri",
    # created at a first login through the directory, no unit and role given yet
    "awaiting": AWAITING,
}
OTHER_UNITS = ("other_ward", "noivu_staff")
READERS = ("reviewer", "leader", "admin")
READERS_ACCOUNTS = [ROLES[role] for role in READERS]


# --- what the app holds, before and after a request ------------------------------------------


def denials_since(app, audit_id: int) -> list[tuple[str, str, int, str]]:
    """The refusals recorded after `audit_id`: (method, path, status, username)."""
    with app.app_context():
        return [
            (event.after["method"], event.after["path"], event.after["status"], event.username)
            for event in db.session.scalars(
                select(AuditEvent).where(AuditEvent.id > audit_id,
                                         AuditEvent.action == "access.denied")
                .order_by(AuditEvent.id)
            )
        ]


def item_state(app, item_id: int) -> tuple:
    with app.app_context():
        item = db.session.get(Progress, item_id)
        return (item.status, item.note, item.numerator, item.denominator, item.quantity,
                item.submitted_at, item.updated_at, item.version)


# --- the demo data the table's URLs point at: World, in tests/support/world.py -----------------


@pytest.fixture
def app(databases, world_template, tmp_path):
    """The portal with World built: a copy of world_template's."""
    yield from world_app(databases, tmp_path)


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    status: int
    to: str | None = None  # the Location, with {placeholders} from World.values
    says: str | None = None  # text the body shows, with {placeholders}
    audit: str | None = None  # the one audit action a successful change writes; None: no write
    actions: bool | None = None  # True: the item's buttons are offered; False: no form at all
    pdf: bool = False  # the body is the uploaded PDF, as an attachment
    shown: bool = False  # the body is the uploaded PDF, shown in the browser
    download: str = ""  # the body is a file of this type sent as an attachment (an export)
    sends: str = "submit"  # with actions: where the item goes when done (a head submits)


TO_LOGIN = Expect(302, to="/login")
DENIED = Expect(403, says=FORBIDDEN)
BACK = "/directives/{directive}/units/{unit}#item-{item}"
TALK = "/items/{item}/messages#talk-new"


def answers(*, visitor: Expect, owner: Expect, other_units: Expect, readers: Expect,
            officer: Expect | None = None) -> dict:
    return {
        "visitor": visitor,
        "owner": owner,
        "owner_officer": owner if officer is None else officer,
        **dict.fromkeys(OTHER_UNITS, other_units),
        **dict.fromkeys(READERS, readers),
        # An account awaiting its rights is refused everything but the ways in and out (below).
        "awaiting": DENIED,
    }


def logged_in(visitor: Expect, everyone: Expect) -> dict:
    return answers(visitor=visitor, owner=everyone, other_units=everyone, readers=everyone)


def way_in_or_out(visitor: Expect, everyone: Expect) -> dict:
    """The ways in and out, which an account awaiting its rights may use like everyone."""
    return logged_in(visitor, everyone) | {"awaiting": everyone}


def item_action(done: Expect) -> dict:
    """Only Phường 1's staff change Phường 1's item; every other logged-in role gets 403."""
    return answers(visitor=TO_LOGIN, owner=done, other_units=DENIED, readers=DENIED)


def reviewer_only(done: Expect) -> dict:
    """Only Phòng Nội vụ's reviewer decides; units, leadership and the admin get 403."""
    return answers(visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED) | {
        "reviewer": done}


def admin_only(done: Expect) -> dict:
    """Only the administrator manages units and accounts; everyone else gets 403."""
    return answers(visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED) | {
        "admin": done}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: str
    expect: dict[str, Expect]
    data: Callable[[], dict] | None = None
    multipart: bool = False


ROUTES = [
    Route("auth.login", "GET", "/login", way_in_or_out(
        Expect(200, says='name="password"'), Expect(302, to="/"))),
    Route("auth.login", "POST", "/login", way_in_or_out(
        Expect(303, to="/", audit="login"), Expect(302, to="/")),
        data=lambda: {"username": "phuong1", "password": PASSWORD}),
    # "Quên mật khẩu": for a visitor; whoever is logged in is sent home.
    Route("auth.forgot_password", "GET", "/password/forgot", way_in_or_out(
        Expect(200, says='name="name"'), Expect(302, to="/"))),
    Route("auth.forgot_password", "POST", "/password/forgot", way_in_or_out(
        Expect(303, to="/login", audit="password.reset_request"), Expect(302, to="/")),
        data=lambda: {"name": "phuong1"}),
    Route("auth.reset_password", "GET", "/password/reset/khong-co-lien-ket-nay", way_in_or_out(
        Expect(404, says="Liên kết đặt lại mật khẩu không hợp lệ"), Expect(302, to="/"))),
    Route("auth.reset_password", "POST", "/password/reset/khong-co-lien-ket-nay", way_in_or_out(
        Expect(404, says="Liên kết đặt lại mật khẩu không hợp lệ"), Expect(302, to="/")),
        data=lambda: {"new": "mat-khau-moi-2024", "confirm": "mat-khau-moi-2024"}),
    # The province's login (OpenID Connect): not set in the world, so there is none.
    Route("auth.oidc_login", "GET", "/login/oidc", way_in_or_out(Expect(404), Expect(404))),
    Route("auth.oidc_callback", "GET", "/login/oidc/callback?code=x&state=y",
          way_in_or_out(Expect(404), Expect(404))),
    Route("auth.logout", "POST", "/logout", way_in_or_out(
        TO_LOGIN, Expect(303, to="/login", audit="logout"))),
    Route("auth.change_password", "GET", "/account/password", logged_in(
        TO_LOGIN, Expect(200, says='name="current"'))),
    Route("auth.change_password", "POST", "/account/password", logged_in(
        TO_LOGIN, Expect(422, says="Mật khẩu hiện tại không đúng.")),
        data=lambda: {"current": "khong-phai-mat-khau", "new": "mat-khau-moi-2024",
                      "confirm": "mat-khau-moi-2024"}),
    Route("checklist.home", "GET", "/", answers(
        # a unit's staff land on their work; leadership, with two directives open, the overview;
        # Phòng Nội vụ's reviewer and the administrator on the list of directives
        visitor=TO_LOGIN, owner=Expect(302, to="/my-work"),
        other_units=Expect(302, to="/my-work"), readers=Expect(302, to="/directives"),
    ) | {"leader": Expect(302, to="/overview"),
         "awaiting": Expect(200, says="Tài khoản chờ cấp quyền")}),
    # Việc của tôi: a unit's own people only; the head also sees what waits for sign-off.
    Route("checklist.my_work", "GET", "/my-work", answers(
        visitor=TO_LOGIN, owner=Expect(200, says="Chờ tôi ký duyệt"),
        officer=Expect(200, says="Việc được giao cho tôi"),
        other_units=Expect(200, says="Việc được giao cho tôi"), readers=DENIED)),
    Route("checklist.directives", "GET", "/directives", logged_in(
        TO_LOGIN, Expect(200, says="{directive_title}"))),
    Route("checklist.directive", "GET", "/directives/{directive}", answers(
        visitor=TO_LOGIN,
        # unit staff are sent to their own unit's checklist, whatever unit they are
        owner=Expect(302, to="/directives/{directive}/units/{own_unit}"),
        other_units=Expect(302, to="/directives/{directive}/units/{own_unit}"),
        readers=Expect(302, to="/directives/{directive}/matrix"),
    )),
    Route("checklist.unit_checklist", "GET", "/directives/{directive}/units/{unit}", answers(
        visitor=TO_LOGIN,
        owner=Expect(200, says="Phường 1: nhiệm vụ theo văn bản", actions=True),
        officer=Expect(200, says="Phường 1: nhiệm vụ theo văn bản", actions=True,
                       sends="send-up"),
        other_units=DENIED,
        readers=Expect(200, says="Phường 1: nhiệm vụ theo văn bản", actions=False),
    )),
    Route("checklist.item", "GET", "/items/{item}", answers(
        visitor=TO_LOGIN,
        owner=Expect(200, says="{task_title}", actions=True),
        officer=Expect(200, says="{task_title}", actions=True, sends="send-up"),
        other_units=DENIED,
        readers=Expect(200, says="{task_title}", actions=False),
    )),
    Route("checklist.start", "POST", "/items/{fresh_item}/start", item_action(
        Expect(303, to="/directives/{directive}/units/{unit}#item-{fresh_item}",
               audit="progress.start"))),
    Route("checklist.save", "POST", "/items/{item}/save", item_action(
        Expect(303, to=BACK, audit="progress.save")),
        data=lambda: {"note": "Đã họp triển khai."}),
    Route("checklist.upload", "POST", "/items/{item}/files", item_action(
        Expect(303, to=BACK, audit="evidence.add")),
        data=lambda: {"file": (io.BytesIO(PDF), "Kế hoạch.pdf")}, multipart=True),
    Route("checklist.add_link", "POST", "/items/{item}/links", item_action(
        Expect(303, to=BACK, audit="evidence.add")),
        data=lambda: {"url": "https://sadec.dongthap.gov.vn/tin-cchc"}),
    Route("checklist.remove_evidence", "POST", "/items/{item}/evidence/{evidence}/delete",
          item_action(Expect(303, to=BACK, audit="evidence.remove"))),
    # Where the directive asks for sign-off (the default) only the head sends to Phòng Nội vụ;
    # an officer sends the item up to the head, who may also send it back.
    Route("checklist.submit", "POST", "/items/{item}/submit", item_action(
        Expect(303, to=BACK, audit="progress.submit")) | {"owner_officer": DENIED},
        data=lambda: {"late_reason": "Chờ số liệu từ Hệ thống một cửa."}),
    Route("checklist.send_up", "POST", "/items/{item}/send-up", item_action(DENIED) | {
        "owner_officer": Expect(303, to=BACK, audit="progress.send_up")},
        data=lambda: {"late_reason": "Chờ số liệu từ Hệ thống một cửa."}),
    Route("checklist.return_to_officer", "POST", "/items/{item}/return-to-officer",
          item_action(Expect(422, says="không ở trạng thái chờ lãnh đạo")) | {
              "owner_officer": DENIED},
          data=lambda: {"comment": "Bổ sung số liệu tháng 6."}),
    # Findings: Phòng Nội vụ (or an administrator) records and withdraws them; the unit answers
    # each, with its evidence; Phòng Nội vụ reviews the answer (the world's is not answered yet).
    Route("admin.finding_fields", "GET", "/admin/finding-fields", admin_only(
        Expect(200, says="Lĩnh vực của hạn chế, khuyết điểm"))),
    Route("admin.finding_fields", "POST", "/admin/finding-fields", admin_only(
        Expect(303, to="/admin/finding-fields", audit="finding_field.add")),
        data=lambda: {"name": "Cải cách hành chính trong doanh nghiệp nhà nước"}),
    Route("findings.listing", "GET", "/directives/{directive}/findings", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, says="Hạn chế, khuyết điểm của các đơn vị"))),
    Route("findings.add", "POST", "/items/{item}/findings", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED) | dict.fromkeys(
        ("reviewer", "admin"), Expect(303, to="/items/{item}", audit="finding.add")),
        data=lambda: {"code": "HC2", "text": "Chưa niêm yết TTHC tại Bộ phận một cửa.",
                      "field": "3"}),
    Route("findings.edit", "POST", "/findings/{finding}/edit", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED) | dict.fromkeys(
        ("reviewer", "admin"), Expect(303, to="/items/{fresh_item}", audit="finding.edit")),
        data=lambda: {"code": "HC1", "text": "Chưa ban hành kế hoạch tự kiểm tra CCHC năm 2023.",
                      "field": "1"}),
    Route("findings.withdraw", "POST", "/findings/{finding}/withdraw", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED) | dict.fromkeys(
        ("reviewer", "admin"), Expect(303, to="/items/{fresh_item}", audit="finding.withdraw")),
        data=lambda: {"withdrawn": "1"}),
    Route("findings.answer", "POST", "/findings/{finding}/answer", item_action(
        Expect(303, to="/directives/{directive}/units/{unit}#item-{fresh_item}",
               audit="finding.answer")),
        data=lambda: {"answer": "not_fixed", "note": "Chờ ý kiến của Chủ tịch UBND phường."}),
    Route("findings.upload", "POST", "/findings/{finding}/files", item_action(
        Expect(303, to="/directives/{directive}/units/{unit}#item-{fresh_item}",
               audit="evidence.add")),
        data=lambda: {"file": (io.BytesIO(PDF), "Kế hoạch kiểm tra.pdf")}, multipart=True),
    Route("findings.review", "POST", "/findings/{finding}/review", reviewer_only(
        Expect(422, says="Đơn vị chưa trả lời hạn chế này.")),
        data=lambda: {"verdict": "approve"}),
    # Findings brought in from the inspection report (tests/test_findings_import.py): Phòng Nội
    # vụ's reviewer and the administrator; the upload is kept for its preview outside the
    # database and UPLOAD_DIR, and with nothing uploaded the preview and confirmation go back.
    Route("findings.import_upload", "GET", "/directives/{directive}/findings/import", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED) | dict.fromkeys(
        ("reviewer", "admin"), Expect(200, says='type="file"'))),
    Route("findings.import_upload", "POST", "/directives/{directive}/findings/import", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED) | dict.fromkeys(
        ("reviewer", "admin"), Expect(303, to="/directives/{directive}/findings/import/preview")),
        data=lambda: {"file": (io.BytesIO("Đơn vị;Nội dung hạn chế\nPhường 1;Chưa niêm yết TTHC."
                                          "\n".encode()), "han-che.csv")}, multipart=True),
    Route("findings.import_template", "GET",
          "/directives/{directive}/findings/import/template.xlsx", answers(
              visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED) | dict.fromkeys(
              ("reviewer", "admin"), Expect(200, download=(
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))),
    Route("findings.import_preview", "GET", "/directives/{directive}/findings/import/preview",
          answers(visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED)
          | dict.fromkeys(("reviewer", "admin"),
                          Expect(303, to="/directives/{directive}/findings/import"))),
    Route("findings.import_confirm", "POST", "/directives/{directive}/findings/import/confirm",
          answers(visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED)
          | dict.fromkeys(("reviewer", "admin"),
                          Expect(303, to="/directives/{directive}/findings/import"))),
    Route("findings.import_cancel", "POST", "/directives/{directive}/findings/import/cancel",
          answers(visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=DENIED)
          | dict.fromkeys(("reviewer", "admin"),
                          Expect(303, to="/directives/{directive}/findings/import"))),
    # Phân công: the head hands an item to the unit's officers.
    Route("checklist.assign", "POST", "/items/{item}/assign", item_action(
        Expect(303, to="/items/{item}", audit="item.assign")) | {"owner_officer": DENIED},
        data=lambda: {"officers": "{officer}", "due_on": "20/06/2023", "note": "Làm gấp."}),
    Route("checklist.request_extension", "POST", "/items/{future_item}/extension", item_action(
        Expect(303, to="/directives/{future}/units/{unit}#item-{future_item}",
               audit="extension.request")),
        data=lambda: {"reason": "Chờ số liệu quý IV", "proposed": "15/12/2099"}),
    Route("checklist.view_evidence", "GET", "/evidence/{evidence}/view", answers(
        visitor=TO_LOGIN,
        owner=Expect(200, shown=True),
        other_units=DENIED,
        readers=Expect(200, shown=True),
    )),
    Route("review.matrix", "GET", "/directives/{directive}/matrix", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, says="Ma trận theo dõi"))),
    # The matrix's side panel: the item under its unit's name, for those who read the matrix.
    Route("review.panel", "GET", "/items/{item}/panel", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, says="{task_title}", actions=False))),
    Route("review.queue", "GET", "/review", reviewer_only(
        Expect(200, says="Nhiệm vụ chờ duyệt (1)"))),
    Route("review.review", "POST", "/items/{submitted}/review", reviewer_only(
        Expect(303, to="/directives/{directive}/matrix", audit="review.approve")),
        data=lambda: {"verdict": "approve"}),
    Route("review.approve_many", "POST", "/review/approve", reviewer_only(
        Expect(303, to="/review", audit="review.approve")),
        data=lambda: {"item": "{submitted}"}),
    Route("review.reopen", "POST", "/items/{approved}/reopen", reviewer_only(
        Expect(303, to="/directives/{directive}/matrix", audit="review.reopen"))),
    Route("review.decide_extension", "POST", "/items/{extension_item}/extension/decision",
          reviewer_only(Expect(303, to="/directives/{future}/matrix", audit="extension.grant")),
          data=lambda: {"decision": "grant"}),
    Route("checklist.download", "GET", "/evidence/{evidence}/download", answers(
        visitor=TO_LOGIN,
        owner=Expect(200, pdf=True),
        other_units=DENIED,
        readers=Expect(200, pdf=True),
    )),
    Route("dashboard.dashboard", "GET", "/directives/{directive}/dashboard", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, says="Tổng quan: {directive_title}"))),
    Route("dashboard.units", "GET", "/directives/{directive}/dashboard/units", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, says="Bảng theo đơn vị"))),
    # A browser is sent to the login page; a client asking for JSON gets 401 (tests/test_api.py).
    Route("api.matrix", "GET", "/api/directives/{directive}/matrix", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, says='"status_label":"Đạt"'))),
    # Units and accounts (tests/test_admin_people.py): the administrator only.
    Route("admin.units", "GET", "/admin/units", admin_only(Expect(200, says="Phường 1"))),
    Route("admin.new_unit", "GET", "/admin/units/new", admin_only(
        Expect(200, says='name="kind"'))),
    Route("admin.new_unit", "POST", "/admin/units/new", admin_only(
        Expect(303, to="/admin/units", audit="unit.create")),
        data=lambda: {"name": "Phường Mỹ Phú", "kind": "commune"}),
    Route("admin.edit_unit", "GET", "/admin/units/{unit}/edit", admin_only(
        Expect(200, says='value="Phường 1"'))),
    Route("admin.edit_unit", "POST", "/admin/units/{unit}/edit", admin_only(
        Expect(303, to="/admin/units#unit-{unit}", audit="unit.update")),
        data=lambda: {"name": "Phường 1", "short_name": "P.1", "kind": "commune"}),
    Route("admin.move_unit", "POST", "/admin/units/{unit}/move", admin_only(
        Expect(303, to="/admin/units#unit-{unit}", audit="unit.move")),
        data=lambda: {"direction": "down"}),
    Route("admin.sort_units", "POST", "/admin/units/sort", admin_only(
        Expect(303, to="/admin/units", audit="unit.sort")),
        data=lambda: {"kind": "commune"}),
    Route("admin.set_unit_active", "POST", "/admin/units/{unit}/active", admin_only(
        Expect(303, to="/admin/units#unit-{unit}", audit="unit.deactivate")),
        data=lambda: {"active": "0"}),
    # Areas (địa bàn), tests/test_admin_areas.py: the administrator only.
    Route("admin.areas", "GET", "/admin/areas", admin_only(
        Expect(200, says="Khối phố ven sông"))),
    Route("admin.new_area", "GET", "/admin/areas/new", admin_only(
        Expect(200, says='name="parent"'))),
    Route("admin.new_area", "POST", "/admin/areas/new", admin_only(
        Expect(303, to="/admin/areas", audit="area.create")),
        data=lambda: {"name": "Huyện Lai Vung (cũ)", "parent": ""}),
    Route("admin.edit_area", "GET", "/admin/areas/{area}/edit", admin_only(
        Expect(200, says='value="Cụm phường nội ô"'))),
    Route("admin.edit_area", "POST", "/admin/areas/{area}/edit", admin_only(
        Expect(303, to="/admin/areas#area-{area}", audit="area.update")),
        data=lambda: {"name": "Cụm phường trung tâm", "parent": "", "position": "2"}),
    Route("admin.delete_area_route", "POST", "/admin/areas/{sub_area}/delete", admin_only(
        Expect(303, to="/admin/areas", audit="area.delete"))),
    Route("admin.users", "GET", "/admin/users", admin_only(Expect(200, says="phuong1</a>"))),
    Route("admin.new_user", "GET", "/admin/users/new", admin_only(
        Expect(200, says='name="username"'))),
    Route("admin.new_user", "POST", "/admin/users/new", admin_only(
        Expect(200, says="Mật khẩu ban đầu", audit="user.create")),
        data=lambda: {"username": "canbo.moi", "full_name": "Nguyễn Văn A", "role": "unit",
                      "unit": "{unit}"}),
    Route("admin.edit_user", "GET", "/admin/users/{account}/edit", admin_only(
        Expect(200, says="phongtuphap"))),
    Route("admin.edit_user", "POST", "/admin/users/{account}/edit", admin_only(
        Expect(303, to="/admin/users", audit="user.update")),
        data=lambda: {"full_name": "Trần Văn B", "role": "leader", "position": "", "unit": "",
                      "active": "y"}),
    Route("admin.reset_password", "POST", "/admin/users/{account}/password", admin_only(
        Expect(200, says="Mật khẩu mới", audit="user.password_reset"))),
    Route("admin.set_user_active", "POST", "/admin/users/{account}/active", admin_only(
        Expect(303, to="/admin/users", audit="user.deactivate")),
        data=lambda: {"active": "0"}),
    Route("admin.import_upload", "GET", "/admin/import/units", admin_only(
        Expect(200, says='type="file"'))),
    # An upload is kept for its preview outside the database and UPLOAD_DIR: nothing written.
    Route("admin.import_upload", "POST", "/admin/import/users", admin_only(
        Expect(303, to="/admin/import/users/preview")),
        data=lambda: {"file": (io.BytesIO("Tên đăng nhập,Họ và tên,Vai trò\n"
                                          "ld.moi,Lê Văn A,lãnh đạo\n".encode()), "tk.csv")},
        multipart=True),
    # Nothing uploaded in this session: back to the upload form.
    Route("admin.import_preview", "GET", "/admin/import/units/preview", admin_only(
        Expect(303, to="/admin/import/units"))),
    Route("admin.import_confirm", "POST", "/admin/import/units/confirm", admin_only(
        Expect(303, to="/admin/import/units"))),
    Route("admin.import_passwords", "GET", "/admin/import/users/passwords.csv", admin_only(
        Expect(410, says="chỉ tải được một lần"))),
    # Exports (tests/test_reports.py): the matrix's to those who read everything, a unit's ZIP
    # to its own staff and to them.
    Route("reports.matrix_xlsx", "GET", "/directives/{directive}/reports/matrix.xlsx", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=Expect(200, download=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))),
    Route("reports.matrix_csv", "GET", "/directives/{directive}/reports/details.csv", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, download="text/csv"))),
    Route("reports.official_report", "GET", "/directives/{directive}/reports/report.docx",
          answers(visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=Expect(
              200, download="application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document"))),
    Route("reports.unit_archive", "GET", "/directives/{directive}/units/{unit}/evidence.zip",
          answers(visitor=TO_LOGIN, owner=Expect(200, download="application/zip"),
                  other_units=DENIED, readers=Expect(200, download="application/zip"))),
    # Directives (tests/test_admin_directives.py): the administrator only.
    Route("admin.directives", "GET", "/admin/directives", admin_only(
        Expect(200, says="Kế hoạch năm 2100"))),
    Route("admin.directive", "GET", "/admin/directives/{draft}", admin_only(
        Expect(200, says="Kế hoạch năm 2100"))),
    Route("admin.new_directive", "GET", "/admin/directives/new", admin_only(
        Expect(200, says='name="issued_on"'))),
    Route("admin.new_directive", "POST", "/admin/directives/new", admin_only(
        Expect(303, audit="directive.create")),  # to the new draft's page
        data=lambda: {"title": "Kế hoạch CCHC năm 2024", "year": "2024",
                      "issued_on": "05/01/2024"}),
    Route("admin.import_directive", "GET", "/admin/directives/import", admin_only(
        Expect(200, says='type="file"'))),
    Route("admin.reimport_text", "POST", "/admin/directives/{draft}/text", admin_only(
        Expect(303, to="/admin/directives/{draft}", audit="directive.reimport")),
        data=lambda: {"text": "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ SA ĐÉC\n\nSố: 7/UBND-HC\n"
                              "V/v báo cáo CCHC quý năm 2100\n\n"
                              "1. Chủ tịch UBND các xã, phường\n\n"
                              "Báo cáo kết quả CCHC quý trước ngày 30/6/2100.\n"}),
    # A letter's file read outside the request; this one ended refused, with its message.
    Route("admin.letter_read", "GET", "/admin/directives/reads/{letter_read}", admin_only(
        Expect(200, says="là PDF bị hỏng"))),
    Route("admin.import_directive", "POST", "/admin/directives/import", admin_only(
        Expect(303, audit="directive.import")),  # to the new draft's page
        data=lambda: {"text": "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ SA ĐÉC\n\nSố: 7/UBND-HC\n"
                              "V/v báo cáo CCHC quý năm 2099\n\n"
                              "1. Chủ tịch UBND các xã, phường\n\n"
                              "Báo cáo kết quả CCHC quý trước ngày 30/6/2099.\n"},
        multipart=True),
    Route("admin.edit_directive", "GET", "/admin/directives/{draft}/edit", admin_only(
        Expect(200, says='value="ke-hoach-2100"'))),
    Route("admin.edit_directive", "POST", "/admin/directives/{draft}/edit", admin_only(
        Expect(303, to="/admin/directives/{draft}", audit="directive.update")),
        data=lambda: {"title": "Kế hoạch năm 2100 (sửa)", "year": "2100",
                      "slug": "ke-hoach-2100"}),
    Route("admin.directive_inspected", "GET", "/admin/directives/{directive}/inspected",
          admin_only(Expect(200, says='name="units"'))),
    Route("admin.directive_inspected", "POST", "/admin/directives/{draft}/inspected",
          admin_only(Expect(303, to="/admin/directives/{draft}", audit="directive.inspected")),
          data=lambda: {"units": "{unit}"}),
    Route("admin.preview_directive", "GET", "/admin/directives/{directive}/preview?unit={unit}",
          admin_only(Expect(200, says="{task_title}"))),
    Route("admin.publish_directive", "POST", "/admin/directives/{draft}/publish", admin_only(
        Expect(303, to="/admin/directives/{draft}", audit="directive.publish"))),
    Route("admin.close_directive", "POST", "/admin/directives/{future}/close", admin_only(
        Expect(303, to="/admin/directives/{future}", audit="directive.close"))),
    # The open directive cannot be reopened, archived or unarchived: refused, nothing written.
    Route("admin.reopen_directive", "POST", "/admin/directives/{directive}/reopen", admin_only(
        Expect(422, says="Chỉ văn bản đã kết thúc mới mở lại được."))),
    Route("admin.archive_directive", "POST", "/admin/directives/{directive}/archive", admin_only(
        Expect(422, says="Hãy kết thúc văn bản trước khi lưu trữ."))),
    Route("admin.unarchive_directive", "POST", "/admin/directives/{directive}/unarchive",
          admin_only(Expect(422, says="Văn bản này không ở trong lưu trữ."))),
    Route("admin.copy_directive", "GET", "/admin/directives/{future}/copy", admin_only(
        Expect(200, says='value="ke-hoach-2100-2"'))),  # 2100's code is the draft's
    Route("admin.copy_directive", "POST", "/admin/directives/{future}/copy", admin_only(
        Expect(303, audit="directive.copy")),  # to the new draft's page
        data=lambda: {"year": "2101", "title": "Kế hoạch năm 2101", "slug": "ke-hoach-2101"}),
    Route("admin.delete_directive", "POST", "/admin/directives/{draft}/delete", admin_only(
        Expect(303, to="/admin/directives", audit="directive.delete"))),
    # -- end of directives --
    # Tasks of a directive (tests/test_admin_tasks.py): the administrator only.
    Route("admin.new_task", "GET", "/admin/directives/{draft}/tasks/new", admin_only(
        Expect(200, says='value="kind:commune"'))),
    # The draft's tasks all have their units: nothing to choose for (test_admin_tasks chooses).
    Route("admin.choose_audience", "GET", "/admin/directives/{draft}/tasks/audience", admin_only(
        Expect(200, says="Văn bản không còn nhiệm vụ nào chưa xác định đơn vị thực hiện."))),
    Route("admin.choose_audience", "POST", "/admin/directives/{draft}/tasks/audience", admin_only(
        Expect(422, says="Văn bản không còn nhiệm vụ nào chưa xác định đơn vị thực hiện.")),
        data=lambda: {"tasks": "1", "audience": "all"}),
    # The new task's id is not known beforehand: the Location is checked in test_admin_tasks.
    Route("admin.new_task", "POST", "/admin/directives/{draft}/tasks/new", admin_only(
        Expect(303, audit="task.add")),
        data=lambda: {"code": "3", "title": "Báo cáo bổ sung", "kind": "report",
                      "audience": "kind:commune", "deadline": "30/09/2100"}),
    Route("admin.edit_task", "GET", "/admin/tasks/{task}/edit", admin_only(
        Expect(200, says='value="1.4"'))),
    Route("admin.edit_task", "POST", "/admin/tasks/{task}/edit", admin_only(
        Expect(303, to="/admin/directives/{directive}#task-{task}", audit="task.change")),
        data=lambda: {"code": "1.4", "title": "Theo dõi, kiểm tra, đôn đốc thực hiện nhiệm vụ CCHC",
                      "kind": "action", "audience": "all", "deadline": "31/07/2023"}),
    Route("admin.move_task", "POST", "/admin/tasks/{task}/move", admin_only(
        Expect(303, to="/admin/directives/{directive}#task-{task}", audit="task.move")),
        data=lambda: {"direction": "down"}),
    Route("admin.merge_task", "POST", "/admin/tasks/{draft_task}/merge", admin_only(
        Expect(303, to="/admin/directives/{draft}#task-{draft_task}", audit="task.merge"))),
    # The draft's tasks have a title and no text: nothing to split at.
    Route("admin.split_task", "GET", "/admin/tasks/{draft_task}/split", admin_only(
        Expect(200, says="chưa có hoặc chỉ có một câu"))),
    Route("admin.split_task", "POST", "/admin/tasks/{draft_task}/split", admin_only(
        Expect(422, says="chưa có hoặc chỉ có một câu")),
        data=lambda: {"at": "1", "title": "Báo cáo quý", "new_code": "1b",
                      "new_title": "Báo cáo quý (phần hai)"}),
    Route("admin.withdraw_task", "POST", "/admin/tasks/{draft_task}/withdraw", admin_only(
        Expect(303, to="/admin/directives/{draft}#tasks", audit="task.delete"))),
    # Task 1.4 is in force: nothing to restore.
    Route("admin.restore_task", "POST", "/admin/tasks/{task}/restore", admin_only(
        Expect(409, says="đang có hiệu lực"))),
    # -- end of tasks --
    # >>> notifications: the bell and its list (in-app notifications)
    # Every logged-in user has a list of their own (tests/test_notifications.py).
    Route("notifications.index", "GET", "/notifications", logged_in(
        TO_LOGIN, Expect(200, says="<h1>Thông báo</h1>"))),
    # Phường 1's notification of the approval, read already (opening it again writes nothing):
    # its head is led to the item; for anyone else, the unit's officers too, it does not exist.
    Route("notifications.open", "GET", "/notifications/{notification}/open", answers(
        visitor=TO_LOGIN, owner=Expect(303, to="/items/{approved}"),
        officer=Expect(404, says=NOT_FOUND),
        other_units=Expect(404, says=NOT_FOUND), readers=Expect(404, says=NOT_FOUND))),
    # Marks the user's own unread ones up to the newest the list showed: up to none here, so
    # nothing is written (tests/test_notifications.py marks real ones).
    Route("notifications.read_all", "POST", "/notifications/read-all", logged_in(
        TO_LOGIN, Expect(303, to="/notifications")), data=lambda: {"upto": "0"}),
    # <<< notifications
    # >>> reminders: remind from the matrix
    # The reviewer only. Nothing in the 2099 directive is overdue: the reminder is refused with
    # the reason and nothing is written (tests/test_reminders.py sends real ones, each item
    # concerned recording one event, more than this table's one).
    # The form itself, loaded by the matrix page when opened (or its own page without JavaScript).
    Route("review.remind_form", "GET", "/directives/{future}/reminders", reviewer_only(
        Expect(200, says="Gửi nhắc nhở"))),
    Route("review.remind", "POST", "/directives/{future}/reminders", reviewer_only(
        Expect(422, says="Không có đơn vị nào có nhiệm vụ quá hạn.")),
        data=lambda: {"scope": "overdue", "message": "Đề nghị khẩn trương hoàn thành."}),
    # <<< reminders
    # >>> mail: e-mail settings and the mail queue
    # Every account chooses its own address and kinds of e-mail (tests/test_mail.py).
    Route("auth.mail_settings", "GET", "/account/notifications", logged_in(
        TO_LOGIN, Expect(200, says='name="email"'))),
    Route("auth.mail_settings", "POST", "/account/notifications", logged_in(
        TO_LOGIN, Expect(303, to="/account/notifications", audit="account.mail_settings")),
        data=lambda: {"email": "canbo@sadec.gov.vn"}),
    # The queue is the administrator's; no mail server is set here, so the queue is empty and
    # there is no message to send again (tests/test_mail.py sends one again).
    Route("admin.mail_queue", "GET", "/admin/mail", admin_only(
        Expect(200, says="Không có thư nào."))),
    Route("admin.retry_mail", "POST", "/admin/mail/retry", admin_only(
        Expect(404, says=NOT_FOUND)), data=lambda: {"message": "999999"}),
    # <<< mail
    # >>> report settings
    Route("admin.report_settings", "GET", "/admin/report", admin_only(
        Expect(200, says='name="signer_name"'))),
    Route("admin.report_settings", "POST", "/admin/report", admin_only(
        Expect(303, to="/admin/report", audit="report_settings.update")),
        data=lambda: {"office": "Phòng Nội vụ", "number_symbol": "BC-PNV",
                      "authority_line": "KT. TRƯỞNG PHÒNG", "signer_title": "PHÓ TRƯỞNG PHÒNG",
                      "signer_name": "Nguyễn Văn An", "recipients": "Lưu: VT, PNV"}),
    # <<< report settings
    # >>> audit: the audit log in the portal (tests/test_audit_log.py filters, pages, exports)
    Route("admin.audit", "GET", "/admin/audit", admin_only(
        Expect(200, says="Nhật ký hệ thống"))),
    Route("admin.audit_chain", "GET", "/admin/audit/chain", admin_only(
        Expect(200, says="Chuỗi băm nguyên vẹn"))),
    Route("admin.audit_export", "GET", "/admin/audit/export.xlsx", admin_only(
        Expect(200, download="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    # <<< audit
    # >>> talk: an item's conversation (tests/test_talk.py). Whoever sees the item reads it (the
    # readers have seen its one message already: reading again writes nothing); the unit's staff
    # and the reviewer write; its writer alone deletes a message.
    Route("talk.conversation", "GET", "/items/{item}/messages", answers(
        visitor=TO_LOGIN, owner=Expect(200, says='action="/items/{item}/messages"'),
        other_units=DENIED, readers=Expect(200, says="Đề nghị hướng dẫn mẫu báo cáo."))),
    Route("talk.write", "POST", "/items/{item}/messages", answers(
        visitor=TO_LOGIN, owner=Expect(303, to=TALK, audit="message.write"),
        other_units=DENIED, readers=DENIED) | {
            "reviewer": Expect(303, to=TALK, audit="message.write")},
        data=lambda: {"body": "Đơn vị gửi bổ sung trong tuần."}),
    Route("talk.delete", "POST", "/messages/{message}/delete", answers(
        visitor=TO_LOGIN, owner=Expect(303, to=TALK, audit="message.delete"),
        officer=Expect(403), other_units=DENIED, readers=DENIED)),
    Route("talk.download", "GET", "/messages/{message}/file", answers(
        visitor=TO_LOGIN, owner=Expect(200, pdf=True), other_units=DENIED,
        readers=Expect(200, pdf=True))),
    # <<< talk
    # >>> overview: Tổng hợp (tests/test_overview.py). Those who read everything read the
    # overview and the ranking; a unit's staff see their own unit's scorecard and no other; only
    # the reviewer sets the scoring formula.
    Route("overview.overview", "GET", "/overview", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, says="Tổng hợp các văn bản năm 2023"))),
    Route("overview.scorecard", "GET", "/units/{unit}", answers(
        visitor=TO_LOGIN, owner=Expect(200, says="Kết quả của Phường 1 năm 2023"),
        other_units=DENIED, readers=Expect(200, says="Kết quả của Phường 1 năm 2023"))),
    Route("overview.ranking", "GET", "/overview/ranking", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, says="Cách tính:"))),
    Route("overview.ranking_xlsx", "GET", "/overview/ranking.xlsx", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=Expect(200, download=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))),
    Route("overview.ranking_docx", "GET", "/overview/ranking.docx", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED, readers=Expect(
            200, download="application/vnd.openxmlformats-officedocument."
                          "wordprocessingml.document"))),
    # The demo letter was not copied from an earlier cycle: nothing to compare, and it says so.
    Route("overview.compare", "GET", "/overview/directives/{directive}/compare", answers(
        visitor=TO_LOGIN, owner=DENIED, other_units=DENIED,
        readers=Expect(200, says="không được sao chép từ văn bản của chu kỳ trước"))),
    Route("overview.formula", "GET", "/overview/formula", reviewer_only(
        Expect(200, says='name="on_time"'))),
    Route("overview.formula", "POST", "/overview/formula", reviewer_only(
        Expect(303, to="/overview/ranking", audit="scoring.update")),
        data=lambda: {"on_time": "1", "late": "0,5", "overdue": "0", "returned": "0"}),
    # <<< overview
]


def send(client, route: Route, url: str, values: dict, htmx: bool = False):
    if route.method == "GET":
        return client.get(url, htmx=htmx)
    data = {name: value.format(**values) if isinstance(value, str) else value
            for name, value in (route.data() if route.data else {}).items()}
    extra = {"content_type": "multipart/form-data"} if route.multipart else {}
    return client.post(url, data, htmx=htmx, **extra)


def check_answer(response, expect: Expect, values: dict, url: str, method: str) -> None:
    body = response.get_data(as_text=not (expect.pdf or expect.shown or expect.download))
    assert response.status_code == expect.status, body[:2000]
    if expect.to == "/login":
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login"
        if method == "GET":  # back to the page asked for, after logging in
            assert parse_qs(location.query)["next"] == [url]
    elif expect.to is not None:
        assert response.headers["Location"] == expect.to.format(**values)
    if expect.says is not None:
        shown = {k: escape(v) if isinstance(v, str) else v for k, v in values.items()}
        assert expect.says.format(**shown) in body
    if expect.actions is True:
        assert f'action="/items/{values["item"]}/{expect.sends}"' in body
        assert f'action="/items/{values["item"]}/files"' in body
    elif expect.actions is False:
        # Phòng Nội vụ's own action on any item, recording a finding, is not the unit's work.
        body = without_finding_form(body)
        assert 'action="/items/' not in body and "hx-post" not in body
        assert f'href="/evidence/{values["evidence"]}/download"' in body  # but may download
    if expect.shown:
        assert body == PDF
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.mimetype == "application/pdf"
    if expect.pdf:
        assert body == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.mimetype == "application/pdf"
    if expect.download:
        assert response.mimetype == expect.download
        assert response.headers["Content-Disposition"].startswith("attachment")
    if expect.status in (302, 401, 403):  # a refusal shows nothing of Phường 1's item
        text = response.get_data(as_text=True)
        assert str(escape(values["task_title"])) not in text
        assert "%PDF" not in text


def without_finding_form(html: str) -> str:
    return re.sub(r'<details class="finding-add".*?</details>', "", html, flags=re.S)


def test_every_route_has_a_row_for_every_role(app):
    in_map = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    in_table = [(route.endpoint, route.method) for route in ROUTES]
    assert len(in_table) == len(set(in_table)), "a route is in the table twice"
    assert not in_map - set(in_table), f"routes without a row in ROUTES: {in_map - set(in_table)}"
    assert not set(in_table) - in_map, f"rows for routes that are gone: {set(in_table) - in_map}"

    adapter = app.url_map.bind("localhost")
    dummy = dict.fromkeys(World.__dataclass_fields__, 7) | {"own_unit": 7}
    for route in ROUTES:
        assert set(route.expect) == set(ROLES), route.endpoint
        path = urlsplit(route.url.format(**dummy)).path
        endpoint, _ = adapter.match(path, method=route.method)
        assert endpoint == route.endpoint, (route.url, endpoint)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.endpoint}")
def test_route_answers_each_role_as_the_table_says(app, world, visitor, login, route, role):
    client = visitor if ROLES[role] is None else login(ROLES[role])
    expect = route.expect[role]
    values = world.values(role)
    url = route.url.format(**values)
    counted, files, audit_id = writes(app), stored_files(app), last_audit_id(app)

    response = send(client, route, url, values)

    check_answer(response, expect, values, url, route.method)
    if expect.audit is None:
        assert written_since(app, counted) == set(), "a request that changes nothing wrote"
        assert stored_files(app) == files
    else:
        assert audit_actions_since(app, audit_id) == [expect.audit]

    refused = expect is TO_LOGIN or expect.status == 403
    path = urlsplit(url).path
    denial = (route.method, path, 401 if expect is TO_LOGIN else 403, ROLES[role] or "")
    # Every refusal is in the audit log with who asked for what; nothing else is. (A visitor
    # opening the portal's own address is sent to log in: that is the way in, not a refusal.)
    home = route.endpoint == "checklist.home" and route.method == "GET"
    assert denials_since(app, audit_id) == ([denial] if refused and not home else [])

    if refused:
        # The same request from htmx: a refusal too, still writing nothing but its record.
        audit_id = last_audit_id(app)
        again = send(client, route, url, values, htmx=True)
        if expect is TO_LOGIN:
            assert again.status_code == 401
            assert again.headers["HX-Redirect"] == "/login"
            assert again.data == b"" and "Location" not in again.headers
        else:
            assert again.status_code == 403
            assert again.headers["HX-Retarget"] == "#messages"
            html = again.get_data(as_text=True)
            assert FORBIDDEN in html and "<html" not in html
        assert denials_since(app, audit_id) == ([denial] if not home else [])
        assert written_since(app, counted) == set()
        assert stored_files(app) == files


# --- the behaviours behind the table -------------------------------------------------------------


def item_post_urls(app, item_id: int, evidence_id: int, area: str = "checklist") -> list[str]:
    """Every POST route of an area of the URL map that acts on an item, so a new one is tried."""
    values = {"item_id": item_id, "evidence_id": evidence_id}
    with app.test_request_context():
        urls = [
            url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and "item_id" in rule.arguments
            and rule.endpoint.startswith(f"{area}.")
        ]
    assert len(urls) >= 3, urls
    return urls


def post_everything(client, url: str, htmx: bool):
    """A post carrying every field any item action reads: a note, figures, a link and a file."""
    return client.post(
        url,
        {"note": "Sửa hộ đơn vị khác", "numerator": "1", "denominator": "2", "quantity": "3",
         "url": "https://evil.example/x", "file": (io.BytesIO(PDF), "gia-mao.pdf")},
        htmx=htmx,
        content_type="multipart/form-data",
    )


def test_ward_cannot_download_other_wards_evidence(app, world, login):
    for username in ("phuong2", "phongtuphap", "phongnoivu"):
        response = login(username).get(f"/evidence/{world.evidence}/download")
        assert response.status_code == 403, username
        assert b"%PDF" not in response.data
        assert "Content-Disposition" not in response.headers
        assert FORBIDDEN in response.get_data(as_text=True)
    # Phường 1 itself and Phòng Nội vụ's reviewer do get the file: the 403 is about the unit.
    for username in ("phuong1", "noivu.duyet"):
        response = login(username).get(f"/evidence/{world.evidence}/download")
        assert response.status_code == 200 and response.data == PDF


def test_ward_cannot_see_other_wards_checklist_or_item(app, world, login, ids):
    neighbour = login("phuong2")
    for url in (f"/directives/{world.directive}/units/{world.unit}", f"/items/{world.item}"):
        for htmx in (False, True):
            response = neighbour.get(url, htmx=htmx)
            assert response.status_code == 403, url
            html = response.get_data(as_text=True)
            assert FORBIDDEN in html and str(escape(world.task_title)) not in html
    own = neighbour.get(f"/directives/{world.directive}/units/{ids.unit('Phường 2')}")
    assert own.status_code == 200 and "Phường 2: nhiệm vụ theo văn bản" in own.get_data(
        as_text=True)


def test_ward_cannot_change_other_wards_item_by_changing_the_id(app, world, login, ids):
    neighbour = login("phuong2")
    own_item = ids.item("Phường 2", "1.4")
    state, evidence = item_state(app, world.item), evidence_of(app, world.item)
    counted, files, audit_id = writes(app), stored_files(app), last_audit_id(app)

    for url in item_post_urls(app, world.item, world.evidence):
        for htmx in (False, True):
            response = post_everything(neighbour, url, htmx)
            assert response.status_code == 403, (url, htmx)
            assert FORBIDDEN in response.get_data(as_text=True)

    assert item_state(app, world.item) == state  # status, note, figures, version
    assert item_state(app, world.item)[0] is ProgressStatus.IN_PROGRESS
    assert evidence_of(app, world.item) == evidence  # the one PDF, no more, no less
    # Nothing but the refusals themselves, each in the audit log.
    attempts = 2 * len(item_post_urls(app, world.item, world.evidence))
    assert audit_actions_since(app, audit_id) == ["access.denied"] * attempts
    assert written_since(app, counted) == set()
    assert stored_files(app) == files
    # The same account does change its own item: the refusals above are about whose item it is.
    response = post_everything(neighbour, f"/items/{own_item}/save", htmx=False)
    assert response.status_code == 303
    assert item_state(app, own_item)[1] == "Sửa hộ đơn vị khác"


def test_leader_every_post_is_403(app, world, login):
    assert_every_item_post_refused(app, world, login("lanhdao"))


@pytest.mark.parametrize("username", ["noivu.duyet", "quantri", "phongnoivu", "phongtuphap"])
def test_reviewer_admin_and_other_units_every_item_post_is_403(app, world, login, username):
    assert_every_item_post_refused(app, world, login(username))


@pytest.mark.parametrize("username", ["phuong1", "lanhdao", "quantri", "phongnoivu"])
def test_only_the_reviewer_decides(app, world, login, username):
    client = login(username)
    counted, files = writes(app), stored_files(app)
    for item_id in (world.submitted, world.approved, world.extension_item):
        for url in item_post_urls(app, item_id, world.evidence, area="review"):
            for htmx in (False, True):
                response = client.post(url, {"verdict": "approve", "decision": "grant",
                                             "comment": "x"}, htmx=htmx)
                assert response.status_code == 403, (username, url, htmx)
    assert client.post("/review/approve", {"item": world.submitted}).status_code == 403
    assert written_since(app, counted) == set() and stored_files(app) == files


def assert_every_item_post_refused(app, world, client) -> None:
    counted, files = writes(app), stored_files(app)
    for item_id in (world.item, world.fresh_item):
        for url in item_post_urls(app, item_id, world.evidence):
            for htmx in (False, True):
                response = post_everything(client, url, htmx)
                assert response.status_code == 403, (url, htmx)
                assert FORBIDDEN in response.get_data(as_text=True)
    assert written_since(app, counted) == set()
    assert stored_files(app) == files


def test_readers_see_items_without_any_button(world, login):
    for username in READERS_ACCOUNTS:
        client = login(username)
        for url in (f"/items/{world.item}", f"/directives/{world.directive}/units/{world.unit}"):
            html = without_finding_form(client.get(url).get_data(as_text=True))
            assert str(escape(world.task_title)) in html
            assert "Gửi duyệt</button>" not in html and "Tải lên</button>" not in html
            assert "hx-post" not in html
    html = login("phuong1").get(f"/items/{world.item}").get_data(as_text=True)
    assert "Gửi duyệt</button>" in html and "Tải lên</button>" in html


# The ways in, open to a visitor.
PUBLIC = ("static", "auth.login", "auth.forgot_password", "auth.reset_password",
          "auth.oidc_login", "auth.oidc_callback")


def test_logged_out_htmx_request_gets_401_with_hx_redirect(app, world, visitor):
    counted, files = writes(app), stored_files(app)
    values = {"item_id": world.item, "evidence_id": world.evidence,
              "directive_id": world.directive, "unit_id": world.unit,
              "user_id": world.account, "task_id": world.task, "what": "units",
              "notification_id": 1, "message_id": 1, "finding_id": world.finding,
              "read_id": world.letter_read, "area_id": world.area}
    with app.test_request_context():
        targets = [
            (method, url_for(rule.endpoint, **{name: values[name] for name in rule.arguments}))
            for rule in app.url_map.iter_rules()
            if rule.endpoint not in PUBLIC
            for method in sorted(rule.methods & {"GET", "POST"})
        ]
    assert len(targets) >= 15
    for method, url in targets:
        if method == "GET":
            response = visitor.get(url, htmx=True)
        else:
            response = post_everything(visitor, url, htmx=True)
        assert response.status_code == 401, (method, url)
        assert response.headers["HX-Redirect"] == "/login"
        assert response.data == b""
        # the same request without htmx is an ordinary redirect to the login page
        plain = visitor.get(url) if method == "GET" else post_everything(visitor, url, False)
        assert plain.status_code == 302, (method, url)
        assert urlsplit(plain.headers["Location"]).path == "/login"
    assert written_since(app, counted) == set()
    assert stored_files(app) == files


def test_unit_cannot_remove_evidence_of_another_item_via_mismatched_ids(app, world, login, ids):
    owner, neighbour = login("phuong1"), login("phuong2")
    counted, files = writes(app), stored_files(app)
    stored = Path(app.config["UPLOAD_DIR"]) / world.stored_name[:2] / world.stored_name
    assert stored.is_file()

    attempts = [
        (owner, world.fresh_item),  # Phường 1's evidence named under Phường 1's other item
        (neighbour, ids.item("Phường 2", "1.4")),  # ... or under Phường 2's own item
    ]
    for client, item_id in attempts:
        for htmx in (False, True):
            response = client.post(f"/items/{item_id}/evidence/{world.evidence}/delete", htmx=htmx)
            assert response.status_code == 404, (item_id, htmx)
            assert NOT_FOUND in response.get_data(as_text=True)

    assert evidence_of(app, world.item) == [(world.evidence, world.stored_name)]
    assert stored.is_file() and stored.read_bytes() == PDF
    assert item_state(app, world.fresh_item)[0] is ProgressStatus.NOT_STARTED
    assert written_since(app, counted) == set()
    assert stored_files(app) == files
    # With its own item's id the same evidence is removed: the 404s were about the mismatch.
    response = owner.post(f"/items/{world.item}/evidence/{world.evidence}/delete")
    assert response.status_code == 303
    assert evidence_of(app, world.item) == [] and not stored.exists()


def test_refused_upload_writes_nothing_to_disk_or_database(app, world, visitor, login):
    clients = [visitor, login("phuong2"), login("lanhdao"), login("noivu.duyet")]
    counted, files = writes(app), stored_files(app)
    for client in clients:
        for htmx in (False, True):
            response = client.upload(world.item, PDF, "khong-duoc-nhan.pdf", htmx=htmx)
            assert response.status_code in (302, 401, 403)
    assert stored_files(app) == files  # not even a temporary file
    assert evidence_of(app, world.item) == [(world.evidence, world.stored_name)]
    assert written_since(app, counted) == set()


def test_home_affairs_unit_staff_are_not_its_reviewer(app, world, login, ids):
    staff = login("phongnoivu")
    response = staff.get(f"/directives/{world.directive}")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/directives/{world.directive}/units/{ids.unit('Phòng Nội vụ')}"
    )
    assert staff.get(f"/directives/{world.directive}/units/{world.unit}").status_code == 403
    assert staff.get(f"/items/{world.item}").status_code == 403
    assert staff.get(f"/directives/{world.directive}/matrix").status_code == 403
    # Same unit, reviewer role: sees the city's matrix and Phường 1's checklist.
    reviewer = login("noivu.duyet")
    matrix = reviewer.get(f"/directives/{world.directive}/matrix")
    assert matrix.status_code == 200 and "Phường 1" in matrix.get_data(as_text=True)
    assert reviewer.get(f"/directives/{world.directive}/units/{world.unit}").status_code == 200


def test_unknown_ids_are_404_and_write_nothing(app, world, login):
    clients = {username: login(username) for username in ("phuong1", "lanhdao")}
    counted = writes(app)
    for username, client in clients.items():
        for url in ("/items/999999", "/evidence/999999/download", "/directives/999999"):
            response = client.get(url)
            assert response.status_code == 404, (username, url)
            assert NOT_FOUND in response.get_data(as_text=True)
        for url in ("/items/999999/start", "/items/999999/save"):
            assert client.post(url).status_code == 404, (username, url)
        # an unknown evidence id on Phường 1's item: 404 for its staff, 403 for anyone else
        response = client.post(f"/items/{world.item}/evidence/999999/delete")
        assert response.status_code == (404 if username == "phuong1" else 403)
    assert written_since(app, counted) == set()


def test_only_a_units_heads_head_it(app, world, ids, login):
    """heads_unit: the unit's head (and a deputy given the same right) heads it; its officers,
    other units' heads, Phòng Nội vụ's reviewer, leadership and the administrator do not."""
    admin = login("quantri")
    ward_1, ward_2, home_affairs = ids.unit("Phường 1"), ids.unit("Phường 2"), ids.unit(
        "Phòng Nội vụ")
    # Phường 1's first officer is given the head's right, as a deputy would be.
    response = admin.post(f"/admin/users/{ids.user('phuong1.cb2')}/edit", {
        "full_name": "Phó Chủ tịch Phường 1", "role": "unit", "position": "head",
        "unit": str(ward_1), "active": "y"})
    assert response.status_code == 303

    def heads(username: str) -> set[int]:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            return {unit for unit in (ward_1, ward_2, home_affairs) if heads_unit(user, unit)}

    assert heads("phuong1") == heads("phuong1.cb2") == {ward_1}
    assert heads("phuong2") == {ward_2} and heads("phongnoivu") == {home_affairs}
    for username in ("phuong1.cb1", "phuong2.cb1", "noivu.duyet", "lanhdao", "quantri"):
        assert heads(username) == set(), username
    # An officer still works on the unit's items: heading is the one thing it lacks.
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.username == "phuong1.cb1"))
        assert may_work_on_unit(officer, ward_1) and may_view_unit(officer, ward_1)
