"""The portal: create_app builds the Flask application with its settings, extensions, blueprints,
command-line commands, error pages (portal/errors.py), request guards and security headers."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import cli, errors, formatting, navigation, permissions
from .admin import bp as admin_bp
from .api.routes import bp as api_bp
from .audit import audit_denial
from .auth import identity
from .auth.routes import bp as auth_bp
from .checklist.routes import bp as checklist_bp
from .config import ROOT, load_settings
from .cross_site import refuse_cross_site
from .dashboard.routes import bp as dashboard_bp
from .extensions import csrf, db, login_manager, migrate
from .findings.routes import bp as findings_bp
from .htmx import is_htmx
from .models import ID_MAX, User
from .notifications import bell
from .notifications.routes import bp as notifications_bp
from .overview.routes import bp as overview_bp
from .reports.routes import bp as reports_bp
from .review.routes import bp as review_bp
from .serving import BodyDeadline
from .talk.routes import bp as talk_bp


class IdConverter(IntegerConverter):
    """<int:...> in a URL: a number beyond ID_MAX names no row, and SQLite cannot even compare
    it (an OverflowError, a 500): such a URL is a 404, like any unknown id."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


class _FromProxies:
    """The X-Forwarded-* headers read (`fixed`, ProxyFix) only for requests whose peer is one of
    the proxies' `addresses`; anyone else reaching the app server directly is answered by `app`
    as the address it connects from, whatever headers it sends."""

    def __init__(self, app, fixed, addresses: set[str]):
        self.app, self.fixed, self.addresses = app, fixed, addresses

    def __call__(self, environ, start_response):
        trusted = environ.get("REMOTE_ADDR") in self.addresses
        return (self.fixed if trusted else self.app)(environ, start_response)


def create_app(config: dict | None = None) -> Flask:
    """Build the portal; `config` overrides every other setting (INSTANCE_PATH moves instance/)."""
    app = Flask(
        __name__,
        instance_path=str((config or {}).get("INSTANCE_PATH") or ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_settings(app, config)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    if app.config["PROXIES"]:
        proxies = app.config["PROXIES"]
        fixed = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
        addresses = {a.strip() for a in app.config["PROXY_ADDRESSES"].split(",") if a.strip()}
        app.wsgi_app = _FromProxies(app.wsgi_app, fixed, addresses) if addresses else fixed
    app.wsgi_app = BodyDeadline(app.wsgi_app, app.config["REQUEST_BODY_TIMEOUT"],
                                app.config["REQUEST_BODY_MIN_RATE_KB"] * 1024,
                                app.config["MAX_CONTENT_LENGTH"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    app.before_request(refuse_cross_site)  # before the CSRF check reads the form
    csrf.init_app(app)
    login_manager.init_app(app)
    _set_up_login(app)

    app.register_blueprint(auth_bp)
    identity.init_app(app)
    app.register_blueprint(checklist_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(talk_bp)
    app.register_blueprint(overview_bp)
    app.register_blueprint(findings_bp)
    # A line that holds only a template tag leaves nothing in the page: a checklist repeats its
    # item's template for every item, and the page weighs less by as much as it had blank lines.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["waiting_for_review"] = navigation.waiting
    app.jinja_env.globals["unread_notifications"] = bell.unread
    permissions.register(app)
    cli.register(app)
    formatting.register(app)
    errors.register(app)
    app.before_request(_refuse_nul)
    app.after_request(_security_headers)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite as a multi-user database: enforce foreign keys, readers never block the writer."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _set_up_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_token: str):
        return db.session.scalar(select(User).where(User.session_token == session_token))

    @login_manager.unauthorized_handler
    def unauthorized():
        login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
        if not (request.endpoint == "checklist.home" and request.method == "GET"):
            # Opening the portal's address before logging in is the way in, not a denial.
            audit_denial(401)
        if is_htmx():
            # Never swap the login page into a fragment: send the browser there.
            return "", 401, {"HX-Redirect": url_for("auth.login")}
        return redirect(login_url)


NUL_REFUSED = ("Dữ liệu gửi lên có ký tự rỗng (NUL, mã 0), là ký tự không gõ được từ bàn phím; "
               "hãy xoá ký tự đó (thường do dán từ tệp khác) rồi gửi lại. Chưa có gì được lưu.")


def _refuse_nul() -> None:
    """No one types a NUL (U+0000) and PostgreSQL cannot keep one in text (a query or a row
    holding it fails): a request whose query or form fields hold one is refused whole, before
    anything reads them. File names are cleaned where files are stored (portal/storage.py)."""
    for key, values in (*request.args.lists(), *request.form.lists()):
        if "\x00" in key or any("\x00" in value for value in values):
            abort(422, description=NUL_REFUSED)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["SERVER_ID"]:
        response.headers["X-Portal-Server"] = current_app.config["SERVER_ID"]
    if current_app.config["HTTPS"]:
        # Browsers then refuse plain HTTP to the portal, so no cookie can leak over it.
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={current_app.config['HSTS_MAX_AGE']}")
    if request.endpoint != "static" and current_user.is_authenticated:
        # Pages and evidence hold a unit's own data: never keep them in any cache.
        response.headers["Cache-Control"] = "private, no-store"
    return response
