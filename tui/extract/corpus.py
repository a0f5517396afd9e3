"""A seeded generator of test documents, kept as code: invoices, receipts and purchase orders as
text PDFs, as noisy photographed images, as scanned (image-only) PDFs and as plain-text emails,
each wrapped in an email, with the true fields alongside so the bench can score accuracy.

`python -m tui.extract.corpus OUT_DIR [--count N] [--seed S]` writes them as .eml files plus
`truth.jsonl`; `docs-sample[:N]` as an extract SOURCE builds them in memory.
"""

from __future__ import annotations

import argparse
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from tui.extract.pdfwrite import image_pdf, text_pdf
from tui.extract.records import DocFields, DocFormat, DocKind, LineItem

VENDORS = [
    "Northwind Traders", "Blue Harbor Supplies", "Acme Office Goods", "Kestrel Logistics", "Lindqvist Print Shop",
    "Orchard Lane Catering", "Summit Cloud Services", "Redwood Hardware", "Marlow and Sons", "Quayside Electrical",
    "Brightwater Cleaning", "Hollis Stationery", "Pioneer Freight", "Granite Peak IT", "Willow Creek Coffee",
]
ITEMS = [
    ("Paper A4 box", 18.50), ("Toner cartridge", 64.00), ("Desk lamp", 32.90), ("Network switch", 149.00),
    ("Cleaning service", 220.00), ("Courier delivery", 15.75), ("Coffee beans 1kg", 21.40), ("Printer repair", 95.00),
    ("Office chair", 189.00), ("USB cable", 7.20), ("Catering lunch", 310.00), ("Cloud storage plan", 49.99),
    ("Safety gloves", 12.30), ("Whiteboard markers", 9.80), ("Monitor stand", 44.50), ("Label printer", 129.00),
]
CURRENCIES = ["EUR", "USD", "GBP"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
TITLES = {DocKind.INVOICE: ("INVOICE", "Invoice No"), DocKind.RECEIPT: ("RECEIPT", "Receipt No"),
          DocKind.PURCHASE_ORDER: ("PURCHASE ORDER", "PO Number")}
PREFIX = {DocKind.INVOICE: "INV", DocKind.RECEIPT: "RCPT", DocKind.PURCHASE_ORDER: "PO"}
FORMAT_CYCLE = (DocFormat.PDF, DocFormat.IMAGE, DocFormat.TEXT)
INBOX = "accounts@fanmail.test"


@dataclass
class GeneratedDoc:
    email_id: str
    format: DocFormat
    truth: DocFields
    raw: bytes = b""
    stated_total: float | None = None  # what the cover note says (may differ on purpose)
    lines: list[str] = field(default_factory=list)


def money(value: float) -> str:
    return f"{value:,.2f}"


def _date_text(day: date, rng: random.Random) -> str:
    style = rng.randrange(4)
    if style == 0:
        return day.isoformat()
    if style == 1:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if style == 2:
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def random_fields(rng: random.Random, kind: DocKind) -> DocFields:
    day = date(2026, 1, 1) + timedelta(days=rng.randrange(330))
    items = []
    for name, price in rng.sample(ITEMS, rng.randint(1, 4)):
        quantity = rng.randint(1, 9)
        items.append(LineItem(description=name, quantity=quantity, amount=round(price * quantity, 2)))
    return DocFields(
        kind=kind, vendor=rng.choice(VENDORS) + rng.choice([" Ltd", " GmbH", " Inc", " BV", ""]),
        number=f"{PREFIX[kind]}-2026-{rng.randrange(10000, 99999)}", date=day.isoformat(),
        total=round(sum(i.amount for i in items), 2), currency=rng.choice(CURRENCIES), line_items=items,
        confidence=1.0,
    )


def document_lines(fields: DocFields, rng: random.Random) -> list[str]:
    """The printed layout shared by every format (so the formats differ only in how it is carried)."""
    title, label = TITLES[fields.kind]
    assert fields.date and fields.total is not None and fields.currency
    lines = [fields.vendor or "", title, f"{label}: {fields.number}",
             f"Date: {_date_text(date.fromisoformat(fields.date), rng)}", "Bill to: Fanmail Accounts", "",
             "Qty  Item  Amount"]
    for item in fields.line_items:
        lines.append(f"{item.quantity:g} x {item.description}  {money(item.amount)}")
    lines += ["", f"TOTAL {fields.currency} {money(fields.total)}", "Thank you for your business."]
    return lines


def complaint_fields(rng: random.Random) -> tuple[DocFields, list[str]]:
    vendor = rng.choice(VENDORS)
    text = [f"I am writing to complain about my last order from {vendor}.",
            "The delivery arrived two weeks late and the box was damaged.",
            "I am very unhappy and expect a refund or a replacement."]
    return DocFields(kind=DocKind.COMPLAINT, confidence=1.0), text


def render_image(lines: list[str], rng: random.Random) -> tuple[bytes, str, int, int]:
    """A photographed page: Pillow's scalable default font, mild noise, a slight tilt. (data, mime, w, h)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=30)
    width, height = 1000, 110 + 46 * len(lines)
    page = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((60, 50 + 46 * n), line, fill=rng.randint(10, 40), font=font)
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))  # seeded speckle
    page = Image.blend(page, noise, 0.14)
    page = page.rotate(rng.uniform(-1.2, 1.2), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=245)
    out = io.BytesIO()
    if rng.random() < 0.5:
        page.save(out, "PNG")
        return out.getvalue(), "image/png", page.width, page.height
    page.save(out, "JPEG", quality=85)
    return out.getvalue(), "image/jpeg", page.width, page.height


def cover_note(fields: DocFields, stated_total: float | None) -> str:
    what = fields.kind.value.replace("_", " ")
    stated = f"\nAmount: {fields.currency} {money(stated_total)}\n" if stated_total is not None else ""
    return (f"Hello,\n\nplease find attached our {what} {fields.number}.\n{stated}\n"
            f"Kind regards,\n{fields.vendor}\n")


def build_email(doc_id: str, fields: DocFields, fmt: DocFormat, lines: list[str], rng: random.Random, *,
                stated_total: float | None = None) -> bytes:
    msg = EmailMessage()
    sender = (fields.vendor or "customer").lower().replace(" ", "")[:20]
    msg["From"] = f"{fields.vendor or 'A customer'} <billing@{sender}.example>"
    msg["To"] = INBOX
    msg["Subject"] = f"{fields.kind.value.replace('_', ' ').title()} {fields.number or ''}".strip()
    msg["Date"] = format_datetime(datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc) + timedelta(minutes=len(doc_id)))
    msg["Message-ID"] = f"<{doc_id}.{rng.getrandbits(48):012x}@fanmail.test>"  # seeded: same seed, same bytes
    if fmt == DocFormat.TEXT:
        msg.set_content("Hello,\n\n" + "\n".join(lines) + "\n")
        return msg.as_bytes()
    msg.set_content(cover_note(fields, stated_total))
    name = (fields.number or doc_id).lower()
    if fmt == DocFormat.PDF:
        msg.add_attachment(text_pdf(lines), maintype="application", subtype="pdf", filename=f"{name}.pdf")
    elif fmt == DocFormat.SCANNED_PDF:
        data, _, w, h = render_image(lines, rng)
        from PIL import Image

        jpeg = io.BytesIO()
        Image.open(io.BytesIO(data)).convert("L").save(jpeg, "JPEG", quality=85)
        msg.add_attachment(image_pdf(jpeg.getvalue(), w, h), maintype="application", subtype="pdf",
                           filename=f"{name}-scan.pdf")
    else:
        data, mime, _, _ = render_image(lines, rng)
        ext = "png" if mime == "image/png" else "jpg"
        msg.add_attachment(data, maintype="image", subtype=mime.split("/")[1], filename=f"{name}.{ext}")
    msg.set_boundary(f"fanmail-{rng.getrandbits(64):016x}")
    return msg.as_bytes()


def generate(count: int, seed: int = 7, *, scanned: int = 0) -> list[GeneratedDoc]:
    """`count` documents cycling text PDF, image, plain text (one in ten plain texts a complaint),
    then `scanned` scanned PDFs. Same seed, same bytes."""
    rng = random.Random(seed)
    docs: list[GeneratedDoc] = []
    formats = [FORMAT_CYCLE[n % 3] for n in range(count)] + [DocFormat.SCANNED_PDF] * scanned
    for n, fmt in enumerate(formats):
        email_id = f"doc{n:04d}.eml"
        if fmt == DocFormat.TEXT and n % 10 == 8:
            fields, lines = complaint_fields(rng)
        else:
            fields = random_fields(rng, rng.choice(list(TITLES)))
            lines = document_lines(fields, rng)
        stated = fields.total if fmt != DocFormat.TEXT else None
        raw = build_email(email_id, fields, fmt, lines, rng, stated_total=stated)
        docs.append(GeneratedDoc(email_id, fmt, fields, raw, stated, lines))
    return docs


def write_corpus(folder: Path, docs: list[GeneratedDoc]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "truth.jsonl").open("w") as truth:
        for doc in docs:
            (folder / doc.email_id).write_bytes(doc.raw)
            truth.write(doc.truth.model_dump_json() + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write seeded test documents as .eml files plus truth.jsonl")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--scanned", type=int, default=0, help="extra scanned (image-only) PDFs")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    write_corpus(args.folder, generate(args.count, args.seed, scanned=args.scanned))
    print(f"wrote {args.count + args.scanned} emails to {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
