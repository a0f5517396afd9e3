"""Offline field extraction: regexes over a document's text, for when no model is set.

Tolerant of OCR slips (`1X` for `1 x`, `No.` for `No:`, O for 0 inside numbers). The text is
untrusted data: nothing in it is followed, it is only matched.
"""

from __future__ import annotations

import re
from datetime import date

from tui.extract.records import DocFields, DocKind, LineItem

MAX_SCAN = 50_000  # characters of one document the rules look at
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
CODES = ("EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK", "CAD", "AUD", "PLN")
MONTHS = {m: n for n, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

_AMOUNT = r"(\d{1,3}(?:[,.' ]\d{3})*[.,]\d{2}|\d+[.,]\d{2})"
_CUR = r"(" + "|".join(CODES) + r"|[€$£])"
_TOTAL = re.compile(r"\b(?:grand\s+)?total(?:\s+due)?|amount\s+due|balance\s+due", re.I)
_TOTAL_LINE = re.compile(r"(?:" + _TOTAL.pattern + r")\s*[:.]?\s*" + _CUR + r"?\s*" + _AMOUNT + r"\s*" + _CUR + "?",
                         re.I)
_STATED = re.compile(r"\b(?:amount|total)(?:\s+due)?\s*[:.]?\s*" + _CUR + r"?\s*" + _AMOUNT, re.I)
_NUMBER = re.compile(
    r"\b(?:invoice|receipt|order|p\.?o\.?)\s*(?:no|number|num|#|n°)?\s*[.:#]*\s*([A-Z]{2,5}[-–][0-9O]{4}[-–][0-9O]{3,8}"
    r"|[A-Z0-9][A-Z0-9\-/]{3,30})", re.I)
_CODE_NUMBER = re.compile(r"\b((?:INV|RCPT|PO)[-–][0-9O]{4}[-–][0-9O]{3,8})\b", re.I)
_ITEM = re.compile(r"^\s*(\d{1,4})\s*[xX×]\s+(.+?)\s+" + _AMOUNT + r"\s*$")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DOTTED = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b")
_VENDOR_LABEL = re.compile(r"^\s*(?:vendor|seller|supplier|from)\s*[:.]\s*(.+)$", re.I | re.M)
_COMPLAINT = re.compile(r"\b(complain|complaint|unhappy|refund|disappointed|damaged|unacceptable)\b", re.I)
_KIND_WORDS = [
    (DocKind.PURCHASE_ORDER, re.compile(r"\bpurchase\s+order\b|\bPO\s+(?:number|no)\b", re.I)),
    (DocKind.RECEIPT, re.compile(r"\breceipt\b", re.I)),
    (DocKind.INVOICE, re.compile(r"\binvoice\b", re.I)),
]
_SKIP_VENDOR = re.compile(r"^(hello|hi|dear|invoice|receipt|purchase order|date|bill to)\b", re.I)


def amount(text: str) -> float | None:
    """'1,234.50' / '1.234,50' / "1'234.50" -> 1234.5."""
    digits = re.sub(r"[^\d.,]", "", text)
    if not digits:
        return None
    if len(digits) > 3 and digits[-3] in ",.":
        whole, cents = digits[:-3], digits[-2:]
    else:
        whole, cents = digits, "0"
    whole = re.sub(r"[.,]", "", whole)
    try:
        return round(float(f"{whole or '0'}.{cents}"), 2)
    except ValueError:
        return None


def _currency(*found: str | None) -> str | None:
    for value in found:
        if value:
            return SYMBOLS.get(value, value.upper())
    return None


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """The first date (labelled 'Date' preferred) as ISO 8601."""
    labelled = re.search(r"\bdate\s*[:.]?\s*(.{6,25})", text, re.I)
    for chunk in ([labelled.group(1)] if labelled else []) + [text]:
        if m := _ISO.search(chunk):
            if found := _valid(int(m[1]), int(m[2]), int(m[3])):
                return found
        if m := _DOTTED.search(chunk):  # day first: the European order used on these documents
            if found := _valid(int(m[3]), int(m[2]), int(m[1])):
                return found
        if (m := _DAY_MONTH.search(chunk)) and m[2][:3].lower() in MONTHS:
            if found := _valid(int(m[3]), MONTHS[m[2][:3].lower()], int(m[1])):
                return found
        if (m := _MONTH_DAY.search(chunk)) and m[1][:3].lower() in MONTHS:
            if found := _valid(int(m[3]), MONTHS[m[1][:3].lower()], int(m[2])):
                return found
    return None


def _kind(text: str) -> DocKind:
    head = text[:600]
    for kind, pattern in _KIND_WORDS:
        if pattern.search(head):
            return kind
    if _COMPLAINT.search(text):
        return DocKind.COMPLAINT
    return DocKind.OTHER


def _number(text: str) -> str | None:
    if m := _CODE_NUMBER.search(text):
        found = m.group(1)
    elif m := _NUMBER.search(text):
        found = m.group(1)
        if not any(ch.isdigit() for ch in found):
            return None
    else:
        return None
    head, _, tail = found.upper().replace("–", "-").partition("-")
    return head + (("-" + tail.replace("O", "0")) if tail else "")


def _vendor(lines: list[str]) -> str | None:
    for line in lines:
        if m := _VENDOR_LABEL.match(line):
            return m.group(1).strip()[:120]
    for line in lines[:5]:
        if line and not _SKIP_VENDOR.match(line) and not any(ch.isdigit() for ch in line):
            return line[:120]
    return None


def _items(lines: list[str]) -> list[LineItem]:
    out = []
    for line in lines:
        if (m := _ITEM.match(line)) and (value := amount(m[3])) is not None:
            out.append(LineItem(description=re.sub(r"\s+", " ", m[2]).strip(), quantity=int(m[1]), amount=value))
    return out


def stated_total(text: str) -> tuple[float | None, str | None]:
    """The total a cover note states ('Amount: EUR 1,234.50'), if it states one."""
    m = _STATED.search(text[:MAX_SCAN])
    return (amount(m[2]), _currency(m[1])) if m else (None, None)


def extract_fields(text: str) -> DocFields:
    """Fields from a document's text; confidence is the share of the expected fields found."""
    text = text[:MAX_SCAN]
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line.lower() not in ("hello,", "hello", "hi,")]
    kind = _kind(text)
    if kind in (DocKind.COMPLAINT, DocKind.OTHER):
        return DocFields(kind=kind, confidence=0.6 if kind == DocKind.COMPLAINT else 0.3)
    total = currency = None
    for m in _TOTAL_LINE.finditer(text):  # the last 'total' line wins: subtotals come first
        total, currency = amount(m[2]), _currency(m[1], m[3])
    items = _items(lines)
    if currency is None and (m := re.search(_CUR + r"\s*" + _AMOUNT, text)):
        currency = _currency(m[1])
    fields = DocFields(kind=kind, vendor=_vendor(lines), number=_number(text), date=find_date(text), total=total,
                       currency=currency, line_items=items, confidence=0.0)
    found = [fields.vendor, fields.number, fields.date, fields.total, fields.currency]
    confidence = sum(v is not None for v in found) / len(found)
    if items and total is not None and abs(sum(i.amount for i in items) - total) > 0.005:
        confidence *= 0.8  # the lines do not add up to the total: something was misread
    return fields.model_copy(update={"confidence": round(confidence, 2)})
