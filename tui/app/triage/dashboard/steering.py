"""Steering the run's agents from the dashboard: r retries one, R every failed one, c cancels, p pauses.

A steering key that cannot act now is dimmed in the footer; pressed anyway, it says why instead
of doing nothing silently.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.binding import Binding

from tui.app.triage.dashboard.host import DashboardHost

STEERING = ("retry", "retry_all", "cancel", "toggle_pause")
EXPLAINED = ("retry", "retry_all", "toggle_pause")  # the dimmed keys that say why when pressed


class Steering(DashboardHost):
    """The steering actions and their gates; the host is the dashboard screen."""

    BINDINGS: list[Any]
    _stored: bool  # `fanmail review`: a stored run, nothing left to steer

    def check_steering(self, action: str) -> bool | None:
        """True: the key acts now; None: shown dimmed; False: not shown (a stored run)."""
        if self._stored:
            return False
        agent = self.state.agents.get(self.grid.selected or "") if self.is_mounted else None
        if action == "retry":
            return True if agent is not None and agent.retryable else None
        if action == "retry_all":
            return True if self.state.retryable() else None
        if action == "cancel":
            return True if agent is not None and agent.active else None
        return True if self.state.busy else None  # toggle_pause

    def _disabled_action(self, key: str) -> str | None:
        """The steering action bound to `key` (as the keymap has it), if that is what the key meant."""
        keymap: dict[str, str] = getattr(self.app, "keymap", {})
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action in EXPLAINED:
                keys = keymap.get(binding.id or "", binding.key)
                if key in (k.strip() for k in keys.split(",")):
                    return binding.action
        return None

    def explain_disabled(self, event: events.Key) -> None:
        """A dimmed steering key was pressed: say why it does nothing (and keep it from anything else)."""
        action = self._disabled_action(event.key)
        if action is None or self._stored or self.check_steering(action) is not None:
            return
        event.stop()
        if action == "toggle_pause":
            why = "the run has finished: nothing left to pause" if self.state.finished else "nothing is running to pause"
        elif self.state.busy and action == "retry_all":
            why = "nothing to retry yet: no agent has failed"
        else:
            why = "nothing to retry: no agent has failed emails" if action == "retry_all" else (
                f"nothing to retry: {self.grid.selected or 'no agent'} has no failed emails (r retries a failed, "
                "timed-out or cancelled agent)")
        self.app.notify(why, timeout=self.note_timeout, markup=False)

    def action_retry(self) -> None:
        agent_id = self.grid.selected
        if agent_id and self.session.retry(agent_id):
            self.app.notify(f"retrying {agent_id}", timeout=self.note_timeout)
        else:
            self.app.notify(f"{agent_id or 'no agent'}: nothing to retry (only failed, timed-out or cancelled "
                            "agents with failed emails)", severity="warning", timeout=self.note_timeout, markup=False)

    def action_retry_all(self) -> None:
        retried = self.session.retry_failed()
        if retried:
            self.app.notify(f"retrying {len(retried)} agents: {', '.join(retried[:8])}"
                            + ("…" if len(retried) > 8 else ""), timeout=self.note_timeout, markup=False)
        else:
            self.app.notify("no failed agents to retry", severity="warning", timeout=self.note_timeout)

    def action_cancel(self) -> None:
        agent_id = self.grid.selected
        if agent_id and self.session.cancel(agent_id):
            self.app.notify(f"cancelling {agent_id}", severity="warning", timeout=self.note_timeout)
        else:
            self.app.notify(f"{agent_id or 'no agent'} is not running", severity="warning", timeout=self.note_timeout)

    def action_toggle_pause(self) -> None:
        """Pause holds back new launches; agents already running finish their batch."""
        if self.state.paused:
            self.session.resume()
        else:
            self.session.pause()
