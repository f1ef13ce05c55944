"""Requests that change something (any method but GET, HEAD and OPTIONS) are refused with 403 when
a browser says another site's page sent them, before anything reads their form: the portal's own
pages post only to the portal, so such a request is a forgery even when it carries a session
cookie and a token (a page on another port of the same intranet server gets the cookie, which
ignores ports).

Browsers say it in `Sec-Fetch-Site` (every browser since 2023): "same-origin", or "none" for what
the user did themselves, passes; "same-site" and "cross-site" do not. An older browser sends only
`Origin`, whose host and port must be the portal's own (`request.host`, which is the Host header
or, behind a declared proxy (PROXIES), X-Forwarded-Host). A request with neither header comes from
no browser page (a script, a test, a very old browser) and passes: the CSRF token still guards it.
The scheme is not compared, so it works over plain HTTP inside the intranet and behind a proxy
that ends TLS alike. This follows Go's net/http CrossOriginProtection."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from werkzeug.exceptions import Forbidden

from .extensions import READING_METHODS


class CrossSiteRequest(Forbidden):
    description = ("Yêu cầu này được gửi từ một trang web khác, không phải từ Cổng, nên đã bị từ "
                   "chối và chưa có gì được lưu. Hãy mở Cổng từ địa chỉ của Cổng rồi thao tác lại.")


def refuse_cross_site() -> None:
    """A before-request hook: raise CrossSiteRequest for a state-changing request that a page of
    another origin sent."""
    if request.method in READING_METHODS:
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site not in ("same-origin", "none"):
            raise CrossSiteRequest()
        return
    origin = request.headers.get("Origin")
    if origin is None:
        return
    try:
        host = urlsplit(origin).netloc
    except ValueError:
        host = ""
    if not host or host.lower() != request.host.lower():  # "null" has no host
        raise CrossSiteRequest()
