"""Commands that write while the portal serves take SQLite's write lock when each of their
transactions begins (BEGIN IMMEDIATE), as the portal's own writing requests do: a transaction that
began as a read and then writes fails at once with "database is locked" when a request committed
in between (SQLite cannot let it write from an old snapshot), whatever the busy timeout. So the
daily `remind`, run while units save their work, waits its turn instead of failing."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from portal.extensions import db

from .support.apps import seeded_app
from .support.clients import Browser
from .support.directives import FUTURE
from .support.marks import SERVERS
from .support.servers import APP_SETTINGS, Gunicorn, portal_environment


class Saves:
    """Units saving notes on their items over HTTP, as fast as the served portal takes them."""

    def __init__(self, port: int, items: dict[str, int]):
        self.port, self.items = port, items
        self.stop = threading.Event()
        self.done = 0
        self.failed: list[str] = []
        self.threads = [threading.Thread(target=self._save, args=(name, item), daemon=True)
                        for name, item in items.items()]

    def _save(self, username: str, item_id: int) -> None:
        unit = Browser(self.port)
        unit.login(username)
        n = 0
        while not self.stop.is_set():
            response = unit.http.post(f"/items/{item_id}/save",
                                      data={"note": f"{username} lần {n}",
                                            "csrf_token": unit.token})
            if response.status_code != 303:
                self.failed.append(f"{username}: {response.status_code}")
            self.done += 1
            n += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


@SERVERS
def test_remind_succeeds_while_units_save_through_the_served_portal(app, ids, tmp_path: Path):
    server = Gunicorn("portal:create_app()", tmp_path / "server.log",
                      ["--workers", "2", "--threads", "4", "--error-logfile", "-"],
                      env=portal_environment(app.config, APP_SETTINGS))
    items = {f"phuong{n}": ids.item(f"Phường {n}", "1.2") for n in range(1, 5)}
    runner = app.test_cli_runner()
    try:
        server.wait_until_serving()
        with Saves(server.port, items) as saves:
            while saves.done < 20:  # every unit at work
                threading.Event().wait(0.05)
            before = saves.done
            # A day's run gives that day's digests: each run below writes. After each run the
            # units save at least once more (within 15 s) before the next: runs back to back in
            # one process would re-take the lock before a waiting request's busy handler wakes,
            # which the daily run never does.
            results = []
            for day in (date(2023, 6, 1) + timedelta(days=n) for n in range(12)):
                results.append(runner.invoke(args=["remind", "--today", f"{day:%d/%m/%Y}"]))
                mark = saves.done
                for _ in range(300):
                    if saves.done > mark:
                        break
                    threading.Event().wait(0.05)
            saved_meanwhile = saves.done - before
    finally:
        server.stop()
    assert [(r.exit_code, r.output, repr(r.exception)) for r in results if r.exit_code] == []
    assert all("Đã tạo" in r.output for r in results), [r.output for r in results]
    assert saves.failed == []
    assert saved_meanwhile >= 12, saved_meanwhile  # the units kept saving all along


# --- every writing command, one by one ---------------------------------------------------------

SQLITE = pytest.mark.skipif(
    "os.environ.get('TEST_DATABASE_URL', '').startswith('postgresql')",
    reason="BEGIN IMMEDIATE is SQLite's; PostgreSQL's writers wait on row locks")


def begins(app, *args: str) -> tuple[list[str], object]:
    """The BEGIN statements of the app's connections while the command runs, and its result."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.upper().startswith("BEGIN"):
            seen.append(statement.upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        result = app.test_cli_runner().invoke(args=list(args))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen, result


def only_immediate(seen: list[str]) -> bool:
    return bool(seen) and set(seen) == {"BEGIN IMMEDIATE"}


@SQLITE
def test_remind_and_load_directive_take_the_write_lock_up_front(app, tmp_path):
    seen, result = begins(app, "remind", "--today", "01/06/2023")
    assert result.exit_code == 0, result.output
    assert only_immediate(seen), seen
    letter = tmp_path / "future.yaml"
    letter.write_text(FUTURE, encoding="utf-8")
    seen, result = begins(app, "load-directive", str(letter))
    assert result.exit_code == 0, result.output
    assert only_immediate(seen), seen


@SQLITE
def test_a_command_that_only_reads_reads_a_snapshot(app):
    seen, result = begins(app, "verify-audit")
    assert result.exit_code == 0, result.output
    assert seen and set(seen) == {"BEGIN"}


@pytest.fixture
def mail_app(tmp_path, database_url):
    yield from seeded_app(tmp_path, database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=9)


@SQLITE
def test_send_mail_takes_the_write_lock_up_front(mail_app):
    seen, result = begins(mail_app, "send-mail")
    assert result.exit_code == 0, result.output
    assert only_immediate(seen), seen


@SQLITE
def test_seed_demo_and_restore_take_the_write_lock_up_front(tmp_path, empty_database_url):
    for app in seeded_app(tmp_path, empty_database_url):
        with app.app_context():
            db.create_all()
            db.session.remove()
        seen, result = begins(app, "seed-demo", "--password", "Sa-Dec-cchc-2024!")
        assert result.exit_code == 0, result.output
        assert only_immediate(seen), seen
        backup = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
        assert backup.exit_code == 0, backup.output
        seen, result = begins(app, "restore", "--force", str(tmp_path / "backup"))
        assert result.exit_code == 0, result.output
        assert only_immediate(seen), seen
