"""Only true duplicates are folded: the same message delivered again, nothing it merely resembles.

Property-based where it fits: the messages are built byte by byte here, so each test says exactly
what differs between two deliveries.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dovecot import PASSWORD, dovecot, seed, smtp_sink, snapshot  # noqa: F401 - fixtures
from test_app import SIZE, screen_text, until
from test_cli import FAST_SIM, fanmail, read_rows
from tui.app.triage.app import make_app
from tui.app.triage.email_detail import EmailDetail
from tui.fanout.plan import CONFLICT, PlanBuilder
from tui.mail.digest import content_digest, without_transport
from tui.mail.parse import parse_bytes
from tui.mail.sources import load_source
from tui.model import Email, ResultRow
from tui.settings import Settings

DATE = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
BODY = "Invoice INV-2026-03 is attached. Amount due: EUR 1,200.00, payment due by 31 March 2026."
PDF = b"%PDF-1.4\n1 0 obj << /Total (1,200.00 EUR) >> endobj\n%%EOF\n"


RECEIVED = "Received: from mx2.relay.example by mail.acme.example; Tue, 3 Mar 2026 10:00:00 +0000"


def invoice(*, message_id: str | None = "<inv-1@vendor.example>", date: datetime = DATE,
            to: str = "ap@acme.example", cc: str | None = None, pdf: bytes = PDF,
            transport: tuple[str, ...] = (), at: int = 0) -> bytes:
    """A monthly invoice with a PDF; `transport` lines go in before header line `at`."""
    head = [
        "From: Billing <billing@vendor.example>",
        f"To: {to}",
        *([f"Cc: {cc}"] if cc is not None else []),
        "Subject: Your monthly invoice",
        f"Date: {format_datetime(date)}",
        *([f"Message-ID: {message_id}"] if message_id is not None else []),
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b1"',
    ]
    head[at:at] = transport
    body = [
        "", "--b1", "Content-Type: text/plain", "", BODY, "--b1",
        'Content-Type: application/pdf; name="invoice.pdf"', "Content-Transfer-Encoding: base64", "",
        base64.encodebytes(pdf).decode("ascii").rstrip("\n"), "--b1--", "",
    ]
    return "\n".join(head + body).encode("ascii")


def kinds(*raws: bytes) -> list[str]:
    builder = PlanBuilder()
    return [builder.add(parse_bytes(raw, email_id=f"e{i}")) for i, raw in enumerate(raws)]


# ---------------------------------------------------------------- what transport adds

HOPS = st.lists(st.sampled_from([
    "Received: from mx1.relay.example (mx1 [192.0.2.1])\n\tby mail.acme.example; Mon, 2 Mar 2026 09:01:00 +0000",
    "Received: by 2002:a05:6a10:1234 with SMTP id x; Mon, 2 Mar 2026 09:02:00 -0800",
    "X-Received: by 10.0.0.1 with SMTP id y",
    "Delivered-To: ap@acme.example",
    "Return-Path: <bounce+123@vendor.example>",
    "X-Original-To: invoices@acme.example",
    "Authentication-Results: mx.acme.example; dkim=pass header.d=vendor.example",
    "ARC-Seal: i=1; a=rsa-sha256; t=1772442000; cv=none; d=relay.example; s=arc; b=AbCd",
    "DKIM-Signature: v=1; a=rsa-sha256; d=relay.example; s=s1; t=1772442001;\n\tbh=47DEQpj8; b=ReSigned==",
    "X-Spam-Status: No, score=-1.2",
]), min_size=1, max_size=6)


@given(hops=HOPS, at=st.integers(0, 8), message_id=st.sampled_from([None, "<inv-1@vendor.example>"]))
@settings(max_examples=60, deadline=None)
def test_the_same_message_with_more_transport_headers_is_always_a_duplicate(
        hops: list[str], at: int, message_id: str | None) -> None:
    original = invoice(message_id=message_id, transport=("Received: from a by b; Mon, 2 Mar 2026 09:00:30 +0000",))
    redelivered = invoice(message_id=message_id, transport=tuple(hops), at=at)
    assert without_transport(original) == without_transport(redelivered)
    assert kinds(original, redelivered) == ["work", "duplicate"]


def test_a_re_signed_dkim_header_and_an_mbox_envelope_line_are_transport() -> None:
    signed = invoice(transport=("DKIM-Signature: v=1; d=vendor.example; b=First==",))
    re_signed = b"From MAILER-DAEMON Mon Mar  2 09:05:00 2026\n" + invoice(
        transport=("DKIM-Signature: v=1; d=vendor.example; t=2; b=Second==",))
    assert content_digest(signed) == content_digest(re_signed) == content_digest(invoice())


# ---------------------------------------------------------------- what the sender wrote

VARIATIONS = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)).filter(
        lambda d: abs(d - DATE.replace(tzinfo=None)) >= timedelta(seconds=1)).map(
        lambda d: {"date": d.replace(tzinfo=timezone.utc)}),
    st.tuples(st.integers(0, len(PDF) - 1), st.integers(1, 255)).map(
        lambda p: {"pdf": PDF[:p[0]] + bytes([PDF[p[0]] ^ p[1]]) + PDF[p[0] + 1:]}),
    st.emails().filter(lambda a: a != "ap@acme.example").map(lambda a: {"to": a}),
    st.emails().map(lambda a: {"cc": a}),
    st.just({"message_id": None}),
)


@given(change=VARIATIONS, with_id=st.booleans())
@settings(max_examples=120, deadline=None)
def test_emails_that_differ_in_anything_their_sender_wrote_are_never_duplicates(
        change: dict[str, object], with_id: bool) -> None:
    base: dict[str, object] = {} if with_id or "message_id" in change else {"message_id": None}
    first, second = invoice(**base), invoice(**(base | change))  # type: ignore[arg-type]
    assert kinds(first, second) == ["work", "work"]


def test_the_two_invoice_case_is_two_emails() -> None:
    """Same sender, subject and body text, no Message-ID; another Date and another PDF."""
    march = invoice(message_id=None)
    april = invoice(message_id=None, date=DATE + timedelta(days=31), pdf=PDF.replace(b"1,200", b"1,350"))
    a, b = parse_bytes(march, email_id="m"), parse_bytes(april, email_id="a")
    assert (a.sender, a.subject, a.text) == (b.sender, b.subject, b.text)
    assert kinds(march, april) == ["work", "work"]


def test_same_message_id_different_content_is_two_emails_flagged_as_a_conflict() -> None:
    builder = PlanBuilder()
    raws = [invoice(), invoice(pdf=PDF + b"x"), invoice(), invoice(cc="boss@acme.example")]
    assert [builder.add(parse_bytes(r, email_id=f"e{i}")) for i, r in enumerate(raws)] == [
        "work", "work", "duplicate", "work"]
    plan = builder.plan
    assert plan.duplicates == {"e2": "e0"}
    assert plan.conflict("e0") == f"{CONFLICT}: also e1, e3"
    assert plan.conflict("e1") == f"{CONFLICT}: also e0, e3"
    assert plan.conflict("e2") is None  # a duplicate's row is its original's, conflict included


def test_a_conflict_names_a_few_ids_and_counts_the_rest() -> None:
    builder = PlanBuilder()
    for i in range(6):
        builder.add(Email(id=f"e{i}", message_id="same@x", subject=f"s{i}"))
    assert builder.plan.conflict("e5") == f"{CONFLICT}: also e0, e1, e2 and 2 more"


# ---------------------------------------------------------------- what real servers deliver

STRAY = st.sampled_from([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])


@given(byte=STRAY, where=st.floats(0, 1))
@settings(max_examples=150, deadline=None)
def test_a_stray_control_byte_in_the_headers_is_dropped_with_a_note(byte: int, where: float) -> None:
    clean = invoice(cc="boss@acme.example")
    header_end = clean.index(b"\n\n") + 1
    at = round(where * header_end)  # from before the first header to just before the blank line
    broken = clean[:at] + bytes([byte]) + clean[at:]
    want, got = parse_bytes(clean, email_id="x"), parse_bytes(broken, email_id="x")
    assert got.parse_error is None
    assert "dropped 1 stray control byte from the headers" in got.notes
    assert got.model_dump(exclude={"notes", "digest"}) == want.model_dump(exclude={"notes", "digest"})


def test_an_iso_2022_jp_header_keeps_its_escape_sequences() -> None:
    raw = "Subject: \x1b$B$3$s$K$A$O\x1b(B\nFrom: a@x.example\n\nbody\n".encode("ascii")
    email = parse_bytes(raw, email_id="x")
    assert not any("stray" in n for n in email.notes) and email.subject.startswith("\u241b$B")


@given(junk=st.binary(min_size=16, max_size=2000).map(lambda b: b"\x00" + b.replace(b":", b"")))
@settings(max_examples=100, deadline=None)
def test_binary_input_stays_a_failed_row(junk: bytes) -> None:
    for data in (junk, b"PK\x03\x04" + junk, b"\x00\x00\x00\x00" + junk):
        assert parse_bytes(data, email_id="x").parse_error is not None


def test_binary_that_only_looks_like_headers_once_cleaned_stays_failed() -> None:
    email = parse_bytes(b"\x00\x01\x02ab\x03c: d\x00\x00\n\n\x00\x00\x00", email_id="x")
    assert email.parse_error == "not an email: binary content"


# ---------------------------------------------------------------- the acceptance case, end to end

def inbox(folder: Path) -> Path:
    folder.mkdir()
    mails = {
        "01-march": invoice(message_id=None),
        "02-april": invoice(message_id=None, date=DATE + timedelta(days=31), pdf=PDF.replace(b"1,200", b"1,350")),
        "03-original": invoice(message_id="<order-7@shop.example>"),
        "04-redelivery": invoice(message_id="<order-7@shop.example>", transport=(RECEIVED,)),
        "05-nul-header": invoice(message_id="<nul@vendor.example>").replace(b"Subject: Your", b"Subject: \x00Your"),
        "06-same-id": invoice(message_id="<clash@vendor.example>"),
        "07-same-id-other": invoice(message_id="<clash@vendor.example>", to="sales@acme.example"),
    }
    for name, raw in mails.items():
        (folder / f"{name}.eml").write_bytes(raw)
    return folder


async def test_headless_rows_fold_only_the_redelivery_and_flag_the_clash(tmp_path: Path) -> None:
    folder = inbox(tmp_path / "mail")
    out = tmp_path / "rows.jsonl"
    code, _, err = await fanmail("triage", str(folder), "--headless", "--provider", "sim", "--output", str(out),
                                 *FAST_SIM)
    assert code == 0, err
    rows = {Path(r["email_id"]).stem: r for r in read_rows(out)}
    assert {name: r["status"] for name, r in rows.items()} == {
        "01-march": "ok", "02-april": "ok", "03-original": "ok", "04-redelivery": "duplicate",
        "05-nul-header": "ok", "06-same-id": "ok", "07-same-id-other": "ok"}
    assert rows["04-redelivery"]["error"] == f"duplicate of {rows['03-original']['email_id']}"
    ids = {name: r["email_id"] for name, r in rows.items()}
    assert rows["06-same-id"]["conflict"] == f"{CONFLICT}: also {ids['07-same-id-other']}"
    assert rows["07-same-id-other"]["conflict"] == f"{CONFLICT}: also {ids['06-same-id']}"
    assert [name for name, r in rows.items() if r["conflict"]] == ["06-same-id", "07-same-id-other"]
    nul = next(e for e in load_source(str(folder)) if e.id == ids["05-nul-header"])
    assert nul.subject == "Your monthly invoice"
    assert nul.notes == ["dropped 1 stray control byte from the headers"]
    assert json.loads(out.read_text().splitlines()[0]).keys() >= {"conflict"}


async def test_the_dashboard_shows_the_clash_in_the_inbox_and_the_detail(tmp_path: Path) -> None:
    folder = inbox(tmp_path / "mail")
    app = make_app(Settings(provider="rules"), str(folder))
    async with app.run_test(size=SIZE) as pilot:
        dash = app.dashboard
        await until(pilot, lambda: len(dash.state.inbox.rows) == 7 and not dash.state.busy)
        dash.flush()
        await pilot.pause()
        assert screen_text(app).count(f"— {CONFLICT}") == 2
        await pilot.press("slash", *"same message-id", "enter")  # the filter finds the clashes
        await pilot.pause()
        assert dash.table.row_count == 2
        clash = next(eid for eid in dash.state.inbox.rows if eid.endswith("07-same-id-other.eml"))
        dash.open_email(clash)
        await pilot.pause()
        assert isinstance(app.screen, EmailDetail)
        assert re.search(rf"Conflict +{CONFLICT}: also 06-same-id\.eml", screen_text(app))


async def test_a_resumed_run_still_flags_a_clash_with_an_email_done_earlier(tmp_path: Path) -> None:
    from tui.agents.rules import classify
    from tui.agents.runtime import open_provider
    from tui.fanout.events import EmailDone
    from tui.fanout.recorder import prepare_run
    from tui.fanout.run import Coordinator
    from tui.store import Store

    settings = Settings(provider="rules")
    first, second = (parse_bytes(invoice(to=to), email_id=f"e{i}")
                     for i, to in enumerate(("ap@acme.example", "sales@acme.example")))
    with Store(tmp_path / "s.db") as store:
        prepared = prepare_run(store, settings, "test", [first, second])
        store.put_verdict(prepared.run_id, ResultRow.from_verdict(first, classify(first), agent_id="a01", attempts=1))
        store.flush()
        again = prepare_run(store, settings, "test", [first, second], resume=prepared.run_id)
        assert list(again.plan.emails) == ["e1"]
        async with open_provider(settings) as provider:
            rows = [e.row async for e in Coordinator(provider, settings, run_id=again.run_id).run(again.plan)
                    if isinstance(e, EmailDone)]
    assert [(r.email_id, r.status, r.conflict) for r in rows] == [("e1", "ok", f"{CONFLICT}: also e0")]


async def test_over_imap_each_invoice_is_forwarded_and_a_redelivery_is_filed_but_not_forwarded_again(
        dovecot, smtp_sink, tmp_path: Path) -> None:  # noqa: ANN001 - fixtures from tests/dovecot.py
    from test_imap import _triage_args

    april = invoice(message_id=None, date=DATE + timedelta(days=31), pdf=PDF.replace(b"1,200", b"1,350"))
    seed(dovecot, [invoice(), invoice(transport=(RECEIVED,)), invoice(message_id=None), april])
    out = tmp_path / "rows.jsonl"
    code, _, err = await fanmail(*_triage_args(dovecot, smtp_sink, tmp_path, "--apply", "-o", str(out)),
                                 env={"FANMAIL_IMAP_PASSWORD": PASSWORD})
    assert code == 0, err
    rows = read_rows(out)
    assert [(r["status"], r["route"]) for r in rows] == [("ok", "billing"), ("duplicate", "billing"),
                                                         ("ok", "billing"), ("ok", "billing")]
    assert len(snapshot(dovecot)["Finance.Invoices"]) == 4  # every delivery filed
    forwarded = []
    for _, rcpts, data in smtp_sink.messages:
        inner = [p for p in email.message_from_bytes(data, policy=email.policy.default).walk()
                 if p.get_content_type() == "message/rfc822"]
        original = inner[0].get_payload()[0]
        forwarded.append((rcpts[0], original["Message-ID"], original["Date"]))
    march, later = format_datetime(DATE), format_datetime(DATE + timedelta(days=31))
    assert sorted(forwarded, key=str) == sorted([  # the invoice with a Message-ID once, each one without
        ("ap@example.com", "<inv-1@vendor.example>", march), ("ap@example.com", None, march),
        ("ap@example.com", None, later)], key=str)
