"""Demo data: the units of Sa Đéc city, the 2023 letter, the people of each unit (its head and one
to three officers), one account for each other role, and optionally a believable spread of
progress so that a first look shows a living city."""

from __future__ import annotations

import io
import random
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from .auth.passwords import hash_password
from .directives.loader import SA_DEC_2023, load_directive
from .extensions import db
from .items import actions, assignment, findings
from .items import decisions as review
from .models import (
    Assignment,
    Finding,
    FindingField,
    Measure,
    Progress,
    ProgressStatus,
    Role,
    Task,
    TaskKind,
    Unit,
    UnitKind,
    UnitPosition,
    User,
)
from .talk import actions as talk

UNITS: list[tuple[UnitKind, str, str]] = [
    (UnitKind.OFFICE, "Văn phòng HĐND và UBND", "VP HĐND-UBND"),
    (UnitKind.OFFICE, "Phòng Nội vụ", "Nội vụ"),
    (UnitKind.OFFICE, "Phòng Tư pháp", "Tư pháp"),
    (UnitKind.OFFICE, "Phòng Tài chính - Kế hoạch", "TC-KH"),
    (UnitKind.OFFICE, "Phòng Văn hóa và Thông tin", "VH-TT"),
    (UnitKind.OFFICE, "Phòng Lao động - Thương binh và Xã hội", "LĐ-TB&XH"),
    (UnitKind.OFFICE, "Phòng Tài nguyên và Môi trường", "TN-MT"),
    (UnitKind.OFFICE, "Phòng Kinh tế", "Kinh tế"),
    (UnitKind.OFFICE, "Phòng Quản lý đô thị", "QLĐT"),
    (UnitKind.OFFICE, "Phòng Giáo dục và Đào tạo", "GD-ĐT"),
    (UnitKind.OFFICE, "Phòng Y tế", "Y tế"),
    (UnitKind.OFFICE, "Thanh tra Thành phố", "Thanh tra"),
    (UnitKind.SERVICE, "Trung tâm Văn hóa - Thể thao và Truyền thanh", "TT VH-TT-TT"),
    (UnitKind.SERVICE, "Ban Quản lý dự án đầu tư xây dựng", "BQLDA"),
    (UnitKind.SERVICE, "Trung tâm Dịch vụ nông nghiệp", "TT DVNN"),
    (UnitKind.COMMUNE, "Phường 1", "P1"),
    (UnitKind.COMMUNE, "Phường 2", "P2"),
    (UnitKind.COMMUNE, "Phường 3", "P3"),
    (UnitKind.COMMUNE, "Phường 4", "P4"),
    (UnitKind.COMMUNE, "Phường An Hòa", "An Hòa"),
    (UnitKind.COMMUNE, "Phường Tân Quy Đông", "Tân Quy Đông"),
    (UnitKind.COMMUNE, "Xã Tân Khánh Đông", "Tân Khánh Đông"),
    (UnitKind.COMMUNE, "Xã Tân Quy Tây", "Tân Quy Tây"),
    (UnitKind.COMMUNE, "Xã Tân Phú Đông", "Tân Phú Đông"),
]

# Accounts that are not one unit's staff: (username, role, unit name or None, full name).
STAFF_ACCOUNTS = [
    ("noivu.duyet", Role.REVIEWER, "Phòng Nội vụ", "Chuyên viên Phòng Nội vụ"),
    ("lanhdao", Role.LEADER, None, "Lãnh đạo UBND Thành phố"),
    ("quantri", Role.ADMIN, None, "Quản trị hệ thống"),
]


