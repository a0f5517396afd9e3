"""Correlated logs and traces: who (agent) did what (email, attempt) when, for one run.

- Context: `run_id`, `agent_id`, `batch` and `email_id` live in contextvars. The coordinator sets
  them inside each agent's task (tasks copy the context, so each agent sees its own values);
  `ContextFilter` stamps them on every log record, `ContextAdapter`/`get_logger` lets code that
  runs outside an agent's task (the recorder) pass them explicitly.
- Trace file (`--trace trace.jsonl`): one JSON object per line, written by a background thread
  (the event loop only appends to a queue):
    {"kind": "trace", ...}   a header per run segment (a resumed run appends a new segment)
    {"kind": "event", ...}   every coordinator event, serialised with its time: replayable
    {"kind": "span", ...}    spans derived from the events: run, agent, attempt, verdict
    {"kind": "log", ...}     log records of the `tui` loggers, with the same correlation fields
  Every span and event line has run_id, segment, agent_id, batch and email_id (empty when n/a),
  `t` (seconds since the segment started, monotonic) and `ts` (wall clock, epoch seconds).
- Replay: `read_trace` gives `(t, event)` pairs, `replay_events(path, speed)` yields the same
  event types the coordinator yields, at real speed, faster (speed > 1) or at once (speed 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import json
import logging
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import IO, Any

from tui.fanout import events as ev
from tui.model import ResultRow, RunReport

TRACE_VERSION = 1
CONTEXT_FIELDS = ("run_id", "agent_id", "batch", "email_id")

run_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("fanmail_run_id", default="")
agent_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("fanmail_agent_id", default="")
batch_var: contextvars.ContextVar[str] = contextvars.ContextVar("fanmail_batch", default="")
email_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("fanmail_email_id", default="")
_VARS = {"run_id": run_id_var, "agent_id": agent_id_var, "batch": batch_var, "email_id": email_id_var}

# A library's loggers stay silent unless the application configures them (FANMAIL_LOG=info):
# without this, Python's last-resort handler would print warnings between the progress lines.
logging.getLogger("tui").addHandler(logging.NullHandler())

LOG_FORMAT = ("%(asctime)s %(levelname)s %(name)s run=%(run_id)s agent=%(agent_id)s batch=%(batch)s "
              "email=%(email_id)s %(message)s")


# ---------------------------------------------------------------------------- context


def set_context(**values: str | None) -> None:
    """Set correlation fields for the current task (and the tasks it creates from now on)."""
    for name, value in values.items():
        if value is not None:
            _VARS[name].set(str(value))


@contextlib.contextmanager
def bound(**values: str | None) -> Iterator[None]:
    """Set correlation fields for a block, restoring the previous values afterwards."""
    tokens = [(_VARS[name], _VARS[name].set(str(value))) for name, value in values.items() if value is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def current_context() -> dict[str, str]:
    return {name: var.get() for name, var in _VARS.items()}


def batch_of(agent_id: str, agent_attempt: int | None = None) -> str:
    """The batch label of an agent run: `a07.2` is agent a07's second launch (operator retry)."""
    if not agent_id:
        return ""
    return f"{agent_id}.{agent_attempt}" if agent_attempt else agent_id


class ContextFilter(logging.Filter):
    """Stamps run_id, agent_id, batch and email_id on every record (explicit `extra` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _VARS.items():
            if not getattr(record, name, ""):
                setattr(record, name, var.get())
        return True


class ContextAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A logger whose records carry the current context plus the adapter's own fields."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        extra = {**current_context(), **(self.extra or {}), **kwargs.get("extra", {})}
        kwargs["extra"] = extra
        return msg, kwargs


def get_logger(name: str, **fields: str) -> ContextAdapter:
    return ContextAdapter(logging.getLogger(name), fields)


def install_filter(handler: logging.Handler) -> logging.Handler:
    """Make a handler's records carry the correlation fields (so LOG_FORMAT always works)."""
    if not any(isinstance(f, ContextFilter) for f in handler.filters):
        handler.addFilter(ContextFilter())
    return handler


def configure_logging(stream: IO[str], level: int | str = logging.WARNING) -> logging.Handler:
    """A stderr handler for the `tui` loggers with the correlation fields in every line."""
    if isinstance(level, str):
        level = logging.getLevelName(level.strip().upper())
        if not isinstance(level, int):
            level = logging.INFO
    handler = install_filter(logging.StreamHandler(stream))
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(level)
    logger = logging.getLogger("tui")
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return handler


# ---------------------------------------------------------------------------- events <-> JSON

