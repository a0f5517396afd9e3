"""`MaildirWatcher`: a Maildir's new mail as waves of `Email`, the local twin of `MailboxWatcher`.

A message's identity is its Maildir key, the file name before the `:2,` info: it survives a mail
client moving the file from new/ to cur/ and adding flags, so such a rename is never new mail.
The first wave is what is unread (every file in new/, files in cur/ without the S or T flag: the
`UNSEEN` of IMAP) plus, on a later start, every key that appeared while nobody watched and every
key handed out before without a verdict yet; then each poll hands out the keys not seen before,
read or not. A directory is listed again only when its mtime moved (or moved lately, for file
systems with coarse timestamps), so a poll of a big Maildir costs two `stat`s. The Maildir is
only read, never changed: no file is renamed or flagged. A file that cannot be read or parsed
becomes an `Email` with its error (a failed row); one that vanished between listing and reading
(moved to cur/, deleted) is looked for again at the next poll.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

from tui.mail.parse import parse_bytes
from tui.mail.sources import SourceError, is_maildir
from tui.mail.watch import WatcherControls, WatchState
from tui.model import Email

SETTLE_NS = 2_000_000_000  # a directory changed this recently is listed again: its mtime may not move twice
log = logging.getLogger("tui.mail.maildir_watch")


def maildir_key(name: str) -> str:
    return name.split(":", 1)[0]


def _unread(sub: str, name: str) -> bool:
    """new/ is unread by definition; in cur/ the info's flags say (S seen, T trashed)."""
    if sub == "new":
        return True
    info = name.partition(":2,")[2] if ":2," in name else ""
    return "S" not in info and "T" not in info


class MaildirWatcher(WatcherControls):
    """`async for wave in watcher.waves(): ...`; `stop()` ends it after the wave in hand.

    `known`: every key an earlier start saw (None: the first start, only unread mail is taken);
    `retry`: keys handed out before that have no verdict yet; `skip(keys)` the keys already done;
    `on_seen(keys)` hears every key seen for the first time (to be stored)."""

    def __init__(self, path: Path, *, known: set[str] | None = None, retry: Iterable[str] = (),
                 poll_s: float = 1.0, skip: Callable[[list[str]], Iterable[str]] = lambda keys: (),
                 on_state: Callable[[WatchState], None] = lambda s: None,
                 on_seen: Callable[[list[str]], None] = lambda keys: None) -> None:
        super().__init__()
        self.path = path
        self.first_start = known is None
        self.known: set[str] = set(known or ())
        self.retry = set(retry)
        self.poll_s = poll_s
        self.skip = skip
        self.on_state = on_state
        self.on_seen = on_seen
        self.mode = "polling"
        self.arriving = False  # False while the start's first wave (the mail already waiting) is handed over
        self._listed: dict[str, tuple[int, dict[str, str]]] = {}  # sub -> (mtime_ns, key -> name)

    async def connect(self) -> None:
        """A missing folder or one that is not a Maildir is a one-line SourceError, before anything runs."""
        if not self.path.exists():
            raise SourceError(f"no such Maildir: {self.path}")
        if not is_maildir(self.path):
            raise SourceError(f"{self.path} is not a Maildir (it needs cur/ and new/)")

    async def waves(self) -> AsyncIterator[list[Email]]:
        self.on_state(WatchState("polling", kind="Maildir"))
        first, failing = True, False
        while not self.stopped:
            try:
                wave = await asyncio.to_thread(self._wave, first)
            except OSError as exc:  # the folder went away (unmounted, removed): say so once, keep polling
                wave = []
                if not failing:
                    detail = f"cannot list {self.path}: {exc.strerror or type(exc).__name__}"
                    log.warning("Maildir watch: %s", detail)
                    self.on_state(WatchState("reconnecting", detail, self.poll_s, kind="Maildir"))
                failing = True
            else:
                first = False
                if failing:
                    failing = False
                    self.on_state(WatchState("polling", kind="Maildir"))
            if wave:
                yield wave
            self.arriving = not first  # what was waiting at the start is in; from now on, mail arrives
            await self._sleep(self.poll_s)
        self.on_state(WatchState("stopped", kind="Maildir"))

    def _wave(self, first: bool) -> list[Email]:
        """One poll: list what changed, pick the keys to hand out, read them (in a thread)."""
        listings = {sub: self._list(sub) for sub in ("new", "cur")}
        if not first and all(changed is False for _, changed in listings.values()):
            return []  # neither directory changed: two stats were the whole look
        names: dict[str, tuple[str, str]] = {}  # key -> (sub, name)
        for sub, (listing, _) in listings.items():
            for key, name in listing.items():
                names.setdefault(key, (sub, name))
        fresh = [k for k in names if k not in self.known]
        if first:
            unread = {k for k, (sub, name) in names.items() if _unread(sub, name)}
            wanted = set(unread) | (self.retry & names.keys())
            if not self.first_start:
                wanted.update(fresh)
        else:
            wanted = set(fresh)
        done = set(self.skip(sorted(wanted)))
        emails: list[Email] = []
        vanished: set[str] = set()
        for key in sorted(wanted - done):
            sub, name = names[key]
            email = self._read(sub, name, key)
            if email is None:
                vanished.add(key)
            else:
                emails.append(email)
        seen = [k for k in fresh if k not in vanished]
        self.known.update(seen)
        if seen:
            self.on_seen(seen)
        return emails

    def _list(self, sub: str) -> tuple[dict[str, str], bool]:
        """key -> file name in new/ or cur/, and whether it was listed again (only if the directory changed)."""
        directory = self.path / sub
        mtime = os.stat(directory).st_mtime_ns
        cached = self._listed.get(sub)
        if cached is not None and cached[0] == mtime and time.time_ns() - mtime > SETTLE_NS:
            return cached[1], False
        listing = {maildir_key(n): n for n in os.listdir(directory) if not n.startswith(".")}
        self._listed[sub] = (mtime, listing)
        return listing, True

    def _read(self, sub: str, name: str, key: str) -> Email | None:
        path = self.path / sub / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # renamed into cur/ or deleted since the listing: the next poll looks again
            self._listed.pop(sub, None)
            self._listed.pop("cur", None)
            return None
        except OSError as exc:
            return Email(id=key, source_ref=str(path),
                         parse_error=f"cannot read file: {exc.strerror or type(exc).__name__}")
        return parse_bytes(data, email_id=key, source_ref=str(path))

    async def aclose(self) -> None:
        """Nothing held open between polls (the IMAP watcher's counterpart closes a connection)."""