# Demo user names for units whose name is long: the abbreviation the city's offices write (TC-KH,
# LĐ-TB&XH …), so that every demo account is short enough to type.
SHORT_USERNAMES = {
    "Văn phòng HĐND và UBND": "vanphong",
    "Phòng Tài chính - Kế hoạch": "phongtckh",
    "Phòng Văn hóa và Thông tin": "phongvhtt",
    "Phòng Lao động - Thương binh và Xã hội": "phongldtbxh",
    "Phòng Tài nguyên và Môi trường": "phongtnmt",
    "Phòng Quản lý đô thị": "phongqldt",
    "Phòng Giáo dục và Đào tạo": "phonggddt",
    "Thanh tra Thành phố": "thanhtra",
    "Trung tâm Văn hóa - Thể thao và Truyền thanh": "ttvhttt",
    "Ban Quản lý dự án đầu tư xây dựng": "bqlda",
    "Trung tâm Dịch vụ nông nghiệp": "ttdvnn",
}


def username_for(unit_name: str) -> str:
    """phuong1, phongtuphap, xatankhanhdong: the unit's name without marks or spaces, or its
    short name from SHORT_USERNAMES (phongtckh, ttvhttt)."""
    if unit_name in SHORT_USERNAMES:
        return SHORT_USERNAMES[unit_name]
    text = unit_name.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


# How many officers each unit has, in the order of UNITS, round and round: one to three.
OFFICERS_PER_UNIT = (2, 1, 3)

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
                "Ngô", "Dương", "Lý", "Phan", "Trương", "Lâm")
MIDDLE_NAMES = {"m": ("Văn", "Minh", "Hữu", "Quốc", "Thanh", "Công"),
                "f": ("Thị", "Ngọc", "Thu", "Kim", "Thanh", "Bích")}
GIVEN_NAMES = {"m": ("Hùng", "Dũng", "Phúc", "Tài", "Khoa", "Tâm", "Long", "Nghĩa", "Trung",
                     "Hải", "Bình", "Sơn", "Lộc", "Thành"),
               "f": ("Lan", "Hạnh", "Trang", "Mai", "Thảo", "Nhung", "Yến", "Phương", "Linh",
                     "Hương", "Diễm", "Ngân", "Tuyết", "Loan")}


def people_names(count: int, seed_value: int = 2023) -> list[str]:
    """`count` different Vietnamese full names, the same ones on every run: 'Trần Thị Hạnh'."""
    rng = random.Random(seed_value)
    names: list[str] = []
    while len(names) < count:
        sex = rng.choice("mf")
        name = " ".join((rng.choice(FAMILY_NAMES), rng.choice(MIDDLE_NAMES[sex]),
                         rng.choice(GIVEN_NAMES[sex])))
        if name not in names:
            names.append(name)
    return names


def head_title(unit: Unit) -> str:
    """How the head of a demo unit signs: Chánh Văn phòng, Trưởng phòng, Giám đốc, Chủ tịch
    UBND phường."""
    if unit.name.startswith("Văn phòng"):
        return "Chánh Văn phòng"
    if unit.name.startswith("Thanh tra"):
        return "Chánh Thanh tra"
    if unit.kind is UnitKind.SERVICE:
        return "Trưởng ban" if unit.name.startswith("Ban") else "Giám đốc"
    if unit.kind is UnitKind.COMMUNE:
        return f"Chủ tịch UBND {unit.name.split()[0].lower()}"
    return "Trưởng phòng"


# An officer's title by the kind of their unit.
OFFICER_TITLES = {UnitKind.OFFICE: "Chuyên viên", UnitKind.SERVICE: "Viên chức",
                  UnitKind.COMMUNE: "Công chức Văn phòng - Thống kê"}


