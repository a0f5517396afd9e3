"""ResultRow.from_verdict builds the row without validating it again: it must be the very row a
validation makes of the same values (fields, their types and order, the fields set, the JSONL
line), for every kind of verdict the run hands it."""

from __future__ import annotations

from tui.agents import rules
from tui.agents.prompt import combine_injection
from tui.mail.sample import sample_emails
from tui.model import Email, ResultRow, Review, Verdict
from tui.review.decide import DecidedVerdict
from tui.settings import Settings


def _validated(email: Email, verdict: Verdict, **kw: object) -> ResultRow:
    """The row as pydantic validates it from the same values (what from_verdict did before)."""
    v = verdict.__dict__
    return ResultRow(
        email_id=email.id, message_id=email.message_id, status="ok", subject=email.subject,
        sender=email.sender, date=email.date, urgent=v["urgent"], priority=v["priority"], route=v["route"],
        category=str(v["category"]), confidence=v["confidence"], injection=v["injection"],
        injection_reason=v["injection_reason"], summary=v["summary"], decision=v.get("decision"),
        **kw,  # type: ignore[arg-type]
    )


def _verdicts(email: Email, settings: Settings) -> list[Verdict]:
    base = rules.classify(email, settings)
    from_json = Verdict.model_validate_json(
        '{"urgent": true, "priority": 7, "route": "review", "category": "other", "confidence": 1,'
        ' "injection": false, "injection_reason": "", "summary": "s"}')
    return [
        base,
        from_json,  # an int confidence in the answer: a float in the verdict and the row
        combine_injection(base, True, "rules said so"),  # model_copy'd, not validated again
        DecidedVerdict(**{**base.__dict__, "decision": Review(decided_by="model", rule_skipped="why not")}),
        DecidedVerdict(**{**base.__dict__, "decision": Review(decided_by="learned rule", rule="r1", taught_by=[3])}),
    ]


def test_a_row_from_a_verdict_is_the_row_a_validation_makes() -> None:
    settings = Settings()
    compared = 0
    for n, email in enumerate(sample_emails(120, seed=5)):
        for verdict in _verdicts(email, settings):
            kw = dict(agent_id=f"a{n:03d}", attempts=n % 3, latency_ms=n * 7, trace_id=f"run/a{n:03d}.1/{email.id}")
            fast = ResultRow.from_verdict(email, verdict, **kw)  # type: ignore[arg-type]
            slow = _validated(email, verdict, **kw)
            assert fast == slow
            assert list(fast.__dict__) == list(slow.__dict__) == list(ResultRow.model_fields)
            assert [type(x) for x in fast.__dict__.values()] == [type(x) for x in slow.__dict__.values()]
            assert fast.model_fields_set == slow.model_fields_set
            assert fast.model_dump_json() == slow.model_dump_json()
            assert fast.full_dict() == slow.full_dict()
            compared += 1
    assert compared == 600


def test_defaults_are_the_fields_defaults_and_not_shared() -> None:
    email = sample_emails(1, seed=5)[0]
    verdict = rules.classify(email, Settings())
    one, two = ResultRow.from_verdict(email, verdict), ResultRow.from_verdict(email, verdict)
    assert one == _validated(email, verdict)
    one.flags.append("x")
    assert two.flags == []
    copied = one.model_copy(update={"route": "review"})
    assert copied.route == "review" and one.route == verdict.route


def test_a_stored_row_reads_back_as_the_same_row() -> None:
    """The store's row JSON (tui/store_schema.py) holds every field: read back, the row is equal,
    its review object, date, flags and all, and a lone surrogate survives the fallback path."""
    from tui.fanout.merge import apply_review_policy
    from tui.store import row_from_json, row_to_json

    settings = Settings()
    rows = []
    for n, email in enumerate(sample_emails(60, seed=5)):
        for verdict in _verdicts(email, settings):
            rows.append(apply_review_policy(ResultRow.from_verdict(email, verdict, agent_id=f"a{n}", attempts=1),
                                            0.9))
        rows.append(ResultRow.failure(email, "timeout", "no answer", agent_id=f"a{n}", attempts=2))
    rows.append(rows[0].model_copy(update={"summary": "undecodable \udcff byte", "flags": ["injection"]}))
    assert any(r.flags for r in rows) and any(r.decision is not None for r in rows) and any(r.date for r in rows)
    for row in rows:
        back = row_from_json(row_to_json(row))
        assert back == row
        assert back.full_dict() == row.full_dict()
    assert "\\udcff" in row_to_json(rows[-1])
