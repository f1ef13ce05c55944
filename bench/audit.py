"""Benchmark of the audit log's page (/admin/audit) on a large log: the demo city with EVENTS
made-up events (logins, item changes, refusals, spread over two years and the demo's units,
accounts and items, chained as the portal chains them), then the time of the page with each
filter, of a page deep in the log, of the chain's check and of an export.

    .venv/bin/python bench/audit.py                # 1,000,000 events, a few minutes
    .venv/bin/python bench/audit.py --events 200000 --keep /tmp/audit-bench  # built once

Everything lives in a temporary directory. Each figure is the best of three requests, through
Flask's test client logged in as the demo administrator, in process (SQLite).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app, demo  # noqa: E402
from portal.audit import event_hash  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import AuditEvent, Directive, Progress, Task, User  # noqa: E402

PASSWORD = "mat-khau-bench-2023"
ACTIONS = [("login", 30), ("progress.save", 25), ("progress.start", 10), ("evidence.add", 10),
           ("progress.submit", 8), ("review.approve", 6), ("access.denied", 5),
           ("login.failed", 4), ("review.return", 2)]


def build(app, count: int) -> None:
    rng = random.Random(2023)
    with app.app_context():
        db.create_all()
        demo.seed(PASSWORD)
        users = db.session.execute(select(User.id, User.username, User.unit_id)).all()
        items = db.session.execute(select(Progress.id, Progress.unit_id)).all()
        start = datetime(2024, 1, 1)
        actions = [a for a, weight in ACTIONS for _ in range(weight)]
        first = (db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())
                                   .limit(1)) or 0) + 1
        prev = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc())
                                 .limit(1)) or ""
        batch = []
        for number in range(count):
            user_id, username, unit_id = rng.choice(users)
            action = rng.choice(actions)
            item_id, item_unit = rng.choice(items)
            on_item = action.startswith(("progress", "evidence", "review"))
            row = {
                "id": first + number,
                "at": start + timedelta(seconds=number * 63_000_000 // count),
                "user_id": user_id, "username": username, "action": action,
                "target_type": "Progress" if on_item else "",
                "target_id": item_id if on_item else None,
                "unit_id": item_unit if on_item else unit_id,
                "before": {"status": "in_progress"} if on_item else None,
                "after": {"note": f"Ghi chú {number}"} if on_item else {"path": "/admin"},
                "ip": f"10.0.{number % 250}.{number % 200}",
            }
            row["prev_hash"] = prev
            row["hash"] = prev = event_hash(row, prev)
            batch.append(row)
            if len(batch) == 20_000:
                db.session.execute(insert(AuditEvent), batch)
                batch = []
        if batch:
            db.session.execute(insert(AuditEvent), batch)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def best(client, url: str) -> float:
    times = []
    for _ in range(3):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="a folder that keeps the database between runs")
    arguments = parser.parse_args()
    events = arguments.events
    with tempfile.TemporaryDirectory() as folder:
        root = arguments.keep or Path(folder)
        built = (root / "portal.sqlite3").exists()
        app = create_app({
            "INSTANCE_PATH": str(root / "instance"),
            "DATABASE_URL": f"sqlite:///{root / 'portal.sqlite3'}",
            "UPLOAD_DIR": str(root / "uploads"), "SECRET_KEY": "bench-secret-key",
            "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 64, "WTF_CSRF_ENABLED": False,
        })
        began = time.perf_counter()
        if not built:
            build(app, events)
            print(f"{events:,} events written in {time.perf_counter() - began:.0f} s")
        with app.app_context():
            directive = db.session.scalar(select(Directive.id).order_by(Directive.id).limit(1))
            unit = db.session.scalar(select(Progress.unit_id).join(Task).limit(1))
            middle = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())
                                       .offset(events // 2).limit(1))
        client = app.test_client()
        client.post("/login", data={"username": "quantri", "password": PASSWORD})
        cases = {
            "newest page": "/admin/audit",
            "a page halfway down the log": f"/admin/audit?before={middle}",
            "one person": "/admin/audit?user=phuong1",
            "one unit": f"/admin/audit?unit={unit}",
            "one directive": f"/admin/audit?directive={directive}",
            "a rare kind (review.return)": "/admin/audit?action=review.return",
            "a kind nobody did (user.create)": "/admin/audit?action=user.create",
            "one month": "/admin/audit?since=01/03/2024&until=31/03/2024",
            "person + kind + month": "/admin/audit?user=phuong1&action=progress.save"
                                     "&since=01/03/2024&until=31/03/2024",
        }
        for name, url in cases.items():
            print(f"{name:36} {best(client, url) * 1000:8.0f} ms")
        began = time.perf_counter()
        assert client.get("/admin/audit/chain").status_code == 200
        print(f"{'chain check (every event)':36} {(time.perf_counter() - began) * 1000:8.0f} ms")
        began = time.perf_counter()
        response = client.get("/admin/audit/export.xlsx?action=review.return")
        print(f"{'export of one kind':36} {(time.perf_counter() - began) * 1000:8.0f} ms "
              f"({len(response.data) // 1024:,} KiB)")


if __name__ == "__main__":
    main()
