"""RFC 3464 delivery status notifications (bounces) -> `DeliveryEvent`s, one per recipient.

A DSN is a `multipart/report; report-type=delivery-status` message: a human-readable part, a
`message/delivery-status` part (one per-message field block, then one block per recipient) and
the returned original (`message/rfc822`) or only its headers (`text/rfc822-headers`), which is
where the Message-ID that matches the bounce to a sent message comes from.

Bounces arrive from strangers' servers, so the input is hostile: anything that is not a DSN, or
is broken beyond use, gives `[]`; nothing here raises.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import re
from datetime import datetime, timezone
from email.message import Message
from email.utils import parsedate_to_datetime

from tui.outbound.events import DeliveryEvent, DeliveryKind

MAX_DSN_BYTES = 10 * 1024 * 1024  # a bounce bigger than this is not parsed
MAX_RECIPIENTS = 1000  # per-recipient blocks read from one report
MAX_PARTS = 200  # MIME parts looked at while searching for the report
_REASON_CHARS = 500

_ACTIONS: dict[str, DeliveryKind] = {
    "failed": "bounced",
    "delayed": "deferred",
    "delivered": "delivered",
    "relayed": "delivered",
    "expanded": "delivered",
}
_STATUS_CLASS: dict[str, DeliveryKind] = {"5": "bounced", "4": "deferred", "2": "delivered"}

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_ADDRESS = re.compile(r"^[^\s@<>]{1,64}@[^\s@<>]{1,255}$")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")


def parse_dsn(raw: bytes) -> list[DeliveryEvent]:
    """One event per recipient block of a delivery-status report; [] when `raw` is not one."""
    try:
        if not isinstance(raw, (bytes, bytearray)) or len(raw) > MAX_DSN_BYTES:
            return []
        message = email.message_from_bytes(bytes(raw), policy=email.policy.compat32)
        report = _find_report(message)
        if report is None:
            return []
        blocks = _status_blocks(report)
        if len(blocks) < 2:
            return []
        per_message, recipients = blocks[0], blocks[1:MAX_RECIPIENTS + 1]
        message_id = _original_message_id(report)
        arrival = _date(per_message.get("arrival-date", ""))
        events: list[DeliveryEvent] = []
        for block in recipients:
            event = _event(block, message_id, arrival)
            if event is not None:
                events.append(event)
        return events
    except Exception:  # hostile input: recursion bombs, broken encodings, parser bugs
        return []


# ---------------------------------------------------------------- finding the parts


def _is_report(part: Message) -> bool:
    return (part.get_content_type() == "multipart/report"
            and (part.get_param("report-type") or "").lower() == "delivery-status")


def _find_report(message: Message) -> Message | None:
    """The report itself, or one forwarded inside another message (some gateways wrap bounces)."""
    for seen, part in enumerate(message.walk()):
        if seen >= MAX_PARTS:
            return None
        if _is_report(part):
            return part
    return None


def _children(report: Message) -> list[Message]:
    payload = report.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _status_blocks(report: Message) -> list[dict[str, str]]:
    """The field blocks of the message/delivery-status part, lower-cased names, unfolded values."""
    for part in _children(report):
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):  # the stdlib parser splits this type into header blocks
            return [_fields(block.items()) for block in payload if isinstance(block, Message)]
        data = part.get_payload(decode=True)
        if isinstance(data, (bytes, bytearray)):
            return _blocks_from_text(bytes(data).decode("utf-8", errors="replace"))
    return []


def _blocks_from_text(text: str) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\r?\n[ \t]*\r?\n", text.strip()):
        if chunk.strip():
            parsed = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(chunk + "\n\n")
            blocks.append(_fields(parsed.items()))
    return blocks


def _fields(items: list[tuple[str, object]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in items:
        key = str(name).strip().lower()
        if key and key not in fields:
            fields[key] = _clean(str(value))
    return fields


def _original_message_id(report: Message) -> str:
    """Message-ID of the returned original (the whole message or only its headers)."""
    for part in _children(report):
        kind = part.get_content_type()
        headers: Message | None = None
        if kind in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                headers = payload[0]
            else:
                data = part.get_payload(decode=True)
                if isinstance(data, (bytes, bytearray)):
                    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(bytes(data))
        elif kind in ("text/rfc822-headers", "message/global-headers"):
            data = part.get_payload(decode=True)
            if isinstance(data, (bytes, bytearray)):
                headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(bytes(data))
        if headers is not None:
            found = _MESSAGE_ID.search(_clean(str(headers.get("message-id", ""))))
            if found:
                return found.group(0)
    return ""


# ---------------------------------------------------------------- one recipient


def _event(block: dict[str, str], message_id: str, arrival: datetime | None) -> DeliveryEvent | None:
    recipient = _address(block.get("original-recipient", "")) or _address(block.get("final-recipient", ""))
    if not recipient:
        return None
    status_match = _STATUS.search(block.get("status", ""))
    status = status_match.group(0) if status_match else ""
    kind = _ACTIONS.get(block.get("action", "").split(";")[0].strip().lower())
    if kind is None:
        kind = _STATUS_CLASS.get(status[:1]) if status else None
    if kind is None:
        return None
    at = _date(block.get("last-attempt-date", "")) or arrival or datetime.now(timezone.utc)
    return DeliveryEvent(message_id=message_id, recipient=recipient, kind=kind, source="dsn",
                         reason=_reason(block.get("diagnostic-code", "")), status=status, at=at)


def _address(value: str) -> str:
    """`rfc822; Bob@Example.COM` -> `bob@example.com`; '' when it is not a usable address."""
    kind, sep, rest = value.partition(";")
    text = rest if sep else kind
    if sep and kind.strip().lower() not in ("rfc822", "utf-8", ""):
        return ""
    text = text.strip().strip("<>").strip().lower()
    return text if _ADDRESS.match(text) else ""


def _reason(value: str) -> str:
    """`smtp; 550 5.1.1 <bob@x>: user unknown` -> `550 5.1.1 <bob@x>: user unknown`."""
    kind, sep, rest = value.partition(";")
    text = rest if sep and re.fullmatch(r"\s*[A-Za-z][\w.-]{0,30}\s*", kind) else value
    return text.strip()[:_REASON_CHARS]


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _clean(value: str) -> str:
    """Unfold, and drop control characters (a bounce's text ends up in reports and terminals)."""
    return " ".join(_CONTROL.sub(" ", value).split())
