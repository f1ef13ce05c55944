"""The WSGI app that bench/matrix.py serves with gunicorn: the portal, built from PORTAL_*
environment variables, plus /bench-hello, the "logged-in hello": `login_required`, it answers
the user's name, so it costs Flask, the portal's middleware and request hooks, the session cookie
and the logged-in user's row (one statement), as every page does, and nothing more. That route is
the ceiling the matrix is compared with, in the same session; it exists here only, never in the
portal itself.

    BENCH_INSTANCE_PATH=/tmp/x PORTAL_DATABASE_URL=sqlite:////tmp/x/db.sqlite3 \
        gunicorn --chdir /work/main bench.serve:app
"""

from __future__ import annotations

import os

from flask_login import current_user, login_required

from portal import create_app

# The instance folder too, so that the repository's instance/config.py never leaks in.
_overrides = {"INSTANCE_PATH": os.environ["BENCH_INSTANCE_PATH"]} \
    if os.environ.get("BENCH_INSTANCE_PATH") else None

app = create_app(_overrides)


@app.get("/bench-hello")
@login_required
def bench_hello() -> str:
    return f"hello {current_user.username}"
