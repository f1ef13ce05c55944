"""The ways in and out (the login form, checked by the directory or the portal's own password;
the province's OpenID Connect login; "Quên mật khẩu"; logout), the user's own password and their
e-mail settings, and the two rules every page obeys first (an administrator's password is changed,
an account awaiting its rights sees nothing)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit
from ..deadlines import utcnow
from ..extensions import db
from ..htmx import is_htmx
from ..notifications import mail
from ..permissions import has_rights, may_use_local_password
from . import accounts, credentials, identity, resets
from .forms import (
    ForgotPasswordForm,
    LoginForm,
    MailSettingsForm,
    PasswordForm,
    ResetPasswordForm,
)
from .lockout import address_lock, current_lock, forget_failures, record_failure
from .passwords import check_password, hash_password, weakness

bp = Blueprint("auth", __name__)

# What an account that must change its password may still open.
OPEN_BEFORE_PASSWORD_CHANGE = {"static", "auth.change_password", "auth.logout"}
CHANGE_PASSWORD_FIRST = (
    "Mật khẩu của bạn do quản trị viên cấp. Hãy đặt mật khẩu mới của riêng bạn trước khi "
    "tiếp tục."
)


@bp.before_app_request
def _password_change_first():
    """The one rule that reaches every page of the portal: an account whose password an
    administrator chose (a new account, a reset) changes it before doing anything else."""
    if request.endpoint is None or request.endpoint in OPEN_BEFORE_PASSWORD_CHANGE:
        return None
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    if session.get("login_way", credentials.LOCAL) != credentials.LOCAL:
        return None  # its password is the directory's (or the identity server's) to keep
    # Once, however many requests are sent here before the password page shows it.
    if CHANGE_PASSWORD_FIRST not in (message for _, message in session.get("_flashes", [])):
        flash(CHANGE_PASSWORD_FIRST, "info")
    target = url_for("auth.change_password")
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target, code=303)


# What an account awaiting its rights may still open: the ways in and out.
OPEN_WITHOUT_RIGHTS = {"static", "auth.login", "auth.logout", "auth.forgot_password",
                       "auth.reset_password", "auth.oidc_login", "auth.oidc_callback"}


@bp.before_app_request
def _rights_first():
    """An account created at a first login, before an administrator gives it a unit and a role:
    its home says so, every other page is refused (403, audited)."""
    if request.endpoint is None or request.endpoint in OPEN_WITHOUT_RIGHTS:
        return None
    if not current_user.is_authenticated or has_rights(current_user):
        return None
    if request.endpoint == "checklist.home":
        return render_template("auth/awaiting.html")
    abort(403)


def safe_next(target: str | None) -> str | None:
    """`next` only to a path of this portal, never to another host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("checklist.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status

    username = form.username.data.strip()
    address = request.remote_addr or ""
    lock = current_lock(username, address)
    if lock:  # refused before the password is even looked at: the right one waits too
        return _locked(form, lock)

    # Every way checks the password for every name, known, unknown or switched off: the same
    # work whatever the answer, so that its time does not tell which accounts exist.
    checked = credentials.check(username, form.password.data)
    user = checked.user
    if checked.way is not None and user is None:
        # The directory knows this person; the portal has no account for them.
        if accounts.may_create():
            user = accounts.create_awaiting(username, checked.way)
        if user is None:
            return _refused(form, "login.no_account", username, address, no_account_message(),
                            after={"way": checked.way})
    if checked.way is None and checked.directory_down:
        # Not the user's mistake: not counted as a failure.
        audit.record("login.directory_unavailable", user, user=None, username=username[:80])
        db.session.commit()
        return render_template("auth/login.html", form=form, alert=DIRECTORY_DOWN), 503
    if checked.way is None or not user.active:
        audit.record("login.failed", user, user=None, username=username[:80])
        lock = record_failure(username, address)
        if lock:
            audit.record("login.locked", user, user=None, username=username[:80],
                         after=lock.audit_details())
        db.session.commit()
        if lock:
            return _locked(form, lock)
        form.password.errors.append("Tên đăng nhập hoặc mật khẩu không đúng.")
        return render_template("auth/login.html", form=form), 401

    session.clear()  # a fresh session at login: no fixation
    session["login_way"] = checked.way
    login_user(user, remember=form.remember.data,
               duration=current_app.config["REMEMBER_COOKIE_DURATION"])
    forget_failures(username)
    audit.record("login", user, user=user, after={"way": checked.way})
    db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("checklist.home"), code=303)


DIRECTORY_DOWN = (
    "Không kết nối được máy chủ thư mục (LDAP/Active Directory) để kiểm tra mật khẩu. Vui lòng "
    "thử lại sau ít phút; nếu vẫn không được, hãy báo quản trị hệ thống. Tài khoản quản trị dự "
    "phòng vẫn đăng nhập được."
)


