"""The engine of a live run in a child process, so the dashboard's process only draws.

In a thread the engine shared the GIL with the UI: at a few hundred results a second its ~1 ms
of CPU per email sat in front of key presses (bench/ui.py measured p95 90 ms at 10,000 results
and 500 agents). Here the child runs `LiveSession.engine` unchanged; the dashboard gets
`ProcessSession`, which speaks the same `Session` protocol:

The child is `python -m tui.app.triage.engine_process` (a fresh interpreter: forking a process that
runs Textual's threads and an event loop is not safe), talking length-prefixed pickles over its
stdin and stdout; it writes nothing to the terminal.

- parent -> child: the run's arguments, then `(control, *args)` for retry, retry_failed, cancel,
  pause, resume, close. If the dashboard dies, stdin closes and the child ends its run (recorded
  as far as it got), so no engine outlives its operator.
- child -> parent, one frame per 20 ms batch: `("events", [Event...], Status | None)`, then
  `("error", usage, line)` if the run failed and `("end",)`. The status rides along only when it
  changed: what the keys need to answer at once (retryable and live agents, the rate budget, the
  run id).
"""

from __future__ import annotations

import asyncio
import os
import pickle
import queue
import struct
import sys
import tempfile
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

import tui
from tui.app.triage.session import END, LiveSession, Transport
from tui.agents.base import ProviderError
from tui.fanout.events import Event
from tui.mail.sources import SourceError
from tui.model import Email
from tui.run import Status
from tui.settings import ConfigError, Settings

CONTROLS = ("retry", "retry_failed", "cancel", "pause", "resume", "close")
_LENGTH = struct.Struct("!I")  # every frame: its length, then a pickle (parent and child trust each other)
_PIPE_LIMIT = 1 << 20


class EngineFailed(Exception):
    """The engine process stopped on an unexpected error; the message is already one line."""


# ---------------------------------------------------------------------------- framing
def write_frame(stream: BinaryIO, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: BinaryIO) -> object:
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


async def aread_frame(stream: asyncio.StreamReader) -> object:
    size = _LENGTH.unpack(await stream.readexactly(_LENGTH.size))[0]
    return pickle.loads(await stream.readexactly(size))


# ---------------------------------------------------------------------------- the child
def _describe(exc: BaseException) -> tuple[str, bool, str]:
    usage = isinstance(exc, (ProviderError, ConfigError, SourceError))
    return ("error", usage, str(exc) if usage else f"{type(exc).__name__}: {exc}")


def child_main() -> None:
    """Entry point of the engine process: the run's arguments, then controls, arrive on stdin;
    frames go out on what was stdout. Nothing else may reach the terminal."""
    out = os.fdopen(os.dup(1), "wb")
    controls = sys.stdin.buffer
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # stderr is already a file the parent reads if this dies

    settings, source, emails, label, resume, trace_path = read_frame(controls)  # type: ignore[misc]
    session = LiveSession(settings, source, emails, label=label, resume=resume, trace_path=trace_path)
    run = session.run
    outbox: queue.SimpleQueue[object] = queue.SimpleQueue()
    last = Status()

    def post(item: object) -> None:  # on the engine loop: pickling and the pipe are the sender's job
        nonlocal last
        if isinstance(item, list):
            status = run.status()
            changed = status != last
            last = status
            outbox.put(("events", item, status if changed else None))
        elif item is END:
            outbox.put(("events", [], run.status()))
            outbox.put(("end",))
        elif isinstance(item, BaseException):
            outbox.put(_describe(item))

    def send_all() -> None:
        while True:
            message = outbox.get()
            try:
                write_frame(out, message)
            except OSError:  # the dashboard is gone
                session.close()
                return
            if message == ("end",):
                return

    def obey() -> None:
        while True:
            try:
                name, *args = read_frame(controls)  # type: ignore[misc]
            except (EOFError, OSError):  # the dashboard is gone: end the run, recorded as far as it got
                session.close()
                return
            if name in CONTROLS:
                getattr(session, name)(*args)

    sender = threading.Thread(target=send_all, name="fanmail-send", daemon=True)
    sender.start()
    threading.Thread(target=obey, name="fanmail-controls", daemon=True).start()
    asyncio.run(session.engine(post))
    sender.join(30)


# ---------------------------------------------------------------------------- the parent
class ProcessSession(Transport):
    """`Session` for file and sample sources: the run lives in a child process."""

    def __init__(self, settings: Settings, source: str, emails: list[Email], *, label: str,
                 resume: str | None = None, trace_path: str | None = None) -> None:
        self.settings = settings
        self.source = source
        self.email_list = emails
        self.emails = {e.id: e for e in emails}
        self.label = label
        self.resume_id = resume
        self.trace_path = str(Path(trace_path).resolve()) if trace_path else None  # the child's cwd is ours
        self.status = Status()
        self._process: asyncio.subprocess.Process | None = None
        self._errors = tempfile.TemporaryFile()  # the child's stderr: never the terminal, read only on a crash
        self._closed = False

    async def events(self) -> AsyncIterator[Event]:
        """Start the child and yield its events on the caller's loop until the run ends."""
        package_root = str(Path(tui.__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        process = self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tui.app.triage.engine_process",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=self._errors,
            env=env, limit=_PIPE_LIMIT,
        )
        arguments = (self.settings, self.source, self.email_list, self.label, self.resume_id, self.trace_path)
        self._send_frame(await asyncio.to_thread(pickle.dumps, arguments, pickle.HIGHEST_PROTOCOL))
        if self._closed:
            self._send("close")
        assert process.stdout is not None
        try:
            while True:
                try:
                    kind, *rest = await aread_frame(process.stdout)  # type: ignore[misc]
                except (asyncio.IncompleteReadError, EOFError):
                    await process.wait()
                    raise EngineFailed(f"the engine process stopped unexpectedly (exit code {process.returncode})"
                                       + self._last_error_line())
                if kind == "events":
                    events, status = rest
                    if status is not None:
                        self.status = status
                    for event in events:
                        yield event
                elif kind == "error":
                    usage, line = rest
                    raise ConfigError(line) if usage else EngineFailed(line)
                else:
                    return
        finally:
            self.close()
            await self.wait_closed()

    def _last_error_line(self) -> str:
        """The child's last stderr line (a crash's exception), to say why in one line."""
        self._errors.seek(0)
        lines = [line.strip() for line in self._errors.read().decode("utf-8", "replace").splitlines()]
        last = next((line for line in reversed(lines) if line), "")
        return f": {last[:300]}" if last else ""

    def _send_frame(self, data: bytes) -> None:
        stdin = self._process.stdin if self._process else None
        if stdin is None or stdin.is_closing():
            return
        stdin.write(_LENGTH.pack(len(data)) + data)

    def _send(self, name: str, *args: object) -> None:
        self._send_frame(pickle.dumps((name, *args)))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._send("close")

    async def wait_closed(self, timeout: float = 10.0) -> None:
        """End the run and wait (bounded) until the child has recorded it and exited."""
        self.close()
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()


if __name__ == "__main__":  # run by its import name, so what it pickles names the real module
    from tui.app.triage.engine_process import child_main as main

    main()
