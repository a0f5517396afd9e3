"""The base both HTTP model clients stand on (`openai.py`, `anthropic.py`).

A run's classify() is the same conversation whatever the wire: the injection pre-pass, one
request, the rate-limit headers and the token usage reported to the engine's exchange, a 400
that rejects a request feature answered by asking again without it, any other failure mapped
onto the engine's ProviderError kinds with key-free text, and one repair round for an answer
that does not validate. A subclass says only what differs: its URLs and headers, how a request
body and a repair turn look, where the verdict sits in an answer, and what its quota and
rate-limit signals are.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from pydantic import ValidationError

from tui.agents import json_wire
from tui.agents.base import (
    BadAnswerError, EmailRejectedError, FatalProviderError, ProviderError, QuotaError, RateLimitError,
    RateLimitInfo, current_exchange,
)
from tui.agents.http import (
    CHECK_TIMEOUT, UNTIMED, Scrubber, concerns_one_email, header_int, parse_retry_after, public_url, send,
)
from tui.agents.injection_rules import detect_injection
from tui.agents.prompt import combine_injection, estimate_tokens, prompt_overhead_chars
from tui.model import Email, Verdict
from tui.settings import Settings

_MAX_ROUNDS = 6  # requests per classify(): first + format fallbacks + parameter fixes + one repair


class Repairable(BadAnswerError):
    """The model answered, but not with a valid verdict: worth one repair round. `content` is
    what it said (echoed back), `tool_use_id` the tool call to answer (Anthropic)."""

    def __init__(self, message: str, content: Any = "", tool_use_id: str = "") -> None:
        super().__init__(message)
        self.content = content
        self.tool_use_id = tool_use_id


def ratelimit_info(headers: Any, names: list[str], reset: Callable[[str | None], float | None]) -> RateLimitInfo | None:
    """RateLimitInfo from six header names, in its field order (limit, remaining, reset for
    requests, then for tokens); None when the server sent none of them."""
    values = [reset(headers.get(n)) if i % 3 == 2 else header_int(headers, n) for i, n in enumerate(names)]
    info = RateLimitInfo(*values)
    return None if info == RateLimitInfo() else info


def retry_after(headers: Any, hints: list[float | None]) -> float | None:
    """Retry-After wins; else the soonest of the provider's reset hints."""
    explicit = parse_retry_after(headers.get("Retry-After"))
    if explicit is not None:
        return explicit
    found = [h for h in hints if h is not None]
    return min(found) if found else None


