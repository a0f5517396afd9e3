"""The run in numbers, for tuning the next one: telemetry per agent, the slowest agents,
failures by reason, suggested batch size and timeout, and a timeline of what each agent did."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.app.safe_text import safe_line
from tui.app.triage.state import RunState
from tui.app.widgets.timeline import Timeline
from tui.fanout.telemetry import pace
from tui.model import RunReport
from tui.review.agreement import Agreement
from tui.settings import provider_label

SLOWEST = 5


def summary_table(r: RunReport) -> Table:
    table = Table.grid(padding=(0, 3))
    for _ in range(4):
        table.add_column(no_wrap=True)
    cells = [
        ("emails", f"{r.total}"), ("ok", f"{r.ok}"), ("failed", f"{r.failed}"), ("timed out", f"{r.timeout}"),
        ("duplicates", f"{r.duplicate}"), ("agents", f"{r.agents}"), ("concurrency", f"{r.concurrency}"),
        ("batch size", f"{r.batch_size}"), ("wall", f"{r.wall_s:.1f}s"), ("model time", f"{r.model_time_s:.1f}s"),
        *((("limit at cap", f"{r.ideal_s:.1f}s"), ("wall / limit", f"{r.wall_over_ideal:.2f}x"),
           ("vs sequential", f"{r.speedup_vs_sequential:.1f}x")) if r.model_latency else
          (("throughput", pace(r)),)),
        ("peak busy", f"{r.peak_busy} of {r.concurrency}"), ("latency p50", f"{r.latency_p50_ms:.0f} ms"),
        ("latency p95", f"{r.latency_p95_ms:.0f} ms"), ("retries", f"{r.retries}"),
        ("429s", f"{r.rate_limited}"), ("reassignments", f"{r.reassignments}"),
        ("hedges won", f"{r.hedges_won}/{r.hedges_sent}"),
    ]
    row: list[Text] = []
    for name, value in cells:
        row.append(Text.assemble((f"{name} ", "dim"), (value, "bold")))
        if len(row) == 4:
            table.add_row(*row)
            row = []
    if row:
        table.add_row(*row, *[Text("")] * (4 - len(row)))
    return table


def agents_table(r: RunReport, limit: int | None = None, title: str = "") -> Table:
    per_agent = sorted(r.per_agent, key=lambda a: -a.wall_s)[:limit] if limit else r.per_agent
    table = Table(title=title or None, title_justify="left", expand=False, box=None, header_style="bold")
    for name in ("agent", "emails", "ok", "failed", "retries", "429s", "busy s", "wall s", "moved in", "moved out"):
        table.add_column(name, justify="left" if name == "agent" else "right")
    for a in per_agent:
        table.add_row(a.agent_id, str(a.emails), str(a.ok), str(a.failed), str(a.retries), str(a.rate_limited),
                      f"{a.busy_s:.1f}", f"{a.wall_s:.1f}", str(a.reassigned_in), str(a.reassigned_out))
    return table


def failures_table(reasons: list[tuple[str, int]], fixed: int = 0) -> Table | Text:
    if not reasons:
        return Text(f"None left: {fixed} failed emails were recovered by retries." if fixed else "No failures.")
    table = Table(box=None, header_style="bold")
    table.add_column("emails", justify="right")
    table.add_column("reason", overflow="fold")
    for reason, count in reasons:
        table.add_row(str(count), safe_line(reason))
    return table


def suggestions(r: RunReport) -> Text:
    """The advice first (slots the plan left idle, a cap the provider refused), then the batch
    size and timeout for the next run."""
    return Text.assemble(
        *(Text.assemble(("Next time: ", "bold"), safe_line(note), "\n") for note in r.advice),
        "Next run: ",
        (f"--batch-size {r.suggested_batch_size}", "bold"),
        " (one wave of batches at this concurrency; rebalancing evens out the tail) and ",
        (f"--timeout {r.suggested_timeout_s:g}", "bold"),
        f" (2.5x the p95 latency of {r.latency_p95_ms:.0f} ms: slow answers pass, hangs are cut early).",
    )


def agreement_table(a: Agreement) -> Table | Text:
    """Per field: of the emails the operator reviewed, on how many the model's value stood."""
    if not a.reviewed:
        return Text("No email reviewed yet: correct (m C ! + - P i) or accept (y) rows to measure the model.")
    table = Table(box=None, header_style="bold")
    for name in ("field", "reviewed", "model agreed", "agreement"):
        table.add_column(name, justify="left" if name == "field" else "right")
    for f in a.fields:
        table.add_row(f.field, str(f.reviewed), str(f.agreed), f"{f.share:.0%}")
    return table


