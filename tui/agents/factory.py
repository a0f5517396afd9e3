"""Pick the Provider a run uses from its settings, in one place."""

from __future__ import annotations

import aiohttp

from tui.agents.base import Provider
from tui.agents.openai import OpenAIProvider
from tui.settings import ConfigError, Settings, api_key


def make_provider(
    settings: Settings,
    session: aiohttp.ClientSession,
    base_url_override: str | None = None,
) -> Provider:
    """rules -> offline classifier; sim/openai -> the OpenAI-compatible HTTP client;
    anthropic -> the Messages API client. Keys come from the environment only."""
    if settings.provider == "rules":
        from tui.agents.rules import RulesProvider

        return RulesProvider(settings)
    base_url = base_url_override or settings.base_url
    if settings.provider == "sim":
        if not base_url:
            raise ConfigError("the sim provider needs a base URL (start `fanmail sim` or pass --base-url)")
        return OpenAIProvider(settings, session, api_key(settings), base_url=base_url,
                              expected_latency_s=settings.sim_latency)
    key = api_key(settings)
    if settings.provider == "anthropic":
        from tui.agents.anthropic import AnthropicProvider

        if not key and not base_url:
            variable = settings.api_key_env or "ANTHROPIC_API_KEY"
            raise ConfigError(f"{variable} is not set: export your Anthropic key there, or pass "
                              "--base-url for a compatible server that needs none")
        return AnthropicProvider(settings, session, key, base_url=base_url)
    if not key and not base_url:
        variable = settings.api_key_env or "OPENAI_API_KEY"
        raise ConfigError(f"{variable} is not set: export your OpenAI key there, or pass --base-url "
                          "for a local server that needs none")
    return OpenAIProvider(settings, session, key, base_url=base_url)
