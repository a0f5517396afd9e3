"""Hedged requests at the tail: when to send a second copy of a slow request, and how many.

Once no unstarted email is left and an agent is idle, the slowest requests still in flight set
the finish. A classification is a pure function of the email, so a second copy is safe: the
first valid answer is kept, the other request is cancelled. The policy here only decides; the
coordinator (tui.fanout.run) runs the race.

- **Threshold**: the 95th percentile of this run's answered requests, never under FLOOR_S
  (fast providers would otherwise hedge their noise), and before MIN_SAMPLES answers twice the
  provider's expected latency.
- **Budget**: `auto` allows 5% of the emails as extra requests; a number allows that percent.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.fanout.telemetry import percentile

if TYPE_CHECKING:
    from tui.fanout.executors.base import AttemptOk

AUTO_PCT = 5.0
QUANTILE = 0.95
FLOOR_S = 0.05
MIN_SAMPLES = 10
MAX_WAITING = 32  # idle agents that keep their slot to hedge; the rest end and free theirs


def parse_hedge(value: str) -> str:
    """'off', 'auto', or a percent budget ('2', '2%', '0.5') normalised to e.g. '2'."""
    text = str(value).strip().lower()
    if text in ("off", "auto"):
        return text
    try:
        pct = float(text.removesuffix("%"))
    except ValueError:
        raise ValueError("hedge must be off, auto or a percent budget such as 2") from None
    if not 0 < pct <= 100:
        raise ValueError("a hedge budget is a percent of the emails, above 0 and at most 100")
    return f"{pct:g}"


def hedge_budget(spec: str, emails: int) -> int:
    """Extra requests a run of `emails` may send as hedges."""
    if spec == "off" or emails <= 0:
        return 0
    pct = AUTO_PCT if spec == "auto" else float(spec)
    return math.floor(emails * pct / 100)


class Threshold:
    """How long a request must have run before it is hedged, refreshed as answers come in."""

    def __init__(self, samples_ms: list[float], expected_s: float) -> None:
        self._samples = samples_ms  # the run's ok latencies, appended to by the coordinator
        self._expected = expected_s
        self._seen = -1
        self._value = 0.0

    def seconds(self) -> float:
        n = len(self._samples)
        if n < MIN_SAMPLES:
            return max(FLOOR_S, 2.0 * self._expected)
        if n > self._seen * 1.1 or self._seen < 0:  # a sort of every answer, at most ~25 times
            self._seen = n
            self._value = max(FLOOR_S, percentile(self._samples, QUANTILE) / 1000.0)
        return self._value


@dataclass(slots=True, eq=False)
class Hedge:
    """One email's race: its owner's request against the hedging agent's copy."""

    email_id: str
    owner: str  # agent ids
    hedger: str
    sent_at: float
    won: AttemptOk | None = None  # the copy's answer, when it came first
    lost: bool = False  # the owner's answer came first (or the owner stopped): the copy is cut
    ended: asyncio.Event = field(default_factory=asyncio.Event)  # the copy is over, either way
