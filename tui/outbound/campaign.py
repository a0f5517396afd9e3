"""Sending a campaign: one agent per segment, each with one reused SMTP connection.

The same fan-out shape as triage: a coordinator starts one agent per segment under a concurrency
cap, every agent has a timeout, and one failing agent never stops its siblings. All agents share
one `RequestPacer` (messages per minute for the server). Each recipient is one SMTP transaction
(MAIL, RCPT, DATA) so every reply belongs to exactly one recipient:

- 2xx on DATA: `accepted`.
- 4xx (RCPT or DATA): `deferred`, put back in the agent's own queue with exponential backoff and
  retried on the same connection, until `max_attempts`; then it stays `deferred` (reported).
- 5xx: `refused`, and the address goes on the suppression list.
- Connection lost before DATA: nothing was sent; reconnect and try again. Lost *during* DATA:
  `unknown` (see ledger.py: never re-sent automatically).

Ledger writes run in a thread (`asyncio.to_thread`), so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import heapq
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.fanout.limits import RequestPacer, backoff_delay
from tui.mail.smtp import Forwarder, SmtpError, SmtpTarget
from tui.fanout.cap import failure_line
from tui.outbound.contacts import Contact
from tui.outbound.ledger import Ledger
from tui.outbound.personalize import PersonalizeError, Personalizer
from tui.options import FanoutOptions
from tui.outbound.template import Renderer

NO_SEGMENT = "(none)"
CONNECT_TRIES = 3


@dataclass(frozen=True, slots=True)
class SendOptions:
    """How a campaign is sent (everything but the recipients and the message)."""

    target: SmtpTarget
    sender: str
    cafile: str | None = None
    insecure: bool = False
    fanout: FanoutOptions = field(default_factory=FanoutOptions)  # concurrency, agent_timeout (None: no limit)
    mpm: int | None = None            # messages per minute for the server, all agents together
    max_attempts: int = 4             # per recipient, counting the first
    retry_delay: float = 30.0         # backoff base after a 4xx, seconds
    retry_cap: float = 900.0
    smtp_timeout: float = 30.0
    seed: int = 7


# ---------------------------------------------------------------- events (for progress and the dashboard)
@dataclass(frozen=True, slots=True)
class SegmentStarted:
    segment: str
    total: int


@dataclass(frozen=True, slots=True)
class RecipientDone:
    segment: str
    recipient: str
    state: str
    code: int | None
    attempts: int


@dataclass(frozen=True, slots=True)
class RecipientDeferred:
    """A 4xx: the recipient goes back in its agent's queue for a later attempt."""

    segment: str
    recipient: str
    code: int
    attempts: int


@dataclass(frozen=True, slots=True)
class SegmentDone:
    segment: str
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class SegmentFailed:
    segment: str
    error: str
    left: int  # recipients not attempted: still pending, sent by the next run


CampaignEvent = SegmentStarted | RecipientDone | RecipientDeferred | SegmentDone | SegmentFailed


def plan_segments(contacts: list[Contact], column: str | None) -> dict[str, list[Contact]]:
    """Segment value -> its contacts in file order; segments sorted by name. Every contact in one."""
    segments: dict[str, list[Contact]] = {}
    for contact in contacts:
        value = (contact.fields.get(column, "") if column else "").strip() or NO_SEGMENT
        segments.setdefault(value, []).append(contact)
    return dict(sorted(segments.items()))


class SegmentConnection(Forwarder):
    """The project's SMTP connection rules (TLS, STARTTLS, cafile, password from the env), one per agent."""

    connect_refused = "cannot send via SMTP"


