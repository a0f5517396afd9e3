"""The signed delivery-event webhook: an aiohttp app serving `POST /events`.

Request (what a mail provider, or anything relaying its events, posts):

    POST /events
    Content-Type: application/json
    X-Fanmail-Timestamp: 1795000000                 (unix seconds when it was signed)
    X-Fanmail-Signature: v1=<hex HMAC-SHA256 of "{timestamp}.{body}" keyed with the secret>

    {"events": [{"message_id": "<id@host>", "recipient": "bob@example.org",
                 "event": "delivered|bounced|complaint|deferred",
                 "reason": "550 5.1.1 user unknown", "status": "5.1.1", "timestamp": 1795000000}]}

`reason`, `status` and `timestamp` (unix seconds or ISO 8601) are optional. Several `v1=`
signatures may be given, comma-separated (a secret being rotated): one match is enough.

Answers: 200 `{"accepted": N}`; 401 when unsigned, wrongly signed, or signed more than
`tolerance_s` away from now (a replayed or forged request), and then `on_events` is not called;
400 for a body that is not the JSON above; 413 over the size limit; 500 when `on_events` failed
(the sender retries). A request already accepted with the same signature is answered 200
`{"accepted": 0, "duplicate": true}` without calling `on_events` again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tui.outbound.events import DeliveryEvent

TIMESTAMP_HEADER = "X-Fanmail-Timestamp"
SIGNATURE_HEADER = "X-Fanmail-Signature"
SIGNATURE_VERSION = "v1"
DEFAULT_MAX_BODY = 1024 * 1024
MAX_EVENTS = 10_000
_REPLAY_MEMORY = 10_000

EventsHandler = Callable[[list[DeliveryEvent]], Awaitable[None]]


class WebhookEvent(BaseModel):
    """One event as posted; becomes a `DeliveryEvent` with source `webhook`."""

    model_config = ConfigDict(extra="ignore")

    message_id: str = Field(default="", max_length=1000)
    recipient: str = Field(min_length=3, max_length=320)
    event: Literal["delivered", "bounced", "complaint", "deferred"]
    reason: str = Field(default="", max_length=2000)
    status: str = Field(default="", max_length=32)
    timestamp: datetime | None = None

    @field_validator("recipient")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip().strip("<>").strip().lower()
        if "@" not in value or any(c.isspace() or ord(c) < 32 for c in value):
            raise ValueError("not an address")
        return value

    @field_validator("message_id")
    @classmethod
    def _angle_brackets(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith("<"):
            value = f"<{value}>"
        return value

    def to_delivery_event(self) -> DeliveryEvent:
        at = self.timestamp or datetime.now(timezone.utc)
        if at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        return DeliveryEvent(message_id=self.message_id, recipient=self.recipient, kind=self.event,
                             source="webhook", reason=" ".join(self.reason.split()), status=self.status.strip(),
                             at=at)


class WebhookBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    events: list[WebhookEvent] = Field(max_length=MAX_EVENTS)


def _signature(body: bytes, secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def sign_payload(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers that make `body` acceptable to a receiver holding `secret`."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: f"{SIGNATURE_VERSION}={_signature(body, secret, ts)}"}


def _refuse(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


class _Receiver:
    """Checks, in order: size, signature and freshness (before any parsing), then the JSON."""

    def __init__(self, secret: str, on_events: EventsHandler, tolerance_s: float,
                 clock: Callable[[], float]) -> None:
        self.secret = secret
        self.on_events = on_events
        self.tolerance_s = tolerance_s
        self.clock = clock
        self.accepted: OrderedDict[str, float] = OrderedDict()  # signature -> when it was accepted

    def _verify(self, request: web.Request, body: bytes) -> tuple[str | None, str]:
        """(error, the matching signature)."""
        ts_text = request.headers.get(TIMESTAMP_HEADER, "").strip()
        sig_text = request.headers.get(SIGNATURE_HEADER, "").strip()
        if not ts_text or not sig_text:
            return "missing signature", ""
        try:
            ts = int(ts_text)
        except ValueError:
            return "bad timestamp", ""
        if abs(self.clock() - ts) > self.tolerance_s:
            return "stale or future timestamp", ""
        expected = _signature(body, self.secret, ts)
        for candidate in sig_text.split(","):
            version, _, value = candidate.strip().partition("=")
            if version == SIGNATURE_VERSION and hmac.compare_digest(value.strip().lower(), expected):
                return None, expected
        return "bad signature", ""

    def _seen(self, signature: str) -> bool:
        horizon = self.clock() - 2 * self.tolerance_s
        while self.accepted and next(iter(self.accepted.values())) < horizon:
            self.accepted.popitem(last=False)
        return signature in self.accepted

    async def handle(self, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413, "body too large")
        error, signature = self._verify(request, body)
        if error:
            return _refuse(401, error)
        if self._seen(signature):
            return web.json_response({"accepted": 0, "duplicate": True})
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _refuse(400, "body is not JSON")
        try:
            parsed = WebhookBody.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            return _refuse(400, f"{where}: {first['msg']}"[:200])
        events = [e.to_delivery_event() for e in parsed.events]
        try:
            await self.on_events(events)
        except Exception:
            return _refuse(500, "could not record the events; retry later")
        self.accepted[signature] = self.clock()
        while len(self.accepted) > _REPLAY_MEMORY:
            self.accepted.popitem(last=False)
        return web.json_response({"accepted": len(events)})


def make_webhook_app(secret: str, on_events: EventsHandler, *, tolerance_s: float = 300,
                     max_body: int = DEFAULT_MAX_BODY,
                     clock: Callable[[], float] = time.time) -> web.Application:
    """The receiver app; `on_events` gets every accepted request's events (awaited before 200)."""
    if not secret:
        raise ValueError("the webhook needs a non-empty signing secret")
    if not tolerance_s > 0:  # NaN would let every timestamp through
        raise ValueError("tolerance_s must be positive")
    receiver = _Receiver(secret, on_events, tolerance_s, clock)
    app = web.Application(client_max_size=max_body)
    app.router.add_post("/events", receiver.handle)
    return app
