"""USERS.csv for `fanmail provision`: who gets a mailbox, and the passwords they log in with.

Columns: `user` (the login, required; a bare name or an address), `email` (where the welcome
goes; default: the user when it is an address), `name` (for the greeting), `password`
(optional: one is generated when empty). A row that cannot be provisioned (bad login, no
address, the second row for a user) is kept as a user with `problem` set, so it is reported,
never dropped. A file that is not such a CSV at all is one ConfigError.

Passwords are secrets: `ProvisionUser.password` is excluded from every dump and repr, and the
only place one is written is an explicit credentials file (mode 0600).
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

from tui.outbound.contacts import valid_address
from tui.outbound.tables import read_table
from tui.settings import ConfigError

USER_COLUMNS = ("user", "username", "login")
MAX_USERS = 100_000
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}(@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)?$")
_PASSWORD_BAD = re.compile(r"[\x00-\x1f\x7f]")


class ProvisionUser(BaseModel):
    """One CSV row. `generated` says the password was made here (so it must be kept somewhere)."""

    row: int = Field(description="line in the CSV (the header is line 1)")
    user: str
    email: str = ""
    name: str = ""
    password: SecretStr = Field(default=SecretStr(""), exclude=True, repr=False)
    generated: bool = False
    problem: str = ""


def generate_password() -> str:
    """24 URL-safe characters (~143 bits): no quoting trouble in IMAP, CSV or passwd files."""
    return secrets.token_urlsafe(18)


def read_users(path: Path) -> list[ProvisionUser]:
    """Every row of the CSV as a user (bad ones with `problem` set); ConfigError for a bad file."""
    table = read_table(path, "users file", needs="a user column", max_rows=MAX_USERS)
    columns = {(c or "").strip().lower(): c for c in table.columns}
    user_col = next((columns[c] for c in USER_COLUMNS if c in columns), None)
    if user_col is None:
        raise ConfigError(f"users file {path} has no user column (one of: {', '.join(USER_COLUMNS)})")
    users: list[ProvisionUser] = []
    seen: set[str] = set()
    for index, (line, raw) in enumerate(table.rows):
        if None in raw:
            raise ConfigError(f"users file {path}: line {line} has more fields than the header")
        users.append(_user(index + 2, raw, user_col, columns, seen))
    if not users:
        raise ConfigError(f"users file {path} has a header but no users")
    return users


def _user(row: int, raw: dict[str | None, str | None], user_col: str, columns: dict[str, str],
          seen: set[str]) -> ProvisionUser:
    def value(name: str) -> str:
        column = columns.get(name)
        return (raw.get(column) or "") if column else ""

    user = (raw.get(user_col) or "").strip().lower()
    email = value("email").strip().lower() or (user if "@" in user else "")
    name = " ".join(value("name").split())[:200]
    password = value("password")
    problem = ""
    if not _LOGIN.match(user):
        problem = "bad user name (letters, digits, . _ + - and one @domain only)"
    elif user in seen:
        problem = "duplicate user (an earlier row has it)"
    elif not valid_address(email):
        problem = "no valid address for the welcome mail (give an email column or a user@domain login)"
    elif password and (_PASSWORD_BAD.search(password) or len(password) > 256):
        problem = "the password has control characters or is longer than 256"
    if not problem:
        seen.add(user)
    return ProvisionUser(row=row, user=user or "(empty)", email=email, name=name,
                         password=SecretStr(password), problem=problem)


# ---------------------------------------------------------------- credentials file


def read_credentials(path: Path) -> dict[str, str]:
    """user -> password from an earlier run's credentials file ({} when it does not exist yet)."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"cannot read credentials file {path}: {getattr(exc, 'strerror', None) or 'not a CSV'}") from None
    found: dict[str, str] = {}
    for row in rows:
        user, password = (row.get("user") or "").strip().lower(), row.get("password") or ""
        if user and password:
            found[user] = password
    return found


def write_credentials(path: Path, passwords: dict[str, str]) -> None:
    """Write user,password rows atomically, readable by the owner only (0600 from creation on)."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=folder)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["user", "password"])
            for user in sorted(passwords):
                writer.writerow([user, passwords[user]])
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def assign_passwords(users: list[ProvisionUser], known: dict[str, str]) -> None:
    """Fill in missing passwords: the CSV's own, else one kept from an earlier run, else a new one."""
    for user in users:
        if user.problem or user.password.get_secret_value():
            continue
        if user.user in known:
            user.password = SecretStr(known[user.user])
        else:
            user.password = SecretStr(generate_password())
            user.generated = True
