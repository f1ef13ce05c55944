"""Trust in accounts and in the record: failed logins limited per account and per address in a
counter every process shares, passwords that resist guessing, no demo password by default in
production, cookies and headers that keep a session to its browser, and an audit log whose chain
of hashes shows any event edited or deleted."""

from __future__ import annotations

import importlib.util
import itertools
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import abort
from itsdangerous import URLSafeTimedSerializer
from markupsafe import escape
from sqlalchemy import func, select, text

from portal import audit, create_app
from portal.demo import sample_pdf
from portal.extensions import db
from portal.models import AuditEvent, Evidence, LoginFailure

from .support.apps import seeded_app, test_settings
from .support.clients import PASSWORD, PortalClient, client_at
from .support.records import last_audit_id

WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
ADDRESS_LOCKED = "Máy của bạn (địa chỉ mạng này) đã nhập sai mật khẩu quá nhiều lần"


def fail(client: PortalClient, username: str, times: int) -> list[int]:
    return [client.post("/login", {"username": username, "password": "sai-mat-khau-roi"})
            .status_code for _ in range(times)]


def actions_since(app, since: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(AuditEvent.action, AuditEvent.username)
            .where(AuditEvent.id > since).order_by(AuditEvent.id))]


def age_failures(app, minutes: int) -> None:
    """Let time pass for the failures recorded so far."""
    with app.app_context():
        for failure in db.session.scalars(select(LoginFailure)):
            failure.at -= timedelta(minutes=minutes)
        db.session.commit()


# --- failed logins -------------------------------------------------------------------------------


def test_ten_failures_from_one_address_make_it_wait_and_the_right_password_waits_too(app):
    client = client_at(app, "10.0.0.1")
    since = last_audit_id(app)
    assert fail(client, "phuong1", 9) == [401] * 9
    tenth = client.post("/login", {"username": "phuong1", "password": "sai-mat-khau-roi"})
    assert tenth.status_code == 429
    right = client.post("/login", {"username": "phuong1", "password": PASSWORD})
    assert right.status_code == 429
    html = right.get_data(as_text=True)
    assert ADDRESS_LOCKED in html and 'role="alert"' in html
    assert 'name="username"' in html and 'name="password"' in html  # the form is still there
    assert WRONG_LOGIN not in html
    assert 0 < int(right.headers["Retry-After"]) <= 15 * 60
    assert actions_since(app, since) == [("login.failed", "phuong1")] * 10 + [
        ("login.locked", "phuong1")]
    # The account itself, from another machine, is not affected (tests/test_login_guard.py).
    assert client_at(app, "10.0.0.3").login("phuong1").status_code == 303


def test_locked_message_says_when_to_try_again_in_the_citys_time(app):
    client = client_at(app, "10.0.0.1")
    fail(client, "phuong1", 10)
    with app.app_context():
        first = db.session.scalar(select(func.min(LoginFailure.at)))
    until = (first + timedelta(minutes=15)).replace(tzinfo=UTC)
    local = until.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M %d/%m/%Y")
    html = client.login("phuong1").get_data(as_text=True)
    minutes = re.search(r"Vui lòng thử lại sau (\d+) phút \(lúc ([^)]+)\)\.", html)
    assert minutes, html
    assert 14 <= int(minutes.group(1)) <= 15
    assert minutes.group(2) == local


def test_the_lock_lifts_when_the_failures_are_fifteen_minutes_old(app):
    client = client_at(app, "10.0.0.1")
    fail(client, "phuong1", 10)
    assert client.login("phuong1").status_code == 429
    age_failures(app, 14)
    assert client.login("phuong1").status_code == 429
    age_failures(app, 1)
    assert client.login("phuong1").status_code == 303


def test_attempts_while_locked_are_not_counted(app):
    client = client_at(app, "10.0.0.1")
    fail(client, "phuong1", 10)
    since = last_audit_id(app)
    assert fail(client, "phuong1", 5) == [429] * 5
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginFailure.id))) == 10
    assert actions_since(app, since) == []


def test_failures_from_one_address_lock_that_address_for_every_account(app):
    office = client_at(app, "10.0.0.7")
    names = [f"khongcoai{n}" for n in range(9)] + ["phuong2"]
    statuses = [office.post("/login", {"username": name, "password": "doan-bua-di"}).status_code
                for name in names]
    assert statuses == [401] * 9 + [429]
    response = office.login("phuong1")  # right password, another account, same address
    assert response.status_code == 429
    assert ADDRESS_LOCKED in response.get_data(as_text=True)
    # The same accounts from another address are fine: each has failed once only.
    assert client_at(app, "10.0.0.8").login("phuong1").status_code == 303
    with app.app_context():
        [locked] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "login.locked"))
        assert locked.after["scope"] == "address" and locked.ip == "10.0.0.7"