def unit_people(units: list[Unit], password_hash: str) -> tuple[list[User], list[User]]:
    """Each unit's head, whose user name is the unit's (phuong1), and its officers (phuong1.cb1,
    phuong1.cb2 …): (heads, officers)."""
    counts = [OFFICERS_PER_UNIT[n % len(OFFICERS_PER_UNIT)] for n in range(len(units))]
    names = iter(people_names(len(units) + sum(counts)))
    heads, officers = [], []
    for unit, count in zip(units, counts, strict=True):
        username = username_for(unit.name)
        heads.append(User(username=username, full_name=next(names), password_hash=password_hash,
                          role=Role.UNIT, position=UnitPosition.HEAD, unit_id=unit.id,
                          title=head_title(unit)))
        officers += [
            User(username=f"{username}.cb{n}", full_name=next(names),
                 password_hash=password_hash, role=Role.UNIT, position=UnitPosition.OFFICER,
                 unit_id=unit.id, title=OFFICER_TITLES[unit.kind])
            for n in range(1, count + 1)
        ]
    return heads, officers


def account_line(user: User) -> str:
    """How seed-demo lists an account: 'phuong1<TAB>head<TAB>Phường 1'; a unit's people by their
    place in it (head, officer), everyone else by their role."""
    role = user.position.value if user.position else user.role.value
    return f"{user.username}\t{role}\t{user.unit.name if user.unit else ''}"


def is_empty() -> bool:
    return db.session.scalar(select(Unit.id).limit(1)) is None


def seed(password: str, sample_progress: bool = False) -> list[User]:
    """Load units, the Sa Đéc letter and demo accounts into an empty database; commit."""
    units = {}
    for position, (kind, name, short) in enumerate(UNITS):
        units[name] = Unit(name=name, short_name=short, kind=kind, position=position)
        db.session.add(units[name])
    db.session.flush()

    password_hash = hash_password(password)  # one hash for every account: seeding stays quick
    heads, officers = unit_people(list(units.values()), password_hash)
    # Heads first: each is the first account of its unit, as the migration that made heads has it.
    db.session.add_all(heads)
    db.session.flush()
    others = [
        User(username=username, full_name=full_name, password_hash=password_hash, role=role,
             unit_id=units[unit_name].id if unit_name else None)
        for username, role, unit_name, full_name in STAFF_ACCOUNTS
    ]
    db.session.add_all(officers + others)
    load_directive(SA_DEC_2023)
    findings.ensure_fields()
    db.session.commit()
    by_unit = {unit.id: [] for unit in units.values()}
    for user in heads + officers:
        by_unit[user.unit_id].append(user)
    users = [user for people in by_unit.values() for user in people] + others
    if sample_progress:
        reviewer = next(u for u in users if u.role is Role.REVIEWER)
        findings_sample(reviewer)
        fill_sample_progress(by_unit)
        review_sample(reviewer)
        talk_sample(reviewer)
    return users


# Made-up findings of the demo's inspection, each with its field's position (finding_fields).
SAMPLE_FINDINGS = [
    ("Chưa ban hành kế hoạch kiểm tra CCHC nội bộ năm 2023.", 1),
    ("Chưa xây dựng kế hoạch nhân rộng mô hình, cách làm hay về CCHC.", 1),
    ("Chưa rà soát, đánh giá văn bản quy phạm pháp luật do địa phương ban hành.", 2),
    ("Chưa niêm yết đầy đủ TTHC tại Bộ phận tiếp nhận và trả kết quả.", 3),
    ("Còn hồ sơ giải quyết trễ hạn trên Hệ thống thông tin một cửa điện tử.", 3),
    ("Chưa cập nhật danh sách vị trí việc làm theo quy định mới.", 4),
    ("Chưa thực hiện đánh giá, xếp loại công chức theo đúng thời hạn.", 5),
    ("Chưa công khai dự toán ngân sách trên Trang thông tin điện tử.", 6),
    ("Tỷ lệ văn bản điện tử ký số còn thấp so với chỉ tiêu.", 7),
    ("Tỷ lệ số hoá hồ sơ, kết quả giải quyết TTHC chưa đạt.", 7),
]


