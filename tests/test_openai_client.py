"""The OpenAI-compatible client over real HTTP on 127.0.0.1: request shape and error mapping."""

from __future__ import annotations

import asyncio
import json
import socket

import aiohttp
import pytest
from aiohttp import web

from coordinated import run_sample
from scripted import make_email, root_url, scripted
from tui.agents.base import (
    BadAnswerError,
    EmailRejectedError,
    FatalProviderError,
    ProviderError,
    QuotaError,
    RateLimitError,
    RefusedError,
)
from tui.agents.openai import OpenAIProvider, parse_duration, retry_after_from
from tui.agents.sim import SimServer
from tui.agents.sim_config import SimConfig
from tui.fanout.events import EmailDone
from tui.model import Category, Verdict
from tui.settings import Settings

KEY = "sk-test-0123456789abcdef"


def provider(session: aiohttp.ClientSession, url: str, key: str | None = None,
             **settings: object) -> OpenAIProvider:
    return OpenAIProvider(Settings(provider="sim", **settings), session, key, base_url=url)


def url_of(runner: web.AppRunner) -> str:
    return f"{root_url(runner)}/v1"


def completion(content: str | None, finish: str = "stop", refusal: str | None = None) -> dict:
    return {"choices": [{"index": 0, "finish_reason": finish,
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}]}


async def test_request_body_matches_openai_shape(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig()) as sim:
        verdict = await provider(session, sim.url, model="m-1").classify(make_email())
        body = sim.last_request
    assert isinstance(verdict, Verdict)
    assert verdict.route in Settings().route_names
    assert isinstance(verdict.category, Category)
    assert body is not None
    assert body["model"] == "m-1" and body["temperature"] == 0
    assert set(body) == {"model", "messages", "temperature", "max_tokens", "response_format"}
    assert isinstance(body["max_tokens"], int) and body["max_tokens"] > 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert all(isinstance(m["content"], str) for m in body["messages"])
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "verdict" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert sorted(schema["required"]) == sorted(schema["properties"]) == sorted(Verdict.model_fields)
    assert schema["properties"]["route"]["enum"] == Settings().route_names
    assert schema["properties"]["category"]["enum"] == [c.value for c in Category]


async def test_usage_and_ratelimit_headers_are_recorded(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(rpm=50)) as sim:
        p = provider(session, sim.url)
        await p.classify(make_email())
    assert p.input_tokens > 0 and p.output_tokens > 0
    assert p.last_ratelimit is not None
    assert p.last_ratelimit.limit_requests == 50 and p.last_ratelimit.remaining_requests == 49
    assert p.last_ratelimit.reset_requests_s is not None and 59 < p.last_ratelimit.reset_requests_s <= 60


async def test_garbage_is_a_bad_answer(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(garbage_rate=1.0)) as sim:
        with pytest.raises(BadAnswerError) as err:
            await provider(session, sim.url).classify(make_email())
    assert err.value.retryable


async def test_server_error_is_retryable(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(fail_rate=1.0)) as sim:
        with pytest.raises(ProviderError) as err:
            await provider(session, sim.url).classify(make_email())
    assert type(err.value) is ProviderError and err.value.retryable
    assert "500" in str(err.value)


async def test_429_carries_retry_after(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(rate_429=1.0)) as sim:
        with pytest.raises(RateLimitError) as err:
            await provider(session, sim.url).classify(make_email())
    assert err.value.retry_after == 1.0 and err.value.retryable


async def test_wrong_key_is_fatal_and_never_echoed(session: aiohttp.ClientSession) -> None:
    wrong = "sk-wrong-key-ABCDEF123456"
    async with SimServer(SimConfig(require_key=KEY)) as sim:
        assert isinstance(await provider(session, sim.url, KEY).classify(make_email()), Verdict)
        await provider(session, sim.url, KEY).check()
        for call in (provider(session, sim.url, wrong, api_key_env="OPENAI_API_KEY").classify(make_email()),
                     provider(session, sim.url, wrong, api_key_env="OPENAI_API_KEY").check()):
            with pytest.raises(FatalProviderError) as err:
                await call
            message = str(err.value)
            assert "refused the API key from OPENAI_API_KEY (401)" in message and "127.0.0.1" in message
            assert wrong not in message and KEY not in message and "sk-" not in message
            assert not err.value.retryable
        with pytest.raises(FatalProviderError, match="requires an API key"):
            await provider(session, sim.url, None).check()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_check_against_closed_port_is_fatal(session: aiohttp.ClientSession) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    with pytest.raises(FatalProviderError, match="cannot reach"):
        await provider(session, url).check()
    with pytest.raises(ProviderError, match="cannot reach") as err:
        await provider(session, url).classify(make_email())
    assert err.value.retryable


