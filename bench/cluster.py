"""Load on several servers: the topology of `make cluster` (nginx in front of two gunicorn servers
on one PostgreSQL database, deploy/cluster.py), seeded with a made-up province when the portal has
`flask seed-scale` (else the demo city), driven through nginx as bench/load.py drives one server:
viewers keep the matrix open and poll it every 4 s with the tag of their last answer, while units
upload small PDFs through the real form, so many changes a second in all.

    .venv/bin/python bench/cluster.py                  # small and quick: 20 viewers, 20 s
    .venv/bin/python bench/cluster.py --viewers 100 --changes 4 --units 1000 --tasks 50 \\
        --seconds 60                                    # the issue's load
    .venv/bin/python bench/cluster.py --help

The database (BENCH_DATABASE_URL or --database-url, PostgreSQL) is dropped and made anew for the
run; everything else lives in a temporary directory; only 127.0.0.1 is contacted; the servers and
nginx are stopped on exit, Ctrl-C included. It prints the date and the machine, the figures per
kind of request (bench/load.py's table), and page p95, poll p95 and timeouts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the repository: `portal`, `deploy`, `bench`

from sqlalchemy import func, select  # noqa: E402

from bench.load import PASSWORD, UPLOADABLE, Stats, drive, percentile, report  # noqa: E402
from deploy.cluster import Cluster, drop_database, free_port, nginx_binary  # noqa: E402
from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Progress, Role, Task, User  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_cluster"


def seed_command(cluster: Cluster, units: int, tasks: int) -> list[str]:
    """`seed-scale` where the portal has it, else `seed-demo` (the 30 units of the demo city)."""
    try:
        cluster.flask("seed-scale", "--help", quiet=True)
    except RuntimeError:
        return ["seed-demo", "--password", PASSWORD]
    return ["seed-scale", "--units", str(units), "--tasks", str(tasks), "--password", PASSWORD]


def plan(cluster: Cluster, viewers: int, uploaders: int) -> dict:
    """Who views (reviewer accounts, taken in turn), who uploads (one unit account per unit,
    with its items) and which matrix, read from the seeded database."""
    app = create_app({"DATABASE_URL": cluster.database_url, "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(cluster.root / "reader")})
    with app.app_context():
        reviewers = db.session.scalars(
            select(User.username).where(User.role == Role.REVIEWER).order_by(User.id)).all()
        # The directive with the most items: the one the seed made for every unit.
        directive_id = db.session.scalar(
            select(Task.directive_id).join(Progress, Progress.task_id == Task.id)
            .group_by(Task.directive_id).order_by(func.count().desc()).limit(1))
        units, seen = [], set()
        for username, unit_id in db.session.execute(
                select(User.username, User.unit_id).where(User.role == Role.UNIT)
                .order_by(User.id)).all():
            if unit_id in seen:
                continue
            seen.add(unit_id)
            # Only items a unit may still attach evidence to: a submitted or approved one
            # answers 409, which would count against the servers.
            items = db.session.scalars(select(Progress.id).where(
                Progress.unit_id == unit_id, Progress.hidden.is_(False),
                Progress.status.in_(UPLOADABLE))).all()
            if items:
                units.append((username, items))
            if len(units) == uploaders:
                break
        counts = (db.session.scalar(select(func.count()).select_from(Progress)),
                  len(seen))
        db.engine.dispose()
    if not reviewers or not units:
        raise SystemExit("the seeded database has no reviewer or no unit account")
    return {"reviewers": [reviewers[n % len(reviewers)] for n in range(viewers)],
            "uploaders": [units[n % len(units)] for n in range(uploaders)],
            "directive_id": directive_id, "items": counts[0]}


def machine(database_url: str) -> str:
    """The date and the machine the figures come from."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor() or "?")
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in
                   Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    nginx = subprocess.run([nginx_binary() or "nginx", "-v"], capture_output=True,
                           text=True).stderr.strip().split("/")[-1]
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        postgres = connection.scalar(text("show server_version"))
    engine.dispose()
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}: {os.cpu_count()} cores "
            f"({cpu}), {memory} GB; Python {platform.python_version()}, PostgreSQL {postgres}, "
            f"nginx {nginx}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_DATABASE_URL),
                        help=f"PostgreSQL, dropped and made anew ({DEFAULT_DATABASE_URL})")
    parser.add_argument("--units", type=int, default=100, help="units, with seed-scale (100)")
    parser.add_argument("--tasks", type=int, default=20, help="tasks, with seed-scale (20)")
    parser.add_argument("--seconds", type=float, default=20, help="length of the run (20)")
    parser.add_argument("--viewers", type=int, default=20, help="matrices open (20)")
    parser.add_argument("--uploaders", type=int, default=4, help="units uploading (4)")
    parser.add_argument("--changes", type=float, default=1.0,
                        help="uploads a second, all units together (1)")
    parser.add_argument("--poll-interval", type=float, default=4.0,
                        help="seconds between polls, as the page (4)")
    parser.add_argument("--servers", type=int, default=2, help="gunicorn servers (2)")
    parser.add_argument("--workers", type=int, default=2, help="workers per server (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (8)")
    args = parser.parse_args()
    args.reviewers = args.viewers  # bench/load.py's names
    args.upload_pause = args.uploaders / args.changes
    if not nginx_binary():
        print("nginx not found: sudo apt install nginx", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="portal-cluster-") as temp:
        cluster = Cluster(Path(temp), args.database_url, servers=args.servers, port=free_port(),
                          workers=args.workers, threads=args.threads,
                          settings={"PASSWORD_TIME_COST": "1", "PASSWORD_MEMORY_COST": "64"})
        drop_database(args.database_url)
        seed = seed_command(cluster, args.units, args.tasks)
        started = time.monotonic()
        cluster.prepare(seed)
        print(machine(args.database_url))
        work = plan(cluster, args.viewers, args.uploaders)
        print(f"seeded with `flask {seed[0]}`: {work['items']} items in "
              f"{time.monotonic() - started:.1f} s")
        stats, accepted = Stats(), []
        with cluster:
            print(f"nginx in front of {args.servers} gunicorn servers × {args.workers} gthread "
                  f"workers × {args.threads} threads; {args.viewers} matrices polled every "
                  f"{args.poll_interval:g} s, {args.uploaders} units uploading, "
                  f"~{args.changes:g} changes a second, for {args.seconds:g} s; "
                  f"load average {os.getloadavg()[0]:.2f}")
            seconds = asyncio.run(drive(cluster.port, work, args, stats, accepted))
            answered = {name: len(re.findall(r'"(?:GET|POST) ', (cluster.log_dir / f"{name}.log")
                                             .read_text(errors="replace")))
                        for name in cluster.processes if name != "nginx"}
        print(f"load average after: {os.getloadavg()[0]:.2f}; uploads answered 200: "
              f"{len(accepted)}")
        report(stats, seconds)
        drop_database(args.database_url)

    def p95(kind: str) -> str:
        values = stats.latencies.get(kind, [])
        return f"{percentile(values, 95) * 1000:.0f} ms" if values else "none answered"

    timeouts = sum(1 for messages in stats.errors.values() for m in messages if "Timeout" in m)
    print("\nrequests each server answered (its access log, logins included): "
          + ", ".join(f"{name} {count}" for name, count in answered.items()))
    print(f"page p95 {p95('matrix page')}, poll p95 {p95('matrix poll')}, "
          f"timeouts {timeouts}, errors {sum(len(e) for e in stats.errors.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
