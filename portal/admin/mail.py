"""Administration of the e-mail queue: what was sent, what waits, what failed and why; a failed
message may be put back in the queue."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from ..models import MailStatus
from ..notifications import mail
from .blueprint import bp


@bp.get("/mail")
def mail_queue():
    status = MailStatus._value2member_map_.get(request.args.get("status", ""))
    return render_template("admin/mail.html", view=mail.queue_view(status),
                           statuses=list(MailStatus), page_size=mail.QUEUE_PAGE,
                           mail_enabled=bool(current_app.config["SMTP_HOST"]))


@bp.post("/mail/retry")
def retry_mail():
    message_id = request.form.get("message", "")
    if not (message_id.isdecimal() and len(message_id) <= 18):  # an id, or 400
        abort(400)
    done = mail.retry(int(message_id))
    if done is None:
        abort(404)
    if done:
        flash("Đã đưa thư vào hàng đợi để gửi lại; thư được gửi ở lượt send-mail kế tiếp.",
              "success")
    else:
        flash("Thư này không ở trạng thái «Gửi không được» nên không gửi lại.", "info")
    return redirect(url_for(".mail_queue", status=MailStatus.FAILED.value), code=303)