class CampaignSender:
    """Sends one segment's recipients the ledger still has to send (one agent); the fan-out over
    segments is tui/run/campaign.py's. Every outcome goes to `emit`."""

    def __init__(self, ledger: Ledger, campaign_id: str, renderer: Renderer, options: SendOptions,
                 emit: Callable[[CampaignEvent], None], personalizer: Personalizer | None = None) -> None:
        self.ledger = ledger
        self.campaign_id = campaign_id
        self.renderer = renderer
        self.options = options
        self.on_event = emit
        self.pacer = RequestPacer(options.mpm) if options.mpm else None
        self.rng = random.Random(options.seed)
        self.personalizer = personalizer
        self._lines: dict[str, tuple[str | None, str]] = {}  # recipient -> (personal line, why none)

    # ---------------------------------------------------------------- one agent
    async def segment(self, segment: str, todo: list[tuple[Contact, int]]) -> str | None:
        """One agent: None when the segment is done, else why it stopped (its rest stays pending)."""
        self.on_event(SegmentStarted(segment, len(todo)))
        queue = list(todo)
        queue.reverse()  # pop() from the end keeps file order
        retries: list[tuple[float, int, Contact, int]] = []  # (due, tiebreak, contact, attempts)
        counts: Counter[str] = Counter()
        conn = SegmentConnection(self.options.target, sender=self.options.sender, cafile=self.options.cafile,
                                 insecure=self.options.insecure, timeout=self.options.smtp_timeout)
        seq = 0
        current: Contact | None = None
        try:
            async with asyncio.timeout(self.options.fanout.agent_timeout):
                while queue or retries:
                    now = time.monotonic()
                    if retries and (retries[0][0] <= now or not queue):
                        due, _, contact, attempts = heapq.heappop(retries)
                        current = contact  # held here while it waits: a timeout still reports it
                        if due > now:
                            await asyncio.sleep(due - now)
                    else:
                        contact, attempts = queue.pop()
                        current = contact
                    state, attempts = await self._send_one(conn, segment, contact, attempts)
                    current = None
                    if state == "retry":
                        seq += 1
                        delay = backoff_delay(attempts, self.rng, base=self.options.retry_delay,
                                              cap=self.options.retry_cap)
                        heapq.heappush(retries, (time.monotonic() + delay, seq, contact, attempts))
                        continue
                    counts[state] += 1
            self.on_event(SegmentDone(segment, dict(counts)))
            return None
        except Exception as exc:  # noqa: BLE001 - one agent's failure is reported, never its siblings'
            if isinstance(exc, TimeoutError):
                error = f"agent timed out after {self.options.fanout.agent_timeout:g} s"
            else:
                error = failure_line(exc, (SmtpError, sqlite3.Error))
            left = ([current] if current else []) + [c for c, _ in queue] + [r[2] for r in retries]
            await asyncio.to_thread(self._note_pending, left, error)
            self.on_event(SegmentFailed(segment, error, len(left)))
            return error
        finally:
            await conn.close()

    def _note_pending(self, contacts: list[Contact], error: str) -> None:
        for contact in contacts:
            self.ledger.note_error(self.campaign_id, contact.email, error)

    async def _connect(self, conn: SegmentConnection) -> None:
        for attempt in range(1, CONNECT_TRIES + 1):
            try:
                return await conn.connect()
            except SmtpError:
                if attempt == CONNECT_TRIES:
                    raise
                await asyncio.sleep(backoff_delay(attempt, self.rng, base=0.5, cap=5.0))

    async def _send_one(self, conn: SegmentConnection, segment: str, contact: Contact,
                        attempts: int) -> tuple[str, int]:
        """One SMTP transaction for one recipient. Returns (state, attempts); state 'retry' = 4xx."""
        recipient = contact.email
        line, line_note = await self._personal_line(contact)
        rendered = self.renderer.render(contact, line)
        lost = 0
        while True:
            await self._connect(conn)
            ticket = await self.pacer.acquire(0) if self.pacer else None
            try:
                attempts += 1
                refused = await conn.envelope(recipient)
                if refused is not None and refused.code is None:  # nothing was sent: reconnect and try again
                    attempts -= 1
                    lost += 1
                    if lost >= CONNECT_TRIES:
                        raise SmtpError(f"lost SMTP server {self.options.target.address}: {refused.message}")
                    continue
                if refused is not None and refused.code is not None:
                    if refused.sender and not 400 <= refused.code < 500:  # about us: never suppress
                        raise SmtpError(f"SMTP server {self.options.target.address} refused the sender "
                                        f"{self.options.sender}: {refused.code} {refused.message}")
                    return await self._rejected(segment, recipient, refused.code, refused.message, attempts,
                                                address_problem=not refused.sender)
                await asyncio.to_thread(self.ledger.mark_sending, self.campaign_id, recipient, attempts)
                try:
                    reply = await conn.data(rendered.data)
                except asyncio.CancelledError:
                    # Timed out or interrupted during DATA: we cannot know whether it went out.
                    self.ledger.mark_outcome(self.campaign_id, recipient, "unknown", attempts=attempts,
                                             error="interrupted during DATA: the message may have been sent")
                    raise
                if reply.code is None:
                    await self._final(segment, recipient, "unknown", attempts, None, "",
                                      f"connection lost during DATA ({reply.message}): the message may have been sent")
                    return "unknown", attempts
                if not 200 <= reply.code < 300:  # the server said no to the message
                    return await self._rejected(segment, recipient, reply.code, reply.message, attempts,
                                                address_problem=False)
                await self._final(segment, recipient, "accepted", attempts, reply.code, reply.message, line_note)
                return "accepted", attempts
            finally:
                if ticket is not None and self.pacer is not None:
                    self.pacer.settle(ticket, None)

    async def _personal_line(self, contact: Contact) -> tuple[str | None, str]:
        """The model's line for this recipient, once (a deferred retry reuses it); ('', why) when
        it could not be written: the message goes out without it and the report says so."""
        if self.personalizer is None:
            return None, ""
        if contact.email not in self._lines:
            try:
                self._lines[contact.email] = (await self.personalizer.line(contact), "")
            except PersonalizeError as exc:
                self._lines[contact.email] = ("", f"sent without a personal line: {exc}")
        return self._lines[contact.email]

    async def _rejected(self, segment: str, recipient: str, code: int, reply: str, attempts: int, *,
                        address_problem: bool = True) -> tuple[str, int]:
        """4xx: retry later (or give up after max_attempts); 5xx: refused. Only a 5xx to RCPT says
        the address is bad, so only that one puts it on the suppression list."""
        if 400 <= code < 500:
            if attempts < self.options.max_attempts:
                await asyncio.to_thread(self.ledger.mark_outcome, self.campaign_id, recipient, "deferred",
                                        attempts=attempts, code=code, reply=reply, error="will retry")
                self.on_event(RecipientDeferred(segment, recipient, code, attempts))
                return "retry", attempts
            await self._final(segment, recipient, "deferred", attempts, code, reply,
                              f"still deferred after {attempts} attempts")
            return "deferred", attempts
        await self._final(segment, recipient, "refused", attempts, code, reply)
        if address_problem:
            await asyncio.to_thread(self.ledger.suppress, recipient, f"refused: {code} {reply}", "smtp")
        return "refused", attempts

    async def _final(self, segment: str, recipient: str, state: str, attempts: int, code: int | None,
                     reply: str, error: str = "") -> None:
        await asyncio.to_thread(self.ledger.mark_outcome, self.campaign_id, recipient, state, attempts=attempts,
                                code=code, reply=reply, error=error)
        self.on_event(RecipientDone(segment, recipient, state, code, attempts))

