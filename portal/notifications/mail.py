"""E-mail: sending the queue, each user's address and choice of kinds, the queue as the
administrator sees it.

`flask --app portal send-mail` (every minute or five, by cron or a systemd timer) calls
`send_queued`: each queued message whose time has come is sent through the agency's SMTP server,
once. Two runs at the same time never both send a message: each message is claimed before its
SMTP conversation by a conditional UPDATE that only one transaction can win (it counts the try and
moves `next_attempt_at` a lease ahead), committed before the conversation; the outcome is committed
per message. A try that fails waits longer each time (1, 5, 25, 125 … minutes) and the message is
marked failed after MAIL_MAX_ATTEMPTS tries, or at once when the server refuses it for good (a 5xx
answer), its error kept for the administrator. A run that cannot reach the server stops there: the
other messages wait for the next run, without a try counted against them.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import func, select, update

from .. import audit
from ..deadlines import city_zone, utcnow
from ..extensions import db
from ..models import MailMessage, MailStatus, Role, User
from . import KINDS

# Messages one run sends at most; the rest wait for the next run.
RUN_LIMIT = 200
# How long a claimed message is left to the run that claimed it: far longer than one SMTP
# conversation. Only a run that died mid-conversation leaves a claim to expire (and the message
# is then tried again: it may have arrived, or not).
LEASE = timedelta(minutes=15)
ERROR_MAX = 500
# Headers as RFC 2047 words, bodies as quoted-printable or base64: any server takes them.
POLICY = SMTP_POLICY.clone(cte_type="7bit")


def backoff(attempts: int) -> timedelta:
    """How long a message waits after its `attempts`-th try failed: 1, 5, 25, 125 … minutes."""
    return timedelta(minutes=5 ** (attempts - 1))


# --- sending -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run did: messages sent, to be tried again, failed for good; why it stopped early."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    stopped: str = ""

    @property
    def tried(self) -> int:
        return self.sent + self.retried + self.failed

    def summary(self) -> str:
        if not self.tried:
            return "Không có thư nào đến lượt gửi."
        text = (f"Đã gửi {self.sent} thư; {self.retried} thư chưa gửi được, sẽ thử lại; "
                f"{self.failed} thư gửi không được.")
        if self.stopped:
            text += f" Dừng lượt gửi này: {self.stopped}"
        return text


@dataclass(frozen=True)
class Claimed:
    """A message this run won, read in the transaction of its claim."""

    id: int
    to_address: str
    to_name: str
    subject: str
    text_body: str
    html_body: str
    attempts: int  # counting this try
    created_at: datetime


class SendError(Exception):
    """A try that failed: `permanent` when the server refused the message for good, `broken` when
    the connection is gone (the run stops)."""

    def __init__(self, message: str, *, permanent: bool = False, broken: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.broken = broken


def send_queued(now: datetime | None = None, limit: int = RUN_LIMIT) -> Outcome:
    """Send the queued messages due at `now` (naive UTC; now by default), oldest first, over one
    SMTP connection opened when the first message is claimed."""
    config = current_app.config
    now = now or utcnow()
    outcome = Outcome()
    if not config["SMTP_HOST"]:
        return outcome
    due = list(db.session.scalars(
        select(MailMessage.id)
        .where(MailMessage.status == MailStatus.QUEUED, MailMessage.next_attempt_at <= now)
        .order_by(MailMessage.next_attempt_at, MailMessage.id)
        .limit(limit)
    ))
    db.session.commit()  # each claim below is the first statement of its own transaction
    postman = Postman(config)
    try:
        for message_id in due:
            claimed = _claim(message_id, now)
            if claimed is None:  # another run has it, or sent it already
                continue
            try:
                postman.send(compose(claimed, config["SMTP_SENDER"], now))
            except SendError as error:
                final = error.permanent or claimed.attempts >= config["MAIL_MAX_ATTEMPTS"]
                _record_failure(claimed, str(error), final, now)
                if final:
                    outcome.failed += 1
                else:
                    outcome.retried += 1
                if error.broken:
                    outcome.stopped = str(error)
                    break
            else:
                _record(claimed.id, status=MailStatus.SENT, sent_at=now, last_error="")
                _forget_secret(claimed.id)
                outcome.sent += 1
    finally:
        postman.close()
    return outcome


def _claim(message_id: int, now: datetime) -> Claimed | None:
    """Win the message for this run, or None. The UPDATE's condition is checked again by the
    database under the row's lock, so of two runs exactly one sees a row changed."""
    won = db.session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.status == MailStatus.QUEUED,
               MailMessage.next_attempt_at <= now)
        .values(attempts=MailMessage.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    claimed = None
    if won:
        row = db.session.execute(
            select(MailMessage.id, MailMessage.to_address, func.coalesce(User.full_name, ""),
                   MailMessage.subject, MailMessage.text_body, MailMessage.html_body,
                   MailMessage.attempts, MailMessage.created_at)
            .outerjoin(User, User.id == MailMessage.user_id)
            .where(MailMessage.id == message_id)
        ).one()
        claimed = Claimed(*row)
    db.session.commit()
    return claimed


def _record(message_id: int, **values) -> None:
    db.session.execute(
        update(MailMessage).where(MailMessage.id == message_id).values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# Mail whose body opens an account (a password reset link): the queue keeps it only until it
# is sent or has failed, so that a copy of the database holds no usable link.
SECRET_KINDS = ("password.reset",)
FORGOTTEN_BODY = "(Nội dung thư đã được xoá sau khi gửi vì chứa liên kết đặt lại mật khẩu.)"


def _forget_secret(message_id: int) -> None:
    db.session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.kind.in_(SECRET_KINDS))
        .values(text_body=FORGOTTEN_BODY, html_body="")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_failure(claimed: Claimed, error: str, final: bool, now: datetime) -> None:
    if final:
        _record(claimed.id, status=MailStatus.FAILED, last_error=error[:ERROR_MAX])
        _forget_secret(claimed.id)
    else:
        _record(claimed.id, last_error=error[:ERROR_MAX],
                next_attempt_at=now + backoff(claimed.attempts))


def compose(claimed: Claimed, sender: str, now: datetime) -> EmailMessage:
    """The message as it goes out: text with an HTML alternative, UTF-8 headers."""
    email = EmailMessage(policy=POLICY)
    email["Subject"] = claimed.subject
    email["From"] = sender
    try:
        email["To"] = Address(display_name=claimed.to_name, addr_spec=claimed.to_address)
    except (ValueError, MessageError) as error:
        raise SendError(f"Địa chỉ người nhận không hợp lệ: {claimed.to_address}",
                        permanent=True) from error
    email["Date"] = format_datetime(now.replace(tzinfo=UTC).astimezone(city_zone()))
    # The same id on every try: a mail reader shows a message that arrived twice only once.
    domain = sender.rpartition("@")[2].strip(" >") or "localhost"
    email["Message-ID"] = f"<cong-cchc.{claimed.id}.{claimed.created_at:%Y%m%d%H%M%S}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    email.set_content(claimed.text_body)
    if claimed.html_body:
        email.add_alternative(claimed.html_body, subtype="html")
    return email


class Postman:
    """One SMTP connection for a run: opened at the first message, with STARTTLS and login when
    the settings ask for them; every failure comes out as a SendError in Vietnamese."""

    def __init__(self, config):
        self.host, self.port = config["SMTP_HOST"], int(config["SMTP_PORT"])
        self.timeout = config["SMTP_TIMEOUT"]
        self.starttls = bool(config["SMTP_STARTTLS"])
        self.username, self.password = config["SMTP_USERNAME"], config["SMTP_PASSWORD"]
        self.smtp: smtplib.SMTP | None = None

    def send(self, email: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            refused = self.smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            [(address, (code, text))] = list(error.recipients.items())[:1]
            raise SendError(f"Máy chủ thư từ chối người nhận {address}: {code} "
                            f"{_text(text)}", permanent=code >= 500) from error
        except smtplib.SMTPResponseException as error:
            raise SendError(f"Máy chủ thư không nhận thư: {error.smtp_code} "
                            f"{_text(error.smtp_error)}", permanent=error.smtp_code >= 500,
                            broken=self.smtp.sock is None) from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise SendError(self._explain(error), broken=True) from error
        if refused:  # one recipient per message: only ever empty, but never silently lost
            raise SendError(f"Máy chủ thư từ chối người nhận: {refused}")

    def _connect(self) -> smtplib.SMTP:
        smtp = None
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
        except (smtplib.SMTPException, OSError) as error:
            if smtp is not None:
                smtp.close()
            raise SendError(self._explain(error), broken=True) from error
        return smtp

    def _explain(self, error: Exception) -> str:
        server = f"{self.host}:{self.port}"
        if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
            return f"Máy chủ thư {server} không trả lời sau {self.timeout} giây."
        if isinstance(error, ConnectionRefusedError):
            return f"Máy chủ thư {server} từ chối kết nối."
        if isinstance(error, socket.gaierror):
            return f"Không tìm thấy máy chủ thư «{self.host}»."
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return (f"Máy chủ thư không chấp nhận tên đăng nhập, mật khẩu (PORTAL_SMTP_USERNAME, "
                    f"PORTAL_SMTP_PASSWORD): {error.smtp_code} {_text(error.smtp_error)}")
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return f"Máy chủ thư {server} không hỗ trợ: {error}"
        if isinstance(error, ssl.SSLError):
            return f"Lỗi TLS với máy chủ thư {server}: {error}"
        if isinstance(error, smtplib.SMTPResponseException):
            return f"Máy chủ thư {server} trả lời: {error.smtp_code} {_text(error.smtp_error)}"
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return f"Máy chủ thư {server} ngắt kết nối: {error}"
        return f"Lỗi kết nối máy chủ thư {server}: {error}"

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


# --- each user's address and kinds ---------------------------------------------------------------

# An ordinary address, ASCII only (no server of the agency's takes more): name@domain.tld.
ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
ADDRESS_MAX = 200


def address_error(address: str) -> str | None:
    """Why an e-mail address (already stripped; empty: none) cannot be kept, or None."""
    if not address:
        return None
    if len(address) > ADDRESS_MAX:
        return f"Địa chỉ thư điện tử tối đa {ADDRESS_MAX} ký tự."
    if not ADDRESS.fullmatch(address) or len(address.partition("@")[0]) > 64:
        return "Địa chỉ thư điện tử không hợp lệ; ví dụ: nguyenvana@sadec.gov.vn."
    return None


def kinds_for(role: Role) -> list[str]:
    """The kinds of e-mail an account of this role can receive: a unit's staff are told what
    concerns their unit, Phòng Nội vụ's reviewers what asks for their review; leaders and
    administrators are told nothing."""
    if role is Role.UNIT:
        return [kind for kind, about in KINDS.items() if about.for_units]
    if role is Role.REVIEWER:
        return [kind for kind, about in KINDS.items() if not about.for_units]
    return []


def save_settings(user: User, email: str, received: list[str]) -> bool:
    """Keep the user's address and the kinds they receive (those of their role not received are
    turned off; choices about other roles' kinds are kept). Audited and committed; False when
    nothing changed."""
    applicable = kinds_for(user.role)
    kept = set(user.mail_kinds_off or []) - set(applicable)
    off = [kind for kind in KINDS if kind in kept or (kind in applicable and kind not in received)]
    before = {"email": user.email, "mail_kinds_off": list(user.mail_kinds_off or [])}
    after = {"email": email, "mail_kinds_off": off}
    changed = [key for key in after if _same(before[key]) != _same(after[key])]
    if not changed:
        return False
    user.email, user.mail_kinds_off = email, off
    audit.record("account.mail_settings", user, unit_id=user.unit_id,
                 before={key: before[key] for key in changed},
                 after={key: after[key] for key in changed})
    db.session.commit()
    return True


def _same(value):
    """A list of kinds compares whatever its order."""
    return sorted(value) if isinstance(value, list) else value


# --- the queue, for the administrator ------------------------------------------------------------

QUEUE_PAGE = 200


@dataclass
class QueueView:
    status: MailStatus | None
    counts: dict[MailStatus, int]
    messages: list[MailMessage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def shown_of(self) -> int:
        """How many messages the filter matches (the page shows the newest QUEUE_PAGE)."""
        return self.counts[self.status] if self.status else self.total


def queue_view(status: MailStatus | None) -> QueueView:
    """The newest messages (of one status, or all) and the count of each status."""
    counts = dict.fromkeys(MailStatus, 0) | dict(db.session.execute(
        select(MailMessage.status, func.count()).group_by(MailMessage.status)
    ).all())
    query = select(MailMessage).order_by(MailMessage.created_at.desc(), MailMessage.id.desc())
    if status is not None:
        query = query.where(MailMessage.status == status)
    messages = list(db.session.scalars(query.limit(QUEUE_PAGE)))
    return QueueView(status, counts, messages)


def retry(message_id: int) -> bool | None:
    """Put a failed message back in the queue, its tries counted from zero, audited and committed.
    None: no such message; False: it has not failed (a sent message is never sent again)."""
    message = db.session.get(MailMessage, message_id)
    if message is None:
        return None
    before = {"status": message.status.value, "attempts": message.attempts,
              "last_error": message.last_error}
    requeued = db.session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.status == MailStatus.FAILED)
        .values(status=MailStatus.QUEUED, attempts=0, next_attempt_at=utcnow(), last_error="")
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not requeued:
        db.session.rollback()
        return False
    audit.record("mail.retry", message, before=before,
                 after={"status": MailStatus.QUEUED.value, "attempts": 0, "last_error": ""})
    db.session.commit()
    return True
