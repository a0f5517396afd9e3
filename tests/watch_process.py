"""`fanmail watch --headless` as a subprocess, for the IMAP and the Maildir watch tests alike."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import pytest

FAST_SIM = ["--provider", "sim", "--sim-latency", "0.01", "--sim-jitter", "0", "--sim-fail-rate", "0",
            "--sim-hang-rate", "0", "--sim-garbage-rate", "0", "--sim-stuck-rate", "0"]
WAIT_S = 60.0  # the bound on every wait (a loaded machine); passing tests take a fraction of it


def clean_env() -> dict[str, str]:
    """This environment without the caller's fanmail or OpenAI settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("FANMAIL_", "OPENAI_"))}


class WatchProcess:
    """One `fanmail watch SOURCE --headless` subprocess writing rows to `out` and its stderr to a file."""

    def __init__(self, source: Sequence[str], tmp_path: Path, extra: Sequence[str], env: dict[str, str]) -> None:
        self.out = tmp_path / "rows.jsonl"
        self.err_path = tmp_path / f"stderr-{time.monotonic_ns()}.txt"
        with self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tui", "watch", *source, "--headless", "-o", str(self.out),
                 "--store", str(tmp_path / "store.db"), *FAST_SIM, *extra],
                stdout=subprocess.DEVNULL, stderr=err, env=env)

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    def rows(self) -> list[dict[str, object]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line.strip()]

    def wait_for(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while not ready():
            assert self.proc.poll() is None, f"watch exited ({self.proc.returncode}) before {what}:\n{self.stderr}"
            assert time.monotonic() < deadline, f"no {what} within {WAIT_S:.0f}s:\n{self.stderr}"
            time.sleep(0.05)

    def wait_log(self, text: str) -> None:
        """Until its stderr says `text` ("IMAP idle", "Maildir polling", "IMAP reconnecting")."""
        self.wait_for(lambda: text in self.stderr, repr(text))

    def wait_rows(self, n: int) -> list[dict[str, object]]:
        self.wait_for(lambda: len(self.rows()) >= n, f"{n} rows")
        return self.rows()

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=WAIT_S)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=WAIT_S)


W = TypeVar("W", bound=WatchProcess)


class Watches(list[WatchProcess]):
    """The watchers a test started: `w = watches.add(Watch(...))`."""

    def add(self, watcher: W) -> W:
        self.append(watcher)
        return watcher


@pytest.fixture
def watches() -> Iterator[Watches]:
    """Every watcher a test starts is ended with it, whatever happens."""
    started = Watches()
    yield started
    for w in started:
        if w.proc.poll() is None:
            w.kill()


def ids(rows: list[dict[str, object]]) -> list[object]:
    return [r["email_id"] for r in rows]
