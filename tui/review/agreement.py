"""How often the operator agreed with the run: per field, and a route confusion table.

Computed over reviewed rows only (corrected or accepted), from rows that already have their
corrections folded in (`apply_corrections`): a field the operator did not change counts as
agreed, and the model's route is the one `review.corrected` keeps. Textual-free: the `t`
screen, `fanmail report` and bench/review.py print the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from tui.model import ResultRow
from tui.review.records import VALUE_FIELDS


class FieldAgreement(BaseModel):
    field: str
    reviewed: int
    agreed: int

    @property
    def share(self) -> float:
        return self.agreed / self.reviewed if self.reviewed else 1.0


class Agreement(BaseModel):
    reviewed: int = 0
    fields: list[FieldAgreement] = Field(default_factory=list)
    # model's route -> operator's route -> emails (the diagonal is agreement)
    confusion: dict[str, dict[str, int]] = Field(default_factory=dict)

    def lines(self) -> list[str]:
        """Plain text for `fanmail report` and the run report screen."""
        if not self.reviewed:
            return ["agreement: no email reviewed yet"]
        out = [f"agreement with the operator over {self.reviewed} reviewed emails:"]
        out += [f"  {f.field:<10} {f.agreed}/{f.reviewed} ({f.share:.0%})" for f in self.fields]
        routes = sorted({*self.confusion, *(r for row in self.confusion.values() for r in row)})
        width = max(len(r) for r in routes) + 1
        out.append("route confusion (rows: the run's route, columns: the operator's):")
        out.append(" " * (width + 2) + "".join(f"{r[:width]:>{width}}" for r in routes))
        for model_route in routes:
            counts = self.confusion.get(model_route, {})
            if counts:
                out.append(f"  {model_route:<{width}}" + "".join(
                    f"{counts.get(r, 0) or '.':>{width}}" for r in routes))
        return out


def agreement(rows: Iterable[ResultRow]) -> Agreement:
    reviewed = [r for r in rows if r.decision is not None and r.decision.reviewed and r.status == "ok"]
    fields = []
    for field in VALUE_FIELDS:
        agreed = sum(1 for r in reviewed if field not in r.decision.corrected)  # type: ignore[union-attr]
        fields.append(FieldAgreement(field=field, reviewed=len(reviewed), agreed=agreed))
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in reviewed:
        model_route = str(r.decision.corrected.get("route", r.route))  # type: ignore[union-attr]
        confusion[model_route][str(r.route)] += 1
    return Agreement(reviewed=len(reviewed), fields=fields,
                     confusion={k: dict(v) for k, v in confusion.items()})


def review_report(store: Any, run_id: str) -> dict[str, Any]:
    """The review part of `fanmail report` (and the run report screen): who decided the rows,
    the corrections made, and the agreement figures over the reviewed emails."""
    from tui.review.log import corrected_rows, list_corrections

    rows = corrected_rows(store, run_id)
    decided: dict[str, int] = defaultdict(int)
    for row in rows.values():
        if row.decision is not None:
            decided[row.decision.decided_by] += 1
    return {
        "decided_by": dict(decided),
        "corrections": [c.model_dump(mode="json", include={"id", "email_id", "field", "model_value", "value",
                                                            "user", "at", "note"})
                        for c in list_corrections(store, run_id)],
        "agreement": agreement(rows.values()).model_dump(mode="json"),
    }


def review_lines(review: dict[str, Any]) -> list[str]:
    """Text for `fanmail report`: decided by whom, the corrections, the agreement table."""
    decided = ", ".join(f"{n} {who}" for who, n in sorted(review["decided_by"].items()))
    out = [f"decided by: {decided}"] if decided else []
    corrections = review["corrections"]
    if corrections:
        out.append(f"corrections ({len(corrections)}):")
        for c in corrections[-20:]:
            what = "accepted as is" if c["field"] == "accept" else f"{c['field']} {c['model_value']} -> {c['value']}"
            out.append(f"  #{c['id']} {c['email_id']}: {what} by {c['user']}" + (f" ({c['note']})" if c["note"] else ""))
        if len(corrections) > 20:
            out.append(f"  ... {len(corrections) - 20} earlier ones: fanmail corrections list RUN_ID")
    return out + Agreement.model_validate(review["agreement"]).lines()
