"""The portal's data: units and their users, directives and their tasks, each unit's progress on
each task with its evidence, and the audit log.

Status words and their colours are defined here once, as enums with a Vietnamese label and a CSS
class, and every screen and export reads them from here.
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .extensions import db

# The largest id a row can have (SQLite's INTEGER, PostgreSQL's bigint).
ID_MAX = 2**63 - 1


class LabelledEnum(enum.StrEnum):
    """A stored string value with the Vietnamese label users read, a CSS class and a symbol, so
    that a state never shows by colour alone."""

    def __new__(cls, value: str, label: str, css: str = "", symbol: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.css = css
        member.symbol = symbol
        return member

    def __str__(self) -> str:
        return self.value


class UnitKind(LabelledEnum):
    OFFICE = "office", "Phòng chuyên môn"
    SERVICE = "service", "Đơn vị sự nghiệp công lập"
    COMMUNE = "commune", "Xã, phường"


class Role(LabelledEnum):
    UNIT = "unit", "Cán bộ đơn vị"
    REVIEWER = "reviewer", "Phòng Nội vụ (theo dõi, duyệt)"
    LEADER = "leader", "Lãnh đạo UBND"
    ADMIN = "admin", "Quản trị hệ thống"


class UnitPosition(LabelledEnum):
    """Where a unit's person stands in it: the head (a deputy may be given the same right) answers
    for the unit, assigns its items and signs them off; officers do the work. Only `Role.UNIT`
    accounts have one."""

    HEAD = "head", "Lãnh đạo đơn vị"
    OFFICER = "officer", "Cán bộ"


class TaskKind(LabelledEnum):
    ACTION = "action", "Thực hiện"
    DOCUMENT = "document", "Văn bản, kế hoạch"
    REPORT = "report", "Báo cáo"
    METRIC = "metric", "Số liệu"


class Measure(LabelledEnum):
    PERCENT = "percent", "Tỷ lệ (%)"
    COUNT = "count", "Số lượng"


class ProgressStatus(LabelledEnum):
    NOT_STARTED = "not_started", "Chưa thực hiện", "status-not-started", "○"
    IN_PROGRESS = "in_progress", "Đang thực hiện", "status-in-progress", "◐"
    SUBMITTED = "submitted", "Chờ duyệt", "status-submitted", "→"
    APPROVED = "approved", "Đạt", "status-approved", "✓"
    RETURNED = "returned", "Yêu cầu bổ sung", "status-returned", "↩"

    @property
    def editable_by_unit(self) -> bool:
        return self in (self.NOT_STARTED, self.IN_PROGRESS, self.RETURNED)


class DirectiveStatus(LabelledEnum):
    """A directive's life: drafted by an administrator, published to units, closed when its
    cycle ends (read-only), archived out of everyday lists (still readable)."""

    DRAFT = "draft", "Bản nháp", "directive-draft"
    OPEN = "open", "Đang thực hiện", "directive-open"
    CLOSED = "closed", "Đã kết thúc", "directive-closed"
    ARCHIVED = "archived", "Đã lưu trữ", "directive-archived"


class ExtensionStatus(LabelledEnum):
    PENDING = "pending", "Chờ xem xét", "ext-pending"
    GRANTED = "granted", "Đã đồng ý gia hạn", "ext-granted"
    REFUSED = "refused", "Không đồng ý gia hạn", "ext-refused"


class EvidenceKind(LabelledEnum):
    FILE = "file", "Tệp"
    LINK = "link", "Liên kết"


def _enum(kind: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(
        kind,
        native_enum=False,
        length=20,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


class Area(db.Model):
    """A place units belong to (địa bàn): a province, a former district, a cluster, as deep as the
    data needs. `path` is the materialized path of ids from the root, "/3/17/", so that an area's
    whole subtree is one indexed prefix match (`path LIKE '/3/%'`) however deep it goes."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    path: Mapped[str] = mapped_column(sa.String(400), default="", index=True)
    depth: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Area | None] = relationship(remote_side=[id], lazy="raise")

    def __repr__(self) -> str:
        return f"<Area {self.name}>"


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(80), default="")
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Địa bàn: the area the unit belongs to; None where the portal has no areas (a city).
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id"), index=True)

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[Role] = mapped_column(_enum(Role))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    # A unit account's place in its unit (head or officer); None for every other role.
    position: Mapped[UnitPosition | None] = mapped_column(_enum(UnitPosition))
    # Chức vụ, as the person signs: "Chuyên viên", "Phó Trưởng phòng", "Chủ tịch UBND phường".
    title: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Created at a first login through the directory or the province's login (CREATE_ACCOUNTS):
    # no rights at all until an administrator gives it a unit and a role (permissions.has_rights).
    awaiting_rights: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Set when an administrator chose the password (new account, reset): changed at next login.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Sessions and remember-me cookies carry this token; a new one ends every copy of them.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=lambda: secrets.token_hex(32)
    )
    # Where notifications are also sent by e-mail ("" : none), and the kinds the user turned off.
    email: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    mail_kinds_off: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return self.session_token

    def end_sessions(self) -> None:
        """Log this user out everywhere: logout, password change."""
        self.session_token = secrets.token_hex(32)

    @property
    def display_name(self) -> str:
        """The person as pages, exports and reports name them: full name, then title."""
        name = self.full_name or self.username
        return f"{name} ({self.title})" if self.title else name

    def __repr__(self) -> str:
        return f"<User {self.username}>"


