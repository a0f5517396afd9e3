"""The shared request deadlines (tui/fanout/deadlines.py) behave as asyncio.timeout per request:
a request past its time gets TimeoutError, every other one is left alone, and a cancellation
from outside stays a cancellation."""

from __future__ import annotations

import asyncio

import pytest

from tui.fanout.deadlines import RequestDeadlines


async def _hang() -> None:
    await asyncio.Event().wait()


def test_a_request_past_its_time_gets_timeout_error_at_its_deadline() -> None:
    async def request(deadlines: RequestDeadlines) -> str:
        try:
            with deadlines.watch():
                await _hang()
        except TimeoutError:
            return "timeout"
        return "ok"

    async def main() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        assert await asyncio.wait_for(request(RequestDeadlines(0.05)), 5.0) == "timeout"
        return loop.time() - start

    took = asyncio.run(main())
    assert took >= 0.05  # not early; not the 5 s fallback either, which would raise in main


def test_each_request_times_out_on_its_own_clock_and_finished_ones_are_untouched() -> None:
    """Staggered starts: the slow ones expire (each after its own 0.1 s), the quick ones
    finish, and the queue behind the one timer drains."""

    async def request(deadlines: RequestDeadlines, hang: bool, out: dict[int, str], k: int) -> None:
        try:
            with deadlines.watch():
                if hang:
                    await _hang()
                else:
                    await asyncio.sleep(0)
            out[k] = "ok"
        except TimeoutError:
            out[k] = "timeout"

    async def main() -> tuple[dict[int, str], RequestDeadlines]:
        deadlines = RequestDeadlines(0.1)
        out: dict[int, str] = {}
        tasks = []
        for k in range(40):
            tasks.append(asyncio.create_task(request(deadlines, k % 4 == 0, out, k)))
            if k % 10 == 9:
                await asyncio.sleep(0.01)  # a later start, so a later deadline
        await asyncio.wait_for(asyncio.gather(*tasks), 5.0)
        return out, deadlines

    out, deadlines = asyncio.run(main())
    assert out == {k: "timeout" if k % 4 == 0 else "ok" for k in range(40)}
    assert not [w for w in deadlines._queue if w.live]


def test_a_cancel_from_outside_stays_a_cancel() -> None:
    async def main() -> None:
        deadlines = RequestDeadlines(5.0)
        entered = asyncio.Event()

        async def request() -> None:
            with deadlines.watch():
                entered.set()
                await _hang()

        task = asyncio.create_task(request())
        await entered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


def test_an_outside_cancel_after_the_deadline_is_not_taken_for_the_timeout() -> None:
    """As asyncio.timeout: when another cancel is pending too, the task stays cancelled."""

    async def main() -> None:
        deadlines = RequestDeadlines(0.01)
        seen: list[str] = []

        async def request() -> None:
            try:
                with deadlines.watch():
                    try:
                        await _hang()
                    except asyncio.CancelledError:
                        asyncio.current_task().cancel()  # type: ignore[union-attr]  # a second request to stop
                        raise
            except TimeoutError:
                seen.append("timeout")
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise

        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(asyncio.create_task(request()), 5.0)
        assert seen == ["cancelled"]

    asyncio.run(main())


def test_one_deadlines_object_serves_a_second_event_loop() -> None:
    deadlines = RequestDeadlines(0.02)

    async def request() -> str:
        with deadlines.watch():
            await asyncio.sleep(0)
        try:
            with deadlines.watch():
                await _hang()
        except TimeoutError:
            return "timeout"
        return "ok"

    async def main() -> None:
        assert await asyncio.wait_for(request(), 5.0) == "timeout"

    asyncio.run(main())
    asyncio.run(main())
