"""The dashboard on an IMAP mailbox: the streaming run of a headless IMAP triage, plus actions on keys.

`ImapLiveSession` is a `LiveSession` whose engine thread opens the mailbox with `ImapTriage`
(tui/mail/imap_run.py: connect, search, stream with `Coordinator.run_stream`), so agents appear
as batches form. Each streamed email is learnt (`emails`) so the detail screen can show it. Each
final row is planned by an `ActionDesk` (tui/mail/action_desk.py): a dry run unless `apply`, and
the operator's a/A keys reach the desk through `apply_actions`, across threads like retry does.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from tui.app.session import LiveSession
from tui.fanout.events import AgentQueued, EmailDone, SourceFailed
from tui.fanout.recorder import Recorder, prepare_run
from tui.fanout.run import Coordinator
from tui.mail.action_desk import ActionDesk
from tui.mail.imap_target import ImapError, ImapOptions, parse_imap_url
from tui.mail.smtp import parse_smtp_url
from tui.model import Email, ResultRow
from tui.settings import ConfigError, Settings
from tui.store import Store


def check_imap_args(settings: Settings, source: str) -> None:
    """What can be checked before the dashboard opens, so a typo is one CLI line, not a screen."""
    try:
        parse_imap_url(source)
    except ValueError as exc:
        raise ImapError(str(exc)) from None
    ImapOptions.from_settings(settings)  # no password: ImapError naming the variable
    if settings.smtp:
        try:
            parse_smtp_url(settings.smtp)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None


class ImapLiveSession(LiveSession):
    actions_enabled = True

    def __init__(self, settings: Settings, source: str, *, label: str, clock: Callable[[], float] = time.monotonic,
                 apply: bool = False, actions_path: str | None = None) -> None:
        super().__init__(settings, source, [], label=label, clock=clock)
        self.auto_apply = apply
        self.actions_path = actions_path
        self.desk: ActionDesk | None = None
        self.store: Store | None = None

    def _store_needed(self) -> bool:
        return self.auto_apply  # the ledger is what keeps --apply from ever acting twice

    async def _run(self, provider: Any, store: Store | None, stack: contextlib.AsyncExitStack) -> None:
        from tui.mail.imap_run import ImapTriage

        self.store = store
        triage = await ImapTriage.open(self.source, self.settings, apply=self.auto_apply,
                                       actions_path=self.actions_path)
        stack.push_async_callback(triage.aclose)
        prepared = await asyncio.to_thread(prepare_run, store, self.settings, self.source, [])
        self.run_id = prepared.run_id
        recorder = Recorder(store, prepared.run_id, prepared.segment)
        stack.push_async_callback(recorder.aclose, provider)
        coordinator = Coordinator(provider, self.settings, keep_open=True, clock=self.clock, seed=self.settings.seed,
                                  run_id=prepared.run_id)
        self.coordinator = coordinator
        desk = ActionDesk(self.settings, triage.source, store=store, run_id=prepared.run_id,
                          forwarder=triage.forwarder, auto=self.auto_apply, emit=self._push, out=triage.actions_out)
        stack.push_async_callback(desk.aclose)  # before the source and the --actions file close
        desk.start()
        self.desk = desk
        if self._closed:
            return
        async for event in triage.events(coordinator):
            recorder.on_event(event)
            triage.on_event(event)
            self._learn(event, coordinator)
            self._push(event)
            if isinstance(event, EmailDone):
                email = self.emails.get(event.row.email_id)
                if email is not None:
                    desk.add(event.row, email)  # after the row, so the screen has it when the plan lands
            elif isinstance(event, SourceFailed):
                # Found by SEARCH but never read: a failed row each, so every email is accounted for.
                for row in triage.unread_rows():
                    done = EmailDone("", row)
                    recorder.on_event(done)
                    uid = int(row.email_id.rsplit(":", 1)[1])
                    self.emails.setdefault(row.email_id, Email(id=row.email_id, source_ref=triage.source.ref(uid)))
                    self._push(done)

    def _learn(self, event: object, coordinator: Coordinator) -> None:
        """Streamed emails reach the plan as they are read; the detail screen looks them up here.
        (Plain dict writes from the engine thread; the UI thread only ever gets by id.)"""
        plan = coordinator.plan
        if plan is None:
            return
        if isinstance(event, AgentQueued):
            ids: list[str] = list(event.email_ids)
        elif isinstance(event, EmailDone):
            ids = [event.row.email_id]
        else:
            return
        for email_id in ids:
            if email_id not in self.emails and (email := plan.emails.get(email_id)) is not None:
                self.emails[email_id] = email

    def replan(self, rows: list[ResultRow]) -> None:
        """A corrected verdict plans its actions again (the move follows the corrected route); done
        actions are kept, and with --apply the new plan is applied like any other verdict's."""
        desk = self.desk
        if desk is None or self._closed:
            return
        pairs = [(row, email) for row in rows if (email := self.emails.get(row.email_id)) is not None]
        self._on_engine(lambda: [desk.add(row, email) for row, email in pairs])

    def apply_actions(self, email_ids: list[str], *, override: bool = False) -> str | None:
        """Ask the desk (on the engine loop) to apply; None when sent, else why not."""
        desk = self.desk
        if desk is None or self._closed:
            return "the mailbox is not open (yet)"
        if self.store is None:
            return "actions need the store to record them, so none is ever applied twice: pass --store PATH"
        if override and len(email_ids) != 1:
            return "a review email is overridden one at a time"
        if not email_ids:
            return "nothing to apply"
        self._on_engine(lambda: desk.request(list(email_ids), override=override))
        return None
