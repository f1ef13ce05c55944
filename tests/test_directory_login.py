"""Logging in through the office's directory: Debian's slapd, started by the tests with a
throw-away database and a test certificate (tests/support/directory.py), asked by a simple bind
over StartTLS. The password is the directory's and never stored; the login limits count its
failures; a person it knows without a portal account is told whom to ask; a directory that is
down says so, and the break-glass administrator still logs in with the portal's own password."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.auth.directory import DirectoryUnavailable, check_password
from portal.auth.routes import DIRECTORY_DOWN
from portal.extensions import db
from portal.models import AuditEvent, LoginFailure, Role, User

from .support.apps import seeded_app
from .support.clients import PASSWORD, PortalClient
from .support.directory import LOCKED, PEOPLE_PASSWORDS, slapd_available, start_directory
from .support.marks import SERVERS, require
from .support.records import last_audit_id
from .support.servers import free_port

pytestmark = SERVERS

WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    require(slapd_available(), "Debian's slapd is not installed (apt-get install slapd)")
    started = start_directory(tmp_path_factory.mktemp("slapd"))
    yield started
    started.stop()


@pytest.fixture
def app(tmp_path, database_url, directory):
    """The portal asking the test's directory; a portal account for the locked person too."""
    for app in seeded_app(tmp_path, database_url, **directory.settings()):
        with app.app_context():
            db.session.add(User(username=LOCKED, full_name="Trần Văn Khoa", password_hash="x",
                                role=Role.LEADER))
            db.session.commit()
        yield app


def browser(app, address: str = "127.0.0.1") -> PortalClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return PortalClient(client)


def events(app, since: int) -> list[tuple]:
    with app.app_context():
        return [(event.action, event.username, event.after) for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id))]


def password_hash(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.username == username))


def failures(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(LoginFailure.id)).all())


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_directorys_password_logs_in_and_is_never_stored(app):
    before, since = password_hash(app, "phuong1"), last_audit_id(app)
    client = browser(app)
    response = client.login("phuong1", PEOPLE_PASSWORDS["phuong1"])
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/directives").status_code == 200
    assert events(app, since) == [("login", "phuong1", {"way": "directory"})]
    assert password_hash(app, "phuong1") == before  # the directory's password is not kept
    with app.app_context():
        stored = " ".join(str(row) for row in db.session.execute(select(AuditEvent.after)))
    assert PEOPLE_PASSWORDS["phuong1"] not in stored


def test_a_wrong_password_is_refused_counted_and_audited(app):
    since = last_audit_id(app)
    response = browser(app).login("phuong1", "sai-mat-khau-thu-muc")
    assert response.status_code == 401
    assert escape(WRONG_LOGIN) in text(response)
    assert [action for action, _, _ in events(app, since)] == ["login.failed"]
    assert failures(app) == 1


def test_a_person_the_directory_locked_cannot_log_in(app):
    """The directory refuses to bind as a locked person, right password or not: the portal says
    what it says of any wrong password."""
    since = last_audit_id(app)
    response = browser(app).login(LOCKED, PEOPLE_PASSWORDS[LOCKED])
    assert response.status_code == 401
    assert escape(WRONG_LOGIN) in text(response)
    assert [action for action, _, _ in events(app, since)] == ["login.failed"]


def test_the_login_limit_counts_directory_failures_and_then_refuses_the_right_password(app):
    app.config["LOGIN_MAX_FAILURES"] = 3
    client = browser(app, "10.1.2.3")
    for _ in range(2):
        assert client.login("phuong1", "sai-mat-khau").status_code == 401
    assert client.login("phuong1", "van-sai-mat-khau").status_code == 429
    since = last_audit_id(app)
    # The address waits: not even the directory's right password is looked at.
    response = client.login("phuong1", PEOPLE_PASSWORDS["phuong1"])
    assert response.status_code == 429
    assert "nhập sai mật khẩu quá nhiều lần" in text(response)
    assert events(app, since) == []
    # Another machine is not kept out.
    assert browser(app, "10.1.2.4").login(
        "phuong1", PEOPLE_PASSWORDS["phuong1"]).status_code == 303


def test_someone_the_directory_knows_without_a_portal_account_is_told_whom_to_ask(app):
    since = last_audit_id(app)
    response = browser(app).login("canbo.moi", PEOPLE_PASSWORDS["canbo.moi"])
    assert response.status_code == 403
    page = text(response)
    assert "chưa có tài khoản trên cổng" in page
    assert str(escape(app.config["ACCOUNT_CONTACT"])) in page
    assert events(app, since) == [("login.no_account", "canbo.moi", {"way": "directory"})]
    assert failures(app) == 1  # counted against the address like a failure
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "canbo.moi")) is None
    # With a wrong password nothing is told about the account.
    response = browser(app).login("canbo.moi", "sai-mat-khau")
    assert response.status_code == 401 and "chưa có tài khoản" not in text(response)


def test_a_switched_off_portal_account_stays_out_with_the_right_directory_password(app):
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "phuong1")).active = False
        db.session.commit()
    response = browser(app).login("phuong1", PEOPLE_PASSWORDS["phuong1"])
    assert response.status_code == 401 and escape(WRONG_LOGIN) in text(response)


