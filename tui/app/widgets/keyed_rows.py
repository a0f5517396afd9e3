"""Rows keyed by id in a DataTable, painted by a view's flush (extraction, campaign)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable


def upsert_row(table: DataTable[Text], key: str, columns: Sequence[str], cells: Sequence[Text]) -> None:
    """Add row `key`, or update its cells in place: no rebuild, so the cursor stays where it is."""
    if key in table.rows:
        for name, cell in zip(columns, cells):
            table.update_cell(key, name, cell)
    else:
        table.add_row(*cells, key=key)
