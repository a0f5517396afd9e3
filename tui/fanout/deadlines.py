"""Every request's timeout on one loop timer instead of one timer each.

The requests of a run all get the same per-request timeout, so their deadlines come in the
order they were sent: a queue in send order and one timer, set for the oldest request still
running, are enough. `asyncio.timeout` per request costs a Timeout, a TimerHandle pushed onto
the loop's heap and cancelled again (about 6 us, 10,000 times a run); a watch here is an append
and a flag. The semantics are asyncio.timeout's: when the time is up the task is cancelled, and
the `with` block turns that cancellation (and only that one) into TimeoutError.
"""

from __future__ import annotations

import asyncio
from collections import deque


class _Watch:
    """One request under a deadline: a context manager, entered once (see RequestDeadlines.watch)."""

    __slots__ = ("_owner", "when", "task", "cancelling", "live", "expired")

    def __init__(self, owner: "RequestDeadlines") -> None:
        self._owner = owner
        self.live = False
        self.expired = False

    def __enter__(self) -> "_Watch":
        self._owner._start(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        self.live = False
        task, self.task = self.task, None
        if self.expired and task is not None:
            # ours was the cancellation if no other is left pending once ours is taken back
            if task.uncancel() <= self.cancelling and exc_type is asyncio.CancelledError:
                raise TimeoutError from exc


class RequestDeadlines:
    """Deadlines of `seconds` for the requests of one run, all on one timer of the running loop."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._queue: deque[_Watch] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def watch(self) -> _Watch:
        """`with deadlines.watch(): await request()`: TimeoutError once `seconds` have passed."""
        return _Watch(self)

    def _start(self, watch: _Watch) -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a request deadline needs a task")
        if loop is not self._loop:  # a new loop (a new asyncio.run): nothing of the old one is valid
            self._loop, self._timer = loop, None
            self._queue.clear()
        watch.task = task
        watch.cancelling = task.cancelling()
        watch.when = loop.time() + self.seconds
        watch.live = True
        queue = self._queue
        while queue and not queue[0].live:  # requests that ended: their deadlines no longer matter
            queue.popleft()
        queue.append(watch)
        if self._timer is None:
            self._timer = loop.call_at(queue[0].when, self._fire)

    def _fire(self) -> None:
        self._timer = None
        assert self._loop is not None
        now = self._loop.time()
        queue = self._queue
        while queue:
            head = queue[0]
            if head.live and head.when > now:
                break
            queue.popleft()
            if head.live and head.task is not None:
                head.expired = True
                head.task.cancel()
        if queue:
            self._timer = self._loop.call_at(queue[0].when, self._fire)
