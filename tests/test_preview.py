"""The cost and time preview: tokens, money and wall time before launch."""

from __future__ import annotations

import pytest

from tui.agents.openai import OpenAIProvider
from tui.agents.prompt import EXPECTED_OUTPUT_TOKENS
from tui.fanout.plan import make_plan
from tui.fanout.preview import describe, estimate, format_cost
from tui.mail.sample import sample_emails
from tui.settings import Settings, load_settings


@pytest.fixture(scope="module")
def emails() -> list:
    return sample_emails(200, seed=7)


def test_tokens_match_what_the_pacer_charges(emails: list) -> None:
    settings = Settings(provider="openai", model="gpt-4o-mini")
    plan = make_plan(emails, settings)
    p = estimate(plan, settings)
    client = OpenAIProvider(settings, None, "k")  # type: ignore[arg-type]  (no request is made)
    work = [plan.emails[e] for b in plan.batches for e in b.email_ids]
    assert p.emails == len(work) == plan.to_classify < 200  # duplicates are not sent
    assert p.input_tokens + p.output_tokens == sum(client.estimate_tokens(e) for e in work)
    assert p.output_tokens == p.emails * EXPECTED_OUTPUT_TOKENS
    assert 500 * p.emails < p.input_tokens < 2000 * p.emails
    assert estimate(emails, settings) == p  # a list of emails works the same, duplicates dropped


def test_cost_from_the_price_table(emails: list) -> None:
    p = estimate(emails, Settings(provider="openai", model="gpt-4o-mini-2024-07-18"))
    assert p.cost_usd == pytest.approx((p.input_tokens * 0.15 + p.output_tokens * 0.60) / 1e6, abs=1e-6)
    assert p.cost == format_cost(p.cost_usd) and p.cost.startswith("$")
    unknown = estimate(emails, Settings(provider="openai", model="llama3.1"))
    assert unknown.cost_usd is None and unknown.cost == "unknown"
    free = estimate(emails, Settings(provider="openai", model="llama3.1",
                                     prices={"llama3.1": {"input": 0, "output": 0}}))
    assert free.cost == "$0.00"
    rules = estimate(emails, Settings(provider="rules"))
    assert (rules.input_tokens, rules.cost, rules.wall_s) == (0, "$0.00", 0.0)
    assert format_cost(0.004) == "<$0.01" and format_cost(1234.5) == "$1,234.50"


def test_wall_time_is_the_tightest_bound(emails: list) -> None:
    n = make_plan(emails, 10).to_classify
    latency = estimate(emails, Settings(provider="sim", sim_latency=2.0, concurrency=20))
    assert latency.bound_by == "latency" and latency.wall_s == pytest.approx(-(-n // 20) * 2.0, abs=0.01)
    rpm = estimate(emails, Settings(provider="sim", sim_latency=2.0, concurrency=20, rpm=60))
    assert rpm.bound_by == "rpm" and rpm.wall_s == pytest.approx(n, abs=0.01)
    tpm = estimate(emails, Settings(provider="sim", sim_latency=0.1, concurrency=20, rpm=600, tpm=10_000))
    assert tpm.bound_by == "tpm" and tpm.wall_s == pytest.approx(tpm.tokens / 10_000 * 60, abs=0.01)
    few = estimate(emails[:5], Settings(provider="sim", sim_latency=1.0, concurrency=20))
    assert few.concurrency == 5 and few.wall_s == pytest.approx(1.0)  # auto: one email per agent
    one = estimate(emails[:5], Settings(provider="sim", sim_latency=1.0, concurrency=20, batch_size=10))
    assert one.concurrency == 1 and one.wall_s == pytest.approx(5.0)  # an explicit batch of 10: one agent
    line = describe(tpm)
    assert "emails" in line and "tokens" in line and "bound by tpm" in line and "\n" not in line


def test_prices_from_a_config_file(tmp_path, emails: list) -> None:
    config = tmp_path / "fanmail.toml"
    config.write_text('provider = "openai"\nmodel = "house-model"\n\n[prices."house-model"]\ninput = 1.0\n'
                      'output = 2.0\n')
    settings = load_settings(config=config, environ={})
    assert settings.price_for("house-model") is not None and settings.price_for("gpt-4o") is not None
    p = estimate(emails, settings)
    assert p.cost_usd == pytest.approx((p.input_tokens + 2 * p.output_tokens) / 1e6, abs=1e-6)


def test_new_engine_modules_import_no_textual() -> None:
    import subprocess
    import sys

    code = ("import sys, tui.fanout.preview, tui.agents.anthropic, tui.fanout.limits\n"
            "print(','.join(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
