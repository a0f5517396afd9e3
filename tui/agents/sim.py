"""A local OpenAI-compatible server that answers with the rules verdict, with faults on demand.

The demo, the tests and the benchmarks run the real HTTP client against it, so timeouts,
retries and rate limits are exercised end to end. Faults are a pure function of
(seed, email content, attempt number for that email): the n-th attempt for an email always meets
the same fate, whatever the concurrency or arrival order. Stats are kept server-side so tests can
check the engine's cap and RPM from the other end of the wire.
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
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from tui.agents.prompt import PromptError, extract_email, extract_payload, payload_json
from tui.agents.rules import classify
from tui.model import Email
from tui.settings import Settings

LOOPBACK = "127.0.0.1"
RPM_WINDOW_S = 60.0
_VERDICT_CACHE = 100_000
Fate = Literal["ok", "fail", "hang", "garbage", "429"]

_GARBAGE = (
    'Sure! Here is the verdict: {"urgent": true, "priority": ',
    "I'm sorry, but I can't help with classifying this email.",
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    "{'urgent': False, 'priority': 10,}",
)


class SimConfig(BaseModel):
    """Behaviour of the simulator. Defaults: instant and fault-free."""

    model_config = ConfigDict(extra="forbid")

    latency: float = Field(default=0.0, ge=0, description="mean seconds per answer")
    jitter: float = Field(default=0.0, ge=0, description="std dev of a normal, clipped at 0")
    fail_rate: float = Field(default=0.0, ge=0, le=1, description="HTTP 500")
    hang_rate: float = Field(default=0.0, ge=0, le=1, description="accept, then no answer")
    hang_s: float = Field(default=600.0, gt=0)
    garbage_rate: float = Field(default=0.0, ge=0, le=1, description="200 with non-JSON content")
    rate_429: float = Field(default=0.0, ge=0, le=1, description="429 with Retry-After: 1")
    rpm: int | None = Field(default=None, ge=1, description="requests per sliding 60 s window")
    require_key: str | None = Field(default=None, repr=False)
    seed: int = 7
    model: str = "fanmail-sim-1"


class EmailCounts(BaseModel):
    requests: int = 0  # every request carrying this email, including RPM 429s
    attempts: int = 0  # requests past the RPM gate: the n used for the fault draw
    ok: int = 0  # successful classifications sent back
    fates: list[Fate] = Field(default_factory=list)


class SimStats(BaseModel):
    """Server-side truth. Timestamps are time.monotonic() (system-wide on Linux)."""

    total: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    rate_limited: int = 0  # all 429s
    rate_limited_rpm: int = 0  # the 429s from the RPM window
    unauthorized: int = 0
    bad_requests: int = 0
    ok: int = 0
    failed: int = 0
    hung: int = 0
    garbage: int = 0
    per_email: dict[str, EmailCounts] = Field(default_factory=dict)
    accepted_at: list[float] = Field(default_factory=list)  # non-429 requests past auth

    def max_in_window(self, window_s: float = RPM_WINDOW_S) -> int:
        """Most accepted requests in any sliding window: compare with an RPM limit."""
        times = sorted(self.accepted_at)
        best, lo = 0, 0
        for hi, t in enumerate(times):
            while t - times[lo] >= window_s:
                lo += 1
            best = max(best, hi - lo + 1)
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
                       ("hang", config.hang_rate), ("garbage", config.garbage_rate)):
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


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _error(status: int, message: str, kind: str, code: str | None = None,
           headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return web.json_response(body, status=status, headers=headers)


class SimServer:
    """`async with SimServer(SimConfig(...), port=0) as sim:` then point a client at `sim.url`."""

    def __init__(self, config: SimConfig | None = None, *, port: int = 0) -> None:
        self.config = config or SimConfig()
        self.stats = SimStats()
        self.last_request: dict[str, Any] | None = None  # the last chat body, for shape checks
        self.port = port
        self._window: deque[float] = deque()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._verdicts: dict[str, str] = {}  # content sha -> answer; retries skip the rules

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/v1"

    async def start(self) -> "SimServer":
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
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
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {key}".encode())

    def _unauthorized(self) -> web.Response:
        self.stats.unauthorized += 1
        return _error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")

    async def _models(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._unauthorized()
        model = {"id": self.config.model, "object": "model", "created": 0, "owned_by": "fanmail"}
        return web.json_response({"object": "list", "data": [model]})

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.model_dump(mode="json"))

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        stats = self.stats
        stats.total += 1
        stats.in_flight += 1
        stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            return await self._answer(request)
        finally:
            stats.in_flight -= 1
            if task is not None:
                self._tasks.discard(task)

    async def _answer(self, request: web.Request) -> web.Response:
        stats, config = self.stats, self.config
        arrived = time.monotonic()
        if not self._authorized(request):
            return self._unauthorized()
        try:
            body = json.loads(await request.read())
            model, raw, email, routes = self._parse(body)
        except (ValueError, PromptError) as exc:
            stats.bad_requests += 1
            return _error(400, str(exc), "invalid_request_error")
        self.last_request = body

        content_sha = _sha(raw)
        key = email.message_id or "sha:" + content_sha[:16]
        counts = stats.per_email.get(key)
        if counts is None:
            counts = stats.per_email[key] = EmailCounts()
        counts.requests += 1

        now = time.monotonic()
        admitted, limit_headers = self._admit(now)
        if not admitted:
            stats.rate_limited += 1
            stats.rate_limited_rpm += 1
            return _error(429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded",
                          headers=limit_headers)

        counts.attempts += 1
        fate, delay, rng = draw_fate(config, content_sha, counts.attempts)
        counts.fates.append(fate)
        if fate == "429":
            stats.rate_limited += 1
            return _error(429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded",
                          headers={**limit_headers, "Retry-After": "1"})
        stats.accepted_at.append(now)
        # The verdict is worked out before the wait and the wait shortened by that work, so the
        # latency seen by the client is the configured one even when many requests queue for CPU.
        content = self._verdict_json(content_sha, email, routes) if fate == "ok" else ""
        if fate == "hang":
            stats.hung += 1
            await asyncio.sleep(config.hang_s)  # cancelled by client disconnect or stop()
        elif delay:
            await asyncio.sleep(max(0.0, delay - (time.monotonic() - arrived)))
        if fate == "fail":
            stats.failed += 1
            return _error(500, "The server had an error while processing your request.",
                          "server_error", headers=limit_headers)
        if fate == "garbage":
            stats.garbage += 1
            content = rng.choice(_GARBAGE)
        else:
            stats.ok += 1
            counts.ok += 1
        prompt_chars = sum(len(str(m.get("content", ""))) for m in body["messages"])
        return web.json_response(self._completion(model, content, prompt_chars),
                                 headers=limit_headers)

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

    def _parse(self, body: Any) -> tuple[str, str, Email, list[str]]:
        """Validate the chat body enough to behave like a real server; find the fenced email."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        model = body.get("model")
        messages = body.get("messages")
        if not isinstance(model, str) or not model:
            raise ValueError("you must provide a model parameter")
        if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and "role" in m for m in messages
        ):
            raise ValueError("messages must be a non-empty list of {role, content}")
        user = [m for m in messages if m.get("role") == "user"]
        if not user:
            raise ValueError("no user message")
        content = user[-1].get("content")
        if isinstance(content, list):  # content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str):
            raise ValueError("the user message has no text content")
        raw, _ = extract_payload(content)
        email = extract_email(content)
        routes: list[str] = []
        try:
            schema = body["response_format"]["json_schema"]["schema"]
            routes = [str(r) for r in schema["properties"]["route"]["enum"]]
        except (KeyError, TypeError):
            pass
        return model, raw, email, routes

    def _admit(self, now: float) -> tuple[bool, dict[str, str]]:
        """RPM sliding window: (admitted?, x-ratelimit headers, plus Retry-After when full)."""
        rpm = self.config.rpm
        if rpm is None:
            return True, {}
        window = self._window
        while window and window[0] <= now - RPM_WINDOW_S:
            window.popleft()
        if len(window) >= rpm:
            wait = window[0] + RPM_WINDOW_S - now
            return False, {
                "x-ratelimit-limit-requests": str(rpm),
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": format_duration(wait),
                "retry-after": str(max(1, math.ceil(wait))),
            }
        window.append(now)
        return True, {
            "x-ratelimit-limit-requests": str(rpm),
            "x-ratelimit-remaining-requests": str(rpm - len(window)),
            "x-ratelimit-reset-requests": format_duration(window[0] + RPM_WINDOW_S - now),
        }

    @staticmethod
    def _completion(model: str, content: str, prompt_chars: int) -> dict[str, Any]:
        prompt_tokens = max(1, prompt_chars // 4)
        completion_tokens = max(1, len(content) // 4)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
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
        seed=settings.seed,
        model=settings.model,
    )


async def serve_forever(config: SimConfig, host: str = LOOPBACK, port: int = 8765) -> None:
    """`fanmail sim`: run until cancelled (Ctrl-C). Loopback only, whatever is asked."""
    if host != LOOPBACK:
        raise ValueError(f"the simulator only binds {LOOPBACK}")
    async with SimServer(config, port=port) as sim:
        print(f"fanmail simulator listening on {sim.url}", flush=True)
        await asyncio.Event().wait()