class HTTPProvider:
    """A Provider over one HTTP endpoint; the session belongs to the run (tui/agents/runtime.py)."""

    default_base_url = ""
    models_path = "/models"  # GET once by check(): a wrong URL or key stops the run before fan-out
    input_keys: tuple[str, ...] = ()  # usage fields summed into input_tokens / output_tokens
    output_keys: tuple[str, ...] = ()

    def __init__(
        self,
        settings: Settings,
        session: aiohttp.ClientSession,
        api_key: str | None,
        *,
        base_url: str | None = None,
        expected_latency_s: float = 5.0,
    ) -> None:
        self._settings = settings
        self._key = api_key or None
        name, base_url, key_env = self._identity(base_url or settings.base_url or self.default_base_url)
        self.name = name
        self.model = settings.model
        self.expected_latency_s = expected_latency_s
        self.base_url = base_url
        self.host = urlsplit(public_url(base_url)).netloc or base_url  # shown: no user:password@
        self.key_env = key_env  # the variable the key came from, named in errors
        self.boundary = secrets.token_hex(8)  # per run: email authors cannot know it
        self.last_ratelimit: RateLimitInfo | None = None
        self.input_tokens = 0
        self.output_tokens = 0
        self.notes: list[str] = []  # one-off changes of course, for the run's log
        self._session = session
        self._scrub = Scrubber(self._key)
        self._routes = set(settings.route_names)
        self._overhead = prompt_overhead_chars(settings)
        self._public_base = public_url(base_url)
        self._headers = self._request_headers()
        self._prepare()

    # -- what a subclass says ----------------------------------------------------------------

    def _identity(self, base_url: str) -> tuple[str, str, str]:
        """(name, base URL, the variable the key comes from) for this run's settings."""
        raise NotImplementedError

    def _prepare(self) -> None:
        """What the subclass builds once per run from the settings."""

    def _request_headers(self) -> dict[str, str]:
        raise NotImplementedError

    def _post_url(self) -> str:
        raise NotImplementedError

    def _first_messages(self, email: Email) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _encode(self, messages: list[dict[str, Any]]) -> bytes:
        raise NotImplementedError

    def _verdict_from(self, data: Any) -> Verdict:
        raise NotImplementedError

    def _repair_turns(self, exc: Repairable) -> list[dict[str, Any]]:
        raise NotImplementedError

    def ratelimit(self, headers: Any) -> RateLimitInfo | None:
        return None

    def retry_after(self, headers: Any) -> float | None:
        return parse_retry_after(headers.get("Retry-After"))

    def _quota(self, status: int, raw: bytes) -> str | None:
        """The message when this answer says the account cannot pay for more requests."""
        return None

    def _adapt(self, raw: bytes) -> bool:
        """A 400 that rejects a request feature: drop it and ask again (True). None by default."""
        return False

    # -- the Provider protocol --------------------------------------------------------------

    async def check(self) -> None:
        """One cheap GET, so a wrong URL or key fails once, not N times."""
        url = self.base_url + self.models_path
        try:
            status, _, body = await send(self._session, "GET", url, host=self.host, base_url=public_url(url),
                                         scrub=self._scrub, headers=self._headers, timeout=CHECK_TIMEOUT)
        except ProviderError as exc:
            raise FatalProviderError(str(exc)) from None
        if status in (401, 403):
            raise FatalProviderError(self._refused(status, body)) from None
        if status == 404 or 200 <= status < 300:
            return  # some servers have no models list; that is fine
        if status >= 500 or status == 429:
            raise ProviderError(f"{self.host} answered {status} to GET {urlsplit(public_url(url)).path}")
        raise FatalProviderError(f"{self.host} answered {status}: {self._scrub.reason(body)}")

    def estimate_tokens(self, email: Email) -> int:
        return estimate_tokens(email, self._settings, self._overhead)

    async def classify(self, email: Email) -> Verdict:
        rules_flag, rules_reason = detect_injection(email)  # the pre-pass: a second opinion
        exchange = current_exchange()
        messages = self._first_messages(email)
        repaired = False
        for round_ in range(_MAX_ROUNDS):
            if round_ and exchange is not None:
                await exchange.before_extra_request(self.estimate_tokens(email))
            status, headers, raw = await self.post(self._encode(messages))
            info = self.ratelimit(headers)
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
            except Repairable as exc:
                if repaired:
                    raise BadAnswerError(f"{exc} (after one repair attempt)") from None
                repaired = True
                messages = [*messages, *self._repair_turns(exc)]
                continue
            return combine_injection(verdict, rules_flag, rules_reason)
        raise BadAnswerError(f"{self.host} kept rejecting the request format")

    async def aclose(self) -> None:
        """The session belongs to the run, not to the provider: nothing to release here."""

    # -- requests and answers ----------------------------------------------------------------

    async def post(self, body: dict[str, Any] | bytes) -> tuple[int, Any, bytes]:
        """One model request (also used by `tui/extract/fields_model.py`): a body to encode, or
        one already encoded. Untimed here: every caller holds its own limit around it
        (classify_once's per-request timeout, extraction's per-document one)."""
        return await send(self._session, "POST", self._post_url(), host=self.host, base_url=self._public_base,
                          scrub=self._scrub, headers=self._headers, body=body, timeout=UNTIMED)

    def raise_for_status(self, status: int, headers: Any, raw: bytes) -> None:
        """A non-200 answer as the engine's error kind (also used by `tui/extract/fields_model.py`)."""
        quota = self._quota(status, raw)
        if quota:
            raise QuotaError(quota)
        if status in (429, 529):
            what = "overloaded" if status == 529 else "rate limited"
            raise RateLimitError(f"{what} ({status}) by {self.host}", retry_after=self.retry_after(headers))
        if status in (401, 403):
            raise FatalProviderError(self._refused(status, raw))
        reason = self._scrub.reason(raw)
        if status >= 500:
            raise ProviderError(f"{self.host} answered {status}: {reason}",
                                retry_after=parse_retry_after(headers.get("Retry-After")))
        if status in (408, 409, 425):
            raise ProviderError(f"{self.host} answered {status}: {reason}")
        if status in (400, 413, 422) and concerns_one_email(status, raw):
            raise EmailRejectedError(f"{self.host} rejected this email ({status}): {reason}")
        raise FatalProviderError(f"{self.name} rejected the request ({status} from {self.host}): {reason}")

    def _checked(self, what: str, parse: Callable[[], Verdict], content: Any, tool_use_id: str = "") -> Verdict:
        """`parse()` validated against the schema and the run's routes; `what` names the answer
        ("the answer", "the tool input") in the repair message."""
        try:
            verdict = parse()
        except ValidationError as exc:
            err = exc.errors()[0]
            if err["type"] == "json_invalid":
                raise Repairable(f"{what} is not JSON", content, tool_use_id) from None
            where = ".".join(str(p) for p in err["loc"]) or "answer"
            raise Repairable(f"{what} does not match the schema: {where}: {err['msg']}",
                             content, tool_use_id) from None
        if verdict.route not in self._routes:
            raise Repairable(f"{what} names an unknown route: {self._scrub.clip(verdict.route, 40)}",
                             content, tool_use_id)
        return verdict

    def _usage(self, data: Any) -> tuple[int, int] | None:
        """Token counts for telemetry and the TPM budget; a server that omits them adds nothing."""
        try:
            usage = data.get("usage")
            prompt = sum(int(usage.get(k) or 0) for k in self.input_keys)
            completion = sum(int(usage.get(k) or 0) for k in self.output_keys)
        except (ValueError, TypeError, AttributeError):
            return None
        self.input_tokens += prompt
        self.output_tokens += completion
        return prompt, completion

    def _refused(self, status: int, raw: bytes = b"") -> str:
        where = "" if self.base_url == self.default_base_url else f" at {self.host}"
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
        return json_wire.loads(raw)
    except ValueError:
        return None
