"""Fan-in: review policy on each verdict, one final row per email, and the ranking of the inbox."""

from __future__ import annotations

from datetime import datetime, timezone

from tui.model import ResultRow

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def apply_review_policy(row: ResultRow, review_below: float) -> ResultRow:
    """Injection-flagged or low-confidence mail goes to review: code decides, never the email."""
    if row.status != "ok":
        return row
    flags = list(row.flags)
    if row.injection:
        flags.append("injection")
    if row.confidence is not None and row.confidence < review_below:
        flags.append("low-confidence")
    if not flags:
        return row
    if row.route and row.route != "review":
        flags.append(f"proposed:{row.route}")
    return row.model_copy(update={"route": "review", "review": True, "flags": flags})


def rank_key(row: ResultRow) -> tuple[int, int, int, float, str]:
    """Sort key, ascending = top of the inbox: failures first (they need a human), then urgency."""
    needs_human = 0 if row.status in ("failed", "timeout") else 1
    urgent = 0 if row.urgent else 1
    priority = -(row.priority or 0)
    when = -((row.date or _EPOCH).timestamp())
    return (needs_human, urgent, priority, when, row.email_id)


class Inbox:
    """Keeps the latest final row per email. A later row replaces the earlier one, so a retried
    email is listed once; two different ok verdicts for one email are kept as a flagged conflict."""

    def __init__(self) -> None:
        self.rows: dict[str, ResultRow] = {}
        self.conflicts: set[str] = set()

    def add(self, row: ResultRow) -> ResultRow:
        old = self.rows.get(row.email_id)
        if old is not None and old.status == "ok" and row.status == "ok":
            if (old.route, old.urgent, old.category) != (row.route, row.urgent, row.category):
                self.conflicts.add(row.email_id)
                keep = row if (row.confidence or 0) >= (old.confidence or 0) else old
                row = keep.model_copy(update={"flags": [*keep.flags, "conflict"]})
        elif old is not None and old.status == "ok" and row.status != "ok":
            return old  # a late failure never hides a verdict we already have
        self.rows[row.email_id] = row
        return row

    def ranked(self) -> list[ResultRow]:
        return sorted(self.rows.values(), key=rank_key)
