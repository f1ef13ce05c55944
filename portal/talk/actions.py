"""Writing and deleting a message of an item's conversation, and marking it read. Each change
is audited and notified in its own transaction and committed here; a file is on disk before its
row is committed and removed again if the commit fails."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from .. import audit, storage
from ..deadlines import utcnow
from ..extensions import db
from ..models import Message, MessageRead, Progress, Task, User
from ..notifications import item_people, notify, path_for, reviewers
from ..permissions import may_review
from .queries import may_still_delete

PREVIEW = 200  # characters of a message that its notification shows


class GracePassed(Exception):
    """A message is kept once its grace period is over."""


def recipients(item: Progress, author: User) -> tuple[str, list[User]]:
    """Who is told of a new message, and as which kind: the other side of the conversation (a
    reviewer's message tells the item's people in its unit: its assignees and the unit's heads,
    or all its staff while nobody is assigned; a unit's, Phòng Nội vụ's reviewers)."""
    if may_review(author):
        assignees = item.assignment.officers if item.assignment else []
        return "talk.to_unit", item_people(item.unit_id, assignees)
    return "talk.to_reviewers", reviewers()


def write(item: Progress, author: User, body: str, upload: FileStorage | None) -> Message:
    """Add a message (with its file, checked as evidence is: raises storage.EvidenceRejected),
    audit it and tell the other side."""
    stored = None
    if upload is not None:
        stored = storage.save(upload, current_app.config["MAX_UPLOAD_MB"] * storage.MB)
    try:
        message = Message(progress_id=item.id, author_id=author.id, body=body.strip(),
                          created_at=utcnow())
        if stored is not None:
            message.file_name, message.stored_name = stored.file_name, stored.stored_name
            message.content_type, message.size = stored.content_type, stored.size
            message.sha256 = stored.sha256
        db.session.add(message)
        db.session.flush()
        audit.record("message.write", item, unit_id=item.unit_id, user=author, after={
            "message_id": message.id, "text": message.body, "file_name": message.file_name,
        })
        _mark_read(author, item.id, message.id)
        _notify(item, author, message)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if stored is not None:
            storage.discard(stored.stored_name)
        raise
    return message


def _notify(item: Progress, author: User, message: Message) -> None:
    kind, users = recipients(item, author)
    task = db.session.get(Task, item.task_id)
    side = "Phòng Nội vụ" if kind == "talk.to_unit" else (author.unit.name if author.unit else "")
    text = message.body if len(message.body) <= PREVIEW else message.body[:PREVIEW - 1] + "…"
    notify(
        [user for user in users if user.id != author.id],
        kind,
        f"Trao đổi mới về nhiệm vụ {task.code} từ {side}".strip(),
        body=f"{author.display_name}: {text}",
        url=path_for("talk.conversation", item_id=item.id),
        progress_id=item.id,
        directive_id=task.directive_id,
        unit_id=item.unit_id,
    )


def delete(message: Message, item: Progress, user: User) -> None:
    """Remove one's own message within the grace period (raises GracePassed after it); the
    audit keeps what it said."""
    if not may_still_delete(message, user):
        minutes = current_app.config["MESSAGE_DELETE_MINUTES"]
        raise GracePassed(f"Chỉ người viết được xoá tin nhắn, trong {minutes} phút sau khi gửi; "
                          "tin nhắn này được giữ nguyên.")
    stored_name = message.stored_name
    audit.record("message.delete", item, unit_id=item.unit_id, user=user, before={
        "message_id": message.id, "text": message.body, "file_name": message.file_name,
    })
    db.session.delete(message)
    db.session.commit()
    if stored_name:
        storage.discard(stored_name)


def mark_read(reader: User, item_id: int, newest_id: int) -> None:
    """Remember that `reader` has seen the conversation up to `newest_id`. The same reader in
    two tabs at once may both add the row: the one that loses leaves it to the other."""
    if not _mark_read(reader, item_id, newest_id):
        return
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def _mark_read(reader: User, item_id: int, newest_id: int) -> bool:
    found = db.session.scalar(select(MessageRead).where(
        MessageRead.user_id == reader.id, MessageRead.progress_id == item_id))
    if found is None:
        db.session.add(MessageRead(user_id=reader.id, progress_id=item_id,
                                   last_message_id=newest_id))
        return True
    if found.last_message_id < newest_id:
        found.last_message_id = newest_id
        return True
    return False
