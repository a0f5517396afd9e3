"""Mail-action view models of the triage dashboard (IMAP runs): each email's plan and outcomes.

`MailActions` is what the inbox's Action column and the detail screen show for one email;
`ActionCounts` is the header's tally over all of them. `RunState` folds the action desk's events
into these. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.mail.action_desk import phrase
from tui.mail.actions import Action, ActionOutcome


@dataclass(slots=True)
class MailActions:
    """One email's actions as the dashboard knows them: the plan, and what became of each action."""

    email_id: str
    plan: tuple[Action, ...]
    override: tuple[Action, ...] = ()  # a review email's: what the operator could confirm
    outcomes: dict[str, ActionOutcome] = field(default_factory=dict)  # action key -> latest outcome
    applying: bool = False

    @property
    def review(self) -> bool:
        return bool(self.plan) and self.plan[0].kind == "review"

    @property
    def reason(self) -> str:
        return self.plan[0].detail if self.review else ""

    def todo(self, override: bool = False) -> list[Action]:
        """Appliable actions not done yet (a failed one may be tried again)."""
        chosen = self.override if override else self.plan
        return [a for a in chosen if a.appliable and ((o := self.outcomes.get(a.key)) is None or o.status == "failed")]

    @property
    def overridden(self) -> bool:
        return any(a.key in self.outcomes for a in self.override)

    @property
    def shown(self) -> tuple[Action, ...]:
        """The actions that count now: the plan, or the override once the operator confirmed it."""
        return self.override if self.review and self.overridden else self.plan

    @property
    def status(self) -> str:
        """applying | failed | skipped | applied | already | review | planned | none"""
        if self.applying:
            return "applying"
        seen = {o.status for a in self.shown if (o := self.outcomes.get(a.key)) is not None}
        for status in ("failed", "skipped", "applied", "already"):
            if status in seen:
                return status
        if self.review:
            return "review"
        return "planned" if self.todo() else "none"

    def note(self) -> str:
        """The first failed or skipped action's reason."""
        for a in self.shown:
            o = self.outcomes.get(a.key)
            if o is not None and o.status in ("failed", "skipped"):
                return o.note or o.status
        return ""

    def cell(self) -> str:
        """The inbox's Action column: short, and the same words as the detail screen."""
        status = self.status
        if status == "review":
            return "review: stays in inbox"
        what = _short(self.shown)
        return {
            "applying": f"… {what}",
            "applied": f"✔ {what}",
            "already": "✔ done earlier",
            "failed": f"✗ {self.note()}",
            "skipped": f"– {self.note()}",
            "none": "nothing to do",
        }.get(status, what)


def _short(actions: tuple[Action, ...]) -> str:
    """'⚑ fwd → Finance/Invoices', '→ Support', 'tag personal'."""
    kinds = {a.kind: a for a in actions}
    parts = []
    if "flag" in kinds:
        parts.append("⚑")
    if "forward" in kinds:
        parts.append("fwd")
    if "move" in kinds:
        parts.append(f"→ {kinds['move'].detail}")
    elif "keyword" in kinds:
        parts.append(f"tag {kinds['keyword'].route}")
    return " ".join(parts) or ", ".join(phrase(a) for a in actions)


@dataclass(frozen=True, slots=True)
class ActionCounts:
    """Emails by action status, for the header."""

    auto: bool
    planned: int
    applying: int
    applied: int
    already: int
    failed: int
    review: int

