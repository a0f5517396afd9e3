"""The spam model learns from the operator: emails corrected to or from spam on the review desk
become training mail, and a model trained with them is what `spam_model` in the config selects."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.agents.rules import RulesProvider, classify
from tui.agents.rules_text import message_parts
from tui.agents.spam_model import from_file
from tui.agents.spam_train import train
from tui.mail.parse import parse_bytes
from tui.mail.sample import generate_sample
from tui.model import Category, Email, ResultRow
from tui.review.log import CorrectionLog
from tui.review.spam_examples import corrected_spam
from tui.review.texts import keep_texts
from tui.settings import ConfigError, Settings
from tui.store import Store

OFFER = b"""\
From: Lena Park <lena@acmecloud.example>
To: sam@acmecloud.example
Subject: limited seats: quarterly planning offsite
Message-ID: <offsite-1@acmecloud.example>
Content-Type: text/plain

Exclusive offer for the team: reserve your seat now, only twelve left. Free lunch included,
act today to secure your place. Reply YES to claim it.
"""


def _emails() -> list[Email]:
    ham = parse_bytes(OFFER, email_id="e1")
    spam = next(parse_bytes(m.raw, email_id="e2") for m in generate_sample(60, seed=3)
                if m.truth.category == "spam")
    other = parse_bytes(OFFER.replace(b"offsite-1", b"offsite-2"), email_id="e3")
    return [ham, spam, other]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.db")
    emails = _emails()
    s.create_run("run1", source="sample", settings={}, total=len(emails))
    s.add_emails("run1", [(e.id, e.message_id, e.subject, e.sender) for e in emails])
    keep_texts(s, "run1", emails, 6000)
    for e, category in zip(emails, ("spam", "spam", "newsletter")):
        s.put_verdict("run1", ResultRow(email_id=e.id, status="ok", route="support", category=category,
                                        urgent=False, priority=10, injection=False, confidence=0.9))
    s.flush()
    yield s
    s.close()


def test_only_corrections_across_the_spam_line_count_and_the_latest_wins(store: Store) -> None:
    log = CorrectionLog(store, Settings(), user="olga")
    log.add("run1", ["e1"], {"category": "newsletter"})  # the model said spam: it is not
    log.add("run1", ["e2"], {"category": "personal"})
    log.add("run1", ["e2"], {"category": "spam"})  # changed her mind: stays spam, teaches nothing
    log.add("run1", ["e3"], {"category": "personal"})  # newsletter -> personal: nothing on spam
    examples, missing = corrected_spam(store)
    assert [(e.id, spam) for e, spam in examples] == [("e1", False)] and missing == 0
    assert examples[0][0].subject == "limited seats: quarterly planning offsite"


def test_a_model_trained_with_a_correction_learns_it_and_is_selected_by_config(
        store: Store, tmp_path: Path) -> None:
    CorrectionLog(store, Settings(), user="olga").add("run1", ["e1"], {"category": "other"})
    corrected, _ = corrected_spam(store)
    corpus = [(parse_bytes(m.raw, email_id=m.email_id), m.truth.category == "spam")
              for m in generate_sample(count=150, seed=11)]
    # the corpus knows this offer-sounding internal mail only as spam, so the model leans spam
    corpus += [(parse_bytes(OFFER.replace(b"offsite-1", f"o{i}".encode()), email_id=f"x{i}"), True)
               for i in range(3)]
    before, after = tmp_path / "before.tsv", tmp_path / "after.tsv"
    before.write_text(train(corpus).text, encoding="utf-8")
    after.write_text(train(corpus, corrections=corrected).text, encoding="utf-8")
    email = corrected[0][0]
    words = message_parts(email)[3]
    assert from_file(str(after)).log_odds(email, words) < 0 < from_file(str(before)).log_odds(email, words)
    RulesProvider(Settings(spam_model=str(after)))  # a good file loads
    assert classify(email, Settings(spam_model=str(before))).category == Category.SPAM
    assert classify(email, Settings(spam_model=str(after))).category != Category.SPAM


def test_a_bad_spam_model_file_stops_the_rules_provider_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="spam model .*missing.tsv") as err:
        RulesProvider(Settings(spam_model=str(tmp_path / "missing.tsv")))
    assert "\n" not in str(err.value)
    bad = tmp_path / "bad.tsv"
    bad.write_text("<html>not a model</html>\n")
    with pytest.raises(ConfigError, match="not a 'fanmail-spam-model 1' file"):
        RulesProvider(Settings(spam_model=str(bad)))
