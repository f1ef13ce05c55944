"""Several servers, as deploy/ runs them: nginx in front of two gunicorn servers on one PostgreSQL
database, started by deploy/cluster.py's `Cluster` exactly as `make cluster` starts it, driven
over real HTTP through nginx. A change made through one server shows on the other within 5 s,
failed logins through either server lock the same address, X-Forwarded-For is nginx's and never
a client's, static files come from nginx, a client that sends its headers slowly is cut off, and
an upload over the portal's limit is refused by nginx before any server reads it.

Two servers on one SQLite file would test a topology nobody should run, so these tests need
PostgreSQL: they run in `.ci/run`'s PostgreSQL pass (`make test-postgres`, TEST_DATABASE_URL
set; .ci/run checks there that they ran and none was skipped) and are skipped in the SQLite pass.
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from deploy.cluster import PROXY_ADDRESS, Cluster, drop_database, free_port, nginx_binary
from portal import create_app
from portal.demo import sample_pdf
from portal.extensions import db
from portal.models import Directive, LoginFailure, Progress, Task, Unit

from .support.browser import CHROMIUM, CHROMIUM_ARGS, BrowserLog, new_page
from .support.clients import PASSWORD
from .support.marks import SERVERS, require

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
LOGIN_MAX_FAILURES = 4

pytestmark = [
    pytest.mark.slow,
    SERVERS,
    pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"),
                       reason="several servers need PostgreSQL: these tests run in the "
                              "PostgreSQL pass (make test-postgres, TEST_DATABASE_URL)"),
]


def fresh_database(name: str) -> str:
    """A database next to TEST_DATABASE_URL's (whose own is never written), dropped if it was
    left by an earlier run: the cluster creates it anew."""
    url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    drop_database(url)
    return url


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require(nginx_binary() is not None, "nginx is not installed (apt install nginx)")
    base = make_url(TEST_DATABASE_URL).database
    topology = Cluster(
        tmp_path_factory.mktemp("cluster"), fresh_database(f"{base}_deploy_cluster"),
        servers=2, port=free_port(), workers=1, threads=4, header_timeout=2,
        settings={"PASSWORD_TIME_COST": "1", "PASSWORD_MEMORY_COST": "64",
                  "LOGIN_MAX_FAILURES": str(LOGIN_MAX_FAILURES), "MAX_UPLOAD_MB": "1"})
    # The database is created by the same code as `make cluster`'s (it was dropped above).
    accounts = topology.prepare(("seed-demo", "--password", PASSWORD))
    assert "phuong1\t" in accounts and "noivu.duyet\t" in accounts
    with topology:
        yield topology


@pytest.fixture(scope="module")
def portal_app(cluster, tmp_path_factory):
    """The portal on the cluster's database, for reading what the servers wrote."""
    app = create_app({"DATABASE_URL": cluster.database_url, "SECRET_KEY": "read-only",
                      "INSTANCE_PATH": str(tmp_path_factory.mktemp("reader"))})
    yield app
    with app.app_context():
        db.engine.dispose()


def client(base_url: str, source: str = "127.0.0.1") -> httpx.Client:
    """A browser that connects from `source` (a loopback address of its own) and, like a real
    one, names the page's origin with every request (the portal refuses a change from another)."""
    return httpx.Client(base_url=base_url, timeout=15, headers={"Origin": base_url},
                        transport=httpx.HTTPTransport(local_address=source))


def log_in(browser: httpx.Client, username: str) -> str:
    """Log in through the form; the session's CSRF token."""
    token = CSRF.search(browser.get("/login").text).group(1)
    response = browser.post("/login", data={"username": username, "password": PASSWORD,
                                            "csrf_token": token})
    assert response.status_code == 303, response.text
    return CSRF.search(browser.get("/account/password").text).group(1)


