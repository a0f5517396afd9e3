"""`fanmail campaign ... --apply --dashboard`: the fanmail app opened on the campaign view.

Same app (themes, keymap, help: `ViewApp`), another default screen.
"""

from __future__ import annotations

from tui.app.screens.campaign import CampaignScreen
from tui.app.view_app import ViewApp
from tui.outbound.campaign import CampaignSender
from tui.outbound.contacts import Contact
from tui.settings import Settings


class CampaignSession:
    """Nothing to close: the sender's agents stop with the screen's worker."""

    def close(self) -> None:
        return None


class CampaignApp(ViewApp):
    terminal_hint = "drop --dashboard"

    def __init__(self, settings: Settings, sender: CampaignSender, todo: dict[str, list[tuple[Contact, int]]],
                 label: str) -> None:
        super().__init__(settings, CampaignSession(), lambda: CampaignScreen(sender, todo, label), "Campaign",
                         CampaignScreen.BINDINGS)


def run_campaign_app(settings: Settings, sender: CampaignSender, todo: dict[str, list[tuple[Contact, int]]],
                     label: str) -> None:
    CampaignApp(settings, sender, todo, label).run()
