"""The one cap helper for runs whose agents are not emails: campaign segments, provisioned users,
extraction documents (tui/run/campaign.py, provision.py, extract.py), and how such an agent's
failure is said in one line.

Triage's `Coordinator` (tui/fanout/run.py) is built around emails, providers and rebalancing;
these agents only need the cap, their own timeout and failure isolation, which is all this is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


async def run_agents(items: Sequence[Item], agent: Callable[[Item], Awaitable[Result]], *,
                     concurrency: int) -> list[Result]:
    """One task per item, at most `concurrency` of them inside `agent` at once; results in item
    order. `agent` turns its own failure into its result, so one agent never stops another; if
    the caller is cancelled, every agent is cancelled and awaited before this returns."""
    cap = asyncio.Semaphore(max(1, concurrency))

    async def capped(item: Item) -> Result:
        async with cap:
            return await agent(item)

    tasks = [asyncio.create_task(capped(item)) for item in items]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def failure_line(exc: BaseException, expected: tuple[type[BaseException], ...] = ()) -> str:
    """A failure in one line: an expected error in its own words (they are written to
    be shown), anything else by its type only (a bug's message may hold anything)."""
    if isinstance(exc, expected):
        return " ".join(str(exc).split()) or type(exc).__name__
    return f"internal error: {type(exc).__name__}"
