"""JSON for every model request and answer, by pydantic-core's encoder and parser (already here:
it is pydantic's core). On a request's few KB they take a third of the standard library's time
(bench/fanout.py --scale, N=10,000), and the encoder writes the same text."""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import PydanticSerializationError, from_json, to_json


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, byte for byte `json.dumps(obj, ensure_ascii=False, separators=(",", ":"))`.
    Text holding a lone surrogate (undecodable bytes kept by surrogateescape) cannot be UTF-8:
    that object is written by the standard library with \\u escapes instead."""
    try:
        return to_json(obj)
    except PydanticSerializationError:
        return json.dumps(obj, separators=(",", ":")).encode()


def loads(raw: bytes | str) -> Any:
    """Parse JSON text; ValueError when it is not JSON."""
    return from_json(raw)
