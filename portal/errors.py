"""Error pages: every error the portal answers (400 to 500, CSRF, a cross-site request) as a page
with a Vietnamese message and a way back, or under htmx as a message for the page's message area;
`render_error` for a page that answers an error its own way but falls back to the portal's."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request, session
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .audit import audit_denial
from .auth.routes import safe_next
from .cross_site import CrossSiteRequest
from .extensions import db
from .htmx import is_htmx

ERROR_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy trang hoặc dữ liệu được yêu cầu.",
    405: "Thao tác không được hỗ trợ.",
    408: "Dữ liệu gửi lên bị ngừng hoặc quá chậm nên máy chủ đã thôi nhận; chưa có gì được lưu. "
         "Hãy kiểm tra kết nối mạng và gửi lại.",
    413: "Tệp hoặc dữ liệu gửi lên vượt quá giới hạn cho phép.",
    500: "Đã xảy ra lỗi ở máy chủ. Thao tác chưa được lưu; vui lòng thử lại.",
}


def render_error(status: int, message: str):
    """The error page, or under htmx the message alone for the page's message area."""
    if is_htmx():
        # Errors under htmx go to the page's message area, not into the item that asked.
        html = render_template("errors/_message.html", message=message, status=status)
        return html, status, {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
    page = render_template("errors/page.html", message=message, status=status,
                           back=_same_site_referrer())
    return page, status


def too_large():
    """The answer to a request the portal would not read whole (413)."""
    return render_error(413, _too_large_message())


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang và thử lại.",
        )

    @app.errorhandler(CrossSiteRequest)
    def cross_site_error(error: CrossSiteRequest):
        audit_denial(403)
        answer = render_error(403, error.description)
        # The browser sent a cross-site post without the session cookie (SameSite=Lax): the new
        # session the page's form token starts must not replace, and so end, the user's own.
        session.modified = False
        return answer

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 413:
            return too_large()
        if error.code is None or error.code < 400:
            return error
        if error.code == 403:
            audit_denial(403)
        return render_error(error.code, ERROR_MESSAGES.get(error.code, error.description))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", request.path)
        return render_error(500, ERROR_MESSAGES[500])


def _too_large_message() -> str:
    """Why a request was too large: its size, or (within the size) its number of parts."""
    config = current_app.config
    length = request.content_length
    if length is not None and length <= config["MAX_CONTENT_LENGTH"]:
        return (f"Biểu mẫu gửi lên có quá nhiều phần (tối đa {config['MAX_FORM_PARTS']}) hoặc "
                "một ô nhập quá dài; mỗi lần chỉ đính kèm một tệp.")
    return f"Tệp vượt quá giới hạn {config['MAX_UPLOAD_MB']} MB; hãy nén hoặc chia nhỏ tệp."


def _same_site_referrer() -> str | None:
    """The page the user came from, when it is one of ours: the way back after an error. Only
    its path (and query) is kept, and only as a path `next` may take: the Referer is the
    client's to write, and "http://host//other.host/" must not become a link to //other.host."""
    try:
        came_from = urlsplit(request.referrer or "")
    except ValueError:  # an unclosed "[" in the host, for one
        return None
    if not came_from.netloc or came_from.netloc.lower() != request.host.lower():
        return None
    return safe_next(came_from.path + (f"?{came_from.query}" if came_from.query else ""))
