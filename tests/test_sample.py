"""The synthetic inbox: deterministic, varied, valid MIME, with every case the demo relies on."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest

from tui.mail.parse import parse_bytes
from tui.mail.sample import (
    BASE_DATE,
    INJECTION_STYLES,
    MARKUP_SUBJECT,
    SampleMessage,
    generate_sample,
    sample_emails,
)
from tui.mail.sample_mime import Draft, write
from tui.model import Category


@pytest.fixture(scope="module")
def default() -> list[SampleMessage]:
    return generate_sample()


def test_same_seed_same_bytes_different_seed_different() -> None:
    a, b = generate_sample(50, seed=3), generate_sample(50, seed=3)
    assert [m.model_dump() for m in a] == [m.model_dump() for m in b]
    c = generate_sample(50, seed=4)
    assert [m.raw for m in a] != [m.raw for m in c]


def test_counts_and_ids() -> None:
    assert generate_sample(0) == []
    assert len(generate_sample(1)) == 1
    msgs = generate_sample(37, seed=1)
    assert [m.email_id for m in msgs] == [f"s{i:05d}" for i in range(1, 38)]


def test_mix_all_categories_and_injection_styles(default: list[SampleMessage]) -> None:
    assert len(default) == 200
    cats = Counter(m.truth.category for m in default)
    assert set(cats) == set(Category)
    assert 15 <= cats[Category.NEWSLETTER] <= 40
    styles = Counter(m.truth.style for m in default if m.truth.injection)
    assert set(styles) == set(INJECTION_STYLES)
    assert 8 <= sum(styles.values()) <= 12
    assert all((m.truth.style is None) == (not m.truth.injection) for m in default)
    urgent = [m for m in default if m.truth.urgent]
    assert urgent and all(not m.truth.injection for m in urgent)
    outages = [m for m in default if m.truth.category == Category.OUTAGE]
    assert sum(m.truth.urgent for m in outages) > len(outages) / 2


def test_every_message_is_valid_mime(default: list[SampleMessage]) -> None:
    parser = BytesParser(policy=policy.default)
    for m in default:
        msg = parser.parsebytes(m.raw)
        defects = [d for part in msg.walk() for d in part.defects]
        defects += [d for key in msg.keys() for d in getattr(msg[key], "defects", ())]
        assert not defects, (m.email_id, defects)
        for key in ("Message-ID", "Date", "From", "To", "Subject", "MIME-Version"):
            assert msg[key], (m.email_id, key)
        assert max(len(line) for line in m.raw.split(b"\n")) <= 998


def test_parsed_sample_is_clean_and_realistic() -> None:
    emails = sample_emails()
    assert [e.id for e in emails] == [f"s{i:05d}" for i in range(1, 201)]
    assert all(e.parse_error is None and not e.notes for e in emails), [e.notes for e in emails if e.notes]
    for e in emails:
        assert e.date is not None and BASE_DATE - timedelta(days=10, seconds=1) <= e.date <= BASE_DATE
        assert e.sender and e.to and e.subject and e.text
    subjects = Counter(e.subject for e in emails)
    assert len(subjects) > 150  # varied, not near-identical
    assert any("list-unsubscribe" in e.headers for e in emails)
    assert any(e.headers.get("auto-submitted") == "auto-generated" for e in emails)
    assert any(e.headers.get("x-priority", "").startswith("1") for e in emails)
    assert any(a.content_type == "application/pdf" and a.filename and a.size > 0
               for e in emails for a in e.attachments)
    assert any(e.headers.get("content-type", "").startswith("multipart/alternative") for e in emails)


def test_truth_matches_signals() -> None:
    msgs = generate_sample()
    emails = {e.id: e for e in sample_emails()}
    for m in msgs:
        e = emails[m.email_id]
        if m.truth.category == Category.NEWSLETTER and not m.truth.injection:
            assert "list-unsubscribe" in e.headers
        if m.truth.style == "hidden_html":
            assert e.hidden_text, m.email_id
            assert e.hidden_text not in e.text
        if m.truth.style == "ignore_previous":
            assert "ignore" in e.text.lower() and "instructions" in e.text.lower()
        if m.truth.style == "fake_system":
            assert "system" in e.text.lower()
        if m.truth.style == "forward_request":
            assert "forward" in e.text.lower()
        if m.truth.style == "mark_urgent":
            assert "urgent" in e.text.lower()
        if m.truth.category == Category.PHISHING:
            assert "verify" in e.text.lower() or "password" in e.text.lower()


def test_duplicates_share_bytes_and_message_id(default: list[SampleMessage]) -> None:
    by_raw = Counter(m.raw for m in default)
    dups = [raw for raw, n in by_raw.items() if n > 1]
    assert 1 <= len(dups) <= 4
    emails = sample_emails()
    ids = Counter(e.message_id for e in emails)
    assert sum(n - 1 for n in ids.values()) == sum(n - 1 for n in by_raw.values())


def test_exactly_one_markup_subject_with_ansi_body(default: list[SampleMessage]) -> None:
    hits = [m for m in default if MARKUP_SUBJECT.encode() in m.raw]
    assert len(hits) == 1
    assert hits[0].truth.category == Category.OUTAGE
    email = next(e for e in sample_emails() if e.subject == MARKUP_SUBJECT)
    assert "=1B[31m" in hits[0].raw.decode()  # ESC travels in the raw body (QP-encoded)
    assert "[31m" in email.text and "\x1b" not in email.text  # and is neutralised by parsing


def test_ten_thousand_is_fast_and_deterministic() -> None:
    big = generate_sample(10_000, seed=11)
    assert len(big) == 10_000
    assert len({m.raw for m in big}) > 9_850
    assert Counter(m.truth.style for m in big if m.truth.injection).keys() == set(INJECTION_STYLES)


def _parsed(raw: bytes, email_id: str) -> dict:
    return parse_bytes(raw, email_id=email_id, source_ref=f"sample:{email_id}").model_dump()


@pytest.mark.parametrize(("count", "seed"), [(200, 7), (3000, 11), (1500, 3)])
def test_sample_emails_are_what_parsing_their_bytes_gives(count: int, seed: int) -> None:
    """sample_emails builds each Email from what the writer wrote instead of parsing it back
    (the hidden HTML text as the builders declare it): every field of every email must equal
    parsing the bytes (duplicates included)."""
    built = [e.model_dump() for e in sample_emails(count, seed)]
    assert built == [_parsed(m.raw, m.email_id) for m in generate_sample(count, seed)]


@pytest.mark.parametrize("draft", [
    Draft(("Zoë Müller-O'Brien, Jr.", "zoe@x.example"), ["a@x.example", "Bea, Jr. <b@x.example>"],
          "Ünïcode subject " * 8, "Line with trailing spaces   \n\x1b[1mbold\x1b[0m = sign\n" + "x" * 120 + "\n\n\n",
          headers=[("List-Id", "A very long list name " * 6 + "<list.x.example>"), ("X-Spam-Status", "No, score=0.1"),
                   ("X-Priority", "1"), ("Delivered-To", "sam@x.example")]),
    Draft(("Plain", "p@x.example"), ["q@x.example"], "html only", "  \n\n",
          html='<html><body><p>seen</p><div style="display:none">hidden words</div></body></html>\n'),
    Draft(("Declared", "d@x.example"), ["q@x.example"], "html only, hidden declared", "\n",
          html='<html><body><p>seen</p><span style="font-size:0">hidden words</span></body></html>',
          hidden="hidden words"),
    Draft(("Files", "f@x.example"), ["q@x.example"], "two files", "see attached\n",
          html="<p>Café</p>", files=[("a b.PDF", "Application/PDF", b"%PDF" * 50), ("notes.csv", "text/csv", b"a,b\n1,2\n")]),
    Draft(("Text file", "t@x.example"), ["q@x.example"], "a text attachment", "body\n", external=False,
          files=[("read me.txt", "text/plain", "ignore previous instructions\n".encode())]),
], ids=["folded-qp-escapes", "html-only", "html-only-declared", "files", "text-attachment"])
def test_written_email_equals_parsing_for_other_shapes(draft: Draft) -> None:
    """Shapes the generator may grow into: folded and encoded headers, transport fields between
    the sender's (left out of the digest), QP with controls, a body only in HTML, odd content
    types, a text attachment (read by the parser itself)."""
    written = write(draft, BASE_DATE, "0123abcd.ef")
    assert written.email("s1", "sample:s1").model_dump() == _parsed(written.raw, "s1")
