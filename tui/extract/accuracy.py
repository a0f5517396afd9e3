"""Field accuracy of a feed against the generator's ground truth (the bench and the tests)."""

from __future__ import annotations

import re
from collections import defaultdict

from tui.extract.corpus import GeneratedDoc
from tui.extract.records import DocFields, ExtractRecord

FIELDS = ("kind", "vendor", "number", "date", "total", "currency", "line_items")


def _norm(text: str | None) -> str | None:
    return re.sub(r"\s+", " ", text).strip().lower() if text else None


def field_hits(truth: DocFields, record: ExtractRecord) -> dict[str, bool]:
    """Which fields the record got right (a failed record gets none)."""
    if record.status != "ok":
        return dict.fromkeys(FIELDS, False)
    items_ok = len(truth.line_items) == len(record.line_items) and all(
        _norm(a.description) == _norm(b.description) and a.quantity == b.quantity and abs(a.amount - b.amount) < 0.005
        for a, b in zip(truth.line_items, record.line_items))
    return {
        "kind": truth.kind == record.kind,
        "vendor": _norm(truth.vendor) == _norm(record.vendor),
        "number": truth.number == record.number,
        "date": truth.date == record.date,
        "total": (truth.total is None and record.total is None) or (
            truth.total is not None and record.total is not None and abs(truth.total - record.total) < 0.005),
        "currency": truth.currency == record.currency,
        "line_items": items_ok,
    }


def accuracy_by_format(docs: list[GeneratedDoc], records: list[ExtractRecord]) -> dict[str, tuple[int, int]]:
    """format -> (fields right, fields scored); one record per generated email (its first document)."""
    by_email = {}
    for record in records:
        by_email.setdefault(record.email_id, record)
    scores: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc in docs:
        record = by_email.get(doc.email_id)
        hits = field_hits(doc.truth, record) if record else dict.fromkeys(FIELDS, False)
        scores[doc.format.value][0] += sum(hits.values())
        scores[doc.format.value][1] += len(hits)
    return {fmt: (right, total) for fmt, (right, total) in scores.items()}
