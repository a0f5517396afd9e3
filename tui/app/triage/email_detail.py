"""One email, read-only: headers, the verdict and why, then the body as plain text.

Everything from the message goes through `safe_text`: no markup parsing, control characters
shown as symbols, nothing remote loaded (HTML was already reduced to text by the parser).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.agents.injection_rules import revealed_text
from tui.app.triage.mail_action_views import MailActions
from tui.app.triage.review_keys import CORRECTION_ACTIONS, Correcting, correction_bindings
from tui.app.safe_text import safe_block, safe_line
from tui.mail.action_desk import phrase
from tui.model import Email, ResultRow

_OUTCOME_WORDS = {"applied": "applied", "already": "already done (by an earlier run)", "failed": "FAILED",
                  "skipped": "skipped", "planned": "planned", "review": "held for review"}


def wrapped(text: str | None) -> Text:
    return safe_line(text, wrap=True)


def _pairs(rows: list[tuple[str, Text | str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(key, value if isinstance(value, Text) else Text(value))
    return table


def header_rows(email: Email) -> list[tuple[str, Text | str]]:
    rows: list[tuple[str, Text | str]] = [
        ("From", wrapped(email.sender)),
        ("To", wrapped(", ".join(email.to))),
        ("Date", email.date.isoformat(sep=" ") if email.date else "—"),
        ("Subject", wrapped(email.subject)),
        ("Message-ID", wrapped(email.message_id)),
        ("Email id", wrapped(email.id)),
    ]
    for name, value in sorted(email.headers.items()):
        rows.append((name.title(), wrapped(value)))
    for att in email.attachments:
        rows.append(("Attachment", wrapped(f"{att.filename or '(no name)'}  {att.content_type}  {att.size} bytes")))
    for note in email.notes:
        rows.append(("Parser note", wrapped(note)))
    if email.parse_error:
        rows.append(("Unreadable", wrapped(email.parse_error)))
    return rows


def verdict_rows(row: ResultRow | None) -> list[tuple[str, Text | str]]:
    if row is None:
        return [("Status", "not triaged yet")]
    rows: list[tuple[str, Text | str]] = [("Status", row.status)]
    if row.status == "ok" or row.status == "duplicate":
        rows += [
            ("Urgent", "yes" if row.urgent else "no"),
            ("Priority", str(row.priority)),
            ("Route", wrapped(row.route)),
            ("Category", wrapped(row.category)),
            ("Confidence", f"{row.confidence:.2f}" if row.confidence is not None else "—"),
            ("Review", "yes: a human decides" if row.review else "no"),
            ("Flags", wrapped(", ".join(row.flags) or "none")),
            ("Injection", "YES" if row.injection else "no"),
        ]
        if row.injection or row.injection_reason:
            rows.append(("Injection why", wrapped(row.injection_reason or "—")))
        rows.append(("Summary", wrapped(row.summary)))
    if row.error:
        rows.append(("Error", wrapped(row.error)))
    if row.conflict:
        rows.append(("Conflict", wrapped(row.conflict)))
    rows += [
        ("Agent", wrapped(row.agent_id or "—")),
        ("Attempts", str(row.attempts)),
        ("Latency", f"{row.latency_ms} ms" if row.latency_ms is not None else "—"),
        ("Trace", wrapped(row.trace_id)),
    ]
    return rows


def action_rows(view: MailActions | None, auto: bool = False) -> list[tuple[str, Text | str]]:
    """The planned actions and what became of each (IMAP runs)."""
    if view is None:
        return [("Actions", "none (failed rows and file sources have no actions)")]
    rows: list[tuple[str, Text | str]] = []
    if view.review:
        if view.overridden:
            rows.append(("Review", wrapped(f"overridden by the operator (was: {view.reason})")))
        else:
            rows.append(("Review", wrapped(f"stays in inbox: {view.reason}")))
        if view.override and not view.overridden:
            what = "; ".join(phrase(a) for a in view.override)
            rows.append(("If overridden", wrapped(f"{what} (a, confirmed twice)")))
    pending = "applying…" if view.applying else ("queued: applied as verdicts land" if auto else "planned (dry run: a applies)")
    for action in view.shown:
        if action.kind == "review":
            continue
        outcome = view.outcomes.get(action.key)
        if outcome is None:
            state = pending
        else:
            state = _OUTCOME_WORDS.get(outcome.status, outcome.status)
            if outcome.note and outcome.status != "already":
                state += f": {outcome.note}"
        rows.append((phrase(action), wrapped(state)))
    if not rows:
        rows.append(("Actions", "nothing to do"))
    return rows


class EmailDetail(Correcting, Screen[None]):
    """Pushed from the inbox (enter); escape goes back. With a review desk the correction keys
    work here too, on this one email, and its corrections are listed under the verdict."""

    BINDINGS = [
        Binding("escape,backspace", "app.pop_screen", "Back", id="detail-back"),
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
        *correction_bindings(),
    ]

    def __init__(self, email: Email, row: ResultRow | None, actions: MailActions | None = None, *,
                 show_actions: bool = False, auto: bool = False, desk: Any = None,
                 corrections: list[tuple[str, str]] | None = None,
                 on_correction: Callable[[list[ResultRow], str], None] | None = None) -> None:
        super().__init__()
        self.email, self.row = email, row
        self.actions, self.show_actions, self.auto = actions, show_actions or actions is not None, auto
        self._desk, self._corrections, self._on_correction = desk, corrections, on_correction

    def desk(self) -> Any:
        return self._desk

    def targets(self) -> list[ResultRow]:
        return [self.row] if self.row is not None else []

    def after_correction(self, rows: list[ResultRow], text: str) -> None:
        if self._on_correction is not None:
            self._on_correction(rows, text)  # the dashboard repaints the inbox, then calls show_row

    def show_row(self, row: ResultRow, corrections: list[tuple[str, str]]) -> None:
        """The corrected verdict and the list of corrections, after the store has them."""
        self.row, self._corrections = row, corrections
        self.query_one("#detail-verdict", Static).update(_pairs(verdict_rows(row)))
        self.query_one("#detail-corrections", Static).update(_pairs(corrections or [("Corrections", "none")]))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CORRECTION_ACTIONS:
            if self._desk is None:
                return False
            if action == "undo":
                return True if self._desk.can_undo else None
            return True if self.row is not None else None
        return True

    def compose(self) -> ComposeResult:
        email = self.email
        with VerticalScroll(id="detail"):
            yield Static(safe_line(email.subject or "(no subject)"), id="detail-subject", classes="section-title")
            yield Static(_pairs(header_rows(email)), classes="section")
            yield Static("Verdict", classes="section-title")
            yield Static(_pairs(verdict_rows(self.row)), classes="section", id="detail-verdict")
            if self._desk is not None:
                yield Static("Corrections (operator)", classes="section-title")
                yield Static(_pairs(self._corrections or [("Corrections", "none")]), classes="section",
                             id="detail-corrections")
            if self.show_actions:
                yield Static("Actions", classes="section-title")
                yield Static(_pairs(action_rows(self.actions, self.auto)), classes="section", id="detail-actions")
            if email.hidden_text:
                yield Static("Hidden text found: a human reader never sees it (display:none, tiny or white "
                             "text, comments)", classes="section-title warn")
                yield Static(safe_block(email.hidden_text), classes="section body")
            for what, text in revealed_text(email):  # what a model reads that a person would not
                yield Static(f"Hidden text found: {what}", classes="section-title warn")
                yield Static(safe_block(text), classes="section body")
            yield Static("Body (plain text; nothing remote is loaded)", classes="section-title")
            yield Static(Group(safe_block(email.text or "(empty body)")), classes="section body", id="detail-body")
        yield Footer()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#detail", VerticalScroll).scroll_relative(y=lines, animate=False)
