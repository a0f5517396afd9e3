"""The IMAP side of a triage run: the streaming source, the action desk, and the closing words.

Used by `TriageRun` (tui/run/triage.py) only:

    triage = await ImapTriage.open(spec, settings, apply=..., actions_path=...)
    triage.open_desk(store, run_id, emit)         # desk events: to the report and to emit
    events = triage.events(coordinator)           # Coordinator.run_stream(source, expected=N)
    triage.source_failed(event); rows = triage.unread_rows()   # found by SEARCH, never read
    await triage.finish()                         # wait for the last actions
    lines = triage.closing_lines()                # summary, review list, at most one error line
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any

from tui.fanout.events import Event, SourceFailed
from tui.mail.action_desk import ActionDesk, ActionsDone, ActionsPlanned, DeskEvent
from tui.mail.action_types import Action, ActionOutcome
from tui.mail.imap_source import ImapSource, open_imap_source
from tui.mail.imap_target import parse_source_ref
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
        self.desk: ActionDesk | None = None
        self.report = ActionReport(apply)
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

    def open_desk(self, store: Any, run_id: str, emit: Callable[[Any], None]) -> None:
        def both(event: DeskEvent) -> None:
            self.report.add(event)
            emit(event)

        self.desk = ActionDesk(self.settings, self.source, store=store, run_id=run_id, forwarder=self.forwarder,
                               auto=self.apply, emit=both, out=self.actions_out)
        self.desk.start()

    def events(self, coordinator: Any) -> AsyncIterator[Event]:
        return coordinator.run_stream(self.source, expected=self.source.expected)

    def source_failed(self, event: SourceFailed) -> None:
        self.source_error = event.reason
        self.read = event.read

    def ref_of(self, row: ResultRow) -> str:
        return self.source.ref(int(row.email_id.rsplit(":", 1)[1]))

    def unread_rows(self) -> list[ResultRow]:
        """A failed row for every email the search found but the run never read (server gone),
        each once: those not given by an earlier call."""
        reason = self.source_error or "the message disappeared from the folder while it was read"
        given = {row.email_id for row in self._unread}
        rows = []
        for email_id in self.source.unread_ids():
            if email_id in given:
                continue
            uid = int(email_id.rsplit(":", 1)[1])
            ref = self.source.ref(uid)
            assert parse_source_ref(ref) is not None
            rows.append(ResultRow.failure(Email(id=email_id, source_ref=ref), "failed", f"not read: {reason}"))
        self._unread += rows
        return rows

    async def finish(self) -> None:
        try:
            if self.desk is not None:
                await self.desk.finish()
        finally:
            self._close_out()

    async def aclose(self) -> None:
        try:
            if self.desk is not None:
                await self.desk.aclose()
            await self.source.aclose()
        finally:
            self._close_out()

    def _close_out(self) -> None:
        if self.actions_out is not None:
            self.actions_out.close()
            self.actions_out = None

    @property
    def incomplete(self) -> bool:
        return bool(self.source_error or self._unread or self.report.not_done)

    def closing_lines(self) -> list[str]:
        lines = self.report.summary_lines()
        error = None
        if self.source_error:
            error = (f"fanmail: error: reading {self.source.target.mailbox_url()} stopped after "
                     f"{len(self.source.received)} of {self.source.expected} emails: {self.source_error}")
        elif self.report.not_done:
            error = f"fanmail: error: actions stopped: {self.report.not_done[0].note.removeprefix('not applied: ')}"
        if error:
            tail = "nothing was half-done: run the same command again to finish"
            if self.report.not_done:
                tail = (f"{len(self.report.not_done)} actions not done (their emails stay in "
                        f"{self.source.target.folder}); {tail}")
            lines.append(f"{error}; {tail}")
        return lines


class ActionReport:
    """What the desk did in a headless run, folded from its events into the closing lines."""

    def __init__(self, apply: bool) -> None:
        self.apply = apply
        self.planned: Counter[str] = Counter()  # a dry run: appliable actions by kind
        self.review: list[Action] = []
        self.outcomes: list[ActionOutcome] = []

    def add(self, event: DeskEvent) -> None:
        if isinstance(event, ActionsPlanned):
            self.review += [a for a in event.actions if a.kind == "review"]
            self.planned.update(a.kind for a in event.actions if a.appliable)
        elif isinstance(event, ActionsDone):
            self.outcomes += event.outcomes

    @property
    def not_done(self) -> list[ActionOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary_lines(self, limit: int = 50) -> list[str]:
        by_status: dict[str, Counter[str]] = {"planned": self.planned}
        for o in self.outcomes:
            by_status.setdefault(o.status, Counter())[o.action.kind] += 1

        def kinds(status: str) -> str:
            c = by_status.get(status, Counter())
            parts = [f"{c[k]} {name}" for k, name in (("move", "moves"), ("forward", "forwards"),
                                                      ("flag", "flags"), ("keyword", "keywords")) if c.get(k)]
            return ", ".join(parts) or "none"

        review_emails = dict.fromkeys(a.email_id for a in self.review)
        if not self.apply:
            line = f"fanmail: actions planned (dry run, nothing changed; add --apply): {kinds('planned')}"
        else:
            line = f"fanmail: actions applied: {kinds('applied')}"
            for status, words in (("already", "already done earlier"), ("skipped", "skipped"), ("failed", "NOT done")):
                if status in by_status:
                    line += f"; {words}: {kinds(status)}"
        lines = [line + f"; {len(review_emails)} emails stay in the inbox for review"]
        firsts = {a.email_id: a for a in reversed(self.review)}
        for email_id in list(review_emails)[:limit]:
            a = firsts[email_id]
            subject = (a.subject or "(no subject)").replace("\n", " ")[:70]
            lines.append(f"fanmail: review: {email_id} {subject!r}: {a.detail[:120]}")
        if len(review_emails) > limit:
            lines.append(f"fanmail: review: ... and {len(review_emails) - limit} more (all in --actions FILE)")
        return lines


def _user_address(spec: str) -> str | None:
    try:
        from tui.mail.imap_target import parse_imap_url

        user = parse_imap_url(spec).user
    except ValueError:
        return None
    return user if "@" in user else None

