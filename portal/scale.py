"""A made-up province or country of any size, for trying the portal at scale (`flask seed-scale`):
departments (Sở …) and communes and wards (UBND xã/phường …) grouped into areas (former districts
of a province, or the provinces of the country), one published directive whose tasks reach every
unit, and a believable spread of work: not started, in progress with evidence, sent for review,
approved, returned, overdue.

Everything is written with Core inserts of many rows per statement (on an empty database, with ids
chosen here, so that no row has to be read back); the accounts share one password hash.
"""

from __future__ import annotations

import enum
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product

from sqlalchemy import func, insert, select, text

from .auth.passwords import hash_password
from .deadlines import today
from .demo import people_names, username_for
from .extensions import db
from .items import findings
from .models import (
    Area,
    Directive,
    DirectiveStatus,
    Evidence,
    EvidenceKind,
    Measure,
    Progress,
    ProgressStatus,
    Role,
    Section,
    Task,
    TaskKind,
    Unit,
    UnitKind,
    UnitPosition,
    User,
)

# A database with more units than this is a country: its areas are provinces.
COUNTRY_FROM = 400
# Rows per INSERT statement: well under PostgreSQL's 65,535 parameters for the widest table.
BATCH = 2000
# Accounts for the first units only beyond this many (each unit's head, and an officer of some).
HEADS_MAX = 5000
OFFICERS_MAX = 200

PROVINCES = (
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ",
    "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi",
    "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh",
    "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
)
CITIES = {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}
DEPARTMENTS = (
    "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Công Thương", "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường", "Sở Giáo dục và Đào tạo", "Sở Y tế",
    "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo",
    "Thanh tra tỉnh", "Văn phòng UBND tỉnh", "Ban Quản lý các khu công nghiệp",
    "Trung tâm Phục vụ hành chính công", "Đài Phát thanh và Truyền hình",
)
# Syllables of place names, combined two or three at a time into names that read as real ones.
SYLLABLES = (
    "An", "Bình", "Hòa", "Phú", "Tân", "Long", "Thạnh", "Mỹ", "Hưng", "Phước", "Thuận", "Đông",
    "Tây", "Nam", "Bắc", "Lợi", "Thới", "Hiệp", "Khánh", "Lộc", "Vĩnh", "Trung", "Hội", "Xuân",
    "Thành", "Quang", "Đức", "Sơn", "Hà", "Lâm", "Định", "Hải", "Phong", "Nghĩa", "Thắng",
    "Tiến", "Minh", "Cường", "Điền", "Hậu",
)
TASK_TITLES = (
    ("Báo cáo kết quả khắc phục hạn chế theo Báo cáo kiểm tra CCHC", TaskKind.REPORT, None),
    ("Tuyên truyền CCHC trên Trang thông tin điện tử", TaskKind.ACTION, None),
    ("Kế hoạch nhân rộng mô hình hay, cách làm mới trong CCHC", TaskKind.DOCUMENT, None),
    ("Giải quyết TTHC đúng quy trình một cửa, một cửa liên thông", TaskKind.ACTION, None),
    ("Tỷ lệ ký số văn bản điện tử trên iDesk", TaskKind.METRIC, Measure.PERCENT),
    ("Cập nhật TTHC tại Bộ phận Một cửa", TaskKind.ACTION, None),
    ("Hồ sơ trễ hạn còn lại trên Hệ thống một cửa điện tử", TaskKind.METRIC, Measure.COUNT),
    ("Tuyên truyền, hướng dẫn sử dụng dịch vụ công trực tuyến", TaskKind.ACTION, None),
    ("Tỷ lệ số hoá hồ sơ, kết quả giải quyết TTHC", TaskKind.METRIC, Measure.PERCENT),
    ("Tự kiểm tra nội bộ về CCHC và báo cáo kết quả", TaskKind.REPORT, None),
    ("Rà soát, công khai quy chế chi tiêu nội bộ", TaskKind.DOCUMENT, None),
    ("Tỷ lệ cài phần mềm chống mã độc", TaskKind.METRIC, Measure.PERCENT),
)
# The spread of states, as shares of the items (the rest are not started).
SPREAD = ((ProgressStatus.APPROVED, 0.34), (ProgressStatus.SUBMITTED, 0.14),
          (ProgressStatus.RETURNED, 0.05), (ProgressStatus.IN_PROGRESS, 0.22))