async def test_check_accepts_missing_models_endpoint(session: aiohttp.ClientSession) -> None:
    seen: list[str] = []

    async def not_found(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(status=404, text="404: Not Found")

    runner = await scripted(not_found)
    try:
        assert await provider(session, url_of(runner)).check() is None  # a 404 is not an error
    finally:
        await runner.cleanup()
    assert seen == ["/v1/models"], "the check must really ask the server once"


async def test_client_errors_are_fatal_with_a_short_scrubbed_reason(session: aiohttp.ClientSession) -> None:
    async def model_missing(request: web.Request) -> web.Response:
        if request.path.endswith("/chat/completions"):
            msg = f"The model `nope` does not exist (key {KEY} / sk-proj-ab12cd34ef56)"
            return web.json_response({"error": {"message": msg, "code": "model_not_found"}}, status=404)
        return web.json_response({"error": "bad request body\n" + "x" * 1000}, status=400)

    runner = await scripted(model_missing)
    try:
        p = provider(session, url_of(runner), KEY)
        with pytest.raises(FatalProviderError) as err:
            await p.classify(make_email())
        assert "404" in str(err.value) and "does not exist" in str(err.value)
        assert KEY not in str(err.value) and "sk-proj" not in str(err.value)
        with pytest.raises(FatalProviderError) as err:
            await p.check()
        assert "400" in str(err.value) and len(str(err.value)) < 300 and "\n" not in str(err.value)
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (completion(None, refusal="I cannot help with that"), "refused"),
        (completion('{"urgent": tr', finish="length"), "cut off"),
        (completion("not json at all"), "not JSON"),
        (completion(json.dumps({"urgent": True, "priority": 5, "route": "support", "category": "weird",
                                "confidence": 0.5, "injection": False, "injection_reason": "",
                                "summary": ""})), "category"),
        (completion(json.dumps({"urgent": True, "priority": 5, "route": "elsewhere", "category": "spam",
                                "confidence": 0.5, "injection": False, "injection_reason": "",
                                "summary": ""})), "unknown route"),
        ({"object": "error"}, "malformed"),
    ],
)
async def test_bad_answers(session: aiohttp.ClientSession, answer: dict, reason: str) -> None:
    async def reply(request: web.Request) -> web.Response:
        return web.json_response(answer)

    runner = await scripted(reply)
    try:
        with pytest.raises(BadAnswerError, match=reason):
            await provider(session, url_of(runner)).classify(make_email())
    finally:
        await runner.cleanup()