@pytest.fixture
def proxied_app(tmp_path, database_url):
    """The portal behind one reverse proxy (PORTAL_PROXIES=1)."""
    yield from seeded_app(tmp_path, database_url, PROXIES=1)


def behind_proxy(app, user_address: str) -> PortalClient:
    """A browser whose requests come through the proxy at 10.0.0.5."""
    client = client_at(app, "10.0.0.5")
    client.client.environ_base["HTTP_X_FORWARDED_FOR"] = user_address
    return client


def test_behind_a_proxy_each_user_is_known_by_their_own_address(proxied_app):
    names = [f"khongcoai{n}" for n in range(10)]
    guesser = behind_proxy(proxied_app, "10.1.2.3")
    statuses = [guesser.post("/login", {"username": name, "password": "doan-bua-di"})
                .status_code for name in names]
    assert statuses == [401] * 9 + [429]
    # Another user behind the same proxy is not locked out by the guesser's failures.
    assert behind_proxy(proxied_app, "10.1.2.4").login("phuong1").status_code == 303
    with proxied_app.app_context():
        addresses = set(db.session.scalars(select(AuditEvent.ip)))
    assert addresses == {"10.1.2.3", "10.1.2.4"}


@pytest.fixture
def app_behind_known_proxy(tmp_path, database_url):
    """The portal behind one reverse proxy that connects from 10.0.0.5 only, named app7."""
    yield from seeded_app(tmp_path, database_url, PROXIES=1, PROXY_ADDRESSES="10.0.0.5",
                          SERVER_ID="app7")


def test_a_forwarded_address_is_believed_only_from_the_proxys_address(app_behind_known_proxy):
    app = app_behind_known_proxy
    through_proxy = behind_proxy(app, "10.1.2.3")
    assert through_proxy.post("/login", {"username": "khongcoai", "password": "sai"}
                              ).status_code == 401
    # Someone reaching the app server directly, claiming an address: known by their own.
    direct = client_at(app, "10.0.0.9")
    direct.client.environ_base["HTTP_X_FORWARDED_FOR"] = "10.1.2.4"
    response = direct.post("/login", {"username": "khongcoai2", "password": "sai"})
    assert response.status_code == 401
    assert response.headers["X-Portal-Server"] == "app7"
    with app.app_context():
        assert dict(db.session.execute(select(LoginFailure.username, LoginFailure.ip)).all()) \
            == {"khongcoai": "10.1.2.3", "khongcoai2": "10.0.0.9"}


def test_without_a_server_id_no_server_is_named(app):
    assert "X-Portal-Server" not in client_at(app, "10.0.0.1").get("/login").headers


def test_without_proxies_set_a_forwarded_address_is_ignored(app):
    """Anyone can send X-Forwarded-For: unless a proxy is declared, it changes nothing."""
    for n in range(10):
        behind_proxy(app, f"10.9.9.{n}").post("/login", {"username": f"x{n}", "password": "sai"})
    response = behind_proxy(app, "10.9.9.99").login("phuong1")
    assert response.status_code == 429
    assert ADDRESS_LOCKED in response.get_data(as_text=True)
    with app.app_context():
        assert set(db.session.scalars(select(AuditEvent.ip).where(
            AuditEvent.action.like("login%")))) == {"10.0.0.5"}


def test_unknown_names_lock_like_real_ones(app):
    """A lock tells nothing about which accounts exist."""
    bodies = []
    for name in ("phuong1", "khongcoai"):
        client = client_at(app, f"10.0.1.{len(bodies)}")
        fail(client, name, 10)
        response = client.post("/login", {"username": name, "password": PASSWORD})
        html = response.get_data(as_text=True).replace(f'value="{name}"', "")
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        html = html.replace(token, "")
        html = re.sub(r"thử lại sau \d+ phút \(lúc [^)]+\)", "", html)
        bodies.append((response.status_code, html))
    assert bodies[0][0] == bodies[1][0] == 429
    assert bodies[0][1] == bodies[1][1]


