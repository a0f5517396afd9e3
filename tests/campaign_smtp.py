"""An aiosmtpd server on 127.0.0.1 that refuses some recipients (550), defers some the first time
(451), optionally takes `latency` seconds per message, and logs every answer it gives.

Its log is the server's own account of the campaign: one `(recipient, code, message_id)` per RCPT
answer (message_id filled once the message's DATA was accepted); `received` counts messages per
recipient. Used by tests/test_campaign*.py and bench/campaign.py.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from dovecot import LocalSmtp

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass
class CampaignHandler:
    refuse: set[str] = field(default_factory=set)
    defer_once: set[str] = field(default_factory=set)
    latency: float = 0.0
    log: list[tuple[str, int, str]] = field(default_factory=list)
    received: Counter[str] = field(default_factory=Counter)
    messages: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    deferred: set[str] = field(default_factory=set)
    connections: int = 0
    arrivals: list[float] = field(default_factory=list)  # time.monotonic() of each MAIL FROM
    refuse_sender: bool = False  # answer every MAIL FROM with 553

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802, ANN001
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802, ANN001
        with self.lock:
            self.arrivals.append(time.monotonic())
        if self.refuse_sender:
            return "553 5.7.1 sender not allowed"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802, ANN001
        address = address.lower()
        with self.lock:
            if address in self.refuse:
                self.log.append((address, 550, ""))
                return "550 5.1.1 mailbox unavailable"
            if address in self.defer_once and address not in self.deferred:
                self.deferred.add(address)
                self.log.append((address, 451, ""))
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001
        if self.latency:
            await asyncio.sleep(self.latency)
        data = bytes(envelope.content)
        found = _MESSAGE_ID.search(data)
        message_id = found.group(1).decode() if found else ""
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.log.append((rcpt, 250, message_id))
                self.received[rcpt] += 1
            self.messages.append(data)
        return "250 2.0.0 queued"

    def snapshot(self) -> tuple[list[tuple[str, int, str]], Counter[str]]:
        with self.lock:
            return list(self.log), Counter(self.received)


class CampaignSmtp(LocalSmtp):
    """The server in its own thread: `url`, `handler`, `close()`; a context manager."""

    handler: CampaignHandler

    def __init__(self, handler: CampaignHandler) -> None:
        super().__init__(handler)

    def __enter__(self) -> "CampaignSmtp":
        return self


@pytest.fixture
def server_factory() -> Iterator[Callable[[CampaignHandler], CampaignSmtp]]:
    """Start servers with given handlers; all are stopped at the end of the test."""
    servers: list[CampaignSmtp] = []

    def start(handler: CampaignHandler) -> CampaignSmtp:
        server = CampaignSmtp(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
