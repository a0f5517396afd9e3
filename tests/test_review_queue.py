"""The review queue: which rows need a human, and that reviewing (or undoing it) moves the count."""

from __future__ import annotations

from tui.model import ResultRow, Review
from tui.review.queue import ReviewQueue, review_reason


def row(email_id: str = "e1", **kw: object) -> ResultRow:
    base: dict[str, object] = dict(email_id=email_id, status="ok", route="support", confidence=0.9, injection=False)
    base.update(kw)
    return ResultRow(**base)  # type: ignore[arg-type]


def test_each_reason_a_row_needs_a_human() -> None:
    assert review_reason(row(), 0.55) is None
    assert review_reason(row(status="failed", route=None, confidence=None), 0.55) == "failed"
    assert review_reason(row(status="timeout", route=None, confidence=None), 0.55) == "timed out"
    assert review_reason(row(injection=True), 0.55) == "injection flagged"
    assert review_reason(row(flags=["conflict"]), 0.55) == "conflicting verdicts"
    assert review_reason(row(route="review", review=True), 0.55) == "routed to review"
    assert review_reason(row(confidence=0.5), 0.55) == "low confidence"
    assert review_reason(row(confidence=0.5), 0.4) is None  # the threshold is the configured one
    assert review_reason(row(status="duplicate"), 0.55) is None


def test_reviewed_rows_leave_the_queue_and_undo_brings_them_back() -> None:
    queue = ReviewQueue(0.55)
    rows = [row("a", route="review", review=True), row("b", injection=True), row("c")]
    queue.update(rows)
    assert queue.left == 2 and queue.pending("a") and queue.pending("b") and not queue.pending("c")
    queue.update([rows[0].model_copy(update={"route": "sales", "review": False,
                                             "decision": Review(reviewed=True, decided_by="operator")})])
    assert queue.left == 1 and not queue.pending("a")
    queue.update([rows[1].model_copy(update={"decision": Review(reviewed=True)})])  # accepted as is
    assert queue.left == 0
    queue.update([rows[0]])  # an undo: the run's own row again
    assert queue.pending("a") and queue.reason("a") == "routed to review" and queue.left == 1
    learned = rows[1].model_copy(update={"decision": Review(decided_by="learned rule", rule="L1")})
    queue.update([learned])  # decided by a learned rule, not reviewed: still judged on its verdict
    assert queue.reason("b") == "injection flagged"
