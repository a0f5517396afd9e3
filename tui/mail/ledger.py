"""The action ledger as the appliers use it: reads and commits off the event loop (SQLite blocks).

`store` is a `tui.store.Store` or None (no store: nothing is recorded and nothing counts as done).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Protocol


class Keyed(Protocol):
    key: str
    email_id: str
    kind: str
    detail: str


async def statuses(store: Any, actions: Iterable[Keyed]) -> dict[str, str]:
    """Each action's recorded status by key; actions never recorded are absent."""
    if store is None:
        return {}
    keys = [a.key for a in actions]

    def read() -> dict[str, str]:
        return {k: s for k in keys if (s := store.action_status(k)) is not None}

    return await asyncio.to_thread(read)


async def applied_keys(store: Any, actions: Iterable[Keyed]) -> set[str]:
    return {k for k, s in (await statuses(store, actions)).items() if s == "applied"}


async def record(store: Any, run_id: str, actions: list[Keyed], status: str = "applied") -> None:
    """Commit before returning: what is recorded applied is never applied again, even after a kill."""
    if store is None or not actions:
        return

    def write() -> None:
        for a in actions:
            store.record_action(a.key, run_id=run_id, email_id=a.email_id, action=a.kind, detail=a.detail,
                                status=status)

    await asyncio.to_thread(write)
