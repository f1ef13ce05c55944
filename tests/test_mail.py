"""E-mail: notifications go into a queue that `flask --app portal send-mail` sends through a real
SMTP server (aiosmtpd on 127.0.0.1): Vietnamese subject and body, text and HTML, a link to the item;
retried with back-off when the server refuses, failed with its error after the last try, never
sent twice, not even by two runs at once; a request never waits for the mail server. Each user
chooses the kinds they receive; the administrator sees the queue and sends a failed message again.
"""

from __future__ import annotations

import io
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from markupsafe import escape
from sqlalchemy import select

from portal.config import ROOT
from portal.deadlines import utcnow
from portal.extensions import db
from portal.models import AuditEvent, MailMessage, MailStatus, Notification, User
from portal.notifications import KINDS, notify_unit
from portal.notifications.mail import backoff, send_queued

from .support.apps import seeded_app
from .support.clients import PortalClient
from .support.databases import writes, written_since
from .support.marks import SERVERS
from .support.records import last_audit_id
from .support.servers import free_port
from .support.smtp import Recorder, Server, start_server

BASE_URL = "https://cchc.sadec.gov.vn"
SENDER = "Cổng CCHC Sa Đéc <cong-cchc@sadec.gov.vn>"
WARD_ADDRESS = "canbo.phuong1@sadec.gov.vn"
RETURNED = "Nhiệm vụ 1.5 cần bổ sung tài liệu kiểm chứng"
UNIT_KINDS = [kind for kind, about in KINDS.items() if about.for_units]
REVIEWER_KINDS = [kind for kind, about in KINDS.items() if not about.for_units]


# --- a real SMTP server --------------------------------------------------------------------------


@pytest.fixture
def smtp():
    recorder = Recorder()
    controller = start_server(recorder)
    yield Server(controller.port, recorder)
    controller.stop()


@pytest.fixture
def silent_port():
    """A server that takes connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


@pytest.fixture
def app(tmp_path, database_url, smtp):
    """The portal set to send through the test's SMTP server; phuong1 has an address."""
    for app in seeded_app(tmp_path, database_url, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                          SMTP_SENDER=SENDER, BASE_URL=BASE_URL, SMTP_TIMEOUT=10):
        set_address(app, "phuong1", WARD_ADDRESS)
        yield app


# --- helpers -------------------------------------------------------------------------------------


def html(response) -> str:
    return response.get_data(as_text=True)


def set_address(app, username: str, email: str) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.username == username)).email = email
        db.session.commit()


def notify_ward(app, ids, kind: str = "review.returned", title: str = RETURNED) -> None:
    """Tell Phường 1's staff, as the portal does when the reviewer returns its item 1.5."""
    item = ids.item("Phường 1", "1.5")
    with app.app_context():
        notify_unit(ids.unit("Phường 1"), kind, title,
                    body="Bổ sung biên bản họp triển khai.", url=f"/items/{item}",
                    progress_id=item)
        db.session.commit()


def return_item(login, ids, comment: str = "Bổ sung biên bản họp triển khai.") -> tuple:
    """Phường 1 sends its item 1.5 for review and the reviewer returns it, through the routes;
    the reviewer's answer to the return."""
    item = ids.item("Phường 1", "1.5")
    ward, reviewer = login("phuong1"), login("noivu.duyet")
    assert ward.post(f"/items/{item}/save", {"note": "Đã thực hiện."}).status_code == 303
    assert ward.post(f"/items/{item}/submit").status_code == 303
    began = time.monotonic()
    response = reviewer.post(f"/items/{item}/review", {"verdict": "return", "comment": comment})
    return response, time.monotonic() - began


def notification_of(app, username: str, kind: str) -> Notification:
    with app.app_context():
        found = db.session.scalar(
            select(Notification).join(User, User.id == Notification.user_id)
            .where(User.username == username, Notification.kind == kind)
        )
        db.session.expunge(found)
        return found


