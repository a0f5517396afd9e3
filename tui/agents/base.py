"""The one interface every model backend implements, and the errors the engine understands."""

from __future__ import annotations

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
    """The model answered, but not with a valid verdict (garbage JSON, refusal, truncation)."""


class FatalProviderError(ProviderError):
    """401/403/400 and the like: retrying cannot help, so the whole run stops with one line."""

    retryable = False


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
