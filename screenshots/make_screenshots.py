"""Render the main screens to SVG in this folder, from the same deterministic replay as the snapshots.

    python screenshots/make_screenshots.py

The run is recorded once (real coordinator, scripted provider, manual clock: see
tui/app/replay.py), so the pictures are identical on every machine and every run.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from tui.app.replay import Recording, arecord_demo, replay_app  # noqa: E402

WIDE = (160, 48)
SMALL = (80, 24)


async def shoot(recording: Recording, name: str, *, stop: str = "mid", size: tuple[int, int] = WIDE,
                theme: str | None = None, select: str | None = "a03", toasts: bool = True,
                then: Callable[..., Awaitable[None]] | None = None) -> Path:
    app, settle = replay_app(recording, stop, theme=theme, select=select, toasts=toasts)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        if then is not None:
            await then(app, pilot)
        await pilot.pause()
        path = HERE / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
    return path


async def open_urgent(app, pilot) -> None:  # noqa: ANN001
    app.dashboard.open_email("s00146")  # subject "[bold red]URGENT[/] server down", ANSI in the body
    await pilot.pause()


async def press(*keys: str) -> Callable[..., Awaitable[None]]:
    async def go(app, pilot) -> None:  # noqa: ANN001
        await pilot.press(*keys)
        await pilot.pause()
    return go


async def main() -> None:
    recording = await arecord_demo()
    shots = [
        await shoot(recording, "dashboard"),
        await shoot(recording, "dashboard-80x24", size=SMALL),
        await shoot(recording, "dashboard-light", theme="fanmail-light"),
        await shoot(recording, "email-detail", stop="done", select=None, toasts=False, then=open_urgent),
        await shoot(recording, "help", toasts=False, then=await press("question_mark")),
        await shoot(recording, "run-report", stop="retried", select=None, toasts=False, then=await press("t")),
    ]
    for path in shots:
        print(path.relative_to(HERE.parent))


if __name__ == "__main__":
    asyncio.run(main())
