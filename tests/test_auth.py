"""Logging in and out, and each user's own password: one answer for every failed login, `next`
only to our own pages, a fresh session at login, logout that ends it, Argon2 hashes, CSRF."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Progress, ProgressStatus, User

from .support.clients import PASSWORD, PortalClient
from .support.records import last_audit_id

WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
CSRF_MESSAGE = (
    "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang và thử lại."
)
NEW_PASSWORD = "cai-cach-hanh-chinh-2024"
# The page's CSRF token, in its <meta> (and in htmx's headers and every form).
CSRF_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def audit_events(app, since: int = 0) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(AuditEvent.action, AuditEvent.username, AuditEvent.user_id)
            .where(AuditEvent.id > since)
            .order_by(AuditEvent.id)
        )]


def password_hash(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.username == username))


def field_errors(html: str) -> dict[str, str]:
    """The message next to each field: <p class="error" id="<field>-error">...</p>."""
    return dict(re.findall(r'<p class="error" id="([\w-]+)-error">(.*?)</p>', html, re.S))


def fresh_client(app) -> PortalClient:
    return PortalClient(app.test_client())


def session_token_of(app, username: str) -> str:
    """What a logged-in session carries for this user (never the bare user id)."""
    with app.app_context():
        return db.session.scalar(select(User.session_token).where(User.username == username))


def is_logged_in(client: PortalClient) -> bool:
    response = client.get("/directives")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    return False


def session_cookie(client: PortalClient) -> str | None:
    cookie = client.client.get_cookie("session")
    return cookie.value if cookie else None


# --- logging in ----------------------------------------------------------------------------------


def test_login_redirects_303_home_and_is_audited(app, visitor, ids):
    since = last_audit_id(app)
    response = visitor.login("phuong1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert audit_events(app, since) == [("login", "phuong1", ids.user("phuong1"))]
    assert is_logged_in(visitor)


@pytest.mark.parametrize(
    "username, lands_on",
    [
        ("phuong1", "/my-work"),
        ("phongtuphap", "/my-work"),
        ("noivu.duyet", "/directives/{directive}/matrix"),
        ("lanhdao", "/directives/{directive}/dashboard"),
    ],
)
def test_home_lands_a_unit_on_its_work_and_others_on_the_matrix(login, ids, username,
                                                                lands_on):
    expected = lands_on.format(directive=ids.directive(), phuong1=ids.unit("Phường 1"),
                               tuphap=ids.unit("Phòng Tư pháp"))
    response = login(username).get("/", follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == expected
    if username == "phuong1":  # the head: their work, and what waits for their sign-off
        assert "Chờ tôi ký duyệt" in response.get_data(as_text=True)


def deactivate(app, username: str) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.active = False
        db.session.commit()


@pytest.mark.parametrize(
    "username, password",
    [
        ("phuong1", "sai-mat-khau-roi"),  # wrong password
        ("khongcoai", PASSWORD),  # unknown user
        ("phuong3", PASSWORD),  # the right password of an account that is switched off
    ],
    ids=["wrong-password", "unknown-user", "inactive-user"],
)
def test_failed_login_says_the_same_thing_and_is_audited(app, visitor, username, password):
    deactivate(app, "phuong3")
    since = last_audit_id(app)
    response = visitor.post("/login", {"username": username, "password": password})
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    # One message, next to the password, whatever was wrong: no way to tell which accounts exist.
    assert field_errors(html) == {"password": WRONG_LOGIN}
    assert html.count(WRONG_LOGIN) == 1
    assert password not in html  # the password typed is not sent back
    assert f'value="{username}"' in html  # the user name is kept to correct it
    events = audit_events(app, since)
    assert [(action, name) for action, name, _ in events] == [("login.failed", username)]
    assert not is_logged_in(visitor)


def test_failed_logins_cannot_be_told_apart(app, visitor):
    deactivate(app, "phuong3")
    bodies = []
    for username, password in [("phuong1", "sai-mat-khau-roi"), ("khongcoai", PASSWORD),
                               ("phuong3", PASSWORD)]:
        response = visitor.post("/login", {"username": username, "password": password})
        body = response.get_data(as_text=True).replace(f'value="{username}"', "")
        # The CSRF token carries the second it was made in: the rest is the same on every page.
        body = body.replace(CSRF_TOKEN.search(body).group(1), "")
        bodies.append((response.status_code, body))
    assert bodies[0] == bodies[1] == bodies[2]


def test_user_name_is_matched_without_case_or_spaces(app, visitor, ids):
    response = visitor.post("/login", {"username": "  PHUONG1 ", "password": PASSWORD})
    assert response.status_code == 303
    visitor._token = None
    with visitor.client.session_transaction() as session:
        assert session["_user_id"] == session_token_of(app, "phuong1")


def test_empty_login_form_asks_for_both_fields_and_is_not_a_failed_login(app, visitor):
    since = last_audit_id(app)
    response = visitor.post("/login", {"username": "", "password": ""})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {
        "username": "Hãy nhập tên đăng nhập.",
        "password": "Hãy nhập mật khẩu.",
    }
    assert audit_events(app, since) == []


def test_deactivated_account_loses_its_open_session(app, login):
    client = login("phuong2")
    assert is_logged_in(client)
    deactivate(app, "phuong2")
    assert not is_logged_in(client)


# --- next ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, goes_to",
    [
        ("/directives", "/directives"),
        ("/account/password", "/account/password"),
        ("//evil.example", "/"),
        ("///evil.example", "/"),
        ("https://evil.example/x", "/"),
        ("http:evil.example", "/"),
        ("/\\evil", "/"),
        ("/\\/evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\t/evil.example", "/"),  # browsers drop the tab and read //evil.example
        ("javascript:alert(1)", "/"),
        ("directives", "/"),
        # not a path of ours either: must be ignored, not answered with a server error
        ("/directives\r\nSet-Cookie: session=forged", "/"),
    ],
)
def test_next_is_followed_only_to_our_own_paths(visitor, target, goes_to):
    response = visitor.post("/login", {"username": "phuong1", "password": PASSWORD,
                                       "next": target})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert response.headers["Location"] == goes_to
    assert "evil.example" not in str(response.headers)


def test_next_goes_from_a_protected_page_through_login_back_to_it(visitor, ids):
    item_url = f"/items/{ids.item('Phường 1', '1.4')}"
    response = visitor.get(item_url)
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert parse_qs(urlsplit(login_url).query)["next"] == [item_url]
    page = visitor.get(login_url).get_data(as_text=True)
    assert f'name="next" type="hidden" value="{item_url}"' in page

    response = visitor.post("/login", {"username": "phuong1", "password": PASSWORD,
                                       "next": item_url})
    assert response.status_code == 303 and response.headers["Location"] == item_url
    assert visitor.get(item_url).status_code == 200


def test_evil_next_in_the_login_link_is_ignored(visitor):
    page = visitor.get("/login?next=//evil.example/login").get_data(as_text=True)
    hidden = re.search(r'name="next" type="hidden" value="([^"]*)"', page).group(1)
    assert hidden == "//evil.example/login"  # kept as typed, and ignored below
    response = visitor.post("/login", {"username": "phuong1", "password": PASSWORD,
                                       "next": hidden})
    assert response.status_code == 303 and response.headers["Location"] == "/"


# --- the session ---------------------------------------------------------------------------------


def test_session_is_fresh_at_login(app, visitor, ids):
    visitor.get("/login")
    with visitor.client.session_transaction() as session:
        session["planted"] = "đặt trước khi đăng nhập"
        old_token = session["csrf_token"]
    before = session_cookie(visitor)

    assert visitor.login("phuong1").status_code == 303

    assert session_cookie(visitor) != before
    with visitor.client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != old_token
        assert session["_user_id"] == session_token_of(app, "phuong1")
    # The cookie from before the login is not a logged-in session (no fixation).
    attacker = fresh_client(app)
    attacker.client.set_cookie("session", before)
    assert not is_logged_in(attacker)
    # The form token of the old session does not work in the new one.
    item_id = ids.item("Phường 1", "1.4")
    response = visitor.client.post(f"/items/{item_id}/start", data={"csrf_token": old_token})
    assert response.status_code == 400


def test_logout_is_post_only_with_csrf_and_ends_the_session(app, login, ids):
    client = login("phuong1")

    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)
    response = client.post("/logout", csrf=False)
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    response = client.post("/logout", {"csrf_token": "gia-mao"})
    assert response.status_code == 400
    assert is_logged_in(client)

    since = last_audit_id(app)
    response = client.post("/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Bạn đã đăng xuất." in client.get("/login").get_data(as_text=True)
    assert audit_events(app, since) == [("logout", "phuong1", ids.user("phuong1"))]
    for url in ("/directives", f"/items/{ids.item('Phường 1', '1.4')}", "/account/password"):
        response = client.get(url)
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == (
            "/login"), url


def test_logout_after_remember_me_really_logs_out(app, visitor):
    response = visitor.post("/login", {"username": "phuong1", "password": PASSWORD,
                                       "remember": "y"})
    visitor._token = None
    assert response.status_code == 303
    assert visitor.client.get_cookie("remember_token") is not None

    assert visitor.post("/logout").status_code == 303

    assert visitor.client.get_cookie("remember_token") is None
    assert not is_logged_in(visitor)


def test_session_cookie_copied_before_logout_is_dead_after_it(app, login):
    client = login("phuong1")
    copied = session_cookie(client)
    assert client.post("/logout").status_code == 303
    thief = fresh_client(app)
    thief.client.set_cookie("session", copied)
    assert not is_logged_in(thief)


# --- passwords -----------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2_hashes(app):
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        assert len(users) >= 27
        for user in users:
            assert user.password_hash.startswith("$argon2id$"), user.username
            assert PASSWORD not in user.password_hash


def test_no_password_is_written_anywhere_else(app, visitor, login):
    visitor.post("/login", {"username": "phuong1", "password": "mat-khau-go-nham-1"})
    client = login("phuong2")
    client.post("/account/password",
                {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    with app.app_context():
        rows = [repr(tuple(row)) for table in db.metadata.sorted_tables
                for row in db.session.execute(table.select())]
    dump = "\n".join(rows)
    for secret in ("mat-khau-go-nham-1", PASSWORD, NEW_PASSWORD):
        assert secret not in dump


@pytest.mark.parametrize(
    "username, current, new, confirm, field, message",
    [
        ("phuong1", "khong-dung-mat-khau", NEW_PASSWORD, NEW_PASSWORD,
         "current", "Mật khẩu hiện tại không đúng."),
        ("phuong1", PASSWORD, "ngan7kt", "ngan7kt",
         "new", "Mật khẩu mới cần từ 8 đến 200 ký tự."),
        ("phuong1", PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x",
         "confirm", "Hai lần nhập mật khẩu mới không khớp."),
        ("phongtuphap", PASSWORD, "phongtuphap", "phongtuphap",
         "new", "Mật khẩu không được trùng tên đăng nhập."),
        ("phongtuphap", PASSWORD, " PhongTuPhap ", " PhongTuPhap ",
         "new", "Mật khẩu không được trùng tên đăng nhập."),
        ("phuong1", PASSWORD, PASSWORD, PASSWORD,
         "new", "Mật khẩu mới phải khác mật khẩu hiện tại."),
    ],
    ids=["wrong-current", "too-short", "mismatch", "same-as-username", "username-in-caps",
         "same-as-current"],
)
def test_refused_password_change_says_why_next_to_the_field(app, login, username, current, new,
                                                            confirm, field, message):
    client = login(username)
    before, since = password_hash(app, username), last_audit_id(app)
    response = client.post("/account/password",
                           {"current": current, "new": new, "confirm": confirm})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_errors(html) == {field: str(escape(message))}
    assert 'aria-invalid="true"' in html
    assert password_hash(app, username) == before
    assert "password.change" not in [action for action, _, _ in audit_events(app, since)]
    assert "khong-dung-mat-khau" not in html and NEW_PASSWORD not in html


def test_password_change_takes_the_new_and_refuses_the_old(app, login, ids):
    client = login("phuong1")
    before, since = password_hash(app, "phuong1"), last_audit_id(app)
    neighbour = password_hash(app, "phuong2")
    response = client.post("/account/password",
                           {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/password"
    assert "Đã đổi mật khẩu." in client.get("/account/password").get_data(as_text=True)

    after = password_hash(app, "phuong1")
    assert after != before and after.startswith("$argon2id$") and NEW_PASSWORD not in after
    assert audit_events(app, since) == [("password.change", "phuong1", ids.user("phuong1"))]
    assert fresh_client(app).login("phuong1", NEW_PASSWORD).status_code == 303
    old = fresh_client(app).login("phuong1", PASSWORD)
    assert old.status_code == 401 and WRONG_LOGIN in old.get_data(as_text=True)
    # Only this account changed.
    assert password_hash(app, "phuong2") == neighbour


def test_password_change_ends_the_other_sessions_of_the_account(app, login):
    """Someone who changes a password because another has it must not leave that other in."""
    elsewhere = login("phuong1")
    here = login("phuong1")
    response = here.post("/account/password",
                         {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert not is_logged_in(elsewhere)


# --- CSRF ----------------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(app, visitor):
    since = last_audit_id(app)
    for data in ({}, {"csrf_token": "gia-mao"}):
        response = visitor.post("/login", {"username": "phuong1", "password": PASSWORD, **data},
                                csrf=False)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert CSRF_MESSAGE in html and 'lang="vi"' in html
    assert audit_events(app, since) == []
    assert not is_logged_in(visitor)


def test_item_action_without_csrf_token_is_refused(app, login, ids):
    client = login("phuong1")
    item_id = ids.item("Phường 1", "1.4")
    since = last_audit_id(app)
    for htmx in (False, True):
        for data in ({"note": "không có mã"}, {"note": "mã giả", "csrf_token": "gia-mao"}):
            response = client.post(f"/items/{item_id}/save", data, csrf=False, htmx=htmx)
            assert response.status_code == 400
            assert CSRF_MESSAGE in response.get_data(as_text=True)
    with app.app_context():
        item = db.session.get(Progress, item_id)
        assert item.status is ProgressStatus.NOT_STARTED and item.note == ""
    assert audit_events(app, since) == []


def test_password_change_without_csrf_token_is_refused(app, login):
    client = login("phuong1")
    before = password_hash(app, "phuong1")
    response = client.post("/account/password",
                           {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                           csrf=False)
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    assert password_hash(app, "phuong1") == before
