"""Render the main screens to SVG in this folder, from the same deterministic replay as the snapshots.

    python screenshots/make_screenshots.py

The triage run and the watch are recorded once (real coordinator, scripted provider, manual clock: see
tui/app/triage/replay.py), so those pictures are identical on every machine and every run. The
extraction and campaign views are shot at the end of a real run (seeded documents, offline
rules; a local aiosmtpd that refuses and defers a few recipients), so only their timings vary.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing
sys.path.insert(0, str(HERE.parent / "tests"))  # the campaign shot's SMTP server

from tui.app.triage.replay import Recording, arecord_demo, replay_app  # noqa: E402

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


async def finished_view(app, name: str, size: tuple[int, int] = WIDE) -> Path:  # noqa: ANN001
    """Run a live view until its run is over and every row is on screen, then shoot it."""
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        shown, still = -1, 0
        for _ in range(1200):  # finished, and no new row for half a second
            still = still + 1 if screen.rows_shown == shown else 0
            shown = screen.rows_shown
            if screen.state.finished and still >= 10:
                break
            await asyncio.sleep(0.05)
        await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    return HERE / f"{name}.svg"


async def review_desk(recording: Recording) -> Path:
    """`fanmail review` on the recorded run: one email corrected, the queue only, two marked, the route picker open."""
    import tempfile

    from tui.app.triage.replay import review_app

    with tempfile.TemporaryDirectory() as tmp:
        app, settle = review_app(recording, f"{tmp}/store.db")
        async with app.run_test(size=WIDE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("n", "m", *"sales", "enter")
            desk = app.dashboard.desk()
            for _ in range(200):  # shown once the store has it
                if any(desk.corrections(e) for e in app.dashboard.state.inbox.rows):
                    break
                await pilot.pause(0.05)
            await pilot.press("v", "space", "space", "m", "b", "i")
            await pilot.pause()
            app.save_screenshot(filename="review-desk.svg", path=str(HERE))
    return HERE / "review-desk.svg"


async def watch() -> Path:
    """`fanmail watch` from a recorded watch (tui/app/watch/replay.py): waves folded, one failed agent, one at work."""
    from tui.app.watch.replay import arecord_watch, watch_replay_app

    app, settle = watch_replay_app(await arecord_watch())
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        app.save_screenshot(filename="watch.svg", path=str(HERE))
    return HERE / "watch.svg"


async def extraction() -> Path:
    from tui.app.extract.app import make_extract_app
    from tui.extract.documents import load_messages
    from tui.run.extract import ExtractOptions
    from tui.settings import Settings

    app = make_extract_app(Settings(provider="rules"), "docs-sample:24", load_messages("docs-sample:24", seed=7),
                           ExtractOptions(workers=2))
    try:
        return await finished_view(app, "extraction")
    finally:
        app.extract_run.close()


async def campaign() -> Path:
    import tempfile

    from campaign_smtp import CampaignHandler, CampaignSmtp
    from test_campaign import write_contacts, write_template

    from tui.app.campaign.app import CampaignApp
    from tui.mail.smtp import parse_smtp_url
    from tui.outbound.campaign import SendOptions
    from tui.run.campaign import CampaignRun
    from tui.outbound.campaign_plan import build_plan, register, still_to_send
    from tui.outbound.ledger import Ledger
    from tui.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        addresses = write_contacts(folder / "contacts.csv", per_segment=40,
                                   segments=["emea", "apac", "amer", "latam", "nordics"])
        write_template(folder / "t.txt")
        handler = CampaignHandler(refuse=set(addresses[3::37]), defer_once=set(addresses[5::23]), latency=0.01)
        with CampaignSmtp(handler) as server:
            options = SendOptions(target=parse_smtp_url(server.url), sender="news@sender.test", insecure=True,
                                  retry_delay=0.2)
            plan = build_plan(folder / "contacts.csv", folder / "t.txt", sender=options.sender,
                              segment_by="region", options=options, name="spring-news")
            with Ledger(folder / "outbound.db") as ledger:
                register(plan, ledger, {})
                run = CampaignRun(ledger, plan.campaign_id, plan.renderer, options, still_to_send(plan, ledger))
                app = CampaignApp(Settings(), run, "campaign spring-news")
                shot = await finished_view(app, "campaign")
    return shot


async def main() -> None:
    recording = await arecord_demo()
    shots = [
        await shoot(recording, "dashboard"),
        await shoot(recording, "dashboard-80x24", size=SMALL),
        await shoot(recording, "dashboard-light", theme="fanmail-light"),
        await shoot(recording, "email-detail", stop="done", select=None, toasts=False, then=open_urgent),
        await shoot(recording, "help", toasts=False, then=await press("question_mark")),
        await shoot(recording, "run-report", stop="retried", select=None, toasts=False, then=await press("t")),
        await review_desk(recording),
        await watch(),
        await extraction(),
        await campaign(),
    ]
    for path in shots:
        print(path.relative_to(HERE.parent))


if __name__ == "__main__":
    asyncio.run(main())
