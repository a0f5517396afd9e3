"""Where the dashboard's events come from, and where its retry/cancel/pause keys go.

`LiveSession` runs the real coordinator against a provider; `ReplaySession` plays back a
recorded event list on an injected clock (snapshots, screenshots). The screen only sees the
`Session` protocol, so both paths share every line of state and drawing code.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Protocol

from tui.agents.runtime import open_provider
from tui.fanout.events import Event
from tui.fanout.preview import estimate
from tui.fanout.recorder import Recorder, prepare_run, with_prior
from tui.fanout.trace import ReplayClock, replay_timed
from tui.fanout.run import Coordinator
from tui.model import Email, Preview, ResultRow
from tui.settings import Settings
from tui.store import Store, open_run_store


# What the a/A keys say on a file source: there is no mailbox to act on.
NO_ACTIONS_HERE = "actions (move, flag, forward) are for IMAP sources: fanmail triage imap://USER@HOST:PORT/FOLDER"


class Session(Protocol):
    """A run the dashboard can watch and steer."""

    emails: dict[str, Email]
    label: str
    preview: Preview | None  # tokens, cost and time estimated before the run (file sources)
    actions_enabled: bool  # the run plans mail actions (IMAP): the a/A keys apply them
    auto_apply: bool  # --apply: actions are applied as verdicts land

    def events(self) -> AsyncIterator[Event]: ...
    def retry(self, agent_id: str) -> bool: ...
    def retry_failed(self) -> list[str]: ...
    def cancel(self, agent_id: str) -> bool: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def budget_left(self) -> float | None: ...
    def apply_actions(self, email_ids: list[str], *, override: bool = False) -> str | None: ...
    def replan(self, rows: list[ResultRow]) -> None: ...  # corrected verdicts: plan their mail actions again
    def close(self) -> None: ...
    async def wait_closed(self) -> None: ...


class LiveSession:
    """The coordinator over a real provider (the built-in simulator by default), on its own thread.

    The engine (HTTP client, and the in-process simulator of the demo) gets its own event loop in
    a worker thread, so a burst of network callbacks never sits between a key press and the next
    frame. Events cross to the UI loop in small batches; the operator's keys cross the other way
    with call_soon_threadsafe. Reads of coordinator state from the UI thread are plain attribute
    reads, used only to answer "would this do anything" for the key that was pressed.
    """

    FLUSH_S = 0.02
    actions_enabled = False
    auto_apply = False

    def __init__(self, settings: Settings, source: str, emails: list[Email], *, label: str,
                 clock: Callable[[], float] = time.monotonic, resume: str | None = None):
        self.settings = settings
        self.source = source
        self.email_list = emails
        self.emails = {e.id: e for e in emails}
        self.label = label
        self.clock = clock
        self.resume_id = resume
        self.run_id: str | None = None
        self.coordinator: Coordinator | None = None
        self.preview: Preview | None = None
        self._closed = False
        self._engine_loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[Any] = []
        self._flush: Callable[[], None] = lambda: None
        self._thread: threading.Thread | None = None

    async def events(self) -> AsyncIterator[Event]:
        """Run the engine thread and yield its events on the caller's loop until it ends."""
        ui_loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[object] = asyncio.Queue()
        def post(item: object) -> None:
            try:
                ui_loop.call_soon_threadsafe(inbox.put_nowait, item)
            except RuntimeError:  # the app has already shut its loop: nobody is listening
                pass

        thread = self._thread = threading.Thread(
            target=lambda: asyncio.run(self.engine(post)), name="fanmail-engine", daemon=True
        )
        thread.start()
        try:
            while True:
                batch = await inbox.get()
                if batch is END:
                    return
                if isinstance(batch, BaseException):
                    raise batch
                for event in batch:  # type: ignore[union-attr]
                    yield event
        finally:
            self.close()
            await asyncio.to_thread(thread.join, 10)

    async def engine(self, post: Callable[[object], None]) -> None:
        """The run on the current loop. `post` gets lists of events, then an exception if the run
        failed, then `END`; it is called on this loop and must not block."""
        self._engine_loop = asyncio.get_running_loop()
        pending = self._pending

        def flush() -> None:
            if pending:
                post(pending.copy())
                pending.clear()

        self._flush = flush
        try:
            async with contextlib.AsyncExitStack() as stack:  # closed last-in first-out, errors or not
                provider = await stack.enter_async_context(open_provider(self.settings))
                await provider.check()
                # Recorded like a headless run, so `fanmail runs`, `report` and `--resume` see it.
                store = await asyncio.to_thread(open_run_store, self.settings.store, needed=self._store_needed())
                if store is not None:
                    stack.push_async_callback(asyncio.to_thread, store.close)
                await self._run(provider, store, stack)
        except Exception as exc:  # shown by the dashboard as one line; the thread must not die silently
            flush()
            post(exc)
        finally:
            flush()
            post(END)

    def _store_needed(self) -> bool:
        return self.resume_id is not None

    def _push(self, event: object) -> None:
        """Hand one event to the UI (engine thread): batched, sent FLUSH_S after the first of a batch."""
        if not self._pending:
            assert self._engine_loop is not None
            self._engine_loop.call_later(self.FLUSH_S, self._flush)
        self._pending.append(event)

    async def _run(self, provider: Any, store: Store | None, stack: contextlib.AsyncExitStack) -> None:
        """The run itself, on the engine loop; cleanups go on `stack` (the store and provider are on it)."""
        prepared = await asyncio.to_thread(
            prepare_run, store, self.settings, self.source, self.email_list, resume=self.resume_id
        )
        self.run_id = prepared.run_id
        recorder = Recorder(store, prepared.run_id, prepared.segment, prior=prepared.prior)
        stack.push_async_callback(recorder.aclose, provider)
        # what the header shows before the first answer: the same estimate as a headless run's
        self.preview = await asyncio.to_thread(estimate, prepared.plan, self.settings,
                                               latency_s=provider.expected_latency_s, provider=provider)
        self.coordinator = Coordinator(
            provider, self.settings, keep_open=True, clock=self.clock, seed=self.settings.seed,
            run_id=prepared.run_id,
        )
        if self._closed:
            return
        async for event in with_prior(self.coordinator.run(prepared.plan), prepared.prior):
            recorder.on_event(event)
            self._push(event)

    def _on_engine(self, fn: Callable[..., object], *args: object) -> None:
        loop = self._engine_loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(fn, *args)
            except RuntimeError:  # the engine loop closed between the check and the call
                pass

    def retry(self, agent_id: str) -> bool:
        coordinator = self.coordinator
        if coordinator is None or agent_id not in coordinator.retryable():
            return False
        self._on_engine(coordinator.retry, agent_id)
        return True

    def retry_failed(self) -> list[str]:
        coordinator = self.coordinator
        if coordinator is None:
            return []
        agents = coordinator.retryable()
        if agents:
            self._on_engine(coordinator.retry_failed)
        return agents

    def cancel(self, agent_id: str) -> bool:
        coordinator = self.coordinator
        agent = coordinator.agents.get(agent_id) if coordinator else None
        if coordinator is None or agent is None or agent.task is None or agent.task.done():
            return False
        self._on_engine(coordinator.cancel, agent_id)
        return True

    def pause(self) -> None:
        if self.coordinator:
            self._on_engine(self.coordinator.pause)

    def resume(self) -> None:
        if self.coordinator:
            self._on_engine(self.coordinator.resume)

    def budget_left(self) -> float | None:
        return self.coordinator.executor.budget_left() if self.coordinator else None

    def apply_actions(self, email_ids: list[str], *, override: bool = False) -> str | None:
        return NO_ACTIONS_HERE

    def replan(self, rows: list[ResultRow]) -> None:
        pass  # a file source has no mail actions

    def close(self) -> None:
        self._closed = True
        if self.coordinator:
            self._on_engine(self.coordinator.close)

    async def wait_closed(self, timeout: float = 10.0) -> None:
        """End the run and wait (bounded) for the engine thread's cleanup: the store's last rows, an
        action being applied. Textual cancels workers on exit without waiting for them, so the
        screen awaits this when it unmounts; a run must be fully recorded once the app is gone."""
        self.close()
        thread = self._thread
        if thread is not None and thread.is_alive():
            await asyncio.to_thread(thread.join, timeout)