def test_with_break_glass_only_the_named_administrator_keeps_a_local_password(app):
    app.config.update(LOCAL_PASSWORDS="break_glass", BREAK_GLASS_USERS="quantri")
    # A unit's head: the portal's password no longer opens the account, the directory's does.
    assert browser(app).login("phuong1", PASSWORD).status_code == 401
    assert browser(app).login("phuong1", PEOPLE_PASSWORDS["phuong1"]).status_code == 303
    # The break-glass administrator: the portal's own password, never the directory's.
    since = last_audit_id(app)
    assert browser(app).login("quantri", PEOPLE_PASSWORDS["quantri"]).status_code == 401
    assert browser(app).login("quantri", PASSWORD).status_code == 303
    assert events(app, since)[-1] == ("login", "quantri", {"way": "local"})


def test_with_all_local_passwords_an_account_keeps_its_own_beside_the_directorys(app):
    assert browser(app).login("phuong2", PASSWORD).status_code == 303  # not in the directory
    assert browser(app).login("phuong1", PASSWORD).status_code == 303


def test_a_directory_that_is_down_says_so_and_break_glass_still_logs_in(app):
    app.config.update(LDAP_URL=f"ldap://127.0.0.1:{free_port()}", LOCAL_PASSWORDS="break_glass",
                      BREAK_GLASS_USERS="quantri")
    since = last_audit_id(app)
    response = browser(app).login("phuong1", PEOPLE_PASSWORDS["phuong1"])
    assert response.status_code == 503
    assert str(escape(DIRECTORY_DOWN)) in text(response)
    assert events(app, since) == [("login.directory_unavailable", "phuong1", None)]
    assert failures(app) == 0  # not the user's mistake
    client = browser(app)
    assert client.login("quantri", PASSWORD).status_code == 303
    assert client.get("/admin/users").status_code == 200


def test_a_certificate_the_portal_does_not_trust_is_refused(app, directory):
    """Without the test's certificate among those trusted the directory is not asked: the
    password never goes to a server the portal cannot trust."""
    app.config["LDAP_CA_FILE"] = ""
    response = browser(app).login("phuong1", PEOPLE_PASSWORDS["phuong1"])
    assert response.status_code == 503
    with app.app_context(), pytest.raises(DirectoryUnavailable):
        check_password("phuong1", PEOPLE_PASSWORDS["phuong1"])


def test_an_empty_password_or_a_name_with_dn_syntax_never_binds(app):
    with app.app_context():
        assert check_password("phuong1", "") is False  # an anonymous bind is no login
        assert check_password("phuong1,ou=people", PEOPLE_PASSWORDS["phuong1"]) is False
        assert check_password("*", "x") is False


def test_where_turned_on_a_first_login_creates_an_account_with_no_rights(app, login, ids):
    app.config["CREATE_ACCOUNTS"] = True
    since = last_audit_id(app)
    client = browser(app)
    response = client.login("canbo.moi", PEOPLE_PASSWORDS["canbo.moi"])
    assert response.status_code == 303
    assert [action for action, _, _ in events(app, since)] == ["user.create", "login"]
    home = client.get("/")
    assert home.status_code == 200 and "chưa được gán đơn vị và vai trò" in text(home)
    for path in ("/directives", "/notifications", "/account/password",
                 f"/directives/{ids.directive()}/units/{ids.unit('Phường 1')}"):
        assert client.get(path).status_code == 403, path
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "canbo.moi"))
        account, hashed = user.id, user.password_hash
    assert not hashed.startswith("$argon2")  # no password of the portal's opens it
    assert browser(app).login("canbo.moi", "!").status_code == 401

    # The administrator sees it waiting and gives it a unit and a role: it works in Phường 1.
    admin = login("quantri")
    assert "Chờ cấp quyền" in text(admin.get("/admin/users"))
    assert "chưa có quyền gì" in text(admin.get(f"/admin/users/{account}/edit"))
    response = admin.post(f"/admin/users/{account}/edit", {
        "full_name": "Cán bộ mới", "role": "unit", "position": "officer",
        "unit": str(ids.unit("Phường 1")), "active": "y", "email": ""})
    assert response.status_code == 303
    assert events(app, since)[-1][0] == "user.update"
    assert events(app, since)[-1][2]["awaiting_rights"] is False
    assert client.get("/directives").status_code == 200


def test_a_password_an_administrator_chose_is_not_asked_of_someone_the_directory_let_in(app):
    """The rule that an administrator's password is changed first is about the portal's own
    password: logged in through the directory, the person goes straight to work."""
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "phuong1")).must_change_password \
            = True
        db.session.commit()
    client = browser(app)
    assert client.login("phuong1", PEOPLE_PASSWORDS["phuong1"]).status_code == 303
    assert client.get("/directives").status_code == 200
    # With the portal's own password the rule holds.
    local = browser(app, "10.3.0.1")
    assert local.login("phuong1", PASSWORD).status_code == 303
    assert local.get("/directives").headers["Location"] == "/account/password"


def test_without_a_local_password_the_password_page_says_where_to_change_it(app, login):
    app.config.update(LOCAL_PASSWORDS="break_glass", BREAK_GLASS_USERS="quantri")
    client = browser(app)
    client.login("phuong1", PEOPLE_PASSWORDS["phuong1"])
    page = client.get("/account/password")
    assert page.status_code == 200 and "mật khẩu được đổi ở hệ thống đó" in text(page)
    assert 'name="current"' not in text(page)
    before = password_hash(app, "phuong1")
    response = client.post("/account/password", {"current": PASSWORD, "new": "mat-khau-moi-2025",
                                                 "confirm": "mat-khau-moi-2025"})
    assert response.status_code == 409 and password_hash(app, "phuong1") == before
    # the break-glass administrator keeps the page
    assert 'name="current"' in text(login("quantri").get("/account/password"))
