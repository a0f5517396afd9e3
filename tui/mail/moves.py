"""Filing mail in its folder so that a move cut short is finished later without a second copy.

A server may carry out MOVE as copy-then-expunge; killed between the two, the message is in both
folders, and no client can prevent that (nor a crash between our own COPY and EXPUNGE where MOVE
is missing). A client can notice it afterwards: before each move the destination's UIDNEXT is
committed as the action's status, `moving:<uidnext>`. A later run that finds such a record looks
at the destination's messages from that UID on for a byte-identical copy of each original; one it
finds means the message is already filed, so the original is only removed, never moved again.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from tui.mail import ledger
from tui.mail.action_types import Action
from tui.mail.imap_client import ImapSession
from tui.mail.imap_target import ImapError

MOVING = "moving:"


async def move_group(imap: ImapSession, group: list[Action], folder: str, store: Any, run_id: str) -> None:
    """Move these messages (of the selected folder) to `folder`; record each as applied. Raises ImapError."""
    name = await imap.server_folder(folder)
    await imap.ensure_folder(name)
    landed = await _landed_earlier(imap, group, name, store)
    rest = [a for a in group if a not in landed]
    if rest:
        start = await imap.uidnext(name)
        await ledger.record(store, run_id, rest, status=f"{MOVING}{start}")
        if imap.has("MOVE"):
            await imap.move((a.ref.uid for a in rest), name)
        else:
            await imap.copy((a.ref.uid for a in rest), name)
            landed += rest
    if landed:
        await _remove_originals(imap, [a.ref.uid for a in landed])
    await ledger.record(store, run_id, group)


async def _remove_originals(imap: ImapSession, uids: list[int]) -> None:
    """\\Deleted and UID EXPUNGE of exactly these messages. Without UIDPLUS they stay marked
    \\Deleted: a plain EXPUNGE would also remove mail the user deleted, so that is left to the client."""
    await imap.store(uids, "\\Deleted")
    if imap.has("UIDPLUS"):
        await imap.uid_expunge(uids)


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


async def _landed_earlier(imap: ImapSession, group: list[Action], name: str, store: Any) -> list[Action]:
    """The actions whose message an interrupted earlier move already put in `name`."""
    recorded = await ledger.statuses(store, group)
    started: dict[Action, int] = {}
    for a in group:
        status = recorded.get(a.key, "")
        if status.startswith(MOVING) and status[len(MOVING):].isdigit():
            started[a] = int(status[len(MOVING):])
    if not started:
        return []
    source = imap.mailbox
    if source is None:
        return []
    originals = await imap.fetch_raw(a.ref.uid for a in started)
    first = min(started.values())
    await imap.examine(name)
    try:
        uids = [u for u in await imap.uid_search(f"UID {first}:*") if u >= first]
        copies = {uid: _digest(raw) for uid, raw in (await imap.fetch_raw(uids)).items()}
    finally:
        reopened = await imap.select(source.name)
    if reopened.uidvalidity != source.uidvalidity:
        raise ImapError(f"UIDVALIDITY of {source.name} changed while finishing a move: nothing applied "
                        "(run again to read it afresh)")
    by_digest: dict[str, list[int]] = defaultdict(list)
    for uid in sorted(copies):
        by_digest[copies[uid]].append(uid)
    found: list[Action] = []
    # latest start first, so a copy is matched to the move that can have made it
    for a in sorted(started, key=started.__getitem__, reverse=True):
        raw = originals.get(a.ref.uid)
        candidates = by_digest.get(_digest(raw), []) if raw is not None else []
        match = next((u for u in candidates if u >= started[a]), None)
        if match is not None:
            candidates.remove(match)
            found.append(a)
    return found
