"""Messages in, documents out: each attachment routed by type to a format, or the body when the
email carries no attachment an agent can read.

Routing trusts the bytes over the label: a part that starts with `%PDF` is a PDF whatever its
Content-Type says; a part labelled image/png that is not one fails in the OCR agent, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.extract.corpus import generate
from tui.extract.fields_rules import stated_total
from tui.extract.records import DocFormat
from tui.mail.html_text import html_to_text
from tui.mail.mime_parts import attachment_payloads
from tui.mail.parse import parse_bytes
from tui.mail.sources import SourceError, load_source
from tui.model import Email

MAX_ATTACHMENT_BYTES = 20_000_000
MAX_DOCS_SAMPLE = 10_000
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp")
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")


@dataclass
class Message:
    """One email as the extractor needs it: parsed, plus its raw bytes when the source has them."""

    email: Email
    raw: bytes | None = None


@dataclass
class Document:
    doc_id: str
    email_id: str
    message_id: str
    format: DocFormat
    filename: str | None = None
    content_type: str = "text/plain"
    size: int = 0
    data: bytes | None = None  # PDF / image bytes
    text: str | None = None  # text and HTML documents
    error: str | None = None  # set: the document fails with this reason without reaching an agent
    stated_total: float | None = None  # the total the email's body states, for the conflict check


def load_messages(spec: str, *, seed: int = 7) -> list[Message]:
    """`docs-sample[:N]` (generated documents), or any `fanmail triage` SOURCE read with its raw bytes."""
    spec = (spec or "").strip()
    if spec == "docs-sample" or spec.startswith("docs-sample:"):
        count_text = spec.partition(":")[2] or "30"
        if not count_text.isdigit() or not 0 < int(count_text) <= MAX_DOCS_SAMPLE:
            raise SourceError(f"bad docs-sample count {count_text!r}: use 1..{MAX_DOCS_SAMPLE}, e.g. docs-sample:100")
        docs = generate(int(count_text), seed)
        return [Message(parse_bytes(d.raw, email_id=d.email_id, source_ref=spec), d.raw) for d in docs]
    if spec.lower().startswith(("imap://", "imaps://")):
        raise SourceError("extract reads a Maildir, an mbox, a folder of .eml, sample[:N] or docs-sample[:N]; "
                          "not IMAP yet")
    raws: dict[str, bytes] = {}
    emails = load_source(spec, seed=seed, raws=raws)  # each message read once, its bytes kept
    return [Message(e, None if e.parse_error else raws.get(e.id)) for e in emails]


def route(filename: str | None, content_type: str, data: bytes | None) -> DocFormat:
    name = (filename or "").lower()
    head = (data or b"")[:8]
    if head.startswith(b"%PDF") or content_type == "application/pdf" or name.endswith(".pdf"):
        return DocFormat.PDF
    if head.startswith(IMAGE_MAGIC) or content_type.startswith("image/") or name.endswith(IMAGE_EXTS):
        return DocFormat.IMAGE
    if content_type == "text/html" or name.endswith((".html", ".htm")):
        return DocFormat.HTML
    if content_type.startswith("text/") or name.endswith(".txt"):
        return DocFormat.TEXT
    return DocFormat.UNSUPPORTED


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def documents_of(message: Message, *, max_bytes: int = MAX_ATTACHMENT_BYTES) -> list[Document]:
    """The documents of one email, in MIME order; never raises (a bad part is a document with `error`)."""
    email = message.email
    base = {"email_id": email.id, "message_id": email.message_id}
    if email.parse_error:
        return [Document(doc_id=f"{email.id}#0", format=DocFormat.TEXT, error=f"unreadable email: {email.parse_error}",
                         **base)]
    docs: list[Document] = []
    parts = attachment_payloads(message.raw, max_bytes=max_bytes) if message.raw else []
    unread = "attachment not read: the message is too large to keep every part"
    if not parts and email.attachments:  # listed when the source was read, but the bytes are gone: say so
        parts = [(meta, None) for meta in email.attachments]
        unread = "attachment not read: the message's bytes could not be read again"
    stated, _ = stated_total(email.text)
    for n, (meta, data) in enumerate(parts, start=1):
        fmt = route(meta.filename, meta.content_type, data)
        doc = Document(doc_id=f"{email.id}#{n}", format=fmt, filename=meta.filename, content_type=meta.content_type,
                       size=meta.size, data=data, stated_total=stated, **base)
        if data is None and meta.size > max_bytes:
            doc.error = f"attachment too large: {_mb(meta.size)} (limit {_mb(max_bytes)})"
        elif fmt == DocFormat.UNSUPPORTED:  # a forwarded message (message/rfc822) too
            doc.error = f"unsupported attachment type {meta.content_type}"
        elif data is None:
            doc.error = unread
        elif fmt == DocFormat.TEXT:
            doc.text, doc.data = data.decode("utf-8", "replace"), None
        elif fmt == DocFormat.HTML:  # visible text only, as triage reads it; here, in the pool, not the UI loop
            doc.text, doc.data = html_to_text(data.decode("utf-8", "replace"))[0], None
        docs.append(doc)
    if not any(d.format != DocFormat.UNSUPPORTED for d in docs):
        docs.insert(0, Document(doc_id=f"{email.id}#0", format=DocFormat.TEXT, text=email.text, size=len(email.text),
                                **base))
    return docs