def messages(app) -> list[MailMessage]:
    with app.app_context():
        rows = db.session.scalars(select(MailMessage).order_by(MailMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def send(app, **kwargs):
    with app.app_context():
        return send_queued(**kwargs)


def send_mail_command(app, *options: str) -> str:
    result = app.test_cli_runner().invoke(args=["send-mail", *options])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def audit_since(app, audit_id: int) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(AuditEvent.action, AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.id > audit_id).order_by(AuditEvent.id)
        )]


def user_row(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


# --- sending -------------------------------------------------------------------------------------


def test_notification_arrives_in_vietnamese_with_a_link_to_the_item(app, smtp, ids, login):
    response, _ = return_item(login, ids)
    assert response.status_code == 303
    told = notification_of(app, "phuong1", "review.returned")
    [queued] = messages(app)
    assert (queued.status, queued.to_address, queued.attempts) == (
        MailStatus.QUEUED, WARD_ADDRESS, 0)
    assert not smtp.recorder.received  # queued only: nothing sent by the change itself

    assert send_mail_command(app) == (
        "Đã gửi 1 thư; 0 thư chưa gửi được, sẽ thử lại; 0 thư gửi không được.")

    [mail] = smtp.recorder.received
    assert mail.rcpt_tos == [WARD_ADDRESS]
    assert mail.mail_from == "cong-cchc@sadec.gov.vn"
    message = mail.message
    assert message["Subject"] == f"[Cổng CCHC] {told.title}"
    assert "«" in told.title  # the task's Vietnamese title, «quoted»
    assert message["To"] == f"Huỳnh Kim Hương <{WARD_ADDRESS}>"
    assert message["From"] == SENDER
    assert message["Date"] and message["Message-ID"].endswith("@sadec.gov.vn>")
    # The headers travel as RFC 2047 words, the bodies as 7-bit: any server takes them.
    head = mail.raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"Subject: =?utf-8?" in head
    assert mail.raw.isascii()

    link = f"{BASE_URL}/items/{ids.item('Phường 1', '1.5')}"
    text, page = mail.part("plain"), mail.part("html")
    assert told.url == f"/items/{ids.item('Phường 1', '1.5')}"
    assert told.title in text and str(escape(told.title)) in page
    for body in (text, page):
        assert "Kính gửi Huỳnh Kim Hương," in body
        assert "Bổ sung biên bản họp triển khai." in body
        assert KINDS["review.returned"].label in body
    assert f"Xem chi tiết trên cổng: {link}" in text
    assert f'href="{link}"' in page
    assert f"{BASE_URL}/account/notifications" in text and "/account/notifications" in page

    [sent] = messages(app)
    assert (sent.status, sent.attempts, sent.last_error) == (MailStatus.SENT, 1, "")
    assert sent.sent_at is not None
    # Nothing is sent twice: the next run finds nothing to do (and says nothing with --quiet,
    # for cron every minute).
    assert send_mail_command(app) == "Không có thư nào đến lượt gửi."
    assert send_mail_command(app, "--quiet") == ""
    assert len(smtp.recorder.received) == 1


def test_refused_then_accepted_is_retried_after_the_backoff_and_sent_once(app, smtp, ids):
    notify_ward(app, ids)
    smtp.recorder.refusals = ["451 4.3.0 Try again later"]
    start = utcnow()

    outcome = send(app, now=start)
    assert (outcome.sent, outcome.retried, outcome.failed) == (0, 1, 0)
    [waiting] = messages(app)
    assert (waiting.status, waiting.attempts) == (MailStatus.QUEUED, 1)
    assert waiting.last_error == "Máy chủ thư không nhận thư: 451 4.3.0 Try again later"
    assert waiting.next_attempt_at == start + backoff(1) == start + timedelta(minutes=1)
    assert not smtp.recorder.received

    # Before its time the message waits; after the back-off it goes, once.
    assert send(app, now=start + timedelta(seconds=59)).sent == 0
    assert send(app, now=start + timedelta(minutes=1)).sent == 1
    assert send(app, now=start + timedelta(hours=1)).sent == 0
    assert len(smtp.recorder.received) == 1
    [sent] = messages(app)
    assert (sent.status, sent.attempts) == (MailStatus.SENT, 2)


def test_backoff_grows_five_times_each_try():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=25),
        timedelta(minutes=125)]


