"""Where the dashboard's events come from, and where its retry/cancel/pause keys go: transports only.

`LiveSession` runs a `TriageRun` (tui/run/) on a thread of this process, `ProcessSession`
(engine_process.py) in a child process; `ReplaySession` plays back a recorded event list on an
injected clock (snapshots, screenshots). The screen only sees the `Session` protocol, so every
path shares every line of state and drawing code.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Protocol

from tui.fanout.events import Event
from tui.fanout.trace import ReplayClock, replay_timed
from tui.model import Email, Preview, ResultRow
from tui.run import BaseRun, CoordinatedRun, Status
from tui.run.triage import NO_ACTIONS_HERE, TriageRun
from tui.settings import Settings


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


class Transport:
    """The keys of a run that lives on another loop: answered at once from its last `Status`
    ("would this do anything"), then sent as `(control, *args)` to be called there."""

    actions_enabled = False
    auto_apply = False

    status: Status  # each transport keeps or computes its own

    def _send(self, name: str, *args: object) -> None:  # pragma: no cover
        raise NotImplementedError

    @property
    def run_id(self) -> str | None:
        return self.status.run_id

    @property
    def preview(self) -> Preview | None:
        return self.status.preview

    def retry(self, agent_id: str) -> bool:
        if agent_id not in self.status.retryable:
            return False
        self._send("retry", agent_id)
        return True

    def retry_failed(self) -> list[str]:
        agents = list(self.status.retryable)
        if agents:
            self._send("retry_failed")
        return agents

    def cancel(self, agent_id: str) -> bool:
        if agent_id not in self.status.alive:
            return False
        self._send("cancel", agent_id)
        return True

    def pause(self) -> None:
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def budget_left(self) -> float | None:
        return self.status.budget_left

    def apply_actions(self, email_ids: list[str], *, override: bool = False) -> str | None:
        return NO_ACTIONS_HERE

    def replan(self, rows: list[ResultRow]) -> None:
        pass  # a file source has no mail actions


class ThreadSession(Transport):
    """A run (triage or watch: a `CoordinatedRun` of tui/run/) on its own thread, over a real
    provider (the built-in simulator by default).

    The engine (HTTP client, and the in-process simulator of the demo) gets its own event loop in
    a worker thread, so a burst of network callbacks never sits between a key press and the next
    frame. Events cross to the UI loop in small batches; the operator's keys cross the other way
    with call_soon_threadsafe. Reads of the run's state from the UI thread are plain attribute
    reads, used only to answer "would this do anything" for the key that was pressed.
    """

    FLUSH_S = 0.02

    def __init__(self, run: CoordinatedRun, *, label: str, actions_enabled: bool = False,
                 auto_apply: bool = False) -> None:
        self.run = run
        self.emails: dict[str, Email] = run.emails  # IMAP: filled as emails are read
        self.label = label
        self.actions_enabled = actions_enabled
        self.auto_apply = auto_apply
        self._engine_loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[Any] = []
        self._flush: Callable[[], None] = lambda: None
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> Status:
        return self.run.status()

    @property
    def preview(self) -> Preview | None:
        return self.run.preview

    def budget_left(self) -> float | None:
        coordinator = self.run.coordinator
        return coordinator.executor.budget_left() if coordinator else None

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
            await self.run.run(self._push)
        except Exception as exc:  # shown by the dashboard as one line; the thread must not die silently
            flush()
            post(exc)
        finally:
            flush()
            post(END)

    def _push(self, event: object) -> None:
        """Hand one event to the UI (engine thread): batched, sent FLUSH_S after the first of a batch."""
        if not self._pending:
            assert self._engine_loop is not None
            self._engine_loop.call_later(self.FLUSH_S, self._flush)
        self._pending.append(event)

    def _send(self, name: str, *args: object) -> None:
        loop = self._engine_loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(getattr(self.run, name), *args)
            except RuntimeError:  # the engine loop closed between the check and the call
                pass

    def apply_actions(self, email_ids: list[str], *, override: bool = False) -> str | None:
        """Ask the desk (on the engine loop) to apply; None when sent, else why not."""
        why = self.run.why_not_apply(email_ids, override)
        if why is None:
            self._send("apply_actions", list(email_ids), override)
        return why

    def replan(self, rows: list[ResultRow]) -> None:
        """A corrected verdict plans its actions again (the move follows the corrected route); done
        actions are kept, and with --apply the new plan is applied like any other verdict's."""
        if self.actions_enabled and not self.run.closed:
            self._send("replan", list(rows))

    def close(self) -> None:
        self.run.closed = True  # read by the run before it starts its agents (a plain flag)
        self._send("close")

    async def wait_closed(self, timeout: float = 10.0) -> None:
        """End the run and wait (bounded) for the engine thread's cleanup: the store's last rows, an
        action being applied. Textual cancels workers on exit without waiting for them, so the
        screen awaits this when it unmounts; a run must be fully recorded once the app is gone."""
        self.close()
        thread = self._thread
        if thread is not None and thread.is_alive():
            await asyncio.to_thread(thread.join, timeout)


class LiveSession(ThreadSession):
    """A `TriageRun` (tui/run/triage.py) on its own thread: file and sample sources, and IMAP with its action desk."""

    def __init__(self, settings: Settings, source: str, emails: list[Email] | None, *, label: str,
                 clock: Callable[[], float] = time.monotonic, resume: str | None = None, apply: bool = False,
                 actions_path: str | None = None, trace_path: str | None = None):
        run = TriageRun(settings, source, emails, resume=resume, trace_path=trace_path, apply=apply,
                        actions_path=actions_path, keep_open=True, clock=clock)
        super().__init__(run, label=label, actions_enabled=run.imap, auto_apply=apply)


END = object()  # posted once after the last batch of a run


ManualClock = ReplayClock  # a clock that only moves when told: frozen time for snapshots


class ReplaySession(BaseRun):
    """Plays `(time, event)` pairs, setting the clock before each, then stays open like a live run
    unless `keep_open` is False. speed None: as fast as possible (snapshots, screenshots); a number:
    the recorded spacing divided by it (`fanmail replay`), 0 meaning no waiting but yielding.

    Controls are accepted and ignored (BaseRun's, which do nothing): a recording cannot change its future.
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
