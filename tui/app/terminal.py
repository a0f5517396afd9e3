"""The one check every dashboard makes before it opens: is there a terminal to draw on and read keys from?

Textual-free, so a command can ask before it does any work (the campaign registers its ledger first).
"""

from __future__ import annotations

import sys

from tui.settings import ConfigError


def require_terminal(hint: str = "add --headless") -> None:
    """Refuse at once in a cron job, a pipe or `< /dev/null`, where the app would start and spin unseen."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise ConfigError(f"the dashboard needs a terminal; {hint}")
