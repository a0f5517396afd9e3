"""`fanmail watch`: triage a folder's mail as it arrives, all day, each email exactly once.

One run per mailbox (tui/run/watch_ledger.py names it), continued by every start: the watcher
(`MailboxWatcher` for an IMAP folder, tui/mail/watch.py; `MaildirWatcher` for a Maildir,
tui/mail/maildir_watch.py: the only part that differs) hands over waves of new emails, each wave streams through
one coordinator (`run_stream`, a None between waves launches the wave's batches at once), so
the cap and the RPM/TPM budget hold across waves. An email already triaged (same id, or same
Message-ID and content under a new UIDVALIDITY) is never sent again. `close()` stops watching;
agents still working get `grace_s` to finish, then are cancelled (their failed rows are retried
by the next start, since only ok rows count as done).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from tui.fanout.events import EmailDone
from tui.fanout.recorder import Recorder, stored_settings
from tui.fanout.run import Coordinator
from tui.mail.action_desk import ActionDesk
from tui.mail.imap_target import ImapError, ImapOptions, email_id, is_imap, parse_imap_url
from tui.mail.maildir_watch import MaildirWatcher
from tui.mail.smtp import Forwarder, SmtpError
from tui.mail.sources import SourceError
from tui.mail.watch import MailboxWatcher, WatchState
from tui.model import Email
from tui.run.provider import open_run_provider
from tui.run import CoordinatedRun, Emit, RunOpened
from tui.run.watch_ledger import WatchLedger, watch_run_id
from tui.settings import ConfigError, Settings
from tui.store import Store, open_run_store


@dataclass(frozen=True, slots=True)
class WaveArrived:
    """New emails handed to the coordinator as one wave: the dashboard's arrival count and history.
    Sent before the wave's agents are queued."""

    wave: int  # 1, 2, ... within this start
    email_ids: tuple[str, ...]
    at: float  # wall clock (time.time()) when the wave was read
    catch_up: bool = False  # the start's first wave: what was waiting (--imap-search, UIDs past the mark)


