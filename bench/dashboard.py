"""Benchmark of `flask seed-scale` and of the dashboard at the size of a country: builds a
database of 3,321 units × 30 tasks (99,630 items) with seed-scale, then asks for the dashboard
as a logged-in reviewer through Flask's test client and prints its size and time.

    .venv/bin/python bench/dashboard.py                  # PostgreSQL, see below
    .venv/bin/python bench/dashboard.py --sqlite         # a SQLite file in a temporary folder
    .venv/bin/python bench/dashboard.py --units 300 --tasks 25 --repeat 5

On PostgreSQL the database is made next to BENCH_DATABASE_URL's (else TEST_DATABASE_URL's), named
after it with `_bench_dashboard`, dropped and made again at each run; the database the URL names
is never written. Times: seed-scale once (the command as an administrator runs it, in a new
process); the dashboard's first answer (cold: the process has built nothing yet) and the median
of --repeat answers after it, wall time and this process's CPU time (the database's is not in
it: on a loaded machine compare CPU, and the load average printed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "portal"]
PASSWORD = "Thu-nghiem-quy-mo-2026"
AIM_BYTES, AIM_SECONDS = 300_000, 1.0


def fresh_postgres(url: str) -> str:
    """A new database beside `url`'s: `<name>_bench_dashboard`."""
    base = make_url(url)
    name = f"{base.database}_bench_dashboard"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def run_flask(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_DATABASE_URL": url}
    return subprocess.run([*FLASK, *args], env=env, capture_output=True, text=True, check=True,
                          cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--tasks", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        if options.sqlite:
            url = f"sqlite:///{folder}/bench.db"
        else:
            base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
            if not base:
                sys.exit("BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL), or --sqlite")
            url = fresh_postgres(base)
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.uname().nodename} · "
              f"{os.cpu_count()} CPUs · {make_url(url).get_backend_name()}")
        run_flask(url, "db", "upgrade")
        started = time.perf_counter()
        seeded = run_flask(url, "seed-scale", "--units", str(options.units),
                           "--tasks", str(options.tasks), "--password", PASSWORD)
        seed_seconds = time.perf_counter() - started
        print(f"seed-scale {options.units} × {options.tasks}: {seed_seconds:.1f} s "
              f"(the command's own count: {seeded.stderr.strip().splitlines()[-1]})")
        measure_dashboard(url, folder, options.repeat)


def measure_dashboard(url: str, folder: str, repeat: int) -> None:
    from portal import create_app
    from portal.extensions import db
    from portal.models import Directive

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": f"{folder}/instance",
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"username": "noivu.duyet", "password": PASSWORD})
    assert response.status_code == 303, response.status_code
    with app.app_context():
        directive_id = db.session.query(Directive.id).scalar()
    pages = {"dashboard": f"/directives/{directive_id}/dashboard"}
    if "dashboard.units" in app.view_functions:
        pages["full table, page 1"] = f"/directives/{directive_id}/dashboard/units"
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print(f"{'page':<22} {'bytes':>12} {'first s':>9} {'median s':>9} {'CPU ms':>8}")
    for label, path in pages.items():
        started = time.perf_counter()
        first = client.get(path)
        cold = time.perf_counter() - started
        assert first.status_code == 200, first.status_code
        times, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            assert client.get(path).status_code == 200
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        size = len(first.get_data())
        median = statistics.median(times)
        print(f"{label:<22} {size:>12,} {cold:>9.2f} {median:>9.2f} "
              f"{1000 * statistics.median(cpu):>8.0f}")
        if label == "dashboard":
            print(f"aim ≤ {AIM_BYTES:,} bytes: {'met' if size <= AIM_BYTES else 'MISSED'}; "
                  f"aim ≤ {AIM_SECONDS} s (median): "
                  f"{'met' if median <= AIM_SECONDS else 'MISSED'}")
    print(f"load average after: {os.getloadavg()[0]:.1f} (CPU ms: this process alone, "
          "not the database's)")


if __name__ == "__main__":
    main()
