"""The campaign view: one panel per segment agent, live, against a real aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections import Counter

from campaign_smtp import CampaignHandler, server_factory  # noqa: F401 - fixture
from test_campaign import write_contacts, write_template
from textual.widgets import DataTable

from tui.app.campaign.app import CampaignApp
from tui.app.campaign.screen import CampaignScreen
from tui.app.widgets.agent_panel import AgentPanel
from tui.mail.smtp import parse_smtp_url
from tui.outbound.campaign import SendOptions
from tui.run.campaign import CampaignRun
from tui.outbound.campaign_plan import build_plan, register, still_to_send
from tui.outbound.ledger import Ledger
from tui.settings import Settings


async def test_one_panel_per_segment_fills_live(tmp_path, server_factory) -> None:
    segments = ["north", "south", "east", "west"]
    addresses = write_contacts(tmp_path / "contacts.csv", per_segment=15, segments=segments)
    write_template(tmp_path / "t.txt")
    refuse = {addresses[2], addresses[17], addresses[18]}
    defer = {addresses[40]}
    handler = CampaignHandler(refuse=refuse, defer_once=defer, latency=0.005)
    server = server_factory(handler)
    options = SendOptions(target=parse_smtp_url(server.url), sender="news@sender.test", insecure=True,
                          retry_delay=0.05)
    plan = build_plan(tmp_path / "contacts.csv", tmp_path / "t.txt", sender=options.sender, segment_by="region",
                      options=options)
    with Ledger(tmp_path / "outbound.db") as ledger:
        register(plan, ledger, {})
        todo = still_to_send(plan, ledger)
        app = CampaignApp(Settings(), CampaignRun(ledger, plan.campaign_id, plan.renderer, options, todo),
                          "campaign test")
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, CampaignScreen)
            for _ in range(400):
                if screen.state.finished and screen.rows_shown == len(addresses):
                    break
                await asyncio.sleep(0.05)
            await pilot.pause()
            cards = {p.card.agent_id: p.card for p in screen.query(AgentPanel)}
            assert sorted(cards) == sorted(segments)  # one panel per segment
            refused_per_segment = Counter(a.split("@")[0].split(".")[1] for a in refuse)
            for name, card in cards.items():
                assert (card.state, card.done, card.total) == ("done", 15, 15)
                assert card.failed == refused_per_segment[name]
            deferred_segment = addresses[40].split("@")[0].split(".")[1]
            assert {n: c.retries for n, c in cards.items()} == {n: int(n == deferred_segment) for n in segments}
            table = screen.query_one("#outcomes", DataTable)
            assert table.row_count == len(addresses)
            assert str(table.get_row(addresses[2])[2]) == "refused"
            assert str(table.get_row(addresses[40])[2]) == "accepted"
            header = str(screen.query_one("#campaign-header").render())
            assert "60/60 recipients" in header and "refused 3" in header and "accepted 57" in header
            await pilot.press("q")
    assert sum(handler.snapshot()[1].values()) == len(addresses) - len(refuse)


async def test_a_failed_campaign_run_is_on_screen_and_in_the_log(tmp_path, server_factory, caplog) -> None:
    """The run itself failing (its ledger gone mid-campaign) reaches the header, a toast and the log,
    instead of a worker dying in silence."""
    addresses = write_contacts(tmp_path / "contacts.csv", per_segment=3, segments=["north", "south"])
    write_template(tmp_path / "t.txt")
    server = server_factory(CampaignHandler())
    options = SendOptions(target=parse_smtp_url(server.url), sender="news@sender.test", insecure=True)
    plan = build_plan(tmp_path / "contacts.csv", tmp_path / "t.txt", sender=options.sender, segment_by="region",
                      options=options)
    ledger = Ledger(tmp_path / "outbound.db")
    register(plan, ledger, {})
    todo = still_to_send(plan, ledger)
    ledger.close()  # every write now fails, the one that notes what was left pending too
    app = CampaignApp(Settings(), CampaignRun(ledger, plan.campaign_id, plan.renderer, options, todo), "campaign")
    with caplog.at_level("ERROR", logger="tui.run"):
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, CampaignScreen)
            for _ in range(400):
                if screen.state.stopped:
                    break
                await asyncio.sleep(0.05)
            await pilot.pause()
            assert screen.state.stopped == "internal error: ProgrammingError"
            header = str(screen.query_one("#campaign-header").render())
            assert "stopped: internal error: ProgrammingError" in header
            assert any("campaign stopped: internal error" in str(n.message) for n in app._notifications)
            await pilot.press("q")
    assert any(r.message.startswith("run stopped: internal error: ProgrammingError") and r.exc_info
               for r in caplog.records)
    assert app.state.failed_segments() == {"(run)": "internal error: ProgrammingError"}
    assert len(addresses) == 6
