"""The OpenAI-compatible client over real HTTP on 127.0.0.1: request shape and error mapping."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone

import aiohttp
import pytest
from aiohttp import web

from tui.agents.base import BadAnswerError, FatalProviderError, ProviderError, RateLimitError
from tui.agents.openai import OpenAIProvider, parse_duration, retry_after_from
from tui.agents.sim import SimConfig, SimServer
from tui.model import Category, Email, Verdict
from tui.settings import Settings

KEY = "sk-test-0123456789abcdef"


def make_email(i: int = 0, **kw: object) -> Email:
    fields: dict[str, object] = {
        "id": f"e{i}",
        "message_id": f"<m{i}@example.test>",
        "sender": "Dana <dana@customer.test>",
        "to": ["support@ours.test"],
        "subject": f"Checkout is down again ({i})",
        "date": datetime(2024, 5, 1, 9, i % 60, tzinfo=timezone.utc),
        "text": "Our checkout page returns 500 since this morning. Please help urgently.",
    }
    fields.update(kw)
    return Email.model_validate(fields)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as s:
        yield s


def provider(session: aiohttp.ClientSession, url: str, key: str | None = None,
             **settings: object) -> OpenAIProvider:
    return OpenAIProvider(Settings(provider="sim", **settings), session, key, base_url=url)


async def scripted(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.AppRunner:
    """A one-route server answering every path with `handler`, for shapes the sim never sends."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def url_of(runner: web.AppRunner) -> str:
    return f"http://127.0.0.1:{runner.addresses[0][1]}/v1"


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
    assert p.prompt_tokens > 0 and p.completion_tokens > 0
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
        for call in (provider(session, sim.url, wrong).classify(make_email()),
                     provider(session, sim.url, wrong).check()):
            with pytest.raises(FatalProviderError) as err:
                await call
            message = str(err.value)
            assert "refused (401)" in message and "127.0.0.1" in message
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
    async def not_found(request: web.Request) -> web.Response:
        return web.Response(status=404, text="404: Not Found")

    runner = await scripted(not_found)
    try:
        await provider(session, url_of(runner)).check()
    finally:
        await runner.cleanup()


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
