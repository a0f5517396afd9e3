"""Limits that learn from the provider: TPM alongside RPM, usage corrections, rate-limit headers,
Retry-After, and the run-stopping errors (wrong key, no quota). Measured from the server's side."""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from aiohttp import web

from coordinated import run_sample
from scripted import root_url, scripted
from tui.agents.base import RateLimitInfo
from tui.fanout.events import EmailDone, RateLimited, RunAborted, RunDone
from tui.fanout.limits import TOKEN_SHARE, WINDOW_MARGIN_S, RequestPacer
from tui.fanout.run import Coordinator
from tui.settings import Settings


class FakeTime:
    """A clock that asyncio.sleep (patched) moves forward: pacer arithmetic without waiting."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    clock = FakeTime()
    monkeypatch.setattr("tui.fanout.limits.asyncio.sleep", clock.sleep)
    return clock


async def test_tokens_are_spaced_and_corrected_by_usage(fake: FakeTime) -> None:
    pacer = RequestPacer(None, fake, tpm=6000)  # 100 tokens a second (99 with the margin)
    per_token = 60 / (6000 * TOKEN_SHARE)
    first = await pacer.acquire(1000)
    await pacer.acquire(1000)
    assert fake.slept == [pytest.approx(1000 * per_token)]
    pacer.settle(first, 400)  # the provider says the first one cost 400: 600 tokens given back
    start = fake.now
    await pacer.acquire(100)
    assert fake.now - start == pytest.approx((1000 - 600) * per_token)


async def test_sliding_window_guard_holds_with_wrong_estimates(fake: FakeTime) -> None:
    """Whatever the estimates, no 60 s window ever holds more than the limit of what was charged."""
    rng = random.Random(3)
    tpm, rpm = 20_000, 40
    pacer = RequestPacer(rpm, fake, tpm=tpm)
    sends: list[tuple[float, int]] = []
    for _ in range(400):
        estimate = rng.randint(200, 1500)
        ticket = await pacer.acquire(estimate)
        used = max(1, int(estimate * rng.uniform(0.5, 1.0)))  # estimates run high, as ours do
        pacer.settle(ticket, used)
        sends.append((ticket.slot, used))
        fake.now += rng.uniform(0, 0.3)  # latency and other work between sends
    window = 60.0 + WINDOW_MARGIN_S
    for i, (t, _) in enumerate(sends):
        inside = [(s, n) for s, n in sends[: i + 1] if s > t - window]
        assert len(inside) <= rpm
        assert sum(n for _, n in inside) <= tpm
    busiest = max(sum(n for s, n in sends if t - 60 < s <= t) for t, _ in sends)
    assert busiest >= 0.9 * tpm  # and the budget is used, not wasted


async def test_headers_set_the_limits_and_slow_down_a_low_budget(fake: FakeTime) -> None:
    pacer = RequestPacer(None, fake)
    first = await pacer.acquire()
    assert pacer.interval == 0  # nothing configured, nothing known: no spacing
    pacer.observe(first, RateLimitInfo(limit_requests=120, remaining_requests=110, reset_requests_s=5))
    assert pacer.effective_rpm == 120 and pacer.interval == pytest.approx(0.5025)
    second = await pacer.acquire()
    # Only 3 requests left for the next 30 s: spread them, one every 10 s, not one every 0.5 s.
    pacer.observe(second, RateLimitInfo(remaining_requests=3, reset_requests_s=30))
    await pacer.acquire()
    start = fake.now
    await pacer.acquire()
    assert fake.now - start == pytest.approx(10.0)
    # Nothing left (the sends since that answer count too): nobody sends before the reset.
    third = await pacer.acquire()
    pacer.observe(third, RateLimitInfo(remaining_requests=0, reset_requests_s=45, limit_tokens=9000,
                                       remaining_tokens=5000, reset_tokens_s=1))
    start = fake.now
    await pacer.acquire()
    assert fake.now - start >= 45.0 - 1e-9 and pacer.effective_tpm == 9000
    # An operator limit below the provider's stays in force.
    assert RequestPacer(60, fake).effective_rpm == 60


async def test_retry_after_holds_agents_already_waiting_for_a_slot() -> None:
    pacer = RequestPacer(1200)  # one send every 50 ms
    sent: list[float] = []

    async def send() -> None:
        await pacer.acquire()
        sent.append(time.monotonic())

    tasks = [asyncio.create_task(send()) for _ in range(6)]
    await asyncio.sleep(0.01)  # the first went at once; five hold slots up to 250 ms ahead
    held_at = time.monotonic()
    pacer.hold_off(0.5)
    await asyncio.gather(*tasks)
    later = [t for t in sent if t > held_at]
    assert len(later) == 5 and min(later) >= held_at + 0.5


async def run_plan(settings: Settings, count: int, seed: int = 5) -> tuple[list, Coordinator]:
    return await run_sample(settings, count, seed=seed, timeout_s=180)


async def test_rpm_and_tpm_together_no_429_and_headers_learnt(sim_factory) -> None:
    sim = await sim_factory(latency=0.01, rpm=6000, tpm=700_000)
    settings = Settings(provider="sim", base_url=sim.url, rpm=6000, tpm=700_000, concurrency=10, timeout=5)
    events, coordinator = await run_plan(settings, 60)
    report = next(e.report for e in events if isinstance(e, RunDone))
    assert report.ok + report.duplicate == 60 and sim.stats.rate_limited == 0
    # The token budget set the pace: ~57k tokens at 700k/min take about 5 s, evenly spread.
    tokens = sum(n for _, n in sim.stats.tokens_at)
    times = [t for t, _ in sim.stats.tokens_at]
    assert times[-1] - times[0] >= 0.9 * (tokens - sim.stats.tokens_at[-1][1]) / 700_000 * 60
    assert report.input_tokens + report.output_tokens == tokens  # usage as the server charged it
    pacer = coordinator.pacer
    assert pacer.learned_rpm == 6000 and pacer.learned_tpm == 700_000 and pacer.last_info is not None


@pytest.mark.slow
async def test_thousand_emails_under_rpm_and_tpm_use_95_percent_without_429(sim_factory) -> None:
    """Acceptance: enforced RPM and TPM, 1,000 emails, zero 429s at the server, >= 95% of the
    allowed rate. Tokens are the binding limit here (about 70 s of work at this TPM)."""
    rpm, tpm = 1500, 800_000
    sim = await sim_factory(latency=0.02, jitter=0.01, rpm=rpm, tpm=tpm)
    settings = Settings(provider="sim", base_url=sim.url, rpm=rpm, tpm=tpm, concurrency=20, timeout=5)
    events, _ = await run_plan(settings, 1000)
    report = next(e.report for e in events if isinstance(e, RunDone))
    assert report.ok + report.duplicate == 1000
    assert sim.stats.rate_limited == 0 and not any(isinstance(e, RateLimited) for e in events)
    busiest_tokens = sim.stats.max_tokens_in_window(60.0)
    busiest_requests = sim.stats.max_in_window(60.0)
    print(f"\nbusiest minute: {busiest_tokens} tokens of {tpm} ({busiest_tokens / tpm:.1%}), "
          f"{busiest_requests} requests of {rpm}; wall {report.wall_s:.1f}s")
    assert busiest_tokens <= tpm and busiest_requests <= rpm
    assert busiest_tokens >= 0.95 * tpm, f"only {busiest_tokens} tokens in the busiest minute of {tpm}"


async def test_no_request_reaches_the_server_within_retry_after(sim_factory) -> None:
    """Acceptance: after a 429 with retry-after: 2, the server's own log shows nothing for 2 s."""
    sim = await sim_factory(latency=0.01, rate_429=0.03, retry_after_429=2.0, seed=11)
    # Paced (one request in flight at a time): not a single arrival may fall inside the 2 s.
    settings = Settings(provider="sim", base_url=sim.url, rpm=1200, concurrency=8, timeout=5)
    events, _ = await run_plan(settings, 40, seed=2)
    assert sim.stats.limited_at, "this seed must draw at least one 429"
    for sent_at, retry in sim.stats.limited_at:
        assert retry == 2.0
        after = [t for t in sim.stats.arrived_at if t > sent_at]
        assert not after or min(after) >= sent_at + 2.0, f"a request came {min(after) - sent_at:.3f}s after a 429"
    assert sum(isinstance(e, RateLimited) for e in events) == len(sim.stats.limited_at)
    # Unpaced, 8 agents: only requests already on the wire when the 429 left may follow it.
    sim2 = await sim_factory(latency=0.01, rate_429=0.03, retry_after_429=2.0, seed=11)
    settings = Settings(provider="sim", base_url=sim2.url, concurrency=8, timeout=5)
    await run_plan(settings, 40, seed=2)
    assert sim2.stats.limited_at
    for sent_at, _ in sim2.stats.limited_at:
        early = [t for t in sim2.stats.arrived_at if sent_at + 0.05 < t < sent_at + 2.0]
        assert not early


