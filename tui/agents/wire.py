"""A lean HTTP/1.1 client for the one request a run sends by the thousand: a POST with a body.

aiohttp's client costs ~150-170 µs of CPU per request on the 2-core test machine (URL and
header objects, cookies, traces, payload wrappers, timers); this keep-alive pool over an
`asyncio.Protocol` costs ~35 µs (bench/fanout.py at N=10,000 C=500 measures the difference).
It speaks just what model servers answer: Content-Length or chunked bodies, gzip/deflate,
`Connection: close`, HTTP/1.0, 1xx interim answers, TLS with the system's certificates.
Everything else (GET checks, webhooks, IMAP) stays on aiohttp.

A cancelled request aborts its connection, so the server sees the client go (hedging and
timeouts rely on that). A reused keep-alive connection that the server had closed before any
byte of the answer came is retried once on a new connection: classifying an email is a pure
function of the request, so a second copy of a request the server never answered is harmless.
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from urllib.parse import urlsplit

from multidict import CIMultiDict, CIMultiDictProxy

MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024
USER_AGENT = "fanmail"


class WireError(OSError):
    """The connection broke or the server's answer is not HTTP we can read."""


class ConnectFailed(OSError):
    """No connection could be opened (refused, unknown host, TLS handshake)."""


class _Conn(asyncio.Protocol):
    """One keep-alive connection: bytes in, a future woken whenever more arrive."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.closed = False
        self.got_bytes = False  # any byte of the current answer (then a failure is not "stale")
        self._waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        self.got_bytes = True
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _more(self) -> None:
        if self.closed:
            raise WireError("the server closed the connection")
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buf[:end])
                del self.buf[:end + 2]
                return line
            if len(self.buf) > MAX_HEAD:
                raise WireError("a line of the answer is too long")
            await self._more()

    async def _exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            await self._more()
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    async def answer(self) -> tuple[int, CIMultiDict[str], bytes, bool]:
        """(status, headers, body, reusable) of the next answer on this connection."""
        while True:
            end = self.buf.find(b"\r\n\r\n")
            while end < 0:
                if len(self.buf) > MAX_HEAD:
                    raise WireError("the answer's headers are too long")
                await self._more()
                end = self.buf.find(b"\r\n\r\n")
            head = bytes(self.buf[:end]).decode("latin-1")
            del self.buf[:end + 4]
            status_line, *lines = head.split("\r\n")
            version, _, rest = status_line.partition(" ")
            code = rest[:3]
            if not version.startswith("HTTP/1.") or not code.isdigit():
                raise WireError(f"not an HTTP answer: {status_line[:40]!r}")
            status = int(code)
            headers: CIMultiDict[str] = CIMultiDict()
            name = ""
            for line in lines:
                if line[:1] in (" ", "\t") and name:  # an obsolete folded continuation
                    headers[name] = headers[name] + " " + line.strip()
                    continue
                name, sep, value = line.partition(":")
                if not sep:
                    raise WireError("a malformed header line in the answer")
                name = name.strip()
                headers.add(name, value.strip())
            if 100 <= status < 200:
                continue  # 100 Continue and friends: the real answer follows
            break
        connection = headers.get("Connection", "").lower()
        reusable = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
        if status in (204, 304):
            body = b""
        elif "chunked" in headers.get("Transfer-Encoding", "").lower():
            body = await self._chunked()
        elif "Content-Length" in headers:
            length = headers["Content-Length"].strip()
            if not length.isdigit() or int(length) > MAX_BODY:
                raise WireError(f"a bad Content-Length in the answer: {length[:20]!r}")
            body = await self._exactly(int(length))
        else:  # the body runs to the end of the connection
            while not self.closed:
                if len(self.buf) > MAX_BODY:
                    raise WireError("the answer is too long")
                await self._more_or_eof()
            body, reusable = bytes(self.buf), False
            self.buf.clear()
        return status, headers, _decoded(body, headers.get("Content-Encoding", "")), reusable

    async def _more_or_eof(self) -> None:
        try:
            await self._more()
        except WireError:
            pass

    async def _chunked(self) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            line = await self._line()
            try:
                n = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise WireError("a malformed chunk in the answer") from None
            if n == 0:
                while await self._line():  # trailers, up to the empty line
                    pass
                return b"".join(parts)
            size += n
            if size > MAX_BODY:
                raise WireError("the answer is too long")
            parts.append(await self._exactly(n))
            if await self._exactly(2) != b"\r\n":
                raise WireError("a malformed chunk in the answer")


def _decoded(body: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
    except zlib.error:
        raise WireError(f"the answer's {encoding} body does not decompress") from None
    raise WireError(f"the answer is {encoding}-encoded, which fanmail cannot read")


class Wire:
    """Keep-alive connections by (scheme, host, port). The engine's semaphore caps how many are
    busy; this only keeps the idle ones, at most `max_idle` per server."""

    def __init__(self, max_idle: int = 1024) -> None:
        self.max_idle = max_idle
        self._idle: dict[tuple[str, str, int], list[_Conn]] = {}
        self._targets: dict[str, tuple[tuple[str, str, int], str, str] | None] = {}
        self._ssl: ssl.SSLContext | None = None
        self._closed = False

    def target(self, url: str) -> tuple[tuple[str, str, int], str, str] | None:
        """(server, request target, Host header) for a URL this client sends to (None: one it
        leaves to aiohttp, e.g. with user:password@ in it)."""
        hit = self._targets.get(url, False)
        if hit is not False:
            return hit  # type: ignore[return-value]
        parts = urlsplit(url)
        found = None
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.scheme in ("http", "https") and parts.hostname and "@" not in parts.netloc \
                and (port is not None or ":" not in parts.netloc.rsplit("]", 1)[-1]):
            port = port or (443 if parts.scheme == "https" else 80)
            host = parts.hostname
            shown = f"[{host}]" if ":" in host else host
            default = (parts.scheme, port) in (("http", 80), ("https", 443))
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            found = ((parts.scheme, host, port), path, shown if default else f"{shown}:{port}")
        if len(self._targets) < 64:
            self._targets[url] = found
        return found

    async def request(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[
            int, CIMultiDictProxy[str], bytes]:
        """One request; raises ConnectFailed, WireError (an OSError) or cancellation."""
        found = self.target(url)
        if found is None:
            raise ValueError(f"not a URL for the lean client: {url}")
        server, path, host = found
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"User-Agent: {USER_AGENT}"]
        for name, value in headers.items():
            if "\n" in value or "\r" in value or "\n" in name or "\r" in name:
                raise ValueError(f"header {name.strip()[:40]!r} has a line break in it")
            lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(body)}\r\n\r\n")
        data = "\r\n".join(lines).encode("latin-1") + body
        for fresh in (False, True):
            conn = None if fresh else self._take(server)
            reused = conn is not None
            if conn is None:
                conn = await self._connect(server)
            try:
                assert conn.transport is not None
                conn.got_bytes = False
                conn.transport.write(data)
                status, answer, raw, reusable = await conn.answer()
            except WireError:
                conn.abort()
                if reused and not conn.got_bytes:
                    continue  # a keep-alive connection the server had already closed
                raise
            except BaseException:
                conn.abort()  # cancelled or broken: the server sees us go
                raise
            if reusable and not conn.closed and not conn.buf:
                self._give(server, conn)
            else:
                conn.close()
            return status, CIMultiDictProxy(answer), raw
        raise WireError("the server closed the connection")  # not reached: the loop returns or raises

    def _take(self, server: tuple[str, str, int]) -> _Conn | None:
        idle = self._idle.get(server)
        while idle:
            conn = idle.pop()
            if not conn.closed:
                return conn
        return None

    def _give(self, server: tuple[str, str, int], conn: _Conn) -> None:
        idle = self._idle.setdefault(server, [])
        if self._closed or len(idle) >= self.max_idle:
            conn.close()
        else:
            idle.append(conn)

    async def _connect(self, server: tuple[str, str, int]) -> _Conn:
        scheme, host, port = server
        context = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        try:
            _, conn = await asyncio.get_running_loop().create_connection(
                _Conn, host, port, ssl=context, server_hostname=host if context else None,
                happy_eyeballs_delay=0.25)
        except OSError as exc:
            raise ConnectFailed(exc.errno, exc.strerror or str(exc) or type(exc).__name__) from None
        return conn

    def close(self) -> None:
        """Close every idle connection; busy ones close when their request ends."""
        self._closed = True
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()
