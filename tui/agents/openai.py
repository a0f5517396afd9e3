"""Client for any OpenAI-compatible chat completions server (OpenAI, Ollama, vLLM, llama.cpp, sim).

Every failure becomes one of the engine's ProviderError kinds with a short, key-free message,
so the engine can decide retry / back off / skip the email / stop the run without knowing HTTP:

- 429 waits (Retry-After, else the reset hints) and is not an attempt; `insufficient_quota`
  stops the run; 401/403 stop it with one line naming the key variable.
- A 400 about one email (context length exceeded, content filter) fails that email only.
- A server that rejects `response_format: json_schema` (many local servers) is detected on the
  first 400 and the run switches to JSON mode (`json_object`, the schema in the prompt,
  validated by pydantic); one that rejects that too gets no response_format at all.
- An answer that is not valid JSON for the schema is sent back once with the error (one repair
  attempt); a second bad answer, a refusal or a truncated answer is a BadAnswerError.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from pydantic import ValidationError

from tui.agents.base import (
    BadAnswerError,
    EmailRejectedError,
    FatalProviderError,
    ProviderError,
    QuotaError,
    RateLimitError,
    RateLimitInfo,
    RefusedError,
    current_exchange,
)
from tui.agents.http import (
    CHECK_TIMEOUT,
    Scrubber,
    concerns_one_email,
    error_fields,
    header_int,
    parse_duration,
    parse_retry_after,
    public_url,
    send,
)
from tui.agents.injection_rules import detect_injection
from tui.agents.prompt import (
    MAX_OUTPUT_TOKENS,
    build_messages,
    combine_injection,
    estimate_tokens,
    json_mode_system_prompt,
    prompt_overhead_chars,
    repair_prompt,
    verdict_schema,
)
from tui.model import Email, Verdict
from tui.settings import Settings

__all__ = ["OpenAIProvider", "RateLimitInfo", "openai_ratelimit", "parse_duration", "parse_retry_after",
           "retry_after_from"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
_QUOTA_CODES = {"insufficient_quota", "billing_hard_limit_reached", "billing_not_active"}
_FORMAT_WORDS = ("response_format", "json_schema", "json schema", "structured output", "json_object")
_MAX_ROUNDS = 6  # requests per classify(): first + format fallbacks + parameter fixes + one repair
_REPAIR_ECHO_CHARS = 2000
_RATELIMIT_HEADERS = tuple(f"x-ratelimit-{what}-{unit}" for what in ("limit", "remaining", "reset")
                           for unit in ("requests", "tokens"))


def openai_ratelimit(headers: Any) -> RateLimitInfo | None:
    """x-ratelimit-{limit,remaining,reset}-{requests,tokens}; reset as "6m0s"-style durations."""
    if not any(name in headers for name in _RATELIMIT_HEADERS):
        return None  # the common case on servers without limits: no parsing at all
    info = RateLimitInfo(
        limit_requests=header_int(headers, "x-ratelimit-limit-requests"),
        remaining_requests=header_int(headers, "x-ratelimit-remaining-requests"),
        reset_requests_s=parse_duration(headers.get("x-ratelimit-reset-requests")),
        limit_tokens=header_int(headers, "x-ratelimit-limit-tokens"),
        remaining_tokens=header_int(headers, "x-ratelimit-remaining-tokens"),
        reset_tokens_s=parse_duration(headers.get("x-ratelimit-reset-tokens")),
    )
    return None if info == RateLimitInfo() else info


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


class _Repairable(BadAnswerError):
    """The model answered, but not with JSON for the schema: worth one repair attempt."""

    content: str = ""


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
        self.host = urlsplit(public_url(self.base_url)).netloc or self.base_url  # shown: no user:password@
        # The variable the key came from (the sim provider reads one only with --api-key-env).
        self.key_env = settings.api_key_env or ("OPENAI_API_KEY" if settings.provider != "sim" else "")
        self.boundary = secrets.token_hex(8)  # per run: email authors cannot know it
        self.last_ratelimit: RateLimitInfo | None = None
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.response_format = "json_schema"  # -> "json_object" -> "none", once per run, on a 400
        self.notes: list[str] = []  # one-off changes of course, for the run's log
        self._params: dict[str, Any] = {"temperature": 0, "max_tokens": MAX_OUTPUT_TOKENS}
        self._settings = settings
        self._session = session
        self._key = api_key or None
        self._scrub = Scrubber(self._key)
        self._schema = verdict_schema(settings)
        self._routes = set(settings.route_names)
        self._overhead = prompt_overhead_chars(settings)
        self._heads: dict[tuple[Any, ...], str] = {}  # see _encode
        self._completions_url = f"{self.base_url}/chat/completions"
        self._public_base = public_url(self.base_url)
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._key:
            self._headers["Authorization"] = f"Bearer {self._key}"

    # -- the Provider protocol --------------------------------------------------------------

    async def check(self) -> None:
        """GET /models once, so a wrong URL or key stops the run before fanning out."""
        url = f"{self.base_url}/models"
        try:
            status, _, body = await send(self._session, "GET", url, host=self.host, base_url=public_url(url),
                                         scrub=self._scrub, headers=self._headers, timeout=CHECK_TIMEOUT)
        except ProviderError as exc:
            raise FatalProviderError(str(exc)) from None
        if status in (401, 403):
            raise FatalProviderError(self._refused(status, body)) from None
        if status == 404 or 200 <= status < 300:
            return  # some servers have no /models; that is fine
        if status >= 500 or status == 429:
            raise ProviderError(f"{self.host} answered {status} to {url}")
        raise FatalProviderError(f"{self.host} answered {status}: {self._scrub.reason(body)}")

    def estimate_tokens(self, email: Email) -> int:
        return estimate_tokens(email, self._settings, self._overhead)

    async def classify(self, email: Email) -> Verdict:
        rules_flag, rules_reason = detect_injection(email)  # the pre-pass: a second opinion
        exchange = current_exchange()
        messages = build_messages(email, self._settings, self.boundary)
        repaired = False
        for round_ in range(_MAX_ROUNDS):
            if round_ and exchange is not None:
                await exchange.before_extra_request(self.estimate_tokens(email))
            status, headers, raw = await self.post(self._encode(messages))
            info = openai_ratelimit(headers)
            if info is not None:
                self.last_ratelimit = info
            data = _json_or_none(raw) if status == 200 else None
            usage = self._usage(data) if status == 200 else None
            if exchange is not None:
                exchange.responded(info, *(usage or (None, None)))
            if status == 400 and self._adapt(raw):
                continue  # the server told us what it cannot do: ask again without it
            if status != 200:
                self.raise_for_status(status, headers, raw)
            try:
                verdict = self._verdict_from(data)
            except _Repairable as exc:
                if repaired:
                    raise BadAnswerError(f"{exc} (after one repair attempt)") from None
                repaired = True
                messages = [*messages,
                            {"role": "assistant", "content": exc.content[:_REPAIR_ECHO_CHARS] or "(empty)"},
                            {"role": "user", "content": repair_prompt(str(exc))}]
                continue
            return combine_injection(verdict, rules_flag, rules_reason)
        raise BadAnswerError(f"{self.host} kept rejecting the request format")

    async def aclose(self) -> None:
        """The session belongs to the run, not to the provider: nothing to release here."""

    # -- requests --------------------------------------------------------------------------

    def _body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        if self.response_format != "json_schema":
            messages = [{"role": "system", "content": json_mode_system_prompt(self._settings)}, *messages[1:]]
        body: dict[str, Any] = {"model": self.model, "messages": messages, **self._params}
        if self.response_format == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "verdict", "strict": True, "schema": self._schema},
            }
        elif self.response_format == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    def _encode(self, messages: list[dict[str, str]]) -> bytes:
        """`_body(messages)` as JSON bytes. All but the email's turns (model, parameters, schema,
        system prompt: most of the bytes) is the same for every request of a run, so that part
        is encoded once per request shape rather than once per email."""
        key = (self.response_format, tuple(self._params.items()))
        head = self._heads.get(key)
        if head is None:
            body = self._body(messages[:1])
            system = body.pop("messages")[0]
            head = self._heads[key] = json.dumps(body)[:-1] + ', "messages": [' + json.dumps(system)
        return "".join([head, *(", " + json.dumps(m) for m in messages[1:]), "]}"]).encode()

    async def post(self, body: dict[str, Any] | bytes) -> tuple[int, Any, bytes]:
        """One chat completion request (also used by `tui/extract/fields_model.py`): a body to
        encode, or one already encoded."""
        return await send(self._session, "POST", self._completions_url, host=self.host,
                          base_url=self._public_base, scrub=self._scrub, headers=self._headers, body=body)

    def _adapt(self, raw: bytes) -> bool:
        """A 400 that rejects a feature of the request rather than the email: drop the feature
        for the rest of the run. True when there is something left to try."""
        kind, code, message = error_fields(raw)
        text = f"{kind} {code} {message}".lower()
        try:
            param = str(json.loads(raw)["error"].get("param") or "").lower()
        except (ValueError, KeyError, TypeError, AttributeError):
            param = ""
        if "max_tokens" in self._params and ("max_tokens" in param or "max_completion_tokens" in text):
            self._params["max_completion_tokens"] = self._params.pop("max_tokens")
            self.notes.append(f"{self.host}: sent max_completion_tokens instead of max_tokens")
            return True
        if "temperature" in self._params and ("temperature" in param or "temperature" in text):
            del self._params["temperature"]
            self.notes.append(f"{self.host}: the model only takes its default temperature")
            return True
        if param.startswith("response_format") or any(w in text for w in _FORMAT_WORDS):
            if self.response_format == "json_schema":
                self.response_format = "json_object"
                self.notes.append(f"{self.host} rejected json_schema; using JSON mode with validation")
                return True
            if self.response_format == "json_object":
                self.response_format = "none"
                self.notes.append(f"{self.host} rejected JSON mode too; validating plain answers")
                return True
        return False

    # -- answers ---------------------------------------------------------------------------

    def raise_for_status(self, status: int, headers: Any, raw: bytes) -> None:
        """A non-200 answer as the engine's error kind (also used by `tui/extract/fields_model.py`)."""
        kind, code, _ = error_fields(raw)
        if status == 429 and (code in _QUOTA_CODES or kind in _QUOTA_CODES):
            raise QuotaError(
                f"{self.name} says the account{' behind ' + self.key_env if self.key_env else ''} is out of "
                f"quota ({code or kind}): "
                "check its plan and billing; stopped launching")
        if status in (429, 529):
            raise RateLimitError(
                f"rate limited ({status}) by {self.host}", retry_after=retry_after_from(headers)
            )
        if status in (401, 403):
            raise FatalProviderError(self._refused(status, raw))
        if status >= 500:
            raise ProviderError(
                f"{self.host} answered {status}: {self._scrub.reason(raw)}",
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
        if status in (408, 409, 425):
            raise ProviderError(f"{self.host} answered {status}: {self._scrub.reason(raw)}")
        if status in (400, 413, 422) and concerns_one_email(status, raw):
            raise EmailRejectedError(f"{self.host} rejected this email ({status}): {self._scrub.reason(raw)}")
        raise FatalProviderError(f"{self.name} rejected the request ({status} from {self.host}): "
                                 f"{self._scrub.reason(raw)}")

    def _verdict_from(self, data: Any) -> Verdict:
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise BadAnswerError(f"{self.host} sent a malformed completion") from None
        if not isinstance(message, dict) or not isinstance(choice, dict):
            raise BadAnswerError(f"{self.host} sent a malformed completion")
        if message.get("refusal"):
            raise RefusedError(f"the model refused: {self._scrub.clip(str(message['refusal']))}")
        if choice.get("finish_reason") == "length":
            raise BadAnswerError("the answer was cut off (finish_reason=length)")
        if choice.get("finish_reason") == "content_filter":
            raise RefusedError("the provider's content filter stopped the answer")
        content = message.get("content")
        if not isinstance(content, str) or not content.strip():
            raise _repairable("the answer was empty", "")
        text = _strip_fences(content)
        try:
            verdict = Verdict.model_validate_json(text)
        except ValidationError as exc:
            err = exc.errors()[0]
            if err["type"] == "json_invalid":
                raise _repairable("the answer is not JSON", content) from None
            where = ".".join(str(p) for p in err["loc"]) or "answer"
            raise _repairable(f"the answer does not match the schema: {where}: {err['msg']}", content) from None
        if verdict.route not in self._routes:
            raise _repairable(f"the answer names an unknown route: {self._scrub.clip(verdict.route, 40)}", content)
        return verdict

    def _usage(self, data: Any) -> tuple[int, int] | None:
        """Token counts for telemetry and the TPM budget; a server that omits them adds nothing."""
        try:
            usage = data.get("usage")
            prompt = int(usage.get("prompt_tokens") or 0)
            completion = int(usage.get("completion_tokens") or 0)
        except (ValueError, TypeError, AttributeError):
            return None
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        return prompt, completion

    def _refused(self, status: int, raw: bytes = b"") -> str:
        where = "" if self.base_url == OPENAI_BASE_URL else f" at {self.host}"
        if self._key:
            detail = f": {self._scrub.reason(raw)}" if status == 403 and raw else ""
            source = f" from {self.key_env}" if self.key_env else ""
            return f"{self.name}{where} refused the API key{source} ({status}){detail}"
        if self.key_env:
            return f"{self.host} requires an API key ({status}); set {self.key_env} or --api-key-env"
        return f"{self.host} requires an API key ({status}); pass --api-key-env VAR with the key in VAR"


def _json_or_none(raw: bytes) -> Any:
    """The answer parsed once, for both the usage and the verdict (None: not JSON)."""
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _repairable(message: str, content: str) -> _Repairable:
    exc = _Repairable(message)
    exc.content = content
    return exc


def _strip_fences(content: str) -> str:
    """Local models in JSON-less mode like to wrap the object in ```json fences."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()
