"""The simulator's settings and its server-side statistics.

What the sim should do (latency, fault rates, rate limits, seed) and what it saw (per-email counts,
429s, admission times), kept apart from the HTTP server so tests, the CLI and the demo runtime can
build a config or read stats without the server's machinery.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tui.settings import Settings

RPM_WINDOW_S = 60.0
Fate = Literal["ok", "fail", "hang", "garbage", "429", "overloaded", "refusal"]


class SimConfig(BaseModel):
    """Behaviour of the simulator. Defaults: instant and fault-free."""

    model_config = ConfigDict(extra="forbid")

    latency: float = Field(default=0.0, ge=0, description="mean seconds per answer")
    jitter: float = Field(default=0.0, ge=0, description="std dev of a normal, clipped at 0")
    fail_rate: float = Field(default=0.0, ge=0, le=1, description="HTTP 500")
    hang_rate: float = Field(default=0.0, ge=0, le=1, description="accept, then no answer")
    hang_s: float = Field(default=600.0, gt=0)
    garbage_rate: float = Field(default=0.0, ge=0, le=1, description="200 with an unusable answer")
    rate_429: float = Field(default=0.0, ge=0, le=1, description="429 with Retry-After: retry_after_429")
    retry_after_429: float = Field(default=1.0, ge=0, description="seconds, for the random 429s")
    overload_rate: float = Field(default=0.0, ge=0, le=1,
                                 description="overloaded: 529 (Anthropic) / 503 (OpenAI)")
    refusal_rate: float = Field(default=0.0, ge=0, le=1, description="the model declines to answer")
    stuck_rate: float = Field(default=0.0, ge=0, le=1,
                              description="share of emails whose first stuck_attempts attempts fail")
    stuck_attempts: int = Field(default=3, ge=1)
    rpm: int | None = Field(default=None, ge=1, description="requests per sliding 60 s window")
    tpm: int | None = Field(default=None, ge=1, description="tokens per sliding 60 s window")
    require_key: str | None = Field(default=None, repr=False)
    seed: int = 7
    model: str = "fanmail-sim-1"


class EmailCounts(BaseModel):
    requests: int = 0  # every request carrying this email, including window 429s and repairs
    attempts: int = 0  # first turns past the rate-limit gate: the n used for the fault draw
    repairs: int = 0  # repair turns past the gate
    ok: int = 0  # successful classifications sent back
    first_latency_s: float | None = None  # the latency drawn for the first attempt: the ideal's input
    fates: list[Fate] = Field(default_factory=list)  # every answer's fate, in order


class SimStats(BaseModel):
    """Server-side truth. Timestamps are time.monotonic() (system-wide on Linux)."""

    total: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    rate_limited: int = 0  # all 429s
    rate_limited_rpm: int = 0  # the 429s from the request window
    rate_limited_tpm: int = 0  # the 429s from the token window
    unauthorized: int = 0
    bad_requests: int = 0
    ok: int = 0
    failed: int = 0
    hung: int = 0
    garbage: int = 0
    overloaded: int = 0
    refused: int = 0
    repairs: int = 0
    cancelled: int = 0  # requests whose client went away before the answer (handler cancelled)
    answers_prepared: int = 0  # answers worked out before serving (`fanmail sim --prepare`)
    prepared_used: int = 0  # requests one of them answered
    per_email: dict[str, EmailCounts] = Field(default_factory=dict)
    accepted_at: list[float] = Field(default_factory=list)  # non-429 requests past auth
    tokens_at: list[tuple[float, int]] = Field(default_factory=list)  # (admitted at, tokens charged)
    arrived_at: list[float] = Field(default_factory=list)  # every model request, even refused ones
    limited_at: list[tuple[float, float]] = Field(default_factory=list)  # (429 sent at, retry-after)

    def max_in_window(self, window_s: float = RPM_WINDOW_S) -> int:
        """Most accepted requests in any sliding window: compare with an RPM limit."""
        times = sorted(self.accepted_at)
        best, lo = 0, 0
        for hi, t in enumerate(times):
            while t - times[lo] >= window_s:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    def max_tokens_in_window(self, window_s: float = RPM_WINDOW_S) -> int:
        """Most tokens admitted in any sliding window: compare with a TPM limit."""
        charges = sorted(self.tokens_at)
        best = running = lo = 0
        for t, tokens in charges:
            running += tokens
            while t - charges[lo][0] >= window_s:
                running -= charges[lo][1]
                lo += 1
            best = max(best, running)
        return best


def sim_config_from_settings(settings: Settings) -> SimConfig:
    """The built-in demo simulator as the settings describe it."""
    return SimConfig(
        latency=settings.sim_latency,
        jitter=settings.sim_jitter,
        fail_rate=settings.sim_fail_rate,
        hang_rate=settings.sim_hang_rate,
        garbage_rate=settings.sim_garbage_rate,
        rate_429=settings.sim_429_rate,
        stuck_rate=settings.sim_stuck_rate or 0.0,
        stuck_attempts=settings.retries + 1,  # outlasts the retries: the operator's retry gets through
        rpm=settings.sim_rpm,
        tpm=settings.sim_tpm,
        seed=settings.seed,
        model=settings.model,
    )