EVENT_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (ev.RunStarted, ev.AgentQueued, ev.AgentStarted, ev.EmailStarted, ev.EmailDone, ev.EmailRetrying,
                ev.RateLimited, ev.Reassigned, ev.AgentFinished, ev.Paused, ev.SourceFailed, ev.RunAborted,
                ev.RunDone, ev.HedgeSent, ev.HedgeEnded)
}


def encode_event(event: ev.Event) -> dict[str, Any]:
    """`{"type": "EmailDone", "data": {...}}`: rows keep the fields the JSONL contract drops."""
    data: dict[str, Any] = {}
    for f in dataclasses.fields(event):  # type: ignore[arg-type]
        value = getattr(event, f.name)
        if isinstance(value, ResultRow):
            value = value.full_dict()
        elif isinstance(value, RunReport):
            value = value.model_dump(mode="json")
        data[f.name] = value
    return {"type": type(event).__name__, "data": data}


def decode_event(record: dict[str, Any]) -> ev.Event:
    cls = EVENT_TYPES[record["type"]]
    data = dict(record["data"])
    if "row" in data:
        data["row"] = ResultRow.model_validate(data["row"])
    if "report" in data:
        data["report"] = RunReport.model_validate(data["report"])
    return cls(**data)  # type: ignore[no-any-return]


def _event_ids(event: ev.Event) -> tuple[str, str]:
    """(agent_id, email_id) an event is about, for the correlation fields of its line."""
    agent = getattr(event, "agent_id", "") or getattr(event, "to_agent", "")
    if isinstance(event, ev.EmailDone):
        return agent, event.row.email_id
    return agent, getattr(event, "email_id", "")


# ---------------------------------------------------------------------------- writing


class _LineWriter:
    """Appends JSON lines to a file from a background thread (flushed every ~100 ms).

    The event loop only puts items on a queue; `render` (item -> line objects) and the JSON
    encoding run on the writer thread."""

    def __init__(self, path: Path, *, append: bool, render: Callable[[Any], list[dict[str, Any]]],
                 interval: float = 0.1) -> None:
        self.path = path
        self.interval = interval
        self.render = render
        self._q: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._fh = path.open("a" if append else "w", encoding="utf-8")
        self._thread = threading.Thread(target=self._loop, name="fanmail-trace-writer", daemon=True)
        self._thread.start()

    def put(self, item: Any) -> None:
        self._q.put(item)

    def _loop(self) -> None:
        done = False
        while not done:
            lines: list[str] = []
            try:
                item = self._q.get(timeout=self.interval)
                while True:
                    if item is None:
                        done = True
                        break
                    try:
                        lines.extend(json.dumps(obj, ensure_ascii=False, default=str) for obj in self.render(item))
                    except Exception:  # pragma: no cover - a trace bug must never stop the run
                        pass
                    item = self._q.get_nowait()
            except queue.Empty:
                pass
            if lines:
                try:
                    self._fh.write("\n".join(lines) + "\n")
                    self._fh.flush()
                except (OSError, ValueError):
                    pass  # the disk filled up: the run goes on, the trace is just short
        self._fh.close()

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(timeout=30)


class _TraceLogHandler(logging.Handler):
    def __init__(self, writer: "TraceWriter") -> None:
        super().__init__(logging.DEBUG)
        self.writer = writer
        install_filter(self)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.writer.log_record(record)
        except Exception:  # pragma: no cover - logging must never break the run
            self.handleError(record)


@dataclasses.dataclass(slots=True)
class _Open:
    start_t: float
    start_ts: float
    attempt: int = 0
    agent_attempt: int = 0


