"""The live inbox: a virtual table on Textual's line API.

Why not DataTable: every add_row/update_cell there invalidates the whole visible table and the
cursor is an index, so at 500-700 results/s key-to-screen p95 was ~110 ms (measured, see
ARCHITECTURE.md). Here rows live in a list kept sorted by binary insertion (`bisect`) on a
precomputed key (no re-sort per row, one sort when the mode changes); only the lines on screen
are rendered, so the cost does not grow with the row count; each row's strip is cached until
that row changes; and the cursor is an email id, so streaming never moves it to another email.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace
from collections.abc import Callable, Iterable, Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.widgets.inbox_cells import SORT_KEYS, Layout, SortKey, cells, haystack, header_text, layout
from tui.model import ResultRow

_STATES = ("urgent", "review", "failed")


class InboxTable(ScrollView, can_focus=True):
    """Sorted, filterable, live inbox. Line 0 is a fixed header; rows start at line 1."""

    COMPONENT_CLASSES = {
        "inbox-table--header",
        "inbox-table--cursor",
        "inbox-table--urgent",
        "inbox-table--review",
        "inbox-table--failed",
        "inbox-table--injection",
        "inbox-table--marked",
        "inbox-table--corrected",
    }

    DEFAULT_CSS = """
    InboxTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        color: $foreground;
        & > .inbox-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .inbox-table--urgent { color: $text-warning; text-style: bold; }
        & > .inbox-table--review { color: $text-secondary; text-style: italic; }
        & > .inbox-table--failed { color: $text-error; }
        & > .inbox-table--injection { color: $text-error; text-style: bold; }
        & > .inbox-table--marked { background: $secondary 35%; text-style: bold; }
        & > .inbox-table--corrected { color: $text-success; }
        & > .inbox-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .inbox-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False),
        Binding("k,up", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Open"),
    ]

    sort_modes: tuple[str, ...] = tuple(SORT_KEYS)

    class _AboutEmail(Message):
        def __init__(self, table: InboxTable, email_id: str) -> None:
            super().__init__()
            self.table = table
            self.email_id = email_id

        @property
        def control(self) -> InboxTable:
            return self.table

    class Selected(_AboutEmail):
        """Enter (or a double click) on a row: open that email."""

    class Highlighted(_AboutEmail):
        """The cursor is on another email. A newer one replaces a stale one still queued."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, InboxTable.Highlighted) and message.table is self.table

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None,
                 actions: bool = False, bindings: Sequence[Binding] = ()) -> None:
        super().__init__(name=name, id=id, classes=classes)
        for binding in Binding.make_bindings(bindings):  # the screen's keys that show while the inbox has focus
            name, _, args = binding.action.partition("(")
            forward = f"forward({name!r}{', ' + args.rstrip(')') if args.rstrip(')') else ''})"
            self._bindings.key_to_bindings.setdefault(binding.key, []).append(replace(binding, action=forward))
        self.show_actions = actions  # an Action column (IMAP runs), filled by set_actions
        self._actions: dict[str, str] = {}
        self._badges: dict[str, str] = {}  # who decided a corrected row, shown before its subject
        self._marked: set[str] = set()
        self._scope: Callable[[str], bool] | None = None  # e.g. only rows needing review
        self._rows: dict[str, ResultRow] = {}
        self._keys: dict[str, SortKey] = {}
        self._hay: dict[str, str] = {}
        self._order: list[SortKey] = []  # every row, sorted
        self._view: list[SortKey] | None = None  # the filtered rows, sorted; None = no filter
        self._needle = ""
        self._sort_mode = "priority"
        self._cursor_id: str | None = None
        self.operator_moved = False  # a key or click moved the cursor: the run's end leaves it there
        self._strips: LRUCache[tuple[str, bool], Strip] = LRUCache(1024)
        self._paint_key: object = None  # (width, styles) the cached strips were made with
        self._layout: Layout = ()
        self._width = 0
        self._base = Style()
        self._styles: dict[str, Style] = {}
        self._header = Strip.blank(0)

    # ------------------------------------------------------------------ keys the screen handles

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A forwarded key is enabled, disabled or hidden as its own screen says (not the screen
        on top: a modal's footer must not offer the dashboard's keys)."""
        if action == "forward" and parameters:
            return self.screen.check_action(str(parameters[0]), tuple(parameters[1:]))
        return True

    async def action_forward(self, name: str, *args: object) -> None:
        await self.app.run_action(f"{name}({', '.join(map(repr, args))})", self.screen)

    # ------------------------------------------------------------------ public API

    @property
    def sort_mode(self) -> str:
        return self._sort_mode

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._visible)

    @property
    def selected_email_id(self) -> str | None:
        return self._cursor_id if self._cursor_index() is not None else None

    def get_row(self, email_id: str) -> ResultRow | None:
        return self._rows.get(email_id)

    def upsert_many(self, rows: Iterable[ResultRow]) -> None:
        """Insert or replace rows by email id; one repaint for the whole batch, of the lines
        from the first changed one down (rows landing below the screen repaint nothing)."""
        before = self._cursor_index()
        old_top = self.scroll_offset.y
        key_of = SORT_KEYS[self._sort_mode]
        first = len(self._visible)  # lowest index of the shown list touched: all above is unchanged
        for row in rows:
            eid = row.email_id
            if eid in self._rows:
                first = min(first, self._remove(eid))
            key = key_of(row)
            self._rows[eid] = row
            self._keys[eid] = key
            self._hay[eid] = hay = haystack(row)
            first = min(first, self._insert(self._order, key))
            if self._view is not None and self._needle in hay and (self._scope is None or self._scope(eid)):
                first = min(first, self._insert(self._view, key))
        self._after_change(before, old_top, changed_from=first)

    def select_email(self, email_id: str) -> bool:
        """Put the cursor on that email if it is shown; False if it is not."""
        key = self._keys.get(email_id)
        keys = self._visible
        i = bisect_left(keys, key) if key is not None else len(keys)
        if i >= len(keys) or keys[i] != key:
            return False
        self.operator_moved = True  # n/N, a search, the detail's next: the operator's choice
        self._move_to(i)
        return True

    def action_text(self, email_id: str) -> str:
        return self._actions.get(email_id, "")

    def set_actions(self, texts: dict[str, str]) -> None:
        """The Action column's text per email id; repaints only those rows."""
        for eid, text in texts.items():
            if self._actions.get(eid) == text:
                continue
            self._actions[eid] = text
            self._repaint(eid)

    def set_badges(self, texts: dict[str, str]) -> None:
        """Who decided a row, when not the model ("✎ alice"): shown before the subject."""
        for eid, text in texts.items():
            if self._badges.get(eid, "") != text:
                self._badges[eid] = text
                self._repaint(eid)

    @property
    def marked(self) -> list[str]:
        """Marked rows, in the order shown (rows hidden by the filter stay marked)."""
        return [str(k[-1]) for k in self._order if k[-1] in self._marked]

    def toggle_mark(self, email_id: str) -> bool:
        """Mark or unmark one row; True if it is marked now."""
        if email_id in self._marked:
            self._marked.discard(email_id)
        elif email_id in self._rows:
            self._marked.add(email_id)
        self._repaint(email_id)
        return email_id in self._marked

    def mark_shown(self) -> int:
        """Mark every row the filter shows, or unmark them all if all were marked; how many are marked now."""
        shown = {str(k[-1]) for k in self._visible}
        if shown and shown <= self._marked:
            self._marked -= shown
        else:
            self._marked |= shown
        self._strips.clear()
        self.refresh()
        return len(self._marked)

    def clear_marks(self) -> None:
        if self._marked:
            self._marked.clear()
            self._strips.clear()
            self.refresh()

    def find(self, keep: Callable[[str], bool], step: int = 1) -> str | None:
        """The next shown row after the cursor (`step` -1: before it) that `keep` accepts, wrapping."""
        keys = self._visible
        if not keys:
            return None
        start = self._cursor_index()
        start = (-1 if step > 0 else len(keys)) if start is None else start
        for n in range(1, len(keys) + 1):
            eid = str(keys[(start + n * step) % len(keys)][-1])
            if keep(eid):
                return eid
        return None

    def set_scope(self, keep: Callable[[str], bool] | None) -> None:
        """Show only rows `keep` accepts (with the text filter on top); None shows every row.
        `keep` is asked again for a row whenever that row is upserted."""
        before = self._cursor_index()
        self._scope = keep
        self._rebuild_view()
        self._after_change(before, self.scroll_offset.y, reveal=True)

    @property
    def scoped(self) -> bool:
        return self._scope is not None

    def _repaint(self, eid: str) -> None:
        self._strips.discard((eid, False))
        self._strips.discard((eid, True))
        self._refresh_email(eid)

    def set_sort(self, mode: str) -> None:
        """Re-sort everything once; the cursor stays on its email."""
        if mode not in SORT_KEYS:
            raise ValueError(f"unknown sort mode {mode!r}; one of {self.sort_modes}")
        before = self._cursor_index()
        self._sort_mode = mode
        key_of = SORT_KEYS[mode]
        self._keys = {eid: key_of(row) for eid, row in self._rows.items()}
        self._order = sorted(self._keys.values())
        self._rebuild_view()
        self._after_change(before, self.scroll_offset.y, reveal=True)

    def set_filter(self, text: str) -> None:
        """Case-insensitive substring over subject, sender, route, category, status; '' clears."""
        before = self._cursor_index()
        self._needle = text.casefold()
        self._rebuild_view()
        self._after_change(before, self.scroll_offset.y, reveal=True)

    # ------------------------------------------------------------------ ordering

    @property
    def _visible(self) -> list[SortKey]:
        return self._order if self._view is None else self._view

    def _rebuild_view(self) -> None:
        needle, hay, scope = self._needle, self._hay, self._scope
        if not needle and scope is None:
            self._view = None
            return
        self._view = [k for k in self._order if needle in hay[k[-1]]  # type: ignore[index]
                      and (scope is None or scope(str(k[-1])))]

    def _insert(self, keys: list[SortKey], key: SortKey) -> int:
        """Insert keeping order (what `insort` does); returns the index if `keys` is on screen."""
        i = bisect_left(keys, key)
        keys.insert(i, key)
        return i if keys is self._visible else len(keys)

    def _remove(self, eid: str) -> int:
        """Drop the email's key from every list; returns its index in the shown list (or its length)."""
        key, shown = self._keys[eid], len(self._visible)
        for keys in (self._order, self._view):
            if keys is not None:
                i = bisect_left(keys, key)
                if i < len(keys) and keys[i] == key:
                    del keys[i]
                    shown = i if keys is self._visible else shown
        self._strips.discard((eid, False))
        self._strips.discard((eid, True))
        return shown

    def _cursor_index(self) -> int | None:
        key = self._keys.get(self._cursor_id) if self._cursor_id is not None else None
        if key is None:
            return None
        keys = self._visible
        i = bisect_left(keys, key)
        return i if i < len(keys) and keys[i] == key else None

    def _after_change(self, before: int | None, old_top: int, reveal: bool = False, changed_from: int = 0) -> None:
        """Settle the cursor on an email, keep it where the eye is, repaint once."""
        keys = self._visible
        index = self._cursor_index()
        if index is None and keys:
            # Lost (filtered out) or never set: take the row now where it was, else the top.
            key = self._keys.get(self._cursor_id) if self._cursor_id is not None else None
            index = min(bisect_left(keys, key), len(keys) - 1) if key is not None else 0
            self._set_cursor(str(keys[index][-1]))
        self._sync_virtual_size()
        if index is not None:
            if not reveal and before is not None and old_top > 0:
                # Scrolled away from the top: rows landing above must not slide the cursor row.
                self._scroll_top(old_top + index - before)
            self._reveal(index)
        top = self.scroll_offset.y
        if top == old_top and changed_from < top + self._page:  # (a scroll repaints it all anyway)
            y = max(0, changed_from - top) + 1
            self.refresh(Region(0, y, self.size.width, self._page + 1 - y))

    # ------------------------------------------------------------------ cursor and scrolling

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _set_cursor(self, eid: str) -> None:
        if eid != self._cursor_id:
            old, self._cursor_id = self._cursor_id, eid
            self._refresh_email(old)
            self._refresh_email(eid)
            self.post_message(self.Highlighted(self, eid))

    def _move_to(self, index: int) -> None:
        keys = self._visible
        if not keys:
            return
        index = max(0, min(index, len(keys) - 1))
        self._set_cursor(str(keys[index][-1]))
        self._reveal(index)

    def _reveal(self, index: int) -> None:
        top = self.scroll_offset.y
        if index < top:
            self._scroll_top(index)
        elif index >= top + self._page:
            self._scroll_top(index - self._page + 1)

    def _scroll_top(self, top: int) -> None:
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)

    def _sync_virtual_size(self) -> None:
        """Grow the scrollable height without a screen relayout when the scrollbar can't change.

        Assigning `virtual_size` triggers a layout of the whole screen (~90 ms with 500 agent
        panels mounted, measured by bench/ui.py), yet a new row count only changes the table's
        own scrollbar thumb, unless the scrollbar appears or disappears (layout then)."""
        old, size = self.virtual_size, Size(0, len(self._visible) + 1)
        if size == old:
            return
        height = self.container_size.height
        if not height or (old.height > height) != (size.height > height):
            self.virtual_size = size
            return
        self.set_reactive(InboxTable.virtual_size, size)
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = size.height
            bar.window_size = self.scrollable_content_region.height
            bar.refresh()

    def _refresh_email(self, eid: str | None) -> None:
        """Repaint just that email's line, if it is on screen."""
        key = self._keys.get(eid) if eid is not None else None
        if key is None:
            return
        keys = self._visible
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            self.refresh(Region(0, i - self.scroll_offset.y + 1, self.size.width, 1))

    def action_cursor_down(self) -> None:
        self.operator_moved = True
        self._step(1)

    def action_cursor_up(self) -> None:
        self.operator_moved = True
        self._step(-1)

    def action_page_down(self) -> None:
        self.operator_moved = True
        self._step(self._page)

    def action_page_up(self) -> None:
        self.operator_moved = True
        self._step(-self._page)

    def action_first(self) -> None:
        self.operator_moved = True
        self._move_to(0)

    def action_last(self) -> None:
        self.operator_moved = True
        self._move_to(len(self._visible) - 1)

    def action_select(self) -> None:
        if (eid := self.selected_email_id) is not None:
            self.post_message(self.Selected(self, eid))

    def _step(self, delta: int) -> None:
        index = self._cursor_index()
        self._move_to(0 if index is None else index + delta)

    def top_unless_moved(self) -> None:
        """At the run's end the most urgent rows are at the top: go there, unless the operator has
        moved the cursor (then it stays on the email they chose)."""
        if not self.operator_moved:
            self._move_to(0)

    def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)  # inside any border or padding the app gives us
        if offset is None or offset.y < 1:
            return
        index = self.scroll_offset.y + offset.y - 1
        if index < len(self._visible):
            self.operator_moved = True
            self._move_to(index)
            if event.chain == 2:
                self.action_select()

    # ------------------------------------------------------------------ rendering

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._paint_key = None

    def render_lines(self, crop: Region) -> list[Strip]:
        """Snapshot width and theme styles once per paint (both are costly to read per line);
        drop the cached strips if either changed."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        styles = {name: self.get_component_rich_style(f"inbox-table--{name}", partial=True)
                  for name in ("header", "cursor", "injection", "marked", "corrected", *_STATES)}
        paint_key = (width, base, tuple(styles.values()))
        if paint_key != self._paint_key:
            self._paint_key = paint_key
            self._strips.clear()
            self._layout = layout(width, actions=self.show_actions)
            self._width, self._base, self._styles = width, base, styles
            header = base + styles["header"]
            self._header = self._fit_strip([Segment(header_text(self._layout), header)], header)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self._width
        if y == 0:
            return self._header
        index = self.scroll_offset.y + y - 1
        keys = self._visible
        if index >= len(keys):
            return Strip.blank(width, self._base)
        eid = str(keys[index][-1])
        cache_key = (eid, eid == self._cursor_id)
        strip = self._strips.get(cache_key)
        if strip is None:
            strip = self._row_strip(self._rows[eid], cache_key[1])
            self._strips.set(cache_key, strip)
        return strip

    def _fit_strip(self, segments: list[Segment], style: Style) -> Strip:
        return Strip(segments).extend_cell_length(self._width, style).crop(0, self._width)

    def _row_strip(self, row: ResultRow, is_cursor: bool) -> Strip:
        styles = self._styles
        style = self._base
        if row.urgent:
            style += styles["urgent"]
        if row.review:
            style += styles["review"]
        if row.status in ("failed", "timeout"):
            style += styles["failed"]
        eid = row.email_id
        badge = self._badges.get(eid, "")
        if badge:
            style += styles["corrected"]
        if eid in self._marked:
            style += styles["marked"]
        cursor = styles["cursor"] if is_cursor else Style()
        plain, flagged = style + cursor, style + styles["injection"] + cursor
        segments: list[Segment] = []
        text: list[str] = []
        for name, cell in cells(row, self._layout, self._actions.get(eid, ""), badge, eid in self._marked):
            if name == "injection" and row.injection:
                segments.append(Segment(" ".join(text) + " ", plain))
                segments.append(Segment(cell, flagged))
                text = [""]
            else:
                text.append(cell)
        segments.append(Segment(" ".join(text), plain))
        return self._fit_strip(segments, plain)