def findings_sample(reviewer: User, seed_value: int = 2023) -> None:
    """Phòng Nội vụ records 3–6 findings for each inspected unit, under its task 1.1."""
    rng = random.Random(seed_value)
    field_ids = dict(db.session.execute(select(FindingField.position, FindingField.id)).all())
    items = db.session.scalars(
        select(Progress.id).join(Task, Task.id == Progress.task_id)
        .where(Task.code == "1.1", Progress.hidden.is_(False)).order_by(Progress.id)
    ).all()
    for item_id in items:
        for n, (words, field) in enumerate(rng.sample(SAMPLE_FINDINGS, rng.randint(3, 6)),
                                           start=1):
            findings.add(_load(item_id), reviewer, f"HC{n}", words, field_ids.get(field), None)


def answer_sample_findings(item: Progress, user: User, rng: random.Random) -> None:
    """The unit answers its findings: most fixed with a file, the rest explained."""
    for finding in item.findings:
        if rng.random() < 0.7:
            upload = FileStorage(io.BytesIO(sample_pdf(f"{finding.code} {item.unit_id}")),
                                 filename=f"Khắc phục {finding.code}.pdf")
            actions.add_file(_load(item.id), user, upload, finding_id=finding.id)
            findings.answer(_load(item.id), _finding(finding.id), user, True,
                            "Đã khắc phục, có văn bản kèm theo.")
        else:
            findings.answer(_load(item.id), _finding(finding.id), user, False,
                            "Chờ kinh phí nâng cấp phần mềm, dự kiến hoàn thành quý IV.")


