"""A real SMTP server on 127.0.0.1 for the tests that send mail (aiosmtpd): `start_server` with a
`Recorder` that keeps every message it accepts, as `Received`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from .servers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage

    def part(self, subtype: str) -> str:
        return self.message.get_body(preferencelist=(subtype,)).get_content()


@dataclass
class Recorder:
    """An aiosmtpd handler keeping every message it accepts. `refusals` are answered, in turn,
    before any message is accepted; with `hold_first` the first message waits (up to 60 s) until
    a message arrives over another connection."""

    received: list[Received] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    hold_first: bool = False
    sessions: set[int] = field(default_factory=set)

    async def handle_DATA(self, server, session, envelope):
        self.sessions.add(id(session))
        if self.hold_first:
            self.hold_first = False
            for _ in range(600):
                if len(self.sessions) > 1:
                    break
                await asyncio.sleep(0.1)
        if self.refusals:
            return self.refusals.pop(0)
        raw = envelope.original_content or envelope.content
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw,
                                      message_from_bytes(raw, policy=policy.default)))
        return "250 2.0.0 OK"


@dataclass
class Server:
    port: int
    recorder: Recorder


def start_server(recorder: Recorder, **options) -> Controller:
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller
