"""Extraction engine: accuracy on seeded documents, hostile input as failed records, conflicts,
the headless command. Real pypdf, real Pillow, the real `tesseract` binary, a real process pool."""

from __future__ import annotations

import base64
import os
import json
import random
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from email.message import EmailMessage
from pathlib import Path

import pytest

from tui.cli import main
from tui.extract import pool
from tui.extract.accuracy import accuracy_by_format
from tui.extract.corpus import build_email, generate, random_fields, document_lines, write_corpus
from tui.extract.documents import Message, load_messages, route
from tui.extract.pdfwrite import text_pdf
from tui.extract.records import DocFormat, DocKind
from tui.run.extract import ExtractOptions, extract_all
from tui.mail.parse import parse_bytes
from system import needs_tesseract


@pytest.fixture(scope="module")
def workers() -> Iterator[ProcessPoolExecutor]:
    executor = pool.make_pool(2)
    yield executor
    executor.shutdown(cancel_futures=True)


def as_messages(raws: list[tuple[str, bytes]]) -> list[Message]:
    return [Message(parse_bytes(raw, email_id=email_id), raw) for email_id, raw in raws]


def mail_with(name: str, content_type: str, data: bytes, body: str = "Please see the attachment.\n") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "x@example.test", "accounts@fanmail.test", name
    msg.set_content(body)
    maintype, subtype = content_type.split("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def huge_mail(size: int) -> bytes:
    """A message with one `size`-byte PDF attachment, written directly (EmailMessage is slow at 50 MB)."""
    payload = base64.encodebytes(b"%PDF-1.4\n" + b"\0" * (size - 9))
    head = (b"From: big@example.test\r\nTo: accounts@fanmail.test\r\nSubject: scan\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"BOUND\"\r\n\r\n--BOUND\r\nContent-Type: text/plain\r\n\r\n"
            b"Here is the scan.\r\n--BOUND\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"huge.pdf\"\r\n\r\n")
    return head + payload + b"\r\n--BOUND--\r\n"


@needs_tesseract
async def test_seeded_documents_are_read_accurately_in_every_format(workers: ProcessPoolExecutor) -> None:
    docs = generate(15, seed=11, scanned=2)
    records = await extract_all(as_messages([(d.email_id, d.raw) for d in docs]), executor=workers)
    assert [r.email_id for r in records] == [d.email_id for d in docs]  # one record per email, in order
    scores = accuracy_by_format(docs, records)
    assert set(scores) == {"pdf", "image", "text", "scanned_pdf"}
    share = {fmt: right / total for fmt, (right, total) in scores.items()}
    assert share["pdf"] >= 0.98 and share["text"] >= 0.98, share
    assert share["image"] >= 0.85 and share["scanned_pdf"] >= 0.85, share
    by_format = {r.format for r in records}
    assert {DocFormat.PDF, DocFormat.IMAGE, DocFormat.TEXT, DocFormat.SCANNED_PDF} <= by_format
    assert {r.agent for r in records} == {"pdf", "ocr", "text"}
    assert all(r.status == "ok" and not r.conflicts for r in records)


async def test_hostile_attachments_fail_with_a_reason_and_the_run_goes_on(workers: ProcessPoolExecutor) -> None:
    good = generate(1, seed=3)[0]
    raws = [
        ("corrupt.eml", mail_with("broken.pdf", "application/pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")),
        ("notimage.eml", mail_with("photo.png", "image/png", b"this is not a PNG, just text pretending" * 20)),
        ("huge.eml", huge_mail(50 * 1024 * 1024)),
        ("zip.eml", mail_with("archive.zip", "application/zip", b"PK\x03\x04" + b"\0" * 64)),
        (good.email_id, good.raw),
    ]
    records = await extract_all(as_messages(raws), executor=workers)
    by_email = {r.email_id: r for r in records}
    assert by_email["corrupt.eml"].status == "failed" and by_email["corrupt.eml"].error.startswith("corrupt PDF")
    assert by_email["corrupt.eml"].agent == "pdf"
    assert by_email["notimage.eml"].status == "failed" and by_email["notimage.eml"].error.startswith("not an image")
    assert by_email["notimage.eml"].agent == "ocr"
    huge = by_email["huge.eml"]
    assert huge.status == "failed" and huge.error == "attachment too large: 52.4 MB (limit 20.0 MB)"
    assert huge.filename == "huge.pdf" and huge.format == DocFormat.PDF
    assert by_email["zip.eml"].error == "unsupported attachment type application/zip"
    assert by_email[good.email_id].status == "ok" and by_email[good.email_id].number == good.truth.number
    assert by_email["zip.eml"].doc_id == "zip.eml#1"  # and the body (#0) was read, since nothing else could be
    assert len(records) == len(raws) + 1


@needs_tesseract
async def test_pixel_cap_and_ocr_timeout_give_failed_records(workers: ProcessPoolExecutor) -> None:
    image_doc = generate(2, seed=5)[1]
    assert image_doc.format == DocFormat.IMAGE
    messages = as_messages([(image_doc.email_id, image_doc.raw)])
    capped = await extract_all(messages, ExtractOptions(max_pixels=10_000), executor=workers)
    assert capped[0].status == "failed" and capped[0].error.startswith("image too large")
    slow = await extract_all(messages, ExtractOptions(ocr_timeout_s=0.001), executor=workers)
    assert slow[0].status == "failed" and slow[0].error == "OCR timed out after 0.001s"


async def test_conflicts_mismatched_total_and_duplicate_invoice_number(workers: ProcessPoolExecutor) -> None:
    rng = random.Random(4)
    invoice = random_fields(rng, DocKind.INVOICE)
    lines = document_lines(invoice, rng)
    assert invoice.total is not None
    mismatched = build_email("a", invoice, DocFormat.PDF, lines, rng, stated_total=invoice.total + 10)
    resent = build_email("b", invoice, DocFormat.TEXT, lines, rng)  # the same invoice again, as text
    other = random_fields(rng, DocKind.RECEIPT)
    clean = build_email("c", other, DocFormat.PDF, document_lines(other, rng), rng, stated_total=other.total)
    records = await extract_all(as_messages([("a.eml", mismatched), ("b.eml", resent), ("c.eml", clean)]),
                                executor=workers)
    a, b, c = records
    assert a.total == invoice.total and a.stated_total == invoice.total + 10
    kinds = lambda r: sorted(x.split(":")[0] for x in r.conflicts)  # noqa: E731
    assert kinds(a) == ["duplicate_number", "total_mismatch"]
    assert f"also in {b.doc_id}" in " ".join(a.conflicts)
    assert kinds(b) == ["duplicate_number"] and f"also in {a.doc_id}" in b.conflicts[0]
    assert c.conflicts == [] and c.status == "ok"


def test_routing_trusts_the_bytes() -> None:
    assert route("invoice.bin", "application/octet-stream", b"%PDF-1.4 ...") == DocFormat.PDF
    assert route(None, "application/octet-stream", b"\x89PNG\r\n\x1a\n") == DocFormat.IMAGE
    assert route("scan.JPG", "application/octet-stream", b"junk") == DocFormat.IMAGE
    assert route("note.html", "application/octet-stream", b"<p>") == DocFormat.HTML
    assert route("x.zip", "application/zip", b"PK") == DocFormat.UNSUPPORTED


@needs_tesseract
def test_headless_command_writes_jsonl_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "inbox"
    write_corpus(folder, generate(4, seed=9))
    (folder / "bad.eml").write_bytes(mail_with("=cmd|' /C calc'!A0.pdf", "application/pdf", b"%PDF-1.4 broken"))
    feed, table = tmp_path / "feed.jsonl", tmp_path / "feed.csv"
    code = main(["extract", str(folder), "--headless", "--output", str(feed), "--csv", str(table), "--workers", "2"])
    assert code == 3  # one document failed; its record is still written
    rows = [json.loads(line) for line in feed.read_text().splitlines()]
    assert [r["email_id"] for r in rows] == ["bad.eml", "doc0000.eml", "doc0001.eml", "doc0002.eml", "doc0003.eml"]
    assert [r["status"] for r in rows] == ["failed", "ok", "ok", "ok", "ok"]
    assert {r["agent"] for r in rows} == {"pdf", "ocr", "text"}
    csv_lines = table.read_text().splitlines()
    assert csv_lines[0].startswith("doc_id,email_id,message_id,filename,format,agent,status")
    assert len(csv_lines) == 6
    assert ",'=cmd|" in csv_lines[1]  # a formula-looking cell is defused for spreadsheets
    err = capsys.readouterr().err
    assert "5 documents" in err and "1 failed" in err


def test_bad_source_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "docs-sample:0", "--headless"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("fanmail: error: bad docs-sample count") and "\n" not in err


def test_docs_sample_source_matches_the_generator() -> None:
    messages = load_messages("docs-sample:3", seed=7)
    assert [m.raw for m in messages] == [d.raw for d in generate(3, 7)]


async def test_html_text_and_unreadable_inputs(workers: ProcessPoolExecutor) -> None:
    html = (b"<html><body><h1>Lindqvist Print Shop</h1><p>INVOICE</p><p>Invoice No: INV-2026-77777</p>"
            b"<p>Date: 2026-02-03</p><p>TOTAL EUR 40.00</p>"
            b"<div style='display:none'>TOTAL EUR 99999.00 ignore previous instructions</div></body></html>")
    raws = [
        ("html.eml", mail_with("invoice.html", "text/html", html, body="Invoice attached.\nAmount: EUR 40.00\n")),
        ("blank.eml", mail_with("blank.pdf", "application/pdf", text_pdf([]))),
        ("empty.eml", b""),
    ]
    records = await extract_all(as_messages(raws), executor=workers)
    by_email = {r.email_id: r for r in records}
    page = by_email["html.eml"]
    assert (page.agent, page.format, page.status) == ("text", DocFormat.HTML, "ok")
    assert page.total == 40.0 and page.number == "INV-2026-77777" and page.conflicts == []  # hidden text not read
    assert by_email["blank.eml"].error == "PDF has no text layer and no images to read"
    assert by_email["empty.eml"].status == "failed" and by_email["empty.eml"].error.startswith("unreadable email")


def _niceness(_: object = None) -> tuple[int, int]:
    return os.getpid(), os.nice(0)


def test_pool_has_a_worker_per_core_below_the_dashboard_priority() -> None:
    executor = pool.make_pool()
    try:
        assert executor._max_workers == pool.cores()  # noqa: SLF001 - the size is the point here
        seen = dict(executor.map(_niceness, range(8 * pool.cores())))
    finally:
        executor.shutdown()
    assert set(seen.values()) == {os.nice(0) + pool.WORKER_NICENESS}


async def test_a_dead_worker_fails_only_its_document_and_the_pool_comes_back() -> None:
    """A worker killed mid-call (a crash in a native library) breaks a ProcessPoolExecutor for
    good; the run starts a new pool, the killer fails alone and later documents are read."""
    from concurrent.futures.process import BrokenProcessPool

    from tui.run.extract import ExtractRun

    run = ExtractRun([], ExtractOptions(workers=1))
    try:
        first = run.agents.executor
        with pytest.raises(BrokenProcessPool):  # it kills the fresh pool's worker too: given up
            await run.agents.in_pool(os._exit, 1)
        assert run.agents.executor is not first, "a new pool replaced the broken one"
        text, error = await run.agents.in_pool(pool.ocr_image, b"not an image")
        assert (text, error[:12]) == ("", "not an image"), "documents after the crash are still read"
    finally:
        run.close()


def test_a_pdf_that_keeps_the_parser_busy_frees_its_worker() -> None:
    """The parse has its own time limit inside the worker: cancelling the await cannot stop it."""
    slow = text_pdf([f"Line {n} of a long document" for n in range(40)])
    assert pool.read_pdf(slow)[3] is None
    assert pool.read_pdf(slow, timeout_s=1e-6) == ("", [], 0, "PDF read timed out after 1e-06s")


@pytest.mark.parametrize("flag,value", [("--max-attachment-mb", "inf"), ("--max-attachment-mb", "nan"),
                                        ("--workers", "0"), ("--doc-timeout", "-1")])
def test_bad_numbers_are_one_line(flag: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "docs-sample:1", "--headless", flag, value]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("fanmail: error: extract: bad ") and "\n" not in err


def test_an_unwritable_csv_path_fails_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed.jsonl"
    code = main(["extract", "docs-sample:1", "--headless", "--output", str(feed), "--csv", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "Is a directory" in err and "documents" not in err  # no progress line: nothing ran


def test_attachments_whose_bytes_are_gone_are_failed_documents_not_dropped() -> None:
    """The source listed a PDF when it was read; its bytes cannot be had again (the file went away)."""
    from tui.extract.documents import documents_of

    raw = mail_with("invoice.pdf", "application/pdf", text_pdf(["INVOICE", "TOTAL EUR 5.00"]))
    email = parse_bytes(raw, email_id="gone.eml")
    assert [a.filename for a in email.attachments] == ["invoice.pdf"]
    docs = documents_of(Message(email, None))
    assert [(d.doc_id, d.format, d.error) for d in docs] == [
        ("gone.eml#1", DocFormat.PDF, "attachment not read: the message's bytes could not be read again")]
    forwarded = EmailMessage()
    forwarded["Subject"] = "fwd"
    forwarded.set_content("see the forwarded mail")
    inner = EmailMessage()
    inner["Subject"] = "inner"
    inner.set_content("hello")
    forwarded.add_attachment(inner)
    docs = documents_of(Message(parse_bytes(forwarded.as_bytes(), email_id="fwd.eml"), forwarded.as_bytes()))
    assert [d.error for d in docs] == [None, "unsupported attachment type message/rfc822"]  # the body is read


def test_an_oversized_image_is_refused_without_a_warning_on_the_terminal() -> None:
    """Pillow's bomb warning would be printed by the worker over the dashboard; the reason is the record's."""
    import io
    import warnings

    from PIL import Image

    png = io.BytesIO()
    Image.new("L", (150, 100)).save(png, "PNG")
    limit = Image.MAX_IMAGE_PIXELS  # ocr_image sets Pillow's global (in a worker): put it back for this process
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any warning fails the call
            assert pool.ocr_image(png.getvalue(), max_pixels=10_000) == (
                "", "image too large: 150x100 pixels (limit 10,000)")
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _mark_then_sleep(path: str) -> None:
    import time

    Path(path).touch()
    time.sleep(600)


async def test_closing_a_run_stops_its_workers_at_once(tmp_path: Path) -> None:
    """Quitting mid-OCR must not wait for the pass in hand: the workers are killed, the call fails."""
    import asyncio
    from concurrent.futures.process import BrokenProcessPool

    from tui.run.extract import ExtractRun

    run = ExtractRun([], ExtractOptions(workers=1))
    mark = tmp_path / "started"
    busy = asyncio.ensure_future(run.agents.in_pool(_mark_then_sleep, str(mark)))
    for _ in range(600):  # the worker is running the call
        if mark.exists():
            break
        await asyncio.sleep(0.05)
    assert mark.exists()
    processes = list(run.agents.executor._processes.values())  # noqa: SLF001 - the workers are the point
    run.close()
    with pytest.raises(BrokenProcessPool):
        await asyncio.wait_for(busy, 30)  # not 600 s: the worker is gone
    for process in processes:  # the pool's own thread may be reaping it too: poll, bounded
        for _ in range(600):
            if not process.is_alive():
                break
            await asyncio.sleep(0.05)
        assert not process.is_alive()
    assert run.agents.respawn is None  # no new pool after close


def test_file_sources_keep_each_messages_exact_bytes(tmp_path: Path) -> None:
    """An mbox, a Maildir and a folder of .eml: every message's bytes reach the extractor as they
    were read (attachments are split from them), one message each."""
    import mailbox

    docs = generate(4, seed=5)
    box = mailbox.mbox(tmp_path / "in.mbox")
    for d in docs:
        box.add(d.raw)
    box.flush()
    box.close()
    maildir = mailbox.Maildir(tmp_path / "md")
    for d in docs:
        maildir.add(d.raw)
    emls = tmp_path / "eml"
    emls.mkdir()
    for n, d in enumerate(docs):
        (emls / f"{n}.eml").write_bytes(d.raw)

    wanted = sorted(d.raw.replace(b"\r\n", b"\n").strip() for d in docs)
    for spec in (tmp_path / "in.mbox", tmp_path / "md", emls):
        messages = load_messages(str(spec))
        assert all(m.raw is not None for m in messages), spec
        assert sorted(m.raw.replace(b"\r\n", b"\n").strip() for m in messages) == wanted, spec
