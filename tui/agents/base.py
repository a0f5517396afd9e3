"""The one interface every model backend implements, and the errors the engine understands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol

from tui.model import Email, Verdict


class ProviderError(Exception):
    """A request failed. `retryable` tells the engine whether trying again can help."""

    retryable: bool = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimitError(ProviderError):
    """HTTP 429 (or 529 overloaded): wait `retry_after` seconds; it does not count as an attempt."""


class BadAnswerError(ProviderError):
    """The model answered, but not with a valid verdict (garbage JSON, truncation)."""


class RefusedError(BadAnswerError):
    """The model declined to classify this email. Asking again gets the same answer: fail the
    email, not the run, and do not retry."""

    retryable = False


class EmailRejectedError(ProviderError):
    """The provider rejects this one email (context length exceeded, request too large, content
    filter): its row fails with the reason, the run goes on, and retrying cannot help."""

    retryable = False


class FatalProviderError(ProviderError):
    """401/403/400 and the like: retrying cannot help, so the whole run stops with one line."""

    retryable = False


class QuotaError(FatalProviderError):
    """Out of credit or over the spending limit (OpenAI `insufficient_quota`, Anthropic billing
    errors): waiting will not help, so the run stops launching and says so."""


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """The server's view of our budget, from its rate-limit headers (any field may be missing).

    `reset_*_s` is seconds from when the response arrived until the budget is replenished.
    """

    limit_requests: int | None = None
    remaining_requests: int | None = None
    reset_requests_s: float | None = None
    limit_tokens: int | None = None
    remaining_tokens: int | None = None
    reset_tokens_s: float | None = None


@dataclass(slots=True)
class Exchange:
    """What one `classify()` call tells the engine about the wire, and how it asks for more.

    The engine sets one per call (see `current_exchange`) before calling `classify`; a provider
    that sends HTTP reports every response with `responded` (usage and rate-limit headers feed
    the pacer, so the token budget is corrected and the pace follows the provider) and awaits
    `before_extra_request` before any request beyond the first (a schema-repair attempt, a
    resend after a format fallback), so the run's RPM/TPM budget also covers those.
    Providers without HTTP ignore it; so does everything when no engine is around (tests).
    """

    pace: Callable[[int], Awaitable[None]] | None = None
    observe: Callable[["RateLimitInfo | None", int | None], None] | None = None
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    notes: list[str] = field(default_factory=list)

    async def before_extra_request(self, estimated_tokens: int) -> None:
        if self.pace is not None:
            await self.pace(estimated_tokens)

    def responded(self, info: RateLimitInfo | None, input_tokens: int | None = None,
                  output_tokens: int | None = None) -> None:
        self.requests += 1
        used = None
        if input_tokens is not None or output_tokens is not None:
            self.input_tokens += input_tokens or 0
            self.output_tokens += output_tokens or 0
            used = (input_tokens or 0) + (output_tokens or 0)
        if self.observe is not None:
            self.observe(info, used)


_EXCHANGE: ContextVar[Exchange | None] = ContextVar("fanmail_exchange", default=None)


def current_exchange() -> Exchange | None:
    """The exchange of the classify() call running in this task, if the engine set one."""
    return _EXCHANGE.get()


def set_exchange(exchange: Exchange | None) -> object:
    """Install an exchange for this task; returns the token for `reset_exchange`."""
    return _EXCHANGE.set(exchange)


def reset_exchange(token: object) -> None:
    _EXCHANGE.reset(token)  # type: ignore[arg-type]


class Provider(Protocol):
    """Classifies one email at a time. Implementations must be safe to call concurrently."""

    name: str
    model: str
    expected_latency_s: float

    async def check(self) -> None:
        """One cheap request before fanning out, so a bad key or URL fails once, not N times."""

    async def classify(self, email: Email) -> Verdict:
        """Return the verdict or raise a ProviderError subclass."""

    async def aclose(self) -> None:
        """Release connections."""
