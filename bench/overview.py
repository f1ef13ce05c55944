"""Benchmark of Tổng hợp: the overview of a year of 50 directives × 150 units, the ranking of the
same year, and the scorecard of a unit given 1,000 items, rendered in process (Flask's test
client, logged in as a reviewer); prints the SQL statements of each page (the tests' counter,
tests/support/statements.py), whether they stay the same with twice as many directives, and the
render time, wall and CPU (median of 5 after one warm-up). Aim from the issue: each under 0.3 s,
judged on the CPU time, which other work on the machine hardly changes.

    .venv/bin/python bench/overview.py          # about half a minute

Everything lives in a temporary directory. Each directive has 20 tasks; a task reaches half the
units (unit 1, the scorecard's, is reached by every task: 50 × 20 = 1,000 items), so the year holds
about 75,000 items; ten directives of the year before give the scorecard its trend, and one item
in twenty was returned once or twice (audit events).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the repository: `portal`, and `tests.support`

from bench.matrix import (  # noqa: E402
    CSRF_META,
    PASSWORD,
    USERNAME,
    settings,
    unit_rows,
)
from portal import create_app  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.deadlines import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import (  # noqa: E402
    AuditEvent,
    Directive,
    DirectiveStatus,
    Progress,
    ProgressStatus,
    Role,
    Task,
    TaskKind,
    Unit,
    UnitKind,
    User,
)
from tests.support.statements import recorded_statements  # noqa: E402

UNITS, DIRECTIVES, TASKS = 150, 50, 20
AIM = 0.3  # seconds
STATUSES = [ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS, ProgressStatus.SUBMITTED,
            ProgressStatus.APPROVED, ProgressStatus.RETURNED]
WEIGHTS = [20, 25, 15, 35, 5]


def add_directives(count: int, year: int, first_id: int, rng: random.Random) -> int:
    """`count` directives of `year`, closed ones among them, their tasks and items (Core
    inserts); returns the next free directive id."""
    today = date.today()
    now = utcnow().replace(microsecond=0)
    directives, tasks, items, events = [], [], [], []
    task_id = db.session.query(db.func.coalesce(db.func.max(Task.id), 0)).scalar()
    item_id = db.session.query(db.func.coalesce(db.func.max(Progress.id), 0)).scalar()
    for d in range(count):
        directive_id = first_id + d
        directives.append({
            "id": directive_id, "slug": f"bench-{directive_id}", "year": year,
            "title": f"Kế hoạch {d + 1} năm {year}: khắc phục hạn chế CCHC",
            "status": DirectiveStatus.CLOSED if d % 5 == 4 else DirectiveStatus.OPEN,
            "number": f"{d + 1}/KH-UBND"})
        for t in range(TASKS):
            task_id += 1
            offset = [None, -40, 2, 30, -7][t % 5]
            tasks.append({"id": task_id, "directive_id": directive_id, "code": f"{t + 1}",
                          "title": f"Nhiệm vụ {t + 1}: rà soát thủ tục hành chính",
                          "kind": TaskKind.ACTION, "position": t,
                          "deadline": today + timedelta(days=offset) if offset else None})
            for unit in range(1, UNITS + 1):
                if unit != 1 and (unit + t + d) % 2:
                    continue
                item_id += 1
                status = rng.choices(STATUSES, WEIGHTS)[0]
                submitted = (now - timedelta(days=rng.randint(0, 60))
                             if status in (ProgressStatus.SUBMITTED, ProgressStatus.APPROVED,
                                           ProgressStatus.RETURNED) else None)
                items.append({"id": item_id, "task_id": task_id, "unit_id": unit,
                              "status": status, "submitted_at": submitted, "note": ""})
                if rng.random() < 0.05:
                    for _ in range(rng.randint(1, 2)):
                        events.append({"at": now, "username": USERNAME,
                                       "action": "review.return", "target_type": "Progress",
                                       "target_id": item_id, "unit_id": unit})
    db.session.execute(insert(Directive), directives)
    db.session.execute(insert(Task), tasks)
    db.session.execute(insert(Progress), items)
    if events:
        db.session.execute(insert(AuditEvent), events)
    db.session.commit()
    return first_id + count


def measure(app, client, url: str) -> tuple[int, float, float, int]:
    with app.app_context():
        engine = db.engine
    response = client.get(url)  # warm-up
    assert response.status_code == 200, response.status_code
    with recorded_statements(engine) as statements:
        client.get(url)
    times, cpu = [], []
    for _ in range(5):
        started, used = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return len(statements), statistics.median(times), statistics.median(cpu), len(response.data)


def main() -> None:
    rng = random.Random(2026)
    year = date.today().year
    with tempfile.TemporaryDirectory() as folder:
        config = settings(Path(folder))
        app = create_app(config)
        with app.app_context():
            db.create_all()
            units = unit_rows(UNITS)
            db.session.execute(insert(Unit), units)
            db.session.add(User(username=USERNAME, full_name="Chuyên viên (bench)",
                                password_hash=hash_password(PASSWORD), role=Role.REVIEWER,
                                unit_id=next(u["id"] for u in units
                                             if u["kind"] is UnitKind.OFFICE)))
            db.session.commit()
            started = time.perf_counter()
            next_id = add_directives(10, year - 1, 1, rng)
            next_id = add_directives(DIRECTIVES // 2, year, next_id, rng)
            built = time.perf_counter() - started
        client = app.test_client()
        token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
        assert client.post("/login", data={"username": USERNAME, "password": PASSWORD,
                                           "csrf_token": token}).status_code == 303
        pages = {
            f"overview, {DIRECTIVES} directives × {UNITS} units": f"/overview?year={year}",
            f"ranking of {UNITS} units": f"/overview/ranking?year={year}",
            "scorecard, 1,000 items (and the year before)": f"/units/1?year={year}",
        }
        half = {name: measure(app, client, url)[0] for name, url in pages.items()}
        with app.app_context():
            add_directives(DIRECTIVES - DIRECTIVES // 2, year, next_id, rng)
            items = db.session.query(Progress).count()
        print(f"Tổng hợp bench, {date.today():%d/%m/%Y}: {items:,} items in all "
              f"(built in {built:.0f} s for half); SQLite, in process, median of 5")
        print(f"load average before: {os.getloadavg()[0]:.1f} (the machine's other work "
              "lengthens the wall time; the CPU time of this process hardly changes with it)")
        print(f"{'page':46} {'SQL':>4} {'at half':>8} {'wall':>8} {'CPU':>8} {'size':>7}  aim")
        failed = False
        for name, url in pages.items():
            count, seconds, cpu, size = measure(app, client, url)
            good = cpu < AIM and count == half[name]
            failed |= not good
            print(f"{name:46} {count:>4} {half[name]:>8} {seconds * 1000:>5.0f} ms "
                  f"{cpu * 1000:>5.0f} ms {size / 1024:>4.0f} KB  {'ok' if good else 'MISSED'}")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
