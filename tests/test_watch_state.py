"""The watch dashboard's state without a terminal: waves folding, arrivals per day, the reconnect countdown.

The waves come from the recorded watch (tui/app/watch/replay.py: the real coordinator streaming
seven waves, one email failing); the clocks are manual, so nothing here depends on timing.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tui.app.triage.session import ManualClock
from tui.app.watch.replay import FAILING_WAVE, MORNING, WAVES, WatchRecording, record_watch
from tui.app.watch.state import WatchRunState
from tui.mail.watch import WatchState
from tui.run.watch import WaveArrived


@pytest.fixture(scope="module")
def recording() -> WatchRecording:
    return record_watch()


def fold(timed: list[tuple[float, object]], tz: timezone = timezone.utc) -> WatchRunState:
    clock = ManualClock(0.0)
    state = WatchRunState(clock=clock, wall=lambda: MORNING + clock.now, tz=tz)
    for at, event in timed:
        clock.now = at
        state.apply(event)  # type: ignore[arg-type]
    return state


def test_finished_waves_fold_and_a_wave_with_a_failed_agent_stays(recording: WatchRecording) -> None:
    state = fold(recording.timed)
    folded = [w.number for w in state.history]
    last = len(WAVES)
    assert folded == [n for n in range(1, last) if n != FAILING_WAVE], "every finished wave folded, in order"
    assert set(state.waves) == {FAILING_WAVE, last}, "the failed wave and the one at work stay on the grid"
    failed = state.waves[FAILING_WAVE].agents
    assert state.retryable() == failed
    on_grid = {c.agent_id for c in state.cards()}
    assert on_grid == {a for n in (FAILING_WAVE, last) for a in state.waves[n].agents}
    assert not on_grid & {a for w in state.history for a in w.agents}, "a folded agent is off the grid"
    assert [len(w.email_ids) for w in state.history] == [WAVES[n - 1] for n in folded]
    assert state.waiting == WAVES[0] and state.arrivals_today == sum(WAVES[1:])
    line = state.wave_line(state.history[0])
    assert line.startswith("wave   1  08:30:00") and "waiting at start" in line and line.endswith("s")


def test_arrivals_today_start_again_after_midnight() -> None:
    clock = ManualClock(0.0)
    evening = datetime(2026, 12, 7, 23, 59, tzinfo=timezone.utc).timestamp()
    now = [evening]
    state = WatchRunState(clock=clock, wall=lambda: now[0], tz=timezone.utc)
    state.apply(WaveArrived(1, ("a", "b"), evening - 60, catch_up=True))
    state.apply(WaveArrived(2, ("c",), evening))
    assert state.header().arrivals_today == 1 and state.header().waiting == 2
    now[0] = evening + 120  # 00:01 the next day: nothing arrived yet today
    header = state.header()
    assert header.arrivals_today == 0 and header.last_arrival == "2026-12-07 23:59:00"
    state.apply(WaveArrived(3, ("d", "e"), now[0]))
    assert state.header().arrivals_today == 2 and state.header().last_arrival == "00:01:00"


def test_the_reconnect_countdown_runs_on_the_clock() -> None:
    clock = ManualClock(100.0)
    state = WatchRunState(clock=clock, wall=lambda: 0.0, tz=timezone.utc)
    state.apply(WatchState("reconnecting", "connection refused", 8.0))
    assert state.header().retry_in_s == 8.0 and state.header().connection_detail == "connection refused"
    clock.now = 105.0
    assert state.header().retry_in_s == pytest.approx(3.0)
    clock.now = 120.0
    assert state.header().retry_in_s == 0.0
    state.apply(WatchState("idle"))
    assert state.header().connection == "idle" and state.header().retry_in_s is None


def test_the_report_keeps_every_agent_of_todays_waves_and_lets_earlier_days_go(recording: WatchRecording) -> None:
    # local midnight falls 900 s into the recording: waves 1-3 (0, 400, 800 s) arrived yesterday, 4-7 today
    state = fold(recording.timed, tz=timezone(-timedelta(hours=8, minutes=45)))
    assert [w.number for w in state.today_waves()] == [4, 5, 6, 7]
    today = [a for w in state.today_waves() for a in w.agents]
    assert [v.agent_id for v in state.report_agents()] == today, "folded or on the grid, wave by wave"
    assert all(not w.views for w in state.history if w.number < 4), "yesterday's agents are let go"
    assert all(w.views for w in state.history if w.number >= 4), "today's folded waves keep theirs"