def test_a_successful_login_forgets_the_accounts_failures_but_not_the_addresss(app):
    client = client_at(app, "10.0.0.1")
    assert fail(client, "phuong1", 9) == [401] * 9
    assert client.login("phuong1").status_code == 303
    other = client_at(app, "10.0.0.2")
    assert fail(other, "phuong1", 1) == [401]  # the account starts afresh
    again = client_at(app, "10.0.0.1")
    assert fail(again, "phuong2", 1) == [429]  # the address still has its nine plus this one


def test_the_counter_is_shared_by_every_server_process(app, tmp_path):
    """Two portals on one database, as two gunicorn workers are: failures add up."""
    other = create_app(test_settings(tmp_path / "other", app.config["DATABASE_URL"]))
    assert fail(client_at(app, "10.0.0.1"), "phuong1", 5) == [401] * 5
    assert fail(client_at(other, "10.0.0.1"), "phuong2", 5) == [401] * 4 + [429]
    assert client_at(app, "10.0.0.1").login("phuong3").status_code == 429
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_limits_come_from_the_settings(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("PORTAL_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("PORTAL_LOGIN_WINDOW_MINUTES", "5")
    monkeypatch.setenv("PORTAL_LOGIN_ACCOUNT_MAX_FAILURES", "12")
    app = create_app(test_settings(tmp_path, database_url))
    assert app.config["LOGIN_MAX_FAILURES"] == 3 and app.config["LOGIN_WINDOW_MINUTES"] == 5
    assert app.config["LOGIN_ACCOUNT_MAX_FAILURES"] == 12


# --- passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "new, message",
    [
        ("12345678", "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."),
        ("MatKhau123", "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."),
        ("aaaabbbb", "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."),
        ("phuong1-2024", "Mật khẩu không được chứa tên đăng nhập."),
        ("Phuong1", "Mật khẩu mới cần từ 8 đến 200 ký tự."),
    ],
    ids=["digits", "matkhau123", "two-letters", "contains-username", "too-short"],
)
def test_weak_new_password_is_refused(app, login, new, message):
    client = login("phuong1")
    response = client.post("/account/password",
                           {"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 422
    assert str(escape(message)) in response.get_data(as_text=True)
    assert client_at(app, "10.9.9.9").login("phuong1").status_code == 303  # unchanged


@pytest.fixture
def production_app(tmp_path, empty_database_url, monkeypatch):
    from flask_migrate import upgrade

    monkeypatch.setenv("PORTAL_ENV", "production")
    app = create_app({**test_settings(tmp_path, empty_database_url), "TESTING": False})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_refuses_demo_accounts_without_a_chosen_password(production_app):
    assert production_app.config["PRODUCTION"]
    runner = production_app.test_cli_runner()
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "--password" in refused.output
    weak = runner.invoke(args=["seed-demo", "--password", "12345678"])
    assert weak.exit_code != 0 and "quá phổ biến" in weak.output
    with production_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    chosen = runner.invoke(args=["seed-demo", "--password", "Sa-Dec-cchc-2024!"])
    assert chosen.exit_code == 0, chosen.output


def test_development_is_the_default(app):
    assert app.config["ENV"] == "development" and not app.config["PRODUCTION"]


# --- cookies and headers -------------------------------------------------------------------------


def set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


class HttpsClient(PortalClient):
    """A browser on https://: Flask-WTF then also wants the Referer a browser sends."""

    def post(self, url, data=None, htmx=False, csrf=True, **kwargs):
        headers = {"Referer": "https://localhost/login", **kwargs.pop("headers", {})}
        return super().post(url, data, htmx=htmx, csrf=csrf, headers=headers, **kwargs)


@pytest.fixture
def https_app(tmp_path, database_url):
    yield from seeded_app(tmp_path, database_url, HTTPS=True)


def test_cookies_are_httponly_lax_and_not_secure_over_plain_http(app, visitor):
    response = visitor.post("/login", {"username": "phuong1", "password": PASSWORD,
                                       "remember": "y"})
    cookies = set_cookies(response)
    assert set(cookies) == {"session", "remember_token", "login_device"}
    for header in cookies.values():
        assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    assert "Strict-Transport-Security" not in response.headers


def test_under_https_cookies_are_secure_and_remember_me_lasts_14_days(https_app):
    assert https_app.config["SESSION_COOKIE_SECURE"] and https_app.config["REMEMBER_COOKIE_SECURE"]
    client = HttpsClient(https_app.test_client())
    response = client.post("/login", {"username": "phuong1", "password": PASSWORD,
                                      "remember": "y"})
    assert response.status_code == 303
    cookies = set_cookies(response)
    for header in cookies.values():
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    expires = re.search(r"Expires=([^;]+)", cookies["remember_token"]).group(1)
    lasts = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(
        tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(days=13, hours=23) < lasts <= timedelta(days=14)


def test_remember_me_is_capped_at_14_days(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "REMEMBER_COOKIE_DURATION": 90 * 24 * 3600})
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)


def test_https_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_HTTPS", "1")
    assert create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}).config["HTTPS"]
    monkeypatch.setenv("PORTAL_HTTPS", "0")
    assert not create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}).config["HTTPS"]


SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy", "Strict-Transport-Security")


def test_every_kind_of_response_carries_the_security_headers_and_hsts(https_app):
    @https_app.get("/hong")
    def broken():
        raise RuntimeError("a bug")

    @https_app.get("/cam")
    def forbidden():
        abort(403)

    def ids_of(query):
        with https_app.app_context():
            return db.session.scalar(query)

    from portal.models import Directive, Progress, Task, Unit

    item_id = ids_of(select(Progress.id).join(Task, Task.id == Progress.task_id)
                     .join(Unit, Unit.id == Progress.unit_id)
                     .where(Unit.name == "Phường 1", Task.code == "1.1"))
    directive_id = ids_of(select(Directive.id))
    ward = HttpsClient(https_app.test_client())
    assert ward.login("phuong1").status_code == 303
    assert ward.upload(item_id, sample_pdf("hsts"), "Báo cáo.pdf").status_code == 200
    evidence_id = ids_of(select(Evidence.id))
    reviewer = HttpsClient(https_app.test_client())
    assert reviewer.login("noivu.duyet").status_code == 303
    matrix = reviewer.get(f"/directives/{directive_id}/matrix", htmx=True)
    poll = reviewer.get(f"/directives/{directive_id}/matrix", htmx=True,
                        headers={"HX-PTag": matrix.headers["HX-PTag"]})
    responses = {
        "login page": HttpsClient(https_app.test_client()).get("/login"),
        "page": ward.get(f"/items/{item_id}"),
        "304": poll,
        "download": ward.get(f"/evidence/{evidence_id}/download"),
        "static": ward.get("/static/portal.css"),
        "404": ward.get("/khong-co-trang-nay"),
        "403": ward.get("/cam"),
        "500": ward.get("/hong"),
        "htmx 500": ward.get("/hong", htmx=True),
        "redirect": HttpsClient(https_app.test_client()).get("/directives"),
    }
    expected = {"304": 304, "404": 404, "403": 403, "500": 500, "htmx 500": 500,
                "redirect": 302}
    for name, response in responses.items():
        assert response.status_code == expected.get(name, 200), name
        for header in SECURITY_HEADERS:
            assert header in response.headers, (name, header)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000", name


def test_csrf_token_of_days_ago_is_still_accepted(app, visitor):
    """A form left open over a weekend still submits (WTF_CSRF_TIME_LIMIT = None)."""
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    visitor.get("/login")
    with visitor.client.session_transaction() as session:
        raw = session["csrf_token"]

    class ThreeDaysAgo(URLSafeTimedSerializer):
        def get_timestamp(self):
            return int((datetime.now(UTC) - timedelta(days=3)).timestamp())

    old_token = ThreeDaysAgo(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    response = visitor.post("/login", {"username": "phuong1", "password": PASSWORD,
                                       "csrf_token": old_token}, csrf=False)
    assert response.status_code == 303


# --- the audit chain -----------------------------------------------------------------------------


def verify(app):
    return app.test_cli_runner().invoke(args=["verify-audit"])


def make_events(app, count: int = 5) -> list[int]:
    """Some real activity: logins and failed logins, each an audit event."""
    for n in range(count):
        client_at(app, f"10.1.0.{n}").login("phuong1" if n % 2 else "phuong2")
    fail(client_at(app, "10.1.1.1"), "phongtuphap", 2)
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def test_untouched_log_verifies_with_its_count(app):
    ids = make_events(app)
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK: {len(ids)} sự kiện")
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.prev_hash, AuditEvent.hash)
                                  .order_by(AuditEvent.id)).all()
    assert rows[0].prev_hash == ""
    assert all(len(row.hash) == 64 for row in rows)
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))


