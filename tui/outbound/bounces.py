"""Fan-in of bounces: read DSNs (RFC 3464 multipart/report) from an IMAP folder into the ledger.

The folder is opened read-only (EXAMINE) and read whole every time; the ledger keeps each event
once, so reading the same folder twice changes nothing. Messages that are not DSNs are counted
and left alone.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel

from tui.mail.imap_client import ImapSession
from tui.mail.imap_target import ImapOptions, parse_imap_url
from tui.outbound.dsn import parse_dsn
from tui.outbound.events import DeliveryEvent
from tui.outbound.ledger import Ledger
from tui.settings import ConfigError

FETCH_CHUNK = 200


class BounceScan(BaseModel):
    messages: int = 0
    dsns: int = 0
    events: int = 0
    matched: int = 0
    unmatched: int = 0


async def read_bounces(url: str, settings: Any, ledger: Ledger, environ: dict[str, str] | None = None) -> BounceScan:
    try:
        target = parse_imap_url(url)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    options = ImapOptions.from_settings(settings, environ)
    scan = BounceScan()
    session = await ImapSession.open(target, options)
    try:
        await session.examine(target.folder)
        uids = await session.uid_search("ALL")
        for start in range(0, len(uids), FETCH_CHUNK):
            raw_by_uid = await session.fetch_raw(uids[start:start + FETCH_CHUNK])
            events: list[DeliveryEvent] = []
            for raw in raw_by_uid.values():
                scan.messages += 1
                found = parse_dsn(raw)
                if found:
                    scan.dsns += 1
                    events.extend(found)
            scan.events += len(events)
            matched, unmatched = await asyncio.to_thread(ledger.record_events, events)
            scan.matched += matched
            scan.unmatched += unmatched
    finally:
        await session.close()
    return scan
