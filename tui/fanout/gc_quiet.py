"""Fewer garbage collections while a run is in flight.

A 10,000-email run holds every parsed email, row and verdict for its whole length, and each
request allocates a few hundred short-lived objects; with CPython's default thresholds the
collector walked the live set so often that it took about a fifth of the engine's CPU
(bench/fanout.py, N=10,000 C=500). During a run the objects that exist at its start are frozen
(collections skip them) and the youngest generation is collected after 300,000 allocations
instead of 700: at 50,000 a 10,000-email run still had three young collections, each walking
the rows and verdicts made since the last (9, 34, 87 ms: 13 us per email), and it finds no
garbage cycle to free on the way. Cycles are still collected, later. When the last run in the
process ends the settings are put back, and what the run made joins the oldest generation
without a scan (restoring the threshold of 700 with the run's young objects alive cost one
collection of them all).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GEN0_THRESHOLD = 300_000
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def quiet_gc() -> Iterator[None]:
    global _depth, _saved
    if _depth == 0:
        _saved = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(max(_saved[0], GEN0_THRESHOLD), *_saved[1:])
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _saved is not None:
            gc.freeze()  # what the run made joins the oldest generation unscanned, as what was there before
            gc.set_threshold(*_saved)
            gc.unfreeze()