def test_permanent_refusal_fails_at_once_with_its_error(app, smtp, ids):
    notify_ward(app, ids)
    smtp.recorder.refusals = ["550 5.1.1 Mailbox unavailable"]
    outcome = send(app)
    assert (outcome.sent, outcome.retried, outcome.failed) == (0, 0, 1)
    [failed] = messages(app)
    assert (failed.status, failed.attempts) == (MailStatus.FAILED, 1)
    assert failed.last_error == "Máy chủ thư không nhận thư: 550 5.1.1 Mailbox unavailable"
    assert send(app, now=utcnow() + timedelta(days=1)).sent == 0


@pytest.mark.slow
def test_silent_server_never_holds_up_the_request_and_the_message_ends_failed(
        app, silent_port, ids, login):
    app.config.update(SMTP_PORT=silent_port, SMTP_TIMEOUT=2, MAIL_MAX_ATTEMPTS=3)
    response, took = return_item(login, ids)
    assert response.status_code == 303
    assert took < 2  # the mail server is never asked during a request
    [queued] = messages(app)
    assert (queued.kind, queued.status) == ("review.returned", MailStatus.QUEUED)

    now = utcnow()
    tries = app.config["MAIL_MAX_ATTEMPTS"]
    for attempt in range(1, tries + 1):
        outcome = send(app, now=now)
        [message] = messages(app)
        assert message.attempts == attempt
        assert message.last_error == (
            f"Máy chủ thư 127.0.0.1:{silent_port} không trả lời sau 2 giây.")
        if attempt < tries:
            assert (outcome.retried, outcome.failed, message.status) == (1, 0, MailStatus.QUEUED)
            assert message.next_attempt_at == now + backoff(attempt)
            now = message.next_attempt_at
        else:
            assert (outcome.retried, outcome.failed, message.status) == (0, 1, MailStatus.FAILED)
    assert outcome.stopped.endswith("không trả lời sau 2 giây.")
    assert send(app, now=now + timedelta(days=1)).sent == 0


def test_unreachable_server_stops_the_run_without_counting_against_the_others(app, ids):
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    notify_ward(app, ids)
    notify_ward(app, ids, kind="review.approved", title="Nhiệm vụ 1.8 được duyệt Đạt")
    outcome = send(app)
    assert (outcome.sent, outcome.retried, outcome.failed) == (0, 1, 0)
    assert outcome.stopped == f"Máy chủ thư 127.0.0.1:{app.config['SMTP_PORT']} từ chối kết nối."
    first, second = messages(app)
    assert (first.attempts, second.attempts) == (1, 0)
    assert second.last_error == "" and second.status is MailStatus.QUEUED


