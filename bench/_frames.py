"""Key-to-frame timing for a running Textual app (headless), shared by every bench/ui.py variant.

A frame is what Textual hands to `App._display` after composing dirty regions; a terminal driver
serialises it and writes it, the headless driver drops it. `FrameClock` wraps `_display` on the
app instance, serialises the update as a terminal would get it (`render_segments`, so that cost
counts), then timestamps it. A key counts as shown at the first frame in which the tracked
widget was repainted *after* its cursor had moved: the widget's `render_lines` is wrapped to
record the cursor value it painted. (Checking only "cursor moved" could credit a frame composed
before the widget's repaint request reached the screen.)
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget


class FrameClock:
    def __init__(self, app: App[object]) -> None:
        self.first: float | None = None
        self.frames = 0
        self.painted: Hashable = None  # the cursor value the tracked widget last painted
        self._waits: list[tuple[Hashable, asyncio.Future[float]]] = []
        show = app._display

        def display(screen: object, update: object) -> None:
            show(screen, update)  # type: ignore[arg-type]
            if update is None or app._batch_count:  # Textual drops these too
                return
            if isinstance(update, CompositorUpdate):
                update.render_segments(app.console)
            now = time.perf_counter()
            self.frames += 1
            self.first = self.first or now
            for wait in [w for w in self._waits if self.painted != w[0]]:
                self._waits.remove(wait)
                if not wait[1].done():
                    wait[1].set_result(now)

        app._display = display  # type: ignore[method-assign]

    def track(self, widget: Widget, probe: Callable[[], Hashable]) -> None:
        render_lines = widget.render_lines

        def tracked(crop):  # type: ignore[no-untyped-def]
            strips = render_lines(crop)
            self.painted = probe()
            return strips

        widget.render_lines = tracked  # type: ignore[method-assign]
        self.painted = probe()

    def frame_showing_change_from(self, before: Hashable) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waits.append((before, future))
        return future


@dataclass
class Result:
    label: str
    first_paint_ms: float
    samples: list[float] = field(default_factory=list)
    misses: int = 0
    stream_s: float = 0.0
    rows: int = 0
    ui_cpu_s: float | None = None  # CPU time of the UI's process over the stream (all its threads)

    def pct(self, q: float) -> float:
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def send_key(app: App[object], key: str) -> None:
    """Deliver a key as the terminal driver does. `pilot.press` does this and then waits for
    CPU idle (up to 1 s under streaming load) and pings every widget, which would throttle
    sampling to ~2/s and add load of its own."""
    event = events.Key(key, key)
    event.set_sender(app)
    app._driver.send_message(event)  # type: ignore[union-attr]


async def press_until(app: App[object], pilot: Pilot[object], clock: FrameClock, probe: Callable[[], Hashable],
                      done: Callable[[], bool], result: Result, *, use_pilot: bool = False, seed: int = 1) -> None:
    """Alternate j/k (the cursor stays near the top, so every press moves it) until `done()`."""
    rng = random.Random(seed)
    await asyncio.sleep(0.6)  # a couple of flushes, so there are rows to move through
    await pilot.press("j", "j")
    key = "j"
    while not done():
        before = probe()
        while clock.painted != before and not done():  # let a pending repaint land first
            await asyncio.sleep(0.005)
            before = probe()
        frame = clock.frame_showing_change_from(before)
        t0 = time.perf_counter()
        if use_pilot:
            await pilot.press(key)
        else:
            send_key(app, key)
        try:
            shown = await asyncio.wait_for(frame, 5.0)
        except TimeoutError:
            result.misses += 1
            key = "j"
            continue
        result.samples.append((shown - t0) * 1000)
        key = "k" if key == "j" else "j"
        await asyncio.sleep(rng.uniform(0.02, 0.12))  # don't phase-lock with the 4 Hz flush
