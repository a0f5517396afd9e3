"""Report CSVs hold text from untrusted mail (a DSN's reason, a contact's segment): a spreadsheet
must not run any of it as a formula, and numbers must stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

from tui.outbound import report
from tui.outbound.report import RecipientReport


def test_campaign_report_csv_quotes_formulas_and_keeps_numbers(tmp_path: Path) -> None:
    row = RecipientReport(
        campaign_id="c1", segment="+cmd|' /C calc'!A0", recipient="a@example.com", row=2,
        message_id="<m@x>", status="bounced", smtp="accepted", smtp_code=250, smtp_reply="-12.5",
        attempts=1, delivery="bounced", delivery_source="dsn", delivery_status="5.1.1",
        delivery_reason='=HYPERLINK("http://evil.example","click")', error="@SUM(A1:A9)",
    )
    out = tmp_path / "r.csv"
    report.write_csv(out, [row])
    with open(out, newline="", encoding="utf-8") as handle:
        (cells,) = list(csv.DictReader(handle))
    assert cells["delivery_reason"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert cells["segment"] == "'+cmd|' /C calc'!A0" and cells["error"] == "'@SUM(A1:A9)"
    assert cells["smtp_reply"] == "-12.5" and cells["smtp_code"] == "250"  # numbers untouched
    assert cells["recipient"] == "a@example.com" and cells["delivery_status"] == "5.1.1"
