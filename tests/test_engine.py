"""The coordinator against the simulator over real HTTP: accounting, limits, faults, controls."""

from __future__ import annotations

import asyncio
from collections import Counter

from coordinated import run_sample
from tui.agents.runtime import open_provider
from tui.fanout.events import (
    AgentFinished,
    AgentStarted,
    EmailDone,
    Event,
    Reassigned,
    RunAborted,
    RunDone,
)
from tui.fanout.merge import Inbox
from tui.fanout.run import Coordinator
from tui.mail.sample import sample_emails
from tui.settings import Settings


def fast_settings(url: str, **kw: object) -> Settings:
    base: dict[str, object] = dict(provider="sim", base_url=url, concurrency=10, batch_size=10, timeout=0.5, retries=2)
    base.update(kw)
    return Settings(**base)



def done_rows(events: list[Event]) -> list:
    return [e.row for e in events if isinstance(e, EmailDone)]


async def test_faults_every_email_accounted_for_once(sim_factory) -> None:
    sim = await sim_factory(latency=0.01, fail_rate=0.10, hang_rate=0.05, garbage_rate=0.05, seed=3)
    settings = fast_settings(sim.url, timeout=0.3, retries=2)
    events, _ = await run_sample(settings, 200)
    rows = done_rows(events)
    ids = Counter(r.email_id for r in rows)
    assert len(ids) == 200 and set(ids.values()) == {1}
    statuses = Counter(r.status for r in rows)
    assert statuses["ok"] > 150
    assert statuses["failed"] + statuses["timeout"] > 0, "with these fault rates some email must fail 3 times"
    for row in rows:
        if row.status in ("failed", "timeout"):
            assert row.error and row.attempts == 3
    # Seen from the server: no email reached the model more than retries + 1 times.
    assert max(c.attempts for c in sim.stats.per_email.values()) <= settings.retries + 1
    assert max(c.ok for c in sim.stats.per_email.values()) <= 1
    report = next(e.report for e in events if isinstance(e, RunDone))
    assert report.total == 200 and report.failed + report.timeout == statuses["failed"] + statuses["timeout"]


async def test_concurrency_cap_holds_at_the_server(sim_factory) -> None:
    sim = await sim_factory(latency=0.05, jitter=0.02)
    events, _ = await run_sample(fast_settings(sim.url, concurrency=7, batch_size=5), 120)
    assert len(done_rows(events)) == 120
    assert sim.stats.peak_in_flight == 7  # reached, never exceeded


async def test_rebalancing_moves_only_unstarted_emails(sim_factory) -> None:
    sim = await sim_factory(latency=0.03, jitter=0.02, seed=9)
    events, _ = await run_sample(fast_settings(sim.url, concurrency=20, batch_size=10), 200)
    moves = [e for e in events if isinstance(e, Reassigned)]
    assert moves, "varied latency must trigger at least one reassignment"
    rows = {r.email_id: r for r in done_rows(events)}
    for move in moves:
        for email_id in move.email_ids:
            assert rows[email_id].agent_id == move.to_agent or any(
                later.from_agent == move.to_agent and email_id in later.email_ids for later in moves
            )
    assert all(c.ok == 1 for c in sim.stats.per_email.values())
    assert sum(c.ok for c in sim.stats.per_email.values()) == len({r.message_id for r in rows.values()})


async def test_fail_fast_cancels_everything_and_lists_what_was_not_done(sim_factory) -> None:
    sim = await sim_factory(latency=0.05, fail_rate=0.3, seed=1)
    events, coordinator = await run_sample(fast_settings(sim.url, retries=0, fail_fast=True, concurrency=5), 100)
    aborted = [e for e in events if isinstance(e, RunAborted)]
    assert len(aborted) == 1 and "--fail-fast" in aborted[0].reason
    rows = done_rows(events)
    assert Counter(r.email_id for r in rows).most_common(1)[0][1] == 1 and len(rows) == 100
    not_done = {r.email_id for r in rows if r.error and r.error.startswith("not done")}
    assert not_done and set(aborted[0].not_done) >= not_done
    finished = [e for e in events if isinstance(e, AgentFinished)]
    assert {e.state for e in finished} & {"cancelled"}
    assert sim.stats.in_flight == 0 or all(t.done() for t in [a.task for a in coordinator.agents.values()] if t)


