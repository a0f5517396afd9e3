"""The run layer: every kind of run, beneath every front end. No Textual here.

The protocol (every kind implements it: triage of files, the sample or IMAP in tui/run/triage.py;
campaign, provisioning and extraction in tui/run/campaign.py, provision.py and extract.py):

    run = TriageRun(settings, source, ...)      # checks what needs no I/O; raises ConfigError
    await run.run(emit)                         # opens what it needs (provider, store, mailbox),
                                                # calls emit(event) for every event, in order, on
                                                # this loop; closes it all, errors or not
    run.retry(agent_id) -> bool                 # controls, called on the same loop while it runs;
    run.retry_failed() -> list[str]             # a kind they mean nothing to answers False / []
    run.cancel(agent_id) -> bool
    run.pause(); run.resume()
    run.close()                                 # end it: run() returns once it is recorded

One event union (`RunEvent`), one delivery path (the `emit` sink). A run's own failure is
raised by run(); `drive` turns it into a `RunFailed` event and a log line for front ends that
must not stop (the screens). Front ends: tui/headless.py prints JSONL and progress;
tui/app/triage/session.py runs it in a thread of the UI process, tui/app/triage/engine_process.py in a child
process, both relaying events and controls only.

Waves: a run is not one-shot. A triage run streams (IMAP today: `Coordinator.run_stream` over a
source that yields emails as they are read), so agents start as batches form. A watch
(tui/run/watch.py, `fanmail watch`) is one such stream that never ends by itself: the IMAP IDLE
watcher (tui/mail/watch.py) yields each wave's emails and then a None, which launches the wave's
batches at once; one coordinator, so the cap and the RPM/TPM budget hold across waves, one run
per mailbox continued by every start, RunDone only when the watch is closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from tui.fanout.cap import failure_line
from tui.model import Email, Preview, ResultRow

Emit = Callable[[Any], None]  # called with each RunEvent, on the run's loop; must not block


@dataclass(frozen=True, slots=True)
class RunOpened:
    """A triage run is registered and planned; sent before its first agent starts."""

    run_id: str
    segment: int  # 1, or the segment a resume continues in
    total: int  # emails this run accounts for (the plan's, or the IMAP search's, plus prior rows)
    prior: int = 0  # rows of earlier segments, re-emitted first
    missing: int = 0  # emails of the run the source no longer has
    preview: Preview | None = None  # tokens, cost and time before anything is sent (file sources)


@dataclass(frozen=True, slots=True)
class RunFailed:
    """The run itself stopped on an error (not one agent: those are in their own events)."""

    error: str  # one line, safe to show


class Run(Protocol):
    """What every kind of run offers its front ends (see the module docstring)."""

    async def run(self, emit: Emit) -> None: ...
    def retry(self, agent_id: str) -> bool: ...
    def retry_failed(self) -> list[str]: ...
    def cancel(self, agent_id: str) -> bool: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def close(self) -> None: ...


class BaseRun:
    """The controls a kind without agents to retry or pause inherits: they do nothing, and say so."""

    closed = False

    async def run(self, emit: Emit) -> None:  # pragma: no cover - every kind has its own
        raise NotImplementedError

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

    def close(self) -> None:
        self.closed = True


class CoordinatedRun(BaseRun):
    """A kind whose agents run under a coordinator (triage, watch): the retry, cancel and pause
    keys are its, and the a/A keys go to its action desk (IMAP) if it has one."""

    coordinator: Coordinator | None = None
    run_id: str | None = None
    preview: Preview | None = None
    store: Any = None  # tui.store.Store once open: actions are recorded there
    emails: dict[str, Email]  # every email of the run by id, as it is read (each kind sets its own)

    def retry(self, agent_id: str) -> bool:
        return self.coordinator.retry(agent_id) if self.coordinator else False

    def retry_failed(self) -> list[str]:
        return self.coordinator.retry_failed() if self.coordinator else []

    def cancel(self, agent_id: str) -> bool:
        return self.coordinator.cancel(agent_id) if self.coordinator else False

    def pause(self) -> None:
        if self.coordinator:
            self.coordinator.pause()

    def resume(self) -> None:
        if self.coordinator:
            self.coordinator.resume()

    def status(self) -> Status:
        coordinator = self.coordinator
        if coordinator is None:
            return Status(run_id=self.run_id, preview=self.preview)
        alive = frozenset(a.agent_id for a in coordinator.agents.values() if a.task is not None and not a.task.done())
        return Status(self.run_id, self.preview, coordinator.executor.budget_left(),
                      tuple(coordinator.retryable()), alive)

    # ------------------------------------------------------------------ mail actions (IMAP)
    def action_desk(self) -> ActionDesk | None:
        """The desk that plans and applies this run's mail actions (None: no mailbox to act on)."""
        return None

    def apply_actions(self, email_ids: list[str], override: bool = False) -> None:
        """The operator confirmed a/A: the desk applies these emails' planned (or override) actions."""
        desk = self.action_desk()
        if desk is not None and not self.closed:
            desk.request(list(email_ids), override=override)

    def replan(self, rows: list[ResultRow]) -> None:
        """Corrected verdicts plan their actions again (the move follows the corrected route)."""
        desk = self.action_desk()
        if desk is None or self.closed:
            return
        for row in rows:
            if (email := self.emails.get(row.email_id)) is not None:
                desk.add(row, email)

    def why_not_apply(self, email_ids: list[str], override: bool = False) -> str | None:
        """Why a/A would do nothing now (asked from the UI's side before sending), or None."""
        if self.action_desk() is None or self.closed:
            return "the mailbox is not open (yet)"
        if self.store is None:
            return "actions need the store to record them, so none is ever applied twice: pass --store PATH"
        if override and len(email_ids) != 1:
            return "a review email is overridden one at a time"
        if not email_ids:
            return "nothing to apply"
        return None


@dataclass(slots=True)
class Status:
    """What a front end needs to answer a key at once, without asking the run's loop."""

    run_id: str | None = None
    preview: Preview | None = None
    budget_left: float | None = None
    retryable: tuple[str, ...] = ()
    alive: frozenset[str] = field(default_factory=frozenset)


if TYPE_CHECKING:
    from typing import TypeAlias

    from tui.extract.events import ExtractEvent
    from tui.fanout.events import Event
    from tui.fanout.run import Coordinator
    from tui.mail.action_desk import ActionDesk, DeskEvent
    from tui.outbound.campaign import CampaignEvent
    from tui.run.campaign import CampaignDone
    from tui.run.provision import ProvisionDone, UserDone

    RunEvent: TypeAlias = (Event | DeskEvent | CampaignEvent | CampaignDone | UserDone | ProvisionDone
                           | ExtractEvent | RunOpened | RunFailed)


log = logging.getLogger("tui.run")


async def drive(run: Run, emit: Emit, *, expected: tuple[type[BaseException], ...] = ()) -> str | None:
    """Run to the end for a front end that must keep going: a failure of the run is logged (with
    its traceback) and emitted as one `RunFailed` line. Returns that line, or None."""
    try:
        await run.run(emit)
    except Exception as exc:  # noqa: BLE001 - the one worker-error path: the screen and the log
        line = failure_line(exc, expected)
        log.error("run stopped: %s", line, exc_info=not isinstance(exc, expected))
        emit(RunFailed(line))
        return line
    return None
