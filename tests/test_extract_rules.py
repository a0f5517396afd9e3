"""The offline field rules and the fan-in, on their own (no pool, no OCR)."""

from __future__ import annotations

import io

import pytest

from tui.extract.fanin import FanIn
from tui.extract.feed import write_csv
from tui.extract.fields_rules import amount, extract_fields, find_date, stated_total
from tui.extract.records import DocFormat, DocKind, ExtractRecord


@pytest.mark.parametrize("text,value", [("1,234.50", 1234.5), ("1.234,50", 1234.5), ("1'234.50", 1234.5),
                                        ("12.00", 12.0), ("7,20", 7.2), ("", None)])
def test_amounts_in_common_notations(text: str, value: float | None) -> None:
    assert amount(text) == value


@pytest.mark.parametrize("text", ["Date: 2026-03-04", "Date: 4 March 2026", "Date: March 4, 2026", "Date: 04.03.2026",
                                  "Date. 4 Mar 2026"])
def test_dates_become_iso(text: str) -> None:
    assert find_date(text) == "2026-03-04"


def test_impossible_date_is_none_not_an_error() -> None:
    assert find_date("Date: 31.02.2026") is None


def test_ocr_slips_are_tolerated() -> None:
    text = ("Kestrel Logistics\nINVOICE\nInvoice No. INV-2026-4O127\nDate: 2026-03-14\n"
            "2X Toner cartridge 128.00\nSubtotal EUR 128.00\nTOTAL EUR 128.00\n")
    fields = extract_fields(text)
    assert fields.number == "INV-2026-40127"  # O read for 0 inside the number
    assert fields.total == 128.0 and fields.currency == "EUR" and fields.vendor == "Kestrel Logistics"
    assert [(i.quantity, i.description, i.amount) for i in fields.line_items] == [(2, "Toner cartridge", 128.0)]
    assert fields.confidence == 1.0


def test_lines_that_do_not_add_up_lower_the_confidence() -> None:
    fields = extract_fields("ACME\nINVOICE\nInvoice No: INV-2026-11111\nDate: 2026-01-02\n1 x Lamp 10.00\nTOTAL EUR 99.00")
    assert fields.total == 99.0 and fields.confidence < 1.0


def test_complaint_and_other() -> None:
    assert extract_fields("I want a refund, the parcel arrived damaged.").kind == DocKind.COMPLAINT
    assert extract_fields("See you at lunch on Friday?").kind == DocKind.OTHER


def test_stated_total_from_a_cover_note() -> None:
    assert stated_total("Hello,\nplease find attached.\nAmount: GBP 1,204.10\n") == (1204.1, "GBP")
    assert stated_total("Hello, see attached.") == (None, None)


def _record(doc_id: str, **fields: object) -> ExtractRecord:
    base = {"email_id": doc_id.split("#")[0], "format": DocFormat.PDF, "agent": "pdf", "status": "ok",
            "kind": DocKind.INVOICE}
    return ExtractRecord(doc_id=doc_id, **{**base, **fields})  # type: ignore[arg-type]


def test_fanin_flags_three_copies_and_ignores_failed_records() -> None:
    fanin = FanIn()
    fanin.add(_record("a#1", number="INV-1"))
    fanin.add(_record("b#1", number="INV-1", status="failed"))  # a failed record has no trustworthy number
    changed = fanin.add(_record("c#1", number="inv-1"))
    assert [r.doc_id for r in changed] == ["c#1", "a#1"]
    changed = fanin.add(_record("d#1", number="INV-1"))
    feed = {r.doc_id: r for r in fanin.feed()}
    assert len(feed["d#1"].conflicts) == 2 and len(feed["a#1"].conflicts) == 2 and feed["b#1"].conflicts == []
    assert fanin.add(_record("e#1", total=10.0, stated_total=10.004))[0].conflicts == []  # within a cent


def test_csv_defuses_formulas_and_keeps_numbers() -> None:
    out = io.StringIO()
    write_csv([_record("a#1", vendor="=HYPERLINK(\"x\")", total=-5.0, conflicts=["x: y", "z: w"])], out)
    header, row = out.getvalue().splitlines()
    cells = dict(zip(header.split(","), row.split(",")))
    assert cells["vendor"].startswith("\"'=HYPERLINK") and cells["total"] == "-5.0"
    assert "x: y; z: w" in row
