"""Benchmark of the review matrix: what a full page, an unchanged htmx poll and a bare Flask
response cost under gunicorn, on three made-up cities of 30 × 25, 300 × 25 and 1000 × 50
(units × tasks); plus, in process, the SQL statements per request and the cold render time.

    .venv/bin/python bench/matrix.py            # about a minute and a half
    .venv/bin/python bench/matrix.py --help     # seconds per measurement, clients, worker class
    .venv/bin/python bench/matrix.py --only-excel --markdown   # the Excel export of 3,321 × 30

Everything lives in a temporary directory; only 127.0.0.1 is contacted; gunicorn is stopped on
exit, Ctrl-C included. See bench/README.md for what the figures mean.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import io
import os
import pstats
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the repository: `portal`, and `tests.support`

from portal import create_app  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.deadlines import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.matrix import fragments  # noqa: E402
from portal.models import (  # noqa: E402
    Directive,
    Evidence,
    EvidenceKind,
    Extension,
    ExtensionStatus,
    Measure,
    Progress,
    ProgressStatus,
    Role,
    Section,
    Task,
    TaskKind,
    Unit,
    UnitKind,
    User,
)
from tests.support.servers import Gunicorn, portal_environment  # noqa: E402
from tests.support.statements import recorded_statements  # noqa: E402

SIZES = [(30, 25), (300, 25), (1000, 50)]  # units × tasks
USERNAME = "bench.duyet"
PASSWORD = "mat-khau-bench-2023"
SECRET_KEY = "bench-secret-key"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

# Aims from the issue.
POLL_AIM = 0.50  # unchanged poll ≥ 50 % of the ceiling's requests/s
FULL_AIM = 0.30  # full 30 × 25 page ≥ 30 % of the ceiling's requests/s
COLD_AIM = 1.0  # seconds, cold 1000 × 50 page


def settings(root: Path) -> dict:
    """The portal's settings for one bench database, everything below `root`."""
    return {
        "INSTANCE_PATH": str(root / "instance"),
        "DATABASE_URL": f"sqlite:///{root / 'portal.sqlite3'}",
        "UPLOAD_DIR": str(root / "uploads"),
        "SECRET_KEY": SECRET_KEY,
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 64,
    }


# --------------------------------------------------------------------------- the databases

COMMUNE_NAMES = ["An Hòa", "Tân Quy Đông", "Tân Khánh Đông", "Tân Quy Tây", "Tân Phú Đông",
                 "Mỹ Ngãi", "Hòa Thành", "Đông Hòa", "Ấp Bắc", "Ông Văn"]
OFFICE_NAMES = ["Tư pháp", "Nội vụ", "Tài chính - Kế hoạch", "Văn hóa và Thông tin", "Y tế",
                "Kinh tế", "Quản lý đô thị", "Giáo dục và Đào tạo", "Tài nguyên và Môi trường"]
SERVICE_NAMES = ["Trung tâm Dịch vụ nông nghiệp", "Ban Quản lý dự án", "Trung tâm Y tế",
                 "Trung tâm Văn hóa - Thể thao"]


def unit_rows(count: int) -> list[dict]:
    """`count` units: a fifth offices, a sixth service units, the rest communes."""
    rows = []
    for i in range(count):
        n = i + 1
        if i % 5 == 0:
            kind, name = UnitKind.OFFICE, f"Phòng {OFFICE_NAMES[i % len(OFFICE_NAMES)]} {n}"
        elif i % 6 == 1:
            kind, name = UnitKind.SERVICE, f"{SERVICE_NAMES[i % len(SERVICE_NAMES)]} {n}"
        elif i % 2:
            kind, name = UnitKind.COMMUNE, f"Phường {n}"
        else:
            kind, name = UnitKind.COMMUNE, f"Xã {COMMUNE_NAMES[i % len(COMMUNE_NAMES)]} {n}"
        rows.append({"id": n, "name": name, "short_name": name.split(" ", 1)[1][:80],
                     "kind": kind, "position": i})
    return rows


STATUS_WEIGHTS = [
    (ProgressStatus.NOT_STARTED, 25),
    (ProgressStatus.IN_PROGRESS, 30),
    (ProgressStatus.SUBMITTED, 15),
    (ProgressStatus.APPROVED, 25),
    (ProgressStatus.RETURNED, 5),
]


