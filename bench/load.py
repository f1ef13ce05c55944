"""Load test of the served portal: 100 reviewers keep the matrix open (it polls every 4 s with the
hx-ptag header, as the page does) while 20 units upload small PDFs through the real form, CSRF
token and all, for a bounded time; then every upload answered 200 must have its row and its file.

    .venv/bin/python bench/load.py                 # 30 s, gunicorn as `make serve` runs it
    .venv/bin/python bench/load.py --units 1000 --tasks 50 --workers 2
                                                   # the issue's load: bench/matrix.py's city
    .venv/bin/python bench/load.py --help          # seconds, users, pauses, workers, threads

Everything lives in a temporary directory (a SQLite database with the demo letter and units);
only 127.0.0.1 is contacted; gunicorn is stopped on exit, Ctrl-C included. It prints requests per
second, p50/p95/p99 latency and errors per kind of request, and checks the aims: no error, p95
under 200 ms, no upload lost.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the repository: `portal`, and `tests.support.servers`

from portal import create_app, demo, storage  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import (  # noqa: E402
    Directive,
    Evidence,
    Progress,
    ProgressStatus,
    Role,
    Unit,
    UnitKind,
    User,
)
from tests.support.servers import Gunicorn, portal_environment  # noqa: E402

PASSWORD = "mat-khau-load-2023"
SECRET_KEY = "load-secret-key"
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
P95_AIM = 0.200  # seconds
# Items a unit can still attach evidence to.
UPLOADABLE = (ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS, ProgressStatus.RETURNED)


class Stats:
    """Latencies and errors per kind of request."""

    def __init__(self):
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.measuring = False

    def add(self, kind: str, seconds: float, error: str | None = None) -> None:
        if not self.measuring:
            return
        self.latencies[kind].append(seconds)
        if error:
            self.errors[kind].append(error)


# --------------------------------------------------------------------------- the portal

def settings(root: Path) -> dict:
    """The portal's settings for the run, everything below `root`."""
    return {
        "INSTANCE_PATH": str(root / "instance"),
        "DATABASE_URL": f"sqlite:///{root / 'portal.sqlite3'}",
        "UPLOAD_DIR": str(root / "uploads"),
        "SECRET_KEY": SECRET_KEY,
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 64,
    }


def start_server(root: Path, workers: int, threads: int) -> Gunicorn:
    """The portal under gunicorn with the flags of `make serve`, on a free port."""
    config = settings(root)
    env = portal_environment(config, ("DATABASE_URL", "UPLOAD_DIR", "SECRET_KEY",
                                      "PASSWORD_TIME_COST", "PASSWORD_MEMORY_COST"))
    env["BENCH_INSTANCE_PATH"] = config["INSTANCE_PATH"]  # bench/serve.py: not instance/
    env["PORTAL_ENV"] = "production"
    return Gunicorn(
        "bench.serve:app", root / "gunicorn.log",
        ["--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
         "--timeout", "60", "--graceful-timeout", "30", "--keep-alive", "75",
         "--error-logfile", "-"],
        env)


# --------------------------------------------------------------------------- the database

def prepare(root: Path, reviewers: int, uploaders: int, units: int = 0, tasks: int = 0) -> dict:
    """The demo city (or, with `units`, bench/matrix.py's made-up city of `units` × `tasks`, an
    account for each of `uploaders` of its communes), `reviewer` reviewer accounts and which
    items each uploading unit has."""
    if units:
        from bench.matrix import build_database

        build_database(settings(root), units, tasks)
    app = create_app(settings(root))
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        if units:
            office = db.session.scalar(select(Unit).where(Unit.kind == UnitKind.OFFICE)
                                       .order_by(Unit.id))
            communes = db.session.scalars(select(Unit).where(Unit.kind == UnitKind.COMMUNE)
                                          .order_by(Unit.id).limit(uploaders)).all()
            db.session.add_all(
                User(username=f"donvi.{unit.id:04d}", full_name=f"Cán bộ {unit.name}",
                     role=Role.UNIT, unit_id=unit.id, password_hash=password_hash)
                for unit in communes)
        else:
            db.create_all()
            demo.seed(PASSWORD)
            office = db.session.scalar(select(Unit).where(Unit.name == "Phòng Nội vụ"))
        names = [f"xem.{n:03d}" for n in range(1, reviewers + 1)]
        db.session.add_all(User(username=name, full_name=f"Người xem {name}", role=Role.REVIEWER,
                                unit_id=office.id, password_hash=password_hash) for name in names)
        db.session.commit()
        units = db.session.execute(
            select(User.username, User.unit_id).where(User.role == Role.UNIT).order_by(User.id)
        ).all()
        uploading = []
        for n in range(uploaders):
            username, unit_id = units[n % len(units)]
            items = db.session.scalars(
                select(Progress.id).where(Progress.unit_id == unit_id, Progress.hidden.is_(False),
                                          Progress.status.in_(UPLOADABLE))
            ).all()
            uploading.append((username, items))
        directive_id = db.session.scalar(select(Directive.id))
        db.engine.dispose()
    return {"reviewers": names, "uploaders": uploading, "directive_id": directive_id}


