"""Cost and time before launch: tokens, money and wall time for a plan under the run's limits.

`estimate(plan or emails, settings) -> Preview` is cheap (no network, one JSON rendering per
email), so the headless run prints it before fanning out and the dashboard header can show it.

- Tokens: per email, chars/4 of the prompt it will be sent (system prompt, fenced email, schema)
  plus the expected answer: the same estimate the pacer charges before sending.
- Cost: the settings' price table (USD per million tokens, per model); an unknown model's cost
  is "unknown", never a guess.
- Wall time: the slowest of three bounds, each a floor the run cannot beat:
  ceil(N / C) x latency (the concurrency cap), N / RPM, tokens / TPM.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

from tui.agents.prompt import CHARS_PER_TOKEN, EXPECTED_OUTPUT_TOKENS, payload_json, prompt_overhead_chars
from tui.fanout.plan import Plan, PlanBuilder, batch_size_for
from tui.model import Email, Preview
from tui.settings import Settings

# Seconds per request assumed for a real model when nothing better is known (the HTTP providers'
# expected_latency_s; the headless run passes the provider's own figure).
DEFAULT_LATENCY_S = 5.0

__all__ = ["Preview", "estimate", "describe", "brief", "format_cost"]


def _work(source: Plan | Iterable[Email]) -> list[Email]:
    """The emails that will reach a model: unique and readable (what the plan sends)."""
    if isinstance(source, Plan):
        return [source.emails[e] for batch in source.batches for e in batch.email_ids]
    builder = PlanBuilder()
    return [email for email in source if builder.add(email) == "work"]


def expected_latency(settings: Settings) -> float:
    if settings.provider == "rules":
        return 0.0
    if settings.provider == "sim":
        return settings.sim_latency
    return DEFAULT_LATENCY_S


def format_cost(cost_usd: float | None) -> str:
    if cost_usd is None:
        return "unknown"
    if 0 < cost_usd < 0.01:
        return "<$0.01"
    return f"${cost_usd:,.2f}"


def estimate(source: Plan | Iterable[Email], settings: Settings, *, latency_s: float | None = None,
             provider: object = None) -> Preview:
    """Tokens, cost and wall time for classifying `source` (a Plan, or emails) with `settings`.
    With the run's `provider`, mail its rule book decides costs nothing (no request) and the
    correction examples the others carry are counted (tui/review/decide.py)."""
    emails = _work(source)
    plan_rule = getattr(provider, "plan", None) if provider is not None else None
    by_rules = 0
    if callable(plan_rule):
        sent = [e for e in emails if plan_rule(e)[0] is None]
        by_rules, emails = len(emails) - len(sent), sent
    n = len(emails)
    latency = expected_latency(settings) if latency_s is None else max(0.0, latency_s)
    model = settings.model
    example_tokens = 0
    if settings.provider == "rules":
        input_tokens = output_tokens = 0
        cost: float | None = 0.0
        model = "rules"
    else:
        overhead = prompt_overhead_chars(settings)
        input_tokens = sum(-(-(overhead + len(payload_json(e, settings))) // CHARS_PER_TOKEN) for e in emails)
        examples = getattr(provider, "examples", None)
        if examples is not None and len(examples):
            example_tokens = sum(-(-len(json.dumps(list(examples.for_email(e)), ensure_ascii=False,
                                                   separators=(",", ":"))) // CHARS_PER_TOKEN)
                                 for e in emails if examples.for_email(e))
            input_tokens += example_tokens
        output_tokens = n * EXPECTED_OUTPUT_TOKENS
        price = settings.price_for(model)
        cost = None if price is None else round(
            (input_tokens * price.input + output_tokens * price.output) / 1e6, 6)
    agents = math.ceil(n / batch_size_for(n, settings)) if n else 0
    parallel = max(1, min(settings.concurrency, agents, n))
    bounds: dict[str, float] = {"latency": math.ceil(n / parallel) * latency}
    if settings.rpm:
        bounds["rpm"] = n / settings.rpm * 60.0
    if settings.tpm and settings.provider != "rules":
        bounds["tpm"] = (input_tokens + output_tokens) / settings.tpm * 60.0
    bound_by = max(bounds, key=lambda k: bounds[k]) if n and max(bounds.values()) > 0 else "none"
    return Preview(
        emails=n,
        model=model,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost,
        cost=format_cost(cost),
        wall_s=round(max(bounds.values()) if n else 0.0, 2),
        bound_by=bound_by,  # type: ignore[arg-type]
        latency_s=latency,
        concurrency=parallel,
        rpm=settings.rpm,
        tpm=settings.tpm,
        by_rules=by_rules,
        example_tokens=example_tokens,
    )


def _k(tokens: int) -> str:
    if tokens >= 1_000_000:
        return f"{tokens / 1e6:.1f}M"
    if tokens >= 1_000:
        return f"{tokens / 1e3:.0f}k" if tokens >= 10_000 else f"{tokens / 1e3:.1f}k"
    return str(tokens)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}min"
    return f"{seconds / 3600:.1f}h"


def describe(preview: Preview) -> str:
    """One line for a terminal: what the run will send, cost and take."""
    limits = "".join(f", {name} {value}" for name, value in (("RPM", preview.rpm), ("TPM", preview.tpm)) if value)
    bound = "" if preview.bound_by == "none" else f", bound by {preview.bound_by}"
    if preview.by_rules:
        bound += f"; {preview.by_rules} decided by rules (no request)"
    if preview.example_tokens:
        bound += f"; correction examples ~{_k(preview.example_tokens)} tokens of it"
    return (
        f"{preview.emails} emails, ~{_k(preview.tokens)} tokens ({_k(preview.input_tokens)} in, "
        f"{_k(preview.output_tokens)} out), cost {preview.cost} ({preview.model}), "
        f"~{_duration(preview.wall_s)} at concurrency {preview.concurrency}{limits}{bound}"
    )


def brief(preview: Preview) -> str:
    """A few words for the dashboard header: '~96k tokens, <$0.01, ~15s'."""
    return f"~{_k(preview.tokens)} tokens, {preview.cost}, ~{_duration(preview.wall_s)}"