def build_database(config: dict, unit_count: int, task_count: int, seed: int = 2023) -> int:
    """A database for `unit_count` units and one directive of `task_count` tasks, every task
    reaching every unit; returns the directive's id."""
    rng = random.Random(seed)
    today = date.today()
    now = utcnow().replace(microsecond=0)  # naive UTC, as the portal stores it
    app = create_app(config)
    with app.app_context():
        db.create_all()
        units = unit_rows(unit_count)
        db.session.execute(insert(Unit), units)
        reviewer_unit = next(u["id"] for u in units if u["kind"] is UnitKind.OFFICE)
        db.session.add(User(username=USERNAME, full_name="Chuyên viên Phòng Nội vụ (bench)",
                            password_hash=hash_password(PASSWORD), role=Role.REVIEWER,
                            unit_id=reviewer_unit))

        directive = Directive(
            slug=f"bench-{unit_count}x{task_count}", number="99/KH-UBND", issuer="UBND Thành phố",
            issued_on=today - timedelta(days=60), year=today.year,
            subject="V/v khắc phục tồn tại, hạn chế sau kiểm tra công tác cải cách hành chính",
            title=f"Kế hoạch thử tải {unit_count} đơn vị × {task_count} nhiệm vụ",
        )
        db.session.add(directive)
        db.session.flush()
        sections = [Section(directive_id=directive.id, number=str(s + 1),
                            heading=f"Mục {s + 1}: nhóm nhiệm vụ cải cách hành chính", position=s)
                    for s in range(5)]
        db.session.add_all(sections)
        db.session.flush()

        tasks = []
        for t in range(task_count):
            metric = t % 4 == 3
            # Deadlines: none, long past, in two days (due soon), next month, last week.
            offset = [None, -40, 2, 30, -7][t % 5]
            tasks.append(Task(
                directive_id=directive.id, section_id=sections[t * 5 // task_count].id,
                code=f"{t * 5 // task_count + 1}.{t + 1}",
                title=f"Nhiệm vụ {t + 1}: rà soát, chuẩn hóa thủ tục hành chính thuộc thẩm quyền",
                text="Các đơn vị triển khai thực hiện và báo cáo kết quả kèm tài liệu kiểm chứng.",
                kind=TaskKind.METRIC if metric else TaskKind.ACTION,
                measure=Measure.PERCENT if metric else None,
                measure_unit="hồ sơ" if metric else "",
                target=Decimal("95") if metric else None,
                deadline=today + timedelta(days=offset) if offset is not None else None,
                position=t + 1,
            ))
        db.session.add_all(tasks)
        db.session.flush()

        statuses = [s for s, _ in STATUS_WEIGHTS]
        weights = [w for _, w in STATUS_WEIGHTS]
        progress, evidence, extensions = [], [], []
        item_id = 0
        for task in tasks:
            for unit in units:
                item_id += 1
                status = rng.choices(statuses, weights)[0]
                row = {"id": item_id, "task_id": task.id, "unit_id": unit["id"],
                       "status": status, "note": "", "numerator": None, "denominator": None,
                       "started_at": None, "submitted_at": None, "reviewed_at": None}
                if status is not ProgressStatus.NOT_STARTED:
                    row["started_at"] = now - timedelta(days=rng.randint(10, 50))
                    row["note"] = "Đã triển khai đến các bộ phận."
                    if task.measure is Measure.PERCENT:
                        total = rng.randint(40, 400)
                        row["numerator"] = rng.randint(total * 6 // 10, total)
                        row["denominator"] = total
                if status in (ProgressStatus.SUBMITTED, ProgressStatus.APPROVED,
                              ProgressStatus.RETURNED):
                    row["submitted_at"] = now - timedelta(days=rng.randint(0, 45),
                                                          minutes=rng.randint(0, 600))
                    evidence.append({"progress_id": item_id, "kind": EvidenceKind.LINK,
                                     "url": f"https://sadec.example.vn/van-ban/{item_id}",
                                     "created_at": row["submitted_at"]})
                if status in (ProgressStatus.APPROVED, ProgressStatus.RETURNED):
                    row["reviewed_at"] = row["submitted_at"] + timedelta(days=1)
                if task.deadline is not None and rng.random() < 0.03:
                    granted = rng.random() < 0.6
                    extensions.append({
                        "progress_id": item_id, "reason": "Chờ số liệu của cấp trên.",
                        "proposed_deadline": task.deadline + timedelta(days=14),
                        "status": ExtensionStatus.GRANTED if granted else ExtensionStatus.PENDING,
                        "requested_at": now - timedelta(days=5),
                        "granted_deadline": task.deadline + timedelta(days=14) if granted else None,
                    })
                progress.append(row)
        db.session.execute(insert(Progress), progress)
        db.session.execute(insert(Evidence), evidence)
        if extensions:
            db.session.execute(insert(Extension), extensions)
        db.session.commit()
        directive_id = directive.id
        db.session.remove()
        db.engine.dispose()
    return directive_id


# --------------------------------------------------------------------------- in process

@dataclass
class InProcess:
    statements: dict[str, int]  # request -> SQL statements
    page_bytes: int
    fragment_bytes: int
    cold_seconds: list[float]
    cold_cpu: list[float] = field(default_factory=list)  # CPU seconds of the same renders


def login_test_client(app):
    client = app.test_client()
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"username": USERNAME, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303, f"test-client login: {response.status_code}"
    return client


def measure_in_process(config: dict, directive_id: int, cold_repeats: int,
                       profile: bool) -> InProcess:
    """SQL statements of each kind of request, and the cold render time, with Flask's test
    client against the same database."""
    app = create_app(config)
    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as seen:  # the cold timings and the profile too
        client = login_test_client(app)
        url = f"/directives/{directive_id}/matrix"
        htmx = {"HX-Request": "true"}

        def run(name: str, expect: int, cold: bool = False, headers: dict | None = None):
            if cold:
                fragments.forget(app)
            before = len(seen)
            response = client.get(url, headers=headers or {})
            assert response.status_code == expect, f"{name}: {response.status_code}"
            statements[name] = len(seen) - before
            return response

        statements: dict[str, int] = {}
        page = run("full, cold", 200, cold=True)
        run("full, warm", 200)
        tag = page.headers["HX-PTag"]
        run("poll, unchanged", 304, headers={**htmx, "HX-PTag": tag})
        fragment = run("fragment, cold", 200, cold=True, headers=htmx)

        cold, cold_cpu = [], []
        for _ in range(cold_repeats):
            fragments.forget(app)
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            cold.append(time.perf_counter() - started)
            cold_cpu.append(time.process_time() - cpu)
            assert response.status_code == 200
        if profile:
            fragments.forget(app)
            profiler = cProfile.Profile()
            profiler.enable()
            client.get(url)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
            stats.print_stats(35)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
            print(out.getvalue())
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return InProcess(statements, len(page.data), len(fragment.data), cold, cold_cpu)


# --------------------------------------------------------------------------- gunicorn

def start_server(config: dict, root: Path, worker_class: str, workers: int,
                 threads: int) -> Gunicorn:
    """gunicorn serving bench/serve.py on one database; stop() ends it and its workers."""
    env = portal_environment(config, ("DATABASE_URL", "SECRET_KEY", "UPLOAD_DIR",
                                      "PASSWORD_TIME_COST", "PASSWORD_MEMORY_COST"))
    env["BENCH_INSTANCE_PATH"] = config["INSTANCE_PATH"]
    options = ["--workers", str(workers), "--worker-class", worker_class,
               "--log-level", "warning", "--error-logfile", "-"]
    if worker_class == "gthread":  # with sync, --threads > 1 would switch to gthread
        options += ["--threads", str(threads)]
    return Gunicorn("bench.serve:app", root / "gunicorn.log", options, env)


# --------------------------------------------------------------------------- HTTP client

class Browser:
    """A logged-in browser: one keep-alive connection and the session cookie."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            all_headers = {"Cookie": self.cookie_header(), **(headers or {})}
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(value)
                for name, morsel in jar.items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), data
        finally:
            connection.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def login(self) -> None:
        status, _, data = self.request("GET", "/login")
        token = CSRF_META.search(data.decode()).group(1)
        form = urlencode({"username": USERNAME, "password": PASSWORD, "csrf_token": token,
                          "next": ""})
        status, _, _ = self.request(
            "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 303:
            raise RuntimeError(f"login over HTTP answered {status}, not 303")


@dataclass
class Load:
    label: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    server_cpu: float = 0.0  # CPU seconds of the gunicorn workers during the measurement
    client_cpu: float = 0.0  # CPU seconds of this process (the load generator)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_request(self) -> float:
        """Server CPU milliseconds per answer: what the machine's load does not blur."""
        return 1000 * self.server_cpu / self.requests if self.requests else float("nan")

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def generate_load(port: int, path: str, headers: dict, expect: int, clients: int,
                  seconds: float, max_requests: int, label: str) -> Load:
    """`clients` threads, each on its own keep-alive connection, ask for `path` until `seconds`
    have passed or `max_requests` were sent; non-`expect` answers count as errors."""
    result = Load(label)
    lock = threading.Lock()
    budget = [max_requests]
    stop = threading.Event()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies, errors = [], 0
        start.wait()
        try:
            while not stop.is_set() and time.perf_counter() < deadline:
                with lock:
                    if budget[0] <= 0:
                        break
                    budget[0] -= 1
                began = time.perf_counter()
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    connection.close()  # reconnects on the next request
                    errors += 1
                    continue
                if status == expect:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors += 1
        finally:
            connection.close()
            with lock:
                result.latencies.extend(latencies)
                result.errors += errors

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    try:
        for thread in threads:
            thread.join(seconds + 15)
    finally:
        stop.set()
    result.seconds = time.perf_counter() - began
    result.requests = len(result.latencies)
    return result


# --------------------------------------------------------------------------- one size

@dataclass
class SizeResult:
    units: int
    tasks: int
    in_process: InProcess
    http_page_bytes: int
    loads: dict[str, Load]


def bench_size(root: Path, units: int, tasks: int, args) -> SizeResult:
    root.mkdir(parents=True)
    config = settings(root)
    started = time.perf_counter()
    directive_id = build_database(config, units, tasks)
    print(f"  database built in {time.perf_counter() - started:.1f} s", flush=True)
    profile = args.profile and (units, tasks) == SIZES[-1]
    local = measure_in_process(config, directive_id, args.cold_repeats, profile)
    print(f"  in process: SQL {local.statements}, cold page "
          f"{statistics.median(local.cold_seconds) * 1000:.0f} ms (median)", flush=True)

    server = start_server(config, root, args.worker_class, args.workers, args.threads)
    try:
        server.wait_until_serving(timeout=20)
        browser = Browser(server.port)
        browser.login()
        url = f"/directives/{directive_id}/matrix"
        status, headers, page = browser.request("GET", url)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")
        tag = headers["HX-PTag"]
        cookie = {"Cookie": browser.cookie_header()}
        plans = {
            "full": (url, cookie, 200),
            "poll": (url, {**cookie, "HX-Request": "true", "HX-PTag": tag}, 304),
            "hello": ("/bench-hello", cookie, 200),
        }
        loads = {name: Load(name) for name in plans}
        # Warm up: every worker has rendered and cached the matrix, connections are open.
        for name, (path, request_headers, expect) in plans.items():
            generate_load(server.port, path, request_headers, expect, args.clients,
                          args.warmup, args.max_requests, name)
        # Interleaved: `rounds` turns of each, so that a change in the machine's load (other
        # work on it) weighs on the page, the poll and the hello alike.
        for _ in range(args.rounds):
            for name, (path, request_headers, expect) in plans.items():
                server_before, client_before = server.workers_cpu(), time.process_time()
                turn = generate_load(server.port, path, request_headers, expect, args.clients,
                                     args.seconds / args.rounds, args.max_requests, name)
                load = loads[name]
                load.server_cpu += server.workers_cpu() - server_before
                load.client_cpu += time.process_time() - client_before
                load.requests += turn.requests
                load.errors += turn.errors
                load.seconds += turn.seconds
                load.latencies += turn.latencies
        for name, load in loads.items():
            print(f"  {name:5} {load.rate:8.0f} req/s  p50 {load.percentile(50) * 1000:6.1f} ms"
                  f"  p95 {load.percentile(95) * 1000:6.1f} ms  errors {load.errors}"
                  f"  server CPU {load.cpu_per_request:5.2f} ms/req"
                  f"  (workers {load.server_cpu / load.seconds:4.0%},"
                  f" load generator {load.client_cpu / load.seconds:4.0%} of one CPU)",
                  flush=True)
    finally:
        server.stop()
    return SizeResult(units, tasks, local, len(page), loads)


# --------------------------------------------------------------------------- Excel

EXCEL_SIZE = (3321, 30)


def worker_memory(master_pid: int) -> dict[int, tuple[int, int]]:
    """Each gunicorn worker's (current, peak) resident memory in kB, from /proc."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip() or 0) == master_pid:
            found[int(fields["Pid"].strip())] = (int(fields["VmRSS"].split()[0]),
                                                 int(fields["VmHWM"].split()[0]))
    return found


@dataclass
class ExcelResult:
    units: int
    tasks: int
    seconds: float
    peak_mb: float  # the worker's peak resident memory (VmHWM), start-up included
    before_mb: float  # its resident memory just before the export
    size_bytes: int
    cpu_seconds: float = 0.0  # the worker's CPU time for the export


def bench_excel(root: Path, args) -> ExcelResult:
    """The Excel export of a 3,321 × 30 matrix from one gunicorn worker: its time from request
    to last byte, and the worker's peak resident memory."""
    units, tasks = EXCEL_SIZE
    root.mkdir(parents=True)
    config = settings(root)
    started = time.perf_counter()
    directive_id = build_database(config, units, tasks)
    print(f"  database built in {time.perf_counter() - started:.1f} s", flush=True)
    server = start_server(config, root, "gthread", 1, 1)
    try:
        server.wait_until_serving(timeout=20)
        browser = Browser(server.port)
        browser.login()
        before = worker_memory(server.process.pid)
        cpu = server.workers_cpu()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        began = time.perf_counter()
        connection.request("GET", f"/directives/{directive_id}/reports/matrix.xlsx",
                           headers={"Cookie": browser.cookie_header()})
        response = connection.getresponse()
        size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
        seconds = time.perf_counter() - began
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"the Excel export answered {response.status}")
        after = worker_memory(server.process.pid)
        cpu = server.workers_cpu() - cpu
    finally:
        server.stop()
    [(pid, (_, peak))] = after.items()
    result = ExcelResult(units, tasks, seconds, peak / 1024, before[pid][0] / 1024, size, cpu)
    print(f"  Excel {units}×{tasks}: {seconds:.1f} s (worker CPU {cpu:.1f} s), "
          f"{size / 1e6:.1f} MB; worker's peak RSS "
          f"{result.peak_mb:.0f} MB ({result.before_mb:.0f} MB before the request)", flush=True)
    return result


# --------------------------------------------------------------------------- the load

def bench_load(args) -> dict:
    """bench/load.py's run on the 1000 × 50 city: 100 viewers polling, 4 changes a second
    (uploads), 2 gunicorn workers."""
    from bench import load

    units, tasks = SIZES[-1]
    figures, _ = load.run(load.arguments(
        ["--units", str(units), "--tasks", str(tasks), "--workers", "2",
         "--seconds", f"{args.load_seconds:g}"]))
    return figures


# --------------------------------------------------------------------------- report

def report(results: list[SizeResult], args, load_before: tuple) -> None:
    load_after = os.getloadavg()
    print()
    print(f"gunicorn: {args.workers} workers, {args.worker_class}"
          + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
          + f"; load: {args.clients} keep-alive clients, {args.seconds:g} s per measurement; "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after")

    print()
    header = (f"{'size':>9} | {'page B':>8} {'fragment B':>10} | {'SQL: full cold':>14}"
              f" {'full warm':>9} {'poll':>4} {'fragment cold':>13} | {'cold page ms':>12}"
              f" {'(min)':>6}")
    print(header)
    print("-" * len(header))
    for r in results:
        s, cold = r.in_process.statements, r.in_process.cold_seconds
        print(f"{r.units:>4}×{r.tasks:<4} | {r.http_page_bytes:>8}"
              f" {r.in_process.fragment_bytes:>10} | {s['full, cold']:>14}"
              f" {s['full, warm']:>9} {s['poll, unchanged']:>4}"
              f" {s['fragment, cold']:>13} | {statistics.median(cold) * 1000:>12.0f}"
              f" {min(cold) * 1000:>6.0f}")
    print(f"(SQL statements counted in process with before_cursor_execute; cold page: in process, "
          f"matrix cache cleared, median and min of {args.cold_repeats})")

    print()
    header = (f"{'size':>9} {'request':>7} | {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7}"
              f" {'errors':>6} | {'CPU ms/req':>10} | {'req/s ÷ hello':>13}"
              f" {'CPU: hello ÷ this':>17}")
    print(header)
    print("-" * len(header))
    for r in results:
        hello = r.loads["hello"]
        for name in ("full", "poll", "hello"):
            load = r.loads[name]
            print(f"{r.units:>4}×{r.tasks:<4} {name:>7} | {load.rate:>6.0f}"
                  f" {load.percentile(50) * 1000:>7.1f} {load.percentile(95) * 1000:>7.1f}"
                  f" {load.errors:>6} | {load.cpu_per_request:>10.2f} |"
                  f" {load.rate / hello.rate:>13.0%}"
                  f" {hello.cpu_per_request / load.cpu_per_request:>17.0%}")
    print("(full: GET of the whole page, matrix cached per worker after the warm-up; poll: same URL"
          " with HX-Request and the current HX-PTag, 304 expected; hello: /bench-hello, the"
          " ceiling. CPU ms/req: the workers' CPU time over answers, from /proc)")

    print()
    print("Aims:")
    counts = {tuple(sorted(r.in_process.statements.items())) for r in results}
    per_size = "; ".join(
        f"{r.units}×{r.tasks}: " + "/".join(str(v) for v in r.in_process.statements.values())
        for r in results)
    print(f"  SQL statements per request do not grow with size: "
          f"{'met' if len(counts) == 1 else 'MISSED'} ({per_size}; full cold/full warm/poll/"
          f"fragment cold)")
    for r in results:
        poll, hello = r.loads["poll"], r.loads["hello"]
        ratio = poll.rate / hello.rate
        verdict = "met" if ratio >= POLL_AIM and not poll.errors else "MISSED"
        print(f"  unchanged poll ≥ {POLL_AIM:.0%} of ceiling, {r.units}×{r.tasks}: {verdict}"
              f" ({ratio:.0%} by req/s, {hello.cpu_per_request / poll.cpu_per_request:.0%}"
              f" by CPU per request; {poll.errors} non-304)")
    small = results[0]
    full, hello = small.loads["full"], small.loads["hello"]
    ratio = full.rate / hello.rate
    print(f"  full {small.units}×{small.tasks} page ≥ {FULL_AIM:.0%} of ceiling: "
          f"{'met' if ratio >= FULL_AIM else 'MISSED'} ({ratio:.0%} by req/s, "
          f"{hello.cpu_per_request / full.cpu_per_request:.0%} by CPU per request)")
    big = results[-1]
    cold = statistics.median(big.in_process.cold_seconds)
    print(f"  cold {big.units}×{big.tasks} page < {COLD_AIM:g} s: "
          f"{'met' if cold < COLD_AIM else 'MISSED'} (median {cold * 1000:.0f} ms, "
          f"min {min(big.in_process.cold_seconds) * 1000:.0f} ms, "
          f"max {max(big.in_process.cold_seconds) * 1000:.0f} ms)")


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError, StopIteration):
        model = next(line.split(":", 1)[1].strip() for line in
                     Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    return f"{os.cpu_count()} CPUs{f' ({model})' if model else ''}"


def markdown(results: list[SizeResult], excel: ExcelResult | None, load: dict | None,
             load_before: tuple) -> str:
    """The README's figures table, as this run measured it."""
    small, big = results[0], results[-1]
    hello = small.loads["hello"]
    full, poll = small.loads["full"], small.loads["poll"]
    cold = big.in_process
    lines = [
        f"{date.today():%d/%m/%Y}, {machine()}, load average {load_before[0]:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after (the machine is shared); gunicorn 2 gthread workers; "
        "hello: `/bench-hello` of bench/serve.py, `login_required`, answering the user's name "
        "(Flask, the portal's middleware and hooks, the session, the user's row), asked in the "
        "same session as the page, interleaved with it.",
        "",
        "| measure | this run | aim |",
        "| --- | --- | --- |",
        f"| full {small.units}×{small.tasks} page ÷ logged-in hello, same session | "
        f"{full.rate / hello.rate:.0%} ({full.rate:.0f} ÷ {hello.rate:.0f} req/s; by CPU per "
        f"request {hello.cpu_per_request / full.cpu_per_request:.0%}) | ≥ 40 % |",
        f"| unchanged poll ÷ logged-in hello ({small.units}×{small.tasks}) | "
        f"{poll.rate / hello.rate:.0%} ({poll.rate:.0f} ÷ {hello.rate:.0f} req/s; by CPU per "
        f"request {hello.cpu_per_request / poll.cpu_per_request:.0%}) | ≥ 80 % |",
        f"| cold {big.units}×{big.tasks} render (whole page, in process, median of "
        f"{len(cold.cold_seconds)}) | {statistics.median(cold.cold_seconds):.2f} s "
        f"(CPU {statistics.median(cold.cold_cpu):.2f} s) | ≤ 0.3 s |",
    ]
    if load is not None:
        lines.append(
            f"| {big.units}×{big.tasks}, 100 viewers polling, "
            f"{load['changes_per_second']:.1f} changes/s, 2 workers: page p95 / poll p95 / "
            f"timeouts | {load['page_p95']:.2f} s / {load['poll_p95'] * 1000:.0f} ms / "
            f"{load['timeouts']} ({load['pages']} pages, {load['polls']} polls, "
            f"{load['errors']} errors) | ≤ 1.5 s / ≤ 300 ms / 0 |")
    if excel is not None:
        lines.append(excel_row(excel))
    return "\n".join(lines)


def excel_row(excel: ExcelResult) -> str:
    return (f"| Excel {excel.units:,}×{excel.tasks}: time / peak RSS of the worker | "
            f"{excel.seconds:.1f} s (worker CPU {excel.cpu_seconds:.1f} s) / "
            f"{excel.peak_mb:.0f} MB ({excel.before_mb:.0f} MB before the request) "
            "| ≤ 10 s / ≤ 150 MB |")


def excel_markdown(excel: ExcelResult, load_before: tuple) -> str:
    """The README table's Excel row alone (`--only-excel`), with its date and machine."""
    return "\n".join([
        f"{date.today():%d/%m/%Y}, {machine()}, load average {load_before[0]:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after (the machine is shared); gunicorn 1 gthread worker.",
        "", "| measure | this run | aim |", "| --- | --- | --- |", excel_row(excel)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per measurement (4)")
    parser.add_argument("--warmup", type=float, default=0.5, help="before each measurement")
    parser.add_argument("--max-requests", type=int, default=50_000,
                        help="per measurement, whatever the time (50000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker (4)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="turns of page, poll and hello, interleaved (4)")
    parser.add_argument("--cold-repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true",
                        help="cProfile one cold render of the largest size")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--no-load", action="store_true",
                        help="leave out bench/load.py's run on 1000 × 50")
    parser.add_argument("--load-seconds", type=float, default=30, help="its length (30)")
    parser.add_argument("--no-excel", action="store_true",
                        help="leave out the Excel export of 3,321 × 30")
    parser.add_argument("--only-excel", action="store_true",
                        help="the Excel export alone (no sizes, no load)")
    parser.add_argument("--markdown", action="store_true",
                        help="end with the README's figures table")
    args = parser.parse_args()
    # `kill` ends the run like Ctrl-C does: through the finally blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.perf_counter()
    load_before = os.getloadavg()
    temp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    results = []
    try:
        if args.only_excel:
            print(f"Excel, {EXCEL_SIZE[0]} units × {EXCEL_SIZE[1]} tasks", flush=True)
            excel = bench_excel(temp / "excel", args)
            if args.markdown:
                print()
                print(excel_markdown(excel, load_before))
            return
        for units, tasks in SIZES:
            print(f"{units} units × {tasks} tasks", flush=True)
            results.append(bench_size(temp / f"{units}x{tasks}", units, tasks, args))
        excel = load = None
        if not args.no_excel:
            print(f"Excel, {EXCEL_SIZE[0]} units × {EXCEL_SIZE[1]} tasks", flush=True)
            excel = bench_excel(temp / "excel", args)
        if not args.no_load:
            print(f"load, {SIZES[-1][0]} units × {SIZES[-1][1]} tasks", flush=True)
            load = bench_load(args)
        report(results, args, load_before)
        if args.markdown:
            print()
            print(markdown(results, excel, load, load_before))
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn stopped", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        if args.keep:
            print(f"kept {temp}")
        else:
            import shutil

            shutil.rmtree(temp, ignore_errors=True)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