def test_edited_event_is_named(app):
    ids = make_events(app)
    edited = ids[3]
    with app.app_context():
        db.session.execute(text("UPDATE audit_events SET username = 'ai-do' WHERE id = :id"),
                           {"id": edited})
        db.session.commit()
    result = verify(app)
    assert result.exit_code == 1
    assert f"sự kiện #{edited}: nội dung không khớp mã băm" in result.output


def test_edited_event_with_its_hash_recomputed_breaks_the_next_link(app):
    ids = make_events(app)
    edited = ids[3]
    with app.app_context():
        db.session.execute(text("UPDATE audit_events SET ip = '1.2.3.4' WHERE id = :id"),
                           {"id": edited})
        row = db.session.execute(select(AuditEvent.__table__).where(AuditEvent.id == edited)
                                 ).mappings().one()
        db.session.execute(text("UPDATE audit_events SET hash = :h WHERE id = :id"),
                           {"h": audit.event_hash(row, row["prev_hash"]), "id": edited})
        db.session.commit()
    result = verify(app)
    assert result.exit_code == 1
    assert f"sự kiện #{ids[4]}: không nối tiếp sự kiện #{edited}" in result.output


def test_deleted_event_is_named(app):
    ids = make_events(app)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[2]})
        db.session.commit()
    result = verify(app)
    assert result.exit_code == 1
    assert f"sự kiện #{ids[3]}: không nối tiếp sự kiện #{ids[1]}" in result.output
    assert "đã bị xoá hoặc sửa" in result.output


def test_deleted_first_event_is_named(app):
    ids = make_events(app)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[0]})
        db.session.commit()
    result = verify(app)
    assert result.exit_code == 1 and f"sự kiện #{ids[1]}: không nối tiếp đầu nhật ký" in \
        result.output


def test_event_inserted_behind_the_portals_back_is_named(app):
    make_events(app)
    with app.app_context():
        db.session.execute(text(
            "INSERT INTO audit_events (at, username, action, target_type, ip) "
            "VALUES (:at, 'ai-do', 'login', '', '')"), {"at": datetime(2024, 1, 1)})
        db.session.commit()
        forged = db.session.scalar(select(func.max(AuditEvent.id)))
    result = verify(app)
    assert result.exit_code == 1 and f"sự kiện #{forged}: không có mã băm" in result.output


def test_committed_event_cannot_be_changed_or_deleted_through_the_portal(app):
    make_events(app)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).limit(1))
        event.username = "ai-do"
        with pytest.raises(RuntimeError, match="already committed"):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEvent).limit(1)))
        with pytest.raises(RuntimeError, match="already committed"):
            db.session.flush()
        db.session.rollback()
    assert verify(app).exit_code == 0


def test_event_amended_before_its_transaction_commits_still_verifies(app):
    """What an action records may be completed before it commits (admin task edits do)."""
    with app.app_context():
        event = audit.record("task.change", before={"code": "1"}, after={"code": "2"},
                             username="quantri")
        db.session.flush()
        audit.record("task.change", after={"code": "3"}, username="quantri")
        db.session.flush()
        event.after = {**event.after, "title": "Đổi tên"}
        db.session.commit()
    result = verify(app)
    assert result.exit_code == 0, result.output


def test_concurrent_writers_never_chain_to_the_same_event(app):
    """Several workers logging events at once still leave one unbroken chain."""
    errors = []

    def worker(n: int) -> None:
        try:
            for i in range(15):
                with app.app_context():
                    audit.record("login.failed", username=f"luong{n}-{i}")
                    db.session.commit()
        except Exception as error:  # any failure, reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        hashes = list(db.session.scalars(select(AuditEvent.prev_hash)))
    assert len(hashes) == len(set(hashes)) >= 60


def test_migration_hashes_events_exactly_as_the_portal_does():
    path = Path(audit.__file__).parent / "migrations" / "versions" / "0007_trust.py"
    spec = importlib.util.spec_from_file_location("migration_0007", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.HASHED_FIELDS == audit.HASHED_FIELDS
    assert migration.AUDIT_CHAIN_LOCK == audit.AUDIT_CHAIN_LOCK
    row = {"id": 7, "at": datetime(2024, 3, 5, 7, 35, 0, 12), "user_id": None,
           "username": "phường", "action": "login", "target_type": "User", "target_id": 3,
           "unit_id": None, "before": None, "after": {"số": [1, 2.5, "á"]}, "ip": "::1"}
    assert migration.event_hash(row, "ab" * 32) == audit.event_hash(row, "ab" * 32)
