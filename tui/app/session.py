"""Where the dashboard's events come from, and where its retry/cancel/pause keys go.

`LiveSession` runs the real coordinator against a provider; `ReplaySession` plays back a
recorded event list on an injected clock (snapshots, screenshots). The screen only sees the
`Session` protocol, so both paths share every line of state and drawing code.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Protocol

from tui.agents.runtime import open_provider
from tui.fanout.events import Event
from tui.fanout.recorder import Recorder, prepare_run, with_prior
from tui.fanout.run import Coordinator
from tui.model import Email
from tui.settings import Settings
from tui.store import Store, StoreError, store_path


class Session(Protocol):
    """A run the dashboard can watch and steer."""

    emails: dict[str, Email]
    label: str

    def events(self) -> AsyncIterator[Event]: ...
    def retry(self, agent_id: str) -> bool: ...
    def retry_failed(self) -> list[str]: ...
    def cancel(self, agent_id: str) -> bool: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def budget_left(self) -> float | None: ...
    def close(self) -> None: ...


class LiveSession:
    """The coordinator over a real provider (the built-in simulator by default), on its own thread.

    The engine (HTTP client, and the in-process simulator of the demo) gets its own event loop in
    a worker thread, so a burst of network callbacks never sits between a key press and the next
    frame. Events cross to the UI loop in small batches; the operator's keys cross the other way
    with call_soon_threadsafe. Reads of coordinator state from the UI thread are plain attribute
    reads, used only to answer "would this do anything" for the key that was pressed.
    """

    FLUSH_S = 0.02

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
        self._closed = False
        self._engine_loop: asyncio.AbstractEventLoop | None = None

    async def events(self) -> AsyncIterator[Event]:
        """Run the engine thread and yield its events on the caller's loop until it ends."""
        ui_loop = asyncio.get_running_loop()
        inbox: asyncio.Queue[object] = asyncio.Queue()
        thread = threading.Thread(
            target=lambda: asyncio.run(self._engine(ui_loop, inbox)), name="fanmail-engine", daemon=True
        )
        thread.start()
        try:
            while True:
                batch = await inbox.get()
                if batch is _END:
                    return
                if isinstance(batch, BaseException):
                    raise batch
                for event in batch:  # type: ignore[union-attr]
                    yield event
        finally:
            self.close()
            await asyncio.to_thread(thread.join, 10)

    async def _engine(self, ui_loop: asyncio.AbstractEventLoop, inbox: asyncio.Queue[object]) -> None:
        self._engine_loop = asyncio.get_running_loop()
        pending: list[Event] = []

        def post(item: object) -> None:
            try:
                ui_loop.call_soon_threadsafe(inbox.put_nowait, item)
            except RuntimeError:  # the app has already shut its loop: nobody is listening
                pass

        def flush() -> None:
            if pending:
                post(pending.copy())
                pending.clear()

        store: Store | None = None
        recorder: Recorder | None = None
        provider = None
        try:
            async with open_provider(self.settings) as provider:
                await provider.check()
                # Recorded like a headless run, so `fanmail runs`, `report` and `--resume` see it.
                store = await asyncio.to_thread(_open_store, self.settings, self.resume_id is not None)
                prepared = await asyncio.to_thread(
                    prepare_run, store, self.settings, self.source, self.email_list, resume=self.resume_id
                )
                self.run_id = prepared.run_id
                recorder = Recorder(store, prepared.run_id, prepared.segment, prior=prepared.prior)
                self.coordinator = Coordinator(
                    provider, self.settings, keep_open=True, clock=self.clock, seed=self.settings.seed,
                    run_id=prepared.run_id,
                )
                if self._closed:
                    return
                async for event in with_prior(self.coordinator.run(prepared.plan), prepared.prior):
                    recorder.on_event(event)
                    if not pending:
                        self._engine_loop.call_later(self.FLUSH_S, flush)
                    pending.append(event)
        except Exception as exc:  # shown by the dashboard as one line; the thread must not die silently
            flush()
            post(exc)
        finally:
            if recorder is not None:
                await recorder.aclose(provider)
            if store is not None:
                await asyncio.to_thread(store.close)
            flush()
            post(_END)

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
        return self.coordinator.pacer.budget_left() if self.coordinator else None

    def close(self) -> None:
        self._closed = True
        if self.coordinator:
            self._on_engine(self.coordinator.close)


_END = object()


def _open_store(settings: Settings, needed: bool) -> Store | None:
    """The default store failing (read-only home) only costs durability; an explicit one is an error."""
    try:
        return Store(store_path(settings.store))
    except StoreError:
        if settings.store or needed:
            raise
        return None


class ManualClock:
    """A clock that only moves when told: frozen time for snapshots and replays."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ReplaySession:
    """Plays `(time, event)` pairs, setting the clock before each; then stays open like a live run.

    Controls are accepted and ignored: a recording cannot change its future.
    """

    def __init__(self, timed: Sequence[tuple[float, Event]], emails: dict[str, Email], clock: ManualClock,
                 *, label: str = "replay") -> None:
        self.timed = list(timed)
        self.emails = emails
        self.clock = clock
        self.label = label
        self.drained = asyncio.Event()
        self._closed = asyncio.Event()

    async def events(self) -> AsyncIterator[Event]:
        for at, event in self.timed:
            self.clock.now = at
            yield event
        self.drained.set()
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

    def close(self) -> None:
        self._closed.set()
