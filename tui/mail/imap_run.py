"""The IMAP side of a headless run: the streaming source, the actions, and the closing words.

    triage = await ImapTriage.open(spec, settings, apply=..., actions_path=...)
    triage.attach(store, run_id)
    events = triage.events(coordinator)           # Coordinator.run_stream(source, expected=N)
    ... for each event: triage.on_event(event) ...
    rows = triage.unread_rows()                   # emails found by SEARCH but never read
    await triage.finish()                         # wait for the last actions
    lines = triage.closing_lines()                # summary, review list, at most one error line
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

from tui.fanout.events import EmailDone, Event, SourceFailed
from tui.mail.actions import ActionRunner
from tui.mail.imap import ImapError, ImapSource, open_imap_source, parse_source_ref
from tui.mail.smtp import Forwarder, SmtpError
from tui.model import Email, ResultRow
from tui.settings import ConfigError


class ImapTriage:
    def __init__(self, source: ImapSource, settings: Any, *, apply: bool, actions_out: IO[str] | None,
                 forwarder: Forwarder | None) -> None:
        self.source = source
        self.settings = settings
        self.apply = apply
        self.actions_out = actions_out
        self.forwarder = forwarder
        self.runner: ActionRunner | None = None
        self.coordinator: Any = None
        self.source_error: str | None = None
        self.read = 0
        self._unread: list[ResultRow] = []

    @classmethod
    async def open(cls, spec: str, settings: Any, *, apply: bool = False, actions_path: str | None = None,
                   environ: dict[str, str] | None = None) -> "ImapTriage":
        """Check the action config first (a bad --smtp is a usage error before any connection),
        then connect and search. Raises ImapError / ConfigError with one line."""
        forwarder = None
        if apply or getattr(settings, "smtp", None):
            try:
                forwarder = Forwarder.from_settings(settings, default_sender=_user_address(spec), environ=environ)
            except SmtpError as exc:
                raise ConfigError(str(exc)) from None
        actions_out = None
        if actions_path:
            path = Path(actions_path)
            if not path.parent.exists():
                raise ConfigError(f"folder for --actions does not exist: {path.parent}")
        source = await open_imap_source(spec, settings, environ)
        if actions_path:
            actions_out = open(actions_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in finish()
        return cls(source, settings, apply=apply, actions_out=actions_out, forwarder=forwarder)

    @property
    def expected(self) -> int:
        return self.source.expected

    def attach(self, store: Any, run_id: str) -> None:
        if self.apply and store is None:
            raise ConfigError("--apply needs the store (--store PATH) to never apply an action twice")
        self.runner = ActionRunner(self.settings, self.source, apply=self.apply, store=store, run_id=run_id,
                                   out=self.actions_out, forwarder=self.forwarder)
        self.runner.start()

    def events(self, coordinator: Any) -> AsyncIterator[Event]:
        self.coordinator = coordinator
        return coordinator.run_stream(self.source, expected=self.source.expected)

    def on_event(self, event: Event) -> None:
        if isinstance(event, EmailDone):
            row = event.row
            email = self._email(row.email_id)
            if email is not None and self.runner is not None:
                self.runner.add(row, email)
        elif isinstance(event, SourceFailed):
            self.source_error = event.reason
            self.read = event.read

    def _email(self, email_id: str) -> Email | None:
        plan = getattr(self.coordinator, "plan", None)
        return plan.emails.get(email_id) if plan is not None else None

    def unread_rows(self) -> list[ResultRow]:
        """A failed row for every email the search found but the run never read (server gone)."""
        reason = self.source_error or "the message disappeared from the folder while it was read"
        rows = []
        for email_id in self.source.unread_ids():
            uid = int(email_id.rsplit(":", 1)[1])
            ref = self.source.ref(uid)
            assert parse_source_ref(ref) is not None
            rows.append(ResultRow.failure(Email(id=email_id, source_ref=ref), "failed", f"not read: {reason}"))
        self._unread = rows
        return rows

    async def finish(self) -> None:
        try:
            if self.runner is not None:
                await self.runner.finish()
        finally:
            self._close_out()

    async def aclose(self) -> None:
        try:
            if self.runner is not None:
                await self.runner.aclose()
            await self.source.aclose()
        finally:
            self._close_out()

    def _close_out(self) -> None:
        if self.actions_out is not None:
            self.actions_out.close()
            self.actions_out = None

    @property
    def incomplete(self) -> bool:
        return bool(self.source_error or self._unread or (self.runner is not None and self.runner.incomplete))

    def closing_lines(self) -> list[str]:
        lines = self.runner.summary_lines() if self.runner is not None else []
        error = None
        if self.source_error:
            error = (f"fanmail: error: reading {self.source.target.mailbox_url()} stopped after "
                     f"{len(self.source.received)} of {self.source.expected} emails: {self.source_error}")
        elif self.runner is not None and self.runner.error:
            error = f"fanmail: error: actions stopped: {self.runner.error}"
        if error:
            not_done = sum(1 for o in (self.runner.outcomes if self.runner else []) if o.status == "failed")
            tail = "nothing was half-done: run the same command again to finish"
            if not_done:
                tail = f"{not_done} actions not done (their emails stay in {self.source.target.folder}); {tail}"
            lines.append(f"{error}; {tail}")
        return lines


def _user_address(spec: str) -> str | None:
    try:
        from tui.mail.imap import parse_imap_url

        user = parse_imap_url(spec).user
    except ValueError:
        return None
    return user if "@" in user else None


__all__ = ["ImapTriage", "ImapError"]
