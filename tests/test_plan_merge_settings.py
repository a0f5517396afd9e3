"""Unit tests: partitioning, dedupe, review policy, ranking and settings layering."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tui.fanout.merge import Inbox, apply_review_policy, rank_key
from tui.fanout.plan import batch_size_for, make_plan
from tui.model import Email, ResultRow
from tui.settings import ConfigError, Settings, load_settings


def mail(i: int, **kw: object) -> Email:
    base: dict[str, object] = dict(id=f"e{i:03d}", message_id=f"m{i}@x", sender="a@x", subject=f"s{i}", text=f"t{i}")
    base.update(kw)
    return Email(**base)


def test_partition_is_deterministic_and_covers_every_email_once() -> None:
    emails = [mail(i) for i in range(95)]
    plan = make_plan(emails, 10)
    ids = [e for b in plan.batches for e in b.email_ids]
    assert ids == [e.id for e in emails]  # by index, in order, each exactly once
    assert [len(b.email_ids) for b in plan.batches] == [10] * 9 + [5]
    assert [b.agent_id for b in plan.batches][:2] == ["a01", "a02"]
    assert make_plan(emails, 10).batches == plan.batches


@pytest.mark.parametrize(("n", "c", "size", "agents"), [
    (7, 20, 1, 7),  # fewer emails than slots: one each
    (20, 20, 1, 20),
    (50, 20, 3, 20),  # ceil(50 / 20) = 3: 10 agents of 3 and 10 of 2, every slot busy
    (120, 20, 6, 20),
    (200, 20, 10, 20),
    (10_000, 500, 20, 500),
    (1, 1, 1, 1),
    (5_000_000, 1, 1_000, 5_000),  # bounded: never more than 1,000 emails in one agent
])
def test_default_batch_size_is_one_wave_at_the_cap(n: int, c: int, size: int, agents: int) -> None:
    settings = Settings(concurrency=c)
    assert settings.batch_size == "auto"
    assert batch_size_for(n, settings) == size
    if n <= 200:
        plan = make_plan([mail(i) for i in range(n)], settings)
        sizes = [len(b.email_ids) for b in plan.batches]
        assert len(plan.batches) == agents and max(sizes) == size and max(sizes) - min(sizes) <= 1
        assert [e for b in plan.batches for e in b.email_ids] == [f"e{i:03d}" for i in range(n)]
    else:
        assert -(-n // size) == agents


def test_explicit_batch_size_wins_and_rules_run_in_one_agent() -> None:
    emails = [mail(i) for i in range(50)]
    assert len(make_plan(emails, Settings(concurrency=20, batch_size=10)).batches) == 5
    assert len(make_plan(emails, Settings(provider="rules", concurrency=20)).batches) == 1  # in-process: no wait to hide
    assert len(make_plan(emails, Settings(provider="rules", batch_size=5)).batches) == 10
    assert batch_size_for(None, Settings()) == 10  # a stream of unknown length
    assert load_settings(environ={"FANMAIL_BATCH_SIZE": "auto"}).batch_size == "auto"
    assert load_settings(environ={"FANMAIL_BATCH_SIZE": "7"}).batch_size == 7
    with pytest.raises(ConfigError, match="auto or a whole number"):
        load_settings(overrides={"batch_size": "0"}, environ={})


def test_dedupe_by_message_id_and_content_and_unreadable_set_aside() -> None:
    emails = [mail(1), mail(2), mail(1, id="copy"), mail(3, message_id="m1@x"), mail(4, parse_error="empty")]
    plan = make_plan(emails, 10)
    assert plan.duplicates == {"copy": "e001"}  # same id + same content only
    assert plan.copies == {"e001": ["copy"]}
    assert plan.conflict("e003") == "same Message-ID, different content: also e001"  # both triaged
    assert plan.unreadable == ["e004"]
    assert [e for b in plan.batches for e in b.email_ids] == ["e001", "e002", "e003"]
    with pytest.raises(ValueError):
        make_plan([mail(1), mail(1)], 10)


def verdict_row(email_id: str = "e1", **kw: object) -> ResultRow:
    base: dict[str, object] = dict(email_id=email_id, status="ok", urgent=False, priority=50, route="billing",
                                   category="invoice", confidence=0.9, injection=False)
    base.update(kw)
    return ResultRow(**base)


def test_review_policy_sends_injection_and_low_confidence_to_review() -> None:
    assert apply_review_policy(verdict_row(), 0.55).route == "billing"
    flagged = apply_review_policy(verdict_row(injection=True), 0.55)
    assert flagged.route == "review" and flagged.review and "injection" in flagged.flags
    assert "proposed:billing" in flagged.flags
    unsure = apply_review_policy(verdict_row(confidence=0.3), 0.55)
    assert unsure.route == "review" and "low-confidence" in unsure.flags


def test_rank_failures_then_urgent_then_priority_then_newest() -> None:
    old = datetime(2026, 1, 1, tzinfo=timezone.utc)
    new = datetime(2026, 2, 1, tzinfo=timezone.utc)
    rows = [
        verdict_row("low", priority=10),
        verdict_row("urgent", urgent=True, priority=80),
        verdict_row("high-old", priority=60, date=old),
        verdict_row("high-new", priority=60, date=new),
        ResultRow(email_id="broken", status="failed", error="x"),
    ]
    assert [r.email_id for r in sorted(rows, key=rank_key)] == ["broken", "urgent", "high-new", "high-old", "low"]


def test_inbox_keeps_one_row_per_email_and_flags_conflicts() -> None:
    inbox = Inbox()
    inbox.add(ResultRow(email_id="e1", status="failed", error="boom"))
    inbox.add(verdict_row("e1"))
    assert len(inbox.rows) == 1 and inbox.rows["e1"].status == "ok"
    inbox.add(ResultRow(email_id="e1", status="timeout", error="late"))
    assert inbox.rows["e1"].status == "ok"  # a late failure never hides a verdict
    kept = inbox.add(verdict_row("e1", route="support", category="complaint", confidence=0.95))
    assert "conflict" in kept.flags and inbox.conflicts == {"e1"} and kept.route == "support"


def test_settings_layers_and_errors(tmp_path: Path) -> None:
    config = tmp_path / "f.toml"
    config.write_text("concurrency = 7\nrpm = 100\n")
    settings = load_settings(config, {"rpm": 50}, environ={"FANMAIL_CONCURRENCY": "9", "FANMAIL_RETRIES": "4"})
    assert (settings.concurrency, settings.rpm, settings.retries) == (9, 50, 4)
    with pytest.raises(ConfigError, match="^FANMAIL_RETRIES: Input should be a valid integer"):
        load_settings(None, {}, environ={"FANMAIL_RETRIES": "many"})
    with pytest.raises(ConfigError, match="^--batch-size: expected auto or a whole number of emails from 1"):
        load_settings(None, {"batch_size": 0}, environ={})
    with pytest.raises(ConfigError, match="^--from: "):  # the flag the sub-command names, not the field
        load_settings(None, {"concurrency": 0}, environ={}, flags={"concurrency": "--from"})
    config.write_text('[[routes]]\nname = "x"\ncategories = ["nonsense"]\n')
    with pytest.raises(ConfigError, match="routes"):
        load_settings(config, {}, environ={})
    config.write_text('[[routes]]\nname = "billing"\ncategories = ["invoice"]\n')
    settings = load_settings(config, {}, environ={})
    assert settings.route_names == ["billing", "review"] and settings.route_for("invoice") == "billing"
    assert settings.route_for("spam") == "review"


def test_api_keys_are_not_settings(tmp_path: Path) -> None:
    config = tmp_path / "f.toml"
    config.write_text('api_key = "sk-secret"\n')
    with pytest.raises(ConfigError, match="api_key") as info:
        load_settings(config, {}, environ={})
    assert "sk-secret" not in str(info.value)