def fill_sample_progress(people_by_unit: dict[int, list[User]], seed_value: int = 2023) -> None:
    """Work done by the units, through the same actions a user takes, so it is audited too: the
    head hands most items to an officer, who works them and sends finished ones up; the head
    sends most of those on to Phòng Nội vụ and leaves a few waiting for sign-off."""
    rng = random.Random(seed_value)
    for item_id in db.session.scalars(select(Progress.id).order_by(Progress.id)).all():
        item = _load(item_id)
        people = people_by_unit[item.unit_id]
        head = next((u for u in people if u.position is UnitPosition.HEAD), people[0])
        officers = [u for u in people if u.position is UnitPosition.OFFICER] or [head]
        task, user = item.task, rng.choice(officers)
        roll = rng.random()
        if roll < 0.1:
            continue
        assignment.assign(item, head, [user.id], None,
                          rng.choice(SAMPLE_ASSIGN_NOTES) if roll < 0.4 else "")
        if roll < 0.25:
            continue
        if task.measure is Measure.PERCENT:
            total = rng.randint(40, 400)
            figures = {"numerator": rng.randint(total * 6 // 10, total), "denominator": total}
        elif task.measure is Measure.COUNT:
            figures = {"quantity": rng.choice([0, 0, 1, 2, 3, 5])}
        else:
            figures = {}
        actions.save(item, user, rng.choice(SAMPLE_NOTES), figures)
        if task.kind in (TaskKind.REPORT, TaskKind.DOCUMENT) or rng.random() < 0.4:
            upload = FileStorage(io.BytesIO(sample_pdf(f"{task.code} {item.unit_id}")),
                                 filename=f"{task.code} - {task.title[:60]}.pdf")
            actions.add_file(item, user, upload)
        if task.code == "1.2":
            actions.add_link(item, user, f"https://sadec.dongthap.gov.vn/tin-cchc-{item.id}")
        if roll > 0.6:
            item = _load(item_id)
            answer_sample_findings(item, user, rng)
            item = _load(item_id)
            if not actions.missing_for_submission(item):
                reason = rng.choice(SAMPLE_LATE_REASONS)
                if user is head:
                    actions.submit(item, head, late_reason=reason)
                    continue
                actions.send_up(item, user, late_reason=reason)
                if rng.random() < 0.85:
                    actions.submit(_load(item_id), head)


def talk_sample(reviewer: User, count: int = 6) -> None:
    """A few conversations: Phòng Nội vụ asks about items it returned, the officer answers."""
    returned = db.session.scalars(
        select(Progress.id).where(Progress.status == ProgressStatus.RETURNED)
        .order_by(Progress.id).limit(count)
    ).all()
    for item_id in returned:
        item = _load(item_id)
        answerer = item.assignment.officers[0] if item.assignment else None
        talk.write(item, reviewer, "Đề nghị đơn vị gửi kèm văn bản có chữ ký số; bản chụp "
                                   "chưa đọc được số, ký hiệu.", None)
        if answerer is not None:
            talk.write(_load(item_id), answerer, "Dạ, đơn vị đang xin chữ ký số của lãnh đạo, "
                                                 "sẽ bổ sung trong tuần này.", None)


def review_sample(reviewer: User, seed_value: int = 2023) -> None:
    """Phòng Nội vụ has gone through part of what was sent: most approved, some returned."""
    rng = random.Random(seed_value)
    submitted = db.session.scalars(
        select(Progress.id).where(Progress.status == ProgressStatus.SUBMITTED)
        .order_by(Progress.id)
    ).all()
    for item_id in submitted:
        roll = rng.random()
        if roll < 0.55:
            review.approve(_load(item_id), reviewer)
        elif roll < 0.7:
            item = _load(item_id)
            if item.findings:  # one finding returned returns its item
                findings.review(item, _finding(item.findings[-1].id), reviewer, False,
                                "Nêu rõ lộ trình và thời hạn khắc phục.")
            else:
                review.return_for_more(item, reviewer, rng.choice(SAMPLE_RETURNS))


def _finding(finding_id: int) -> Finding:
    return db.session.scalars(select(Finding).options(selectinload(Finding.evidence))
                              .where(Finding.id == finding_id)
                              .execution_options(populate_existing=True)).one()


def _load(item_id: int) -> Progress:
    return db.session.scalars(
        select(Progress)
        .options(selectinload(Progress.task).selectinload(Task.directive),
                 selectinload(Progress.evidence),
                 selectinload(Progress.extension),
                 selectinload(Progress.assignment).selectinload(Assignment.officers),
                 selectinload(Progress.findings).selectinload(Finding.evidence))
        .where(Progress.id == item_id)
        .execution_options(populate_existing=True)
    ).one()


SAMPLE_ASSIGN_NOTES = [
    "Phối hợp bộ phận một cửa lấy số liệu, trình trước 2 ngày.",
    "Dự thảo báo cáo, gửi lại để xem trước khi trình ký.",
]

SAMPLE_RETURNS = [
    "Đề nghị bổ sung văn bản có chữ ký số của Thủ trưởng đơn vị.",
    "Số liệu chưa khớp với Hệ thống thông tin một cửa điện tử; đề nghị rà soát lại.",
]

SAMPLE_LATE_REASONS = [
    "Đơn vị chờ số liệu từ Hệ thống một cửa điện tử nên gửi chậm.",
    "Cán bộ phụ trách đi tập huấn, đơn vị đã khắc phục và gửi ngay khi trở về.",
]

SAMPLE_NOTES = [
    "Đã triển khai đến toàn thể công chức, viên chức của đơn vị.",
    "Đã thực hiện, đang tổng hợp số liệu để báo cáo.",
    "Đã đăng tải tin bài, cập nhật đầy đủ trên Trang thông tin điện tử.",
    "Đã rà soát, chấn chỉnh; tiếp tục theo dõi hằng tuần.",
    "Đang phối hợp với Phòng Văn hóa và Thông tin khắc phục lỗi phần mềm.",
]


def sample_pdf(label: str) -> bytes:
    """A small, valid one-page PDF with an ASCII label."""
    text = "".join(ch for ch in label if ch.isascii() and ch not in "()\\")
    return pdf_with_stream(f"BT /F1 18 Tf 72 760 Td (Tai lieu kiem chung {text}) Tj ET".encode())


def pdf_with_stream(stream: bytes) -> bytes:
    """A one-page PDF whose page content stream is `stream`, uncompressed, Helvetica."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()
