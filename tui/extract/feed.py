"""The feed a downstream system consumes: JSONL (one record a line) and CSV (the same columns,
formula-safe: tui/spreadsheet.py)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO

from tui.extract.records import ExtractRecord
from tui.spreadsheet import formula_safe

CSV_COLUMNS = list(ExtractRecord.model_fields)


def jsonl_line(record: ExtractRecord) -> str:
    return record.model_dump_json() + "\n"


def _cell(value: object) -> object:
    if isinstance(value, list):
        value = "; ".join(v if isinstance(v, str) else json.dumps(v, sort_keys=True) for v in value)
    return "" if value is None else formula_safe(value)


def write_csv(records: Iterable[ExtractRecord], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for record in records:
        row = record.model_dump(mode="json")
        writer.writerow({name: _cell(row[name]) for name in CSV_COLUMNS})
