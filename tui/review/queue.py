"""Which inbox rows need a human, and how many are left: the review queue, without Textual.

A row needs review when code could not trust the verdict alone: it failed or timed out, the
injection guard flagged it, two agents disagreed about it, the review policy sent it to the
`review` route, or the model's confidence is under `review_below`. Once the operator has
corrected or accepted a row it has been reviewed and leaves the queue (it still shows in the
inbox); the dashboard's n/N keys and the queue filter read this, the header shows `left`.
"""

from __future__ import annotations

from collections.abc import Iterable

from tui.model import ResultRow


def review_reason(row: ResultRow, review_below: float) -> str | None:
    """Why this row needs a human, in a few words, or None when the verdict can stand."""
    if row.status == "failed":
        return "failed"
    if row.status == "timeout":
        return "timed out"
    if row.status != "ok":
        return None  # a duplicate follows its original
    if row.injection:
        return "injection flagged"
    if "conflict" in row.flags:
        return "conflicting verdicts"
    if row.route == "review" or row.review:
        return "routed to review"
    if row.confidence is not None and row.confidence < review_below:
        return "low confidence"
    return None


class ReviewQueue:
    """Emails that need a human and have not been reviewed yet, updated row by row."""

    def __init__(self, review_below: float) -> None:
        self.review_below = review_below
        self._reasons: dict[str, str] = {}  # email id -> why, for rows not reviewed yet

    def update(self, rows: Iterable[ResultRow]) -> None:
        """Fold in new or changed rows (corrections folded in: a reviewed row leaves the queue,
        and comes back if an undo takes the operator's word back)."""
        for row in rows:
            reviewed = row.decision is not None and row.decision.reviewed
            reason = None if reviewed else review_reason(row, self.review_below)
            if reason is None:
                self._reasons.pop(row.email_id, None)
            else:
                self._reasons[row.email_id] = reason

    def pending(self, email_id: str) -> bool:
        return email_id in self._reasons

    def reason(self, email_id: str) -> str | None:
        return self._reasons.get(email_id)

    @property
    def left(self) -> int:
        return len(self._reasons)