def _utcnow() -> datetime:
    """The portal's clock (`deadlines.utcnow`, which tests can stand still), as naive UTC."""
    from .deadlines import utcnow  # (deadlines reads this module's enums)

    return utcnow()


class Directive(db.Model):
    """One letter (công văn) that orders units to act."""

    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    number: Mapped[str] = mapped_column(sa.String(80), default="")
    issuer: Mapped[str] = mapped_column(sa.String(200), default="")
    date_line: Mapped[str] = mapped_column(sa.String(200), default="")
    issued_on: Mapped[date | None]
    year: Mapped[int]
    subject: Mapped[str] = mapped_column(sa.Text, default="")
    title: Mapped[str] = mapped_column(sa.String(300))
    signer: Mapped[str] = mapped_column(sa.String(200), default="")
    signer_title: Mapped[str] = mapped_column(sa.String(200), default="")
    full_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    status: Mapped[DirectiveStatus] = mapped_column(
        _enum(DirectiveStatus), default=DirectiveStatus.OPEN, server_default="open"
    )
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # The directive of an earlier cycle this one was copied from.
    copied_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directives.id"))
    # A copy that carries the findings its units had not fixed, when it is published.
    carry_findings_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directives.id"))
    # Counts every change to the directive's items, so an unchanged matrix is known unread.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the revision last moved on (naive UTC): what the matrix and dashboard call "Cập nhật
    # lúc 09:41"; NULL until the first change.
    changed_at: Mapped[datetime | None]
    # How "trước ngày 16/6" reads: True (the default) lets the deadline day count; False is the
    # strict reading, due the day before (portal/deadlines.py).
    deadline_day_counts: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Trình lãnh đạo đơn vị: a unit's officers send an item to their head, who alone sends it on
    # to Phòng Nội vụ. Off: any of the unit's staff submits.
    sign_off_required: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # A directive made from a letter: what the importer found worth checking (in the editor's
    # words), and the passages it read as no task, whole, for the editor to add by hand.
    import_warnings: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")
    set_aside: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")

    sections: Mapped[list[Section]] = relationship(
        back_populates="directive", order_by="Section.position", lazy="raise"
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="directive", order_by="Task.position", lazy="raise"
    )

    @property
    def display_number(self) -> str:
        return self.number or "(chưa có số)"

    @property
    def is_draft(self) -> bool:
        return self.status is DirectiveStatus.DRAFT

    @property
    def is_open(self) -> bool:
        """Units and reviewers change items only while the directive is open."""
        return self.status is DirectiveStatus.OPEN


