"""The world of the permission table (tests/test_permissions.py), which the form fuzzer
(tests/test_fuzz_forms.py) works in too: the demo city after real work through the routes, with one
of everything a route acts on (`World`: a PDF uploaded by Phường 1, items sent and approved, the
2099 directive with an extension asked, a draft, a notification read, a message with a file on
Phường 1's item that every reader, Phường 1's officer too, has seen), made by `build_world` into a
template once per test process (the fixtures `world_template` and `world` are in
tests/conftest.py); `world_app` is the portal on a copy of it. `evidence_of` reads an item's
evidence back."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.auth.passwords import hash_password
from portal.deadlines import utcnow
from portal.demo import sample_pdf
from portal.directives import lifecycle
from portal.extensions import db
from portal.models import (
    Area,
    Directive,
    Evidence,
    Finding,
    LetterRead,
    LetterReadStatus,
    Message,
    Progress,
    Role,
    Task,
    User,
)

from .apps import copied_app
from .clients import PASSWORD
from .directives import load_future

PDF = sample_pdf("quyen truy cap")
AWAITING = "nguoi.moi"  # an account that awaits its unit and role
OWN_UNIT = {"owner": "Phường 1", "owner_officer": "Phường 1", "other_ward": "Phường 2",
            "noivu_staff": "Phòng Nội vụ"}


def evidence_of(app, item_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Evidence.id, Evidence.stored_name)
            .where(Evidence.progress_id == item_id)
            .order_by(Evidence.id)
        )]


@dataclass
class World:
    directive: int
    directive_title: str
    unit: int  # Phường 1
    item: int  # Phường 1's 1.1, a report, holding the evidence below
    task_title: str
    fresh_item: int  # Phường 1's 1.4, not started
    evidence: int  # a PDF uploaded by phuong1 through the real route
    stored_name: str
    submitted: int  # Phường 1's 1.5, sent for review
    approved: int  # Phường 1's 1.8, approved by the reviewer
    future: int  # a second directive, due in 2099
    future_item: int  # Phường 1's item of it, nothing asked yet
    extension_item: int  # Phường 1's other item of it, an extension asked
    account: int  # Phòng Tư pháp's staff account, which the administrator manages
    task: int  # the Sa Đéc directive's task 1.4 (published, open)
    draft: int  # a draft: the 2099 directive copied to 2100, not published
    draft_task: int  # the draft's first task
    own_units: dict[str, int] = field(default_factory=dict)
    notification: int = 0  # Phường 1's notification of the approval, already opened (read)
    message: int = 0  # phuong1's message with a PDF on `item`, seen by every reader
    officer: int = 0  # phuong1.cb1, an officer of Phường 1 (phuong1 is its head)
    finding: int = 0  # a finding Phòng Nội vụ recorded on `fresh_item`, not yet answered
    area: int = 0  # an area (địa bàn) holding no unit, with `sub_area` under it
    sub_area: int = 0  # an area under `area`, holding nothing
    letter_read: int = 0  # an uploaded letter's file whose reading ended refused

    def values(self, role: str | None = None) -> dict:
        return {
            "directive": self.directive,
            "directive_title": self.directive_title,
            "unit": self.unit,
            "item": self.item,
            "task_title": self.task_title,
            "fresh_item": self.fresh_item,
            "evidence": self.evidence,
            "submitted": self.submitted,
            "approved": self.approved,
            "future": self.future,
            "future_item": self.future_item,
            "extension_item": self.extension_item,
            "account": self.account,
            "task": self.task,
            "draft": self.draft,
            "draft_task": self.draft_task,
            "own_unit": self.own_units.get(role),
            "notification": self.notification,
            "message": self.message,
            "officer": self.officer,
            "finding": self.finding,
            "area": self.area,
            "sub_area": self.sub_area,
            "letter_read": self.letter_read,
        }


def world_app(databases, tmp_path):
    """The portal on a copy of the world template's database and upload folder. The template is
    built once per process: its message stays deletable however much later a test runs."""
    yield from copied_app(databases, "world", tmp_path, MESSAGE_DELETE_MINUTES=24 * 60)


def build_world(app, login, ids, tmp_path) -> World:
    item = ids.item("Phường 1", "1.1")
    response = login("phuong1").upload(item, PDF, "Báo cáo khắc phục.pdf", htmx=False)
    assert response.status_code == 303, response.get_data(as_text=True)
    [(evidence, stored_name)] = evidence_of(app, item)
    with app.app_context():
        directive = db.session.get(Directive, ids.directive())
        task_title = db.session.scalar(
            select(Task.title).join(Progress, Progress.task_id == Task.id)
            .where(Progress.id == item)
        )
        directive_title = directive.title
    ward, reviewer = login("phuong1"), login("noivu.duyet")
    submitted, approved = ids.item("Phường 1", "1.5"), ids.item("Phường 1", "1.8")
    for item_id in (submitted, approved):
        assert ward.post(f"/items/{item_id}/save", {"note": "Đã thực hiện."}).status_code == 303
        assert ward.post(f"/items/{item_id}/submit").status_code == 303
    assert reviewer.post(f"/items/{approved}/review",
                         {"verdict": "approve"}).status_code == 303
    future = load_future(app, tmp_path)
    with app.app_context():
        future_item, extension_item = db.session.scalars(
            select(Progress.id).join(Task, Task.id == Progress.task_id)
            .where(Task.directive_id == future, Progress.unit_id == ids.unit("Phường 1"))
            .order_by(Task.position)
        ).all()
    assert ward.post(f"/items/{extension_item}/extension",
                     {"reason": "Chờ số liệu quý", "proposed": "31/12/2099"}).status_code == 303
    with app.app_context():
        draft = lifecycle.copy_for_cycle(db.session.get(Directive, future), 2100,
                                         "ke-hoach-2100", "Kế hoạch năm 2100")
        db.session.commit()
        draft_id = draft.id
        draft_task = lifecycle.tasks_of(draft)[0].id
        task = db.session.scalar(select(Task.id).where(Task.directive_id == ids.directive(),
                                                       Task.code == "1.4"))
    from portal.models import Notification

    with app.app_context():
        notification = db.session.scalar(select(Notification.id).where(
            Notification.progress_id == approved, Notification.kind == "review.approved"))
    assert ward.get(f"/notifications/{notification}/open").status_code == 303
    response = ward.post(f"/items/{item}/messages",
                         {"body": "Đề nghị hướng dẫn mẫu báo cáo.",
                          "file": (io.BytesIO(PDF), "Mẫu báo cáo.pdf")},
                         content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    for reader in ("noivu.duyet", "lanhdao", "quantri", "phuong1.cb1"):
        assert login(reader).get(f"/items/{item}/messages").status_code == 200
    fresh_item = ids.item("Phường 1", "1.4")
    assert reviewer.post(f"/items/{fresh_item}/findings", {
        "code": "HC1", "text": "Chưa ban hành kế hoạch kiểm tra CCHC nội bộ.", "field": "1",
    }).status_code == 303
    with app.app_context():
        message = db.session.scalar(select(Message.id).where(Message.progress_id == item))
        finding = db.session.scalar(select(Finding.id).where(Finding.progress_id == fresh_item))
        # An account made at a first login through the directory (CREATE_ACCOUNTS), not yet given
        # a unit and a role; with the demo password, so that the table logs in as it by the form.
        db.session.add(User(username=AWAITING, full_name="Người mới đăng nhập",
                            password_hash=hash_password(PASSWORD), role=Role.UNIT,
                            awaiting_rights=True))
        area = Area(name="Cụm phường nội ô", position=1, path="", depth=0)
        db.session.add(area)
        db.session.flush()
        area.path = f"/{area.id}/"
        sub_area = Area(name="Khối phố ven sông", parent_id=area.id, position=1, path="",
                        depth=1)
        db.session.add(sub_area)
        db.session.flush()
        sub_area.path = f"{area.path}{sub_area.id}/"
        area_ids = (area.id, sub_area.id)
        now = utcnow()
        read = LetterRead(user_id=ids.user("quantri"), filename="hong.pdf", slug="",
                          data=None, status=LetterReadStatus.FAILED, source="", pages=0,
                          pages_done=0, message="Tệp «hong.pdf» là PDF bị hỏng, không mở được.",
                          signatures=[], created_at=now, updated_at=now)
        db.session.add(read)
        db.session.commit()
        letter_read = read.id
    return World(
        directive=ids.directive(),
        directive_title=directive_title,
        unit=ids.unit("Phường 1"),
        item=item,
        task_title=task_title,
        fresh_item=ids.item("Phường 1", "1.4"),
        evidence=evidence,
        stored_name=stored_name,
        submitted=submitted,
        approved=approved,
        future=future,
        future_item=future_item,
        extension_item=extension_item,
        account=ids.user("phongtuphap"),
        task=task,
        draft=draft_id,
        draft_task=draft_task,
        own_units={role: ids.unit(name) for role, name in OWN_UNIT.items()},
        notification=notification,
        message=message,
        officer=ids.user("phuong1.cb1"),
        finding=finding,
        area=area_ids[0],
        sub_area=area_ids[1],
        letter_read=letter_read,
    )