def no_account_message() -> str:
    return ("Bạn đã được xác thực nhưng chưa có tài khoản trên cổng này. Hãy liên hệ "
            f"{current_app.config['ACCOUNT_CONTACT']} để được tạo tài khoản, gán đơn vị và vai "
            "trò.")


def _refused(form, action: str, username: str, address: str, message: str, after=None,
             status: int = 403):
    """The login form and why an identity was refused (none of the portal's accounts, an answer
    not to be trusted). Audited and counted against the address like a failed login."""
    audit.record(action, None, user=None, username=username[:80], after=after)
    lock = record_failure(username, address)
    if lock:
        audit.record("login.locked", None, user=None, username=username[:80],
                     after=lock.audit_details())
    db.session.commit()
    if lock:
        return _locked(form, lock)
    return render_template("auth/login.html", form=form, alert=message), status


def _locked(form: LoginForm, lock):
    """429 with the login form and when to try again."""
    seconds = max(1, int((lock.until - utcnow()).total_seconds()))
    page = render_template("auth/login.html", form=form, alert=lock.message())
    return page, 429, {"Retry-After": str(seconds)}


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    user.end_sessions()
    audit.record("logout", user)
    db.session.commit()
    identity_logout = None
    if session.get("login_way") == credentials.IDENTITY and identity.enabled():
        identity_logout = identity.logout_url(session.get("id_token", ""))
    session.clear()
    logout_user()  # after clear: it marks the remember-me cookie for deletion in the session
    flash("Bạn đã đăng xuất.", "info")
    if identity_logout:
        # The portal's session is over; the province's login is offered to end as well.
        session["identity_logout"] = identity_logout
    return redirect(url_for("auth.login"), code=303)


@bp.context_processor
def _ways_in() -> dict:
    return {"identity_login": identity.enabled(),
            "identity_logout": session.pop("identity_logout", None)
            if request.endpoint == "auth.login" else None}


# --- the province's central login (OpenID Connect) ----------------------------------------------

IDENTITY_REFUSED = (
    "Đăng nhập bằng tài khoản dùng chung không thành công (phiên đăng nhập không hợp lệ hoặc đã "
    "hết hạn). Hãy thử lại từ đầu."
)
IDENTITY_DOWN = (
    "Không kết nối được máy chủ xác thực dùng chung của tỉnh. Vui lòng thử lại sau ít phút; "
    "nếu vẫn không được, hãy báo quản trị hệ thống. Tài khoản quản trị dự phòng vẫn đăng nhập "
    "được bằng mật khẩu."
)


@bp.get("/login/oidc")
def oidc_login():
    if not identity.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("checklist.home"))
    lock = address_lock(request.remote_addr or "")
    if lock:
        return _locked(LoginForm(), lock)
    session["login_next"] = safe_next(request.args.get("next"))
    try:
        return identity.start()
    except identity.IdentityUnavailable as error:
        current_app.logger.warning("identity server unavailable: %s", error)
        audit.record("login.identity_unavailable", None, user=None)
        db.session.commit()
        return render_template("auth/login.html", form=LoginForm(), alert=IDENTITY_DOWN), 503


@bp.get("/login/oidc/callback")
def oidc_callback():
    if not identity.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("checklist.home"))
    address = request.remote_addr or ""
    form = LoginForm()
    lock = address_lock(address)
    if lock:
        return _locked(form, lock)
    try:
        found = identity.finish()
    except identity.IdentityUnavailable as error:
        current_app.logger.warning("identity server unavailable: %s", error)
        audit.record("login.identity_unavailable", None, user=None)
        db.session.commit()
        return render_template("auth/login.html", form=form, alert=IDENTITY_DOWN), 503
    except identity.IdentityRefused as refused:
        return _refused(form, "login.identity_refused", "", address, IDENTITY_REFUSED,
                        after={"way": credentials.IDENTITY, "reason": refused.reason}, status=401)
    user = identity.account_for(found)
    if user is None and accounts.may_create():
        by_email = current_app.config["OIDC_MATCH"] == "email"
        user = accounts.create_awaiting(found.claim, credentials.IDENTITY, found.name,
                                        found.claim if by_email else found.email)
    if user is None:
        return _refused(form, "login.no_account", found.claim, address, no_account_message(),
                        after={"way": credentials.IDENTITY, "claim": found.claim})
    if not user.active:
        return _refused(form, "login.failed", found.claim, address, ACCOUNT_OFF,
                        after={"way": credentials.IDENTITY, "claim": found.claim})
    next_page = session.get("login_next")
    session.clear()  # a fresh session at login: no fixation
    session["login_way"] = credentials.IDENTITY
    session["id_token"] = found.id_token  # for the identity server's logout
    login_user(user)
    forget_failures(user.username)
    audit.record("login", user, user=user,
                 after={"way": credentials.IDENTITY, "claim": found.claim})
    db.session.commit()
    return redirect(next_page or url_for("checklist.home"), code=303)


