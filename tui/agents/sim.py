"""A local model server that answers with the rules verdict, with faults and rate limits on demand.

It speaks both wire formats: OpenAI chat completions (`POST /v1/chat/completions`, the verdict
as JSON content) and the Anthropic Messages API (`POST /v1/messages`, the verdict as a
`tool_use` block of the forced tool), and checks request bodies the way those APIs do.

The demo, the tests and the benchmarks run the real HTTP clients against it, so timeouts,
retries and rate limits are exercised end to end. Faults are a pure function of
(seed, email content, attempt number for that email): the n-th attempt for an email always meets
the same fate, whatever the concurrency or arrival order. A repair turn (the client sending a bad
answer back with the error) draws from its own stream and is not an attempt. Stats are kept
server-side so tests can check the engine's cap, RPM and TPM from the other end of the wire.

Rate limits are sliding 60 s windows, for requests (`rpm`) and tokens (`tpm`), charged at
admission with the request's actual usage (prompt chars/4 plus the answer's chars/4). Every
answer carries the provider's rate-limit headers (`x-ratelimit-*` durations for OpenAI,
`anthropic-ratelimit-*` RFC 3339 instants for Anthropic); "reset" is when the oldest charge
leaves the window, i.e. when more budget frees up.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import math
import random
import time
import uuid
from collections import deque
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from tui.agents.prompt import PromptError, extract_email, extract_payload, payload_json
from tui.agents.rules import classify
from tui.extract.fields_rules import extract_fields
from tui.extract.schema import wants_document_fields
from tui.model import Email
from tui.settings import Settings

LOOPBACK = "127.0.0.1"
RPM_WINDOW_S = 60.0
_VERDICT_CACHE = 100_000
Fate = Literal["ok", "fail", "hang", "garbage", "429", "overloaded", "refusal"]
Api = Literal["openai", "anthropic"]

_GARBAGE = (
    'Sure! Here is the verdict: {"urgent": true, "priority": ',
    "I'm sorry, but I can't help with classifying this email.",
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    "{'urgent': False, 'priority': 10,}",
)
_GARBAGE_TOOL_INPUT = (
    {"urgent": "very", "priority": 500, "route": "support", "category": "complaint"},
    {"verdict": "urgent"},
    {"urgent": True, "priority": 50, "route": "nowhere", "category": "other", "confidence": 2,
     "injection": False, "injection_reason": "", "summary": ""},
)
_REFUSAL = "I'm sorry, but I can't help with that request."
_ANTHROPIC_KEYS = {
    "model", "messages", "max_tokens", "system", "tools", "tool_choice", "temperature", "top_p",
    "top_k", "stop_sequences", "stream", "metadata", "thinking", "service_tier",
}


class SimConfig(BaseModel):
    """Behaviour of the simulator. Defaults: instant and fault-free."""

    model_config = ConfigDict(extra="forbid")

    latency: float = Field(default=0.0, ge=0, description="mean seconds per answer")
    jitter: float = Field(default=0.0, ge=0, description="std dev of a normal, clipped at 0")
    fail_rate: float = Field(default=0.0, ge=0, le=1, description="HTTP 500")
    hang_rate: float = Field(default=0.0, ge=0, le=1, description="accept, then no answer")
    hang_s: float = Field(default=600.0, gt=0)
    garbage_rate: float = Field(default=0.0, ge=0, le=1, description="200 with an unusable answer")
    rate_429: float = Field(default=0.0, ge=0, le=1, description="429 with Retry-After: retry_after_429")
    retry_after_429: float = Field(default=1.0, ge=0, description="seconds, for the random 429s")
    overload_rate: float = Field(default=0.0, ge=0, le=1,
                                 description="overloaded: 529 (Anthropic) / 503 (OpenAI)")
    refusal_rate: float = Field(default=0.0, ge=0, le=1, description="the model declines to answer")
    rpm: int | None = Field(default=None, ge=1, description="requests per sliding 60 s window")
    tpm: int | None = Field(default=None, ge=1, description="tokens per sliding 60 s window")
    require_key: str | None = Field(default=None, repr=False)
    seed: int = 7
    model: str = "fanmail-sim-1"


class EmailCounts(BaseModel):
    requests: int = 0  # every request carrying this email, including window 429s and repairs
    attempts: int = 0  # first turns past the rate-limit gate: the n used for the fault draw
    repairs: int = 0  # repair turns past the gate
    ok: int = 0  # successful classifications sent back
    fates: list[Fate] = Field(default_factory=list)  # every answer's fate, in order


class SimStats(BaseModel):
    """Server-side truth. Timestamps are time.monotonic() (system-wide on Linux)."""

    total: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    rate_limited: int = 0  # all 429s
    rate_limited_rpm: int = 0  # the 429s from the request window
    rate_limited_tpm: int = 0  # the 429s from the token window
    unauthorized: int = 0
    bad_requests: int = 0
    ok: int = 0
    failed: int = 0
    hung: int = 0
    garbage: int = 0
    overloaded: int = 0
    refused: int = 0
    repairs: int = 0
    per_email: dict[str, EmailCounts] = Field(default_factory=dict)
    accepted_at: list[float] = Field(default_factory=list)  # non-429 requests past auth
    tokens_at: list[tuple[float, int]] = Field(default_factory=list)  # (admitted at, tokens charged)
    arrived_at: list[float] = Field(default_factory=list)  # every model request, even refused ones
    limited_at: list[tuple[float, float]] = Field(default_factory=list)  # (429 sent at, retry-after)

    def max_in_window(self, window_s: float = RPM_WINDOW_S) -> int:
        """Most accepted requests in any sliding window: compare with an RPM limit."""
        times = sorted(self.accepted_at)
        best, lo = 0, 0
        for hi, t in enumerate(times):
            while t - times[lo] >= window_s:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    def max_tokens_in_window(self, window_s: float = RPM_WINDOW_S) -> int:
        """Most tokens admitted in any sliding window: compare with a TPM limit."""
        charges = sorted(self.tokens_at)
        best = running = lo = 0
        for t, tokens in charges:
            running += tokens
            while t - charges[lo][0] >= window_s:
                running -= charges[lo][1]
                lo += 1
            best = max(best, running)
        return best


def email_key(email: Email, settings: Settings | None = None) -> str:
    """How the sim names an email in its stats: the Message-ID, else a content hash."""
    if email.message_id:
        return email.message_id
    return "sha:" + _sha(payload_json(email, settings or Settings()))[:16]


def draw_fate(config: SimConfig, content_sha: str, attempt: int) -> tuple[Fate, float, random.Random]:
    """The deterministic fate and latency of one attempt."""
    rng = random.Random(f"{config.seed}:{content_sha}:{attempt}")
    u = rng.random()
    delay = max(0.0, rng.gauss(config.latency, config.jitter)) if config.jitter else config.latency
    fate: Fate = "ok"
    edge = 0.0
    for name, rate in (("429", config.rate_429), ("fail", config.fail_rate),
                       ("hang", config.hang_rate), ("garbage", config.garbage_rate),
                       ("overloaded", config.overload_rate), ("refusal", config.refusal_rate)):
        edge += rate
        if u < edge:
            fate = name  # type: ignore[assignment]
            break
    return fate, delay, rng


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


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _tokens(chars: int) -> int:
    return max(1, math.ceil(chars / 4))


def _error(api: Api, status: int, message: str, kind: str, code: str | None = None,
           headers: dict[str, str] | None = None) -> web.Response:
    if api == "anthropic":
        body: dict[str, Any] = {"type": "error", "error": {"type": kind, "message": message}}
    else:
        body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return web.json_response(body, status=status, headers=headers)


class _Parsed:
    """What the sim needs from a request body of either API."""

    __slots__ = ("model", "raw", "email", "routes", "prompt_chars", "repair", "tool", "max_tokens")

    def __init__(self, model: str, raw: str, email: Email, routes: list[str], prompt_chars: int,
                 repair: bool, tool: str | None, max_tokens: int | None) -> None:
        self.model, self.raw, self.email, self.routes = model, raw, email, routes
        self.prompt_chars, self.repair, self.tool, self.max_tokens = prompt_chars, repair, tool, max_tokens


class SimServer:
    """`async with SimServer(SimConfig(...), port=0) as sim:` then point a client at `sim.url`."""

    def __init__(self, config: SimConfig | None = None, *, port: int = 0) -> None:
        self.config = config or SimConfig()
        self.stats = SimStats()
        self.last_request: dict[str, Any] | None = None  # the last model body, for shape checks
        self.last_headers: dict[str, str] = {}
        self.port = port
        self._window: deque[float] = deque()
        self._token_window: deque[tuple[float, int]] = deque()
        self._window_tokens = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._verdicts: dict[str, str] = {}  # content sha -> answer; retries skip the rules

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/v1"

    @property
    def root_url(self) -> str:
        """For Anthropic clients, which add /v1 themselves (they accept either form)."""
        return f"http://{LOOPBACK}:{self.port}"

    async def start(self) -> "SimServer":
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/sim/stats", self._stats)
        # handler_cancellation: a client that gives up (timeout) frees its handler at once.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, self.port, backlog=4096)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Cancel hung and slow handlers first so shutdown never waits on them."""
        for task in list(self._tasks):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "SimServer":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- handlers ---------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        key = self.config.require_key
        if not key:
            return True
        bearer = request.headers.get("Authorization", "")
        api_key = request.headers.get("x-api-key", "")
        return hmac.compare_digest(bearer.encode(), f"Bearer {key}".encode()) or hmac.compare_digest(
            api_key.encode(), key.encode())

    def _unauthorized(self, api: Api) -> web.Response:
        self.stats.unauthorized += 1
        if api == "anthropic":
            return _error(api, 401, "invalid x-api-key", "authentication_error")
        return _error(api, 401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")

    async def _models(self, request: web.Request) -> web.Response:
        anthropic = "x-api-key" in request.headers or "anthropic-version" in request.headers
        if not self._authorized(request):
            return self._unauthorized("anthropic" if anthropic else "openai")
        if anthropic:
            model = {"type": "model", "id": self.config.model, "display_name": "fanmail simulator",
                     "created_at": "2024-01-01T00:00:00Z"}
            return web.json_response({"data": [model], "has_more": False, "first_id": self.config.model,
                                      "last_id": self.config.model})
        model = {"id": self.config.model, "object": "model", "created": 0, "owned_by": "fanmail"}
        return web.json_response({"object": "list", "data": [model]})

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.model_dump(mode="json"))

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        return await self._tracked(request, "openai")

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        return await self._tracked(request, "anthropic")

    async def _tracked(self, request: web.Request, api: Api) -> web.StreamResponse:
        stats = self.stats
        stats.total += 1
        stats.in_flight += 1
        stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
        stats.arrived_at.append(time.monotonic())
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            return await self._answer(request, api)
        finally:
            stats.in_flight -= 1
            if task is not None:
                self._tasks.discard(task)

    async def _answer(self, request: web.Request, api: Api) -> web.Response:
        stats, config = self.stats, self.config
        arrived = time.monotonic()
        if not self._authorized(request):
            return self._unauthorized(api)
        try:
            body = json.loads(await request.read())
            if api == "anthropic":
                if not request.headers.get("anthropic-version"):
                    raise ValueError("anthropic-version: header is required")
                parsed = self._parse_anthropic(body)
            else:
                parsed = self._parse_openai(body)
        except (ValueError, PromptError) as exc:
            stats.bad_requests += 1
            return _error(api, 400, str(exc), "invalid_request_error")
        self.last_request = body
        self.last_headers = dict(request.headers)

        content_sha = _sha(parsed.raw)
        key = parsed.email.message_id or "sha:" + content_sha[:16]
        counts = stats.per_email.get(key)
        if counts is None:
            counts = stats.per_email[key] = EmailCounts()
        counts.requests += 1

        # The fate first (not yet consumed), so the token charge is the usage we will report.
        if parsed.repair:
            fate, delay, rng = draw_fate(config, content_sha + ":repair", counts.repairs + 1)
        else:
            fate, delay, rng = draw_fate(config, content_sha, counts.attempts + 1)
        answer: Any = ""
        if fate == "ok" and wants_document_fields(body):  # `fanmail extract --provider sim`
            answer = extract_fields(parsed.email.text).model_dump_json()
        elif fate == "ok":
            answer = self._verdict_json(content_sha, parsed.email, parsed.routes)
        elif fate == "garbage":
            answer = rng.choice(_GARBAGE if api == "openai" or not parsed.tool else _GARBAGE_TOOL_INPUT)
        elif fate == "refusal":
            answer = _REFUSAL
        answer_text = answer if isinstance(answer, str) else json.dumps(answer)
        prompt_tokens = _tokens(parsed.prompt_chars)
        completion_tokens = _tokens(len(answer_text)) if answer_text else 0

        now = time.monotonic()
        admitted, limit_headers, why = self._admit(now, prompt_tokens + completion_tokens, api)
        if not admitted:
            stats.rate_limited += 1
            if why == "tokens":
                stats.rate_limited_tpm += 1
            else:
                stats.rate_limited_rpm += 1
            stats.limited_at.append((now, float(limit_headers.get("retry-after", 0))))
            return _error(api, 429, f"Rate limit reached for {why}.",
                          "rate_limit_error" if api == "anthropic" else why, "rate_limit_exceeded",
                          headers=limit_headers)

        if parsed.repair:
            counts.repairs += 1
            stats.repairs += 1
        else:
            counts.attempts += 1
        counts.fates.append(fate)
        if fate == "429":
            stats.rate_limited += 1
            retry = config.retry_after_429
            stats.limited_at.append((now, retry))
            return _error(api, 429, "Rate limit reached for requests.",
                          "rate_limit_error" if api == "anthropic" else "requests", "rate_limit_exceeded",
                          headers={**limit_headers, "retry-after": f"{retry:g}"})
        stats.accepted_at.append(now)
        stats.tokens_at.append((now, prompt_tokens + completion_tokens))
        if fate == "hang":
            stats.hung += 1
            await asyncio.sleep(config.hang_s)  # cancelled by client disconnect or stop()
        elif delay:
            # The answer was worked out before the wait, and the wait shortened by that work, so
            # the latency seen is the configured one even when many requests queue for CPU.
            await asyncio.sleep(max(0.0, delay - (time.monotonic() - arrived)))
        if fate == "fail":
            stats.failed += 1
            return _error(api, 500, "The server had an error while processing your request.",
                          "api_error" if api == "anthropic" else "server_error", headers=limit_headers)
        if fate == "overloaded":
            stats.overloaded += 1
            if api == "anthropic":
                return _error(api, 529, "Overloaded", "overloaded_error", headers=limit_headers)
            return _error(api, 503, "The engine is currently overloaded, please try again later.",
                          "server_error", headers={**limit_headers, "retry-after": "1"})
        if fate == "garbage":
            stats.garbage += 1
        elif fate == "refusal":
            stats.refused += 1
        else:
            stats.ok += 1
            counts.ok += 1
        if api == "anthropic":
            reply = self._message(parsed, answer, fate, prompt_tokens, completion_tokens)
        else:
            reply = self._completion(parsed.model, answer_text, fate, prompt_tokens, completion_tokens)
        return web.json_response(reply, headers=limit_headers)

    def _verdict_json(self, content_sha: str, email: Email, routes: list[str]) -> str:
        """The rules verdict, mapped onto the client's route enum, cached per content."""
        cache_key = f"{content_sha}:{','.join(routes)}"
        content = self._verdicts.get(cache_key)
        if content is None:
            verdict = classify(email)
            if routes and verdict.route not in routes:
                verdict = verdict.model_copy(
                    update={"route": "review" if "review" in routes else routes[0]})
            content = verdict.model_dump_json()
            if len(self._verdicts) >= _VERDICT_CACHE:
                self._verdicts.clear()
            self._verdicts[cache_key] = content
        return content

    # -- request shapes ----------------------------------------------------------------------

    @staticmethod
    def _fenced(texts: list[str]) -> tuple[str, Email]:
        """The fenced email from the first user text that carries one."""
        for text in texts:
            try:
                raw, _ = extract_payload(text)
            except PromptError:
                continue
            return raw, extract_email(text)
        raise PromptError("no fenced email in the message")

    def _parse_openai(self, body: Any) -> _Parsed:
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
        raw, email = self._fenced(users)
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
                schema_chars = len(json.dumps(spec["schema"]))
                try:
                    routes = [str(r) for r in spec["schema"]["properties"]["route"]["enum"]]
                except (KeyError, TypeError):
                    pass
        max_tokens = body.get("max_tokens", body.get("max_completion_tokens"))
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
            raise ValueError("max_tokens must be a positive integer")
        repair = any(m.get("role") == "assistant" for m in messages)
        return _Parsed(model, raw, email, routes, sum(map(len, texts)) + schema_chars, repair, None,
                       max_tokens)

    def _parse_anthropic(self, body: Any) -> _Parsed:
        """The Messages API's documented request shape; its 400s for what it would reject."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        extra = set(body) - _ANTHROPIC_KEYS
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
        raw, email = self._fenced(users)
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
        chars = len(system) + sum(map(len, texts)) + (len(json.dumps(tools)) if tools else 0)
        return _Parsed(model, raw, email, routes, chars, repair, tool, max_tokens)

    # -- rate limits -------------------------------------------------------------------------

    def _admit(self, now: float, tokens: int, api: Api) -> tuple[bool, dict[str, str], str]:
        """Sliding windows: (admitted?, rate-limit headers plus Retry-After when full, which)."""
        rpm, tpm = self.config.rpm, self.config.tpm
        if rpm is None and tpm is None:
            return True, {}, ""
        window, tok_window = self._window, self._token_window
        while window and window[0] <= now - RPM_WINDOW_S:
            window.popleft()
        while tok_window and tok_window[0][0] <= now - RPM_WINDOW_S:
            self._window_tokens -= tok_window.popleft()[1]
        why = ""
        wait = 0.0
        if rpm is not None and len(window) >= rpm:
            why, wait = "requests", window[0] + RPM_WINDOW_S - now
        elif tpm is not None and self._window_tokens + tokens > tpm and tok_window:
            why = "tokens"
            need, freed = self._window_tokens + tokens - tpm, 0
            for t, n in tok_window:
                freed += n
                if freed >= need:
                    wait = t + RPM_WINDOW_S - now
                    break
        if not why:
            window.append(now)
            tok_window.append((now, tokens))
            self._window_tokens += tokens
        headers = self._limit_headers(now, api)
        if why:
            headers["retry-after"] = str(max(1, math.ceil(wait)))
        return not why, headers, why

    def _limit_headers(self, now: float, api: Api) -> dict[str, str]:
        rpm, tpm = self.config.rpm, self.config.tpm
        families: list[tuple[str, int, int, float]] = []
        if rpm is not None:
            reset = self._window[0] + RPM_WINDOW_S - now if self._window else 0.0
            families.append(("requests", rpm, max(0, rpm - len(self._window)), reset))
        if tpm is not None:
            reset = self._token_window[0][0] + RPM_WINDOW_S - now if self._token_window else 0.0
            families.append(("tokens", tpm, max(0, tpm - self._window_tokens), reset))
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

    # -- answers -----------------------------------------------------------------------------

    @staticmethod
    def _completion(model: str, content: str, fate: Fate, prompt_tokens: int,
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

    @staticmethod
    def _message(parsed: _Parsed, answer: Any, fate: Fate, prompt_tokens: int,
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


def sim_config_from_settings(settings: Settings) -> SimConfig:
    """The built-in demo simulator as the settings describe it."""
    return SimConfig(
        latency=settings.sim_latency,
        jitter=settings.sim_jitter,
        fail_rate=settings.sim_fail_rate,
        hang_rate=settings.sim_hang_rate,
        garbage_rate=settings.sim_garbage_rate,
        rate_429=settings.sim_429_rate,
        rpm=settings.sim_rpm,
        tpm=settings.sim_tpm,
        seed=settings.seed,
        model=settings.model,
    )


async def serve_forever(config: SimConfig, host: str = LOOPBACK, port: int = 8765) -> None:
    """`fanmail sim`: run until cancelled (Ctrl-C). Loopback only, whatever is asked."""
    if host != LOOPBACK:
        raise ValueError(f"the simulator only binds {LOOPBACK}")
    async with SimServer(config, port=port) as sim:
        print(f"fanmail simulator listening on {sim.url} (OpenAI) and {sim.root_url} (Anthropic)",
              flush=True)
        await asyncio.Event().wait()