def revision(browser: httpx.Client, directive_id: int) -> tuple[int, str]:
    """The matrix's revision as one server sees it (its JSON view's ETag, "revision.day"), and
    which server answered."""
    response = browser.get(f"/api/directives/{directive_id}/matrix",
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    etag = response.headers["ETag"].removeprefix("W/").strip('"')
    return int(etag.split(".")[0]), response.headers["X-Portal-Server"]


def test_nginx_spreads_requests_and_serves_static_files_itself(cluster):
    with client(cluster.url) as browser:
        servers = [browser.get("/login").headers.get("X-Portal-Server") for _ in range(4)]
        assert set(servers) == {"app1", "app2"}, servers
        css = browser.get("/static/portal.css")
    assert css.status_code == 200
    assert css.content == (Path(__file__).parents[1] / "static" / "portal.css").read_bytes()
    assert "X-Portal-Server" not in css.headers  # no app server answered it
    assert css.headers["Server"] == "nginx"
    for name in ("app1", "app2"):  # and neither saw it (gunicorn logs every request it answers)
        log = cluster.log(name)
        assert "GET /login" in log and "/static/" not in log


def test_a_change_through_one_server_shows_on_the_other_within_5_s(cluster, portal_app):
    with portal_app.app_context():
        directive_id = db.session.scalar(select(Directive.id))
        item_id = db.session.scalar(
            select(Progress.id).join(Task, Task.id == Progress.task_id)
            .join(Unit, Unit.id == Progress.unit_id)
            .where(Unit.name == "Phường 1", Task.code == "1.1"))
    with client(cluster.url) as reviewer, client(cluster.url) as ward:
        log_in(reviewer, "noivu.duyet")
        before, _ = revision(reviewer, directive_id)
        token = log_in(ward, "phuong1")
        # nginx alternates between the servers, request by request: once the reviewer's server
        # has answered the ward, the ward's next request, its upload, goes to the other one.
        _, reviewer_server = revision(reviewer, directive_id)
        for _ in range(4):
            if ward.get("/login").headers["X-Portal-Server"] == reviewer_server:
                break
        upload = ward.post(f"/items/{item_id}/files", data={"csrf_token": token},
                           files={"file": ("bao-cao.pdf", sample_pdf("cum may chu"),
                                           "application/pdf")},
                           headers={"HX-Request": "true"})
        assert upload.status_code == 200, upload.text
        assert upload.headers["X-Portal-Server"] != reviewer_server
        changed_at = time.monotonic()
        # Every server shows the new revision, the reviewer's own first among them, within 5 s.
        seen: dict[str, float] = {}
        while len(seen) < 2 and time.monotonic() - changed_at < 5:
            now_revision, server = revision(reviewer, directive_id)
            if now_revision > before:
                seen.setdefault(server, time.monotonic() - changed_at)
            time.sleep(0.1)
        assert set(seen) == {"app1", "app2"}, (seen, before)
        assert seen[reviewer_server] < 5


def test_failed_logins_over_both_servers_lock_the_address_whatever_it_claims(cluster,
                                                                           portal_app):
    """The per-address limit counts failures through either server in one place, keyed by the
    address that connected to nginx: an X-Forwarded-For of the client's own is replaced, and an
    app server reached directly does not believe one either."""
    guesser_address = "127.0.0.3"
    with client(cluster.url, guesser_address) as guesser:
        token = CSRF.search(guesser.get("/login").text).group(1)
        answered_by = []
        for n in range(LOGIN_MAX_FAILURES):
            response = guesser.post(
                "/login", data={"username": f"khong-co-{n}", "password": "doan-bua",
                                "csrf_token": token},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"})
            answered_by.append(response.headers["X-Portal-Server"])
            expected = 401 if n < LOGIN_MAX_FAILURES - 1 else 429
            assert response.status_code == expected, (n, response.status_code)
        assert set(answered_by) == {"app1", "app2"}, answered_by
        # The address now waits, on both servers, even with a right password and a new claim.
        for _ in range(2):
            response = guesser.post(
                "/login", data={"username": "phuong2", "password": PASSWORD,
                                "csrf_token": token},
                headers={"X-Forwarded-For": "198.51.100.7"})
            assert response.status_code == 429
            assert "quá nhiều lần" in response.text
    # Another address is not held back by it.
    with client(cluster.url, "127.0.0.4") as other:
        log_in(other, "phuong2")
    # Straight to an app server, not through nginx: its claim is not believed either.
    with client(cluster.server_url(0), "127.0.0.5") as direct:
        token = CSRF.search(direct.get("/login").text).group(1)
        response = direct.post("/login", data={"username": "khong-co-truc-tiep",
                                               "password": "doan-bua", "csrf_token": token},
                               headers={"X-Forwarded-For": "203.0.113.99"})
        assert response.status_code == 401
    with portal_app.app_context():
        failures = dict(db.session.execute(select(LoginFailure.username, LoginFailure.ip)).all())
    assert failures == {**{f"khong-co-{n}": guesser_address for n in range(LOGIN_MAX_FAILURES)},
                        "khong-co-truc-tiep": "127.0.0.5"}
    assert PROXY_ADDRESS not in failures.values()


def test_a_client_sending_its_headers_slowly_is_cut_off(cluster):
    with socket.create_connection(("127.0.0.1", cluster.port), timeout=10) as slow:
        slow.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the rest
        started = time.monotonic()
        answer = slow.recv(4096)  # b"" when nginx closes the connection
        waited = time.monotonic() - started
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert cluster.header_timeout - 0.5 <= waited < cluster.header_timeout + 3, waited
    with client(cluster.url) as browser:  # the servers answered others meanwhile, and still do
        assert browser.get("/login").status_code == 200


def test_an_upload_over_the_portal_limit_is_refused_by_nginx(cluster):
    """client_max_body_size is the portal's own limit (MAX_UPLOAD_MB 1 here, and 64 KB for the
    form): a larger body is refused by nginx, before any app server reads it."""
    with client(cluster.url) as ward:
        token = log_in(ward, "phuong1")
        response = ward.post("/items/1/files", data={"csrf_token": token},
                             files={"file": ("lon.pdf", b"%PDF-1.4\n" + b"0" * (1200 * 1024),
                                             "application/pdf")})
    assert response.status_code == 413
    assert "X-Portal-Server" not in response.headers


def test_a_browser_logs_in_through_nginx_with_the_page_styled_by_nginx(cluster):
    """Chromium, as a person: its login goes through nginx (Chromium says same-origin; the other
    tests' clients send only an Origin, as older browsers do, which the portal compares with the
    Host nginx passes on, port included), and the stylesheet it loads comes from nginx."""
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing (apt install chromium)")
    from playwright.sync_api import sync_playwright

    styles = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            log = BrowserLog()
            context, page = new_page(browser, log)
            page.on("response", lambda r: styles.append(r) if r.url.endswith(".css") else None)
            page.goto(f"{cluster.url}/login")
            page.get_by_label("Tên đăng nhập").fill("phuong1")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Đăng nhập").click()
            assert urlsplit(page.url).path != "/login", page.content()[:500]
            assert page.get_by_text("Đăng xuất").count() >= 1
            assert styles and all(r.status in (200, 304) for r in styles)
            assert all("x-portal-server" not in r.headers for r in styles)
            assert log.failed == [] and log.page_errors == []
            assert log.console_errors_except() == []
            context.close()
        finally:
            browser.close()