END = object()  # posted once after the last batch of a run


ManualClock = ReplayClock  # a clock that only moves when told: frozen time for snapshots


class ReplaySession:
    """Plays `(time, event)` pairs, setting the clock before each, then stays open like a live run
    unless `keep_open` is False. speed None: as fast as possible (snapshots, screenshots); a number:
    the recorded spacing divided by it (`fanmail replay`), 0 meaning no waiting but yielding.

    Controls are accepted and ignored: a recording cannot change its future.
    """

    def __init__(self, timed: Sequence[tuple[float, Event]], emails: dict[str, Email],
                 clock: ReplayClock | None = None, *, speed: float | None = None, label: str = "replay",
                 keep_open: bool = True) -> None:
        self.timed = list(timed)
        self.emails = emails
        self.clock = clock if clock is not None else ReplayClock()
        self.speed = speed
        self.label = label
        self.keep_open = keep_open
        self.preview: Preview | None = None  # no estimate for a run that already happened
        self.actions_enabled = False  # nor mail actions: a replay cannot change a mailbox
        self.auto_apply = False
        self.drained = asyncio.Event()  # set once the last recorded event was yielded
        self._closed = asyncio.Event()

    async def events(self) -> AsyncIterator[Event]:
        if self.speed is None:
            for at, event in self.timed:
                self.clock.now = at
                yield event
        else:
            async for event in replay_timed(self.timed, self.speed, self.clock):
                if self._closed.is_set():
                    return
                yield event
        self.drained.set()
        if self.keep_open:
            await self._closed.wait()

    def retry(self, agent_id: str) -> bool:
        return False

    def retry_failed(self) -> list[str]:
        return []

    def cancel(self, agent_id: str) -> bool:
        return False

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass

    def budget_left(self) -> float | None:
        return None

    def apply_actions(self, email_ids: list[str], *, override: bool = False) -> str | None:
        return "a replay cannot change a mailbox"

    def replan(self, rows: list[ResultRow]) -> None:
        pass

    def close(self) -> None:
        self._closed.set()

    async def wait_closed(self) -> None:
        self.close()
