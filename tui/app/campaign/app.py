"""`fanmail campaign ... --apply --dashboard`: the fanmail app opened on the campaign view.

Same app (themes, keymap, help: `ViewApp`), another default screen; the run is its session.
"""

from __future__ import annotations

from tui.app.campaign.state import CampaignState
from tui.app.campaign.screen import CampaignScreen
from tui.app.view_app import ViewApp
from tui.run.campaign import CampaignRun
from tui.settings import Settings


class CampaignApp(ViewApp):
    terminal_hint = "drop --dashboard"

    def __init__(self, settings: Settings, run: CampaignRun, label: str) -> None:
        self.state = CampaignState({name: len(items) for name, items in run.todo.items()},
                                   timeout_s=run.options.fanout.agent_timeout or 0.0)
        super().__init__(settings, run, lambda: CampaignScreen(run, label, self.state), "Campaign",
                         CampaignScreen.BINDINGS)


def run_campaign_app(settings: Settings, run: CampaignRun, label: str) -> dict[str, str]:
    """The segments that failed (the run's own failure as "(run)"), as the screen saw them."""
    app = CampaignApp(settings, run, label)
    app.run()
    return app.state.failed_segments()