class NotEmpty(Exception):
    """The database already holds data."""


@dataclass
class Scale:
    units: int
    tasks: int
    areas: int
    password: str
    seed: int = 2026


def default_areas(units: int) -> int:
    """The areas a database of this many units is grouped into when not told: the provinces of a
    country, else a province's former districts (about a dozen communes each)."""
    if units > COUNTRY_FROM:
        return len(PROVINCES)
    return max(1, units // 12)


def is_empty() -> bool:
    return all(db.session.scalar(select(model.id).limit(1)) is None
               for model in (Unit, User, Directive, Area))


def place_names(count: int, rng: random.Random) -> list[str]:
    """`count` different place names of two syllables, then three: 'Tân Phú', 'Long Hòa Đông'."""
    pairs = [" ".join(p) for p in product(SYLLABLES, repeat=2) if p[0] != p[1]]
    rng.shuffle(pairs)
    names = pairs[:count]
    if len(names) < count:
        triples = [" ".join(p) for p in product(SYLLABLES, repeat=3) if len(set(p)) == 3]
        rng.shuffle(triples)
        names += triples[:count - len(names)]
    return names


def _insert(model, rows: list[dict]) -> None:
    """Many rows at once: PostgreSQL's COPY, elsewhere Core inserts of BATCH rows a statement."""
    if not rows:
        return
    if db.engine.dialect.name == "postgresql":
        _copy(model.__tablename__, rows)
        return
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def _copy(table: str, rows: list[dict]) -> None:
    """COPY … FROM STDIN through psycopg, in the session's transaction; an enum as its stored
    value (the portal's enums are stored as their text)."""
    columns = list(rows[0])
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([value.value if isinstance(value, enum.Enum) else value
                            for value in row.values()])


def _advance_sequences(*models) -> None:
    """Rows inserted with their ids leave PostgreSQL's sequences behind; move them on."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"))


def build(scale: Scale) -> list[tuple[str, str, str]]:
    """Write the made-up province or country and commit; the accounts, as (username, role or
    place in the unit, unit name) for `seed-scale` to print."""
    if not is_empty():
        raise NotEmpty
    rng = random.Random(scale.seed)
    country = scale.units > COUNTRY_FROM
    area_names = _area_names(scale.areas, country, rng)
    areas = [{"id": n, "name": name, "parent_id": None, "position": n, "path": f"/{n}/",
              "depth": 0} for n, name in enumerate(area_names, start=1)]
    _insert(Area, areas)

    units = _units(scale, country, rng)
    _insert(Unit, units)

    password_hash = hash_password(scale.password)  # once: every account shares it
    accounts, users = _accounts(units, password_hash)
    _insert(User, users)

    directive_id, tasks = _directive(scale, rng)
    evidence_rows = _progress(units, tasks, users, rng)
    _insert(Evidence, evidence_rows)
    db.session.execute(
        Directive.__table__.update().where(Directive.id == directive_id)
        .values(revision=1, changed_at=datetime.now(UTC).replace(tzinfo=None)))
    _advance_sequences(Area, Unit, User, Directive, Section, Task, Progress, Evidence)
    findings.ensure_fields()
    db.session.commit()
    _analyze()
    return accounts


def _analyze() -> None:
    """PostgreSQL's statistics of the tables just filled, as after any bulk load: without them
    (autovacuum gathers them only later, or never where it is off) the planner takes the 99,630
    items of a country for a few hundred, and the dashboard's grouped reads walk the table
    through its index once per task (0.8 s of statements instead of 0.3 s)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _area_names(count: int, country: bool, rng: random.Random) -> list[str]:
    if country:
        known = [f"{'Thành phố' if p in CITIES else 'Tỉnh'} {p}" for p in PROVINCES]
        extra = [f"Tỉnh {name}" for name in place_names(max(0, count - len(known)), rng)]
        return (known + extra)[:count]
    kinds = ("Huyện", "Huyện", "Huyện", "Thị xã", "Thành phố")
    return [f"{kinds[n % len(kinds)]} {name} (cũ)"
            for n, name in enumerate(place_names(count, rng))]


def _units(scale: Scale, country: bool, rng: random.Random) -> list[dict]:
    """The departments (first, with the home-affairs one that reviews) and the communes, spread
    over the areas in turn. A country's departments are the ministry's own offices."""
    offices = ["Vụ Cải cách hành chính"] if country else list(
        DEPARTMENTS[:min(len(DEPARTMENTS), max(1, scale.units // 8))])
    offices = offices[:scale.units]
    communes = scale.units - len(offices)
    rows = [{"id": n, "name": name, "short_name": "", "kind": UnitKind.OFFICE, "position": n,
             "active": True, "area_id": None}
            for n, name in enumerate(offices, start=1)]
    for n, name in enumerate(place_names(communes, rng), start=len(rows) + 1):
        prefix = "Phường" if rng.random() < 0.3 else "Xã"
        rows.append({"id": n, "name": f"{prefix} {name}", "short_name": name,
                     "kind": UnitKind.COMMUNE, "position": n, "active": True,
                     "area_id": (n % scale.areas) + 1 if scale.areas else None})
    return rows


def _accounts(units: list[dict], password_hash: str) -> tuple[list[tuple], list[dict]]:
    """Two reviewers of the home-affairs unit, a leader, an administrator, each unit's head (the
    first HEADS_MAX units) and an officer of the first OFFICERS_MAX."""
    home = units[0]
    heads = units[:HEADS_MAX]
    officers = units[:OFFICERS_MAX]
    names = iter(_many_names(len(heads) + len(officers) + 4))
    taken: set[str] = set()
    rows: list[dict] = []
    accounts: list[tuple] = []

    def add(username: str, role: Role, unit: dict | None, position: UnitPosition | None,
            title: str) -> None:
        base, n = username, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        rows.append({"id": len(rows) + 1, "username": username, "full_name": next(names),
                     "password_hash": password_hash, "role": role,
                     "unit_id": unit["id"] if unit else None, "position": position,
                     "title": title, "active": True, "session_token": f"{len(rows) + 1:064x}"})
        accounts.append((username, position.value if position else role.value,
                         unit["name"] if unit else ""))

    add("noivu.duyet", Role.REVIEWER, home, None, "Chuyên viên")
    add("noivu.duyet2", Role.REVIEWER, home, None, "Chuyên viên")
    add("lanhdao", Role.LEADER, None, None, "Chủ tịch UBND")
    add("quantri", Role.ADMIN, None, None, "")
    for unit in heads:
        title = "Chủ tịch UBND" if unit["kind"] is UnitKind.COMMUNE else "Giám đốc"
        add(username_for(unit["name"]), Role.UNIT, unit, UnitPosition.HEAD, title)
    for unit in officers:
        add(f"{username_for(unit['name'])}.cb1", Role.UNIT, unit, UnitPosition.OFFICER,
            "Chuyên viên")
    return accounts, rows


def _many_names(count: int) -> list[str]:
    """Full names for many accounts: different ones up to 600, then repeating, as real names do
    across a country."""
    different = people_names(min(count, 600), seed_value=2026)
    return [different[n % len(different)] for n in range(count)]


def _directive(scale: Scale, rng: random.Random) -> tuple[int, list[dict]]:
    on = today()
    published = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=40)
    db.session.execute(insert(Directive), [{
        "id": 1, "slug": f"cchc-{on.year}", "number": "125/KH-UBND", "year": on.year,
        "issuer": "UBND tỉnh" if scale.units <= COUNTRY_FROM else "Bộ Nội vụ",
        "title": f"Kế hoạch khắc phục hạn chế qua kiểm tra CCHC năm {on.year}",
        "subject": "V/v khắc phục hạn chế qua kiểm tra công tác cải cách hành chính",
        "status": DirectiveStatus.OPEN, "published_at": published, "created_at": published,
        "issued_on": published.date(), "revision": 0, "deadline_day_counts": True,
        "sign_off_required": True, "date_line": "", "signer": "", "signer_title": "",
        "full_text": "",
    }])
    db.session.execute(insert(Section), [{"id": 1, "directive_id": 1, "number": "1",
                                          "heading": "Nhiệm vụ của các cơ quan, đơn vị",
                                          "position": 1}])
    tasks = []
    for n in range(1, scale.tasks + 1):
        title, kind, measure = TASK_TITLES[(n - 1) % len(TASK_TITLES)]
        if n > len(TASK_TITLES):
            title = f"{title} (đợt {(n - 1) // len(TASK_TITLES) + 1})"
        # A third long past, a third soon or later, a third without a deadline.
        deadline = (on - timedelta(days=rng.randint(3, 30)) if n % 3 == 1
                    else on + timedelta(days=rng.randint(2, 60)) if n % 3 == 2 else None)
        target = (90 if measure is Measure.PERCENT else 0 if measure is Measure.COUNT else None)
        tasks.append({"id": n, "directive_id": 1, "section_id": 1, "code": f"1.{n}",
                      "title": title, "text": title, "kind": kind, "measure": measure,
                      "measure_unit": "hồ sơ" if measure is Measure.COUNT else "",
                      "target": target, "target_at_most": measure is Measure.COUNT,
                      "evidence_hint": "", "deadline": deadline, "position": n,
                      "audience": "all", "lead_unit_id": None, "withdrawn": False})
    _insert(Task, tasks)
    return 1, tasks


def _progress(units: list[dict], tasks: list[dict], users: list[dict],
              rng: random.Random) -> list[dict]:
    """Every unit's item of every task, in states drawn from SPREAD; written here, and the
    evidence rows of those begun, returned."""
    now = datetime.now(UTC).replace(tzinfo=None)
    reviewer_id = users[0]["id"]
    head_of = {u["unit_id"]: u["id"] for u in users if u["position"] is UnitPosition.HEAD}
    # Some units lag behind: their items are drawn with less done.
    rows: list[dict] = []
    evidence: list[dict] = []
    item_id = 0
    for unit in units:
        pace = rng.random()
        for task in tasks:
            item_id += 1
            status = ProgressStatus.NOT_STARTED
            draw = rng.random() * (0.6 + pace)
            for candidate, share in SPREAD:
                if draw < share:
                    status = candidate
                    break
                draw -= share
            deadline = task["deadline"]
            begun = status is not ProgressStatus.NOT_STARTED
            submitted = status in (ProgressStatus.SUBMITTED, ProgressStatus.APPROVED,
                                   ProgressStatus.RETURNED)
            submitted_at = None
            if submitted:
                late = deadline is not None and rng.random() < 0.15
                base = (datetime.combine(deadline, datetime.min.time())
                        if deadline else now - timedelta(days=10))
                submitted_at = min(base + timedelta(days=rng.randint(1, 5)) if late
                                   else base - timedelta(days=rng.randint(1, 8), hours=3), now)
            numerator = denominator = quantity = None
            if begun and task["measure"] is Measure.PERCENT:
                denominator = rng.randint(50, 400)
                numerator = rng.randint(denominator * 7 // 10, denominator)
            elif begun and task["measure"] is Measure.COUNT:
                quantity = rng.choice((0, 0, 0, 1, 2, 5))
            rows.append({
                "id": item_id, "task_id": task["id"], "unit_id": unit["id"], "status": status,
                "note": "Đã triển khai thực hiện." if begun else "",
                "numerator": numerator, "denominator": denominator, "quantity": quantity,
                "started_at": now - timedelta(days=20) if begun else None,
                "submitted_at": submitted_at,
                "submitted_by_id": head_of.get(unit["id"]) if submitted else None,
                "late_reason": "", "hidden": False, "supporting": False,
                "reviewed_at": (submitted_at + timedelta(days=1) if status in (
                    ProgressStatus.APPROVED, ProgressStatus.RETURNED) else None),
                "reviewed_by_id": reviewer_id if status in (
                    ProgressStatus.APPROVED, ProgressStatus.RETURNED) else None,
                "review_comment": ("Bổ sung tài liệu kiểm chứng." if status is
                                   ProgressStatus.RETURNED else ""),
                "updated_at": submitted_at or (now - timedelta(days=5) if begun else None),
                "version": 1, "head_comment": "",
            })
            if begun:
                evidence.append({
                    "progress_id": item_id, "finding_id": None, "kind": EvidenceKind.LINK,
                    "file_name": "", "stored_name": "", "content_type": "", "size": 0,
                    "sha256": "", "url": f"https://cchc.example.gov.vn/tin-bai/{item_id}",
                    "created_at": now - timedelta(days=6),
                    "created_by_id": head_of.get(unit["id"]),
                })
        if len(rows) >= 20 * BATCH:
            _insert(Progress, rows)
            rows = []
    _insert(Progress, rows)
    for n, row in enumerate(evidence, start=1):
        row["id"] = n
    return evidence


def seconds_since(start: float) -> str:
    return f"{time.perf_counter() - start:.2f}".replace(".", ",")


def count_items() -> int:
    return db.session.scalar(select(func.count(Progress.id)))
