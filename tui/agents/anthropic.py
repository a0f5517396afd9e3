"""Client for the Anthropic Messages API: `POST {base_url}/v1/messages`, structured output by a
forced tool call (`record_verdict`, whose input schema is the verdict schema), validated by pydantic.

Errors map onto the engine's kinds like the OpenAI client's: 429 (`rate_limit_error`) and 529
(`overloaded_error`) wait and are not attempts; 401/403 stop the run with one line naming the key
variable; billing errors stop it too and say so; a prompt that is too long fails only its email;
5xx is retried. The `anthropic-ratelimit-*` headers feed the run's pacer.
"""

from __future__ import annotations

import json
from typing import Any

from tui.agents.base import BadAnswerError, RateLimitInfo, RefusedError
from tui.agents.http import error_fields, seconds_until
from tui.agents.http_provider import HTTPProvider, Repairable, ratelimit_info, retry_after
from tui.agents.prompt import MAX_OUTPUT_TOKENS, TOOL_NAME, system_prompt, tool_definition, user_prompt
from tui.model import Email, Verdict

ANTHROPIC_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"
_BILLING_WORDS = ("credit balance", "billing", "spend limit", "usage limit", "quota")


def anthropic_ratelimit(headers: Any) -> RateLimitInfo | None:
    """anthropic-ratelimit-requests-* and -tokens-* (reset: an RFC 3339 instant). Without the
    combined tokens-* family, the input-tokens-* one (input is most of every request)."""
    prefix = "anthropic-ratelimit-"
    tokens = "tokens" if headers.get(prefix + "tokens-limit") is not None else "input-tokens"
    names = [f"{prefix}{family}-{what}" for family in ("requests", tokens) for what in ("limit", "remaining", "reset")]
    return ratelimit_info(headers, names, seconds_until)


class AnthropicProvider(HTTPProvider):
    """Provider over the Messages API with the verdict as a forced tool call."""

    default_base_url = ANTHROPIC_BASE_URL
    models_path = "/v1/models?limit=1"  # costs nothing
    input_keys = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    output_keys = ("output_tokens",)

    def _identity(self, base_url: str) -> tuple[str, str, str]:
        base = base_url.rstrip("/").removesuffix("/v1")  # accept both spellings of the endpoint
        return "anthropic", base, self._settings.api_key_env or "ANTHROPIC_API_KEY"

    def _prepare(self) -> None:
        self._system = system_prompt(self._settings)
        self._tool = tool_definition(self._settings)

    def _request_headers(self) -> dict[str, str]:
        headers = {"content-type": "application/json", "accept": "application/json",
                   "anthropic-version": ANTHROPIC_VERSION}
        if self._key:
            headers["x-api-key"] = self._key
        return headers

    def _post_url(self) -> str:
        return f"{self.base_url}/v1/messages"

    def _first_messages(self, email: Email) -> list[dict[str, Any]]:
        return [{"role": "user", "content": user_prompt(email, self._settings, self.boundary)}]

    def ratelimit(self, headers: Any) -> RateLimitInfo | None:
        return anthropic_ratelimit(headers)

    def retry_after(self, headers: Any) -> float | None:
        return retry_after(headers, [seconds_until(headers.get(f"anthropic-ratelimit-{k}-reset"))
                                     for k in ("requests", "tokens", "input-tokens", "output-tokens")])

    # -- requests and answers ----------------------------------------------------------------

    def _encode(self, messages: list[dict[str, Any]]) -> bytes:
        return json.dumps({
            "model": self.model,
            "max_tokens": MAX_OUTPUT_TOKENS,
            "temperature": 0,
            "system": self._system,
            "messages": messages,
            "tools": [self._tool],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
        }).encode()

    def _repair_turns(self, exc: Repairable) -> list[dict[str, Any]]:
        """The bad tool call answered by a tool_result error, so the model calls it again."""
        return [{"role": "assistant", "content": exc.content},
                {"role": "user", "content": [{
                    "type": "tool_result", "tool_use_id": exc.tool_use_id, "is_error": True,
                    "content": f"{exc}. Call {TOOL_NAME} again with input that matches its schema.",
                }]}]

    def _quota(self, status: int, raw: bytes) -> str | None:
        kind, _, message = error_fields(raw)
        if status == 402 or kind == "billing_error" or (
            status in (400, 403) and any(w in message.lower() for w in _BILLING_WORDS)
        ):
            return (f"anthropic says the account behind {self.key_env} cannot pay for more requests "
                    f"({status} {kind or 'billing'}): check its credit balance; stopped launching")
        return None

    def _verdict_from(self, data: Any) -> Verdict:
        try:
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
        return self._checked("the tool input", lambda: Verdict.model_validate(call.get("input")), content,
                             str(call.get("id") or ""))


def _text_of(content: list[Any]) -> str:
    return " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text").strip()
