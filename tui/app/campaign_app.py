"""`fanmail campaign ... --apply --dashboard`: the fanmail app opened on the campaign view.

Same app (themes, keymap, help), another default screen; the session is the campaign's sender.
"""

from __future__ import annotations

from tui.app.app import FanmailApp
from tui.app.screens.campaign import CampaignScreen
from tui.app.screens.help import HelpScreen
from tui.outbound.campaign import CampaignSender
from tui.outbound.contacts import Contact
from tui.settings import Settings


class CampaignSession:
    """The one piece of the dashboard's Session protocol the app calls: close()."""

    def close(self) -> None:
        return None


class CampaignApp(FanmailApp):
    def __init__(self, settings: Settings, sender: CampaignSender, todo: dict[str, list[tuple[Contact, int]]],
                 label: str) -> None:
        super().__init__(settings, CampaignSession())  # type: ignore[arg-type]
        self.campaign_sender = sender
        self.campaign_todo = todo
        self.campaign_label = label

    def get_default_screen(self) -> CampaignScreen:  # type: ignore[override]
        return CampaignScreen(self.campaign_sender, self.campaign_todo, self.campaign_label)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen([("Campaign", CampaignScreen.BINDINGS), ("App", FanmailApp.BINDINGS)]))

    async def action_quit(self) -> None:
        self._close_and_exit()


def run_campaign_app(settings: Settings, sender: CampaignSender, todo: dict[str, list[tuple[Contact, int]]],
                     label: str) -> None:
    CampaignApp(settings, sender, todo, label).run()
