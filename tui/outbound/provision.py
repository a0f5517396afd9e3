"""Provisioning fan-out: one agent per user creates the mailbox, sends the welcome, checks it arrived.

Every user ends in exactly one `ProvisionRow` whatever happens (bad row, backend refusal, SMTP or
IMAP failure, the agent's timeout); one agent failing never stops the others.

Safe to run twice: creating an existing mailbox is a no-op reported as `exists`, and the welcome
is sent only when neither the store's action ledger (key `provision:<server>:<user>:welcome`)
nor the user's INBOX (searched for the welcome's deterministic Message-ID) says it was sent.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

from tui.mail.imap_target import ImapError
from tui.mail.smtp import SmtpError, SmtpTarget
from tui.fanout.cap import failure_line
from tui.outbound.provision_backends import BackendError, MailboxBackend
from tui.outbound.provision_users import ProvisionUser
from tui.outbound.provision_welcome import (
    ImapServer,
    WelcomeRefused,
    WelcomeSender,
    WelcomeTemplate,
    welcome_in_inbox,
    welcome_message_id,
)
from tui.options import FanoutOptions
from tui.store import Store

MailboxState = Literal["created", "exists", "failed", "skipped"]
WelcomeState = Literal["sent", "already", "failed", "skipped"]


class ProvisionRow(BaseModel):
    """What happened to one user; no password, ever."""

    row: int = Field(description="line in USERS.csv")
    user: str
    email: str
    status: Literal["ok", "failed"] = "failed"
    mailbox: MailboxState = "skipped"
    welcome: WelcomeState = "skipped"
    verified: bool | None = Field(default=None, description="welcome found over IMAP as the user; None: not checked")
    message_id: str = ""
    error: str = ""
    agent_id: str = ""
    latency_ms: int = 0
    _stage: Literal["create", "check", "send", "verify"] = PrivateAttr(default="create")


@dataclass
class ProvisionJob:
    """Everything the agents share. `smtp_password` is for the SMTP login, if the URL names a user."""

    backend: MailboxBackend
    smtp: SmtpTarget
    template: WelcomeTemplate
    imap: ImapServer
    store: Store | None = None
    run_id: str = "provision"
    fanout: FanoutOptions = field(default_factory=FanoutOptions)  # concurrency; agent_timeout, None: see below
    verify_wait: float = 30.0  # how long delivery may take before the welcome counts as lost
    new_mailbox_grace: float = 5.0  # how long a new mailbox may take to become known to the MTA
    io_timeout: float = 30.0
    smtp_cafile: str | None = None
    smtp_insecure: bool = False
    environ: dict[str, str] | None = None
    sent: int = field(default=0, init=False)

    @property
    def agent_timeout_s(self) -> float:
        """Every step of one user: the delivery wait plus a minute for the rest, unless given."""
        return self.fanout.agent_timeout or 60.0 + self.verify_wait

    def welcome_key(self, user: str) -> str:
        return f"provision:{self.backend.ident}:{user}:welcome"


def new_rows(job: ProvisionJob, users: list[ProvisionUser]) -> list[ProvisionRow]:
    """One row per user, in CSV order; a row that cannot be provisioned is final already."""
    rows = [ProvisionRow(row=user.row, user=user.user, email=user.email, agent_id=f"user-{index + 1:04d}",
                         message_id=welcome_message_id(user.user, job.template.sender))
            for index, user in enumerate(users)]
    for row, user in zip(rows, users):
        if user.problem:
            row.error = user.problem
            _finish(row, None)
    return rows


async def provision_user(job: ProvisionJob, user: ProvisionUser, row: ProvisionRow) -> ProvisionRow:
    """One agent: every step for one user under its timeout; any failure is this user's row."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(job.agent_timeout_s):
            await _provision_one(job, user, row)
    except TimeoutError:
        row.error = f"timed out after {job.agent_timeout_s:g}s (" + _stage(row) + ")"
    except Exception as exc:  # noqa: BLE001 - one user's failure is that user's row, never a crash
        row.error = failure_line(exc, (BackendError, SmtpError, ImapError))
    _finish(row, started)
    return row


