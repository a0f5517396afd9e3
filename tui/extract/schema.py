"""The strict JSON schema a model answers extraction with, and the simulator's answer for it
(handed to the simulator by name, so the simulator imports nothing of extraction)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.extract.records import DocKind

SCHEMA_NAME = "document_fields"


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


def document_schema() -> dict[str, Any]:
    """`DocFields` under OpenAI strict rules: every key required, no extras, nulls explicit."""
    item = {"type": "object", "additionalProperties": False, "required": ["description", "quantity", "amount"],
            "properties": {"description": {"type": "string"}, "quantity": {"type": "number"},
                           "amount": {"type": "number"}}}
    properties: dict[str, Any] = {
        "kind": {"type": "string", "enum": [k.value for k in DocKind]},
        "vendor": _nullable("string"), "number": _nullable("string"), "date": _nullable("string"),
        "total": _nullable("number"), "currency": _nullable("string"),
        "line_items": {"type": "array", "items": item},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    }
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def sim_answerers() -> dict[str, Callable[[str], str]]:
    """What the built-in simulator answers a request for this schema with: the offline rules' fields."""
    from tui.extract.fields_rules import extract_fields  # the rules import this module

    return {SCHEMA_NAME: lambda text: extract_fields(text).model_dump_json()}