class Section(db.Model):
    """A numbered part of the letter, addressed to some of the units."""

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(sa.ForeignKey("directives.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(sa.String(20))
    heading: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)

    directive: Mapped[Directive] = relationship(back_populates="sections", lazy="raise")


class Inspection(db.Model):
    """A unit that the inspection behind a directive visited; some tasks reach only these."""

    __tablename__ = "inspections"

    directive_id: Mapped[int] = mapped_column(
        sa.ForeignKey("directives.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True)


class Task(db.Model):
    """One order of the letter that a unit can tick off."""

    __tablename__ = "tasks"
    __table_args__ = (sa.UniqueConstraint("directive_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(sa.ForeignKey("directives.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sections.id"))
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[TaskKind] = mapped_column(_enum(TaskKind))
    measure: Mapped[Measure | None] = mapped_column(_enum(Measure))
    measure_unit: Mapped[str] = mapped_column(sa.String(80), default="")
    target: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    # True where the figure must stay at or below the target (overdue dossiers left: 0).
    target_at_most: Mapped[bool] = mapped_column(default=False)
    evidence_hint: Mapped[str] = mapped_column(sa.String(300), default="")
    deadline: Mapped[date | None]
    position: Mapped[int] = mapped_column(default=0)
    # The rule that decides which units the task reaches, as written in the directive file.
    audience: Mapped[str] = mapped_column(sa.Text, default="all")
    # Chủ trì: the unit whose item counts; the others the task reaches support it (phối hợp).
    lead_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    # Taken out of a published directive: its items are hidden, kept and restorable.
    withdrawn: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # What the importer read for a task made from a letter, one note a line: the words it took
    # the addressees or the deadline from, the words it could not place. Shown to the editor
    # while the directive is a draft; "" for a task written by hand.
    import_notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    directive: Mapped[Directive] = relationship(back_populates="tasks", lazy="raise")
    section: Mapped[Section | None] = relationship(lazy="raise")
    lead_unit: Mapped[Unit | None] = relationship(lazy="raise")


def meets_target(figure, target, at_most: bool) -> bool | None:
    """Whether a figure meets its task's target (at most or at least it); None: nothing to say."""
    if figure is None or target is None:
        return None
    return figure <= target if at_most else figure >= target


class TargetResult(LabelledEnum):
    """A figure against its task's target, in words that never say "Đạt": that word is Phòng Nội
    vụ's verdict, and "✓ Đạt" beside "✗ Chưa đạt chỉ tiêu" would read as a contradiction."""

    MET = "met", "Đáp ứng chỉ tiêu", "target-reached", "✓"
    MISSED = "missed", "Chưa đáp ứng chỉ tiêu", "target-missed", "✗"

    @classmethod
    def of(cls, reached: bool | None) -> TargetResult | None:
        """The result for `meets_target`'s answer; None where there is nothing to say."""
        return None if reached is None else cls.MET if reached else cls.MISSED


class Progress(db.Model):
    """One unit's work on one task: exists once the task has reached the unit, and stays (hidden)
    if it stops reaching it, so that nothing recorded is lost."""

    __tablename__ = "progress"
    __table_args__ = (sa.UniqueConstraint("task_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # Indexed: the reviewers' "waiting" count runs on every page they open.
    status: Mapped[ProgressStatus] = mapped_column(
        _enum(ProgressStatus), default=ProgressStatus.NOT_STARTED, index=True
    )
    note: Mapped[str] = mapped_column(sa.Text, default="")
    numerator: Mapped[int | None]
    denominator: Mapped[int | None]
    quantity: Mapped[int | None]
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Giải trình: why the item was submitted after its deadline.
    late_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    updated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    # The task no longer reaches the unit (audience narrowed, task withdrawn): kept, not shown.
    hidden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Phối hợp: the unit supports the task's lead unit; its item does not count for completion.
    supporting: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Sign-off inside the unit: since when an officer's work waits for the head (None: it does
    # not), who prepared what went to Phòng Nội vụ, which head signed it off, and the head's
    # comment when returning it to the officer.
    awaiting_head_since: Mapped[datetime | None]
    prepared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    signed_off_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    head_comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    task: Mapped[Task] = relationship(lazy="raise")
    unit: Mapped[Unit] = relationship(lazy="raise")
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="progress", order_by="Evidence.id", lazy="raise"
    )
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id], lazy="raise")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="raise")
    prepared_by: Mapped[User | None] = relationship(foreign_keys=[prepared_by_id], lazy="raise")
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id],
                                                      lazy="raise")
    extension: Mapped[Extension | None] = relationship(back_populates="progress", lazy="raise")
    assignment: Mapped[Assignment | None] = relationship(back_populates="progress", lazy="raise")
    findings: Mapped[list[Finding]] = relationship(
        primaryjoin="and_(Finding.progress_id == Progress.id, Finding.withdrawn.is_(False))",
        order_by="Finding.position, Finding.id", lazy="raise", viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def deadline(self) -> date | None:
        """The deadline that counts: a granted extension's date, else the task's."""
        if self.extension and self.extension.status is ExtensionStatus.GRANTED:
            return self.extension.granted_deadline
        return self.task.deadline

    @property
    def percent(self) -> Decimal | None:
        if self.numerator is None or not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(Decimal("0.1"))

    @property
    def figure(self) -> Decimal | int | None:
        """The figure the unit reported, in the task's measure."""
        if self.task.measure is Measure.PERCENT:
            return self.percent
        if self.task.measure is Measure.COUNT:
            return self.quantity
        return None

    @property
    def target_reached(self) -> bool | None:
        return meets_target(self.figure, self.task.target, self.task.target_at_most)

    @property
    def target_result(self) -> TargetResult | None:
        return TargetResult.of(self.target_reached)


    @property
    def awaiting_head(self) -> bool:
        """An officer sent it to the unit's head, who has not yet sent it on or returned it."""
        return self.awaiting_head_since is not None and self.status.editable_by_unit


assignment_officers = sa.Table(
    "assignment_officers",
    db.metadata,
    sa.Column("assignment_id", sa.ForeignKey("assignments.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)


class Assignment(db.Model):
    """Phân công: the unit's head hands an item to one or more of its officers, with an optional
    internal due date and a note. One per item, changed in place; every change is audited. It
    moves no directive revision: the matrix does not show it."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(
        sa.ForeignKey("progress.id", ondelete="CASCADE"), unique=True
    )
    due_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    assigned_at: Mapped[datetime]
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    progress: Mapped[Progress] = relationship(back_populates="assignment", lazy="raise")
    officers: Mapped[list[User]] = relationship(
        secondary=assignment_officers, order_by="User.full_name", lazy="raise"
    )
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id], lazy="raise")


class Extension(db.Model):
    """A unit's request (gia hạn) for a later deadline on one item: one per item."""

    __tablename__ = "extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(sa.ForeignKey("progress.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_deadline: Mapped[date]
    status: Mapped[ExtensionStatus] = mapped_column(
        _enum(ExtensionStatus), default=ExtensionStatus.PENDING
    )
    requested_at: Mapped[datetime]
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    granted_deadline: Mapped[date | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    progress: Mapped[Progress] = relationship(back_populates="extension", lazy="raise")


PREVIEWABLE = ("application/pdf", "image/jpeg", "image/png")


class Evidence(db.Model):
    """A document (tài liệu kiểm chứng) behind a unit's progress: an uploaded file or a link."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(sa.ForeignKey("progress.id"), index=True)
    # Evidence of one finding of the item (still the item's: its quota, its count).
    finding_id: Mapped[int | None] = mapped_column(sa.ForeignKey("findings.id"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(_enum(EvidenceKind))
    file_name: Mapped[str] = mapped_column(sa.String(255), default="")
    stored_name: Mapped[str] = mapped_column(sa.String(100), default="")
    content_type: Mapped[str] = mapped_column(sa.String(100), default="")
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    url: Mapped[str] = mapped_column(sa.String(2000), default="")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    progress: Mapped[Progress] = relationship(back_populates="evidence", lazy="raise")
    created_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def label(self) -> str:
        return self.file_name if self.kind is EvidenceKind.FILE else self.url

    @property
    def previewable(self) -> bool:
        """Browsers show these inline: PDF and pictures."""
        return self.kind is EvidenceKind.FILE and self.content_type in PREVIEWABLE


class FindingAnswer(LabelledEnum):
    """How a unit answers one finding of the inspection."""

    FIXED = "fixed", "Đã khắc phục", "finding-fixed", "✓"
    NOT_FIXED = "not_fixed", "Chưa khắc phục được", "finding-not-fixed", "✗"


class FindingReview(LabelledEnum):
    APPROVED = "approved", "Đạt", "status-approved", "✓"
    RETURNED = "returned", "Yêu cầu bổ sung", "status-returned", "↩"


class FindingField(db.Model):
    """Lĩnh vực of a finding (công tác chỉ đạo điều hành, cải cách TTHC …): a list the
    administrator extends."""

    __tablename__ = "finding_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    position: Mapped[int] = mapped_column(default=0)


class Finding(db.Model):
    """One shortcoming (hạn chế, khuyết điểm) the inspection found in one unit, under the item
    of the task that orders it fixed: the unit answers it (fixed, with evidence; or not, with a
    reason) and Phòng Nội vụ reviews the answer. Withdrawn findings are kept, not shown."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(sa.ForeignKey("progress.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20), default="")
    text: Mapped[str] = mapped_column(sa.Text)
    field_id: Mapped[int | None] = mapped_column(sa.ForeignKey("finding_fields.id"))
    deadline: Mapped[date | None]
    position: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    answer: Mapped[FindingAnswer | None] = mapped_column(_enum(FindingAnswer))
    answer_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review: Mapped[FindingReview | None] = mapped_column(_enum(FindingReview))
    review_comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime]

    field: Mapped[FindingField | None] = relationship(lazy="raise")
    item: Mapped[Progress] = relationship(lazy="raise")
    evidence: Mapped[list[Evidence]] = relationship(order_by="Evidence.id", lazy="raise",
                                                    viewonly=True)
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="raise")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="raise")

    @property
    def fixed(self) -> bool:
        return self.answer is FindingAnswer.FIXED


class Message(db.Model):
    """One message of an item's conversation (Trao đổi) between its unit and Phòng Nội vụ, with
    an optional file kept as evidence files are but never counted as evidence. Kept as written:
    never edited; its writer may delete it within MESSAGE_DELETE_MINUTES. It does not move the
    directive's revision: the matrix does not show conversations."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(sa.ForeignKey("progress.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    file_name: Mapped[str] = mapped_column(sa.String(255), default="")
    stored_name: Mapped[str] = mapped_column(sa.String(100), default="")
    content_type: Mapped[str] = mapped_column(sa.String(100), default="")
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime]

    author: Mapped[User] = relationship(lazy="raise")


class MessageRead(db.Model):
    """How far a user has read an item's conversation: the newest message they were shown."""

    __tablename__ = "message_reads"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    progress_id: Mapped[int] = mapped_column(
        sa.ForeignKey("progress.id", ondelete="CASCADE"), primary_key=True
    )
    last_message_id: Mapped[int] = mapped_column(default=0)


class AuditEvent(db.Model):
    """Who did what, when, with the state before and after."""

    __tablename__ = "audit_events"
    # The filters of the audit log's page (portal/admin/audit/queries.py), each read newest first
    # through its index: a person, a unit, a kind of event, a target (a directive's events).
    __table_args__ = (
        sa.Index("ix_audit_events_username_id", "username", "id"),
        sa.Index("ix_audit_events_unit_id_id", "unit_id", "id"),
        sa.Index("ix_audit_events_action_id", "action", "id"),
        sa.Index("ix_audit_events_target", "target_type", "target_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(sa.String(80), default="")
    action: Mapped[str] = mapped_column(sa.String(50))
    target_type: Mapped[str] = mapped_column(sa.String(50), default="")
    target_id: Mapped[int | None]
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    # The chain that makes the log tamper-evident (portal/audit.py): the hash of the event before
    # and this event's own, filled in when its transaction commits.
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))


# What of a unit the matrix shows: a change to one of them moves the revision of every directive
# reaching the unit.
_UNIT_SHOWN = ("name", "short_name", "kind", "area_id")


@sa.event.listens_for(Session, "after_flush")
def _count_directive_changes(session: Session, _context) -> None:
    """Every flush that touches items, evidence, extensions or tasks moves their directive's
    revision on and stamps its time, in the same transaction: the matrix's change counter cannot
    be forgotten. Each unit whose items changed keeps the revision it changed at
    (`MatrixUnitChange`), so that the matrix reads anew only the rows that changed. What the
    matrix shows of units and areas moves the revision too, without the time (the directive's
    items did not change), and has every row read anew: a unit renamed or moved to another
    area, the directives reaching it; any area added, renamed, moved or deleted (its name, its
    place in the tree and the filter's list of areas are in every matrix grouped by area), the
    directives reaching a unit in an area. So every cache keyed by revision (the matrix's
    fragments, index and rows, its polls, the JSON view's ETag) is out of date at once."""
    pairs: set[tuple[int, int]] = set()  # (task, unit) of the items changed
    progress_ids: set[int] = set()
    directive_ids: set[int] = set()
    unit_ids: set[int] = set()
    areas_changed = False
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Progress):
            pairs.add((obj.task_id, obj.unit_id))
        elif isinstance(obj, Evidence | Extension | Finding):
            progress_ids.add(obj.progress_id)
        elif isinstance(obj, Task):
            directive_ids.add(obj.directive_id)
        elif isinstance(obj, Area):
            areas_changed = True
        elif isinstance(obj, Unit) and obj in session.dirty:  # a new unit is in no directive
            state = sa.inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in _UNIT_SHOWN):
                unit_ids.add(obj.id)
    if unit_ids or areas_changed:
        _move_directives_reaching(session, unit_ids, areas_changed)
    if not (pairs or progress_ids or directive_ids):
        return
    connection = session.connection()
    tasks, progress = Task.__table__, Progress.__table__
    if progress_ids:
        pairs |= {tuple(row) for row in connection.execute(
            sa.select(progress.c.task_id, progress.c.unit_id)
            .where(progress.c.id.in_(progress_ids)))}
    changed: set[tuple[int, int]] = {(directive_id, EVERY_UNIT) for directive_id in directive_ids}
    if pairs:
        directive_of = dict(connection.execute(
            sa.select(tasks.c.id, tasks.c.directive_id)
            .where(tasks.c.id.in_({task_id for task_id, _ in pairs}))).all())
        changed |= {(directive_of[task_id], unit_id) for task_id, unit_id in pairs
                    if task_id in directive_of}
        directive_ids |= set(directive_of.values())
    directives = Directive.__table__
    connection.execute(
        sa.update(directives)
        .where(directives.c.id.in_(directive_ids))
        .values(revision=directives.c.revision + 1,
                changed_at=datetime.now(UTC).replace(tzinfo=None))
    )
    _record_unit_changes(connection, changed)


