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
from typing import Any

from tui.agents import json_wire
from tui.agents.base import BadAnswerError, RateLimitInfo, RefusedError
from tui.agents.http import error_fields, parse_duration, parse_retry_after
from tui.agents.http_provider import HTTPProvider, Repairable, ratelimit_info, retry_after
from tui.agents.prompt import (
    MAX_OUTPUT_TOKENS, json_mode_system_prompt, repair_prompt, system_prompt, user_prompt, verdict_schema,
)
from tui.model import Email, Verdict

__all__ = ["OpenAIProvider", "RateLimitInfo", "openai_ratelimit", "parse_duration", "parse_retry_after",
           "retry_after_from"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
_QUOTA_CODES = {"insufficient_quota", "billing_hard_limit_reached", "billing_not_active"}
_FORMAT_WORDS = ("response_format", "json_schema", "json schema", "structured output", "json_object")
_REPAIR_ECHO_CHARS = 2000
_RATELIMIT_HEADERS = [f"x-ratelimit-{what}-{unit}" for unit in ("requests", "tokens")
                      for what in ("limit", "remaining", "reset")]


def openai_ratelimit(headers: Any) -> RateLimitInfo | None:
    """x-ratelimit-{limit,remaining,reset}-{requests,tokens}; reset as "6m0s"-style durations."""
    if not any(name in headers for name in _RATELIMIT_HEADERS):
        return None  # the common case on servers without limits: no parsing at all
    return ratelimit_info(headers, _RATELIMIT_HEADERS, parse_duration)


def retry_after_from(headers: Any) -> float | None:
    """Retry-After wins; else the sooner of the requests/tokens reset hints."""
    return retry_after(headers, [parse_duration(headers.get(f"x-ratelimit-reset-{unit}"))
                                 for unit in ("requests", "tokens")])


class OpenAIProvider(HTTPProvider):
    """Provider over `POST {base_url}/chat/completions` with a strict json_schema answer."""

    default_base_url = OPENAI_BASE_URL
    input_keys = ("prompt_tokens",)
    output_keys = ("completion_tokens",)

    def _identity(self, base_url: str) -> tuple[str, str, str]:
        # The sim provider reads a key only with --api-key-env.
        settings = self._settings
        key_env = settings.api_key_env or ("OPENAI_API_KEY" if settings.provider != "sim" else "")
        return settings.provider, base_url.rstrip("/"), key_env

    def _prepare(self) -> None:
        self.response_format = "json_schema"  # -> "json_object" -> "none", once per run, on a 400
        self._params: dict[str, Any] = {"temperature": 0, "max_tokens": MAX_OUTPUT_TOKENS}
        self._schema = verdict_schema(self._settings)
        self._heads: dict[tuple[Any, ...], bytes] = {}  # see _encode
        # Built once per run, as the encoded head of every request is (see _encode).
        self._system_message = {"role": "system", "content": system_prompt(self._settings)}
        self._completions_url = f"{self.base_url}/chat/completions"

    def _request_headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        return headers

    def _post_url(self) -> str:
        return self._completions_url

    def _first_messages(self, email: Email) -> list[dict[str, Any]]:
        return [self._system_message, {"role": "user", "content": user_prompt(email, self._settings, self.boundary)}]

    def ratelimit(self, headers: Any) -> RateLimitInfo | None:
        return openai_ratelimit(headers)

    def retry_after(self, headers: Any) -> float | None:
        return retry_after_from(headers)

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
            head = self._heads[key] = json_wire.dumps(body)[:-1] + b',"messages":[' + json_wire.dumps(system)
        return b"".join([head, *(b"," + json_wire.dumps(m) for m in messages[1:]), b"]}"])

    def _repair_turns(self, exc: Repairable) -> list[dict[str, Any]]:
        return [{"role": "assistant", "content": exc.content[:_REPAIR_ECHO_CHARS] or "(empty)"},
                {"role": "user", "content": repair_prompt(str(exc))}]

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

    def _quota(self, status: int, raw: bytes) -> str | None:
        kind, code, _ = error_fields(raw)
        if status == 429 and (code in _QUOTA_CODES or kind in _QUOTA_CODES):
            return (f"{self.name} says the account{' behind ' + self.key_env if self.key_env else ''} is out of "
                    f"quota ({code or kind}): check its plan and billing; stopped launching")
        return None

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
            raise Repairable("the answer was empty", "")
        return self._checked("the answer", lambda: Verdict.model_validate_json(_strip_fences(content)), content)


def _strip_fences(content: str) -> str:
    """Local models in JSON-less mode like to wrap the object in ```json fences."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()