def _finish(row: ProvisionRow, started: float | None) -> None:
    """The row's final status (and which step failed)."""
    if started is not None:
        row.latency_ms = int((time.monotonic() - started) * 1000)
        if row.error and row._stage == "create":
            row.mailbox = "failed"
        elif row.error and row._stage == "send":
            row.welcome = "failed"
    row.status = "failed" if row.error else "ok"


_STAGES = {"create": "creating the mailbox", "check": "looking for an earlier welcome",
           "send": "sending the welcome", "verify": "looking for the welcome over IMAP"}


def _stage(row: ProvisionRow) -> str:
    return _STAGES[row._stage]


async def _provision_one(job: ProvisionJob, user: ProvisionUser, row: ProvisionRow) -> None:
    row.mailbox = await job.backend.create(user)
    row._stage = "check"
    # A generated password is only right for a mailbox created now.
    password_known = not (row.mailbox == "exists" and user.generated)
    key = job.welcome_key(user.user)

    if job.store is not None and await asyncio.to_thread(job.store.action_applied, key):
        row.welcome = "already"
    elif row.mailbox == "exists":
        if not password_known:
            row.error = ("the mailbox already existed and its password is unknown: give it in the CSV or "
                         "--credentials so the welcome can be looked for (it is never sent blindly twice)")
            return
        if await welcome_in_inbox(job.imap, user, row.message_id, timeout=job.io_timeout):
            row.welcome, row.verified = "already", True
            await _record(job, key, user, "found in the mailbox")
            return

    if row.welcome == "skipped":
        row._stage = "send"
        await _record(job, key, user, "sending", status="sending")
        try:
            await _send_welcome(job, user, fresh=row.mailbox == "created")
        except SmtpError as exc:
            await _record(job, key, user, str(exc)[:300], status="failed")
            raise
        row.welcome = "sent"
        job.sent += 1
        await _record(job, key, user, f"sent {row.message_id}")

    if not password_known:
        return  # the ledger says it was sent; it cannot be looked at without the password
    row._stage = "verify"
    just_sent = row.welcome == "sent"
    row.verified = await welcome_in_inbox(job.imap, user, row.message_id, wait=job.verify_wait if just_sent else 0.0,
                                          timeout=job.io_timeout)
    if just_sent and not row.verified:
        row.error = f"the welcome was not found in {user.user}'s INBOX after {job.verify_wait:g}s"
    # a welcome the ledger says went out earlier may since have been read and deleted: not a failure


async def _send_welcome(job: ProvisionJob, user: ProvisionUser, *, fresh: bool) -> None:
    """Send once. A mailbox created a moment ago may not be visible to the mail server yet
    (Dovecot re-reads a passwd-file at most once a second): a refused welcome is retried for
    `new_mailbox_grace` seconds, which is safe because a refused RCPT or DATA delivered nothing."""
    sender = WelcomeSender(job.smtp, sender=job.template.sender, cafile=job.smtp_cafile,
                           insecure=job.smtp_insecure, timeout=job.io_timeout, environ=job.environ)
    deadline = time.monotonic() + (job.new_mailbox_grace if fresh else 0.0)
    delay = 0.1
    try:
        while True:
            try:
                await sender.send_welcome(job.template.render(user), user.email)
                return
            except WelcomeRefused:
                if time.monotonic() + delay > deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
    finally:
        await sender.close()


async def _record(job: ProvisionJob, key: str, user: ProvisionUser, detail: str, status: str = "applied") -> None:
    """Commit the welcome's state in the store's action ledger (from a thread: the disk never
    holds up the other agents)."""
    if job.store is not None:
        await asyncio.to_thread(job.store.record_action, key, run_id=job.run_id, email_id=user.user,
                                action="welcome", detail=detail, status=status)