def confusion_table(a: Agreement) -> Table | Text:
    """The run's route (rows) against the operator's (columns), over reviewed emails."""
    if not a.confusion:
        return Text("No reviewed email with a route.")
    routes = sorted({*a.confusion, *(r for row in a.confusion.values() for r in row)})
    table = Table(box=None, header_style="bold", title="route: the run's ↓, the operator's →", title_justify="left")
    table.add_column("run's route", justify="left")
    for route in routes:
        table.add_column(safe_line(route), justify="right")
    for model in routes:
        if counts := a.confusion.get(model):
            table.add_row(safe_line(model), *(Text(str(counts.get(o, 0) or "·"), style="bold" if model == o else "")
                                              for o in routes))
    return table


class RunReportScreen(Screen[None]):
    """Pushed with `t`, and offered when a run ends; escape goes back to the dashboard."""

    BINDINGS = [
        Binding("escape,backspace,t", "app.pop_screen", "Back", id="report-back"),
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, state: RunState, agreement: Agreement | None = None) -> None:
        super().__init__()
        self.state = state
        self.agreement = agreement  # None: this run cannot be reviewed (a replay, no store)

    def head(self) -> ComposeResult:
        """The report's first sections: the run's numbers once it has ended (the watch's report lists its waves)."""
        report = self.state.report
        if report is None:
            yield Static("Run report: the run is still going; numbers appear when it ends.",
                         classes="section-title")
        else:
            yield Static(f"Run report · run {report.run_id} · {provider_label(report.provider, report.model)}",
                         classes="section-title", markup=False)
            yield Static(Group(summary_table(report), Text(""), suggestions(report)), classes="section")

    def compose(self) -> ComposeResult:
        state, report = self.state, self.state.report
        with VerticalScroll(id="report"):
            yield from self.head()
            if self.agreement is not None:
                yield Static(f"Model vs operator · {self.agreement.reviewed} emails reviewed", classes="section-title")
                yield Static(Group(agreement_table(self.agreement), Text(""), confusion_table(self.agreement)),
                             classes="section", id="report-agreement")
            yield Static("Failures by reason", classes="section-title")
            yield Static(failures_table(state.failures_by_reason(), state.fixed_by_retry()), classes="section", id="report-failures")
            if report is not None:
                yield Static(f"Slowest {SLOWEST} agents (wall time)", classes="section-title")
                yield Static(agents_table(report, SLOWEST), classes="section")
            yield Static("Timeline: one lane per agent", classes="section-title")
            yield Timeline(id="timeline", classes="section")
            if report is not None:
                yield Static("Telemetry per agent", classes="section-title")
                yield Static(agents_table(report), classes="section")
        yield Footer()

    def on_mount(self) -> None:
        state = self.state
        agents = state.report_agents()
        t0 = state.started_at or 0.0
        ends = [s.end for a in agents for s in a.spans if s.end is not None]
        t1 = max([state.ended_at or 0.0, *ends]) if state.finished else state.clock()
        self.query_one(Timeline).show(agents, state.moves, t0, max(t1, t0 + 1.0))

    def action_scroll(self, lines: int) -> None:
        self.query_one("#report", VerticalScroll).scroll_relative(y=lines, animate=False)
