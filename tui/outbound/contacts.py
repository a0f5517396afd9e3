"""Contacts CSV: one recipient per row, every column a template field; untrusted data throughout.

A row whose address is unusable (missing, not one plain ASCII address, contains a line break) is
not dropped: it becomes a `Contact` with `problem` set, so the report shows it as `invalid`.
The second row for an address already seen is reported as `duplicate` (each address is mailed once).
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from tui.outbound.tables import read_table
from tui.settings import ConfigError

EMAIL_COLUMNS = ("email", "address", "e-mail", "mail")
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
MAX_ROWS = 1_000_000


class Contact(BaseModel):
    """One CSV row: its line number, its address (lower-cased), every column, and what is wrong."""

    row: int = Field(description="line number in the CSV file (header is line 1)")
    email: str
    fields: dict[str, str]
    problem: str = ""

    @property
    def key(self) -> str:
        """The ledger key: the address, or the row for one that is not sent (invalid, duplicate)."""
        return f"row:{self.row}" if self.problem else self.email


def valid_address(value: str) -> bool:
    """One bare ASCII addr-spec: no display name, no spaces, no CR/LF, no second address."""
    return len(value) <= 254 and bool(_ADDRESS.match(value))


def read_contacts(path: Path) -> tuple[list[str], list[Contact]]:
    """The CSV's columns and its contacts; ConfigError (one line) when the file itself is unusable."""
    table = read_table(path, "contacts file", needs="an email column", max_rows=MAX_ROWS)
    columns = [c.strip() for c in table.columns]
    email_col = next((c for c in columns if c.lower() in EMAIL_COLUMNS), None)
    if email_col is None:
        raise ConfigError(f"contacts file {path} has no email column (one of: {', '.join(EMAIL_COLUMNS)})")
    contacts: list[Contact] = []
    seen: set[str] = set()
    for line, raw in table.rows:
        fields = {(k or "").strip(): (v if isinstance(v, str) else "") for k, v in raw.items() if k}
        address = fields.get(email_col, "").strip().lower()
        problem = ""
        if not address:
            problem = "no email address"
        elif not valid_address(address):
            problem = "not a single plain email address"
        elif address in seen:
            problem = "duplicate address (mailed once, from its first row)"
        seen.add(address)
        contacts.append(Contact(row=line, email=address[:254], fields=fields, problem=problem))
    if not contacts:
        raise ConfigError(f"contacts file {path} has no rows")
    return columns, contacts