async def test_non_json_body_and_503_retry_after(session: aiohttp.ClientSession) -> None:
    calls = 0

    async def reply(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.Response(text="<html>proxy says hi</html>", content_type="text/html")
        return web.Response(status=503, text="overloaded", headers={"Retry-After": "7"})

    runner = await scripted(reply)
    try:
        p = provider(session, url_of(runner))
        with pytest.raises(BadAnswerError):
            await p.classify(make_email())
        with pytest.raises(ProviderError) as err:
            await p.classify(make_email())
        assert err.value.retryable and err.value.retry_after == 7.0
    finally:
        await runner.cleanup()


async def test_cancellation_is_not_swallowed(session: aiohttp.ClientSession) -> None:
    """The engine's asyncio.timeout must still work around a slow server."""
    async with SimServer(SimConfig(latency=5.0)) as sim:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await provider(session, sim.url).classify(make_email())


def test_parse_duration() -> None:
    assert parse_duration("6m0s") == 360
    assert parse_duration("1.5s") == 1.5
    assert parse_duration("20ms") == pytest.approx(0.02)
    assert parse_duration("1h2m3s") == 3723
    assert parse_duration("12") == 12
    assert parse_duration("soon") is None and parse_duration(None) is None


def test_retry_after_prefers_header_then_reset_hints() -> None:
    assert retry_after_from({"Retry-After": "3"}) == 3
    assert retry_after_from({"x-ratelimit-reset-requests": "6m0s", "x-ratelimit-reset-tokens": "1.5s"}) == 1.5
    assert retry_after_from({}) is None


# -- local servers, repairs, and errors about one email or the account ------------------------

def verdict_json(route: str = "support") -> str:
    return json.dumps({"urgent": True, "priority": 80, "route": route, "category": "complaint",
                       "confidence": 0.9, "injection": False, "injection_reason": "", "summary": "s"})


async def test_json_schema_rejected_once_then_json_mode_for_the_run(session: aiohttp.ClientSession) -> None:
    """A local server without json_schema: one 400, then JSON mode with validation for the run."""
    bodies: list[dict] = []

    async def reply(request: web.Request) -> web.Response:
        body = await request.json()
        bodies.append(body)
        if body.get("response_format", {}).get("type") == "json_schema":
            return web.json_response({"error": {"message": "response_format type json_schema is not supported",
                                                "type": "invalid_request_error", "param": "response_format"}},
                                     status=400)
        return web.json_response(completion(verdict_json()))

    runner = await scripted(reply)
    try:
        p = provider(session, url_of(runner))
        for i in range(3):
            assert (await p.classify(make_email(i))).route == "support"
    finally:
        await runner.cleanup()
    assert [b.get("response_format", {}).get("type") for b in bodies] == [
        "json_schema", "json_object", "json_object", "json_object"]
    assert p.response_format == "json_object" and len(p.notes) == 1 and "JSON mode" in p.notes[0]
    system = bodies[-1]["messages"][0]["content"]
    assert '"additionalProperties":false' in system and "JSON" in system  # the schema moved into the prompt


async def test_json_mode_rejected_too_then_plain_answers(session: aiohttp.ClientSession) -> None:
    async def reply(request: web.Request) -> web.Response:
        body = await request.json()
        if "response_format" in body:
            return web.json_response({"error": "unsupported response_format"}, status=400)
        return web.json_response(completion("```json\n" + verdict_json() + "\n```"))

    runner = await scripted(reply)
    try:
        p = provider(session, url_of(runner))
        assert (await p.classify(make_email())).route == "support"
        assert p.response_format == "none"
    finally:
        await runner.cleanup()


async def test_one_repair_attempt_with_the_error(session: aiohttp.ClientSession) -> None:
    bodies: list[dict] = []

    async def reply(request: web.Request) -> web.Response:
        bodies.append(await request.json())
        if len(bodies) == 1:
            return web.json_response(completion('{"urgent": true, "priority": "high"}'))
        return web.json_response(completion(verdict_json()))

    runner = await scripted(reply)
    try:
        verdict = await provider(session, url_of(runner)).classify(make_email())
    finally:
        await runner.cleanup()
    assert verdict.route == "support" and len(bodies) == 2
    roles = [m["role"] for m in bodies[1]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert bodies[1]["messages"][2]["content"] == '{"urgent": true, "priority": "high"}'
    assert "priority" in bodies[1]["messages"][3]["content"]  # the error is sent back
    assert bodies[1]["response_format"]["type"] == "json_schema"


async def test_sim_garbage_is_repaired_when_the_repair_turn_is_fine(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(garbage_rate=0.5, seed=2)) as sim:
        p = provider(session, sim.url)
        results = await asyncio.gather(*(p.classify(make_email(i)) for i in range(30)), return_exceptions=True)
        saved = [c for c in sim.stats.per_email.values() if c.fates[:1] == ["garbage"] and c.ok]
        lost = [r for r in results if isinstance(r, BadAnswerError)]
    assert saved and all("after one repair attempt" in str(r) for r in lost)
    assert all(c.attempts == 1 and c.repairs <= 1 for c in sim.stats.per_email.values())


async def test_refusal_from_the_sim(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(refusal_rate=1.0)) as sim:
        with pytest.raises(RefusedError, match="refused") as err:
            await provider(session, sim.url).classify(make_email())
        assert sim.stats.total == 1  # no repair for a refusal
    assert not err.value.retryable


@pytest.mark.parametrize(
    ("status", "error", "kind", "match"),
    [
        (429, {"message": "You exceeded your current quota", "type": "insufficient_quota",
               "code": "insufficient_quota"}, QuotaError, "OPENAI_API_KEY is out of quota"),
        (400, {"message": "This model's maximum context length is 8192 tokens. However, your messages "
                          "resulted in 9000 tokens.", "type": "invalid_request_error",
               "code": "context_length_exceeded"}, EmailRejectedError, "maximum context length"),
        (400, {"message": "Invalid prompt: your prompt was flagged as potentially violating our usage "
                          "policy.", "type": "invalid_request_error", "code": "invalid_prompt"},
         EmailRejectedError, "flagged"),
        (400, {"message": "Invalid value for 'model'", "type": "invalid_request_error", "code": None},
         FatalProviderError, "rejected the request"),
    ],
)
async def test_error_kinds(session: aiohttp.ClientSession, status: int, error: dict, kind: type,
                           match: str) -> None:
    async def reply(request: web.Request) -> web.Response:
        return web.json_response({"error": error}, status=status)

    runner = await scripted(reply)
    try:
        with pytest.raises(kind, match=match) as err:
            await provider(session, url_of(runner), KEY, api_key_env="OPENAI_API_KEY").classify(make_email())
        assert type(err.value) is kind and not err.value.retryable
    finally:
        await runner.cleanup()


async def test_parameters_a_model_rejects_are_dropped_for_the_run(session: aiohttp.ClientSession) -> None:
    """Reasoning models refuse max_tokens (want max_completion_tokens) and temperature 0."""
    bodies: list[dict] = []

    async def reply(request: web.Request) -> web.Response:
        body = await request.json()
        bodies.append(body)
        if "max_tokens" in body:
            return web.json_response({"error": {
                "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
                           "Use 'max_completion_tokens' instead.", "param": "max_tokens",
                "code": "unsupported_parameter"}}, status=400)
        if "temperature" in body:
            return web.json_response({"error": {
                "message": "Unsupported value: 'temperature' does not support 0 with this model.",
                "param": "temperature", "code": "unsupported_value"}}, status=400)
        return web.json_response(completion(verdict_json()))

    runner = await scripted(reply)
    try:
        p = provider(session, url_of(runner))
        await p.classify(make_email(1))
        await p.classify(make_email(2))
    finally:
        await runner.cleanup()
    assert len(bodies) == 4  # two adaptations, then one request per email
    assert "max_completion_tokens" in bodies[-1] and "temperature" not in bodies[-1]


async def test_token_headers_are_recorded(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(tpm=50_000)) as sim:
        p = provider(session, sim.url)
        await p.classify(make_email())
    info = p.last_ratelimit
    assert info is not None and info.limit_tokens == 50_000
    assert info.remaining_tokens == 50_000 - p.input_tokens - p.output_tokens


async def test_garbage_and_refusals_become_failed_rows_with_a_reason(sim_factory) -> None:
    """Through the engine: a refusal fails its email at once; garbage gets its repair turn and
    its retries; every email still gets exactly one row, the run goes on."""
    sim = await sim_factory(latency=0.005, garbage_rate=0.45, refusal_rate=0.15, seed=8)
    settings = Settings(provider="sim", base_url=sim.url, concurrency=8, retries=1, timeout=2)
    events, _ = await run_sample(settings, 80, seed=6)
    rows = [e.row for e in events if isinstance(e, EmailDone)]
    assert len({r.email_id for r in rows}) == 80 and len(rows) == 80
    failed = [r for r in rows if r.status == "failed"]
    refused = [r for r in failed if r.error.startswith("the model refused")]
    garbage = [r for r in failed if "after one repair attempt" in r.error]
    assert refused and garbage and len(refused) + len(garbage) == len(failed)
    assert all(r.attempts == 2 for r in garbage)  # retried (--retries 1), each with its repair turn
    assert any(r.status == "ok" for r in rows)
