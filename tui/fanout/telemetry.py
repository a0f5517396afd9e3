"""Per-agent and per-run numbers, and the batch size and timeout they suggest for next time."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tui.fanout.plan import auto_batch_size, waits_on_model
from tui.model import AgentTelemetry, ResultRow, RunReport
from tui.settings import ModelPrice


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass(slots=True)
class RunTelemetry:
    run_id: str
    provider: str
    model: str
    concurrency: int
    batch_size: int  # the largest batch the plan formed
    agents: dict[str, AgentTelemetry] = field(default_factory=dict)
    request_s: list[float] = field(default_factory=list)  # every request's duration, ok or not
    email_s: dict[str, float] = field(default_factory=dict)  # model time per email, all its attempts
    busy: int = 0  # agents holding a concurrency slot now
    peak_busy: int = 0
    ok_latency_ms: list[float] = field(default_factory=list)
    reassignments: int = 0
    hedges_sent: int = 0
    hedges_won: int = 0
    started: float | None = None
    ended: float | None = None
    input_tokens: int = 0  # as the provider reported them
    output_tokens: int = 0
    price: ModelPrice | None = None  # USD per million tokens; None: not in the price table

    def add_usage(self, input_tokens: int, output_tokens: int) -> None:
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens

    def cost_usd(self) -> float | None:
        if not (self.input_tokens or self.output_tokens):
            return 0.0
        if self.price is None:
            return None
        return round((self.input_tokens * self.price.input + self.output_tokens * self.price.output) / 1e6, 6)

    def agent(self, agent_id: str) -> AgentTelemetry:
        tel = self.agents.get(agent_id)
        if tel is None:
            tel = self.agents[agent_id] = AgentTelemetry(agent_id=agent_id)
        return tel

    def request(self, agent_id: str, seconds: float, email_id: str | None = None) -> None:
        """One request's duration; with `email_id`, also that email's model time (a hedge's
        cut copy leaves it out: the email's own requests are what a slot had to serve)."""
        self.request_s.append(seconds)
        self.agent(agent_id).busy_s += seconds
        if email_id is not None:
            self.email_s[email_id] = self.email_s.get(email_id, 0.0) + seconds

    def slot_taken(self) -> None:
        self.busy += 1
        self.peak_busy = max(self.peak_busy, self.busy)

    def slot_freed(self) -> None:
        self.busy -= 1

    def limit_s(self) -> float:
        """The physical limit at the cap: no schedule of these requests on C slots ends sooner.

        The largest of total model time / C; the longest email's model time; and, since some
        slot serves at least ceil(N / C) emails one after another, the sum of the ceil(N / C)
        shortest emails' model times (for a uniform latency L that is ceil(N / C) x L). It does
        not depend on the batch plan.
        """
        slots = max(1, self.concurrency)
        per_email = sorted(self.email_s.values())
        if not per_email:
            return 0.0
        return max(sum(per_email) / slots, per_email[-1], sum(per_email[: math.ceil(len(per_email) / slots)]))

    def report(self, rows: dict[str, ResultRow], not_done: list[str]) -> RunReport:
        wall = max(1e-9, (self.ended or 0.0) - (self.started or 0.0))
        model_time = sum(self.request_s)
        ideal = self.limit_s()
        statuses = [r.status for r in rows.values()]
        p95 = percentile(self.ok_latency_ms, 0.95)
        per_agent = sorted(self.agents.values(), key=lambda a: a.agent_id)
        report = RunReport(
            run_id=self.run_id,
            provider=self.provider,
            model=self.model,
            total=len(rows),
            ok=statuses.count("ok"),
            failed=statuses.count("failed"),
            timeout=statuses.count("timeout"),
            duplicate=statuses.count("duplicate"),
            concurrency=self.concurrency,
            batch_size=self.batch_size,
            agents=len(self.agents),
            wall_s=round(wall, 4),
            model_time_s=round(model_time, 4),
            ideal_s=round(ideal, 4),
            wall_over_ideal=round(wall / ideal, 4) if ideal > 0 else 0.0,
            speedup_vs_sequential=round(model_time / wall, 3),
            retries=sum(a.retries for a in per_agent),
            rate_limited=sum(a.rate_limited for a in per_agent),
            latency_p50_ms=round(percentile(self.ok_latency_ms, 0.5), 1),
            latency_p95_ms=round(p95, 1),
            reassignments=self.reassignments,
            hedges_sent=self.hedges_sent,
            hedges_won=self.hedges_won,
            suggested_batch_size=suggest_batch_size(len(rows), self.concurrency if waits_on_model(self.provider) else 1),
            peak_busy=self.peak_busy,
            suggested_timeout_s=suggest_timeout(p95 / 1000.0),
            not_done=not_done,
            per_agent=per_agent,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cost_usd=self.cost_usd(),
            model_latency=waits_on_model(self.provider) and bool(self.request_s),
        )
        report.advice = advice(report, sent=len(self.email_s), requests=len(self.request_s))
        return report


def pace(r: RunReport) -> str:
    """How fast the run went, in terms that mean something for its provider: against a model,
    the speed-up over one-at-a-time and the wall time over the limit at the cap; without model
    latency (rules, or nothing sent), only the throughput."""
    if not r.model_latency:
        return f"{r.total / max(r.wall_s, 1e-9):,.0f} emails/s"
    return (f"{r.speedup_vs_sequential:.1f}x sequential, {r.wall_over_ideal:.2f}x the limit of "
            f"{r.ideal_s:.1f}s at concurrency {r.concurrency}")


def advice(r: RunReport, *, sent: int, requests: int) -> list[str]:
    """What to change next time: a batch plan that left slots idle, or a cap the provider refused."""
    notes: list[str] = []
    usable = min(r.concurrency, sent)
    if r.model_latency and 0 < r.peak_busy < usable:
        # Idle slots cost time only if the busiest slot served more emails than a full cap would.
        if math.ceil(sent / r.peak_busy) > math.ceil(sent / usable):
            notes.append(f"peak {r.peak_busy} of {r.concurrency} agents busy: --batch-size "
                         f"{auto_batch_size(sent, r.concurrency)} (the default, auto) gives every slot work")
    if requests and r.rate_limited / requests > 0.01:
        notes.append(f"{r.rate_limited} of {requests} requests were rate limited: lower --concurrency "
                     "or set --rpm")
    return notes


def suggest_batch_size(total: int, concurrency: int) -> int:
    """One wave: every batch runs at once, and rebalancing evens out the tail."""
    return max(1, math.ceil(total / max(1, concurrency)))


def suggest_timeout(p95_s: float) -> float:
    """2.5x the 95th percentile: rare slow answers pass, hangs are cut early."""
    return round(max(1.0, 2.5 * p95_s), 1)


# ---------------------------------------------------------------------------- history

HISTORY_RUNS = 5  # the most recent runs of the same provider and model that suggestions use


@dataclass(slots=True)
class RunHistory:
    """What suggestions need from one past run (read back from the store)."""

    run_id: str
    provider: str
    model: str
    total: int
    concurrency: int
    batch_size: int | str  # "auto" when the run chose it
    ok_latency_s: list[float] = field(default_factory=list)  # one per email answered ok
    timeouts: int = 0  # attempts cut by the per-email timeout
    requests: int = 0
    rate_limited: int = 0
    timeout_s: float | None = None  # the per-email timeout the run used, if known


@dataclass(slots=True)
class Suggestion:
    batch_size: int
    timeout_s: float
    p95_s: float  # the p95 the timeout is based on (ok answers, pooled over the runs used)
    runs: list[str]  # run ids used, newest first
    samples: int  # ok answers pooled
    notes: list[str] = field(default_factory=list)


def suggest_from_history(history: list[RunHistory], *, concurrency: int, total: int | None = None) -> Suggestion:
    """Suggested batch size and timeout from the newest runs first in `history` (same provider and
    model as the first one, at most HISTORY_RUNS of them).

    - timeout: 2.5 x the 95th percentile of every ok answer's latency in those runs, so rare slow
      answers pass while a hang is cut after a fraction of what it would cost otherwise;
    - batch size: one wave at `concurrency` for the median run size (rebalancing evens the tail).
    """
    if not history:
        return Suggestion(suggest_batch_size(total or 0, concurrency), suggest_timeout(0.0), 0.0, [], 0,
                          ["no history yet"])
    head = history[0]
    same = [h for h in history if (h.provider, h.model) == (head.provider, head.model)][:HISTORY_RUNS]
    latencies = [s for h in same for s in h.ok_latency_s]
    p95 = percentile(latencies, 0.95)
    sizes = sorted(h.total for h in same)
    typical = total if total is not None else sizes[len(sizes) // 2]
    notes: list[str] = []
    requests = sum(h.requests for h in same)
    limited = sum(h.rate_limited for h in same)
    if requests and limited / requests > 0.01:
        notes.append(f"{limited} of {requests} requests were rate limited: lower --concurrency or set --rpm")
    timeouts = sum(h.timeouts for h in same)
    if timeouts:
        notes.append(f"{timeouts} attempts timed out")
    if not latencies:
        notes.append("no ok answers to measure latency from")
    return Suggestion(
        batch_size=suggest_batch_size(typical, concurrency),
        timeout_s=suggest_timeout(p95),
        p95_s=p95,
        runs=[h.run_id for h in same],
        samples=len(latencies),
        notes=notes,
    )
