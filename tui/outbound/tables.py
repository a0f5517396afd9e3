"""CSV in, CSV and JSONL out: the file handling both outbound commands share.

`read_table` turns every way a CSV file can be unusable (missing, a directory, not UTF-8, not CSV,
no header, too many rows) into one `ConfigError` line; what each row means is the caller's job.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.settings import ConfigError
from tui.spreadsheet import formula_safe

RawRow = dict[str | None, str | None]  # csv.DictReader's row: key None holds extra fields


@dataclass
class Table:
    columns: list[str]                 # the header's names, as written
    rows: list[tuple[int, RawRow]]     # (line number the row ends on, the row)


def read_table(path: Path, what: str, *, needs: str, max_rows: int) -> Table:
    """The CSV's header and rows. `what` names the file in errors ("contacts file"), `needs` says
    which column a header must have ("an email column")."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = list(reader.fieldnames or [])
            if not columns:
                raise ConfigError(f"{what} {path} is empty (it needs a header row with {needs})")
            rows: list[tuple[int, RawRow]] = []
            for raw in reader:
                if len(rows) >= max_rows:
                    raise ConfigError(f"{what} {path} has more than {max_rows} rows")
                rows.append((reader.line_num, raw))
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} {path} is a directory") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{what} {path} is not UTF-8 text") from None
    except csv.Error as exc:
        raise ConfigError(f"{what} {path} is not valid CSV: {exc}") from None
    return Table(columns, rows)


def write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
    """A report table; cells a spreadsheet would run as a formula are quoted (tui/spreadsheet.py)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({k: formula_safe(v) for k, v in row.items()} for row in rows)


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
