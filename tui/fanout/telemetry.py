"""Per-agent and per-run numbers, and the batch size and timeout they suggest for next time."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tui.model import AgentTelemetry, ResultRow, RunReport


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
    batch_size: int
    agents: dict[str, AgentTelemetry] = field(default_factory=dict)
    request_s: list[float] = field(default_factory=list)  # every request's duration, ok or not
    ok_latency_ms: list[float] = field(default_factory=list)
    reassignments: int = 0
    started: float | None = None
    ended: float | None = None

    def agent(self, agent_id: str) -> AgentTelemetry:
        tel = self.agents.get(agent_id)
        if tel is None:
            tel = self.agents[agent_id] = AgentTelemetry(agent_id=agent_id)
        return tel

    def request(self, agent_id: str, seconds: float) -> None:
        self.request_s.append(seconds)
        self.agent(agent_id).busy_s += seconds

    def report(self, rows: dict[str, ResultRow], not_done: list[str]) -> RunReport:
        wall = max(1e-9, (self.ended or 0.0) - (self.started or 0.0))
        model_time = sum(self.request_s)
        slots = max(1, min(self.concurrency, len(self.agents) or 1))
        ideal = model_time / slots
        statuses = [r.status for r in rows.values()]
        p95 = percentile(self.ok_latency_ms, 0.95)
        per_agent = sorted(self.agents.values(), key=lambda a: a.agent_id)
        return RunReport(
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
            suggested_batch_size=suggest_batch_size(len(rows), self.concurrency),
            suggested_timeout_s=suggest_timeout(p95 / 1000.0),
            not_done=not_done,
            per_agent=per_agent,
        )


def suggest_batch_size(total: int, concurrency: int) -> int:
    """One wave: every batch runs at once, and rebalancing evens out the tail."""
    return max(1, math.ceil(total / max(1, concurrency)))


def suggest_timeout(p95_s: float) -> float:
    """2.5x the 95th percentile: rare slow answers pass, hangs are cut early."""
    return round(max(1.0, 2.5 * p95_s), 1)
