"""Client for the Anthropic Messages API: `POST {base_url}/v1/messages`, structured output by a
forced tool call (`record_verdict`, whose input schema is the verdict schema), validated by pydantic.

Errors map onto the engine's kinds like the OpenAI client's: 429 (`rate_limit_error`) and 529
(`overloaded_error`) wait and are not attempts; 401/403 stop the run with one line naming the key
variable; billing errors stop it too and say so; a prompt that is too long fails only its email;
5xx is retried. The `anthropic-ratelimit-*` headers feed the run's pacer.
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
    parse_retry_after,
    public_url,
    send,
    seconds_until,
)
from tui.agents.injection_rules import detect_injection
from tui.agents.prompt import (
    MAX_OUTPUT_TOKENS,
    TOOL_NAME,
    combine_injection,
    estimate_tokens,
    prompt_overhead_chars,
    system_prompt,
    tool_definition,
    user_prompt,
)
from tui.model import Email, Verdict
from tui.settings import Settings

ANTHROPIC_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"
_BILLING_WORDS = ("credit balance", "billing", "spend limit", "usage limit", "quota")


def anthropic_ratelimit(headers: Any) -> RateLimitInfo | None:
    """anthropic-ratelimit-requests-* and -tokens-* (reset: an RFC 3339 instant). Without the
    combined tokens-* family, the input-tokens-* one (input is most of every request)."""
    prefix = "anthropic-ratelimit-"
    tokens = "tokens" if headers.get(prefix + "tokens-limit") is not None else "input-tokens"
    info = RateLimitInfo(
        limit_requests=header_int(headers, prefix + "requests-limit"),
        remaining_requests=header_int(headers, prefix + "requests-remaining"),
        reset_requests_s=seconds_until(headers.get(prefix + "requests-reset")),
        limit_tokens=header_int(headers, f"{prefix}{tokens}-limit"),
        remaining_tokens=header_int(headers, f"{prefix}{tokens}-remaining"),
        reset_tokens_s=seconds_until(headers.get(f"{prefix}{tokens}-reset")),
    )
    return None if info == RateLimitInfo() else info


def _retry_after(headers: Any) -> float | None:
    explicit = parse_retry_after(headers.get("retry-after"))
    if explicit is not None:
        return explicit
    hints = [seconds_until(headers.get(f"anthropic-ratelimit-{k}-reset"))
             for k in ("requests", "tokens", "input-tokens", "output-tokens")]
    found = [h for h in hints if h is not None]
    return min(found) if found else None


class _Repairable(BadAnswerError):
    """The tool input does not validate: worth one repair attempt through a tool_result error."""

    content: list[Any] = []
    tool_use_id: str = ""


class AnthropicProvider:
    """Provider over the Messages API with the verdict as a forced tool call."""

    def __init__(
        self,
        settings: Settings,
        session: aiohttp.ClientSession,
        api_key: str | None,
        *,
        base_url: str | None = None,
        expected_latency_s: float = 5.0,
    ) -> None:
        self.name = "anthropic"
        self.model = settings.model
        self.expected_latency_s = expected_latency_s
        base = (base_url or settings.base_url or ANTHROPIC_BASE_URL).rstrip("/")
        self.base_url = base.removesuffix("/v1")  # accept both spellings of the endpoint
        self.host = urlsplit(public_url(self.base_url)).netloc or self.base_url  # shown: no user:password@
        self.key_env = settings.api_key_env or "ANTHROPIC_API_KEY"
        self.boundary = secrets.token_hex(8)  # per run: email authors cannot know it
        self.last_ratelimit: RateLimitInfo | None = None
        self.input_tokens = 0
        self.output_tokens = 0
        self.notes: list[str] = []
        self._settings = settings
        self._session = session
        self._key = api_key or None
        self._scrub = Scrubber(self._key)
        self._system = system_prompt(settings)
        self._tool = tool_definition(settings)
        self._routes = set(settings.route_names)
        self._overhead = prompt_overhead_chars(settings)
        self._headers = {
            "content-type": "application/json",
            "accept": "application/json",
            "anthropic-version": ANTHROPIC_VERSION,
        }
        if self._key:
            self._headers["x-api-key"] = self._key

    # -- the Provider protocol --------------------------------------------------------------

    async def check(self) -> None:
        """GET /v1/models?limit=1: costs nothing, and a wrong key fails here, once."""
        url = f"{self.base_url}/v1/models?limit=1"
        try:
            status, _, body = await send(self._session, "GET", url, host=self.host, base_url=self.base_url,
                                         scrub=self._scrub, headers=self._headers, timeout=CHECK_TIMEOUT)
        except ProviderError as exc:
            raise FatalProviderError(str(exc)) from None
        if status in (401, 403):
            raise FatalProviderError(self._refused(status, body))
        if status == 404 or 200 <= status < 300:
            return
        if status >= 500 or status == 429:
            raise ProviderError(f"{self.host} answered {status} to GET /v1/models")
        raise FatalProviderError(f"{self.host} answered {status}: {self._scrub.reason(body)}")

    def estimate_tokens(self, email: Email) -> int:
        return estimate_tokens(email, self._settings, self._overhead)

    async def classify(self, email: Email) -> Verdict:
        rules_flag, rules_reason = detect_injection(email)  # the pre-pass: a second opinion
        exchange = current_exchange()
        messages: list[dict[str, Any]] = [
            {"role": "user", "content": user_prompt(email, self._settings, self.boundary)}
        ]
        for round_ in range(2):  # the request, and at most one repair
            if round_ and exchange is not None:
                await exchange.before_extra_request(self.estimate_tokens(email))
            status, headers, raw = await send(
                self._session, "POST", f"{self.base_url}/v1/messages", host=self.host,
                base_url=self.base_url, scrub=self._scrub, headers=self._headers, body=self._body(messages))
            info = anthropic_ratelimit(headers)
            if info is not None:
                self.last_ratelimit = info
            usage = self._usage(raw) if status == 200 else None
            if exchange is not None:
                exchange.responded(info, *(usage or (None, None)))
            if status != 200:
                self._raise_for_status(status, headers, raw)
            try:
                verdict = self._verdict_from(raw)
            except _Repairable as exc:
                if round_:
                    raise BadAnswerError(f"{exc} (after one repair attempt)") from None
                messages = [
                    *messages,
                    {"role": "assistant", "content": exc.content},
                    {"role": "user", "content": [{
                        "type": "tool_result", "tool_use_id": exc.tool_use_id, "is_error": True,
                        "content": f"{exc}. Call {TOOL_NAME} again with input that matches its schema.",
                    }]},
                ]
                continue
            return combine_injection(verdict, rules_flag, rules_reason)
        raise BadAnswerError("no valid verdict")  # not reached

    async def aclose(self) -> None:
        """The session belongs to the run: nothing to release here."""

    # -- requests and answers ----------------------------------------------------------------

    def _body(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "model": self.model,
            "max_tokens": MAX_OUTPUT_TOKENS,
            "temperature": 0,
            "system": self._system,
            "messages": messages,
            "tools": [self._tool],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
        }

    def _raise_for_status(self, status: int, headers: Any, raw: bytes) -> None:
        kind, _, message = error_fields(raw)
        if status == 402 or kind == "billing_error" or (
            status in (400, 403) and any(w in message.lower() for w in _BILLING_WORDS)
        ):
            raise QuotaError(
                f"anthropic says the account behind {self.key_env} cannot pay for more requests "
                f"({status} {kind or 'billing'}): check its credit balance; stopped launching")
        if status in (429, 529):
            what = "overloaded" if status == 529 else "rate limited"
            raise RateLimitError(f"{what} ({status}) by {self.host}", retry_after=_retry_after(headers))
        if status in (401, 403):
            raise FatalProviderError(self._refused(status, raw))
        if status >= 500:
            raise ProviderError(f"{self.host} answered {status}: {self._scrub.reason(raw)}",
                                retry_after=parse_retry_after(headers.get("retry-after")))
        if status in (408, 409):
            raise ProviderError(f"{self.host} answered {status}: {self._scrub.reason(raw)}")
        if status in (400, 413) and concerns_one_email(status, raw):
            raise EmailRejectedError(f"{self.host} rejected this email ({status}): {self._scrub.reason(raw)}")
        raise FatalProviderError(
            f"anthropic rejected the request ({status} from {self.host}): {self._scrub.reason(raw)}")

    def _verdict_from(self, raw: bytes) -> Verdict:
        try:
            data = json.loads(raw)
            content = data["content"]
            stop = data.get("stop_reason")
            if not isinstance(content, list):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BadAnswerError(f"{self.host} sent a malformed message") from None
        if stop == "refusal":
            raise RefusedError("the model refused: " + self._scrub.clip(_text_of(content) or "no reason given"))
        if stop == "max_tokens":
            raise BadAnswerError("the answer was cut off (stop_reason=max_tokens)")
        call = next((b for b in content if isinstance(b, dict) and b.get("type") == "tool_use"
                     and b.get("name") == TOOL_NAME), None)
        if call is None:
            said = _text_of(content)
            raise BadAnswerError("the model answered without calling the tool"
                                 + (f": {self._scrub.clip(said, 120)}" if said else ""))
        try:
            verdict = Verdict.model_validate(call.get("input"))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "input"
            raise _repairable(f"the tool input does not match the schema: {where}: {err['msg']}",
                              content, call) from None
        if verdict.route not in self._routes:
            raise _repairable(f"the tool input names an unknown route: {self._scrub.clip(verdict.route, 40)}",
                              content, call)
        return verdict

    def _usage(self, raw: bytes) -> tuple[int, int] | None:
        try:
            usage = json.loads(raw).get("usage")
            prompt = sum(int(usage.get(k) or 0) for k in (
                "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"))
            completion = int(usage.get("output_tokens") or 0)
        except (ValueError, TypeError, AttributeError):
            return None
        self.input_tokens += prompt
        self.output_tokens += completion
        return prompt, completion

    def _refused(self, status: int, raw: bytes = b"") -> str:
        where = "" if self.base_url == ANTHROPIC_BASE_URL else f" at {self.host}"
        if self._key:
            detail = f": {self._scrub.reason(raw)}" if status == 403 and raw else ""
            return f"anthropic{where} refused the API key from {self.key_env} ({status}){detail}"
        return f"{self.host} requires an API key ({status}); set {self.key_env} or --api-key-env"


def _text_of(content: list[Any]) -> str:
    return " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text").strip()


def _repairable(message: str, content: list[Any], call: dict[str, Any]) -> _Repairable:
    exc = _Repairable(message)
    exc.content = content
    exc.tool_use_id = str(call.get("id") or "")
    return exc
