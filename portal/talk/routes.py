"""Trao đổi routes: an item's conversation (a page, or under htmx the section on the item that
it replaces), writing a message, deleting one's own within the grace period, and a message's
file. Whoever sees the item reads its conversation (`items.queries.get_item`); its unit's staff
and Phòng Nội vụ write (`permissions.require_write_conversation`), in an open directive only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import storage
from ..htmx import is_htmx, render
from ..items import queries as item_queries
from ..permissions import (
    may_write_conversation,
    require_delete_message,
    require_write_conversation,
)
from . import actions, queries
from .forms import DeleteMessageForm, MessageForm

bp = Blueprint("talk", __name__)

ONE_FILE = "Mỗi tin nhắn chỉ đính kèm một tệp. Tin nhắn chưa được gửi."


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here is for logged-in users only."""


def _show(found, status: int = 200, *, form: MessageForm | None = None, error: str = "",
          said: str = ""):
    """The conversation for the current user; showing it marks it read up to its newest. After
    a change that was rolled back, `found` is loaded again (`_again`)."""
    talk = queries.conversation(found, current_user)
    response = render(
        "talk/conversation.html",
        "talk/_conversation.html",
        status=status,
        item=found,
        talk=talk,
        form=form or MessageForm(formdata=None),
        can_write=found.task.directive.is_open
        and may_write_conversation(current_user, found.unit_id),
        error=error,
        said=said,
    )
    if talk.messages:
        actions.mark_read(current_user, found.id, talk.messages[-1].id)
    return response


def _again(found):
    return item_queries.get_item(found.id)


def _to_change(item_id: int):
    """The item whose conversation the current user is about to write in."""
    found = item_queries.get_item(item_id)
    require_write_conversation(found.unit_id)
    if not found.task.directive.is_open:
        abort(409, description=item_queries.CLOSED_DIRECTIVE)
    return found


def _done(found, said: str):
    if is_htmx():
        return _show(_again(found), said=said)
    flash(said, "success")
    return redirect(url_for(".conversation", item_id=found.id, _anchor="talk-new"), code=303)


@bp.get("/items/<int:item_id>/messages")
def conversation(item_id: int):
    return _show(item_queries.get_item(item_id))


@bp.post("/items/<int:item_id>/messages")
def write(item_id: int):
    found = _to_change(item_id)
    form = MessageForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _show(found, 422, form=form)
    if sum(len(files) for _, files in request.files.lists()) > 1:
        return _show(found, 422, form=form, error=ONE_FILE)
    upload = request.files.get("file")
    try:
        actions.write(found, current_user, form.body.data,
                      upload if upload is not None and upload.filename else None)
    except storage.EvidenceTooLarge as error:
        return _show(_again(found), 413, form=form, error=str(error))
    except storage.EvidenceRejected as error:
        return _show(_again(found), 422, form=form, error=str(error))
    return _done(found, "Đã gửi tin nhắn.")


@bp.post("/messages/<int:message_id>/delete")
def delete(message_id: int):
    message = queries.get_message(message_id)
    found = _to_change(message.progress_id)
    require_delete_message(message)
    if not DeleteMessageForm().validate_on_submit():
        abort(400)
    try:
        actions.delete(message, found, current_user)
    except actions.GracePassed as error:
        return _show(_again(found), 409, error=str(error))
    return _done(found, "Đã xoá tin nhắn.")


@bp.get("/messages/<int:message_id>/file")
def download(message_id: int):
    message = queries.get_message(message_id)
    item_queries.get_item(message.progress_id)
    return storage.send_download(message.stored_name, message.content_type, message.file_name)