# MatrixUnitChange's unit for a change to a directive's tasks: every row of its matrix.
EVERY_UNIT = 0


def _record_unit_changes(connection: sa.Connection, changed: set[tuple[int, int]]) -> None:
    """Each (directive, unit) of `changed` now at its directive's revision: one statement."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    directives, table = Directive.__table__, MatrixUnitChange.__table__
    statement = insert(table).values([
        {"directive_id": directive_id, "unit_id": unit_id,
         "revision": sa.select(directives.c.revision)
         .where(directives.c.id == directive_id).scalar_subquery()}
        for directive_id, unit_id in sorted(changed)])
    connection.execute(statement.on_conflict_do_update(
        index_elements=[table.c.directive_id, table.c.unit_id],
        set_={"revision": statement.excluded.revision}))


def _move_directives_reaching(session: Session, unit_ids: set[int], any_area: bool) -> None:
    """The revision of every directive reaching one of `unit_ids` or, `any_area`, a unit in an
    area moved on by one (its time left as it is), every row of its matrix to be read anew."""
    tasks, progress, units = Task.__table__, Progress.__table__, Unit.__table__
    directives = Directive.__table__
    wanted = progress.c.unit_id.in_(unit_ids) if unit_ids else sa.false()
    if any_area:
        wanted = sa.or_(wanted, progress.c.unit_id.in_(
            sa.select(units.c.id).where(units.c.area_id.is_not(None))))
    connection = session.connection()
    moved = set(connection.scalars(
        sa.select(tasks.c.directive_id).join(progress, progress.c.task_id == tasks.c.id)
        .where(wanted).distinct()))
    if not moved:
        return
    connection.execute(sa.update(directives).where(directives.c.id.in_(moved))
                       .values(revision=directives.c.revision + 1))
    _record_unit_changes(connection, {(directive_id, EVERY_UNIT) for directive_id in moved})


class LoginFailure(db.Model):
    """One failed login, counted per account (the name typed) and per address: the counter every
    server process shares, so that guessing passwords is slowed down (portal/auth/lockout.py)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        sa.Index("ix_login_failures_username_at", "username", "at"),
        sa.Index("ix_login_failures_ip_at", "ip", "at"),
        sa.Index("ix_login_failures_username_ip_at", "username", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    # As typed, lower-cased: an unknown name is counted like a real one and tells nothing.
    # None once that account has logged in: the failure then counts for its address only.
    username: Mapped[str | None] = mapped_column(sa.String(80))
    ip: Mapped[str] = mapped_column(sa.String(64))


class PasswordReset(db.Model):
    """One request of "Quên mật khẩu", kept an hour or more so that requests are limited per
    address (every request, whatever was typed) and per account (those that sent a link). A link
    was sent when `token_hash` is set: the SHA-256 of the link's token (the token itself is only
    in the mail), valid until `expires_at`, once (`used_at`) (portal/auth/resets.py)."""

    __tablename__ = "password_resets"
    __table_args__ = (
        sa.Index("ix_password_resets_ip_at", "ip", "at"),
        sa.Index("ix_password_resets_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    ip: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]


class Notification(db.Model):
    """Something a user is told in the portal (the bell): a deadline, a decision, a reminder.

    `group_key` lets like notifications be counted on one line while unread (items submitted by one
    unit); `dedupe_key` makes a notification that must exist once per user exist once (a
    reminder command run twice)."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key"),
        sa.Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # A path inside the portal ("/items/12"): where opening the notification leads.
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    progress_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("progress.id", ondelete="CASCADE"), index=True
    )
    directive_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("directives.id", ondelete="CASCADE")
    )
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    count: Mapped[int] = mapped_column(default=1)
    group_key: Mapped[str | None] = mapped_column(sa.String(200))
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class DeadlineReminder(db.Model):
    """A deadline reminder already given for an item: once per item, threshold and deadline, so
    that `flask remind` may run any number of times and a moved deadline is reminded afresh."""

    __tablename__ = "deadline_reminders"
    __table_args__ = (sa.UniqueConstraint("progress_id", "threshold", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(sa.ForeignKey("progress.id", ondelete="CASCADE"))
    # "7", "3", "1" days before, or "overdue".
    threshold: Mapped[str] = mapped_column(sa.String(10))
    deadline: Mapped[date]
    sent_at: Mapped[datetime]


class MailStatus(LabelledEnum):
    QUEUED = "queued", "Chờ gửi", "mail-queued"
    SENT = "sent", "Đã gửi", "mail-sent"
    FAILED = "failed", "Gửi không được", "mail-failed"


class MailMessage(db.Model):
    """One e-mail in the queue: written with the change that caused it, sent later by
    `flask send-mail`, so that a slow or absent mail server never holds up a request."""

    __tablename__ = "mail_messages"
    __table_args__ = (sa.Index("ix_mail_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[MailStatus] = mapped_column(_enum(MailStatus), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class ReportSettings(db.Model):
    """Who issues and signs the official report (portal/reports/official.py), as an administrator
    sets it: one row for the portal. The signature block reads, top to bottom, the authority line
    where the signer signs for someone ("KT. TRƯỞNG PHÒNG", "TM. ỦY BAN NHÂN DÂN"), the signer's
    title, room for the signature and seal, and the signer's name."""

    __tablename__ = "report_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    office: Mapped[str] = mapped_column(sa.String(200), default="PHÒNG NỘI VỤ")
    number_symbol: Mapped[str] = mapped_column(sa.String(40), default="BC-PNV")
    authority_line: Mapped[str] = mapped_column(sa.String(200), default="")
    signer_title: Mapped[str] = mapped_column(sa.String(200), default="TRƯỞNG PHÒNG")
    signer_name: Mapped[str] = mapped_column(sa.String(200), default="")
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class ScoringFormula(db.Model):
    """How Phòng Nội vụ scores units for the yearly evaluation (portal/overview/scoring.py): a
    weight for each of four shares of a unit's assigned items (done on time, done late, not
    overdue, never returned). One row for the portal; without it, PAR-Index's own rule (the
    share done on time: weights 1, 0, 0, 0). Each change is audited."""

    __tablename__ = "scoring_formulas"

    id: Mapped[int] = mapped_column(primary_key=True)
    on_time: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(1))
    late: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(0))
    overdue: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(0))
    returned: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(0))
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class MatrixFragment(db.Model):
    """A rendered matrix fragment shared by every server (portal/matrix/fragments.py): the newest
    of one slot (a directive, a day and the filters) with its revision, and the lease of the one
    render under way. Where REDIS_URL is set, Redis holds them instead."""

    __tablename__ = "matrix_fragments"

    slot: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    directive_id: Mapped[int] = mapped_column(index=True)  # no foreign key: a cache, swept
    revision: Mapped[int]
    html: Mapped[str | None] = mapped_column(sa.Text)
    made_by: Mapped[str | None] = mapped_column(sa.String(32))
    stored_at: Mapped[datetime]
    lease_token: Mapped[str | None] = mapped_column(sa.String(32))
    lease_until: Mapped[datetime | None]


