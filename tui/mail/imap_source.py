"""`ImapSource`: read a folder as a stream of `Email`, over several connections at once.

Each connection takes a share of the UIDs found by one search and streams its FETCH, so the first
emails reach the fan-out while the rest still download. Folders are opened read-only (EXAMINE).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from tui.mail.imap_client import ImapSession
from tui.mail.imap_target import ImapError, ImapOptions, ImapTarget, email_id, parse_imap_url, source_ref
from tui.mail.parse import parse_bytes
from tui.model import Email


@dataclass(slots=True)
class FetchStats:
    opened_at: float = 0.0
    searched_at: float | None = None
    first_at: float | None = None  # first message's bytes complete
    fetched_at: float | None = None  # every message's bytes complete
    delivered: int = 0
    connections: int = 0


class ImapSource:
    """An async iterable of `Email` that reads a folder over several connections at once.

        source = ImapSource(target, options)
        expected = await source.open()        # connect, EXAMINE, UID SEARCH
        async for email in source: ...        # first emails while the rest still download
        await source.aclose()

    Ids are `imap:<uidvalidity>:<uid>`; source_ref is the message's IMAP URL. If the server goes
    away mid-read, iteration ends with ImapError after every message already received.
    """

    def __init__(self, target: ImapTarget, options: ImapOptions, *, clock: Callable[[], float] = time.monotonic,
                 eager: int = 200) -> None:
        self.target = target
        self.eager = eager
        self.options = options
        self.clock = clock
        self.uids: list[int] = []
        self.uidvalidity = 0
        self.stats = FetchStats()
        self.error: str | None = None
        self.received: set[int] = set()
        self._sessions: list[ImapSession] = []
        self._pending: asyncio.Task[list[ImapSession | BaseException]] | None = None
        self._queue: deque[tuple[int, bytes]] = deque()
        self._wakeup = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        self._running = 0
        self._iterated = False

    @property
    def expected(self) -> int:
        return len(self.uids)

    def email_ids(self) -> list[str]:
        return [email_id(self.uidvalidity, uid) for uid in self.uids]

    def unread_ids(self) -> list[str]:
        return [email_id(self.uidvalidity, uid) for uid in self.uids if uid not in self.received]

    def ref(self, uid: int) -> str:
        return source_ref(self.target, self.uidvalidity, uid)

    async def open(self) -> int:
        """Connect (all connections at once, to pay the round trips once), search; return the count."""
        self.stats.opened_at = self.clock()
        count = max(1, self.options.connections)
        first = asyncio.ensure_future(self._connect(primary=True))
        self._pending = asyncio.ensure_future(
            asyncio.gather(*(self._connect(primary=False) for _ in range(count - 1)), return_exceptions=True)
        )
        try:
            primary = await first
        except BaseException:
            await self._drop_pending()
            raise
        self._sessions.append(primary)
        info = primary.mailbox
        assert info is not None
        self.uidvalidity = info.uidvalidity
        try:
            self.uids = await primary.uid_search(self.options.search)
        except BaseException:
            await self.aclose()
            raise
        self.stats.searched_at = self.clock()
        return len(self.uids)

    async def _connect(self, *, primary: bool) -> ImapSession:
        session = await ImapSession.open(self.target, self.options)
        try:
            await session.examine(self.target.folder)
        except BaseException:
            await session.close()
            raise
        return session

    async def _drop_pending(self) -> None:
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        try:
            results = await pending
        except BaseException:
            return
        for result in results:
            if isinstance(result, ImapSession):
                await result.close()

    def __aiter__(self) -> AsyncIterator[Email]:
        if self._iterated:
            raise RuntimeError("an ImapSource can be read once")
        self._iterated = True
        return self._stream()

    def _plan_parts(self, workers: int) -> list[list[int]]:
        """One contiguous share of the UIDs per connection, all requested at once: each FETCH
        streams its messages as they complete, so the first email arrives one round trip after
        the search and the whole download takes one round trip plus the transfer."""
        uids = self.uids
        if not uids:
            return []
        n = max(1, min(workers, -(-len(uids) // 20)))
        size = -(-len(uids) // n)
        return [uids[i : i + size] for i in range(0, len(uids), size)]

    async def _stream(self) -> AsyncIterator[Email]:
        yielded = 0
        try:
            await self._start_workers()
            while True:
                while self._queue:
                    uid, raw = self._queue.popleft()
                    began = time.perf_counter()
                    email = parse_bytes(raw, email_id=email_id(self.uidvalidity, uid), source_ref=self.ref(uid))
                    spent = time.perf_counter() - began
                    yield email
                    yielded += 1
                    # Let the connections read while the consumer works (a deque get never yields).
                    # Past the first `eager` emails, while bytes still arrive, parsing ahead of the
                    # fan-out gets at most a quarter of the CPU: the download is not slowed by work
                    # the agents cannot use yet (~0.9 ms per email here, far above fetch cost).
                    throttle = yielded > self.eager and self._running > 0
                    await asyncio.sleep(3 * spent if throttle else 0)
                if self._running == 0:
                    break
                self._wakeup.clear()
                if not self._queue and self._running:
                    await self._wakeup.wait()
            if self.error:
                raise ImapError(self.error)
        finally:
            await self.aclose()

    async def _start_workers(self) -> None:
        sessions = list(self._sessions)
        if self._pending is not None:
            pending, self._pending = self._pending, None
            for result in await pending:
                if isinstance(result, ImapSession):
                    sessions.append(result)
                # a connection that failed to open is simply not used; the primary works
        self._sessions = sessions
        self.stats.connections = len(sessions)
        parts = deque(self._plan_parts(len(sessions)))
        # the primary takes the small head part; each connection then pulls the next part
        self._running = len(sessions)
        for session in sessions:
            self._workers.append(asyncio.ensure_future(self._worker(session, parts)))
        if not sessions:
            self._running = 0

    async def _worker(self, session: ImapSession, parts: deque[list[int]]) -> None:
        try:
            while parts and self.error is None:
                part = parts.popleft()
                await session.fetch_stream(part, self._deliver)
        except ImapError as exc:
            if self.error is None:
                self.error = str(exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an aioimaplib surprise ends the read with one line, not a traceback
            if self.error is None:
                self.error = f"IMAP read failed: {type(exc).__name__}: {exc}"
        finally:
            self._running -= 1
            if self._running == 0 and self.stats.fetched_at is None and self.error is None:
                self.stats.fetched_at = self.clock()
            self._wakeup.set()

    def _deliver(self, uid: int, raw: bytes) -> None:
        if uid in self.received:
            return
        self.received.add(uid)
        self.stats.delivered += 1
        if self.stats.first_at is None:
            self.stats.first_at = self.clock()
        self._queue.append((uid, raw))
        self._wakeup.set()

    async def aclose(self) -> None:
        for task in self._workers:
            if not task.done():
                task.cancel()
        for task in self._workers:
            with contextlib.suppress(BaseException):
                await task
        self._workers.clear()
        await self._drop_pending()
        sessions, self._sessions = self._sessions, []
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


async def open_imap_source(spec: str, settings: Any, environ: dict[str, str] | None = None) -> ImapSource:
    """Parse, connect and search: the source is ready to iterate, `expected` is its size."""
    try:
        target = parse_imap_url(spec)
    except ValueError as exc:
        raise ImapError(str(exc)) from None
    source = ImapSource(target, ImapOptions.from_settings(settings, environ))
    await source.open()
    return source
