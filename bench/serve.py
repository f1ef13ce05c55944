"""The WSGI app that bench/matrix.py serves with gunicorn: the portal, built from PORTAL_*
environment variables, plus a bare /bench-hello route that costs only Flask, the session and
the logged-in user. That route is the ceiling the matrix is compared with; it exists here only,
never in the portal itself.

    BENCH_INSTANCE_PATH=/tmp/x PORTAL_DATABASE_URL=sqlite:////tmp/x/db.sqlite3 \
        gunicorn --chdir /work/main bench.serve:app
"""

from __future__ import annotations

import os

from portal import create_app

# The instance folder too, so that the repository's instance/config.py never leaks in.
_overrides = {"INSTANCE_PATH": os.environ["BENCH_INSTANCE_PATH"]} \
    if os.environ.get("BENCH_INSTANCE_PATH") else None

app = create_app(_overrides)


@app.get("/bench-hello")
def bench_hello() -> str:
    return "hello"
