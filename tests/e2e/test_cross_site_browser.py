"""A page of another site, open in the same Chromium as a logged-in ward, posts a form to the
portal: the portal refuses it with 403 and its Vietnamese message, and nothing is saved, even
though the form carries the ward's own CSRF token (as if it had leaked) and the browser sends the
session cookie. Twice: from another port of the same machine (Chromium says "same-site" in
Sec-Fetch-Site), and between two plain-HTTP intranet names, where Chromium sends no Sec-Fetch-*
headers (they go to secure origins only) and the Origin alone tells."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Progress

from ..support.browser import CHROMIUM, CHROMIUM_ARGS, BrowserLog, log_in_at, new_page

REFUSED = "Yêu cầu này được gửi từ một trang web khác"
NOTE = "Ghi chú do trang khác gửi"


class OtherSite:
    """Another web server on 127.0.0.1: it serves one page, whose form posts to `action`."""

    def __init__(self) -> None:
        self.action = ""
        self.token = ""
        site = self

        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                body = (
                    '<!doctype html><html lang="vi"><title>Trang khác</title>'
                    f'<form method="post" action="{escape(site.action)}">'
                    f'<input type="hidden" name="csrf_token" value="{escape(site.token)}">'
                    f'<input type="hidden" name="note" value="{NOTE}">'
                    '<button type="submit">Gửi</button></form></html>'
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def other_site() -> Iterator[OtherSite]:
    site = OtherSite()
    yield site
    site.close()


@pytest.fixture(scope="module")
def browser(playwright_driver):
    """Chromium that resolves two intranet names to this machine, as an office DNS would."""
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP cchc.intranet 127.0.0.1, "
                              "MAP other.intranet 127.0.0.1"])
    yield browser
    browser.close()


def note_of(live_server, item_id: int) -> str:
    with live_server.app.app_context():
        note = db.session.get(Progress, item_id).note
        db.session.remove()
        return note


@pytest.mark.parametrize(("portal_host", "other_host", "fetch_site"), [
    ("127.0.0.1", "127.0.0.1", "same-site"),
    ("cchc.intranet", "other.intranet", None),
], ids=["other-port", "plain-http-intranet"])
def test_a_form_on_another_site_cannot_change_the_portal(
        browser, live_server, other_site, portal_host, other_host, fetch_site):
    port = urlsplit(live_server.url).port
    portal = f"http://{portal_host}:{port}"
    username = "phuong3" if fetch_site else "phuong4"
    unit = "Phường 3" if fetch_site else "Phường 4"
    item_id = live_server.item_id(unit, "1.1")
    before = note_of(live_server, item_id)
    context, page = new_page(browser, BrowserLog())
    try:
        log_in_at(portal, page, username)
        page.goto(f"{portal}/items/{item_id}")
        other_site.token = page.locator('meta[name="csrf-token"]').get_attribute("content")
        other_site.action = f"{portal}/items/{item_id}/save"

        page.goto(f"http://{other_host}:{other_site.port}/")
        with page.expect_response(other_site.action) as answer:
            page.get_by_role("button", name="Gửi").click()
        response = answer.value
        assert response.status == 403
        sent = response.request.all_headers()
        assert sent.get("sec-fetch-site") == fetch_site
        assert sent["origin"] == f"http://{other_host}:{other_site.port}"
        expect(page.get_by_role("alert")).to_contain_text(REFUSED)
        assert note_of(live_server, item_id) == before

        # The very same form, submitted from the portal's own page, saves.
        page.goto(f"{portal}/items/{item_id}")
        with page.expect_response(other_site.action) as saved:
            page.evaluate("""([action, token, note]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                for (const [name, value] of [["csrf_token", token], ["note", note]]) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = name;
                    input.value = value;
                    form.append(input);
                }
                document.body.append(form);
                form.submit();
            }""", [other_site.action, other_site.token, NOTE])
        assert saved.value.status == 303
        assert note_of(live_server, item_id) == NOTE
    finally:
        context.close()
