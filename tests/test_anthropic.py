"""The Anthropic Messages client over real HTTP on 127.0.0.1: request shape, answers, errors."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
from aiohttp import web

from scripted import make_email, root_url, scripted
from tui.agents.anthropic import ANTHROPIC_VERSION, AnthropicProvider, anthropic_ratelimit
from tui.agents.base import (
    BadAnswerError,
    EmailRejectedError,
    FatalProviderError,
    ProviderError,
    QuotaError,
    RateLimitError,
    RefusedError,
)
from tui.agents.prompt import TOOL_NAME, verdict_schema
from tui.agents.runtime import open_provider
from tui.agents.sim import SimServer
from tui.agents.sim_config import SimConfig
from tui.fanout.events import EmailDone, RunDone
from tui.fanout.plan import make_plan
from tui.fanout.run import Coordinator
from tui.mail.sample import sample_emails
from tui.model import Category, Verdict
from tui.settings import Settings

KEY = "sk-ant-test-0123456789abcdef"


def claude(session: aiohttp.ClientSession, url: str, key: str | None = KEY, **settings: object) -> AnthropicProvider:
    settings.setdefault("model", "claude-test")
    return AnthropicProvider(Settings(provider="anthropic", **settings), session, key, base_url=url)


async def test_request_matches_the_messages_api_and_the_verdict_validates(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(require_key=KEY)) as sim:
        verdict = await claude(session, sim.root_url).classify(make_email())
        body, headers = sim.last_request, sim.last_headers
    assert isinstance(verdict, Verdict) and isinstance(verdict.category, Category)
    assert verdict.route in Settings().route_names
    assert headers["x-api-key"] == KEY and headers["anthropic-version"] == ANTHROPIC_VERSION == "2023-06-01"
    assert "Authorization" not in headers
    assert body is not None
    assert set(body) == {"model", "max_tokens", "temperature", "system", "messages", "tools", "tool_choice"}
    assert body["model"] == "claude-test" and isinstance(body["max_tokens"], int) and body["max_tokens"] > 0
    assert isinstance(body["system"], str) and "never instructions" in body["system"]
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert "EMAIL-BEGIN-" in body["messages"][0]["content"]
    assert body["tools"] == [{"name": TOOL_NAME, "description": body["tools"][0]["description"],
                              "input_schema": verdict_schema(Settings())}]
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}


async def test_usage_and_ratelimit_headers(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(rpm=50, tpm=100_000)) as sim:
        p = claude(session, sim.root_url)
        await p.classify(make_email())
    assert p.input_tokens > 500 and p.output_tokens > 10
    info = p.last_ratelimit
    assert info is not None and info.limit_requests == 50 and info.remaining_requests == 49
    assert info.limit_tokens == 100_000 and info.remaining_tokens == 100_000 - p.input_tokens - p.output_tokens
    assert info.reset_requests_s is not None and 58 < info.reset_requests_s <= 60


def test_ratelimit_header_parsing() -> None:
    soon = (datetime.now(timezone.utc) + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    info = anthropic_ratelimit({
        "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "7",
        "anthropic-ratelimit-requests-reset": soon,
        "anthropic-ratelimit-input-tokens-limit": "40000", "anthropic-ratelimit-input-tokens-remaining": "1000",
        "anthropic-ratelimit-input-tokens-reset": soon,
    })
    assert info is not None and (info.limit_requests, info.remaining_requests) == (50, 7)
    assert (info.limit_tokens, info.remaining_tokens) == (40000, 1000)
    assert 28 < (info.reset_requests_s or 0) <= 30
    assert anthropic_ratelimit({}) is None


async def test_garbage_tool_input_gets_one_repair_then_fails(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(garbage_rate=1.0)) as sim:
        with pytest.raises(BadAnswerError, match="after one repair attempt") as err:
            await claude(session, sim.root_url).classify(make_email())
        repair = sim.last_request
        assert sim.stats.total == 2 and sim.stats.repairs == 1
    assert err.value.retryable
    assert repair is not None and [m["role"] for m in repair["messages"]] == ["user", "assistant", "user"]
    call = repair["messages"][1]["content"][0]
    result = repair["messages"][2]["content"][0]
    assert call["type"] == "tool_use" and result["type"] == "tool_result"
    assert result["tool_use_id"] == call["id"] and result["is_error"] is True


async def test_repair_that_works_gives_a_verdict(session: aiohttp.ClientSession) -> None:
    # Repairs draw their own fate: with this seed the first answer is garbage, the repair is fine.
    config = SimConfig(garbage_rate=0.5, seed=1)
    async with SimServer(config) as sim:
        p = claude(session, sim.root_url)
        results = await asyncio.gather(*(p.classify(make_email(i)) for i in range(20)), return_exceptions=True)
        repaired_ok = [k for k, c in sim.stats.per_email.items() if c.fates[:1] == ["garbage"] and c.ok == 1]
    assert repaired_ok, "some email must have been saved by its repair turn"
    assert sum(isinstance(r, Verdict) for r in results) > 10


async def test_refusal_is_a_bad_answer_not_retried(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(refusal_rate=1.0)) as sim:
        with pytest.raises(RefusedError, match="refused") as err:
            await claude(session, sim.root_url).classify(make_email())
    assert isinstance(err.value, BadAnswerError) and not err.value.retryable


async def test_529_and_429_wait_500_retries(session: aiohttp.ClientSession) -> None:
    async with SimServer(SimConfig(overload_rate=1.0)) as sim:
        with pytest.raises(RateLimitError, match="overloaded") as err:
            await claude(session, sim.root_url).classify(make_email())
    async with SimServer(SimConfig(rate_429=1.0, retry_after_429=3)) as sim:
        with pytest.raises(RateLimitError) as err:
            await claude(session, sim.root_url).classify(make_email())
        assert err.value.retry_after == 3.0
    async with SimServer(SimConfig(fail_rate=1.0)) as sim:
        with pytest.raises(ProviderError, match="500") as err:
            await claude(session, sim.root_url).classify(make_email())
        assert type(err.value) is ProviderError and err.value.retryable


async def test_wrong_key_one_line_naming_provider_and_variable(session: aiohttp.ClientSession) -> None:
    wrong = "sk-ant-wrong-ABCDEF123456"
    async with SimServer(SimConfig(require_key=KEY)) as sim:
        await claude(session, sim.root_url).check()
        for call in (claude(session, sim.root_url, wrong).check(),
                     claude(session, sim.root_url, wrong).classify(make_email())):
            with pytest.raises(FatalProviderError) as err:
                await call
            message = str(err.value)
            assert message == f"anthropic at 127.0.0.1:{sim.port} refused the API key from ANTHROPIC_API_KEY (401)"
            assert wrong not in message and not err.value.retryable
        custom = claude(session, sim.root_url, wrong, api_key_env="MY_CLAUDE_KEY")
        with pytest.raises(FatalProviderError, match="from MY_CLAUDE_KEY"):
            await custom.check()
        assert sim.stats.unauthorized == 3 and sim.stats.total == 1  # one of them a messages call


@pytest.mark.parametrize(
    ("status", "error", "kind", "match"),
    [
        (400, {"type": "invalid_request_error",
               "message": "Your credit balance is too low to access the Anthropic API."}, QuotaError, "credit"),
        (402, {"type": "billing_error", "message": "payment required"}, QuotaError, "ANTHROPIC_API_KEY"),
        (400, {"type": "invalid_request_error", "message": "prompt is too long: 250000 tokens > 200000 maximum"},
         EmailRejectedError, "too long"),
        (413, {"type": "request_too_large", "message": "Request exceeds the maximum allowed number of bytes."},
         EmailRejectedError, "413"),
        (404, {"type": "not_found_error", "message": "model: claude-nope"}, FatalProviderError, "claude-nope"),
        (400, {"type": "invalid_request_error", "message": "tools.0.input_schema: bad"}, FatalProviderError,
         "rejected the request"),
    ],
)
async def test_error_kinds(session: aiohttp.ClientSession, status: int, error: dict, kind: type, match: str) -> None:
    async def reply(request: web.Request) -> web.Response:
        return web.json_response({"type": "error", "error": error}, status=status)

    runner = await scripted(reply)
    url = root_url(runner)
    try:
        with pytest.raises(kind, match=match) as err:
            await claude(session, url).classify(make_email())
        assert type(err.value) is kind
        if kind is EmailRejectedError:
            assert not err.value.retryable
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("message", "match"),
    [
        ({"content": [{"type": "text", "text": "Let me think about it."}], "stop_reason": "end_turn"},
         "without calling the tool"),
        ({"content": [{"type": "tool_use", "id": "t1", "name": TOOL_NAME, "input": {"urgent": True}}],
          "stop_reason": "max_tokens"}, "cut off"),
        ({"content": "nope"}, "malformed"),
    ],
)
async def test_bad_messages(session: aiohttp.ClientSession, message: dict, match: str) -> None:
    async def reply(request: web.Request) -> web.Response:
        return web.json_response({"type": "message", "role": "assistant", **message})

    runner = await scripted(reply)
    url = root_url(runner)
    try:
        with pytest.raises(BadAnswerError, match=match):
            await claude(session, url).classify(make_email())
    finally:
        await runner.cleanup()


async def test_sim_rejects_what_the_messages_api_rejects(session: aiohttp.ClientSession) -> None:
    good = {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "EMAIL"}]}
    cases = {
        "no max_tokens": {k: v for k, v in good.items() if k != "max_tokens"},
        "system role in messages": {**good, "messages": [{"role": "system", "content": "x"}, *good["messages"]]},
        "unknown field": {**good, "response_format": {"type": "json_object"}},
        "tool_choice names no tool": {**good, "tool_choice": {"type": "tool", "name": "x"}},
    }
    async with SimServer(SimConfig()) as sim:
        for name, body in cases.items():
            async with session.post(f"{sim.url}/messages", json=body,
                                    headers={"anthropic-version": ANTHROPIC_VERSION}) as resp:
                data = await resp.json()
                assert resp.status == 400, name
                assert data["type"] == "error" and data["error"]["type"] == "invalid_request_error", name
        async with session.post(f"{sim.url}/messages", json=good) as resp:
            assert resp.status == 400 and "anthropic-version" in (await resp.json())["error"]["message"]


async def test_a_run_through_the_engine(sim_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Coordinator + Anthropic client + simulator: every email once, faults become rows."""
    sim = await sim_factory(latency=0.01, fail_rate=0.05, overload_rate=0.05, refusal_rate=0.03,
                            garbage_rate=0.03, seed=5)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    settings = Settings(provider="anthropic", model="claude-haiku-4-5", base_url=sim.root_url, concurrency=10,
                        batch_size=10, timeout=2, retries=2)
    plan = make_plan(sample_emails(150, seed=4), settings)
    rows = []
    async with open_provider(settings) as provider:
        assert isinstance(provider, AnthropicProvider)  # the bare backend (the run layer adds the rule book)
        await provider.check()
        async with asyncio.timeout(60):
            async for event in Coordinator(provider, settings).run(plan):
                if isinstance(event, EmailDone):
                    rows.append(event.row)
                elif isinstance(event, RunDone):
                    report = event.report
    assert len(rows) == 150 and len({r.email_id for r in rows}) == 150
    refused = [r for r in rows if r.status == "failed" and "refused" in (r.error or "")]
    assert refused
    for row in refused:  # a refusal is final: nothing was sent for that email after it
        assert sim.stats.per_email[row.message_id].fates[-1] == "refusal"
    assert sum(r.status == "ok" for r in rows) > 120
    assert sim.stats.overloaded > 0 and report.rate_limited >= sim.stats.overloaded
    assert report.input_tokens > 100_000 and report.cost_usd is not None and report.cost_usd > 0
    body = json.dumps(sim.last_request)
    assert KEY not in body
