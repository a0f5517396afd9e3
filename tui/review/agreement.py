"""How often the operator agreed with the run: per field, and a route confusion table.

Computed over reviewed rows only (corrected or accepted), from rows that already have their
corrections folded in (`apply_corrections`): a field the operator did not change counts as
agreed, and the model's route is the one `review.corrected` keeps. Textual-free: the `t`
screen, `fanmail report` and bench/review.py print the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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
