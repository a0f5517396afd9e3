"""The strict JSON schema a model answers extraction with; small and dependency-free, so the
simulator can recognise an extraction request without importing the extraction engine."""

from __future__ import annotations

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


def wants_document_fields(body: Any) -> bool:
    """Whether a chat request asks for this schema (the simulator answers it with the offline rules)."""
    try:
        return body["response_format"]["json_schema"]["name"] == SCHEMA_NAME
    except (KeyError, TypeError):
        return False
