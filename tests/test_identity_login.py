"""The province's central login (OpenID Connect) against a certified OpenID provider run by the
tests (the `oidc-provider` npm package, tests/support/identity.py), with the portal's real
settings pointing at it: the code flow with PKCE, success, a wrong state, a replayed code, an
expired code, an identity without an account, mapping by e-mail, the login limit, logout that
offers the provider's own, a provider that is down."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.auth.routes import IDENTITY_DOWN, IDENTITY_REFUSED
from portal.extensions import db
from portal.models import AuditEvent, LoginFailure, User

from .support.apps import seeded_app
from .support.clients import PASSWORD, PortalClient
from .support.identity import CLIENT_ID, provider_available, sign_in, start_provider
from .support.marks import SERVERS, require
from .support.records import last_audit_id
from .support.servers import free_port

pytestmark = SERVERS
MISSING = "node or the OpenID provider of tests/support/oidc_provider is missing (make e2e-tools)"

BASE_URL = "http://localhost"  # the test client's own address
CALLBACK = f"{BASE_URL}/login/oidc/callback"
BUTTON = "Đăng nhập bằng tài khoản dùng chung"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    require(provider_available(), MISSING)
    started = start_provider(tmp_path_factory.mktemp("oidc"), [BASE_URL])
    yield started
    started.stop()


@pytest.fixture
def app(tmp_path, database_url, provider):
    yield from seeded_app(tmp_path, database_url, **provider.settings(BASE_URL))


def browser(app, address: str = "127.0.0.1") -> PortalClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return PortalClient(client)


def start(client: PortalClient) -> str:
    """The portal's button: the provider's authorization URL it redirects to."""
    response = client.get("/login/oidc")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def come_back(client: PortalClient, callback: str):
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def events(app, since: int) -> list[tuple]:
    with app.app_context():
        return [(event.action, event.username, event.after) for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id))]


def failures(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(LoginFailure.id)).all())


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_person_logs_in_through_the_provider_with_pkce(app, provider):
    client = browser(app)
    assert BUTTON in text(client.get("/login"))
    authorize = start(client)
    assert authorize.startswith(f"{provider.issuer}/auth?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    since = last_audit_id(app)
    response = come_back(client, sign_in(authorize, "phuong1", CALLBACK))
    assert response.status_code == 303, events(app, since)
    assert response.headers["Location"] == "/"
    assert client.get("/directives").status_code == 200
    assert events(app, since) == [("login", "phuong1", {"way": "oidc", "claim": "phuong1"})]


def test_next_survives_the_round_trip(app):
    client = browser(app)
    response = client.get("/login/oidc?next=/account/notifications")
    response = come_back(client, sign_in(response.headers["Location"], "phuong1", CALLBACK))
    assert response.headers["Location"] == "/account/notifications"


def test_an_answer_for_another_browser_is_refused_as_a_wrong_state(app):
    started, other = browser(app), browser(app)
    callback = sign_in(start(started), "phuong1", CALLBACK)
    since = last_audit_id(app)
    response = come_back(other, callback)  # its session never asked for this answer
    assert response.status_code == 401
    assert str(escape(IDENTITY_REFUSED)) in text(response)
    assert events(app, since) == [
        ("login.identity_refused", "", {"way": "oidc", "reason": "state"})]
    assert failures(app) == 1
    assert other.get("/directives").status_code == 302
    # A state changed on the way is refused too.
    callback = sign_in(start(started), "phuong1", CALLBACK)
    assert come_back(started, callback.replace("state=", "state=x")).status_code == 401


def test_a_code_used_once_cannot_be_used_again(app):
    client = browser(app)
    callback = sign_in(start(client), "phuong1", CALLBACK)
    # A copy of the browser's session as it was before the answer came back: the same state.
    copy = browser(app)
    copy.client.set_cookie("session", client.client.get_cookie("session").value,
                           domain="localhost")
    assert come_back(client, callback).status_code == 303
    since = last_audit_id(app)
    response = come_back(copy, callback)
    assert response.status_code == 401
    assert [(action, after["reason"]) for action, _, after in events(app, since)] == [
        ("login.identity_refused", "invalid_grant")]
    assert copy.get("/directives").status_code == 302


def test_an_expired_code_is_refused(app, tmp_path):
    short = start_provider(tmp_path / "short", [BASE_URL], code_ttl=1)
    try:
        app.config.update(short.settings(BASE_URL))
        with app.app_context():
            from portal.auth import identity  # the client registered for the short provider

            app.extensions.pop(identity.EXTENSION)
            identity.init_app(app)
        client = browser(app)
        callback = sign_in(start(client), "phuong1", CALLBACK)
        time.sleep(2.5)
        since = last_audit_id(app)
        response = come_back(client, callback)
        assert response.status_code == 401
        assert [(action, after["reason"]) for action, _, after in events(app, since)] == [
            ("login.identity_refused", "invalid_grant")]
    finally:
        short.stop()


def test_an_identity_without_an_account_is_told_whom_to_ask(app):
    client = browser(app)
    since = last_audit_id(app)
    response = come_back(client, sign_in(start(client), "canbo.moi", CALLBACK))
    assert response.status_code == 403
    page = text(response)
    assert "chưa có tài khoản trên cổng" in page
    assert str(escape(app.config["ACCOUNT_CONTACT"])) in page
    assert events(app, since) == [
        ("login.no_account", "canbo.moi", {"way": "oidc", "claim": "canbo.moi"})]
    assert failures(app) == 1
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "canbo.moi")) is None


def test_an_identity_maps_by_email_when_set_so(app):
    app.config.update(OIDC_CLAIM="email", OIDC_MATCH="email")
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "phuong1")).email = \
            "huong.hk@sadec.gov.vn"
        db.session.commit()
    client = browser(app)
    since = last_audit_id(app)
    assert come_back(client, sign_in(start(client), "huong.hk", CALLBACK)).status_code == 303
    assert events(app, since) == [
        ("login", "phuong1", {"way": "oidc", "claim": "huong.hk@sadec.gov.vn"})]


def test_a_switched_off_account_stays_out(app):
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "phuong1")).active = False
        db.session.commit()
    client = browser(app)
    response = come_back(client, sign_in(start(client), "phuong1", CALLBACK))
    assert response.status_code == 403 and "đang bị khoá" in text(response)


def test_refusals_count_against_the_address(app):
    app.config["LOGIN_MAX_FAILURES"] = 2
    client = browser(app, "10.2.0.1")
    assert come_back(client, sign_in(start(client), "ai.do", CALLBACK)).status_code == 403
    assert come_back(client, sign_in(start(client), "ai.khac", CALLBACK)).status_code == 429
    response = client.get("/login/oidc")
    assert response.status_code == 429 and "Retry-After" in response.headers
    # and the password form from the same address waits as well
    assert client.login("phuong1").status_code == 429


def test_logout_ends_the_portals_session_and_offers_the_providers(app, provider):
    client = browser(app)
    at_provider = httpx.Client(timeout=10)
    come_back(client, sign_in(start(client), "phuong1", CALLBACK, at_provider))
    response = client.post("/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.get("/directives").status_code == 302
    page = text(client.get("/login"))
    link = page.split('Bạn vẫn còn đăng nhập')[1].split('href="')[1].split('"')[0]
    link = link.replace("&amp;", "&")
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{provider.issuer}/session/end"
    query = parse_qs(parts.query)
    assert query["post_logout_redirect_uri"] == [f"{BASE_URL}/login"]
    assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"]
    # The provider accepts the hint and asks to confirm its own logout.
    confirm = at_provider.get(link)
    assert confirm.status_code == 200 and "logout" in confirm.text.lower()
    # Offered once: the next visit to the login page no longer shows it.
    assert "Bạn vẫn còn đăng nhập" not in text(client.get("/login"))


def test_a_provider_that_is_down_says_so_and_break_glass_still_logs_in(tmp_path, database_url):
    for app in seeded_app(tmp_path, database_url, OIDC_ISSUER=f"http://127.0.0.1:{free_port()}",
                          OIDC_CLIENT_ID=CLIENT_ID, BASE_URL=BASE_URL,
                          LOCAL_PASSWORDS="break_glass", BREAK_GLASS_USERS="quantri"):
        client = browser(app)
        since = last_audit_id(app)
        response = client.get("/login/oidc")
        assert response.status_code == 503
        assert str(escape(IDENTITY_DOWN)) in text(response)
        assert [action for action, _, _ in events(app, since)] == ["login.identity_unavailable"]
        assert failures(app) == 0
        assert client.login("phuong1", PASSWORD).status_code == 401  # no local password
        assert client.login("quantri", PASSWORD).status_code == 303


def test_without_settings_there_is_no_button_and_no_route(tmp_path, database_url):
    for app in seeded_app(tmp_path, database_url):
        client = browser(app)
        assert BUTTON not in text(client.get("/login"))
        assert client.get("/login/oidc").status_code == 404
        assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404


def test_where_turned_on_a_first_login_creates_an_account_with_no_rights(app):
    app.config["CREATE_ACCOUNTS"] = True
    client = browser(app)
    since = last_audit_id(app)
    assert come_back(client, sign_in(start(client), "nguoi.moi", CALLBACK)).status_code == 303
    assert [action for action, _, _ in events(app, since)] == ["user.create", "login"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "nguoi.moi"))
        assert (user.awaiting_rights, user.email, user.unit_id) == (
            True, "nguoi.moi@sadec.gov.vn", None)
    assert "chưa được gán đơn vị và vai trò" in text(client.get("/"))
    assert client.get("/directives").status_code == 403
