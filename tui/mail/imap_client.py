"""One IMAP connection (`ImapSession`): login, mailboxes, and the commands actions need.

Built on aioimaplib 2.0.3, with three things it lacks added here:

- STARTTLS: the command is sent and the connection upgraded with `loop.start_tls`; required on
  `imap://` unless `--imap-insecure`. Certificates are always verified (`--imap-cafile` adds a CA,
  e.g. a test server's self-signed certificate).
- A FETCH command that hands over each message the moment its bytes are complete, in linear
  time (aioimaplib's own FETCH re-scans the whole response on every line: 2,000 messages in one
  FETCH took 2.8 s here, imaplib 0.07 s), so one big FETCH per connection streams like small ones.
- A lost connection fails the pending command at once (aioimaplib waits for its timeout), and
  logout is bounded: `IMAP4_SSL.logout()` was seen to hang against Dovecot.

Triage never changes a message: mailboxes are opened with EXAMINE (read-only) and bodies are
fetched with BODY.PEEK[], so nothing is marked \\Seen. Only `ImapSession.select()` (the actions
connection) opens a folder for writing.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aioimaplib

from tui.mail.imap_target import ImapError, ImapOptions, ImapTarget, tls_context
from tui.mail.tls_hint import untrusted

MAX_SET_CHARS = 4000  # keep command lines short: servers cap them (Dovecot at 64 KiB)
_READ_SLICE = 8192  # aioimaplib parses a chunk recursively, one level per line: keep chunks small


# ---------------------------------------------------------------- mailbox names


def _utf7_encode(name: str) -> str:
    """RFC 3501 modified UTF-7 for mailbox names."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def quote_mailbox(name: str) -> str:
    encoded = _utf7_encode(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid_set(uids: Iterable[int]) -> str:
    """Sorted runs: 1:5,8,10:12."""
    ordered = sorted(set(uids))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}:{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def uid_sets(uids: Iterable[int], limit: int = MAX_SET_CHARS) -> list[str]:
    """`uid_set` cut into pieces that each fit in one command line."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for part in uid_set(uids).split(","):
        if not part:
            continue
        if current and size + len(part) + 1 > limit:
            out.append(",".join(current))
            current, size = [], 0
        current.append(part)
        size += len(part) + 1
    if current:
        out.append(",".join(current))
    return out


# ---------------------------------------------------------------- aioimaplib, completed

_FETCH_LINE = re.compile(rb"[0-9]+ FETCH \(")
_UID = re.compile(rb"\bUID (\d+)")
_CAPS = re.compile(rb"\[CAPABILITY ([^\]]*)\]")


class _StreamingFetch(aioimaplib.Command):
    """UID FETCH (UID BODY.PEEK[]) that calls `on_message(uid, raw)` as each message completes.

    Keeps no copy of the response (memory stays flat) and counts parentheses incrementally,
    so it is linear in the response size."""

    def __init__(self, tag: str, uids: str, on_message: Callable[[int, bytes], None],
                 loop: asyncio.AbstractEventLoop) -> None:
        super().__init__("FETCH", tag, uids, "(UID BODY.PEEK[])", prefix="UID", loop=loop, timeout=None)
        self.on_message = on_message
        self._head: bytes | None = None
        self._literal: bytes | None = None
        self._depth = 0
        self.delivered = 0

    def append_to_resp(self, line: bytes, result: str = "Pending") -> None:
        if result != "Pending":  # the tagged completion
            super().append_to_resp(line, result)
            return
        if isinstance(line, bytearray):  # a literal: the message body
            self._literal = bytes(line)
            return
        if _FETCH_LINE.match(line):
            self._head, self._literal, self._depth = line, None, 0
        elif self._head is None:
            return
        self._depth += line.count(b"(") - line.count(b")")
        if self._depth <= 0:
            head, literal = self._head, self._literal
            self._head = self._literal = None
            m = _UID.search(head) or _UID.search(line)
            if m and literal is not None:  # otherwise an unsolicited flags update
                self.delivered += 1
                self.on_message(int(m.group(1)), literal)

    def wait_data(self) -> bool:
        return self._head is not None and self._depth > 0


class _Protocol(aioimaplib.IMAP4ClientProtocol):
    def __init__(self, loop: asyncio.AbstractEventLoop, conn_lost_cb: Any = None) -> None:
        super().__init__(loop, conn_lost_cb)
        self.lost: str | None = None
        self.lost_event = asyncio.Event()
        self.last_data = loop.time()

    def data_received(self, d: bytes) -> None:
        self.last_data = self.loop.time()
        if len(d) <= _READ_SLICE:
            super().data_received(d)
            return
        view = memoryview(d)
        for i in range(0, len(d), _READ_SLICE):
            super().data_received(bytes(view[i : i + _READ_SLICE]))

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = str(exc) if exc else "closed by the server"
        self.lost_event.set()
        pending = list(self.pending_async_commands.values())
        if self.pending_sync_command is not None:
            pending.append(self.pending_sync_command)
        for cmd in pending:
            with contextlib.suppress(Exception):
                cmd.close(b"connection lost", "BYE")
        super().connection_lost(exc)

    @aioimaplib.change_state
    async def welcome(self, command: bytes) -> None:
        """As aioimaplib's, but reads the capabilities from the greeting when the server puts
        them there (Dovecot does), saving a round trip per connection."""
        if b"PREAUTH" in command:
            self.state = aioimaplib.AUTH
        elif b"OK" in command:
            self.state = aioimaplib.NONAUTH
        else:
            raise aioimaplib.Error(command.decode(errors="replace"))
        m = _CAPS.search(command)
        if m:
            caps = m.group(1).decode(errors="replace").split()
            self.capabilities = {"CAPABILITY", *caps}
            versions = [c.upper() for c in caps if c.upper() in aioimaplib.AllowedVersions]
            if not versions:
                raise aioimaplib.Error("server not IMAP4 compliant")
            self.imap_version = versions[-1]
        else:
            await self.capability()


class _Client(aioimaplib.IMAP4):
    def create_client(self, host: str, port: int, loop: asyncio.AbstractEventLoop, conn_lost_cb: Any = None,
                      ssl_context: ssl.SSLContext | None = None) -> None:
        local_loop = loop if loop is not None else asyncio.get_running_loop()
        self.protocol = _Protocol(local_loop, conn_lost_cb)
        self._client_task = local_loop.create_task(
            local_loop.create_connection(lambda: self.protocol, host, port, ssl=ssl_context)
        )


# ---------------------------------------------------------------- one connection


@dataclass(slots=True)
class MailboxInfo:
    name: str
    uidvalidity: int
    exists: int
    permanent_flags: set[str] = field(default_factory=set)
    read_only: bool = True
    uidnext: int = 0  # 0: the server did not say

    @property
    def keywords_allowed(self) -> bool:
        return "\\*" in self.permanent_flags


_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_PERMFLAGS = re.compile(rb"\[PERMANENTFLAGS \(([^)]*)\)\]")
_EXISTS = re.compile(rb"^(\d+) EXISTS")
_UIDNEXT = re.compile(rb"UIDNEXT (\d+)")
_LIST = re.compile(rb'^(?:LIST )?\(([^)]*)\) (NIL|"(?:[^"\\]|\\.)*") (.*)$')  # aioimaplib strips "* LIST"


class ImapSession:
    """One logged-in connection. Every method raises ImapError (one line) on failure."""

    def __init__(self, target: ImapTarget, options: ImapOptions, client: _Client) -> None:
        self.target = target
        self.options = options
        self.client = client
        self.protocol: _Protocol = client.protocol  # type: ignore[assignment]
        self.delimiter: str | None = None
        self.mailbox: MailboxInfo | None = None
        self._folders: set[str] = set()

    # -- opening and closing
    @classmethod
    async def open(cls, target: ImapTarget, options: ImapOptions) -> "ImapSession":
        implicit = target.scheme == "imaps"
        ctx = tls_context(options.cafile) if (implicit or not options.insecure) else None
        where = target.address
        client: _Client | None = None
        try:
            client = _Client(target.host, target.port, timeout=options.timeout,
                             ssl_context=ctx if implicit else None)
            session = cls(target, options, client)
            await session._hello()
            if not implicit and not options.insecure:
                await session._starttls(ctx)  # type: ignore[arg-type]
            response = await session._guard(client.login(target.user, options.password), "LOGIN")
            if response.result != "OK":
                raise ImapError(f"IMAP login as {target.user} at {where} refused: {_text(response)}")
            return session
        except ImapError:
            if client is not None:
                await _abandon(client)
            raise
        except ssl.SSLCertVerificationError as exc:
            if client is not None:
                await _abandon(client)
            raise ImapError(await untrusted(exc, where=where, host=target.host, port=target.port, implicit=implicit,
                                            protocol="imap", flag="--imap-cafile", cafile=options.cafile)) from None
        except (OSError, asyncio.TimeoutError, aioimaplib.AioImapException) as exc:
            if client is not None:
                await _abandon(client)
            raise ImapError(f"cannot connect to IMAP server {where}: {_describe(exc)}") from None

    async def _hello(self) -> None:
        """The greeting; a connection closed before it (a proxy or balancer whose server is gone)
        fails at once instead of after the timeout."""
        hello = asyncio.ensure_future(self.client.wait_hello_from_server())
        lost = asyncio.ensure_future(self.protocol.lost_event.wait())
        try:
            await asyncio.wait({hello, lost}, return_when=asyncio.FIRST_COMPLETED)
            if not hello.done():
                raise ConnectionResetError(f"closed before the server's greeting ({self.protocol.lost})")
            hello.result()
        finally:
            for task in (hello, lost):
                if not task.done():
                    task.cancel()
            await asyncio.gather(hello, lost, return_exceptions=True)

    async def _starttls(self, ctx: ssl.SSLContext) -> None:
        if "STARTTLS" not in self.protocol.capabilities:
            raise ImapError(f"IMAP server {self.target.address} does not offer STARTTLS: use imaps:// "
                            "(or --imap-insecure for a local test server)")
        loop = asyncio.get_running_loop()
        cmd = aioimaplib.Command("STARTTLS", self.protocol.new_tag(), loop=loop)
        response = await self._guard(self.protocol.execute(cmd), "STARTTLS")
        if response.result != "OK":
            raise ImapError(f"STARTTLS refused by {self.target.address}: {_text(response)}")
        transport = self.protocol.transport
        assert transport is not None
        new = await asyncio.wait_for(
            loop.start_tls(transport, self.protocol, ctx, server_hostname=self.target.host),
            self.options.timeout,
        )
        self.protocol.transport = new
        # Capabilities may change after TLS (RFC 3501 6.2.1); LOGIN's answer brings them again.
        self.protocol.capabilities.discard("LOGINDISABLED")

    async def close(self) -> None:
        """Log out, bounded: a server that does not answer LOGOUT is simply disconnected."""
        await _abandon(self.client, logout=True)

    # -- plumbing
    async def _guard(self, coro: Any, what: str) -> aioimaplib.Response:
        """Await an aioimaplib call; a lost connection or a silent server becomes an ImapError."""
        if self.protocol.lost is not None:
            coro.close()
            raise self._lost_error(what)
        task = asyncio.ensure_future(coro)
        loop = asyncio.get_running_loop()
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.options.timeout)
                if done:
                    break
                if loop.time() - self.protocol.last_data >= self.options.timeout:
                    task.cancel()
                    raise ImapError(f"IMAP server {self.target.address} stopped answering ({what}, "
                                    f"{self.options.timeout:.0f}s without data)")
            response = task.result()
        except asyncio.CancelledError:
            task.cancel()
            raise
        except ImapError:
            raise
        except (asyncio.TimeoutError, aioimaplib.CommandTimeout):
            raise ImapError(f"IMAP server {self.target.address} did not answer {what} in time") from None
        except (OSError, aioimaplib.AioImapException) as exc:
            raise self._lost_error(what, exc) from None
        if self.protocol.lost is not None or (response is not None and response.result == "BYE"):
            raise self._lost_error(what)
        return response

    def _lost_error(self, what: str, exc: BaseException | None = None) -> ImapError:
        reason = self.protocol.lost or (_describe(exc) if exc else "connection closed")
        return ImapError(f"lost the connection to IMAP server {self.target.address} during {what}: {reason}")

    async def _command(self, name: str, *args: str, what: str | None = None) -> aioimaplib.Response:
        cmd = aioimaplib.Command(name, self.protocol.new_tag(), *args, loop=asyncio.get_running_loop())
        return await self._guard(self.protocol.execute(cmd), what or name)

    def has(self, capability: str) -> bool:
        return capability.upper() in {c.upper() for c in self.protocol.capabilities}

    async def noop(self) -> None:
        """NOOP: the server announces what changed since the last command (new mail included). A
        session that has not been told of a message does not act on its UID: Dovecot answers a
        UID STORE on it with OK and changes nothing."""
        await self._command("NOOP")

    # -- mailboxes
    async def examine(self, folder: str) -> MailboxInfo:
        """Open read-only: nothing triage does can change a flag."""
        return await self._open_mailbox("EXAMINE", folder)

    async def select(self, folder: str) -> MailboxInfo:
        return await self._open_mailbox("SELECT", folder)

    async def _open_mailbox(self, verb: str, folder: str) -> MailboxInfo:
        response = await self._command(verb, quote_mailbox(folder), what=f"{verb} {folder}")
        if response.result != "OK":
            raise ImapError(f"cannot open folder {folder!r} on {self.target.address}: {_text(response)}")
        # aioimaplib tracks state for SELECT only; EXAMINE opens a mailbox just the same.
        self.protocol.state = aioimaplib.SELECTED
        info = MailboxInfo(folder, 0, 0, read_only=verb == "EXAMINE")
        for line in response.lines:
            if not isinstance(line, (bytes, bytearray)):
                continue
            if m := _UIDVALIDITY.search(line):
                info.uidvalidity = int(m.group(1))
            elif m := _PERMFLAGS.search(line):
                info.permanent_flags = set(m.group(1).decode(errors="replace").split())
            elif m := _EXISTS.match(line):
                info.exists = int(m.group(1))
            elif m := _UIDNEXT.search(line):
                info.uidnext = int(m.group(1))
        if not info.uidvalidity:
            raise ImapError(f"IMAP server {self.target.address} gave no UIDVALIDITY for {folder!r}")
        self.mailbox = info
        return info

    async def uid_search(self, criteria: str) -> list[int]:
        args = criteria.strip() or "ALL"
        charset = None if args.isascii() else "utf-8"
        task = self.protocol.search(args, charset=charset, by_uid=True)
        response = await self._guard(task, "UID SEARCH")
        if response.result != "OK":
            raise ImapError(f"IMAP search {args!r} refused: {_text(response)}")
        uids: list[int] = []
        for line in response.lines[:-1]:  # aioimaplib strips "* SEARCH"; the last line is the tagged text
            if isinstance(line, bytes):
                uids.extend(int(x) for x in line.split() if x.isdigit())
        return sorted(set(uids))

    async def fetch_stream(self, uids: Iterable[int], on_message: Callable[[int, bytes], None]) -> int:
        """UID FETCH BODY.PEEK[] of `uids`, calling on_message(uid, raw) as each one completes.
        Returns how many were delivered; messages expunged meanwhile are simply not delivered."""
        delivered = 0
        for part in uid_sets(uids):
            cmd = _StreamingFetch(self.protocol.new_tag(), part, on_message, asyncio.get_running_loop())
            response = await self._guard(self.protocol.execute(cmd), "UID FETCH")
            delivered += cmd.delivered
            if response.result not in ("OK", "NO"):  # NO: some vanished (expunged elsewhere)
                raise ImapError(f"IMAP fetch refused: {_text(response)}")
        return delivered

    async def fetch_raw(self, uids: Iterable[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        await self.fetch_stream(uids, out.__setitem__)
        return out

    async def _per_uid_set(self, verb: str, uids: Iterable[int], *args: str, refused: str,
                           untagged: str | None = None) -> None:
        """`UID <verb> <set> <args>` once per UID set that fits a command line; a NO or BAD is an
        ImapError starting with `refused`."""
        for part in uid_sets(uids):
            cmd = aioimaplib.Command(verb, self.protocol.new_tag(), part, *args, prefix="UID",
                                     untagged_resp_name=untagged, loop=asyncio.get_running_loop())
            response = await self._guard(self.protocol.execute(cmd), f"UID {verb}")
            if response.result != "OK":
                raise ImapError(f"{refused}: {_text(response)}")

    async def store(self, uids: Iterable[int], flags: str) -> None:
        """UID STORE +FLAGS.SILENT (flags)."""
        await self._per_uid_set("STORE", uids, "+FLAGS.SILENT", f"({flags})", untagged="FETCH",
                                refused=f"IMAP store {flags} refused")

    async def copy(self, uids: Iterable[int], folder: str) -> None:
        await self._per_uid_set("COPY", uids, quote_mailbox(folder), refused=f"IMAP copy to {folder!r} refused")

    async def move(self, uids: Iterable[int], folder: str) -> None:
        """UID MOVE (RFC 6851). Callers check `has('MOVE')` and fall back to copy/delete/expunge."""
        await self._per_uid_set("MOVE", uids, quote_mailbox(folder), refused=f"IMAP move to {folder!r} refused")

    async def uid_expunge(self, uids: Iterable[int]) -> None:
        """UID EXPUNGE (UIDPLUS): removes only these messages, never others marked \\Deleted."""
        await self._per_uid_set("EXPUNGE", uids, refused="IMAP expunge refused")

    async def uidnext(self, folder: str) -> int:
        """STATUS (UIDNEXT): the UID the folder's next message will get. Every message that lands
        there from now on has a UID at least this, which is how an interrupted move is found."""
        response = await self._command("STATUS", quote_mailbox(folder), "(UIDNEXT)", what=f"STATUS {folder}")
        for line in response.lines:
            if isinstance(line, bytes) and (m := _UIDNEXT.search(line)):
                return int(m.group(1))
        raise ImapError(f"IMAP server {self.target.address} gave no UIDNEXT for {folder!r}: {_text(response)}")

    async def hierarchy_delimiter(self) -> str:
        if self.delimiter is None:
            response = await self._command("LIST", '""', '""')
            self.delimiter = "/"
            for line in response.lines[:-1]:
                if isinstance(line, bytes) and (m := _LIST.match(line)):
                    raw = m.group(2)
                    if raw != b"NIL":
                        self.delimiter = raw[1:-1].replace(b"\\\\", b"\\").decode() or "/"
        return self.delimiter

    async def server_folder(self, folder: str) -> str:
        """A configured folder name ('Finance/Invoices') in the server's hierarchy ('Finance.Invoices')."""
        if folder.upper() == "INBOX":
            return "INBOX"
        delim = await self.hierarchy_delimiter()
        return folder.replace("/", delim) if delim != "/" else folder

    async def ensure_folder(self, folder: str) -> None:
        """Create (and subscribe) the folder when it does not exist yet."""
        if folder in self._folders or folder.upper() == "INBOX":
            return
        response = await self._command("LIST", '""', quote_mailbox(folder), what=f"LIST {folder}")
        exists = any(isinstance(line, bytes) and _LIST.match(line) for line in response.lines[:-1])
        if not exists:
            created = await self._command("CREATE", quote_mailbox(folder), what=f"CREATE {folder}")
            if created.result != "OK" and b"ALREADYEXISTS" not in b" ".join(
                ln for ln in created.lines if isinstance(ln, bytes)
            ):
                raise ImapError(f"cannot create folder {folder!r}: {_text(created)}")
            with contextlib.suppress(ImapError):
                await self._command("SUBSCRIBE", quote_mailbox(folder))
        self._folders.add(folder)


def _text(response: aioimaplib.Response) -> str:
    lines = [ln for ln in response.lines if isinstance(ln, bytes)]
    text = lines[-1].decode(errors="replace") if lines else ""
    return f"{response.result} {text}".strip()[:200]


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


async def _abandon(client: aioimaplib.IMAP4, *, logout: bool = False) -> None:
    protocol = client.protocol
    if logout and protocol is not None and protocol.transport is not None and getattr(protocol, "lost", None) is None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(protocol.logout(), 1.0)
    task = getattr(client, "_client_task", None)
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
    if protocol is not None and protocol.transport is not None:
        with contextlib.suppress(Exception):
            protocol.transport.close()
    for t in list(getattr(protocol, "tasks", ())):
        t.cancel()

