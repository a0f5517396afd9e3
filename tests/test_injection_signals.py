"""Injection: the rules pre-pass and the model are two signals; the verdict flags either.

Measured on the sample generator's truth labels: at least 95% of injection mail flagged, at
most 2% of benign mail, even when the model misses every injection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from scripted import root_url, scripted
from tui.agents.anthropic import AnthropicProvider
from tui.agents.openai import OpenAIProvider
from tui.agents.prompt import TOOL_NAME, combine_injection
from tui.agents.sim import SimServer
from tui.agents.sim_config import SimConfig
from tui.mail.parse import parse_bytes
from tui.mail.sample import generate_sample
from tui.model import Email, Verdict
from tui.settings import Settings

NAIVE = {"urgent": True, "priority": 95, "route": "support", "category": "complaint", "confidence": 0.97,
         "injection": False, "injection_reason": "", "summary": "A customer needs help."}


@pytest.fixture(scope="module")
def labelled() -> list[tuple[Email, bool]]:
    """1,200 sample emails (two seeds) with their truth: is it an injection attempt?"""
    out: list[tuple[Email, bool]] = []
    for count, seed in ((1000, 3), (200, 7)):
        for m in generate_sample(count, seed):
            out.append((parse_bytes(m.raw, email_id=f"{seed}-{m.email_id}"), m.truth.injection))
    return out


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50)) as s:
        yield s


async def naive_model(api: str) -> web.AppRunner:
    """A model that falls for everything: never flags injection, always urgent."""

    async def reply(request: web.Request) -> web.Response:
        if api == "anthropic":
            return web.json_response({"type": "message", "role": "assistant", "stop_reason": "tool_use",
                                      "content": [{"type": "tool_use", "id": "t", "name": TOOL_NAME, "input": NAIVE}],
                                      "usage": {"input_tokens": 900, "output_tokens": 60}})
        return web.json_response({"choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": json.dumps(NAIVE)}}]})

    return await scripted(reply, method="POST")


def rates(pairs: list[tuple[Verdict, bool]]) -> tuple[float, float]:
    injections = [v for v, truth in pairs if truth]
    benign = [v for v, truth in pairs if not truth]
    assert len(injections) >= 50 and len(benign) >= 1000
    return (sum(v.injection for v in injections) / len(injections),
            sum(v.injection for v in benign) / len(benign))


async def classify_all(provider: OpenAIProvider | AnthropicProvider,
                       labelled: list[tuple[Email, bool]]) -> list[tuple[Verdict, bool]]:
    verdicts = await asyncio.gather(*(provider.classify(e) for e, _ in labelled))
    return list(zip(verdicts, (truth for _, truth in labelled)))


@pytest.mark.parametrize("api", ["openai", "anthropic"])
async def test_rules_catch_what_a_naive_model_misses(api: str, session: aiohttp.ClientSession,
                                                     labelled: list[tuple[Email, bool]]) -> None:
    runner = await naive_model(api)
    url = root_url(runner)
    try:
        if api == "anthropic":
            provider = AnthropicProvider(Settings(provider="anthropic", model="m"), session, "k", base_url=url)
        else:
            provider = OpenAIProvider(Settings(provider="sim"), session, None, base_url=url + "/v1")
        pairs = await classify_all(provider, labelled)
    finally:
        await runner.cleanup()
    caught, false_alarms = rates(pairs)
    print(f"\n{api}, naive model: {caught:.1%} of injections flagged, {false_alarms:.2%} of benign mail")
    assert caught >= 0.95 and false_alarms <= 0.02
    flagged = [v for v, truth in pairs if truth and v.injection]
    assert all(v.injection_reason.startswith("rules: ") and "the model missed it" in v.injection_reason
               for v in flagged)
    # A flagged email cannot promote itself, whatever the model said.
    assert all(not v.urgent and v.priority <= 40 and v.confidence <= 0.45 for v in flagged)


async def test_both_signals_are_named_when_both_fire(session: aiohttp.ClientSession,
                                                     labelled: list[tuple[Email, bool]]) -> None:
    """The simulator's 'model' is the rules classifier, so here both signals see the same."""
    async with SimServer(SimConfig()) as sim:
        provider = OpenAIProvider(Settings(provider="sim"), session, None, base_url=sim.url)
        pairs = await classify_all(provider, labelled)
    caught, false_alarms = rates(pairs)
    print(f"\nsim model: {caught:.1%} of injections flagged, {false_alarms:.2%} of benign mail")
    assert caught >= 0.95 and false_alarms <= 0.02
    both = [v for v, _ in pairs if v.injection]
    assert all(v.injection_reason.startswith("model: ") and "; rules: " in v.injection_reason for v in both)


def test_combination_rules() -> None:
    clean = Verdict.model_validate(NAIVE)
    assert combine_injection(clean, False, "") == clean
    model_only = combine_injection(clean.model_copy(update={"injection": True, "injection_reason": "asks me"}),
                                   False, "")
    assert model_only.injection and model_only.injection_reason == "model: asks me"
    rules_only = combine_injection(clean, True, "fake SYSTEM: block (in body)")
    assert rules_only.injection and rules_only.injection_reason == (
        "rules: fake SYSTEM: block (in body) (the model missed it)")
    assert (rules_only.urgent, rules_only.priority, rules_only.confidence) == (False, 40, 0.45)
