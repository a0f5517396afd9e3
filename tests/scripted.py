"""What the provider tests share: scripted HTTP servers on 127.0.0.1 (for answers and shapes the
simulator never gives) and the customer email they classify."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

from aiohttp import web

from tui.model import Email


def make_email(i: int = 0, **kw: object) -> Email:
    """An urgent customer report (checkout down); `kw` overrides any field."""
    fields: dict[str, object] = {
        "id": f"e{i}",
        "message_id": f"<m{i}@example.test>",
        "sender": "Dana <dana@customer.test>",
        "to": ["support@ours.test"],
        "subject": f"Checkout is down again ({i})",
        "date": datetime(2024, 5, 1, 9, i % 60, tzinfo=timezone.utc),
        "text": "Our checkout page returns 500 since this morning. Please help urgently.",
    }
    fields.update(kw)
    return Email.model_validate(fields)


async def scripted(handler: Callable[[web.Request], Awaitable[web.StreamResponse]], *,
                   method: str = "*") -> web.AppRunner:
    """A server answering every path with `handler`; `await runner.cleanup()` stops it."""
    app = web.Application()
    app.router.add_route(method, "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def root_url(runner: web.AppRunner) -> str:
    return f"http://127.0.0.1:{runner.addresses[0][1]}"
