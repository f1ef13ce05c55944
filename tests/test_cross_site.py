"""A request that changes something, sent by another site's page, is refused with 403 and a
Vietnamese message before anything is read or written: browsers say where a request comes from
(`Sec-Fetch-Site`, or `Origin` in older ones), over plain HTTP as over HTTPS, and behind a proxy
the portal's own address is the one the proxy was asked for. Requests from the portal's own pages,
and those without either header (no browser page sent them), pass as before."""

from __future__ import annotations

import pytest
from flask import url_for

from portal.extensions import db
from portal.models import Progress

from .support.apps import seeded_app
from .support.clients import PASSWORD, PortalClient
from .support.databases import writes, written_since
from .support.records import audit_since, ids_of, last_audit_id

REFUSED = "Yêu cầu này được gửi từ một trang web khác"

HOSTILE = [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # another port or subdomain of the same server
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},  # the browser's word counts
    {"Origin": "http://evil.example"},
    {"Origin": "http://localhost:8080"},
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "null"},  # a sandboxed frame, a file on disk
    {"Origin": "http://[localhost"},
]
SAME_SITE = [
    {},
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"},
    {"Origin": "http://localhost"},
    {"Origin": "https://localhost"},  # TLS ended in front of the portal: the scheme is not compared
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
]


def save_note(client: PortalClient, item: int, headers: dict, htmx: bool = False):
    return client.post(f"/items/{item}/save", {"note": "Ghi chú từ nơi khác"}, htmx=htmx,
                       headers=headers)


def note_of(app, item: int) -> str | None:
    with app.app_context():
        return db.session.get(Progress, item).note


@pytest.mark.parametrize("headers", HOSTILE, ids=str)
def test_a_change_sent_from_another_site_is_refused_and_writes_nothing(
        app, ward, report_item, headers):
    before = note_of(app, report_item)
    counted, since = writes(app), last_audit_id(app)
    response = save_note(ward, report_item, headers)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert REFUSED in html and "<html" in html
    assert note_of(app, report_item) == before
    assert written_since(app, counted) == set()
    [denied] = audit_since(app, since)
    assert denied.action == "access.denied" and denied.after["status"] == 403
    # Under htmx the message goes to the page's message area.
    again = save_note(ward, report_item, headers, htmx=True)
    assert again.status_code == 403 and again.headers["HX-Retarget"] == "#messages"
    assert REFUSED in again.get_data(as_text=True)
    assert note_of(app, report_item) == before


@pytest.mark.parametrize("headers", SAME_SITE, ids=str)
def test_a_change_from_the_portals_own_pages_or_no_browser_passes(
        app, ward, report_item, headers):
    response = save_note(ward, report_item, headers)
    assert response.status_code == 303
    assert note_of(app, report_item) == "Ghi chú từ nơi khác"


def test_reading_is_never_refused(ward):
    response = ward.get("/directives", headers={"Sec-Fetch-Site": "cross-site",
                                                "Origin": "http://evil.example"})
    assert response.status_code == 200  # a link from another site opens the page


def test_a_login_sent_from_another_site_is_refused(app, visitor):
    response = visitor.post("/login", {"username": "phuong1", "password": PASSWORD},
                            headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403 and REFUSED in response.get_data(as_text=True)
    assert visitor.get("/directives").status_code == 302  # not logged in


def test_a_refusal_leaves_the_browsers_session_as_it_was(app, visitor):
    """A browser sends a cross-site post without its SameSite=Lax session cookie: the refusal
    must not set a new session cookie, which would log the user out."""
    response = visitor.client.post("/login", data={"username": "phuong1", "password": "x"},
                                   headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert response.headers.getlist("Set-Cookie") == []


def test_every_route_that_changes_something_refuses_another_sites_page(app, login):
    """Every POST of the URL map, as the administrator (who may post most of them), with a valid
    CSRF token: the Origin alone refuses it, before the route runs."""
    admin = login("quantri")
    with app.test_request_context():
        urls = sorted({
            url_for(rule.endpoint, **{name: "units" if name == "what" else 1
                                      for name in rule.arguments})
            for rule in app.url_map.iter_rules() if "POST" in rule.methods
        })
    assert len(urls) > 30
    counted = writes(app)
    for url in urls:
        response = admin.post(url, {"note": "x"}, headers={"Origin": "http://evil.example"})
        assert response.status_code == 403, url
        assert REFUSED in response.get_data(as_text=True), url
    assert written_since(app, counted) == set()


@pytest.fixture
def proxied_app(tmp_path, database_url):
    """The portal behind one reverse proxy (PORTAL_PROXIES=1) that users open as
    https://cchc.sadec.gov.vn."""
    yield from seeded_app(tmp_path, database_url, PROXIES=1)


# Over HTTPS Flask-WTF also wants a Referer of the same site, as browsers send.
PROXIED = {"X-Forwarded-Host": "cchc.sadec.gov.vn", "X-Forwarded-Proto": "https",
           "X-Forwarded-For": "10.1.2.3", "Referer": "https://cchc.sadec.gov.vn/login"}


@pytest.mark.parametrize(("origin", "status"), [
    ("https://cchc.sadec.gov.vn", 303),
    ("http://localhost", 403),  # the app server's own address is not the portal's
    ("https://evil.example", 403),
])
def test_behind_a_proxy_the_portals_address_is_the_one_users_open(proxied_app, origin, status):
    ward = PortalClient(proxied_app.test_client())
    ward.client.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v
                                     for k, v in PROXIED.items()})
    assert ward.login("phuong1").status_code == 303
    report_item = ids_of(proxied_app).item("Phường 1", "1.1")
    assert save_note(ward, report_item, {"Origin": origin}).status_code == status
