"""`MailboxWatcher`: a folder's new mail as waves of `Email`, for as long as it is watched.

One connection, the folder EXAMINEd (read-only) and bodies fetched with BODY.PEEK[], so watching
never marks anything \\Seen. The first wave is what `search` matches plus everything past the
last UID seen (kept by the caller, e.g. in the store); then the watcher holds IDLE (RFC 2177),
re-issued before 29 minutes as the RFC asks, or, on a server without IDLE (or `idle=False`),
sends NOOP every `poll_s`. After each wake it asks `UID SEARCH UID last+1:*`, so a missed push
costs nothing. A lost connection is reopened with exponential backoff and jitter, and the same
catch-up search finds what arrived meanwhile (the first connection, `connect()`, raises
instead: a wrong address or password is not worth retrying). A new UIDVALIDITY means every UID changed: the
whole folder comes again and the caller matches it by Message-ID and content (no coordinator
here: what a wave becomes is the run's business).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass

from tui.mail.imap_client import ImapSession, MailboxInfo
from tui.mail.imap_target import ImapError, ImapOptions, ImapTarget, email_id, source_ref
from tui.mail.parse import parse_bytes
from tui.model import Email

IDLE_RENEW_S = 28 * 60.0  # RFC 2177: servers may drop an IDLE after 30 minutes; re-issue before 29
log = logging.getLogger("tui.mail.watch")


@dataclass(frozen=True, slots=True)
class WatchState:
    """The watcher's connection, for the screen and the log: connected (idle or polling) or
    reconnecting after an error, with the delay before the next try."""

    state: str  # connecting | idle | polling | reconnecting | stopped
    detail: str = ""
    retry_in_s: float = 0.0
    kind: str = "IMAP"  # or Maildir: what is watched, for the line a person reads


@dataclass(frozen=True, slots=True)
class Mark:
    """Where the watch stands in the folder: its UIDVALIDITY and the highest UID handed out."""

    uidvalidity: int
    last_uid: int


class WatcherControls:
    """stop() and poke() for a watcher, and the wait both kinds of watcher make between looks."""

    def __init__(self) -> None:
        self._stopped = asyncio.Event()
        self._poked = asyncio.Event()  # poke(): the operator asked to look now

    def stop(self) -> None:
        self._stopped.set()

    def poke(self) -> None:
        """Look now: end the wait (an IDLE, a poll's or a reconnect's backoff) at once."""
        self._poked.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    async def _sleep(self, delay: float) -> None:
        """`delay` seconds, or less if stopped or poked."""
        stop = asyncio.ensure_future(self._wake())
        try:
            await asyncio.wait({stop}, timeout=delay)
        finally:
            stop.cancel()
        self._poked.clear()

    async def _wake(self) -> None:
        """Returns on stop() or poke()."""
        stopped, poked = asyncio.ensure_future(self._stopped.wait()), asyncio.ensure_future(self._poked.wait())
        try:
            await asyncio.wait({stopped, poked}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            poked.cancel()


class MailboxWatcher(WatcherControls):
    """`async for wave in watcher.waves(): ...`; `stop()` ends it after the wave in hand.

    `mark`: where an earlier watch stopped (None: first start). `skip(uidvalidity, uids)` returns
    the UIDs not worth fetching (already triaged), `retry(uidvalidity)` the UIDs an earlier start
    handed out without a verdict (taken again at the start even if read since), `on_state` hears
    every connection change, `on_mark` every new mark (to be stored)."""

    def __init__(self, target: ImapTarget, options: ImapOptions, *, search: str = "UNSEEN",
                 mark: Mark | None = None, poll_s: float = 30.0, idle: bool = True,
                 skip: Callable[[int, list[int]], Iterable[int]] = lambda v, uids: (),
                 retry: Callable[[int], Iterable[int]] = lambda v: (),
                 on_state: Callable[[WatchState], None] = lambda s: None,
                 on_mark: Callable[[Mark], None] = lambda m: None,
                 backoff_s: tuple[float, float] = (0.5, 30.0), idle_renew_s: float = IDLE_RENEW_S,
                 rng: random.Random | None = None) -> None:
        super().__init__()
        self.target = target
        self.options = options
        self.search = search
        self.mark = mark
        self.poll_s = poll_s
        self.idle = idle
        self.skip = skip
        self.retry = retry
        self.on_state = on_state
        self.on_mark = on_mark
        self.backoff_s = backoff_s
        self.idle_renew_s = idle_renew_s
        self.rng = rng or random.Random()
        self.mode = ""  # idle | polling, once connected
        self._searched = False  # the start's own search is done (once per watch, not per reconnect)
        self.arriving = False  # False while the start's first wave (the mail already waiting) is handed over
        self._first: tuple[ImapSession, MailboxInfo] | None = None  # connect()'s, used by the first wave

    @property
    def uidvalidity(self) -> int:
        """The folder's UIDVALIDITY as last read (0 before the first connection): the action desk
        applies nothing to a folder whose UIDs changed since."""
        return self.mark.uidvalidity if self.mark is not None else 0

    def _state(self, state: WatchState) -> None:
        if state.state == "reconnecting":
            log.warning("IMAP watch of %s: %s; reconnecting in %.1fs", self.target.mailbox_url(), state.detail,
                        state.retry_in_s)
        self.on_state(state)

    async def connect(self) -> None:
        """The first connection, before anything else: a wrong address, password or folder is an
        ImapError here (one line for the user), not a loss to retry forever."""
        self._first = await self._open()

    async def _open(self) -> tuple[ImapSession, MailboxInfo]:
        self._state(WatchState("connecting"))
        session = await ImapSession.open(self.target, self.options)
        try:
            info = await session.examine(self.target.folder)
        except BaseException:
            await session.close()
            raise
        return session, info

    async def waves(self) -> AsyncIterator[list[Email]]:
        failures = 0
        while not self.stopped:
            session: ImapSession | None = None
            try:
                if self._first is not None:
                    (session, info), self._first = self._first, None
                else:
                    session, info = await self._open()
                self.mode = "idle" if self.idle and session.has("IDLE") else "polling"
                self._state(WatchState(self.mode))
                failures = 0
                first = await self._catch_up(session, info.uidvalidity, info.uidnext)
                if first:
                    yield first
                self.arriving = True  # what was waiting at the start is in; from now on, mail arrives
                while not self.stopped:
                    await self._wait(session)
                    if self.stopped:
                        break
                    wave = await self._catch_up(session, info.uidvalidity, 0)
                    if wave:
                        yield wave
            except Exception as exc:  # noqa: BLE001 - a watch outlives any one connection's surprise
                failures += 1
                low, high = self.backoff_s
                delay = min(high, low * 2 ** (failures - 1)) * (0.5 + self.rng.random())
                reason = str(exc) if isinstance(exc, ImapError) else f"IMAP watch failed: {type(exc).__name__}"
                self._state(WatchState("reconnecting", reason, delay))
                await self._sleep(delay)
            finally:
                if session is not None:
                    await session.close()
        self._state(WatchState("stopped"))

    async def _catch_up(self, session: ImapSession, uidvalidity: int, uidnext: int) -> list[Email]:
        """The UIDs past the mark (all of them after a UIDVALIDITY change), plus, at the start, what
        `search` matches; minus what `skip` says is done. Fetched, parsed, the mark moved on."""
        mark = self.mark
        if mark is None or mark.uidvalidity != uidvalidity:
            if mark is not None:
                log.warning("UIDVALIDITY of %s changed (%d -> %d): matching its mail by Message-ID and content",
                            self.target.mailbox_url(), mark.uidvalidity, uidvalidity)
            # first start: from UIDNEXT on; a new UIDVALIDITY: every message (the caller matches them)
            last = max(0, uidnext - 1) if mark is None else 0
            mark = Mark(uidvalidity, last)
        uids = set(u for u in await session.uid_search(f"UID {mark.last_uid + 1}:*") if u > mark.last_uid)
        if not self._searched:
            uids.update(await session.uid_search(self.search))
            uids.update(self.retry(uidvalidity))  # gone since (moved, deleted): fetch_raw has nothing for it
            self._searched = True
        done = set(self.skip(uidvalidity, sorted(uids)))
        wanted = sorted(uids - done)
        raws = await session.fetch_raw(wanted) if wanted else {}
        emails = [parse_bytes(raws[uid], email_id=email_id(uidvalidity, uid),
                              source_ref=source_ref(self.target, uidvalidity, uid)) for uid in wanted if uid in raws]
        highest = max([mark.last_uid, *uids])
        if mark != self.mark or highest != mark.last_uid:
            self.mark = Mark(uidvalidity, highest)
            self.on_mark(self.mark)
        return emails

    async def _wait(self, session: ImapSession) -> None:
        """Until the server says something changed (IDLE), the poll interval passed (NOOP), stop() or poke()."""
        stop = asyncio.ensure_future(self._wake())
        try:
            if self.mode == "idle":
                await self._idle(session, stop)
            else:
                await asyncio.wait({stop}, timeout=self.poll_s)
                if not self.stopped:
                    await session.noop()
        finally:
            stop.cancel()
            self._poked.clear()

    async def _idle(self, session: ImapSession, stop: asyncio.Future[object]) -> None:
        client, protocol = session.client, session.protocol
        try:
            idle = await asyncio.wait_for(client.idle_start(timeout=self.idle_renew_s), self.options.timeout)
        except Exception as exc:  # noqa: BLE001 - aioimaplib's Abort, a timeout or a lost socket: one line
            raise session._lost_error("IDLE", exc) from None
        push = asyncio.ensure_future(client.wait_server_push(timeout=self.idle_renew_s + self.options.timeout))
        lost = asyncio.ensure_future(protocol.lost_event.wait())
        try:
            await asyncio.wait({push, lost, stop, idle}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (push, lost):
                task.cancel()
        if protocol.lost is not None:
            raise session._lost_error("IDLE")
        if client.has_pending_idle():
            client.idle_done()
        try:
            await asyncio.wait_for(idle, self.options.timeout)
        except Exception as exc:  # noqa: BLE001
            raise session._lost_error("IDLE DONE", exc) from None
        if protocol.lost is not None:
            raise session._lost_error("IDLE")

    async def aclose(self) -> None:
        """Close connect()'s connection if no wave ever took it over (a run closed at once)."""
        first, self._first = self._first, None
        if first is not None:
            await first[0].close()