def count_kept(root: Path) -> tuple[int, storage.StorageReport]:
    """Evidence rows, and the files compared with them."""
    app = create_app(settings(root))
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Evidence))
        report, _ = storage.check_database()
        db.engine.dispose()
    return rows, report


# --------------------------------------------------------------------------- simulated users

async def login(client: httpx.AsyncClient, username: str) -> str:
    """Log in through the form; the CSRF token of the new session."""
    page = await client.get("/login")
    token = CSRF_META.search(page.text).group(1)
    response = await client.post("/login", data={"username": username, "password": PASSWORD,
                                                 "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"login as {username} answered {response.status_code}")
    page = await client.get("/account/password")
    return CSRF_META.search(page.text).group(1)


async def timed(stats: Stats, kind: str, request, expected: tuple[int, ...]):
    started = time.perf_counter()
    try:
        response = await request
    except httpx.HTTPError as error:
        stats.add(kind, time.perf_counter() - started, f"{type(error).__name__}: {error}")
        return None
    error = None if response.status_code in expected else f"HTTP {response.status_code}"
    stats.add(kind, time.perf_counter() - started, error)
    return response


async def reviewer(client: httpx.AsyncClient, username: str, url: str, interval: float,
                   until: float, stats: Stats) -> None:
    """A reviewer who logs in and leaves the matrix open: the page once, then a poll every
    `interval` seconds with the tag of the last answer (HX-PTag), answered 304 while nothing
    changed."""
    await asyncio.sleep(random.uniform(0, interval))  # readers arrive at various times
    await login(client, username)
    page = await timed(stats, "matrix page", client.get(url), (200,))
    tag = page.headers.get("HX-PTag", "") if page is not None else ""
    while True:
        await asyncio.sleep(interval)
        if time.monotonic() >= until:
            break
        response = await timed(stats, "matrix poll", client.get(
            url, headers={"HX-Request": "true", "HX-PTag": tag}), (200, 304))
        if response is not None:
            stats.add("poll: 304 unchanged" if response.status_code == 304
                      else "poll: 200 changed", response.elapsed.total_seconds())
            tag = response.headers.get("HX-PTag", tag)


async def uploader(client: httpx.AsyncClient, token: str, items: list[int], pause: float,
                   until: float, stats: Stats, accepted: list[str]) -> None:
    """A unit attaching small PDFs to its items, one every `pause` seconds or so: the pauses are
    counted from one upload's start to the next, so that the rate asked for (units ÷ pause) is
    the rate sent, however long the server takes to answer."""
    await asyncio.sleep(random.uniform(0, pause))
    n = 0
    next_at = time.monotonic()
    while time.monotonic() < until:
        n += 1
        item_id = random.choice(items)
        content = demo.sample_pdf(f"{id(client)}-{n}-{time.time_ns()}")
        response = await timed(stats, "upload", client.post(
            f"/items/{item_id}/files", data={"csrf_token": token},
            files={"file": (f"kiem-chung-{n}.pdf", content, "application/pdf")},
            headers={"HX-Request": "true"}), (200,))
        if response is not None and response.status_code == 200:
            accepted.append(hashlib.sha256(content).hexdigest())
        next_at += random.uniform(0.5 * pause, 1.5 * pause)
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))


async def drive(port: int, plan: dict, args, stats: Stats, accepted: list[str]) -> float:
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)  # one browser tab
    clients = [httpx.AsyncClient(base_url=base, timeout=30, limits=limits)
               for _ in range(args.reviewers + args.uploaders)]
    try:
        watchers, units = clients[:args.reviewers], clients[args.reviewers:]
        tokens = await asyncio.gather(*(login(c, name) for c, (name, _) in
                                        zip(units, plan["uploaders"], strict=True)))
        url = f"/directives/{plan['directive_id']}/matrix"
        stats.measuring = True
        started = time.monotonic()
        until = started + args.seconds
        await asyncio.gather(
            *(reviewer(c, name, url, args.poll_interval, until, stats)
              for c, name in zip(watchers, plan["reviewers"], strict=True)),
            *(uploader(c, token, items, args.upload_pause, until, stats, accepted)
              for c, token, (_, items) in zip(units, tokens, plan["uploaders"], strict=True)),
        )
        return time.monotonic() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


# --------------------------------------------------------------------------- report

def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def timeouts(stats: Stats, kind: str) -> int:
    """Requests of `kind` that got no answer within the client's 30 s."""
    return sum("Timeout" in message.split(":")[0] for message in stats.errors.get(kind, []))


