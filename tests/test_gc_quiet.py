"""The run's collector settings: put back when the run ends, without a collection of everything
the run made right after it (the objects join the oldest generation unscanned)."""

from __future__ import annotations

import gc

from tui.fanout.gc_quiet import GEN0_THRESHOLD, quiet_gc


def test_thresholds_are_put_back_and_no_young_collection_follows_the_run() -> None:
    before = gc.get_threshold()
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    with quiet_gc():
        with quiet_gc():  # nested runs (a dashboard's retries): only the outer one restores
            assert gc.get_threshold()[0] == max(before[0], GEN0_THRESHOLD)
        made = [[] for _ in range(20_000)]  # the rows and verdicts a run keeps
        gc.callbacks.append(seen)
    try:
        after = [[] for _ in range(100)]  # fewer allocations than start a young collection
    finally:
        gc.callbacks.remove(seen)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    assert collections == [], "the run's objects were left for a young collection"
    assert len(made) == 20_000 and len(after) == 100
