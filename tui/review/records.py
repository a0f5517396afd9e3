"""A correction: one field of one email's verdict set by the operator, validated against the config.

Records are what the store keeps and what `corrections export` writes, one JSON object a line:
the run, the email, the field, the value the run had given it (the model's), the new value, when,
which OS user, an optional note. Nothing here touches the store or Textual; `tui/review/log.py`
commits records and `tui/review/apply.py` folds them into a row.
"""

from __future__ import annotations

import getpass
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from tui.model import Category, ResultRow
from tui.settings import ConfigError

Field_ = Literal["route", "category", "urgent", "priority", "injection", "accept"]
FIELDS: tuple[str, ...] = ("route", "category", "urgent", "priority", "injection", "accept")
# Fields that hold a verdict value (accept holds none: it marks the row reviewed as it is).
VALUE_FIELDS: tuple[str, ...] = ("route", "category", "urgent", "priority", "injection")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


class CorrectionError(ConfigError, ValueError):
    """Bad input for a correction (unknown run, email, field, route, a value out of range): one line."""


class Correction(BaseModel):
    """One stored correction. `id` is the store's (None until committed); `group` is the one
    operator action it belongs to (a bulk correction of 5 rows, or `route=x urgent=false`, is
    one group: undo takes a group back); `session` is the process that made it."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    run_id: str
    email_id: str
    field: Field_
    model_value: Any = None
    value: Any = None
    at: float
    user: str
    note: str = ""
    session: str = ""
    group: int = 0
    # What the email looked like, for learning (sender, List-Id) and prompt examples (subject):
    # never its body.
    sender: str = ""
    subject: str = ""
    list_id: str = ""
    undone: bool = False


def os_user() -> str:
    """Who is correcting: the login name, never failing (containers without a passwd entry)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or f"uid {os.getuid()}"


def parse_bool(field: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CorrectionError(f"{field}={raw}: expected true or false")


def parse_value(field: str, raw: Any, route_names: list[str]) -> Any:
    """The typed value of `field=raw`, checked against the configured routes and categories."""
    if field == "route":
        name = str(raw).strip()
        if name not in route_names:
            raise CorrectionError(f"route={raw}: unknown route (configured: {', '.join(route_names)})")
        return name
    if field == "category":
        name = str(raw).strip().lower()
        if name not in {c.value for c in Category}:
            raise CorrectionError(f"category={raw}: unknown category (one of: {', '.join(c.value for c in Category)})")
        return name
    if field in ("urgent", "injection"):
        return parse_bool(field, raw)
    if field == "priority":
        try:
            number = int(str(raw).strip()) if not isinstance(raw, int) or isinstance(raw, bool) else raw
        except ValueError:
            raise CorrectionError(f"priority={raw}: expected a whole number 0-100") from None
        if isinstance(number, bool) or not 0 <= number <= 100:
            raise CorrectionError(f"priority={raw}: out of range 0-100")
        return number
    if field == "accept":
        return None
    raise CorrectionError(f"unknown field {field!r} (one of: {', '.join(FIELDS)})")


def parse_changes(items: list[str], route_names: list[str]) -> dict[str, Any]:
    """`["route=sales", "urgent=false", "accept"]` -> {"route": "sales", "urgent": False, "accept": None}."""
    if not items:
        raise CorrectionError("give at least one FIELD=VALUE (route, category, urgent, priority, injection) or accept")
    changes: dict[str, Any] = {}
    for item in items:
        field, eq, raw = item.partition("=")
        field = field.strip().lower()
        if field == "accept" and not eq:
            changes["accept"] = None
            continue
        if field not in FIELDS or field == "accept":
            raise CorrectionError(f"{item}: unknown field {field!r} (one of: {', '.join(VALUE_FIELDS)}, or accept)")
        if not eq:
            raise CorrectionError(f"{item}: expected FIELD=VALUE")
        if field in changes:
            raise CorrectionError(f"{field} given twice")
        changes[field] = parse_value(field, raw, route_names)
    if "accept" in changes and len(changes) > 1:
        raise CorrectionError("accept marks the row reviewed as it is: give it alone, or give FIELD=VALUE changes")
    return changes


def model_value(row: ResultRow | None, field: str) -> Any:
    """What the run had decided for `field` (None for a failed row or `accept`)."""
    if row is None or field == "accept":
        return None
    return getattr(row, field, None)