async def test_wrong_key_during_the_run_stops_it_with_one_reason(sim_factory) -> None:
    sim = await sim_factory(latency=0.01, require_key="the-right-key")
    settings = Settings(provider="sim", base_url=sim.url, api_key_env="FANMAIL_TEST_WRONG_KEY", concurrency=4)
    import os

    os.environ["FANMAIL_TEST_WRONG_KEY"] = "not-the-right-key"
    try:
        events, _ = await run_plan(settings, 40)
    finally:
        del os.environ["FANMAIL_TEST_WRONG_KEY"]
    aborted = [e for e in events if isinstance(e, RunAborted)]
    assert len(aborted) == 1
    assert "refused the API key from FANMAIL_TEST_WRONG_KEY (401)" in aborted[0].reason
    rows = [e.row for e in events if isinstance(e, EmailDone)]
    assert len({r.email_id for r in rows}) == 40 and all(r.status != "ok" for r in rows)
    assert sim.stats.unauthorized <= settings.concurrency  # not retried: at most the ones in flight


async def test_quota_error_stops_launching(sim_factory) -> None:
    calls = 0

    async def no_money(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return web.json_response({"error": {"message": "You exceeded your current quota.",
                                            "type": "insufficient_quota", "code": "insufficient_quota"}},
                                 status=429)

    runner = await scripted(no_money, method="POST")
    try:
        url = f"{root_url(runner)}/v1"
        settings = Settings(provider="sim", base_url=url, concurrency=3, retries=5)
        events, _ = await run_plan(settings, 60)
    finally:
        await runner.cleanup()
    aborted = [e for e in events if isinstance(e, RunAborted)]
    assert len(aborted) == 1 and "out of quota" in aborted[0].reason and "stopped launching" in aborted[0].reason
    assert calls <= 3  # the ones already in flight; no retries, no new launches
    assert not any(isinstance(e, RateLimited) for e in events)


async def test_budget_left_for_the_dashboard(fake: FakeTime) -> None:
    assert RequestPacer(None, fake).budget_left() is None
    pacer = RequestPacer(60, fake, tpm=10_000)
    assert pacer.budget_left() == 1.0
    for _ in range(6):
        await pacer.acquire(500)  # 6 requests of 60, 3,000 tokens of 10,000
    assert pacer.budget_left() == pytest.approx(0.7)
    fake.now += 61
    assert pacer.budget_left() == 1.0


async def test_a_pacer_that_lost_its_log_assumes_the_last_minute_was_spent(fake: FakeTime) -> None:
    """A restarted cluster limiter: whatever was really sent in the last minute (at most the limit,
    evenly spaced), the sends it grants from now on keep every 60 s window within the limit."""
    really_sent = [fake.now - 60 + k for k in range(60)]  # the worst case: the full rate until the crash
    pacer = RequestPacer(60, fake)
    pacer.assume_last_minute_spent()
    assert pacer.budget_left() == 0.0
    start = fake.now
    granted = [(await pacer.acquire()).slot for _ in range(120)]
    sends = sorted(really_sent + granted)
    assert all(sum(1 for t in sends if t0 <= t < t0 + 60) <= 60 for t0 in sends)
    assert granted[0] - start < 2.0 and granted[-1] - start < 122, "the full rate at once: no minute-long pause"
    assert RequestPacer(None, fake).assume_last_minute_spent() is None  # no limit: nothing to assume
