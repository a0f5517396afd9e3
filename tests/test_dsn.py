"""RFC 3464 bounces -> DeliveryEvents: real report shapes, non-DSNs, and hostile input."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.outbound.dsn import MAX_RECIPIENTS, parse_dsn
from tui.outbound.events import DeliveryEvent


def dsn(recipient_blocks: list[str], *, original: str = "headers", report_type: str = "delivery-status",
        boundary: str = "BOUND", original_id: str = "<orig-123@shop.example>") -> bytes:
    """A bounce as Postfix writes one, with the given per-recipient blocks."""
    returned = {
        "headers": f"Content-Type: text/rfc822-headers\n\nFrom: news@shop.example\nMessage-ID: {original_id}\n"
                   "Subject: Our November offers\n",
        "message": f"Content-Type: message/rfc822\n\nFrom: news@shop.example\nMessage-ID: {original_id}\n"
                   "Subject: Our November offers\n\nHello!\n",
        "none": "Content-Type: text/plain\n\nno original returned\n",
    }[original]
    blocks = "\n\n".join(recipient_blocks)
    return (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
        "To: news@shop.example\nSubject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <20261127.bounce@mx.example.org>\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type={report_type};\n\tboundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain\n\nI'm sorry to have to inform you...\n\n"
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.org\nArrival-Date: Fri, 27 Nov 2026 10:00:00 +0000\n\n"
        f"{blocks}\n\n"
        f"--{boundary}\n{returned}\n--{boundary}--\n"
    ).encode()


BOUNCED = ("Final-Recipient: rfc822; Bob@Example.ORG\nAction: failed\nStatus: 5.1.1\n"
           "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address\n    rejected: User unknown")
DELAYED = ("Final-Recipient: rfc822;carol@example.org\nAction: delayed\nStatus: 4.4.1\n"
           "Diagnostic-Code: smtp; 451 4.4.1 connection timed out\n"
           "Last-Attempt-Date: Fri, 27 Nov 2026 11:30:00 +0000")


def test_postfix_bounce_one_event_per_recipient_with_every_field() -> None:
    events = parse_dsn(dsn([BOUNCED, DELAYED]))
    assert [(e.recipient, e.kind, e.status) for e in events] == [
        ("bob@example.org", "bounced", "5.1.1"), ("carol@example.org", "deferred", "4.4.1")]
    bob, carol = events
    assert all(e.source == "dsn" and e.message_id == "<orig-123@shop.example>" for e in events)
    assert bob.reason == "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
    assert carol.reason == "451 4.4.1 connection timed out"
    # per-recipient Last-Attempt-Date wins over the per-message Arrival-Date
    assert carol.at == datetime(2026, 11, 27, 11, 30, tzinfo=timezone.utc)
    assert bob.at == datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
    assert bob.permanent_failure and not carol.permanent_failure


def test_delivered_relayed_expanded_are_deliveries_and_message_rfc822_gives_the_id() -> None:
    blocks = [f"Final-Recipient: rfc822; {name}@example.org\nAction: {action}\nStatus: 2.0.0"
              for name, action in (("dan", "delivered"), ("eve", "relayed"), ("fay", "expanded"))]
    events = parse_dsn(dsn(blocks, original="message", original_id="<m-9@shop.example>"))
    assert [(e.recipient, e.kind) for e in events] == [
        ("dan@example.org", "delivered"), ("eve@example.org", "delivered"), ("fay@example.org", "delivered")]
    assert {e.message_id for e in events} == {"<m-9@shop.example>"}


def test_original_recipient_is_preferred_and_the_type_prefix_stripped() -> None:
    block = ("Original-Recipient: rfc822;Sales@Shop.Example\nFinal-Recipient: rfc822; alice.b@internal.example\n"
             "Action: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 mailbox full")
    (event,) = parse_dsn(dsn([block]))
    assert event.recipient == "sales@shop.example"
    assert (event.kind, event.status, event.reason) == ("bounced", "5.2.2", "552 mailbox full")


def test_missing_action_falls_back_to_the_status_class_and_blocks_without_recipient_are_skipped() -> None:
    blocks = ["Final-Recipient: rfc822; gus@example.org\nStatus: 5.7.1 (spam)",
              "Action: failed\nStatus: 5.1.1",  # no recipient: nothing to match it to
              "Final-Recipient: rfc822; not an address\nAction: failed\nStatus: 5.1.1",
              "Final-Recipient: x400; /C=us/\nAction: failed\nStatus: 5.1.1",
              "Final-Recipient: rfc822; hal@example.org\nAction: teleported"]
    events = parse_dsn(dsn(blocks))
    assert [(e.recipient, e.kind, e.status) for e in events] == [("gus@example.org", "bounced", "5.7.1")]


def test_without_a_returned_original_the_message_id_is_empty() -> None:
    (event,) = parse_dsn(dsn([BOUNCED], original="none"))
    assert event.message_id == "" and event.recipient == "bob@example.org"


def test_a_bounce_forwarded_inside_another_message_is_found() -> None:
    inner = dsn([BOUNCED])
    outer = (b"From: helpdesk@shop.example\nTo: ops@shop.example\nSubject: Fwd: bounce\nMIME-Version: 1.0\n"
             b'Content-Type: multipart/mixed; boundary="OUTER"\n\n--OUTER\nContent-Type: text/plain\n\nsee below\n'
             b"--OUTER\nContent-Type: message/rfc822\n\n" + inner + b"\n--OUTER--\n")
    assert [e.recipient for e in parse_dsn(outer)] == ["bob@example.org"]


def test_crlf_line_endings_work_the_same() -> None:
    assert parse_dsn(dsn([BOUNCED, DELAYED]).replace(b"\n", b"\r\n")) == parse_dsn(dsn([BOUNCED, DELAYED]))


def test_things_that_are_not_dsns_give_nothing() -> None:
    plain = b"From: a@example.org\nTo: b@example.org\nSubject: Action: failed\n\nFinal-Recipient: rfc822; b@x.org\n"
    mdn = dsn([BOUNCED], report_type="disposition-notification")  # a read receipt, not a bounce
    no_status_part = (b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
                      b"--B\nContent-Type: text/plain\n\nhello\n--B--\n")
    for raw in (plain, mdn, no_status_part, b"", b"\x00\xff" * 100):
        assert parse_dsn(raw) == []
    assert parse_dsn("From: x\n\n" * 3) == []  # type: ignore[arg-type]  # not bytes
    assert parse_dsn(None) == []  # type: ignore[arg-type]


def test_control_characters_in_a_diagnostic_never_reach_the_event() -> None:
    block = ("Final-Recipient: rfc822; ivy@example.org\nAction: failed\nStatus: 5.0.0\n"
             "Diagnostic-Code: smtp; 550 \x1b[31mred\x1b[0m\x07 bye")
    (event,) = parse_dsn(dsn([block]))
    assert event.reason == "550 [31mred [0m bye"
    assert not any(ord(c) < 32 for c in event.reason)


def test_hostile_shapes_never_raise() -> None:
    deep = b'Content-Type: multipart/report; report-type=delivery-status; boundary="b0"\n\n'
    for depth in range(1, 3000):  # a recursion bomb for a naive walker
        deep += f'--b{depth - 1}\nContent-Type: multipart/mixed; boundary="b{depth}"\n\n'.encode()
    huge_header = dsn([BOUNCED]).replace(b"Subject:", b"X-Long: " + b"a" * 2_000_000 + b"\nSubject:")
    broken_boundary = dsn([BOUNCED]).replace(b"--BOUND--", b"")
    many = dsn([f"Final-Recipient: rfc822; u{i}@example.org\nAction: failed\nStatus: 5.1.1" for i in range(1500)])
    for raw in (deep, huge_header, broken_boundary):
        assert isinstance(parse_dsn(raw), list)
    assert [e.recipient for e in parse_dsn(broken_boundary)] == ["bob@example.org"]
    assert len(parse_dsn(many)) == MAX_RECIPIENTS


def test_every_truncation_of_a_real_bounce_is_safe() -> None:
    raw = dsn([BOUNCED, DELAYED])
    for cut in range(0, len(raw), 7):
        events = parse_dsn(raw[:cut])
        assert all(isinstance(e, DeliveryEvent) and e.recipient for e in events)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.integers(min_value=0, max_value=2000))
def test_random_bytes_spliced_into_a_bounce_never_raise(noise: bytes, at: int) -> None:
    raw = dsn([BOUNCED, DELAYED])
    at = min(at, len(raw))
    for candidate in (noise, raw[:at] + noise + raw[at:]):
        events = parse_dsn(candidate)
        assert isinstance(events, list)
        assert all(isinstance(e, DeliveryEvent) for e in events)
