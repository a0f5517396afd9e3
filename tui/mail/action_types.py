"""The action types on their own (a leaf: nothing in tui/mail below it), so the planner
(actions.py) and the mover (moves.py) both use them without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.mail.imap_target import MessageRef

KINDS = ("forward", "flag", "keyword", "move", "review")


@dataclass(frozen=True, slots=True)
class Action:
    kind: str  # forward | flag | keyword | move | review
    email_id: str
    detail: str  # address, flag, keyword, folder, or the reason for review
    route: str
    ref: MessageRef
    subject: str = ""

    @property
    def key(self) -> str:
        """Idempotency key: mailbox + UIDVALIDITY + UID + action (+ its target)."""
        r = self.ref
        return f"{r.account_mailbox};UIDVALIDITY={r.uidvalidity}/;UID={r.uid}:{self.kind}:{self.detail}"

    @property
    def appliable(self) -> bool:
        return self.kind != "review"

    def describe(self) -> str:
        what = {
            "forward": f"forward to {self.detail}",
            "flag": f"flag {self.detail}",
            "keyword": f"add keyword {self.detail}",
            "move": f"move to {self.detail}",
            "review": f"leave in {self.ref.folder} for review ({self.detail})",
        }[self.kind]
        return f"{self.email_id}: {what}"


@dataclass(frozen=True, slots=True)
class ActionOutcome:
    action: Action
    status: str  # planned | applied | already | skipped | failed | review
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        a = self.action
        return {"email_id": a.email_id, "action": a.kind, "detail": a.detail, "route": a.route,
                "status": self.status, "note": self.note, "subject": a.subject, "key": a.key}
