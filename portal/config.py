"""Settings: the defaults below, then instance/config.py, then PORTAL_* environment variables.

Nothing else in the portal reads the environment.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Config:
    # None: portal.sqlite3 and uploads/ in the instance folder.
    DATABASE_URL: str | None = None
    SECRET_KEY: str | None = None
    UPLOAD_DIR: str | None = None
    MAX_UPLOAD_MB = 20
    # Reading an imported letter (portal/directives/importer/ocr.py, `Limits`): a PDF or a
    # scan of more pages is refused; an image (or a rendered page) of more pixels is refused
    # before it is decoded; one page's OCR, and a .doc's conversion by LibreOffice, are stopped
    # after so many seconds; each OCR or conversion process has this much address space; so
    # many pages are read at once.
    LETTER_MAX_PAGES = 50
    LETTER_MAX_PIXELS = 50_000_000
    LETTER_PAGE_SECONDS = 60
    LETTER_CONVERT_SECONDS = 90
    LETTER_MEMORY_MB = 1024
    LETTER_OCR_WORKERS = 2
    # A letter read outside the request (a PDF, a scan, a .doc) whose reading shows no progress
    # for this long is ended as failed.
    LETTER_READ_STALE_SECONDS = 300
    # Trao đổi: the longest message, and how long its writer may still delete it.
    MESSAGE_MAX_CHARS = 4000
    MESSAGE_DELETE_MINUTES = 5
    # What one unit's evidence files may take in all, in MB.
    UNIT_QUOTA_MB = 2048
    # Multipart forms (uploads): the portal's largest has four parts (the letter import), so a
    # request with more parts, or a text field over 500 KB, is refused with 413 before any route.
    MAX_FORM_PARTS = 100
    MAX_FORM_MEMORY_SIZE = 500_000
    # A request body (an upload) that pauses longer than this many seconds, or arrives slower on
    # average than REQUEST_BODY_MIN_RATE_KB a second after the first REQUEST_BODY_TIMEOUT
    # seconds, is cut off with 408 (a timeout of 0 turns this off, a rate of 0 bounds pauses
    # only). Under gunicorn only (portal/serving.py; README, "Slow clients").
    REQUEST_BODY_TIMEOUT = 30
    REQUEST_BODY_MIN_RATE_KB = 16
    # Argon2 cost; tests lower it so that thirty demo accounts hash in milliseconds.
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 65536
    TIMEZONE = "Asia/Ho_Chi_Minh"
    # A deadline this many days away or fewer reads "sắp đến hạn".
    DUE_SOON_DAYS = 3
    # Tests only: a naive UTC datetime that stands for "now" everywhere (portal/deadlines.py).
    FROZEN_NOW = None
    # "production" refuses what only suits a trial: demo accounts without a chosen password.
    ENV = "development"
    # Served over HTTPS (directly or behind a proxy): Secure cookies and HSTS.
    HTTPS = False
    # Failed logins within the window: this many from one address and the address waits; this
    # many for one account, from all addresses together, and the account waits, except in a
    # browser that has logged into it before (portal/auth/lockout.py says why).
    LOGIN_MAX_FAILURES = 10
    LOGIN_ACCOUNT_MAX_FAILURES = 50
    LOGIN_WINDOW_MINUTES = 15
    # Ways in (README, "Logging in with the directory or the province's login"). The directory:
    # LDAP or Active Directory, asked by a simple bind over StartTLS (ldap://) or TLS
    # (ldaps://), never in clear; "" : none. LDAP_BIND_DN is the name bound as, with {username}
    # the name typed ("uid={username},ou=people,dc=sadec,dc=local", or "{username}@sadec.local"
    # for Active Directory); LDAP_CA_FILE the certificates the server's is checked against
    # ("" : the system's).
    LDAP_URL = ""
    LDAP_BIND_DN = ""
    LDAP_CA_FILE = ""
    LDAP_TIMEOUT = 5
    # Local passwords (kept by the portal): "all" accounts, or only the "break_glass" ones, the
    # administrators named in BREAK_GLASS_USERS (comma-separated), who log in when the directory
    # or the identity server is down. A break-glass account never asks the directory.
    LOCAL_PASSWORDS = "all"
    BREAK_GLASS_USERS = ""
    # The province's central login (OpenID Connect), shown on the login page as "Đăng nhập bằng
    # tài khoản dùng chung" when OIDC_ISSUER and OIDC_CLIENT_ID are set. The identity server
    # registers BASE_URL + "/login/oidc/callback" as the client's redirect URI and BASE_URL +
    # "/login" as where its logout returns. OIDC_CLAIM names the claim that identifies the person
    # and OIDC_MATCH what it is compared with: the account's "username" or its "email".
    # OIDC_LEEWAY: seconds of clock difference allowed when checking the ID token's times.
    OIDC_ISSUER = ""
    OIDC_METADATA_URL = ""  # "": OIDC_ISSUER + /.well-known/openid-configuration
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_SCOPES = "openid profile email"
    OIDC_CLAIM = "preferred_username"
    OIDC_MATCH = "username"
    OIDC_LEEWAY = 60
    OIDC_TIMEOUT = 10
    # A first login through the directory or the province's login by someone without an account
    # creates one with no rights, until an administrator gives it a unit and a role; off: refused.
    CREATE_ACCOUNTS = False
    # Who to ask for an account, named to someone the directory knows but the portal does not.
    ACCOUNT_CONTACT = "Quản trị hệ thống của cổng (Phòng Nội vụ)"
    # "Quên mật khẩu": a link valid this many minutes, once; at most this many links per account
    # and requests per address in an hour.
    PASSWORD_RESET_MINUTES = 60
    PASSWORD_RESET_MAX_PER_ACCOUNT = 3
    PASSWORD_RESET_MAX_PER_ADDRESS = 10
    # A form left open over a weekend still submits: the token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    HSTS_MAX_AGE = 365 * 24 * 3600
    # Reverse proxies in front of the portal that set X-Forwarded-For/-Proto/-Host (0: none; the
    # headers are then ignored, since anyone could send them). Behind nginx, 1: the audit log and
    # the per-address login limit then see each user's address, not the proxy's.
    PROXIES = 0
    # The addresses the proxies connect from, comma-separated ("127.0.0.2,10.0.0.5"): only a
    # request whose peer is one of them has its X-Forwarded-* headers read; any other (someone
    # reaching an app server directly) keeps its own address. "": any peer (PROXIES alone).
    PROXY_ADDRESSES = ""
    # This app server's name among several (deploy/): sent with every answer of the portal as
    # X-Portal-Server, so that operators and tests can tell which server answered ("" : none).
    SERVER_ID = ""
    # Links in e-mail and in reminders made by commands start with this address.
    BASE_URL = "http://127.0.0.1:5000"
    # Redis ("redis://127.0.0.1:6379/0"), shared by every server: where rendered matrix fragments
    # and their renders' leases are kept (portal/matrix/fragments.py); "": the database's
    # matrix_fragments table. Every key starts with REDIS_PREFIX.
    REDIS_URL = ""
    REDIS_PREFIX = "portal:"
    # The agency's mail server; none (empty host): notifications stay in the portal only.
    SMTP_HOST = ""
    SMTP_PORT = 25
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = False
    SMTP_SENDER = "cong-cchc@localhost"
    SMTP_TIMEOUT = 30
    # A message is tried this many times, waiting longer each time, before it is marked failed.
    MAIL_MAX_ATTEMPTS = 5


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


# Settings that may come from PORTAL_<NAME>, with the type to read them as.
ENV_SETTINGS = {
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "UPLOAD_DIR": str,
    "MAX_UPLOAD_MB": int,
    "LETTER_MAX_PAGES": int,
    "LETTER_MAX_PIXELS": int,
    "LETTER_PAGE_SECONDS": int,
    "LETTER_CONVERT_SECONDS": int,
    "LETTER_MEMORY_MB": int,
    "LETTER_OCR_WORKERS": int,
    "LETTER_READ_STALE_SECONDS": int,
    "MESSAGE_MAX_CHARS": int,
    "MESSAGE_DELETE_MINUTES": int,
    "UNIT_QUOTA_MB": int,
    "REQUEST_BODY_TIMEOUT": int,
    "REQUEST_BODY_MIN_RATE_KB": int,
    "PASSWORD_TIME_COST": int,
    "PASSWORD_MEMORY_COST": int,
    "ENV": str,
    "HTTPS": _flag,
    "LOGIN_MAX_FAILURES": int,
    "LOGIN_ACCOUNT_MAX_FAILURES": int,
    "LOGIN_WINDOW_MINUTES": int,
    "PROXIES": int,
    "PROXY_ADDRESSES": str,
    "SERVER_ID": str,
    "BASE_URL": str,
    "REDIS_URL": str,
    "REDIS_PREFIX": str,
    "SMTP_HOST": str,
    "SMTP_PORT": int,
    "SMTP_USERNAME": str,
    "SMTP_PASSWORD": str,
    "SMTP_STARTTLS": _flag,
    "SMTP_SENDER": str,
    "SMTP_TIMEOUT": int,
    "MAIL_MAX_ATTEMPTS": int,
    "LDAP_URL": str,
    "LDAP_BIND_DN": str,
    "LDAP_CA_FILE": str,
    "LDAP_TIMEOUT": int,
    "LOCAL_PASSWORDS": str,
    "BREAK_GLASS_USERS": str,
    "ACCOUNT_CONTACT": str,
    "CREATE_ACCOUNTS": _flag,
    "OIDC_ISSUER": str,
    "OIDC_METADATA_URL": str,
    "OIDC_CLIENT_ID": str,
    "OIDC_CLIENT_SECRET": str,
    "OIDC_SCOPES": str,
    "OIDC_CLAIM": str,
    "OIDC_MATCH": str,
    "OIDC_LEEWAY": int,
    "OIDC_TIMEOUT": int,
    "PASSWORD_RESET_MINUTES": int,
    "PASSWORD_RESET_MAX_PER_ACCOUNT": int,
    "PASSWORD_RESET_MAX_PER_ADDRESS": int,
}


def load_settings(app, overrides: dict | None) -> None:
    """Fill app.config from the defaults, instance/config.py, PORTAL_* and then overrides."""
    instance = Path(app.instance_path)
    app.config.from_object(Config)
    app.config.from_pyfile(str(instance / "config.py"), silent=True)
    for name, kind in ENV_SETTINGS.items():
        value = os.environ.get(f"PORTAL_{name}")
        if value:
            app.config[name] = kind(value)
    if overrides:
        app.config.update(overrides)

    default_database = f"sqlite:///{instance / 'portal.sqlite3'}"
    app.config["DATABASE_URL"] = app.config["DATABASE_URL"] or default_database
    app.config["UPLOAD_DIR"] = app.config["UPLOAD_DIR"] or str(instance / "uploads")
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 64 * 1024
    app.config["PRODUCTION"] = app.config["ENV"] == "production"
    https = bool(app.config["HTTPS"])
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = https
    app.config["PREFERRED_URL_SCHEME"] = "https" if https else "http"
    # Remember-me never outlives 14 days, whatever instance/config.py asks.
    remember = app.config["REMEMBER_COOKIE_DURATION"]
    if not isinstance(remember, timedelta):
        remember = timedelta(seconds=int(remember))
    app.config["REMEMBER_COOKIE_DURATION"] = min(remember, timedelta(days=14))
    if app.config["LOCAL_PASSWORDS"] not in ("all", "break_glass"):
        raise ValueError("LOCAL_PASSWORDS must be \"all\" or \"break_glass\"")
    if app.config["OIDC_MATCH"] not in ("username", "email"):
        raise ValueError("OIDC_MATCH must be \"username\" or \"email\"")
    if app.config["LDAP_URL"] and not app.config["LDAP_URL"].startswith(("ldap://", "ldaps://")):
        raise ValueError("LDAP_URL must start with ldap:// (StartTLS) or ldaps://")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)


def _instance_secret_key(instance: Path) -> str:
    """The installation's own key, generated once into instance/secret_key."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()
