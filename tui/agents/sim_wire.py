"""The two wire formats the simulator speaks, as plain functions.

OpenAI chat completions (the verdict as JSON content) and the Anthropic Messages API (the verdict as
a `tool_use` block of the forced tool): parsing and checking request bodies the way those APIs do,
building their answer, error and model-list bodies, and their rate-limit headers (`x-ratelimit-*`
durations for OpenAI, `anthropic-ratelimit-*` RFC 3339 instants for Anthropic). No server state
here: the HTTP server in `tui.agents.sim` decides what to answer and calls these to say it.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from aiohttp import web

from tui.agents.prompt import PromptError, email_from_payload, extract_payload
from tui.agents.sim_config import Fate
from tui.model import Email

Api = Literal["openai", "anthropic"]

ANTHROPIC_KEYS = {
    "model", "messages", "max_tokens", "system", "tools", "tool_choice", "temperature", "top_p",
    "top_k", "stop_sequences", "stream", "metadata", "thinking", "service_tier",
}


def format_duration(seconds: float) -> str:
    """OpenAI's reset header style: 20ms, 1.5s, 6m0s."""
    seconds = max(0.0, seconds)
    if seconds < 1:
        return f"{int(seconds * 1000)}ms"
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    minutes = int(seconds // 60)
    return f"{minutes}m{round(seconds - minutes * 60, 3):g}s"


def rfc3339_in(seconds: float) -> str:
    """Anthropic's reset header style: the instant, in UTC."""
    when = datetime.now(timezone.utc) + timedelta(seconds=max(0.0, seconds))
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def estimate_tokens(chars: int) -> int:
    """Usage as the sim counts it: a token per 4 characters, at least 1."""
    return max(1, math.ceil(chars / 4))


def error_response(api: Api, status: int, message: str, kind: str, code: str | None = None,
                   headers: dict[str, str] | None = None) -> web.Response:
    if api == "anthropic":
        body: dict[str, Any] = {"type": "error", "error": {"type": kind, "message": message}}
    else:
        body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return web.json_response(body, status=status, headers=headers)


def unauthorized_response(api: Api) -> web.Response:
    """The 401 each API sends for a missing or wrong key."""
    if api == "anthropic":
        return error_response(api, 401, "invalid x-api-key", "authentication_error")
    return error_response(api, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")

def models_response(api: Api, model_id: str) -> web.Response:
    """`GET /v1/models` in each API's shape, listing the one simulated model."""
    if api == "anthropic":
        model = {"type": "model", "id": model_id, "display_name": "fanmail simulator",
                 "created_at": "2024-01-01T00:00:00Z"}
        return web.json_response({"data": [model], "has_more": False, "first_id": model_id,
                                  "last_id": model_id})
    model = {"id": model_id, "object": "model", "created": 0, "owned_by": "fanmail"}
    return web.json_response({"object": "list", "data": [model]})

def rate_limit_headers(api: Api, families: list[tuple[str, int, int, float]]) -> dict[str, str]:
    """Each API's rate-limit headers for (name, limit, remaining, reset seconds) families."""
    headers: dict[str, str] = {}
    for name, limit, remaining, reset in families:
        if api == "anthropic":
            names = [name] if name == "requests" else ["tokens", "input-tokens"]
            for n in names:
                headers[f"anthropic-ratelimit-{n}-limit"] = str(limit)
                headers[f"anthropic-ratelimit-{n}-remaining"] = str(remaining)
                headers[f"anthropic-ratelimit-{n}-reset"] = rfc3339_in(reset)
        else:
            headers[f"x-ratelimit-limit-{name}"] = str(limit)
            headers[f"x-ratelimit-remaining-{name}"] = str(remaining)
            headers[f"x-ratelimit-reset-{name}"] = format_duration(reset)
    return headers


class ParsedRequest:
    """What the sim needs from a request body of either API."""

    __slots__ = ("model", "raw", "email", "routes", "prompt_chars", "repair", "tool", "max_tokens")

    def __init__(self, model: str, raw: str, email: Email, routes: list[str], prompt_chars: int,
                 repair: bool, tool: str | None, max_tokens: int | None) -> None:
        self.model, self.raw, self.email, self.routes = model, raw, email, routes
        self.prompt_chars, self.repair, self.tool, self.max_tokens = prompt_chars, repair, tool, max_tokens


def fenced_email(texts: list[str]) -> tuple[str, Email]:
    """The fenced email from the first user text that carries one."""
    for text in texts:
        try:
            raw, data = extract_payload(text)
        except PromptError:
            continue
        return raw, email_from_payload(data)
    raise PromptError("no fenced email in the message")


_last_schema: list[Any] = [None, 0]  # (schema, its JSON length): a run sends one schema every time


def schema_length(schema: Any) -> int:
    """len(json.dumps(schema)), remembered for the last schema (or tool list): comparing two
    decoded schemas costs a fraction of encoding one again for every request."""
    if schema != _last_schema[0]:
        _last_schema[:] = [schema, len(json.dumps(schema))]
    return _last_schema[1]


def parse_openai(body: Any) -> ParsedRequest:
    """Validate a chat body enough to behave like a real server; find the fenced email."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    model = body.get("model")
    messages = body.get("messages")
    if not isinstance(model, str) or not model:
        raise ValueError("you must provide a model parameter")
    if not isinstance(messages, list) or not messages or not all(
        isinstance(m, dict) and m.get("role") in ("system", "developer", "user", "assistant")
        for m in messages
    ):
        raise ValueError("messages must be a non-empty list of {role, content}")
    texts: list[str] = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, list):  # content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str):
            if m.get("role") == "assistant" and content is None:
                content = ""
            else:
                raise ValueError(f"a {m.get('role')} message has no text content")
        texts.append(content)
    users = [t for m, t in zip(messages, texts) if m.get("role") == "user"]
    if not users:
        raise ValueError("no user message")
    raw, email = fenced_email(users)
    routes: list[str] = []
    fmt = body.get("response_format")
    schema_chars = 0
    if fmt is not None:
        if not isinstance(fmt, dict) or fmt.get("type") not in ("text", "json_object", "json_schema"):
            raise ValueError("response_format.type must be text, json_object or json_schema")
        if fmt["type"] == "json_schema":
            spec = fmt.get("json_schema")
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not isinstance(
                    spec.get("schema"), dict):
                raise ValueError("response_format.json_schema needs a name and a schema")
            schema_chars = schema_length(spec["schema"])
            try:
                routes = [str(r) for r in spec["schema"]["properties"]["route"]["enum"]]
            except (KeyError, TypeError):
                pass
    max_tokens = body.get("max_tokens", body.get("max_completion_tokens"))
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise ValueError("max_tokens must be a positive integer")
    repair = any(m.get("role") == "assistant" for m in messages)
    return ParsedRequest(model, raw, email, routes, sum(map(len, texts)) + schema_chars, repair, None,
                         max_tokens)


def parse_anthropic(body: Any) -> ParsedRequest:
    """The Messages API's documented request shape; its 400s for what it would reject."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    extra = set(body) - ANTHROPIC_KEYS
    if extra:
        raise ValueError(f"{sorted(extra)[0]}: Extra inputs are not permitted")
    model, max_tokens, messages = body.get("model"), body.get("max_tokens"), body.get("messages")
    if not isinstance(model, str) or not model:
        raise ValueError("model: Field required")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise ValueError("max_tokens: Field required (a positive integer)")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages: at least one message is required")
    system = body.get("system", "")
    if isinstance(system, list):
        if not all(isinstance(b, dict) and b.get("type") == "text" for b in system):
            raise ValueError("system: only text blocks are allowed")
        system = "".join(str(b.get("text", "")) for b in system)
    if not isinstance(system, str):
        raise ValueError("system: must be a string or a list of text blocks")
    texts: list[str] = []
    users: list[str] = []
    expected = "user"
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            raise ValueError(f"messages.{i}.role: must be user or assistant (system goes top-level)")
        if m["role"] != expected and i == 0:
            raise ValueError("messages: the first message must use the user role")
        content = m.get("content")
        if isinstance(content, str):
            text = content
        elif isinstance(content, list) and content and all(isinstance(b, dict) and "type" in b for b in content):
            text = ""
            for b in content:
                if b["type"] == "text":
                    text += str(b.get("text", ""))
                elif b["type"] == "tool_result":
                    text += str(b.get("content", ""))
                elif b["type"] == "tool_use":
                    text += json.dumps(b.get("input"))
        else:
            raise ValueError(f"messages.{i}.content: a string or a non-empty list of content blocks")
        texts.append(text)
        if m["role"] == "user":
            users.append(text)
    raw, email = fenced_email(users)
    tools = body.get("tools") or []
    if not isinstance(tools, list) or not all(
        isinstance(t, dict) and isinstance(t.get("name"), str) and isinstance(t.get("input_schema"), dict)
        for t in tools
    ):
        raise ValueError("tools: each tool needs a name and an input_schema")
    tool: str | None = None
    choice = body.get("tool_choice")
    if choice is not None:
        if not isinstance(choice, dict) or choice.get("type") not in ("auto", "any", "tool", "none"):
            raise ValueError("tool_choice.type: must be auto, any, tool or none")
        if choice["type"] == "tool":
            tool = choice.get("name")
            if tool not in {t["name"] for t in tools}:
                raise ValueError("tool_choice.name: no tool of that name in tools")
        elif choice["type"] == "any" and tools:
            tool = tools[0]["name"]
    routes: list[str] = []
    for t in tools:
        if t["name"] == tool:
            try:
                routes = [str(r) for r in t["input_schema"]["properties"]["route"]["enum"]]
            except (KeyError, TypeError):
                pass
    repair = any(m.get("role") == "assistant" for m in messages)
    chars = len(system) + sum(map(len, texts)) + (schema_length(tools) if tools else 0)
    return ParsedRequest(model, raw, email, routes, chars, repair, tool, max_tokens)


def completion_body(model: str, content: str, fate: Fate, prompt_tokens: int,
                    completion_tokens: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if fate == "refusal":
        message = {"role": "assistant", "content": None, "refusal": content}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def message_body(parsed: ParsedRequest, answer: Any, fate: Fate, prompt_tokens: int,
                 completion_tokens: int) -> dict[str, Any]:
    if fate == "refusal":
        content: list[dict[str, Any]] = [{"type": "text", "text": answer}]
        stop = "refusal"
    elif parsed.tool:
        tool_input = json.loads(answer) if isinstance(answer, str) and fate == "ok" else answer
        if isinstance(tool_input, str):  # garbage text where a tool call was forced
            tool_input = {"text": tool_input}
        content = [{"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:24]}", "name": parsed.tool,
                    "input": tool_input}]
        stop = "tool_use"
    else:
        content = [{"type": "text", "text": answer if isinstance(answer, str) else json.dumps(answer)}]
        stop = "end_turn"
    return {
        "id": f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": parsed.model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": prompt_tokens, "output_tokens": completion_tokens},
    }