@pytest.fixture
def tls_files(tmp_path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made for the test by the openssl command."""
    cert, key = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_smtp(tls_files, monkeypatch):
    """A server that requires STARTTLS and then a login (cong-cchc / mat-khau-thu)."""
    cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    # The portal trusts the system's certificates: the test's own is added to them.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login, auth_data.password) == (b"cong-cchc", b"mat-khau-thu")
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    recorder = Recorder()
    controller = start_server(recorder, tls_context=context, require_starttls=True,
                              authenticator=authenticator, auth_required=True)
    yield Server(controller.port, recorder)
    controller.stop()


def test_starttls_and_login(app, tls_smtp, ids):
    app.config.update(SMTP_PORT=tls_smtp.port, SMTP_STARTTLS=True, SMTP_USERNAME="cong-cchc",
                      SMTP_PASSWORD="sai-mat-khau")
    notify_ward(app, ids)
    outcome = send(app)
    assert outcome.retried == 1 and not tls_smtp.recorder.received
    [message] = messages(app)
    assert message.last_error.startswith(
        "Máy chủ thư không chấp nhận tên đăng nhập, mật khẩu (PORTAL_SMTP_USERNAME, "
        "PORTAL_SMTP_PASSWORD): 535")

    app.config["SMTP_PASSWORD"] = "mat-khau-thu"
    assert send(app, now=utcnow() + timedelta(minutes=1)).sent == 1
    [mail] = tls_smtp.recorder.received
    assert mail.rcpt_tos == [WARD_ADDRESS]
    assert mail.message["Subject"] == f"[Cổng CCHC] {RETURNED}"


def test_starttls_refused_without_a_trusted_certificate(app, tls_smtp, ids, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    app.config.update(SMTP_PORT=tls_smtp.port, SMTP_STARTTLS=True, SMTP_USERNAME="cong-cchc",
                      SMTP_PASSWORD="mat-khau-thu")
    notify_ward(app, ids)
    assert send(app).retried == 1
    [message] = messages(app)
    assert message.last_error.startswith(f"Lỗi TLS với máy chủ thư 127.0.0.1:{tls_smtp.port}:")
    assert "CERTIFICATE_VERIFY_FAILED" in message.last_error
    assert not tls_smtp.recorder.received


@SERVERS
def test_two_runs_at_once_send_each_message_once(app, smtp, ids):
    """Two `flask send-mail` processes on the same queue: the first message is held by the
    server until the other process has sent one too, so both are surely at work together."""
    for number in range(12):
        notify_ward(app, ids, title=f"Thông báo số {number}")
    smtp.recorder.hold_first = True
    environment = os.environ | {
        "PORTAL_DATABASE_URL": app.config["DATABASE_URL"],
        "PORTAL_SECRET_KEY": "test-secret",
        "PORTAL_SMTP_HOST": "127.0.0.1",
        "PORTAL_SMTP_PORT": str(smtp.port),
        "PORTAL_SMTP_SENDER": "cong-cchc@sadec.gov.vn",
    }
    command = [sys.executable, "-m", "flask", "--app", "portal", "send-mail"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs

    subjects = sorted(mail.message["Subject"] for mail in smtp.recorder.received)
    assert subjects == sorted(f"[Cổng CCHC] Thông báo số {n}" for n in range(12))
    assert all(message.status is MailStatus.SENT for message in messages(app))
    assert all(message.attempts == 1 for message in messages(app))
    sent = [int(out.split("Đã gửi ")[1].split(" ")[0]) for out, _ in outputs]
    assert sum(sent) == 12 and min(sent) >= 1, outputs


def test_without_a_mail_server_nothing_is_queued_and_send_mail_says_so(app, smtp, ids):
    notify_ward(app, ids)  # queued while the server was set
    app.config["SMTP_HOST"] = ""
    notify_ward(app, ids, kind="review.approved", title="Nhiệm vụ 1.8 được duyệt Đạt")
    before = messages(app)
    assert len(before) == 1
    assert send_mail_command(app) == (
        "Chưa cấu hình máy chủ thư (PORTAL_SMTP_HOST): không gửi thư nào.")
    assert send_mail_command(app, "--quiet") == ""
    after = messages(app)
    assert [(m.status, m.attempts, m.next_attempt_at) for m in after] == [
        (m.status, m.attempts, m.next_attempt_at) for m in before]
    assert not smtp.recorder.received


def test_user_without_an_address_or_with_the_kind_off_gets_no_mail(app, smtp, ids, login):
    ward = login("phuong1")
    received = [kind for kind in UNIT_KINDS if kind != "review.returned"]
    response = ward.post("/account/notifications", {"email": WARD_ADDRESS, "kinds": received})
    assert response.status_code == 303
    notify_ward(app, ids)  # returned: turned off
    assert messages(app) == []
    notify_ward(app, ids, kind="review.approved", title="Nhiệm vụ 1.8 được duyệt Đạt")
    [approved] = messages(app)
    assert approved.kind == "review.approved"

    set_address(app, "phuong1", "")
    notify_ward(app, ids, kind="review.approved", title="Nhiệm vụ 1.9 được duyệt Đạt")
    assert len(messages(app)) == 1
    send(app)
    assert [m.message["Subject"] for m in smtp.recorder.received] == [
        "[Cổng CCHC] Nhiệm vụ 1.8 được duyệt Đạt"]


# --- each user's settings ------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "offered"), [
    ("phuong1", UNIT_KINDS), ("phongnoivu", UNIT_KINDS), ("noivu.duyet", REVIEWER_KINDS),
    ("lanhdao", []), ("quantri", []),
])
def test_settings_page_offers_the_kinds_of_the_users_role(login, username, offered):
    client = login(username)
    page = client.get("/account/notifications")
    assert page.status_code == 200
    text = html(page)
    assert 'name="email"' in text and "<h1>Thông báo qua thư</h1>" in text
    assert 'href="/account/notifications">Thông báo qua thư</a>' in text  # in the navigation
    shown = [kind for kind in KINDS if f'value="{kind}"' in text]
    assert shown == offered
    for kind in offered:  # everything on, until the user turns it off
        assert f'value="{kind}" checked' in text
        assert str(escape(KINDS[kind].label)) in text
    if not offered:
        assert "không nhận thông báo nào qua thư" in text


def test_settings_are_saved_audited_and_shown_again(app, login):
    ward = login("phuong1")
    audit_id = last_audit_id(app)
    received = ["directive.reached", "deadline.soon"]
    response = ward.post("/account/notifications",
                         {"email": "  nguyenvana@sadec.gov.vn ", "kinds": received})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/notifications"
    user = user_row(app, "phuong1")
    off = [kind for kind in UNIT_KINDS if kind not in received]
    assert (user.email, user.mail_kinds_off) == ("nguyenvana@sadec.gov.vn", off)
    [(action, before, after)] = audit_since(app, audit_id)
    assert action == "account.mail_settings"
    assert before == {"email": WARD_ADDRESS, "mail_kinds_off": []}
    assert after == {"email": "nguyenvana@sadec.gov.vn", "mail_kinds_off": off}

    page = html(ward.get("/account/notifications"))
    assert "Đã lưu cài đặt thông báo qua thư." in page
    assert 'value="nguyenvana@sadec.gov.vn"' in page
    assert 'value="deadline.soon" checked' in page
    assert 'value="review.returned">' in page  # not checked

    # The same again changes nothing and writes nothing.
    counted = writes(app)
    ward.post("/account/notifications", {"email": "nguyenvana@sadec.gov.vn", "kinds": received})
    assert written_since(app, counted) == set()
    # An address may be removed: no mail at all.
    ward.post("/account/notifications", {"email": "", "kinds": received})
    assert user_row(app, "phuong1").email == ""


def test_a_kind_of_another_role_turned_off_stays_off(app, login):
    set_address(app, "noivu.duyet", "")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "noivu.duyet"))
        user.mail_kinds_off = ["review.returned"]  # from the time it was a unit's account
        db.session.commit()
    reviewer = login("noivu.duyet")
    reviewer.post("/account/notifications", {"email": "duyet@sadec.gov.vn", "kinds": []})
    assert user_row(app, "noivu.duyet").mail_kinds_off == ["review.returned", *REVIEWER_KINDS]


@pytest.mark.parametrize(("form", "message"), [
    ({"email": "khong-phai-dia-chi"},
     "Địa chỉ thư điện tử không hợp lệ; ví dụ: nguyenvana@sadec.gov.vn."),
    ({"email": "a@b"}, "Địa chỉ thư điện tử không hợp lệ; ví dụ: nguyenvana@sadec.gov.vn."),
    ({"email": "cán.bộ@sadec.gov.vn"},
     "Địa chỉ thư điện tử không hợp lệ; ví dụ: nguyenvana@sadec.gov.vn."),
    ({"email": "a b@sadec.gov.vn"},
     "Địa chỉ thư điện tử không hợp lệ; ví dụ: nguyenvana@sadec.gov.vn."),
    ({"email": "x" * 190 + "@sadec.gov.vn"}, "Địa chỉ thư điện tử tối đa 200 ký tự."),
    ({"email": WARD_ADDRESS, "kinds": ["review.returned", "khong-co"]},
     "Có loại thư không hợp lệ; hãy tải lại trang và chọn lại."),
    ({"email": WARD_ADDRESS, "kinds": ["items.submitted"]},  # a reviewer's kind
     "Có loại thư không hợp lệ; hãy tải lại trang và chọn lại."),
])
def test_bad_settings_are_refused_with_a_message_and_nothing_written(app, login, form, message):
    ward = login("phuong1")
    counted = writes(app)
    response = ward.post("/account/notifications", form)
    assert response.status_code == 422
    field_name = "kinds" if "kinds" in form else "email"
    assert f'<p class="error" id="{field_name}-error">{escape(message)}</p>' in html(response)
    assert written_since(app, counted) == set()


def test_leader_may_keep_an_address_but_no_kind(app, login):
    leader = login("lanhdao")
    assert leader.post("/account/notifications",
                       {"email": "lanhdao@sadec.gov.vn"}).status_code == 303
    assert user_row(app, "lanhdao").email == "lanhdao@sadec.gov.vn"
    counted = writes(app)
    response = leader.post("/account/notifications",
                           {"email": "lanhdao@sadec.gov.vn", "kinds": ["review.returned"]})
    assert response.status_code == 422
    assert written_since(app, counted) == set()


def test_settings_page_asks_a_visitor_to_log_in(visitor):
    for response in (visitor.get("/account/notifications"),
                     visitor.post("/account/notifications", {"email": "x@sadec.gov.vn"})):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_settings_page_says_when_no_mail_server_is_set(app, login):
    app.config["SMTP_HOST"] = ""
    page = html(login("phuong1").get("/account/notifications"))
    assert "Cổng chưa được cấu hình máy chủ thư" in page


# --- the administrator: addresses, and the queue -------------------------------------------------


@pytest.fixture
def admin(login) -> PortalClient:
    return login("quantri")


def test_admin_sets_an_address_in_the_account_form(app, admin, ids):
    account = ids.user("phongtuphap")
    form = {"full_name": "Đặng Minh Nghĩa", "role": "unit", "position": "head",
            "unit": str(ids.unit("Phòng Tư pháp")), "active": "y"}
    counted = writes(app)
    response = admin.post(f"/admin/users/{account}/edit", form | {"email": "tu phap@x"})
    assert response.status_code == 422
    assert str(escape("Địa chỉ thư điện tử không hợp lệ")) in html(response)
    assert written_since(app, counted) == set()

    audit_id = last_audit_id(app)
    response = admin.post(f"/admin/users/{account}/edit",
                          form | {"email": "tuphap@sadec.gov.vn"})
    assert response.status_code == 303
    assert user_row(app, "phongtuphap").email == "tuphap@sadec.gov.vn"
    assert audit_since(app, audit_id) == [
        ("user.update", {"email": ""}, {"email": "tuphap@sadec.gov.vn"})]
    assert 'value="tuphap@sadec.gov.vn"' in html(admin.get(f"/admin/users/{account}/edit"))

    response = admin.post("/admin/users/new", {
        "username": "ld.moi", "full_name": "Lê Văn A", "role": "leader",
        "email": "ld.moi@sadec.gov.vn"})
    assert response.status_code == 200
    assert user_row(app, "ld.moi").email == "ld.moi@sadec.gov.vn"


def test_accounts_import_takes_an_address_column(app, admin):
    content = ("Tên đăng nhập,Họ và tên,Vai trò,Đơn vị,Thư điện tử\n"
               "p1.moi,Nguyễn Văn A,cán bộ đơn vị,Phường 1,p1.moi@sadec.gov.vn\n"
               "p1.khac,Nguyễn Văn B,cán bộ đơn vị,Phường 1,\n").encode()
    response = admin.post("/admin/import/users",
                          {"file": (io.BytesIO(content), "tk.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    assert admin.post("/admin/import/users/confirm").status_code == 200
    assert user_row(app, "p1.moi").email == "p1.moi@sadec.gov.vn"
    assert user_row(app, "p1.khac").email == ""

    bad = "Tên đăng nhập,Họ và tên,Vai trò,Email\nld.moi,Lê Văn A,lãnh đạo,ld.moi@\n".encode()
    admin.post("/admin/import/users", {"file": (io.BytesIO(bad), "tk.csv")},
               content_type="multipart/form-data")
    page = html(admin.get("/admin/import/users/preview"))
    assert str(escape("Địa chỉ thư điện tử không hợp lệ")) in page
    assert admin.post("/admin/import/users/confirm").status_code == 422


def fill_queue(app, smtp, ids) -> dict[str, int]:
    """One message of each status: sent, queued (refused once), failed (refused for good)."""
    notify_ward(app, ids, title="Thư đã gửi")
    send(app)
    notify_ward(app, ids, title="Thư gửi không được")
    smtp.recorder.refusals = ["550 5.7.1 Relaying denied"]
    send(app)
    notify_ward(app, ids, title="Thư chờ gửi lại")
    smtp.recorder.refusals = ["451 4.3.0 Try again later"]
    send(app)
    return {m.subject.removeprefix("[Cổng CCHC] "): m.id for m in messages(app)}


def test_admin_sees_the_queue_with_its_failures_and_filters_it(app, smtp, ids, admin):
    fill_queue(app, smtp, ids)
    page = html(admin.get("/admin/mail"))
    assert "<h1>Hàng đợi thư điện tử</h1>" in page
    # in the administration's navigation, marked as the page shown
    assert 'href="/admin/mail" aria-current="page">Thư điện tử</a>' in page
    for text in ("Tất cả (3)", "Chờ gửi (1)", "Đã gửi (1)", "Gửi không được (1)",
                 WARD_ADDRESS, "[Cổng CCHC] Thư đã gửi", "550 5.7.1 Relaying denied",
                 "451 4.3.0 Try again later"):
        assert str(escape(text)) in page, text
    # newest first
    assert page.index("Thư chờ gửi lại") < page.index("Thư gửi không được") < page.index(
        "Thư đã gửi")
    assert page.count("Gửi lại<span") == 1  # only the failed message offers it

    failed = html(admin.get("/admin/mail?status=failed"))
    assert "Thư gửi không được" in failed and "Thư đã gửi" not in failed
    assert "Thư chờ gửi lại" not in failed
    assert "Thư đã gửi" in html(admin.get("/admin/mail?status=nonsense"))  # unknown: all


def test_admin_sends_a_failed_message_again(app, smtp, ids, admin):
    subjects = fill_queue(app, smtp, ids)
    failed = subjects["Thư gửi không được"]
    audit_id = last_audit_id(app)
    response = admin.post("/admin/mail/retry", {"message": str(failed)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/mail?status=failed"
    again = next(m for m in messages(app) if m.id == failed)
    assert (again.status, again.attempts, again.last_error) == (MailStatus.QUEUED, 0, "")
    [(action, before, after)] = audit_since(app, audit_id)
    assert action == "mail.retry"
    assert before == {"status": "failed", "attempts": 1,
                      "last_error": "Máy chủ thư không nhận thư: 550 5.7.1 Relaying denied"}
    assert after == {"status": "queued", "attempts": 0, "last_error": ""}

    send(app, now=utcnow() + timedelta(minutes=1))
    assert [m.message["Subject"] for m in smtp.recorder.received].count(
        "[Cổng CCHC] Thư gửi không được") == 1

    # A message that did not fail (sent, or waiting) is never put back.
    counted = writes(app)
    for subject in ("Thư đã gửi", "Thư chờ gửi lại"):
        response = admin.post("/admin/mail/retry", {"message": str(subjects[subject])})
        assert response.status_code == 303
    assert "không ở trạng thái" in html(admin.get("/admin/mail?status=failed"))
    assert written_since(app, counted) == set()
    assert admin.post("/admin/mail/retry", {"message": "999999"}).status_code == 404
    assert admin.post("/admin/mail/retry", {"message": "x"}).status_code == 400


@pytest.mark.parametrize("username", ["phuong1", "noivu.duyet", "lanhdao"])
def test_only_the_administrator_sees_the_queue_or_sends_again(app, smtp, ids, login, username):
    subjects = fill_queue(app, smtp, ids)
    client = login(username)
    counted = writes(app)
    assert client.get("/admin/mail").status_code == 403
    response = client.post("/admin/mail/retry", {"message": str(subjects["Thư gửi không được"])})
    assert response.status_code == 403
    # the refusals themselves are audited; the queue is untouched
    assert "mail_messages" not in written_since(app, counted)
