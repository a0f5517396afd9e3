"""A campaign as a run: one sending agent per segment under the cap, ending in one `CampaignDone`.

The SMTP rules per recipient are the sender's (tui/outbound/campaign.py); this puts the agents
together, closes the personalizer's session, and says which segments stopped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tui.fanout.cap import run_agents
from tui.outbound.campaign import CampaignSender, SendOptions
from tui.outbound.contacts import Contact
from tui.outbound.ledger import Ledger
from tui.outbound.personalize import Personalizer
from tui.outbound.template import Renderer
from tui.run import BaseRun, Emit

Todo = dict[str, list[tuple[Contact, int]]]  # per segment, the (contact, attempts so far) still to send


@dataclass(frozen=True, slots=True)
class CampaignDone:
    failed_segments: dict[str, str]  # segment -> why its agent stopped
    wall_s: float


class CampaignRun(BaseRun):
    def __init__(self, ledger: Ledger, campaign_id: str, renderer: Renderer, options: SendOptions, todo: Todo,
                 personalizer: Personalizer | None = None) -> None:
        self.ledger, self.campaign_id, self.renderer, self.options = ledger, campaign_id, renderer, options
        self.todo = {name: items for name, items in todo.items() if items}
        self.personalizer = personalizer

    async def run(self, emit: Emit) -> None:
        started = time.monotonic()
        sender = CampaignSender(self.ledger, self.campaign_id, self.renderer, self.options, emit, self.personalizer)
        try:
            errors = await run_agents(list(self.todo.items()), lambda item: sender.segment(*item),
                                      concurrency=self.options.fanout.concurrency)
        finally:
            if self.personalizer is not None:
                await self.personalizer.aclose()
        failed = {name: error for name, error in zip(self.todo, errors) if error is not None}
        emit(CampaignDone(failed, time.monotonic() - started))