class TraceWriter:
    """Turns the coordinator's events into trace lines: events (for replay) and spans.

    `on_event` is cheap and never blocks (a queue put). Use one per run segment; `close()` at the end.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        run_id: str,
        segment: int = 1,
        append: bool = False,
        mono: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        log_level: int = logging.INFO,
    ) -> None:
        self.path = Path(path)
        self.run_id = run_id
        self.segment = segment
        self._mono = mono
        self._wall = wall
        self._t0 = mono()
        self._out = _LineWriter(self.path, append=append, render=self._render)
        self._lines: list[dict[str, Any]] = []  # what the current item renders to (writer thread)
        self._agents: dict[str, _Open] = {}  # agent id -> its open agent span
        self._attempts: dict[tuple[str, str], _Open] = {}  # (agent, email) -> open attempt span
        self._hedges: dict[tuple[str, str], _Open] = {}  # (hedging agent, email) -> open hedge span
        self._run: _Open | None = None
        self._closed = False
        self._out.put(("line", {"kind": "trace", "version": TRACE_VERSION, "run_id": run_id, "segment": segment,
                                "ts": wall(), "t": 0.0}))
        self._log_handler = _TraceLogHandler(self)
        self._log_handler.setLevel(log_level)
        logger = logging.getLogger("tui")
        logger.addHandler(self._log_handler)
        if logger.level == logging.NOTSET or logger.level > log_level:
            logger.setLevel(log_level)

    # -- clocks
    def _now(self) -> tuple[float, float]:
        return round(self._mono() - self._t0, 6), self._wall()

    def _base(self, agent_id: str = "", email_id: str = "", agent_attempt: int | None = None) -> dict[str, Any]:
        if agent_attempt is None and agent_id in self._agents:
            agent_attempt = self._agents[agent_id].agent_attempt
        return {"run_id": self.run_id, "segment": self.segment, "agent_id": agent_id,
                "batch": batch_of(agent_id, agent_attempt), "email_id": email_id}

    # -- events
    def on_event(self, event: ev.Event) -> None:
        """Stamp the event with both clocks and queue it: everything else runs on the writer thread."""
        if self._closed:
            return
        t, ts = self._now()
        self._out.put(("event", t, ts, event))

    def _render(self, item: Any) -> list[dict[str, Any]]:
        self._lines = []
        if item[0] == "event":
            _, t, ts, event = item
            agent_id, email_id = _event_ids(event)
            self._lines.append({"kind": "event", "t": t, "ts": ts, **self._base(agent_id, email_id),
                                **encode_event(event)})
            self._spans(event, t, ts)
        else:
            self._lines.append(item[1])
        return self._lines

    def _span(self, name: str, opened: _Open, t: float, ts: float, *, agent_id: str = "", email_id: str = "",
              **fields: Any) -> None:
        self._lines.append({
            "kind": "span", "name": name, **self._base(agent_id, email_id, opened.agent_attempt or None),
            "agent_attempt": opened.agent_attempt, "attempt": opened.attempt,
            "start": opened.start_ts, "end": ts, "t_start": opened.start_t, "t_end": t,
            "duration_s": round(t - opened.start_t, 6), **fields,
        })

    def _close_attempt(self, agent_id: str, email_id: str, t: float, ts: float, outcome: str, **fields: Any) -> None:
        opened = self._attempts.pop((agent_id, email_id), None)
        if opened is not None:
            self._span("attempt", opened, t, ts, agent_id=agent_id, email_id=email_id, outcome=outcome, **fields)

    def _spans(self, event: ev.Event, t: float, ts: float) -> None:
        if isinstance(event, ev.RunStarted):
            self._run = _Open(t, ts)
        elif isinstance(event, ev.AgentStarted):
            self._agents[event.agent_id] = _Open(t, ts, agent_attempt=event.attempt)
        elif isinstance(event, ev.EmailStarted):
            agent = self._agents.get(event.agent_id)
            self._attempts[(event.agent_id, event.email_id)] = _Open(
                t, ts, attempt=event.attempt, agent_attempt=agent.agent_attempt if agent else 0)
        elif isinstance(event, ev.EmailRetrying):
            self._close_attempt(event.agent_id, event.email_id, t, ts, "retry", error=event.error,
                                backoff_s=event.delay_s)
        elif isinstance(event, ev.RateLimited):
            self._close_attempt(event.agent_id, event.email_id, t, ts, "rate_limited",
                                retry_after_s=event.retry_after_s)
        elif isinstance(event, ev.EmailDone):
            row = event.row
            self._close_attempt(event.agent_id, row.email_id, t, ts, row.status, error=row.error or "",
                                trace_id=row.trace_id)
            agent = self._agents.get(event.agent_id) if row.status != "duplicate" else None
            verdict = _Open(t, ts, attempt=row.attempts, agent_attempt=agent.agent_attempt if agent else 0)
            self._span("verdict", verdict, t, ts, agent_id=row.agent_id, email_id=row.email_id,
                       outcome=row.status, trace_id=row.trace_id, error=row.error or "",
                       latency_ms=row.latency_ms)
        elif isinstance(event, ev.AgentFinished):
            opened = self._agents.get(event.agent_id)
            if opened is not None:
                self._span("agent", opened, t, ts, agent_id=event.agent_id, outcome=event.state,
                           ok=event.ok, failed=event.failed, error=event.error)
        elif isinstance(event, ev.HedgeSent):
            self._hedges[(event.agent_id, event.email_id)] = _Open(t, ts)
        elif isinstance(event, ev.HedgeEnded):
            opened = self._hedges.pop((event.agent_id, event.email_id), None)
            if opened is not None:
                self._span("hedge", opened, t, ts, agent_id=event.agent_id, email_id=event.email_id,
                           owner=event.owner, outcome="won" if event.won else "lost")
        elif isinstance(event, ev.Reassigned):
            moment = _Open(t, ts)
            self._span("reassign", moment, t, ts, agent_id=event.to_agent, from_agent=event.from_agent,
                       email_ids=list(event.email_ids))
        elif isinstance(event, ev.RunDone):
            if self._run is not None:
                report = event.report
                self._span("run", self._run, t, ts, outcome="done", ok=report.ok, failed=report.failed,
                           timeout=report.timeout, total=report.total)

    # -- logs
    def log_record(self, record: logging.LogRecord) -> None:
        if self._closed:
            return
        t, ts = self._now()
        line = {"kind": "log", "t": t, "ts": ts, "run_id": getattr(record, "run_id", "") or self.run_id,
                "segment": self.segment}
        for name in ("agent_id", "batch", "email_id"):
            line[name] = getattr(record, name, "")
        line.update(level=record.levelname, logger=record.name, message=record.getMessage())
        self._out.put(("line", line))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        logging.getLogger("tui").removeHandler(self._log_handler)
        self._out.close()


# ---------------------------------------------------------------------------- reading and replay


class TraceError(Exception):
    """The trace file is missing or holds no events; one line for the user."""


def iter_records(path: Path | str) -> Iterator[dict[str, Any]]:
    """Every well-formed line of a trace; a torn last line (a crash mid-write) is skipped."""
    try:
        fh = Path(path).open(encoding="utf-8")
    except OSError as exc:
        raise TraceError(f"cannot read trace {path}: {exc.strerror or exc}") from None
    with fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield obj


def read_trace(path: Path | str, run_id: str | None = None) -> list[tuple[float, ev.Event]]:
    """`(t, event)` pairs in order. Segments of a resumed run follow each other on one timeline."""
    out: list[tuple[float, ev.Event]] = []
    offset = 0.0
    last = 0.0
    for rec in iter_records(path):
        kind = rec.get("kind")
        if run_id is not None and rec.get("run_id") not in (None, run_id):
            continue
        if kind == "trace":
            offset = last
            continue
        if kind != "event" or rec.get("type") not in EVENT_TYPES:
            continue
        try:
            event = decode_event(rec)
        except (TypeError, ValueError, KeyError):
            continue
        last = offset + float(rec.get("t", 0.0))
        out.append((last, event))
    return out


def spans(path: Path | str, name: str | None = None) -> list[dict[str, Any]]:
    return [r for r in iter_records(path) if r.get("kind") == "span" and (name is None or r.get("name") == name)]


def verdict_origins(path: Path | str) -> dict[str, dict[str, Any]]:
    """For each email: the agent, agent launch and attempt that produced its final row.

    Each final row closes the email's open attempt span (outcome ok, failed or timeout) and then
    writes a verdict span; the attempt span says which agent launch and which attempt it was. An
    email never attempted (cancelled while queued, unreadable, duplicate) has only the verdict
    span. A later final row (operator retry, resumed segment) replaces an earlier one.
    """
    origins: dict[str, dict[str, Any]] = {}
    closing: dict[str, dict[str, Any]] = {}  # email -> the attempt span its final row just closed
    for rec in iter_records(path):
        if rec.get("kind") != "span":
            continue
        name, email_id = rec.get("name"), rec.get("email_id", "")
        if name == "attempt" and rec.get("outcome") not in ("retry", "rate_limited"):
            closing[email_id] = rec
        elif name == "verdict":
            attempt = closing.pop(email_id, None)
            src = attempt if attempt is not None and attempt["segment"] == rec["segment"] else rec
            origins[email_id] = {
                "agent_id": src["agent_id"], "agent_attempt": src["agent_attempt"], "attempt": src["attempt"],
                "segment": rec["segment"], "status": rec["outcome"], "trace_id": rec.get("trace_id", ""),
                "from_attempt_span": src is attempt, "at": rec["end"],
            }
    return origins


async def replay_timed(timed: list[tuple[float, ev.Event]], speed: float = 1.0,
                       clock: "ReplayClock | None" = None) -> AsyncIterator[ev.Event]:
    """Yield recorded events with their original spacing divided by `speed` (0: no waiting)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    for at, event in timed:
        if speed and speed > 0:
            wait = started + at / speed - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
        else:
            await asyncio.sleep(0)
        if clock is not None:
            clock.now = at
        yield event


async def replay_events(trace_path: Path | str, speed: float = 1.0, *, run_id: str | None = None,
                        clock: "ReplayClock | None" = None) -> AsyncIterator[ev.Event]:
    """The events of a recorded run, as the coordinator yielded them, at `speed` x real time."""
    timed = await asyncio.to_thread(read_trace, trace_path, run_id)
    if not timed:
        raise TraceError(f"no events in trace {trace_path}")
    async for event in replay_timed(timed, speed, clock):
        yield event


class ReplayClock:
    """The recorded run's time (seconds since it started), advanced by the replay."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

