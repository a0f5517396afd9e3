"""Learned rules: what corrections teach, at which level, what replaces what, and when a rule
must not decide (config rules first, spoofed senders)."""

from __future__ import annotations

from tui.model import Email
from tui.review.learned import RuleBook, auth_failure, config_rules, derive
from tui.review.records import Correction
from tui.settings import Settings

_ids = iter(range(1, 10_000))


def fix(email_id: str, field: str, value: object, sender: str = "Ann <ann@acme.example>", list_id: str = "",
        **kw: object) -> Correction:
    return Correction(id=next(_ids), run_id="r", email_id=email_id, field=field, value=value, at=float(next(_ids)),
                      user="u", sender=sender, subject="Hello", list_id=list_id, **kw)  # type: ignore[arg-type]


def test_one_route_correction_teaches_its_sender_two_senders_their_domain_never_free_mail() -> None:
    rules = derive([fix("e1", "route", "sales"), fix("e2", "route", "billing", sender="bo@gmail.com"),
                    fix("e3", "route", "billing", sender="cy@gmail.com")], Settings())
    assert set(rules) == {"sender:ann@acme.example", "sender:bo@gmail.com", "sender:cy@gmail.com"}
    ann = rules["sender:ann@acme.example"]
    assert (ann.route, ann.category.value, ann.urgent, ann.priority) == ("sales", "sales_lead", None, None)
    two = derive([fix("e1", "route", "sales"), fix("e2", "route", "sales", sender="Bo <bo@acme.example>")],
                 Settings())
    assert two["domain:acme.example"].route == "sales"
    split = derive([fix("e1", "route", "sales"), fix("e2", "route", "support", sender="bo@acme.example")],
                   Settings())
    assert "domain:acme.example" not in split  # the two disagree: no domain rule


def test_list_id_rule_and_category_only_correction_picks_its_route() -> None:
    rules = derive([fix("e1", "category", "newsletter", sender="news@mailer.example", list_id="weekly.acme.example")],
                   Settings())
    assert rules["list:weekly.acme.example"].route == "newsletters"


def test_urgency_and_priority_only_when_two_corrections_agree() -> None:
    one = derive([fix("e1", "route", "support"), fix("e1", "urgent", True), fix("e1", "priority", 90)], Settings())
    assert (one["sender:ann@acme.example"].urgent, one["sender:ann@acme.example"].priority) == (None, None)
    two = derive([fix("e1", "route", "support"), fix("e1", "urgent", True), fix("e2", "urgent", True),
                  fix("e2", "priority", 90), fix("e3", "priority", 40)], Settings())
    rule = two["sender:ann@acme.example"]
    assert (rule.urgent, rule.priority) == (True, None)  # priorities disagree


def test_a_newer_contradicting_correction_replaces_the_rule_and_says_so() -> None:
    old, new = fix("e1", "route", "sales"), fix("e2", "route", "support")
    rule = derive([old, new], Settings())["sender:ann@acme.example"]
    assert rule.route == "support" and rule.taught_by == [new.id]
    assert rule.history == [f"route sales, category sales_lead (correction #{old.id}) replaced by correction #{new.id}"]


def test_undone_and_forgotten_corrections_teach_nothing() -> None:
    undone = fix("e1", "route", "sales", undone=True)
    assert derive([undone], Settings()) == {}
    kept = fix("e2", "route", "sales")
    assert "sender:ann@acme.example" not in derive([kept], Settings(), {"sender:ann@acme.example": kept.id or 0})


def test_config_rules_win_over_learned_ones() -> None:
    settings = Settings(rules=[{"sender": "acme.example", "route": "billing"}])
    learned = list(derive([fix("e1", "route", "sales")], settings).values())
    book = RuleBook(config_rules(settings), learned)
    rule = book.match(Email(id="x", sender="Ann <ann@acme.example>"))
    assert rule is not None and (rule.origin, rule.route) == ("config", "billing")


def test_authentication_results_that_disown_the_from_domain() -> None:
    def mail(header: str, value: str) -> Email:
        return Email(id="x", sender="ann@acme.example", headers={header: value})

    assert auth_failure(mail("authentication-results", "mx; dmarc=fail header.from=acme.example")) == \
        "Authentication-Results say dmarc=fail for acme.example"
    assert auth_failure(mail("arc-authentication-results", "i=1; mx; dkim=fail header.d=acme.example")) == \
        "ARC-Authentication-Results say dkim=fail for acme.example"
    # another domain's failure (a forwarder's own SPF) does not disown this sender
    assert auth_failure(mail("authentication-results", "mx; spf=fail smtp.mailfrom=bounce.other.example")) is None
    assert auth_failure(mail("authentication-results", "mx; spf=pass smtp.mailfrom=acme.example; dmarc=pass")) is None


def test_the_preview_counts_rule_decided_mail_and_the_examples_budget() -> None:
    from tui.fanout.preview import describe, estimate
    from tui.review.decide import Deciding, Examples

    settings = Settings(provider="sim", example_tokens=120)
    taught = [fix("e1", "route", "sales", sender="Ann <ann@acme.example>")]
    book = RuleBook([], list(derive(taught, settings).values()))
    provider = Deciding(object(), book, Examples(taught, settings.example_tokens), settings)
    emails = [Email(id="a", sender="ann@acme.example", subject="Hello again"),
              Email(id="b", sender="bo@elsewhere.example", subject="Hello there"),
              Email(id="c", sender="cy@third.example", subject="Quarterly numbers")]
    plain, learned = estimate(emails, settings), estimate(emails, settings, provider=provider)
    assert (plain.emails, learned.emails, learned.by_rules) == (3, 2, 1)
    assert 0 < learned.example_tokens <= settings.example_tokens  # only b shares a subject word
    assert "1 decided by rules (no request)" in describe(learned) and "correction examples" in describe(learned)
