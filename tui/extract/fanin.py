"""Fan-in: one record per document, with conflicts flagged as records land.

Two conflicts: an attachment whose total differs from the total the email's body states, and
the same document number seen twice (both records are flagged, each naming the other).
"""

from __future__ import annotations

from tui.extract.records import DocKind, ExtractRecord

NUMBERED = (DocKind.INVOICE, DocKind.RECEIPT, DocKind.PURCHASE_ORDER)
CENT = 0.005


def _money(value: float, currency: str | None) -> str:
    return f"{currency + ' ' if currency else ''}{value:,.2f}"


class FanIn:
    def __init__(self) -> None:
        self.records: dict[str, ExtractRecord] = {}
        self._by_number: dict[str, list[str]] = {}

    def add(self, record: ExtractRecord) -> list[ExtractRecord]:
        """Keep `record` (flagged) and return it plus every earlier record whose flags changed."""
        conflicts = list(record.conflicts)
        changed: list[ExtractRecord] = []
        if (record.status == "ok" and record.stated_total is not None and record.total is not None
                and abs(record.total - record.stated_total) > CENT):
            conflicts.append(f"total_mismatch: {record.format.value} says {_money(record.total, record.currency)}, "
                             f"the email body says {_money(record.stated_total, record.currency)}")
        if record.status == "ok" and record.number and record.kind in NUMBERED:
            key = record.number.upper()
            earlier = self._by_number.setdefault(key, [])
            for other_id in earlier:
                conflicts.append(f"duplicate_number: {record.number} also in {other_id}")
                other = self.records[other_id]
                other = other.model_copy(update={"conflicts": [
                    *other.conflicts, f"duplicate_number: {record.number} also in {record.doc_id}"]})
                self.records[other_id] = other
                changed.append(other)
            earlier.append(record.doc_id)
        record = record.model_copy(update={"conflicts": conflicts})
        self.records[record.doc_id] = record
        return [record, *changed]

    def feed(self) -> list[ExtractRecord]:
        """Every record, in the order they landed."""
        return list(self.records.values())