async def test_operator_retry_replaces_rows_and_cancel_pause_work(sim_factory) -> None:
    sim = await sim_factory(latency=0.02, fail_rate=0.5, seed=4)
    settings = fast_settings(sim.url, retries=0, concurrency=4, batch_size=5)
    inbox = Inbox()
    rounds = 0

    def operator(event: Event, coordinator: Coordinator) -> None:
        nonlocal rounds
        if isinstance(event, EmailDone):
            inbox.add(event.row)
        if isinstance(event, RunDone):
            rounds += 1
            failed_agents = coordinator.retryable()
            if rounds == 1:
                assert failed_agents
                sim.config.fail_rate = 0.0  # the provider recovers; the operator presses R
                assert coordinator.retry_failed() == failed_agents
            else:
                coordinator.close()

    await run_sample(settings, 40, seed=2, on_event=operator, keep_open=True)
    assert rounds == 2
    assert len(inbox.rows) == 40 and all(r.status == "ok" for r in inbox.rows.values())


async def test_cancel_and_pause(sim_factory) -> None:
    sim = await sim_factory(latency=0.2)
    settings = fast_settings(sim.url, concurrency=1, batch_size=5, timeout=2.0)

    def operator(event: Event, coordinator: Coordinator) -> None:
        if isinstance(event, AgentStarted) and event.agent_id == "a01":
            coordinator.pause()
            assert coordinator.cancel("a01")
            asyncio.get_running_loop().call_later(0.5, coordinator.resume)

    events, _ = await run_sample(settings, 15, seed=2, timeout_s=30, on_event=operator)
    started = [e for e in events if isinstance(e, AgentStarted)]
    finished = {e.agent_id: e for e in events if isinstance(e, AgentFinished)}
    assert finished["a01"].state == "cancelled" and "operator" in finished["a01"].error
    assert [s.agent_id for s in started] == ["a01", "a02", "a03"]  # a02 only after resume
    rows = done_rows(events)
    assert len(rows) == 15
    assert sum(1 for r in rows if r.error == "cancelled by operator") == 5


async def test_streaming_source_starts_agents_before_reading_ends(sim_factory) -> None:
    from tui.fanout.events import AgentQueued, SourceFailed

    sim = await sim_factory(latency=0.01)
    settings = fast_settings(sim.url, batch_size=5, concurrency=4)
    emails = sample_emails(40, seed=6)
    reading_done = asyncio.Event()

    async def slow_source(fail_after: int | None = None):
        for i, email in enumerate(emails):
            if fail_after is not None and i == fail_after:
                raise ConnectionResetError("IMAP server closed the connection")
            await asyncio.sleep(0.01)
            yield email
        reading_done.set()

    events: list[Event] = []
    first_start_before_end = False
    async with open_provider(settings) as provider:
        async with asyncio.timeout(30):
            async for event in Coordinator(provider, settings).run_stream(slow_source(), expected=40):
                events.append(event)
                if isinstance(event, AgentStarted) and not reading_done.is_set():
                    first_start_before_end = True
    assert first_start_before_end
    rows = done_rows(events)
    assert sorted(r.email_id for r in rows) == sorted(e.id for e in emails)
    assert [e.agent_id for e in events if isinstance(e, AgentQueued)][:2] == ["a01", "a02"]

    events = []
    async with open_provider(settings) as provider:
        async with asyncio.timeout(30):
            async for event in Coordinator(provider, settings).run_stream(slow_source(fail_after=12)):
                events.append(event)
    failed = [e for e in events if isinstance(e, SourceFailed)]
    assert len(failed) == 1 and failed[0].read == 12 and "closed the connection" in failed[0].reason
    assert sorted(r.email_id for r in done_rows(events)) == sorted(e.id for e in emails[:12])