class MatrixUnitChange(db.Model):
    """The revision of its directive at which a unit's items last changed (`EVERY_UNIT`: the
    directive's tasks): a matrix kept at an older revision reads again only the units changed
    since (portal/matrix/model.py). Written by every flush that moves the revision."""

    __tablename__ = "matrix_unit_changes"

    directive_id: Mapped[int] = mapped_column(primary_key=True)  # no foreign keys: a cache's
    unit_id: Mapped[int] = mapped_column(primary_key=True)  # index, like matrix_fragments
    revision: Mapped[int]


class LetterReadStatus(LabelledEnum):
    QUEUED = "queued", "Đang chờ đọc", "read-queued"
    READING = "reading", "Đang đọc", "read-reading"
    DONE = "done", "Đã đọc xong", "read-done"
    FAILED = "failed", "Không đọc được", "read-failed"


class LetterRead(db.Model):
    """An uploaded letter's file read outside the request that brought it (a PDF, a scan, a
    .doc): by `flask read-letter ID`, a process the upload starts (portal/directives/
    letter_reads.py). The page of the upload polls it for its pages read; when done it points at
    the draft made of it and keeps what the file said of itself (its format, pages, digital
    signatures) for the draft's page. The file's bytes are dropped as soon as it is read."""

    __tablename__ = "letter_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    # The code asked for on the upload's form ("": made from the letter's title).
    slug: Mapped[str] = mapped_column(sa.String(80), default="")
    data: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    status: Mapped[LetterReadStatus] = mapped_column(_enum(LetterReadStatus),
                                                     default=LetterReadStatus.QUEUED)
    # "pdf" (its text layer), "scan" (OCR of a PDF or an image), "doc"; known once read.
    source: Mapped[str] = mapped_column(sa.String(20), default="")
    pages: Mapped[int] = mapped_column(default=0)
    pages_done: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    signatures: Mapped[list] = mapped_column(sa.JSON, default=list)
    directive_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("directives.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
