"""The executor boundary: what crosses between the coordinator and wherever a sub-agent runs.

The coordinator keeps the agent's queue, its retries, timeouts, rebalancing and telemetry. For
each attempt at an email it asks the agent's worker, which calls back `started(waited_s)` once
the rate limit let the request go and returns `AttemptOk` or `AttemptFailed` (with a retryable
flag). A call and a callback, not an async generator of events: an attempt is made 10,000 times
a run, and a generator's machinery cost more than the rest of the handing over. A worker that disappears (its process or node died)
raises `WorkerLost`, so the coordinator can hand the agent's unreported emails to another agent.

Nothing secret crosses: an `AgentSpec` names the provider, model, endpoint and the *name* of the
variable holding the key; remote workers read the key from their own environment.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from tui.agents.base import Exchange, FatalProviderError, Provider, ProviderError, RateLimitError
from tui.fanout.deadlines import RequestDeadlines
from tui.model import Email, Verdict
from tui.settings import ProviderName, Route, Settings


class AgentSpec(BaseModel):
    """Enough to build the run's provider anywhere: never a key, only where to find one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: ProviderName
    model: str
    base_url: str | None
    api_key_env: str | None
    max_body_chars: int
    routes: list[Route]
    expected_latency_s: float
    per_email_timeout_s: float
    paced: bool = False  # an RPM/TPM limit is set: every request asks the cluster's limiter first
    # What the run put in front of its backend (the review rule book), a picklable callable
    # backend -> provider: an agent on another node decides a rule's mail as the driver would.
    front: Any = None

    @classmethod
    def for_run(cls, settings: Settings, provider: Provider, per_email_timeout: float) -> "AgentSpec":
        return cls(
            provider=settings.provider,
            model=settings.model,
            # the endpoint the driver resolved (e.g. the built-in simulator's port)
            base_url=getattr(provider, "base_url", None) or settings.base_url,
            api_key_env=settings.api_key_env,
            max_body_chars=settings.max_body_chars,
            routes=settings.routes,
            expected_latency_s=provider.expected_latency_s,
            per_email_timeout_s=per_email_timeout,
            paced=bool(settings.rpm or settings.tpm),
            front=getattr(provider, "front", None),
        )

    def settings(self) -> Settings:
        """The settings a worker builds its provider from (defaults for everything else)."""
        return Settings(provider=self.provider, model=self.model, base_url=self.base_url,
                        api_key_env=self.api_key_env, max_body_chars=self.max_body_chars,
                        routes=self.routes, sim_latency=self.expected_latency_s)


@dataclass(frozen=True, slots=True)
class AttemptStarted:
    """The request is about to go out; `waited_s` was spent waiting for the rate limit. What a
    Ray actor streams back to its worker, which calls `started` with it."""

    waited_s: float


@dataclass(frozen=True, slots=True)
class AttemptOk:
    verdict: Verdict
    took_s: float


@dataclass(frozen=True, slots=True)
class AttemptFailed:
    """kind: rate_limited (a 429: not an attempt), fatal (stop the run), timeout or error."""

    kind: Literal["rate_limited", "fatal", "timeout", "error"]
    error: str
    retryable: bool
    took_s: float
    retry_after_s: float | None = None


AttemptEvent = AttemptStarted | AttemptOk | AttemptFailed


class WorkerLost(Exception):
    """The worker running an agent is gone (its process or node died); its email in hand was
    not reported, so it is not done."""


class AgentWorker(Protocol):
    """Where one sub-agent's requests run, for as long as the agent runs."""

    async def attempt(self, email: Email, started: Callable[[float], None]) -> AttemptOk | AttemptFailed:
        """One try at one email: `started(waited_s)` as the request goes out (once the rate
        limit let it), then its outcome."""

    def hold_off(self, seconds: float) -> None:
        """A 429's Retry-After: nobody sharing this rate limit sends for `seconds`."""

    def release(self) -> None:
        """The agent ended: give the worker back (or forget it, if it died)."""


class Executor(Protocol):
    name: str

    async def start(self, agents: int) -> dict[str, Any] | None:
        """Get ready for up to `agents` agents at once; returns what the header shows about
        the cluster (None: this process)."""

    def open(self, agent_id: str) -> AgentWorker:
        """A worker for an agent that got its concurrency slot."""

    async def close(self) -> None:
        """The run is over: stop every worker."""

    def budget_left(self) -> float | None:
        """Share of the rate limit the run's agents left unused over the last minute (None: no
        limit); the limiter the agents really ask, wherever it runs. Read by the dashboard."""


async def classify_once(
    provider: Provider,
    email: Email,
    deadlines: RequestDeadlines,
    exchange: AbstractContextManager[Exchange],
    clock: Callable[[], float],
) -> AttemptOk | AttemptFailed:
    """One request, its failure mapped to what the coordinator decides on. Shared by every
    executor so a local and a remote agent judge errors the same way."""
    sent = clock()
    try:
        with deadlines.watch():  # the per-request timeout, on the run's one timer
            with exchange:  # usage and rate-limit headers feed the pacer
                verdict = await provider.classify(email)
    except RateLimitError as exc:
        return AttemptFailed("rate_limited", str(exc), True, clock() - sent, exc.retry_after)
    except FatalProviderError as exc:
        return AttemptFailed("fatal", str(exc), False, clock() - sent)
    except TimeoutError:
        return AttemptFailed("timeout", f"no answer within {deadlines.seconds:.1f}s", True, clock() - sent)
    except ProviderError as exc:  # not retryable: a refusal, or a 400 about this one email
        return AttemptFailed("error", str(exc) or type(exc).__name__, exc.retryable, clock() - sent)
    except Exception as exc:  # a provider bug must not take the agent's siblings down
        return AttemptFailed("error", f"{type(exc).__name__}: {exc}", True, clock() - sent)
    return AttemptOk(verdict, clock() - sent)
