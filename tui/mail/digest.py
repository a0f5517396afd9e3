"""What makes two deliveries the same message: their bytes, minus what transport added.

A message delivered twice (a retried SMTP session, a second alias, a fetchmail re-run) differs only
in the header fields servers and mailboxes add on the way: Received, Delivered-To, Return-Path,
authentication results, relay signatures, spam-filter verdicts, mailbox state. Everything the
sender wrote (every other header, Date and Message-ID included, and the whole body with every
part and attachment) is kept byte for byte, so two emails that differ in anything their sender
wrote never get the same digest.

One pass over the header lines and one hash over the bytes the parser already holds; the body
is hashed in place, never copied.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

# Header fields added en route, never by the sender. DKIM signatures are here too: a relay may
# add or re-sign one, and what they sign (the rest of the message) is still compared in full.
TRANSPORT_HEADERS = frozenset({
    "received", "x-received", "delivered-to", "x-delivered-to", "return-path", "x-original-to",
    "envelope-to", "x-envelope-from", "x-envelope-to", "received-spf", "authentication-results",
    "x-original-authentication-results", "dkim-signature", "x-google-dkim-signature",
    "domainkey-signature", "x-virus-scanned", "x-virus-status",
    # mailbox state written by mbox writers, MUAs and IMAP servers, not by the sender
    "status", "x-status", "x-keywords", "x-uid", "content-length", "lines", "x-mozilla-status",
    "x-mozilla-status2",
})
TRANSPORT_PREFIXES = ("arc-", "x-spam-")  # ARC-Seal, ARC-Message-Signature...; X-Spam-Status...


def is_transport(name: str) -> bool:
    name = name.strip().lower()
    return name in TRANSPORT_HEADERS or name.startswith(TRANSPORT_PREFIXES)


def sender_pieces(data: bytes) -> Iterator[memoryview]:
    """The message's bytes in order, with every transport header field (continuation lines
    included) and a leading mbox `From ` envelope line left out. The header block ends where the
    parser ends it: at the first blank line, or at the first line that is not a header field."""
    view = memoryview(data)
    end = len(data)
    pos = kept_from = 0
    dropping = False
    while pos < end:
        nl = data.find(b"\n", pos)
        stop = end if nl < 0 else nl + 1
        if data[pos:pos + 1] in (b" ", b"\t"):  # a continuation line shares its field's fate
            pos = stop
            continue
        if not data[pos:stop].strip(b"\r\n"):
            break  # the blank line: the body starts here
        colon = data.find(b":", pos, stop)
        if pos == 0 and data.startswith(b"From "):
            transport = True
        elif colon < 0:
            break  # not a header field: the parser reads the body from here
        else:
            transport = is_transport(data[pos:colon].decode("latin-1"))
        if transport and not dropping:
            yield view[kept_from:pos]
        elif dropping and not transport:
            kept_from = pos
        dropping = transport
        pos = stop
    if dropping:
        kept_from = pos
    yield view[kept_from:]


def without_transport(data: bytes) -> bytes:
    """The bytes two deliveries of one message have in common (a copy: for checks, not the hot path)."""
    return b"".join(sender_pieces(data))


def content_digest(data: bytes) -> str:
    """Equal digests mean byte-identical messages once transport headers are removed."""
    h = hashlib.blake2b(digest_size=16)
    for piece in sender_pieces(data):
        h.update(piece)
    return h.hexdigest()
