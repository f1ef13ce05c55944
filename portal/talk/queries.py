"""An item's conversation as it reads: its messages oldest first with their writers, which of
them the reader has not seen yet, and a message with its item for the file and deletion routes.
Each in a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import abort, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..deadlines import utcnow
from ..extensions import db
from ..models import Message, MessageRead, Progress, User
from ..permissions import may_delete_message


@dataclass
class Conversation:
    messages: list[Message]
    unread_ids: set[int]  # the messages by others this reader had not seen before this view
    deletable_ids: set[int]  # the reader's own messages still within the grace period


def grace() -> timedelta:
    return timedelta(minutes=current_app.config["MESSAGE_DELETE_MINUTES"])


def may_still_delete(message: Message, user: User) -> bool:
    """Its writer, within the grace period after writing it."""
    return may_delete_message(user, message) and utcnow() - message.created_at <= grace()


def last_read(user_id: int, item_id: int) -> int:
    return db.session.scalar(select(MessageRead.last_message_id).where(
        MessageRead.user_id == user_id, MessageRead.progress_id == item_id)) or 0


def conversation(item: Progress, reader: User) -> Conversation:
    """The item's messages for `reader`, marking what is new to them."""
    messages = list(db.session.scalars(
        select(Message).options(selectinload(Message.author))
        .where(Message.progress_id == item.id).order_by(Message.id)
    ))
    seen = last_read(reader.id, item.id)
    return Conversation(
        messages=messages,
        unread_ids={m.id for m in messages if m.id > seen and m.author_id != reader.id},
        deletable_ids={m.id for m in messages if may_still_delete(m, reader)},
    )


def unread_counts(item_ids: list[int], reader: User) -> dict[int, int]:
    """How many messages by others on each item the reader has not seen (items without any are
    left out), in one statement however many items."""
    if not item_ids:
        return {}
    seen = (select(MessageRead.last_message_id)
            .where(MessageRead.user_id == reader.id,
                   MessageRead.progress_id == Message.progress_id)
            .correlate(Message).scalar_subquery())
    return {item_id: count for item_id, count in db.session.execute(
        select(Message.progress_id, func.count(Message.id))
        .where(Message.progress_id.in_(item_ids), Message.author_id != reader.id,
               Message.id > func.coalesce(seen, 0))
        .group_by(Message.progress_id)
    )}


def get_message(message_id: int) -> Message:
    """A message; 404 if there is none (who may see it is its item's rule)."""
    found = db.session.get(Message, message_id)
    if found is None:
        abort(404)
    return found
