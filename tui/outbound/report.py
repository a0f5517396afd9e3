"""The campaign report: one row per recipient (SMTP outcome + later delivery events), one per segment.

`status` is the recipient's bottom line: a later DSN bounce or webhook event overrides the SMTP
`accepted` (bounced, complaint, delivered); otherwise the SMTP outcome (accepted, refused,
deferred, unknown, pending, suppressed, invalid).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from tui.outbound import tables
from tui.outbound.cli_common import printable
from tui.outbound.ledger import Ledger

RECIPIENT_STATES = ("accepted", "delivered", "refused", "bounced", "complaint", "deferred", "unknown",
                    "pending", "suppressed", "invalid")


class RecipientReport(BaseModel):
    campaign_id: str
    segment: str
    recipient: str
    row: int
    message_id: str
    status: str
    smtp: str            # accepted | refused | deferred | unknown | pending | suppressed | invalid
    smtp_code: int | None
    smtp_reply: str
    attempts: int
    delivery: str        # the latest event: delivered | bounced | complaint | deferred | ''
    delivery_source: str  # dsn | webhook | ''
    delivery_status: str
    delivery_reason: str
    error: str


class SegmentReport(BaseModel):
    campaign_id: str
    segment: str
    total: int
    counts: dict[str, int]


def recipient_rows(ledger: Ledger, campaign_id: str) -> list[RecipientReport]:
    events = ledger.latest_events(campaign_id)
    rows = []
    for send in ledger.sends(campaign_id):
        ev = events.get(send.recipient)
        delivery = ev["kind"] if ev else ""
        status = send.state
        if delivery in ("bounced", "complaint", "delivered") and send.state in ("accepted", "unknown"):
            status = delivery
        rows.append(RecipientReport(
            campaign_id=campaign_id, segment=send.segment, recipient=send.recipient, row=send.row,
            message_id=send.message_id, status=status, smtp=send.state, smtp_code=send.smtp_code,
            smtp_reply=send.smtp_reply, attempts=send.attempts, delivery=delivery,
            delivery_source=ev["source"] if ev else "", delivery_status=ev["status"] if ev else "",
            delivery_reason=ev["reason"] if ev else "", error=send.error))
    return rows


def segment_rows(rows: list[RecipientReport]) -> list[SegmentReport]:
    by_segment: dict[str, Counter[str]] = {}
    for row in rows:
        by_segment.setdefault(row.segment, Counter())[row.status] += 1
    return [SegmentReport(campaign_id=rows[0].campaign_id, segment=seg, total=sum(c.values()),
                          counts={s: c[s] for s in RECIPIENT_STATES if c[s]})
            for seg, c in sorted(by_segment.items())]


def write_csv(path: Path, rows: list[RecipientReport]) -> None:
    tables.write_csv(path, list(RecipientReport.model_fields), (row.model_dump() for row in rows))


def write_segments_csv(path: Path, segments: list[SegmentReport]) -> None:
    columns = ["campaign_id", "segment", "total", *RECIPIENT_STATES]
    tables.write_csv(path, columns, ({"campaign_id": seg.campaign_id, "segment": seg.segment, "total": seg.total,
                                      **{s: seg.counts.get(s, 0) for s in RECIPIENT_STATES}} for seg in segments))


def write_jsonl(path: Path, rows: list[RecipientReport], segments: list[SegmentReport]) -> None:
    """One `{"type": "segment", ...}` line per segment, then one `{"type": "recipient", ...}` per recipient."""
    tables.write_jsonl(path, [*({"type": "segment", **seg.model_dump()} for seg in segments),
                              *({"type": "recipient", **row.model_dump()} for row in rows)])


def summary_lines(segments: list[SegmentReport]) -> list[str]:
    return [f"  {printable(seg.segment)}: {seg.total} — " + ", ".join(f"{k} {v}" for k, v in seg.counts.items())
            for seg in segments]
