"""Untrusted mail text as Rich `Text`: never parsed as markup, control characters made visible.

One-line fields (subjects, senders, errors) also show newlines as symbols; bodies keep their
lines. The character mapping itself is the inbox table's `visible()`, so every view agrees.
"""

from __future__ import annotations

from rich.text import Text

from tui.app.widgets.inbox_cells import visible


def safe_line(text: str | None, style: str = "", *, wrap: bool = False) -> Text:
    """A single line: ESC -> ␛, newline -> ␊, markup shown as typed. `wrap` folds instead of cutting."""
    if wrap:
        return Text(visible(text or ""), style=style, overflow="fold")
    return Text(visible(text or ""), style=style, no_wrap=True, overflow="ellipsis")


def safe_block(text: str | None, style: str = "") -> Text:
    """A multi-line body: lines kept, tabs expanded, every other control character visible."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    return Text("\n".join(visible(line.expandtabs(4)) for line in lines), style=style)


def plain_line(text: str | None) -> str:
    """The same one-line mapping as a str, for places that build their own Text."""
    return visible(text or "")