class WatchRun(CoordinatedRun):
    """A watch of one IMAP folder or Maildir (the run protocol of tui/run/__init__.py).

    `poll_s`: seconds between polls (default 30 for an IMAP server without IDLE, 1 for a Maildir)."""

    def __init__(self, settings: Settings, source: str, *, poll_s: float | None = None, idle: bool = True,
                 grace_s: float = 10.0, apply: bool = False, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        if poll_s is not None and poll_s <= 0:
            raise ConfigError("--poll must be more than 0 seconds")
        self.apply = apply
        self.maildir: Path | None = None
        self.forwarder: Forwarder | None = None
        if is_imap(source):
            try:
                self.target = parse_imap_url(source)
            except ValueError as exc:
                raise ImapError(str(exc)) from None
            self.options = ImapOptions.from_settings(settings)  # no password: one line naming the variable
            try:  # a bad --smtp is a usage error before any connection
                self.forwarder = Forwarder.from_settings(settings, default_sender=_user_address(self.target.user))
            except SmtpError as exc:
                raise ConfigError(str(exc)) from None
            self.label = self.target.mailbox_url()  # what is watched, for a person (and the run's source)
        else:
            if apply:  # a Maildir is only read: filing it is the IMAP server's (or the mail client's) job
                raise ConfigError("watch --apply needs an IMAP folder: a Maildir is watched read-only "
                                  "(serve it over IMAP, e.g. with Dovecot, to have mail filed)")
            self.maildir = Path(source).expanduser().absolute()
            if not self.maildir.is_dir():
                raise SourceError(f"no such Maildir: {source}")
            self.label = str(self.maildir)
        self.desk: ActionDesk | None = None
        self.settings = settings
        self.source = source
        self.poll_s = poll_s if poll_s is not None else (1.0 if self.maildir else 30.0)
        self.idle = idle
        self.grace_s = grace_s
        self.clock = clock
        self.wall = wall
        self.run_id = watch_run_id(self.label if self.maildir is None else f"maildir:{self.label}")
        self.store: Store | None = None
        self.coordinator: Coordinator | None = None
        self.watcher: MailboxWatcher | MaildirWatcher | None = None
        self.ledger: WatchLedger | None = None
        self.emails: dict[str, Email] = {}
        self.skipped = 0  # arrivals matched to an email triaged before (a new UIDVALIDITY)
        self._grace: asyncio.TimerHandle | None = None
        self._emit: Emit = lambda event: None
        self.waves = 0

    def action_desk(self) -> ActionDesk | None:
        return self.desk

    async def run(self, emit: Emit) -> None:
        self._emit = emit
        async with contextlib.AsyncExitStack() as stack:
            provider = await stack.enter_async_context(open_run_provider(self.settings))
            await provider.check()
            store = self.store = await asyncio.to_thread(open_run_store, self.settings.store, needed=True)
            assert store is not None
            stack.push_async_callback(asyncio.to_thread, store.close)
            ledger = self.ledger = WatchLedger(store, self.run_id)
            watcher = self.watcher = self._watcher(store, ledger, emit)
            await watcher.connect()  # a wrong address or password: one line, before the run is registered
            stack.push_async_callback(watcher.aclose)
            segment = await asyncio.to_thread(self._register, store)
            recorder = Recorder(store, self.run_id, segment)
            stack.push_async_callback(recorder.aclose, provider)
            coordinator = self.coordinator = Coordinator(provider, self.settings, clock=self.clock,
                                                         seed=self.settings.seed, run_id=self.run_id)
            desk = None
            if isinstance(watcher, MailboxWatcher):
                # actions as in triage (tui/mail/action_desk.py): the same ledger, review mail never moved
                desk = self.desk = ActionDesk(self.settings, watcher, store=store, run_id=self.run_id,
                                              forwarder=self.forwarder, auto=self.apply, emit=emit)
                desk.start()
                stack.push_async_callback(desk.aclose)
            emit(RunOpened(self.run_id, segment, 0))
            if self.closed:
                return
            async for event in coordinator.run_stream(self._arrivals(store, ledger)):
                recorder.on_event(event)
                if isinstance(event, EmailDone):  # committed before it is printed: a SIGKILL between the
                    store.flush()                 # two must not give the email a second row next start
                emit(event)
                if isinstance(event, EmailDone) and (email := self.emails.get(event.row.email_id)) is not None:
                    if event.row.status in ("ok", "duplicate"):
                        ledger.remember(email)
                    if desk is not None:
                        desk.add(event.row, email)  # after the row: the plan follows the verdict
            if desk is not None:
                await desk.finish()  # what is queued is applied (each step recorded), then disconnected
            if self._grace is not None:
                self._grace.cancel()
            if coordinator.source_error:  # the watcher itself broke (not a lost connection: those reconnect)
                raise ImapError(f"watching {self.source} stopped: {coordinator.source_error}")

    def _watcher(self, store: Store, ledger: WatchLedger, emit: Emit) -> MailboxWatcher | MaildirWatcher:
        """The one piece that differs between an IMAP folder and a Maildir: where the waves come from."""
        if self.maildir is not None:
            first = store.get_run(self.run_id) is None
            return MaildirWatcher(
                self.maildir, known=None if first else ledger.files(), poll_s=self.poll_s,
                retry=set(store.email_ids(self.run_id)) - ledger.done,
                skip=lambda keys: [k for k in keys if k in ledger.done], on_state=emit, on_seen=ledger.save_files)
        return MailboxWatcher(
            self.target, self.options, search=self.options.search, mark=ledger.mark(), poll_s=self.poll_s,
            idle=self.idle, skip=lambda v, uids: [u for u in uids if email_id(v, u) in ledger.done],
            retry=lambda v: _uids(set(store.email_ids(self.run_id)) - ledger.done, v),
            on_state=emit, on_mark=ledger.save_mark)

    def _register(self, store: Store) -> int:
        if store.get_run(self.run_id) is None:
            store.create_run(self.run_id, source=self.label, settings=stored_settings(self.settings),
                             total=0, provider=self.settings.provider, model=self.settings.model)
            return 1
        return store.resume_run(self.run_id)

    async def _arrivals(self, store: Store, ledger: WatchLedger) -> AsyncIterator[Email | None]:
        """Each wave's emails not triaged before, registered in the run, then a None: launch them."""
        assert self.watcher is not None
        async for wave in self.watcher.waves():
            fresh = [e for e in wave if not ledger.known(e)]
            self.skipped += len(wave) - len(fresh)
            if not fresh:
                continue
            self.waves += 1
            self._emit(WaveArrived(self.waves, tuple(e.id for e in fresh), self.wall(),
                                   catch_up=not self.watcher.arriving))
            store.add_emails(self.run_id, ((e.id, e.message_id, e.subject, e.sender) for e in fresh))
            for email in fresh:
                self.emails[email.id] = email
                yield email
            yield None

    def check_now(self) -> None:
        """The operator's `w`: search the folder now (the watcher's IDLE or poll wait ends)."""
        if self.watcher is not None:
            self.watcher.poke()

    def close(self) -> None:
        """Stop watching; what is in flight gets `grace_s`, then is cancelled (failed rows, retried next start).
        Called again (or after a front end set `closed`), it changes nothing."""
        self.closed = True
        if self.watcher is not None:
            self.watcher.stop()
        if self.coordinator is not None and self._grace is None:
            self._grace = asyncio.get_running_loop().call_later(self.grace_s, self.coordinator.close)


def _uids(email_ids: set[str], uidvalidity: int) -> list[int]:
    """The UIDs of these `imap:<uidvalidity>:<uid>` ids under this UIDVALIDITY."""
    prefix = email_id(uidvalidity, 0)[:-1]
    return [int(e[len(prefix):]) for e in email_ids if e.startswith(prefix) and e[len(prefix):].isdigit()]


def _user_address(user: str) -> str | None:
    return user if "@" in user else None


__all__ = ["WaveArrived", "WatchRun", "WatchState"]
