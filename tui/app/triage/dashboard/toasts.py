"""The run's notes as toasts: a few at a time, and every failed agent in one toast that is replaced.

A provider outage fails many agents within a second; a toast each would bury the grid, so the
failures share one notification that names them and is swapped as more fail.
"""

from __future__ import annotations

from textual.app import App
from textual.notifications import Notification, Notify

from tui.app.triage.state import Note

MAX_TOASTS = 3  # per flush; a provider outage must not bury the screen in notifications


class Toaster:
    """Turns the notes `RunState.take_notes` hands over at each flush into notifications."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self._failed_agents: list[str] = []  # named in the one failure toast
        self._failure_note: Notification | None = None

    def show(self, app: App[object], notes: list[Note]) -> None:
        failures = [n for n in notes if n.agent is not None]
        notes = [n for n in notes if n.agent is None]
        shown = notes[:MAX_TOASTS]
        for note in shown:
            app.notify(note.text, severity=note.severity, timeout=self.timeout, markup=False)  # type: ignore[arg-type]
        if len(notes) > len(shown):
            app.notify(f"…and {len(notes) - len(shown)} more (R retries every failed agent)",
                            severity="warning", timeout=self.timeout, markup=False)
        if failures:
            self._failure_toast(app, failures)

    def _failure_toast(self, app: App[object], failures: list[Note]) -> None:
        """Failed agents share one toast, replaced as more fail, so they never pile over the grid."""
        for note in failures:
            if note.agent not in self._failed_agents:
                self._failed_agents.append(note.agent or "")
        names = self._failed_agents
        text = failures[-1].text if len(names) == 1 else (
            f"{len(names)} agents failed: {', '.join(names[:6])}{'…' if len(names) > 6 else ''}; last: "
            f"{failures[-1].text} (R retries every failed agent)")
        # Textual has no public replace; both steps are synchronous, since a Notify still queued
        # when the next failure replaces it would land after the removal and leave two toasts.
        if self._failure_note is not None:
            app._unnotify(self._failure_note, refresh=False)
        timeout = self.timeout if self.timeout is not None else app.NOTIFICATION_TIMEOUT
        self._failure_note = Notification(text, "", "error", timeout, markup=False)
        app._on_notify(Notify(self._failure_note))