def report(stats: Stats, seconds: float) -> tuple[int, float]:
    print(f"\n{'request':<22}{'count':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}")
    every = []
    for kind in ("matrix page", "matrix poll", "poll: 304 unchanged", "poll: 200 changed",
                 "upload"):
        values = stats.latencies.get(kind, [])
        if not values:
            continue
        if not kind.startswith("poll:"):
            every += values
        print(f"{kind:<22}{len(values):>7}{len(values) / seconds:>8.1f}"
              f"{percentile(values, 50) * 1000:>9.1f}{percentile(values, 95) * 1000:>9.1f}"
              f"{percentile(values, 99) * 1000:>9.1f}{len(stats.errors.get(kind, [])):>8}")
    errors = sum(len(e) for e in stats.errors.values())
    p95 = percentile(every, 95)
    print(f"{'all':<22}{len(every):>7}{len(every) / seconds:>8.1f}"
          f"{percentile(every, 50) * 1000:>9.1f}{p95 * 1000:>9.1f}"
          f"{percentile(every, 99) * 1000:>9.1f}{errors:>8}")
    print("(poll: rows split the matrix polls by answer, timed by the client library)")
    for kind, messages in stats.errors.items():
        for message in sorted(set(messages))[:5]:
            print(f"  error, {kind}: {message} (×{messages.count(message)})")
    print("timeouts (no answer in 30 s): " + ", ".join(
        f"{kind} {timeouts(stats, kind)}" for kind in ("matrix page", "matrix poll", "upload")))
    return errors, p95


def summary(stats: Stats) -> dict:
    """What the issue's figures table takes from a run: page and poll p95 (s), timeouts."""
    def p95(kind: str) -> float:
        values = stats.latencies.get(kind, [])
        return percentile(values, 95) if values else float("nan")

    return {"page_p95": p95("matrix page"), "poll_p95": p95("matrix poll"),
            "pages": len(stats.latencies.get("matrix page", [])),
            "polls": len(stats.latencies.get("matrix poll", [])),
            "timeouts": sum(timeouts(stats, kind) for kind in stats.errors),
            "errors": sum(len(e) for e in stats.errors.values())}


def arguments(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the run (30)")
    parser.add_argument("--reviewers", type=int, default=100, help="matrices open (100)")
    parser.add_argument("--uploaders", type=int, default=20, help="units uploading (20)")
    parser.add_argument("--poll-interval", type=float, default=4.0,
                        help="seconds between polls, as the page (4)")
    parser.add_argument("--upload-pause", type=float, default=5.0,
                        help="mean seconds between one unit's uploads (5: 20 units, ~4 a second)")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2),
                        help="gunicorn workers (one per core, two at least, as make serve)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (8)")
    parser.add_argument("--units", type=int, default=0,
                        help="bench/matrix.py's made-up city of this many units (0: the demo)")
    parser.add_argument("--tasks", type=int, default=50, help="its tasks, with --units (50)")
    return parser.parse_args(argv)


def run(args) -> tuple[dict, bool]:
    """One run: what `summary` says, and whether every aim was met."""
    with tempfile.TemporaryDirectory(prefix="portal-load-") as temp:
        root = Path(temp)
        plan = prepare(root, args.reviewers, args.uploaders, args.units, args.tasks)
        rows_before, _ = count_kept(root)  # bench/matrix.py's city has evidence links already
        server = start_server(root, args.workers, args.threads)
        stats, accepted = Stats(), []
        try:
            server.wait_until_serving()
            city = f"{args.units} × {args.tasks}" if args.units else "the demo city"
            print(f"gunicorn: {args.workers} gthread workers × {args.threads} threads; {city}; "
                  f"{args.reviewers} matrices polled every {args.poll_interval:g} s, "
                  f"{args.uploaders} units uploading every ~{args.upload_pause:g} s, "
                  f"for {args.seconds:g} s; load average {os.getloadavg()[0]:.2f}")
            cpu = time.process_time(), server.workers_cpu()
            seconds = asyncio.run(drive(server.port, plan, args, stats, accepted))
            cpu = time.process_time() - cpu[0], server.workers_cpu() - cpu[1]
        finally:
            server.stop(timeout=15)
        cores = os.cpu_count() or 1
        print(f"load average after: {os.getloadavg()[0]:.2f}; CPU seconds: gunicorn workers "
              f"{cpu[1]:.1f}, this load generator {cpu[0]:.1f} "
              f"(of {seconds * cores:.0f} on {cores} cores)")
        errors, p95 = report(stats, seconds)
        rows, kept = count_kept(root)

    rows -= rows_before
    lost = len(accepted) - rows
    print(f"\nuploads answered 200: {len(accepted)}; new evidence rows: {rows}; "
          f"files: {kept.files} "
          f"(without row {len(kept.orphans)}, row without file {len(kept.missing)}, "
          f"SHA-256 differs {len(kept.corrupt)})")
    aims = [
        ("no error", errors == 0),
        (f"p95 under {P95_AIM * 1000:.0f} ms", p95 < P95_AIM),
        ("no upload lost", lost == 0 and kept.clean and kept.files == rows),
    ]
    for label, met in aims:
        print(f"{'met' if met else 'NOT MET':>8}: {label}")
    return {**summary(stats), "changes_per_second": len(accepted) / seconds}, all(
        met for _, met in aims)


def main() -> int:
    _, met = run(arguments())
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
