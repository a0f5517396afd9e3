"""Hedged requests at the tail, against the simulator over real HTTP, checked from the server's side."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from coordinated import run_sample
from tests.test_engine import done_rows, fast_settings
from tui.fanout.events import EmailDone, HedgeEnded, HedgeSent, RunDone
from tui.app.triage.state import RunState
from tui.fanout.hedge import Threshold, hedge_budget, parse_hedge
from tui.fanout.trace import TraceWriter, spans
from tui.settings import Settings


async def wait_for(predicate, what: str, limit_s: float = 5.0) -> None:
    """Poll (bounded): the server notices a closed connection a moment after the client closes it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while not predicate():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.01)


async def test_a_hedge_cuts_a_hung_request_keeps_the_cap_and_writes_one_row(sim_factory, tmp_path) -> None:
    # Hung first attempts would each cost the 5 s timeout; at the tail an idle agent sends a
    # second copy, which answers, and the hung request is cancelled.
    sim = await sim_factory(latency=0.03, jitter=0.01, hang_rate=0.15, seed=4)
    settings = fast_settings(sim.url, concurrency=4, batch_size=5, timeout=5.0, retries=0, hedge="20")
    events, _ = await run_sample(settings, 40)
    report = next(e.report for e in events if isinstance(e, RunDone))
    sent = [e for e in events if isinstance(e, HedgeSent)]
    won = [e for e in events if isinstance(e, HedgeEnded) and e.won]
    assert sim.stats.hung >= 2 and len(won) >= 2, "the seed must hang some first attempts"
    assert report.hedges_sent == len(sent) <= hedge_budget("20", 40)
    assert report.hedges_won == len(won)
    rows = done_rows(events)
    assert Counter(r.email_id for r in rows) == Counter({r.email_id: 1 for r in rows}) and len(rows) == 40
    assert all(r.status == "ok" for r in rows)
    for hedge in won:
        row = next(r for r in rows if r.email_id == hedge.email_id)
        assert row.agent_id == hedge.owner != hedge.agent_id  # the owner writes the copy's answer
        assert row.attempts == 1  # the owner's one (hung) attempt; the copy is the trace's hedge span
    # Seen from the server: never more than C at once, and every cut request's handler went away.
    assert sim.stats.peak_in_flight <= settings.concurrency
    await wait_for(lambda: sim.stats.in_flight == 0, "a cut request is still running on the server")
    assert sim.stats.cancelled >= len(won)
    per_agent = {a.agent_id: a for a in report.per_agent}
    assert sum(a.hedges_sent for a in per_agent.values()) == len(sent)
    assert sum(a.hedges_won for a in per_agent.values()) == len(won)
    # The trace has one hedge span per copy, and the dashboard's cards count them per agent.
    writer = TraceWriter(tmp_path / "trace.jsonl", run_id="h1")
    state = RunState(clock=lambda: 0.0)
    for event in events:
        writer.on_event(event)
        state.apply(event)
    writer.close()
    hedge_spans = spans(tmp_path / "trace.jsonl", "hedge")
    assert len(hedge_spans) == len(sent)
    assert sorted(s["outcome"] for s in hedge_spans) == sorted("won" if e.won else "lost" for e in events
                                                               if isinstance(e, HedgeEnded))
    cards = {c.agent_id: c for c in state.cards()}
    assert sum(c.hedges_sent for c in cards.values()) == len(sent)
    assert sum(c.hedges_won for c in cards.values()) == len(won)


async def test_hedging_off_sends_no_copy(sim_factory) -> None:
    sim = await sim_factory(latency=0.03, jitter=0.01, hang_rate=0.15, seed=4)
    settings = fast_settings(sim.url, concurrency=4, batch_size=5, timeout=0.5, retries=1, hedge="off")
    events, _ = await run_sample(settings, 40)
    assert not any(isinstance(e, HedgeSent) for e in events)
    assert sim.stats.cancelled == sim.stats.hung  # only the timeouts' requests were cut
    assert len(done_rows(events)) == 40


async def test_rpm_holds_with_hedging_on(sim_factory) -> None:
    rpm = 1200
    sim = await sim_factory(latency=0.03, jitter=0.01, hang_rate=0.15, seed=4, rpm=rpm)
    settings = fast_settings(sim.url, concurrency=4, batch_size=5, timeout=5.0, retries=0, hedge="20", rpm=rpm)
    events, _ = await run_sample(settings, 40)
    assert any(isinstance(e, HedgeSent) for e in events)
    assert sim.stats.rate_limited == 0
    gaps = [b - a for a, b in zip(sim.stats.arrived_at, sim.stats.arrived_at[1:])]
    # Paced requests arrive 60/rpm apart give or take the loop's scheduling delay on a busy machine
    # (seen: 37 ms of 50); a hedge that skipped its slot lands anywhere in the gap, and several go out.
    assert min(gaps) > 0.5 * 60 / rpm, "a hedge went out without waiting for its rate-limit slot"
    assert sim.stats.peak_in_flight <= settings.concurrency
    assert len({e.row.email_id for e in events if isinstance(e, EmailDone)}) == 40


def test_hedge_setting_and_budget() -> None:
    assert Settings(hedge="2%").hedge == "2" and Settings(hedge="AUTO").hedge == "auto"
    assert hedge_budget("auto", 200) == 10 and hedge_budget("off", 200) == 0 and hedge_budget("2", 200) == 4
    for bad in ("sometimes", "0", "150"):
        with pytest.raises(ValueError):
            parse_hedge(bad)


def test_threshold_is_the_p95_with_a_floor() -> None:
    samples: list[float] = []
    threshold = Threshold(samples, expected_s=0.4)
    assert threshold.seconds() == 0.8  # too few answers yet: twice the expected latency
    samples.extend(float(ms) for ms in range(1, 101))  # 1..100 ms
    assert threshold.seconds() == pytest.approx(0.09505)
    samples[:] = [1.0] * 50
    fresh = Threshold(samples, expected_s=0.4)
    assert fresh.seconds() == 0.05  # the floor


async def test_a_watch_wave_hedges_its_tail_while_the_source_stays_open(sim_factory) -> None:
    # A watch's source never ends, so "the source read to the end" never came and a hung request
    # held its wave for the whole timeout. A None ends a wave: its tail hedges as a run's end does.
    from tui.agents.runtime import open_provider
    from tui.fanout.run import Coordinator
    from tui.mail.sample import sample_emails

    sim = await sim_factory(latency=0.03, jitter=0.01, hang_rate=0.15, seed=4)
    settings = fast_settings(sim.url, concurrency=4, batch_size=5, timeout=600.0, retries=0, hedge="20")
    emails = sample_emails(40, seed=7)
    release = asyncio.Event()

    async def watched():  # one wave, then the mailbox stays open until every row is in
        for email in emails:
            yield email
        yield None
        await release.wait()

    events: list = []
    async with open_provider(settings) as provider:
        async with asyncio.timeout(60):  # far under the request timeout: only a hedge ends a hung request
            async for event in Coordinator(provider, settings).run_stream(watched()):
                events.append(event)
                if len(done_rows(events)) == len(emails):
                    release.set()
    assert sim.stats.hung >= 2, "the seed must hang some first attempts"
    won = [e for e in events if isinstance(e, HedgeEnded) and e.won]
    rows = done_rows(events)
    assert len(won) >= 2 and len({r.email_id for r in rows}) == len(rows) == 40
    assert all(r.status == "ok" for r in rows)
    assert sim.stats.peak_in_flight <= settings.concurrency
