"""One answer for both kinds of request: the whole page, or under htmx only its fragment."""

from __future__ import annotations

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a boosted navigation wants the whole page)."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"


def render(page: str, fragment: str, status: int = 200, **context):
    """Render `page`, or `fragment` under htmx; the page includes the fragment, so both agree."""
    response = make_response(render_template(fragment if is_htmx() else page, **context), status)
    response.vary.add("HX-Request")
    return response
