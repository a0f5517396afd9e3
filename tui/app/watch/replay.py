"""A recorded watch for the snapshot and the screenshot: the real coordinator streaming waves, virtual time.

As tui/app/triage/replay.py does for triage: the scripted provider (no I/O, a manual clock) answers,
and a scripted mailbox hands over waves (the mail waiting at the start, then arrivals some
virtual minutes apart), with the watch's own events (`RunOpened`, `WatchState`, `WaveArrived`)
recorded where a live watch sends them. Wall times are a fixed morning in UTC, so the picture
is the same on every machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone

from tui.app.triage.replay import ScriptedProvider, drained, replay_settings
from tui.app.triage.session import ManualClock, ReplaySession
from tui.fanout.events import RunDone
from tui.fanout.run import Coordinator
from tui.mail.sample import sample_emails
from tui.mail.watch import WatchState
from tui.model import Email
from tui.run import RunOpened
from tui.run.watch import WaveArrived
from tui.settings import Settings, provider_label

MORNING = datetime(2026, 12, 7, 8, 30, tzinfo=timezone.utc).timestamp()  # the recorded watch starts here
WAVES = (6, 3, 1, 4, 2, 5, 7)  # the first is what was waiting; then arrivals
GAP_S = 400.0  # virtual seconds between arrivals
FAILING_WAVE = 5  # one email of this wave fails: its agent stays on the grid for r
RUN_ID = "watch-demo0001"


@dataclass(slots=True)
class WatchRecording:
    timed: list[tuple[float, object]]
    emails: list[Email]
    settings: Settings

    def session(self) -> tuple[ReplaySession, ManualClock]:
        clock = ManualClock(0.0)
        label = f"imap://me@mail.example.com/INBOX · {provider_label(self.settings.provider, self.settings.model)}"
        return ReplaySession(self.timed, {e.id: e for e in self.emails}, clock, label=label), clock  # type: ignore[arg-type]


async def arecord_watch() -> WatchRecording:
    settings = replay_settings(batch_size=2, concurrency=6)
    emails = sample_emails(sum(WAVES), seed=settings.seed)
    first_of_failing = sum(WAVES[:FAILING_WAVE - 1])
    clock = ManualClock(0.0)
    provider = ScriptedProvider(clock, seed=settings.seed, fail={emails[first_of_failing + 1].id: "fail"})
    coordinator = Coordinator(provider, settings, clock=clock, seed=settings.seed, run_id=RUN_ID)
    timed: list[tuple[float, object]] = [(0.0, RunOpened(RUN_ID, 1, 0)), (0.0, WatchState("connecting")),
                                         (0.0, WatchState("idle"))]

    async def mailbox() -> AsyncIterator[Email | None]:
        start = 0
        for number, size in enumerate(WAVES, start=1):
            if number > 1:
                clock.now = max(clock.now, (number - 1) * GAP_S)
            wave = emails[start:start + size]
            start += size
            timed.append((clock.now, WaveArrived(number, tuple(e.id for e in wave), MORNING + clock.now,
                                                 catch_up=number == 1)))
            for email in wave:
                yield email
            yield None
            if number < len(WAVES):
                for _ in range(400):  # the next mail arrives once this wave is well under way
                    await asyncio.sleep(0)

    last_wave_at = (len(WAVES) - 1) * GAP_S
    async for event in coordinator.run_stream(mailbox()):
        if isinstance(event, RunDone):
            break
        timed.append((round(clock.now, 6), event))
    # the picture: up to a moment into the last wave, its agents still at work
    cut = next((i for i, (at, _) in enumerate(timed) if at > last_wave_at + 0.5), len(timed))
    return WatchRecording(timed[:cut], emails, settings)


def record_watch() -> WatchRecording:
    return asyncio.run(arecord_watch())


def watch_replay_app(recording: WatchRecording, *, toasts: bool = False):  # noqa: ANN201
    """The watch dashboard on the recording, and the `run_before` that waits until all of it is drawn."""
    from tui.app.watch.app import WatchApp

    session, clock = recording.session()
    app = WatchApp(recording.settings, session, clock=clock, wall=lambda: MORNING + clock.now,  # type: ignore[arg-type]
                   tz=timezone.utc, note_timeout=3600)

    return app, drained(app, session, toasts=toasts)


__all__ = ["WatchRecording", "arecord_watch", "record_watch", "watch_replay_app"]
