"""The error page's way back: a link to the page the user came from, taken from the Referer only
when that page is a path of the portal itself; a Referer the client wrote to point elsewhere
(another host, a protocol-relative path, a backslash browsers read as a slash) gives no link."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

MISSING = "/items/999999"


def back_link(client, referer: str) -> str | None:
    response = client.get(MISSING, headers={"Referer": referer})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Về trang chính" in html
    found = re.search(r'<a href="([^"]*)">← Quay lại trang trước</a>', html)
    return found and found.group(1)


@pytest.mark.parametrize(("referer", "back"), [
    ("http://localhost/admin/users?role=unit", "/admin/users?role=unit"),
    ("http://localhost/directives/1/matrix", "/directives/1/matrix"),
    ("http://LOCALHOST/review", "/review"),
    ("https://localhost/review", "/review"),  # TLS ended by a proxy the portal is not told of
])
def test_back_link_leads_to_the_page_of_ours_the_user_came_from(login, referer, back):
    assert back_link(login("noivu.duyet"), referer) == back


@pytest.mark.parametrize("referer", [
    "http://localhost//evil.example/phishing",
    "http://localhost/\\evil.example/phishing",
    "http://localhost/%09/evil.example",
    "http://localhost/\t/evil.example",
    "//evil.example/review",
    "http://evil.example/review",
    "https://evil.example/review",
    "http://localhost.evil.example/review",
    "http://localhost@evil.example/review",
    "http://evil.example/http://localhost/review",
    "http://localhost:8080/review",
    "javascript:alert(1)",
    "/review",
    "http://[localhost/review",
    "",
])
def test_back_link_never_leads_elsewhere(login, referer):
    link = back_link(login("noivu.duyet"), referer)
    assert link is None or host_a_browser_opens(link) == "localhost", link


def host_a_browser_opens(link: str) -> str:
    """The host a browser goes to from a link on http://localhost/…: it drops tabs and newlines
    from a URL and reads a backslash as a slash (the WHATWG URL standard)."""
    cleaned = re.sub(r"[\t\n\r]", "", link).replace("\\", "/")
    return urlsplit(urljoin(f"http://localhost{MISSING}", cleaned)).netloc
