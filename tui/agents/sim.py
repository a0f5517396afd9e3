"""A local model server that answers with the rules verdict, with faults and rate limits on demand.

It serves both wire formats: OpenAI chat completions (`POST /v1/chat/completions`) and the
Anthropic Messages API (`POST /v1/messages`); the shapes live in `tui.agents.sim_wire`, what each
email's attempt meets (fate, latency, answer) in `tui.agents.sim_fates`, the config and stats in
`tui.agents.sim_config`. This module is the HTTP server: routes, auth, per-email counters, the
rate-limit windows and the holds (latency, hangs).

The demo, the tests and the benchmarks run the real HTTP clients against it, so timeouts,
retries and rate limits are exercised end to end. Stats are kept server-side so tests can check
the engine's cap, RPM and TPM from the other end of the wire.

Rate limits are sliding 60 s windows, for requests (`rpm`) and tokens (`tpm`), charged at
admission with the request's actual usage (prompt chars/4 plus the answer's chars/4). Every
answer carries the provider's rate-limit headers; "reset" is when the oldest charge leaves the
window, i.e. when more budget frees up.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiohttp import web

from tui.agents.loopback import LOOPBACK, LoopbackServer
from tui.agents.prompt import PromptError, email_from_payload, payload_json
from tui.agents.sim_config import RPM_WINDOW_S, EmailCounts, SimConfig, SimStats
from tui.agents.sim_fates import (
    GARBAGE,
    GARBAGE_TOOL_INPUT,
    REFUSAL,
    draw_fate,
    rules_verdict_json,
    sha256_hex,
)
from tui.agents.sim_wire import (
    Api,
    completion_body,
    error_response,
    estimate_tokens,
    message_body,
    models_response,
    parse_anthropic,
    parse_openai,
    rate_limit_headers,
    unauthorized_response,
)
from tui.model import Email
from tui.settings import Settings

_VERDICT_CACHE = 100_000

# A structured answer for a JSON schema the simulator itself does not know: the fenced text in,
# the answer's JSON out. A room that asks models for its own schema (extraction) hands one in by the
# schema's name, so the simulator depends on no such room.
Answerer = Callable[[str], str]


def schema_name(body: Any) -> str | None:
    """The name of the JSON schema an OpenAI-style request asks its answer to follow, if any."""
    try:
        name = body["response_format"]["json_schema"]["name"]
    except (KeyError, TypeError):
        return None
    return name if isinstance(name, str) else None


def _answer_key(content_sha: str, routes: list[str]) -> str:
    """An answer depends on the fenced content and on the route enum it is mapped onto."""
    return f"{content_sha}:{','.join(routes)}"


class SimServer(LoopbackServer):
    """`async with SimServer(SimConfig(...), port=0) as sim:` then point a client at `sim.url`."""

    backlog = 4096  # a run at --concurrency 500 connects hundreds of clients at once

    def __init__(self, config: SimConfig | None = None, *, port: int = 0,
                 answerers: Mapping[str, Answerer] | None = None) -> None:
        self.config = config or SimConfig()
        self.answerers = dict(answerers or {})
        self.stats = SimStats()
        self.last_request: dict[str, Any] | None = None  # the last model body, for shape checks
        self.last_headers: dict[str, str] = {}
        super().__init__(port)
        self._window: deque[float] = deque()
        self._token_window: deque[tuple[float, int]] = deque()
        self._window_tokens = 0
        self._verdicts: dict[str, str] = {}  # content sha -> answer; retries skip the rules
        self._prepared: dict[str, str] = {}  # the same, worked out before serving: never dropped

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/sim/stats", self._stats)

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
        return unauthorized_response(api)

    async def _models(self, request: web.Request) -> web.Response:
        anthropic = "x-api-key" in request.headers or "anthropic-version" in request.headers
        if not self._authorized(request):
            return self._unauthorized("anthropic" if anthropic else "openai")
        return models_response("anthropic" if anthropic else "openai", self.config.model)

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
        try:
            with self.handling():
                return await self._answer(request, api)
        except asyncio.CancelledError:
            stats.cancelled += 1  # the client closed the connection (or the server is stopping)
            raise
        finally:
            stats.in_flight -= 1

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
                parsed = parse_anthropic(body)
            else:
                parsed = parse_openai(body)
        except (ValueError, PromptError) as exc:
            stats.bad_requests += 1
            return error_response(api, 400, str(exc), "invalid_request_error")
        self.last_request = body
        self.last_headers = dict(request.headers)

        content_sha = sha256_hex(parsed.raw)
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
        answerer = self.answerers.get(schema_name(body) or "") if self.answerers else None
        if fate == "ok" and answerer is not None:  # e.g. `fanmail extract --provider sim`
            answer = answerer(parsed.email.text)
        elif fate == "ok":
            answer = self._verdict_json(content_sha, parsed.email, parsed.routes)
        elif fate == "garbage":
            answer = rng.choice(GARBAGE if api == "openai" or not parsed.tool else GARBAGE_TOOL_INPUT)
        elif fate == "refusal":
            answer = REFUSAL
        answer_text = answer if isinstance(answer, str) else json.dumps(answer)
        prompt_tokens = estimate_tokens(parsed.prompt_chars)
        completion_tokens = estimate_tokens(len(answer_text)) if answer_text else 0

        now = time.monotonic()
        admitted, limit_headers, why = self._admit(now, prompt_tokens + completion_tokens, api)
        if not admitted:
            stats.rate_limited += 1
            if why == "tokens":
                stats.rate_limited_tpm += 1
            else:
                stats.rate_limited_rpm += 1
            stats.limited_at.append((now, float(limit_headers.get("retry-after", 0))))
            return error_response(api, 429, f"Rate limit reached for {why}.",
                                  "rate_limit_error" if api == "anthropic" else why, "rate_limit_exceeded",
                                  headers=limit_headers)

        if parsed.repair:
            counts.repairs += 1
            stats.repairs += 1
        else:
            counts.attempts += 1
            if counts.attempts == 1:
                counts.first_latency_s = delay
        counts.fates.append(fate)
        if fate == "429":
            stats.rate_limited += 1
            retry = config.retry_after_429
            stats.limited_at.append((now, retry))
            return error_response(api, 429, "Rate limit reached for requests.",
                                  "rate_limit_error" if api == "anthropic" else "requests",
                                  "rate_limit_exceeded", headers={**limit_headers, "retry-after": f"{retry:g}"})
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
            return error_response(api, 500, "The server had an error while processing your request.",
                                  "api_error" if api == "anthropic" else "server_error", headers=limit_headers)
        if fate == "overloaded":
            stats.overloaded += 1
            if api == "anthropic":
                return error_response(api, 529, "Overloaded", "overloaded_error", headers=limit_headers)
            return error_response(api, 503, "The engine is currently overloaded, please try again later.",
                                  "server_error", headers={**limit_headers, "retry-after": "1"})
        if fate == "garbage":
            stats.garbage += 1
        elif fate == "refusal":
            stats.refused += 1
        else:
            stats.ok += 1
            counts.ok += 1
        if api == "anthropic":
            reply = message_body(parsed, answer, fate, prompt_tokens, completion_tokens)
        else:
            reply = completion_body(parsed.model, answer_text, fate, prompt_tokens, completion_tokens)
        return web.json_response(reply, headers=limit_headers)

    def prepare_answers(self, emails: Iterable[Email], settings: Settings | None = None) -> int:
        """Work out the rules answers for these emails before serving, keyed as their requests
        will be (the fenced payload a client with `settings` sends, and its route enum), each for
        the email as the fence shows it (truncated), as a request's is read back.

        A real model's compute is not on the client's machine; the simulator's rules pass is, and
        on a 2-core benchmark it takes a core's share from the client being measured. Returns the
        number of answers now at hand; `stats.prepared_used` counts the requests they served."""
        settings = settings or Settings()
        routes = list(settings.route_names)
        for email in emails:
            raw = payload_json(email, settings)
            self._prepared[_answer_key(sha256_hex(raw), routes)] = rules_verdict_json(
                email_from_payload(json.loads(raw)), routes)
        self.stats.answers_prepared = len(self._prepared)
        return len(self._prepared)

    def _verdict_json(self, content_sha: str, email: Email, routes: list[str]) -> str:
        """The rules verdict, mapped onto the client's route enum: prepared, else cached per content."""
        key = _answer_key(content_sha, routes)
        content = self._prepared.get(key)
        if content is not None:
            self.stats.prepared_used += 1
            return content
        content = self._verdicts.get(key)
        if content is None:
            content = rules_verdict_json(email, routes)
            if len(self._verdicts) >= _VERDICT_CACHE:
                self._verdicts.clear()
            self._verdicts[key] = content
        return content

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
        return rate_limit_headers(api, families)


async def serve_forever(config: SimConfig, host: str = LOOPBACK, port: int = 8765,
                        answerers: Mapping[str, Answerer] | None = None, prepare: Iterable[Email] = ()) -> None:
    """`fanmail sim`: run until cancelled (Ctrl-C). Loopback only, whatever is asked. The answers
    for `prepare` are worked out before the port opens, so no client waits on them."""
    if host != LOOPBACK:
        raise ValueError(f"the simulator only binds {LOOPBACK}")
    sim = SimServer(config, port=port, answerers=answerers)
    prepared = sim.prepare_answers(prepare)
    if prepared:
        print(f"fanmail simulator: {prepared:,} answers worked out before serving", flush=True)
    async with sim:
        print(f"fanmail simulator listening on {sim.url} (OpenAI) and {sim.root_url} (Anthropic)",
              flush=True)
        await asyncio.Event().wait()
