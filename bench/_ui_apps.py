"""Stand-in dashboards for bench/ui.py: an inbox table plus 500 agent tiles, fed at a fixed rate.

Two tables share the same tiles and the same row stream, so the only difference measured is
the table: `LineTableApp` (InboxTable, rows buffered and flushed 4x/s inside `batch_update`) and
`DataTableApp` (stock DataTable touched per result as it arrives, sorted once per flush).
"""

from __future__ import annotations

import random
import time
from collections.abc import Hashable
from datetime import timedelta

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tui.agents.rules import classify
from tui.app.widgets.inbox_cells import COLUMNS, visible
from tui.app.triage.inbox_table import InboxTable
from tui.fanout.merge import rank_key
from tui.mail.sample import sample_emails
from tui.model import ResultRow
from tui.settings import Settings

AGENTS = 500
FLUSH_S = 0.25
TICK_S = 0.01


def make_rows(count: int, seed: int = 3, retry_rate: float = 0.03) -> list[ResultRow]:
    """`count` first results (a few failed), then their retries landing later in the stream.

    Subjects and senders come from 400 generated sample emails (markup, unicode, injections),
    verdicts from the rules classifier; generating 10k distinct emails would cost ~7 s.
    """
    rng = random.Random(seed)
    settings = Settings(provider="rules")
    templates = [(e, classify(e, settings)) for e in sample_emails(400, seed=seed)]
    rows: list[ResultRow] = []
    retries: list[tuple[int, ResultRow]] = []
    for i in range(count):
        email, verdict = templates[i % len(templates)]
        date = email.date + timedelta(seconds=i) if email.date else None
        email = email.model_copy(update={"id": f"m{i:05d}", "date": date})
        agent = f"agent-{i % AGENTS:03d}"
        verdict = verdict.model_copy(update={"priority": rng.randrange(101)})
        ok = ResultRow.from_verdict(email, verdict, agent_id=agent)
        if rng.random() < retry_rate:
            status = "timeout" if rng.random() < 0.3 else "failed"
            rows.append(ResultRow.failure(email, status, "sim: 500", agent_id=agent))
            retries.append((i + rng.randrange(300, 3000), ok))
        else:
            rows.append(ok)
    for at, row in sorted(retries, key=lambda pair: pair[0]):
        rows.insert(min(at, len(rows)), row)
    return rows


class StaticTiles(VerticalScroll):
    """500 two-line agent tiles as Static widgets, each updated when its agent reported: the
    simple (and pessimistic) layout; the dashboard draws many agents as one line-API widget."""

    DEFAULT_CSS = """
    StaticTiles { height: 16; }
    StaticTiles Grid { grid-size: 5; grid-rows: 2; grid-gutter: 0 1; height: auto; }
    StaticTiles Static { height: 2; background: $panel; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.tiles = {f"agent-{n:03d}": Static(f"agent-{n:03d} queued", markup=False) for n in range(AGENTS)}

    def compose(self) -> ComposeResult:
        with Grid():
            yield from self.tiles.values()

    def show(self, counts: dict[str, int], last: dict[str, str]) -> None:
        for agent, subject in last.items():
            self.tiles[agent].update(f"{agent} running {counts[agent]}\n{visible(subject)}", layout=False)


class StreamApp(App[None]):
    """Emits `rows` at `rate` per second once `start()` is called; subclasses say where rows go.

    Rows due are computed from the elapsed time, so a late timer tick sends a bigger burst and
    the rate holds however loaded the loop is."""

    def __init__(self, rows: list[ResultRow], rate: float) -> None:
        super().__init__()
        self.rows, self.rate = rows, rate
        self.sent = 0
        self.finished = False  # every row sent and flushed; the timers have stopped
        self.agents = StaticTiles()
        self.table = self.make_table()
        self._t0 = 0.0
        self._counts: dict[str, int] = {}
        self._last: dict[str, str] = {}
        self._stream_timers: list[Timer] = []  # (MessagePump owns `_timers`)

    def compose(self) -> ComposeResult:
        yield self.table
        yield self.agents

    def on_mount(self) -> None:
        self.table.focus()

    @property
    def done(self) -> bool:
        return self.sent >= len(self.rows)

    def start(self) -> None:
        self._t0 = time.perf_counter()
        self._stream_timers = [self.set_interval(TICK_S, self._emit_due),
                               self.set_interval(FLUSH_S, self._on_flush_timer)]

    def _emit_due(self) -> None:
        due = min(len(self.rows), int((time.perf_counter() - self._t0) * self.rate))
        batch, self.sent = self.rows[self.sent:due], max(self.sent, due)
        for row in batch:
            self._counts[row.agent_id] = self._counts.get(row.agent_id, 0) + 1
            self._last[row.agent_id] = row.subject
        self.receive(batch)

    def _on_flush_timer(self) -> None:
        with self.batch_update():
            self.apply_pending()
            self.agents.show(self._counts, self._last)
            self._last = {}
        if self.done:
            for timer in self._stream_timers:
                timer.stop()
            self.finished = True

    def make_table(self) -> Widget:
        raise NotImplementedError

    def receive(self, rows: list[ResultRow]) -> None:
        raise NotImplementedError

    def apply_pending(self) -> None:
        raise NotImplementedError

    def probe(self) -> Hashable:
        """What a j/k press changes: the frame clock waits for a frame showing a new value."""
        raise NotImplementedError


class LineTableApp(StreamApp):
    table: InboxTable

    def make_table(self) -> InboxTable:
        self._pending: list[ResultRow] = []
        return InboxTable(id="inbox")

    def receive(self, rows: list[ResultRow]) -> None:
        self._pending.extend(rows)

    def apply_pending(self) -> None:
        if self._pending:
            self.table.upsert_many(self._pending)
            self._pending = []

    def probe(self) -> Hashable:
        return self.table.selected_email_id


class StockTable(DataTable[Text]):
    BINDINGS = [("j", "cursor_down", "Down"), ("k", "cursor_up", "Up")]


_DT_COLUMNS = ("mark", "priority", "route", "category", "confidence", "injection", "sender", "subject", "agent")


class DataTableApp(StreamApp):
    table: StockTable

    def make_table(self) -> StockTable:
        self._rank: dict[str, tuple[object, ...]] = {}
        table: StockTable = StockTable(id="inbox", cursor_type="row")
        table.styles.height = "1fr"
        return table

    def compose(self) -> ComposeResult:
        for name in _DT_COLUMNS:  # measuring labels needs the running app
            self.table.add_column(COLUMNS[name][0], key=name)
        self.table.add_column("Id", key="id")
        yield from super().compose()

    def receive(self, rows: list[ResultRow]) -> None:
        for row in rows:  # touched per result: what a naive event handler does
            values = [Text(visible(COLUMNS[name][1](row))) for name in _DT_COLUMNS]
            if row.email_id in self._rank:
                for name, value in zip(_DT_COLUMNS, values):
                    self.table.update_cell(row.email_id, name, value)
            else:
                self.table.add_row(*values, Text(row.email_id), key=row.email_id)
            self._rank[row.email_id] = rank_key(row)

    def apply_pending(self) -> None:
        rank = self._rank
        self.table.sort("id", key=lambda eid: rank[eid.plain])

    def probe(self) -> Hashable:
        return self.table.cursor_row
