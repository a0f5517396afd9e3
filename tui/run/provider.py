"""The provider a triage run classifies with: the engine's backend with the rule book in front.

The wrapping lives here, in the run layer, so tui/agents never reaches up into tui/review.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tui.agents.base import Provider
from tui.agents.runtime import open_provider
from tui.review.decide import wrap
from tui.settings import Settings


@asynccontextmanager
async def open_run_provider(settings: Settings) -> AsyncIterator[Provider]:
    """Config rules and rules learned from corrections decide the mail they match without a request."""
    async with open_provider(settings) as backend:
        yield wrap(backend, settings)  # type: ignore[misc]
