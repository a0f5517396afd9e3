"""Client for any OpenAI-compatible chat completions server (OpenAI, Ollama, vLLM, llama.cpp, sim).

Every failure becomes one of the engine's ProviderError kinds with a short, key-free message,
so the engine can decide retry / back off / stop without knowing HTTP.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from pydantic import ValidationError

from tui.agents.base import BadAnswerError, FatalProviderError, ProviderError, RateLimitError
from tui.agents.prompt import build_messages, verdict_schema
from tui.model import Email, Verdict
from tui.settings import Settings

OPENAI_BASE_URL = "https://api.openai.com/v1"
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=300)  # the engine enforces the real per-email limit
CHECK_TIMEOUT = aiohttp.ClientTimeout(total=30)
_REASON_CHARS = 200
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_SECRET_RE = re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_\-*.]{6,}")


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


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """The server's view of our budget, from x-ratelimit-* headers (any field may be missing)."""

    limit_requests: int | None = None
    remaining_requests: int | None = None
    reset_requests_s: float | None = None
    limit_tokens: int | None = None
    remaining_tokens: int | None = None
    reset_tokens_s: float | None = None

    @classmethod
    def from_headers(cls, headers: Any) -> "RateLimitInfo | None":
        def num(name: str) -> int | None:
            try:
                return int(headers.get(name))
            except (TypeError, ValueError):
                return None

        info = cls(
            limit_requests=num("x-ratelimit-limit-requests"),
            remaining_requests=num("x-ratelimit-remaining-requests"),
            reset_requests_s=parse_duration(headers.get("x-ratelimit-reset-requests")),
            limit_tokens=num("x-ratelimit-limit-tokens"),
            remaining_tokens=num("x-ratelimit-remaining-tokens"),
            reset_tokens_s=parse_duration(headers.get("x-ratelimit-reset-tokens")),
        )
        return None if info == cls() else info


def retry_after_from(headers: Any) -> float | None:
    """Retry-After wins; else the sooner of the requests/tokens reset hints."""
    explicit = parse_retry_after(headers.get("Retry-After"))
    if explicit is not None:
        return explicit
    hints = [
        parse_duration(headers.get("x-ratelimit-reset-requests")),
        parse_duration(headers.get("x-ratelimit-reset-tokens")),
    ]
    found = [h for h in hints if h is not None]
    return min(found) if found else None


