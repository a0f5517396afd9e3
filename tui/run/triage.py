"""A triage run, whatever watches it: provider, store, plan, recorder and coordinator, put together once.

File and sample sources run a plan (`Coordinator.run`, a `--resume` continues a stored run);
an IMAP source streams (`Coordinator.run_stream`: agents start on the first emails read) and
every final row is planned by the action desk (tui/run/imap.py). Every event is recorded
(store, trace, log lines) before it is emitted, so what a front end shows is already durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.fanout.events import AgentQueued, EmailDone, SourceFailed
from tui.fanout.gc_quiet import quiet_gc
from tui.fanout.preview import estimate
from tui.fanout.recorder import Recorder, prepare_run, with_prior
from tui.fanout.run import Coordinator
from tui.fanout.trace import TraceWriter
from tui.mail.imap_target import ImapError, ImapOptions, is_imap, parse_imap_url
from tui.mail.sources import load_source
from tui.model import Email, Preview, RunReport
from tui.run.provider import open_run_provider
from tui.run import CoordinatedRun, Emit, RunOpened
from tui.settings import ConfigError, Settings
from tui.store import Store, open_run_store

# What the a/A keys say on a file source: there is no mailbox to act on.
NO_ACTIONS_HERE = "actions (move, flag, forward) are for IMAP sources: fanmail triage imap://USER@HOST:PORT/FOLDER"


def check_triage_args(settings: Settings, source: str, *, resume: str | None = None, apply: bool = False,
                      actions_path: str | None = None, imap_urls: bool = False) -> None:
    """What can be refused before anything opens, the same in every front end. With `imap_urls`
    the IMAP and SMTP URLs and the password variable are checked too (a dashboard checks them
    before it opens, so a typo is one CLI line, not a screen)."""
    if is_imap(source):
        if resume:
            raise ConfigError("--resume is for file sources: for IMAP run the same command again (moved mail is "
                              "not read again and applied actions are never repeated)")
        if imap_urls:
            try:
                parse_imap_url(source)
            except ValueError as exc:
                raise ImapError(str(exc)) from None
            ImapOptions.from_settings(settings)  # no password: ImapError naming the variable
            if settings.smtp:
                from tui.mail.smtp import parse_smtp_url

                try:
                    parse_smtp_url(settings.smtp)
                except ValueError as exc:
                    raise ConfigError(str(exc)) from None
    elif apply or actions_path:
        raise ConfigError("--apply and --actions are for IMAP sources (imap://USER@HOST:PORT/FOLDER)")


class TriageRun(CoordinatedRun):
    """One triage run (see the protocol in tui/run/__init__.py).

    `emails` for a file source may be given (a dashboard reads the source before it opens, so a
    bad path is a CLI error); else it is read after the provider check, so a wrong key fails
    before a big mailbox is read. `keep_open`: the coordinator stays open after RunDone, for
    retries (a dashboard); headless runs end with their last row.
    """

    def __init__(self, settings: Settings, source: str, emails: list[Email] | None = None, *,
                 resume: str | None = None, trace_path: str | None = None, apply: bool = False,
                 actions_path: str | None = None, keep_open: bool = False,
                 clock: Callable[[], float] = time.monotonic, warn: Callable[[str], None] | None = None) -> None:
        check_triage_args(settings, source, resume=resume, apply=apply, actions_path=actions_path)
        self.settings = settings
        self.source = source
        self.imap = is_imap(source)
        self.email_list = emails
        self.emails: dict[str, Email] = {e.id: e for e in emails or ()}  # what the detail screen looks up
        self.resume_id = resume
        self.trace_path = str(Path(trace_path).resolve()) if trace_path else None
        self.apply = apply
        self.actions_path = actions_path
        self.keep_open = keep_open
        self.clock = clock
        self.warn = warn
        self.run_id: str | None = None
        self.preview: Preview | None = None
        self.provider: Any = None
        self.store: Store | None = None
        self.coordinator: Coordinator | None = None
        self.triage: Any = None  # tui.run.imap.ImapTriage, on an IMAP source
        self.recorder: Recorder | None = None
        self.prior = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def report(self) -> RunReport | None:
        """The last RunDone's report, with the preview the run started from."""
        report = self.recorder.report if self.recorder is not None else None
        if report is not None and self.preview is not None:
            report = report.model_copy(update={"preview": self.preview})
        return report

    @property
    def aborted(self) -> str | None:
        return self.recorder.aborted if self.recorder is not None else None

    # ------------------------------------------------------------------ the run
    async def run(self, emit: Emit) -> None:
        self._loop = asyncio.get_running_loop()
        async with contextlib.AsyncExitStack() as stack:  # closed last-in first-out, errors or not
            provider = self.provider = await stack.enter_async_context(open_run_provider(self.settings))
            await provider.check()
            if not self.imap and self.email_list is None:
                with quiet_gc():  # 10,000 emails read are 10,000 survivors: no young collections walking them
                    self.email_list = load_source(self.source, seed=self.settings.seed)
                self.emails = {e.id: e for e in self.email_list}
            store = self.store = await asyncio.to_thread(
                open_run_store, self.settings.store, needed=self.resume_id is not None or self.apply, warn=self.warn)
            if store is not None:
                stack.push_async_callback(asyncio.to_thread, store.close)
            if self.imap:
                from tui.run.imap import ImapTriage

                self.triage = await ImapTriage.open(self.source, self.settings, apply=self.apply,
                                                    actions_path=self.actions_path)
                stack.push_async_callback(self.triage.aclose)
            prepared = await asyncio.to_thread(prepare_run, store, self.settings, self.source, self.email_list or [],
                                               resume=self.resume_id, trace_path=self.trace_path)
            self.run_id, self.prior = prepared.run_id, len(prepared.prior)
            trace = TraceWriter(self.trace_path, run_id=prepared.run_id, segment=prepared.segment,
                                append=prepared.resumed) if self.trace_path else None
            recorder = self.recorder = Recorder(store, prepared.run_id, prepared.segment, trace=trace,
                                                prior=prepared.prior)
            stack.push_async_callback(recorder.aclose, provider)
            if not self.imap:  # tokens, cost and time before anything is sent (after the key check)
                self.preview = await asyncio.to_thread(estimate, prepared.plan, self.settings,
                                                       latency_s=provider.expected_latency_s, provider=provider)
            coordinator = self.coordinator = Coordinator(
                provider, self.settings, keep_open=self.keep_open, clock=self.clock, seed=self.settings.seed,
                run_id=prepared.run_id)
            total = (self.triage.expected if self.imap else prepared.plan.total) + self.prior
            emit(RunOpened(prepared.run_id, prepared.segment, total, self.prior, len(prepared.missing),
                           self.preview))
            if self.closed:
                return
            if self.triage is not None:
                await self._stream(coordinator, recorder, emit)
                return
            record = recorder.on_event
            async for event in with_prior(coordinator.run(prepared.plan), prepared.prior):
                record(event)
                emit(event)

    async def _stream(self, coordinator: Coordinator, recorder: Recorder, emit: Emit) -> None:
        """The IMAP run: streamed emails are learnt (for the detail screen), each final row goes
        to the desk after it is emitted, and emails found but never read get a failed row each."""
        triage = self.triage
        triage.open_desk(self.store, coordinator.run_id, emit)
        record = recorder.on_event
        async for event in triage.events(coordinator):
            record(event)
            self._learn(event, coordinator)
            emit(event)
            if isinstance(event, EmailDone):
                email = self.emails.get(event.row.email_id)
                if email is not None:
                    triage.desk.add(event.row, email)  # after the row, so the screen has it when the plan lands
            elif isinstance(event, SourceFailed):
                triage.source_failed(event)
                self._unread(record, emit)
        if not self.closed:  # a closed run stopped reading: what it did not read is not lost
            self._unread(record, emit)
            await triage.finish()  # the last actions applied; a closed run drops what is queued

    def _unread(self, record: Callable[[Any], None], emit: Emit) -> None:
        for row in self.triage.unread_rows():  # found by SEARCH, never read: still one row each
            done = EmailDone("", row)
            record(done)
            self.emails.setdefault(row.email_id, Email(id=row.email_id, source_ref=self.triage.ref_of(row)))
            emit(done)

    def _learn(self, event: object, coordinator: Coordinator) -> None:
        """Streamed emails reach the plan as they are read; the detail screen looks them up here.
        (Plain dict writes on the run's loop; a UI thread only ever gets by id.)"""
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

    # ------------------------------------------------------------------ controls (on the run's loop)
    def close(self) -> None:
        self.closed = True
        if self.coordinator:
            self.coordinator.close()

    def action_desk(self) -> Any:
        return self.triage.desk if self.triage is not None else None

    def why_not_apply(self, email_ids: list[str], override: bool = False) -> str | None:
        return NO_ACTIONS_HERE if not self.imap else super().why_not_apply(email_ids, override)
