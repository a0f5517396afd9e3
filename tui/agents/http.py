"""What the HTTP providers share: one request helper, header parsing, and key-free error text.

Every message built here is one line, bounded, and scrubbed of the key and of anything shaped
like a key, because error text ends up in rows, reports, logs and on the screen.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from tui.agents.base import ProviderError

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=300)  # a backstop for callers with no limit of their own
# No timer of aiohttp's: for requests whose caller holds an asyncio timeout around them (the engine's
# per-request limit, extraction's per-document one). aiohttp's would be a second timer per request.
UNTIMED = aiohttp.ClientTimeout()
CHECK_TIMEOUT = aiohttp.ClientTimeout(total=30)
REASON_CHARS = 200
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_SECRET_RE = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-*.]{6,}|\bBearer\s+\S+", re.I)

# A 400-class answer about this one email (too long, filtered): fail the email, not the run.
_ONE_EMAIL = re.compile(
    r"context[ _]length|context window|context size|maximum context|too many tokens|prompt is too long|"
    r"too long|too large|string_above_max_length|content[ _]filter|content[ _]policy|"
    r"invalid_prompt|flagged|safety system",
    re.I,
)


def parse_duration(value: str | None) -> float | None:
    """OpenAI reset headers ("6m0s", "1.5s", "20ms", "1h2m") or plain seconds -> seconds."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION_RE.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(n) * scale[u] for n, u in parts)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def seconds_until(value: str | None) -> float | None:
    """An RFC 3339 instant (Anthropic's reset headers) -> seconds from now, never negative."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return parse_duration(value)
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def header_int(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def error_fields(raw: bytes) -> tuple[str, str, str]:
    """(type, code, message) from an error body: OpenAI, Anthropic, Ollama or plain text."""
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        return "", "", text
    kind = code = ""
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data.get("message")))
        if isinstance(err, dict):
            kind = str(err.get("type") or "")
            code = str(err.get("code") or "")
            text = str(err.get("message") or err.get("code") or err.get("type") or err)
        elif err is not None:
            text = str(err)
    return kind, code, text


def concerns_one_email(status: int, raw: bytes) -> bool:
    if status == 413:
        return True
    kind, code, message = error_fields(raw)
    return bool(_ONE_EMAIL.search(f"{kind} {code} {message}"))


def public_url(url: str) -> str:
    """The URL as it may be shown: no user:password@, no query (either may hold a credential)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


class Scrubber:
    """Short, single-line, key-free text for anything that reaches the user."""

    def __init__(self, key: str | None) -> None:
        self._key = key or None

    def clip(self, text: str, limit: int = REASON_CHARS) -> str:
        if self._key:
            text = text.replace(self._key, "***")
        text = _SECRET_RE.sub("***", " ".join(text.split()))
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def reason(self, raw: bytes) -> str:
        _, _, message = error_fields(raw)
        return self.clip(message.strip() or "no details")

    def exc(self, exc: BaseException) -> str:
        if isinstance(exc, asyncio.TimeoutError):
            return "timed out"
        if isinstance(exc, aiohttp.ClientConnectorError):
            return self.clip(exc.os_error.strerror or str(exc.os_error), 120)
        return self.clip(str(exc) or type(exc).__name__, 120)


def new_session(limit: int = 0, timeout: float | None = None) -> aiohttp.ClientSession:
    """Every HTTP session is opened here (triage, extraction, provisioning, personalizing, the Ray
    actors): at most `limit` connections (0: no limit of its own; the run's cap is the real one),
    `timeout` seconds per request if given. The caller closes it."""
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=0)
    if timeout is None:
        return aiohttp.ClientSession(connector=connector)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout))


@asynccontextmanager
async def http_session(limit: int = 0) -> AsyncIterator[aiohttp.ClientSession]:
    """The run's HTTP client for as long as the block (see `new_session`)."""
    async with new_session(limit) as session:
        yield session


async def send(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    host: str,
    base_url: str,
    scrub: Scrubber,
    headers: dict[str, str],
    body: Any = None,  # JSON-encoded here, unless it is bytes already
    timeout: aiohttp.ClientTimeout = REQUEST_TIMEOUT,
) -> tuple[int, Any, bytes]:
    """One request; connection problems become a retryable ProviderError with a clean reason."""
    try:
        data, body = (body, None) if isinstance(body, bytes) else (None, body)
        async with session.request(method, url, json=body, data=data, headers=headers, timeout=timeout) as resp:
            raw = await resp.read()
            return resp.status, resp.headers, raw
    except aiohttp.ClientConnectorError as exc:
        raise ProviderError(f"cannot reach {base_url}: {scrub.exc(exc)}") from None
    except asyncio.TimeoutError:
        within = f" within {timeout.total:.0f} s" if timeout.total else ""
        raise ProviderError(f"no answer from {host}{within}") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise ProviderError(f"connection to {host} failed: {scrub.exc(exc)}") from None
