"""The lean POST client (tui/agents/wire.py) against a raw TCP server on 127.0.0.1 that answers
the way real servers do: chunked, gzip, Connection: close, HTTP/1.0, 100 Continue; and a
server that closes idle connections, breaks mid-answer, or watches a cancelled client go."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Callable

import pytest

from tui.agents.base import ProviderError
from tui.agents.http import Scrubber, http_session, send
from tui.agents.wire import Wire

Answer = Callable[[bytes], bytes | None]  # request bytes -> raw answer (None: close at once)


class RawServer:
    """Reads one request at a time (head + Content-Length body) and writes what `answer` says."""

    def __init__(self, answer: Answer, *, close_after: bool = False) -> None:
        self.answer = answer
        self.close_after = close_after
        self.requests: list[bytes] = []
        self.connections = 0
        self.gone = asyncio.Event()  # a client closed its connection
        self.server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                raw = self.answer(request)
                if raw is None:
                    break
                writer.write(raw)
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            self.gone.set()
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/v1/chat/completions"


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[..., object]]:
    servers: list[RawServer] = []

    async def start(answer: Answer, **kw: bool) -> RawServer:
        server = RawServer(answer, **kw)
        server.server = await asyncio.start_server(server._handle, "127.0.0.1", 0)
        servers.append(server)
        return server

    yield start
    for server in servers:
        assert server.server is not None
        server.server.close()


def ok(body: bytes = b'{"ok":1}', *extra: str) -> bytes:
    head = "\r\n".join(["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *extra])
    return head.encode() + b"\r\n\r\n" + body


async def post(url: str, wire: Wire | None = None, body: bytes = b'{"q":1}') -> tuple[int, object, bytes]:
    own = wire or Wire()
    try:
        return await own.request("POST", url, {"Content-Type": "application/json"}, body)
    finally:
        if wire is None:
            own.close()


async def test_keep_alive_reuses_one_connection_and_sends_the_request_as_given(raw_server) -> None:
    server = await raw_server(lambda _: ok(b'{"ok":1}', "X-Ratelimit-Remaining-Requests: 7"))
    wire = Wire()
    try:
        for _ in range(3):
            status, headers, raw = await post(server.url, wire)
            assert (status, raw) == (200, b'{"ok":1}')
            assert headers["x-ratelimit-remaining-requests"] == "7"  # any case, like aiohttp's
    finally:
        wire.close()
    assert server.connections == 1 and len(server.requests) == 3
    head, _, body = server.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1/chat/completions HTTP/1.1"
    assert f"Host: {server.url.split('/')[2]}" in lines and "Content-Length: 7" in lines
    assert "Content-Type: application/json" in lines and body == b'{"q":1}'


@pytest.mark.parametrize("raw", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"ok\r\n4\r\n\":1}\r\n0\r\nX-T: 1\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\n" + ok(),
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(gzip.compress(b'{"ok":1}'))
    + gzip.compress(b'{"ok":1}'),
    b"HTTP/1.1 200 OK\r\nX-Long: a\r\n b\r\nContent-Length: 8\r\n\r\n{\"ok\":1}",
], ids=["chunked", "100-continue", "gzip", "folded-header"])
async def test_answer_framings(raw_server, raw: bytes) -> None:
    server = await raw_server(lambda _: raw)
    status, _, body = await post(server.url)
    assert (status, body) == (200, b'{"ok":1}')


async def test_close_delimited_and_connection_close_answers_are_not_reused(raw_server) -> None:
    server = await raw_server(lambda _: b'HTTP/1.0 200 OK\r\n\r\n{"ok":1}', close_after=True)
    wire = Wire()
    try:
        assert (await post(server.url, wire))[2] == b'{"ok":1}'
        assert (await post(server.url, wire))[2] == b'{"ok":1}'
    finally:
        wire.close()
    assert server.connections == 2
    closing = await raw_server(lambda _: ok(b"{}", "Connection: close"), close_after=True)
    wire = Wire()
    try:
        for _ in range(2):
            assert (await post(closing.url, wire))[0] == 200
    finally:
        wire.close()
    assert closing.connections == 2


async def test_a_keep_alive_connection_the_server_dropped_is_retried_once_on_a_new_one(raw_server) -> None:
    """The server answers, then closes while the connection idles in the pool (its keep-alive
    timeout); the next request meets the closed connection and goes out again on a new one."""
    answers = iter([ok(), None, ok(b'{"ok":2}')])
    server = await raw_server(lambda _: next(answers))
    wire = Wire()
    try:
        assert (await post(server.url, wire))[2] == b'{"ok":1}'
        status, _, raw = await post(server.url, wire)
    finally:
        wire.close()
    assert (status, raw) == (200, b'{"ok":2}') and server.connections == 2


async def test_broken_and_unreadable_answers_are_retryable_provider_errors(raw_server) -> None:
    scrub = Scrubber("sk-secret-key-123456")
    for raw in (b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"trunc", b"garbage\r\n\r\n",
                b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 2\r\n\r\n{}"):
        server = await raw_server(lambda _, raw=raw: raw, close_after=True)
        async with http_session() as session:
            with pytest.raises(ProviderError, match="connection to 127.0.0.1 failed") as err:
                await send(session, "POST", server.url, host="127.0.0.1", base_url="http://127.0.0.1",
                           scrub=scrub, headers={}, body=b"{}")
        assert err.value.retryable and "\n" not in str(err.value)


async def test_a_closed_port_cannot_be_reached() -> None:
    async with http_session() as session:
        with pytest.raises(ProviderError, match="cannot reach http://127.0.0.1:1/v1: "):
            await send(session, "POST", "http://127.0.0.1:1/v1/chat/completions", host="127.0.0.1:1",
                       base_url="http://127.0.0.1:1/v1", scrub=Scrubber(None), headers={}, body={"a": 1})


async def test_a_cancelled_request_closes_its_connection_so_the_server_sees_it_go(raw_server) -> None:
    server = await raw_server(lambda _: b"")  # reads the request, never answers
    wire = Wire()
    try:
        task = asyncio.create_task(post(server.url, wire))
        async with asyncio.timeout(5):
            while not server.requests:
                await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with asyncio.timeout(5):
            await server.gone.wait()
    finally:
        wire.close()


async def test_a_header_with_a_line_break_is_refused_before_sending(raw_server) -> None:
    server = await raw_server(lambda _: ok())
    wire = Wire()
    try:
        with pytest.raises(ValueError, match="line break"):
            await wire.request("POST", server.url, {"Authorization": "Bearer x\r\nX-Evil: 1"}, b"{}")
    finally:
        wire.close()
    assert not server.requests


def test_urls_with_credentials_stay_with_aiohttp() -> None:
    wire = Wire()
    assert wire.target("http://user:pw@127.0.0.1:8/v1") is None
    assert wire.target("ftp://example.org/") is None
    assert wire.target("https://api.example.org/v1/chat?x=1") == (
        ("https", "api.example.org", 443), "/v1/chat?x=1", "api.example.org")
    assert wire.target("http://[::1]:8080/v1")[2] == "[::1]:8080"