ACCOUNT_OFF = ("Tài khoản của bạn trên cổng đang bị khoá. Hãy liên hệ quản trị hệ thống nếu "
               "bạn cần dùng lại.")


NOT_LOCAL = ("Tài khoản của bạn đăng nhập bằng thư mục của cơ quan (LDAP/Active Directory) hoặc "
             "tài khoản dùng chung của tỉnh; mật khẩu được đổi ở hệ thống đó, không ở cổng này.")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    if not may_use_local_password(current_user):
        # Its password is the directory's or the province's login's, changed there.
        status = 409 if request.method == "POST" else 200
        return render_template("auth/password.html", form=None, alert=NOT_LOCAL), status
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not check_password(user.password_hash, form.current.data):
            form.current.errors.append("Mật khẩu hiện tại không đúng.")
        elif form.new.data == form.current.data:
            form.new.errors.append("Mật khẩu mới phải khác mật khẩu hiện tại.")
        elif reason := weakness(form.new.data, user.username):
            form.new.errors.append(reason)
        else:
            user.password_hash = hash_password(form.new.data)
            user.must_change_password = False
            user.end_sessions()
            audit.record("password.change", user)
            db.session.commit()
            login_user(user)  # this session goes on under the new token; the others end
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("auth.change_password"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def mail_settings():
    user = current_user._get_current_object()
    kinds = mail.kinds_for(user.role)
    off = user.mail_kinds_off or []
    form = MailSettingsForm(kinds=kinds, data={
        "email": user.email, "kinds": [kind for kind in kinds if kind not in off]})
    if form.validate_on_submit():
        if mail.save_settings(user, form.email.data, form.kinds.data):
            flash("Đã lưu cài đặt thông báo qua thư.", "success")
        else:
            flash("Không có gì thay đổi.", "info")
        return redirect(url_for("auth.mail_settings"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/notifications.html", form=form,
                           mail_enabled=bool(current_app.config["SMTP_HOST"])), status


# --- "Quên mật khẩu" -----------------------------------------------------------------------------

RESET_SENT = (
    "Nếu tên hoặc địa chỉ bạn nhập thuộc một tài khoản dùng mật khẩu của cổng và có địa chỉ thư "
    "điện tử, một thư có liên kết đặt lại mật khẩu vừa được gửi đến địa chỉ đó. Liên kết dùng "
    "được một lần, trong {minutes} phút."
)
RESET_TOO_OFTEN = (
    "Máy của bạn (địa chỉ mạng này) đã yêu cầu đặt lại mật khẩu quá nhiều lần trong một giờ. "
    "Vui lòng thử lại sau."
)
RESET_LINK_BAD = (
    "Liên kết đặt lại mật khẩu không hợp lệ, đã được dùng hoặc đã hết hạn. Hãy yêu cầu một liên "
    "kết mới."
)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    if current_user.is_authenticated:
        return redirect(url_for("checklist.home"))
    form = ForgotPasswordForm()
    address = request.remote_addr or ""
    if form.validate_on_submit():
        if resets.address_must_wait(address):
            audit.record("password.reset_limited", None, username=form.name.data.strip()[:80])
            db.session.commit()
            page = render_template("auth/forgot.html", form=form, alert=RESET_TOO_OFTEN)
            return page, 429, {"Retry-After": "3600"}
        resets.request_reset(form.name.data, address)
        flash(RESET_SENT.format(minutes=current_app.config["PASSWORD_RESET_MINUTES"]), "info")
        return redirect(url_for("auth.login"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form,
                           mail_enabled=bool(current_app.config["SMTP_HOST"])), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if current_user.is_authenticated:
        return redirect(url_for("checklist.home"))
    found = resets.valid_link(token)
    if found is None:
        page = render_template("auth/reset.html", form=None, alert=RESET_LINK_BAD)
        return page, 404, {"Referrer-Policy": "no-referrer"}
    row, user = found
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if reason := weakness(form.new.data, user.username):
            form.new.errors.append(reason)
        else:
            resets.complete_reset(row, user, form.new.data)
            flash("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu mới.", "success")
            return redirect(url_for("auth.login"), code=303)
    status = 422 if request.method == "POST" else 200
    page = render_template("auth/reset.html", form=form, user=user, token=token)
    return page, status, {"Referrer-Policy": "no-referrer"}