class OpenAIProvider:
    """Provider over `POST {base_url}/chat/completions` with a strict json_schema answer."""

    def __init__(
        self,
        settings: Settings,
        session: aiohttp.ClientSession,
        api_key: str | None,
        *,
        base_url: str | None = None,
        expected_latency_s: float = 5.0,
    ) -> None:
        self.name = settings.provider
        self.model = settings.model
        self.expected_latency_s = expected_latency_s
        self.base_url = (base_url or settings.base_url or OPENAI_BASE_URL).rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.boundary = secrets.token_hex(8)  # per run: email authors cannot know it
        self.last_ratelimit: RateLimitInfo | None = None
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._settings = settings
        self._session = session
        self._key = api_key or None
        self._schema = verdict_schema(settings)
        self._routes = set(settings.route_names)
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._key:
            self._headers["Authorization"] = f"Bearer {self._key}"

    async def check(self) -> None:
        """GET /models once, so a wrong URL or key stops the run before fanning out."""
        url = f"{self.base_url}/models"
        try:
            async with self._session.get(url, headers=self._headers, timeout=CHECK_TIMEOUT) as resp:
                body = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise FatalProviderError(f"cannot reach {url}: {self._short_exc(exc)}") from None
        if status in (401, 403):
            raise FatalProviderError(self._refused(status)) from None
        if status == 404 or 200 <= status < 300:
            return  # some servers have no /models; that is fine
        if status >= 500 or status == 429:
            raise ProviderError(f"{self.host} answered {status} to {url}")
        raise FatalProviderError(f"{self.host} answered {status}: {self._reason(body)}")

    async def classify(self, email: Email) -> Verdict:
        body = {
            "model": self.model,
            "messages": build_messages(email, self._settings, self.boundary),
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "verdict", "strict": True, "schema": self._schema},
            },
        }
        url = f"{self.base_url}/chat/completions"
        try:
            async with self._session.post(
                url, json=body, headers=self._headers, timeout=REQUEST_TIMEOUT
            ) as resp:
                raw = await resp.read()
                status, headers = resp.status, resp.headers
        except aiohttp.ClientConnectorError as exc:
            raise ProviderError(f"cannot reach {self.base_url}: {self._short_exc(exc)}") from None
        except asyncio.TimeoutError:
            raise ProviderError(f"no answer from {self.host} within 300 s") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise ProviderError(f"connection to {self.host} failed: {self._short_exc(exc)}") from None

        info = RateLimitInfo.from_headers(headers)
        if info is not None:
            self.last_ratelimit = info
        if status != 200:
            self._raise_for_status(status, headers, raw)
        return self._verdict_from(raw)

    async def aclose(self) -> None:
        """The session belongs to the run, not to the provider: nothing to release here."""

    # -- helpers ---------------------------------------------------------------------------

    def _raise_for_status(self, status: int, headers: Any, raw: bytes) -> None:
        if status in (429, 529):
            raise RateLimitError(
                f"rate limited ({status}) by {self.host}", retry_after=retry_after_from(headers)
            )
        if status in (401, 403):
            raise FatalProviderError(self._refused(status))
        if status >= 500:
            raise ProviderError(
                f"{self.host} answered {status}: {self._reason(raw)}",
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        if status in (408, 409, 425):
            raise ProviderError(f"{self.host} answered {status}: {self._reason(raw)}")
        raise FatalProviderError(f"{self.host} answered {status}: {self._reason(raw)}")

    def _verdict_from(self, raw: bytes) -> Verdict:
        try:
            data = json.loads(raw)
            choice = data["choices"][0]
            message = choice["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise BadAnswerError(f"{self.host} sent a malformed completion") from None
        self._count_usage(data.get("usage") if isinstance(data, dict) else None)
        if not isinstance(message, dict):
            raise BadAnswerError(f"{self.host} sent a malformed completion")
        if message.get("refusal"):
            raise BadAnswerError(f"the model refused: {self._clip(str(message['refusal']))}")
        if choice.get("finish_reason") == "length":
            raise BadAnswerError("the answer was cut off (finish_reason=length)")
        content = message.get("content")
        if not isinstance(content, str) or not content.strip():
            raise BadAnswerError("the answer was empty")
        try:
            verdict = Verdict.model_validate_json(content)
        except ValidationError as exc:
            err = exc.errors()[0]
            if err["type"] == "json_invalid":
                raise BadAnswerError("the answer is not JSON") from None
            where = ".".join(str(p) for p in err["loc"]) or "answer"
            raise BadAnswerError(f"the answer does not match the schema: {where}: {err['msg']}") from None
        if verdict.route not in self._routes:
            raise BadAnswerError(f"the answer names an unknown route: {self._clip(verdict.route, 40)}")
        return verdict

    def _count_usage(self, usage: Any) -> None:
        """Token totals for telemetry; a server that omits or mangles usage just adds nothing."""
        if not isinstance(usage, dict):
            return
        try:
            self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            self.completion_tokens += int(usage.get("completion_tokens") or 0)
        except (TypeError, ValueError):
            pass

    def _refused(self, status: int) -> str:
        if self._key:
            return f"the API key was refused ({status}) by {self.host}"
        return f"{self.host} requires an API key ({status}); set OPENAI_API_KEY or api_key_env"

    def _reason(self, raw: bytes) -> str:
        """A short human reason from an error body: OpenAI, Ollama and plain-text shapes."""
        text = raw.decode("utf-8", "replace")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            err = data.get("error", data.get("detail", data.get("message")))
            if isinstance(err, dict):
                text = str(err.get("message") or err.get("code") or err)
            elif err is not None:
                text = str(err)
        return self._clip(text.strip() or "no details")

    def _clip(self, text: str, limit: int = _REASON_CHARS) -> str:
        """Single line, bounded, and scrubbed of anything that looks like a key."""
        if self._key:
            text = text.replace(self._key, "***")
        text = _SECRET_RE.sub("***", " ".join(text.split()))
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _short_exc(self, exc: BaseException) -> str:
        if isinstance(exc, asyncio.TimeoutError):
            return "timed out"
        if isinstance(exc, aiohttp.ClientConnectorError):
            return self._clip(exc.os_error.strerror or str(exc.os_error), 120)
        return self._clip(str(exc) or type(exc).__name__, 120)
