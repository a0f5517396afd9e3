"""The triage app: the shared base (tui/app/app.py) opened on triage's dashboard.

`make_app` is the one factory for the CLI, the tests, the snapshots and the screenshot script.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from textual.binding import Binding

from tui.app.app import FanmailApp, KeySections, app_key_sections, check_keymap
from tui.app.triage.review_desk import ReviewDesk
from tui.app.triage.review_keys import QUEUE_BINDINGS, correction_bindings
from tui.app.triage.confirm_actions import ConfirmActions, ConfirmOverride
from tui.app.triage.dashboard.screen import DashboardScreen
from tui.app.triage.email_detail import EmailDetail
from tui.app.triage.picker import AskNumber, Picker
from tui.app.triage.run_report import RunReportScreen
from tui.app.screens.quit_confirm import QuitConfirm
from tui.app.triage.engine_process import ProcessSession
from tui.app.triage.session import LiveSession, Session
from tui.app.widgets.agent_grid import AgentGrid
from tui.app.widgets.filter_input import FilterInput
from tui.app.triage.inbox_table import InboxTable
from tui.mail.imap_target import is_imap
from tui.mail.sources import load_source
from tui.run.triage import check_triage_args
from tui.settings import Settings, provider_label
from tui.store import Store, StoreError, store_path


class TriageApp(FanmailApp):
    """The fanmail app on triage's dashboard: the run is its session, quitting asks while agents run."""

    session: Session

    def __init__(
        self,
        settings: Settings,
        session: Session,
        *,
        clock: Callable[[], float] = time.monotonic,
        keymap: dict[str, str] | None = None,
        note_timeout: float | None = None,
        review: ReviewDesk | None = None,
    ) -> None:
        super().__init__(settings, session, keymap=keymap)
        self.clock = clock
        self.note_timeout = note_timeout
        self.review = review  # a stored run opened to review it (`fanmail review RUN_ID`)
        self.dashboard: DashboardScreen | None = None

    def get_default_screen(self) -> DashboardScreen:
        live = isinstance(self.session, (LiveSession, ProcessSession))  # a replay is not a run to correct
        self.dashboard = DashboardScreen(self.session, self.clock, self.note_timeout, review=self.review,
                                         open_review=partial(ReviewDesk.open, self.settings) if live else None)
        return self.dashboard

    def key_sections(self) -> KeySections:
        return key_sections()

    def view_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        dashboard = self.dashboard
        if dashboard is None or not dashboard.is_mounted:
            return []
        return [(c.title, c.help, c.run) for c in dashboard.commands()]

    def in_flight(self) -> tuple[int, int] | None:
        dashboard = self.dashboard
        if dashboard is None or not dashboard.state.busy:
            return None
        info = dashboard.state.header()
        return info.running, info.queued


def make_app(
    settings: Settings,
    source: str = "sample",
    *,
    session: Session | None = None,
    clock: Callable[[], float] | None = None,
    keymap: dict[str, str] | None = None,
    note_timeout: float | None = None,
    resume: str | None = None,
    apply: bool = False,
    actions_path: str | None = None,
    review: ReviewDesk | None = None,
    trace_path: str | None = None,
) -> TriageApp:
    """The app for a source (loaded now, so a bad path is a one-line CLI error), or for a given session.

    An IMAP source is read while the run goes (tui/run/triage.py); its actions are a dry run
    that the a/A keys apply, or with `apply` are applied as verdicts land."""
    check_keymap({**settings.keymap, **(keymap or {})}, key_sections())
    frozen_clock = clock is not None
    clock = clock or time.monotonic
    if session is None:
        label = f"{source} · {provider_label(settings.provider, settings.model)}"
        check_triage_args(settings, source, resume=resume, apply=apply, actions_path=actions_path, imap_urls=True)
        if is_imap(source):  # in this process: the detail screen looks up emails as they are read
            session = LiveSession(settings, source, None, label=label, clock=clock, apply=apply,
                                  actions_path=actions_path, trace_path=trace_path)
        else:
            emails = load_source(source, seed=settings.seed)
            if frozen_clock:  # an injected clock cannot cross into another process
                session = LiveSession(settings, source, emails, label=label, clock=clock, resume=resume,
                                      trace_path=trace_path)
            else:
                session = ProcessSession(settings, source, emails, label=label, resume=resume, trace_path=trace_path)
    return TriageApp(settings, session, clock=clock, keymap=keymap, note_timeout=note_timeout, review=review)


def key_sections() -> KeySections:
    """Every key of triage's dashboard by where it works: its help sections and the ids a keymap may name."""
    return [
        ("Dashboard", DashboardScreen.BINDINGS),
        ("Agent grid (focused)", AgentGrid.BINDINGS),
        ("Inbox (focused)", InboxTable.BINDINGS),
        ("Review (inbox or detail)", [*QUEUE_BINDINGS, *correction_bindings()]),
        ("Filter line", FilterInput.BINDINGS + [Binding("enter", "submit", "Keep filter, back to inbox")]),
        ("Email detail", EmailDetail.BINDINGS[:3]),
        ("Route, category and priority pickers", [*Picker.BINDINGS, *AskNumber.BINDINGS]),
        ("Run report", RunReportScreen.BINDINGS),
        ("Apply actions question", ConfirmActions.BINDINGS),
        ("Review override question", ConfirmOverride.BINDINGS),
        ("Quit question", QuitConfirm.BINDINGS),
        *app_key_sections(),
    ]


def interrupted_run(settings: Settings, source: str) -> str | None:
    """The newest run of this source that crashed or was killed, to offer resuming it."""
    try:
        with Store(store_path(settings.store)) as store:
            runs = store.list_runs(limit=20)
    except StoreError:
        return None
    return next((r.run_id for r in runs if r.source == source and r.state == "interrupted"), None)


def run_app(settings: Settings, source: str, *, resume: str | None = None, apply: bool = False,
            actions_path: str | None = None, trace_path: str | None = None) -> int:
    """Entry point used by `fanmail` and `fanmail triage SOURCE [--resume RUN_ID] [--apply] [--trace FILE]`."""
    app = make_app(settings, source, resume=resume, apply=apply, actions_path=actions_path, trace_path=trace_path)
    crashed = None if resume or is_imap(source) else interrupted_run(settings, source)
    if crashed:
        app.startup_notes.append(
            f"run {crashed} on {source} was interrupted; to finish it instead of starting over, quit and run: "
            f"fanmail triage {source} --resume {crashed}"
        )
    app.run()
    return app.return_code or 0
