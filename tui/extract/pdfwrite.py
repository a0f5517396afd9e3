"""A minimal PDF writer for the document generator: text pages (Helvetica) and image-only pages.

Written here instead of adding a PDF-writing dependency: the generator needs only lines of
ASCII text and a JPEG per page, and pypdf (the reader we test against) must parse the result.
"""

from __future__ import annotations

PAGE_W, PAGE_H = 595, 842  # A4 in points


def _escape(text: str) -> str:
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _document(objects: list[bytes]) -> bytes:
    """Objects 1..N (1 is the catalog) with a correct xref table and trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def text_pdf(lines: list[str], *, font_size: int = 11) -> bytes:
    """One page of left-aligned lines (as many as fit)."""
    leading = font_size + 5
    ops = [f"BT /F1 {font_size} Tf {leading} TL 56 {PAGE_H - 64} Td"]
    for line in lines[: (PAGE_H - 100) // leading]:
        ops.append(f"({_escape(line)}) Tj T*")
    ops.append("ET")
    content = "\n".join(ops).encode("latin-1")
    return _document([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>" % (PAGE_W, PAGE_H),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        _stream(b"", content),
    ])


def image_pdf(jpeg: bytes, width: int, height: int) -> bytes:
    """One page showing one greyscale JPEG and no text layer: what a scanner produces."""
    scale = min((PAGE_W - 40) / width, (PAGE_H - 40) / height)
    w, h = width * scale, height * scale
    content = f"q {w:.2f} 0 0 {h:.2f} 20 {PAGE_H - 20 - h:.2f} cm /Im1 Do Q".encode()
    return _document([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im1 4 0 R >> >> "
        b"/Contents 5 0 R >>" % (PAGE_W, PAGE_H),
        _stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Filter /DCTDecode" % (width, height), jpeg),
        _stream(b"", content),
    ])
