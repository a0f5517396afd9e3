"""A recorded run for snapshots and screenshots: the real coordinator, a scripted provider, virtual time.

The provider does no I/O (rules verdicts, failures by email id) and advances a manual clock by
a seeded number of ticks per call, yielding between ticks, so agents interleave exactly the same
way on every machine. The recording is `(virtual time, event)` pairs: replaying any prefix of it
through the dashboard gives a byte-identical screen.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from tui.agents.base import ProviderError
from tui.agents.rules import classify
from tui.app.triage.session import ManualClock, ReplaySession
from tui.fanout.events import AgentFinished, EmailDone, Event, RunDone
from tui.fanout.plan import make_plan
from tui.fanout.recorder import stored_settings
from tui.fanout.run import Coordinator
from tui.mail.sample import sample_emails
from tui.model import Email, ResultRow, Verdict
from tui.settings import Settings, provider_label

TICK_S = 0.04  # virtual seconds per provider step; ~12 agents in flight -> ~0.5 s per step round
RETRY_PAUSE_S = 3.0  # how long the recorded operator takes to press R after the run ends


class ScriptedProvider:
    """Deterministic stand-in for a model: same verdicts, failures and timing on every run."""

    name = "sim"
    model = "fanmail-sim-1"
    expected_latency_s = 1.5

    def __init__(self, clock: ManualClock, *, seed: int, fail: dict[str, str]) -> None:
        self.clock = clock
        self.seed = seed
        self.fail = fail  # email id -> "fail" | "timeout", until `recovered`
        self.recovered = False
        self._calls: dict[str, int] = {}

    async def check(self) -> None:
        return None

    async def classify(self, email: Email) -> Verdict:
        n = self._calls[email.id] = self._calls.get(email.id, 0) + 1
        steps = random.Random(f"{self.seed}:{email.id}:{n}").randint(2, 6)
        for _ in range(steps):
            self.clock.now += TICK_S
            await asyncio.sleep(0)
        kind = None if self.recovered else self.fail.get(email.id)
        if kind == "timeout":
            raise TimeoutError
        if kind == "fail":
            raise ProviderError("model server answered 500: internal error (simulated)")
        return classify(email)

    async def aclose(self) -> None:
        return None


def replay_settings(**overrides: object) -> Settings:
    """20 agents of 10 under a cap of 12: a second wave queues, so 'queued' shows mid-run."""
    base: dict[str, object] = dict(provider="sim", concurrency=12, batch_size=10, retries=0, timeout=30.0, seed=7)
    base.update(overrides)
    return Settings(**base)


async def record_run(
    emails: list[Email], settings: Settings, *, fail: dict[str, str], operator_retry: bool = True
) -> list[tuple[float, Event]]:
    """Run the real coordinator to the end; if `operator_retry`, press R once after the first RunDone."""
    clock = ManualClock(0.0)
    provider = ScriptedProvider(clock, seed=settings.seed, fail=fail)
    plan = make_plan(emails, settings)
    coordinator = Coordinator(provider, settings, keep_open=True, clock=clock, seed=settings.seed, run_id="replay0001")
    timed: list[tuple[float, Event]] = []
    rounds = 0
    async for event in coordinator.run(plan):
        timed.append((round(clock.now, 6), event))
        if isinstance(event, RunDone):
            rounds += 1
            if rounds == 1 and operator_retry and coordinator.retryable():
                clock.now += RETRY_PAUSE_S
                provider.recovered = True
                coordinator.retry_failed()
            else:
                coordinator.close()
    return timed


def failing_emails(emails: list[Email], batch_size: int, agent_index: int = 2, position: int = 1) -> dict[str, str]:
    """Fail one email of agent a03 (by default) so the recording has a failed agent."""
    email = emails[agent_index * batch_size + position]
    return {email.id: "fail"}


def until_agent_finished(timed: list[tuple[float, Event]], agent_id: str, extra: int = 0) -> list[tuple[float, Event]]:
    """The prefix ending `extra` events after `agent_id` first finished: a stable mid-run point."""
    for i, (_, event) in enumerate(timed):
        if isinstance(event, AgentFinished) and event.agent_id == agent_id:
            return timed[: i + 1 + extra]
    return timed


def until_first_done(timed: list[tuple[float, Event]]) -> list[tuple[float, Event]]:
    for i, (_, event) in enumerate(timed):
        if isinstance(event, RunDone):
            return timed[: i + 1]
    return timed


@dataclass(slots=True)
class Recording:
    """One recorded demo run (with an operator retry at the end) and the inbox it ran on."""

    timed: list[tuple[float, Event]]
    emails: list[Email]
    settings: Settings
    failed_agent: str = "a03"

    def cut(self, stop: str) -> list[tuple[float, Event]]:
        """"mid": just after the failed agent ended; "done": the first RunDone; "retried": all."""
        if stop == "mid":
            return until_agent_finished(self.timed, self.failed_agent, extra=40)
        if stop == "done":
            return until_first_done(self.timed)
        if stop == "retried":
            return list(self.timed)
        raise ValueError(f"unknown stop {stop!r}")

    def session(self, stop: str = "mid") -> tuple[ReplaySession, ManualClock]:
        """A fresh replay (new clock, new asyncio primitives) of the chosen prefix."""
        clock = ManualClock(0.0)
        label = f"sample:{len(self.emails)} · {provider_label(self.settings.provider, self.settings.model)} · replay"
        return ReplaySession(self.cut(stop), {e.id: e for e in self.emails}, clock, label=label), clock


async def arecord_demo(count: int = 200, settings: Settings | None = None) -> Recording:
    settings = settings or replay_settings()
    emails = sample_emails(count, seed=settings.seed)
    timed = await record_run(emails, settings, fail=failing_emails(emails, settings.batch_size))
    return Recording(timed, emails, settings)


def record_demo(count: int = 200, settings: Settings | None = None) -> Recording:
    """Sync wrapper for snapshot tests and scripts (they run the app in their own loop)."""
    return asyncio.run(arecord_demo(count, settings))


def replay_app(
    recording: Recording, stop: str = "mid", *, theme: str | None = None, select: str | None = "a03",
    toasts: bool = True,
):
    """The dashboard on a replay, and the `run_before` that waits until it has drawn all of it.

    Shared by the snapshot tests and `screenshots/make_screenshots.py`, so both show the same screens.
    """
    from tui.app.triage.app import make_app  # the app imports nothing from here; keep the module light

    session, clock = recording.session(stop)
    settings = recording.settings.model_copy(update={"theme": theme}) if theme else recording.settings
    app = make_app(settings, session=session, clock=clock, note_timeout=3600)

    async def settle(pilot) -> None:  # noqa: ANN001 - textual.pilot.Pilot
        await session.drained.wait()
        if not toasts:
            app.dashboard.state.take_notes()
        app.dashboard.flush()
        if select:
            app.dashboard.grid.select(select)
        await pilot.pause()
        if not toasts:  # any raised by a timer tick during the replay
            app.clear_notifications()
            await pilot.pause()

    return app, settle


def store_recording(recording: Recording, store, run_id: str = "review0001") -> str:  # noqa: ANN001 - tui.store.Store
    """Write the recorded run's final rows into `store` as a finished run, for `fanmail review`
    snapshots and screenshots (the same rows as the replay's "retried" end)."""
    rows: dict[str, ResultRow] = {}
    report = None
    for _, event in recording.timed:
        if isinstance(event, EmailDone):
            rows[event.row.email_id] = event.row
        elif isinstance(event, RunDone):
            report = event.report
    settings = recording.settings
    store.create_run(run_id, source=f"sample:{len(recording.emails)}", settings=stored_settings(settings),
                     total=len(recording.emails), provider=settings.provider, model=settings.model)
    store.add_emails(run_id, [(e.id, e.message_id, e.subject, e.sender) for e in recording.emails])
    for row in rows.values():
        store.put_verdict(run_id, row)
    store.finish_segment(run_id, 1, status="done",
                         report=report.model_copy(update={"run_id": run_id}).model_dump(mode="json") if report else None)
    return run_id


def review_app(recording: Recording, store_file: str, *, user: str = "operator", toasts: bool = False):
    """`fanmail review` on the recorded run, stored in `store_file` (created if new), and its `run_before`.

    The operator is named (not the OS user) so snapshots and screenshots are the same everywhere."""
    from tui.app.triage.review_app import make_review_app
    from tui.store import Store

    settings = recording.settings.model_copy(update={"store": store_file})
    with Store(store_file) as store:
        if store.get_run("review0001") is None:
            store_recording(recording, store)
    app = make_review_app(settings, "review0001", user=user, note_timeout=3600)
    return app, drained(app, app.session, toasts=toasts)


def drained(app, session: ReplaySession, *, toasts: bool):  # noqa: ANN001, ANN201 - a FanmailApp; run_before
    """The `run_before` of a replayed app: once the recording is played, everything drawn (toasts dropped unless asked)."""

    async def settle(pilot) -> None:  # noqa: ANN001 - textual.pilot.Pilot
        await session.drained.wait()
        await pilot.pause()
        if not toasts:
            app.dashboard.state.take_notes()
        app.dashboard.flush()
        await pilot.pause()
        if not toasts:
            app.clear_notifications()
            await pilot.pause()

    return settle
