""""Quên mật khẩu": a link by e-mail, through the mail queue and a real SMTP server (aiosmtpd on
127.0.0.1), that sets a new password once within the hour; the same answer whatever was typed;
limited per account and per address; only for accounts whose password the portal keeps."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.auth.routes import RESET_LINK_BAD, RESET_SENT, RESET_TOO_OFTEN
from portal.deadlines import utcnow
from portal.extensions import db
from portal.models import AuditEvent, MailMessage, PasswordReset, User
from portal.notifications.mail import FORGOTTEN_BODY, send_queued

from .support.apps import seeded_app
from .support.clients import PASSWORD, PortalClient
from .support.databases import writes, written_since
from .support.records import last_audit_id
from .support.smtp import Recorder, Server, start_server

BASE_URL = "https://cchc.sadec.gov.vn"
WARD_ADDRESS = "canbo.phuong1@sadec.gov.vn"
NEW_PASSWORD = "cai-cach-hanh-chinh-2025"
LINK = re.compile(re.escape(BASE_URL) + r"(/password/reset/[\w-]+)")


@pytest.fixture
def smtp():
    recorder = Recorder()
    controller = start_server(recorder)
    yield Server(controller.port, recorder)
    controller.stop()


@pytest.fixture
def app(tmp_path, database_url, smtp):
    """The portal with a mail server; phuong1 and quantri have addresses, phuong2 none."""
    for app in seeded_app(tmp_path, database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                          SMTP_SENDER="cong-cchc@sadec.gov.vn", BASE_URL=BASE_URL,
                          SMTP_TIMEOUT=10):
        with app.app_context():
            for username, email in (("phuong1", WARD_ADDRESS),
                                    ("quantri", "quantri@sadec.gov.vn")):
                db.session.scalar(select(User).where(User.username == username)).email = email
            db.session.commit()
        yield app


def browser(app, address: str = "127.0.0.1") -> PortalClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return PortalClient(client)


def ask(app, name: str, address: str = "127.0.0.1"):
    return browser(app, address).post("/password/forgot", {"name": name})


def deliver(app, smtp) -> list[str]:
    """Send the queue through the SMTP server; the reset paths the mails received carry."""
    with app.app_context():
        send_queued()
    paths = [LINK.search(mail.part("plain")).group(1) for mail in smtp.recorder.received]
    smtp.recorder.received.clear()
    return paths


def outcomes(app, since: int) -> list[tuple]:
    with app.app_context():
        return [(event.action, event.username, (event.after or {}).get("outcome"))
                for event in db.session.scalars(select(AuditEvent).where(AuditEvent.id > since)
                                                .order_by(AuditEvent.id))]


def logs_in(app, username: str, password: str) -> bool:
    return browser(app, "10.9.0.1").login(username, password).status_code == 303


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_forgotten_password_is_set_again_through_a_link_in_a_real_mail(app, smtp, ids):
    since = last_audit_id(app)
    visitor = browser(app)
    response = visitor.post("/password/forgot", {"name": "phuong1"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert str(escape(RESET_SENT.format(minutes=60))) in text(visitor.get("/login"))
    assert not smtp.recorder.received  # queued, sent by `flask send-mail`

    with app.app_context():
        send_queued()
    [mail] = smtp.recorder.received
    assert mail.rcpt_tos == [WARD_ADDRESS]
    assert mail.message["Subject"] == "[Cổng CCHC] Đặt lại mật khẩu"
    plain, page = mail.part("plain"), mail.part("html")
    path = LINK.search(plain).group(1)
    assert f'href="{BASE_URL}{path}"' in page
    assert "trong 60 phút" in plain and "một lần" in plain
    token = path.rsplit("/", 1)[1]
    with app.app_context():  # only the token's hash is kept; the sent mail's body is forgotten
        kept = db.session.scalars(select(PasswordReset.token_hash)).all()
        bodies = db.session.execute(select(MailMessage.text_body, MailMessage.html_body)).all()
    assert token not in kept and len(kept) == 1 and len(kept[0]) == 64
    assert [tuple(row) for row in bodies] == [(FORGOTTEN_BODY, "")]

    form = visitor.get(path)
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"  # the token leaves with no link
    assert "phuong1" in text(form) and 'name="new"' in text(form)
    response = visitor.post(path, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Đã đặt mật khẩu mới" in text(visitor.get("/login"))

    assert logs_in(app, "phuong1", NEW_PASSWORD)
    assert not logs_in(app, "phuong1", PASSWORD)
    # Once only.
    again = visitor.get(path)
    assert again.status_code == 404 and str(escape(RESET_LINK_BAD)) in text(again)
    counted = writes(app)
    again = visitor.post(path, {"new": "mot-mat-khau-khac-9", "confirm": "mot-mat-khau-khac-9"})
    assert again.status_code == 404
    assert written_since(app, counted) == set()
    assert [event[:3] for event in outcomes(app, since)][:2] == [
        ("password.reset_request", "phuong1", "sent"), ("password.reset", "phuong1", None)]


def test_the_answer_is_the_same_whether_or_not_the_account_exists(app, smtp):
    since = last_audit_id(app)
    answers = []
    for number, name in enumerate(["phuong1", "khongcoai", "phuong2", WARD_ADDRESS,
                                   "ai@khong.co"]):
        client = browser(app, f"10.0.0.{number + 1}")
        response = client.post("/password/forgot", {"name": name})
        page = client.get("/login")
        body = re.sub(r'content="[^"]+"', "", text(page))  # the CSRF token differs
        body = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", body)
        answers.append((response.status_code, response.headers["Location"], body))
    assert all(answer == answers[0] for answer in answers)
    assert outcomes(app, since) == [
        ("password.reset_request", "phuong1", "sent"),
        ("password.reset_request", "khongcoai", "no_account"),
        ("password.reset_request", "phuong2", "no_email"),
        ("password.reset_request", WARD_ADDRESS, "sent"),
        ("password.reset_request", "ai@khong.co", "no_account"),
    ]
    assert len(deliver(app, smtp)) == 2  # phuong1's, by name and by address


def test_a_link_is_valid_for_one_hour(app, smtp):
    ask(app, "phuong1")
    [path] = deliver(app, smtp)
    app.config["FROZEN_NOW"] = utcnow() + timedelta(minutes=59)
    assert browser(app).get(path).status_code == 200
    app.config["FROZEN_NOW"] = utcnow() + timedelta(minutes=61)
    response = browser(app).get(path)
    assert response.status_code == 404 and str(escape(RESET_LINK_BAD)) in text(response)


def test_links_are_limited_per_account_silently(app, smtp):
    since = last_audit_id(app)
    for number in range(4):  # from four machines: the address limit is not what stops it
        assert ask(app, "phuong1", f"10.0.1.{number}").status_code == 303
    assert len(deliver(app, smtp)) == 3
    assert [outcome for _, _, outcome in outcomes(app, since)] == [
        "sent", "sent", "sent", "account_limit"]


def test_requests_are_limited_per_address_whatever_the_name(app, smtp):
    app.config["PASSWORD_RESET_MAX_PER_ADDRESS"] = 3
    for name in ("khongcoai", "ai.do", "phuong2"):
        assert ask(app, name, "10.0.2.1").status_code == 303
    counted = writes(app)
    response = ask(app, "phuong1", "10.0.2.1")
    assert response.status_code == 429
    assert str(escape(RESET_TOO_OFTEN)) in text(response)
    assert written_since(app, counted) == {"audit_events"}  # the refusal, audited; no link
    assert deliver(app, smtp) == []
    assert ask(app, "phuong1", "10.0.2.2").status_code == 303  # another machine may
    assert len(deliver(app, smtp)) == 1


def test_using_a_link_ends_the_accounts_sessions_and_its_other_links(app, smtp, login):
    session = login("phuong1")
    ask(app, "phuong1")
    ask(app, "phuong1")
    first, second = deliver(app, smtp)
    visitor = browser(app)
    assert visitor.post(second, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code \
        == 303
    assert session.get("/directives").status_code == 302  # logged out everywhere
    assert visitor.get(first).status_code == 404


@pytest.mark.parametrize(("new", "confirm", "message"), [
    ("ngan", "ngan", "Mật khẩu mới cần từ 8 đến 200 ký tự."),
    ("12345678", "12345678", "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."),
    ("phuong1-2025", "phuong1-2025", "Mật khẩu không được chứa tên đăng nhập."),
    (NEW_PASSWORD, "khac-han-nhau-2025", "Hai lần nhập mật khẩu mới không khớp."),
])
def test_a_weak_new_password_is_refused_and_the_link_stays_valid(app, smtp, new, confirm,
                                                                  message):
    ask(app, "phuong1")
    [path] = deliver(app, smtp)
    counted = writes(app)
    response = browser(app).post(path, {"new": new, "confirm": confirm})
    assert response.status_code == 422
    assert str(escape(message)) in text(response)
    assert written_since(app, counted) == set()
    assert browser(app).get(path).status_code == 200


def test_only_accounts_with_a_local_password_get_a_link(app, smtp):
    """With local passwords for break-glass administrators only, a unit's head (who logs in
    through the directory) gets no link; the break-glass administrator does."""
    app.config.update(LOCAL_PASSWORDS="break_glass", BREAK_GLASS_USERS="quantri")
    since = last_audit_id(app)
    assert ask(app, "phuong1").status_code == 303
    assert ask(app, "quantri", "10.0.3.1").status_code == 303
    [path] = deliver(app, smtp)
    assert [outcome for _, _, outcome in outcomes(app, since)] == ["not_local", "sent"]
    assert "quantri" in text(browser(app).get(path))


def test_a_logged_in_user_is_sent_home(login):
    client = login("phuong1")
    assert client.get("/password/forgot").headers["Location"] == "/"
    assert urlsplit(client.get("/password/reset/x").headers["Location"]).path == "/"
