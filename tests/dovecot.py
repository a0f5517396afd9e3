"""A real Dovecot and a real aiosmtpd on 127.0.0.1 for the IMAP/SMTP tests and bench/imap.py.

`DovecotServer` writes its own config, users and a self-signed certificate into a temp dir,
starts `dovecot -F -c FILE` on free ports (plain+STARTTLS and IMAPS) and can be stopped and
started again on the same ports and mail (to test a server going away mid-run). Facts that make
it work as root are in ARCHITECTURE.md. `SmtpSink` is an aiosmtpd server that records every
message it receives. Neither needs pytest; the fixtures at the bottom wrap them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

USER = "fan"
PASSWORD = "fan-imap-secret"

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap{extra_protocols}
listen = 127.0.0.1
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
mail_max_userip_connections = 100
mail_fsync = never
auth_mechanisms = plain login
disable_plaintext_auth = no
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
{lmtp_service}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


_LMTP_SERVICE = """\
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
}}
"""


def lmtp_missing() -> str | None:
    """Why Dovecot cannot deliver over LMTP here, or None when it can."""
    reason = dovecot_missing()
    if reason:
        return reason
    if not any(Path(d, "lmtp").exists() for d in ("/usr/lib/dovecot", "/usr/libexec/dovecot")):
        return "dovecot's LMTP server is not installed (apt-get install -y dovecot-lmtpd; bash .ci/test does this as root)"
    return None


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Distinct free ports: every socket stays bound until all are chosen, so the kernel cannot
    hand the same one out twice (two listeners on one port is a fatal Dovecot config error)."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]


def dovecot_missing() -> str | None:
    """Why the real-Dovecot tests cannot run here, or None when they can."""
    if shutil.which("dovecot") is None:
        return "dovecot is not installed (apt-get install -y dovecot-imapd openssl; bash .ci/test does this as root)"
    if shutil.which("openssl") is None:
        return "openssl is not installed"
    if os.geteuid() != 0:
        return "the Dovecot fixture runs Dovecot as root (as CI does); run the tests as root"
    return None


def make_cert(folder: Path, names: str = "DNS:localhost,IP:127.0.0.1") -> Path:
    """A self-signed certificate for `names` (subjectAltName form); returns the cert (also the CA file)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", "/CN=localhost", "-addext", f"subjectAltName={names}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )
    return cert


_PR_SET_CHILD_SUBREAPER = 36


def _session_members(sid: int) -> list[int]:
    """Pids whose session is `sid` (zombies included), read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid:  # state ppid pgrp session ...
                    members.append(int(entry.name))
    return members


@contextlib.contextmanager
def _reaping_orphans(sid: int, timeout: float = 10.0) -> Iterator[None]:
    """While the body kills session `sid`, its orphans become this process's children, and are
    reaped before it returns.

    Why: a killed imap process stays a zombie until someone reaps it, and kill(pid, 0) still
    succeeds on a zombie, so a restarted Dovecot takes the dotlock the dead process left
    (dovecot-uidlist.lock, which holds its pid) as held by a live one and waits minutes on it.
    Orphans go to PID 1, and in a container PID 1 may reap late or never (a CI run failed on a
    SELECT after a restart this way). Linux only; elsewhere it does nothing."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        subreaper = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        subreaper = False
    try:
        yield
        deadline = time.monotonic() + timeout
        while subreaper and time.monotonic() < deadline:
            left = [pid for pid in _session_members(sid) if pid != sid]  # the leader is Popen's to reap
            if not left:
                break
            for pid in left:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
            time.sleep(0.02)
    finally:
        if subreaper:
            libc.prctl(_PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


@dataclass
class DovecotServer:
    """One Dovecot with one user (USER / PASSWORD). `start()`, `stop()` (kill), `start()` again."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fm-dovecot-")))
    port: int = 0  # 0: chosen at construction, distinct from the other two
    ssl_port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    lmtp: bool = False  # also deliver over LMTP on 127.0.0.1:lmtp_port (needs dovecot-lmtpd)
    lmtp_port: int = 0
    cert_names: str = "DNS:localhost,IP:127.0.0.1"  # e.g. "DNS:localhost" alone: 127.0.0.1 is not its name

    def __post_init__(self) -> None:
        spare = iter(free_ports(3))
        self.port, self.ssl_port, self.lmtp_port = (p or next(spare) for p in (self.port, self.ssl_port, self.lmtp_port))
        os.chmod(self.root, 0o755)  # dovecot's own users must reach the mail below it
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(exist_ok=True)
        self.cafile = make_cert(self.root, self.cert_names)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        as_root = os.geteuid() == 0
        me = "dovecot" if as_root else os.environ.get("USER", "nobody")
        (self.root / "dovecot.conf").write_text(_CONFIG.format(
            root=self.root, port=self.port, ssl_port=self.ssl_port,
            login_user="dovenull" if as_root else me, internal_user=me, mail_user=me, mail_group=me,
            extra_protocols=" lmtp" if self.lmtp else "",
            lmtp_service=_LMTP_SERVICE.format(port=self.lmtp_port) if self.lmtp else "",
        ))
        if as_root:
            for sub in ("mail", "home"):
                shutil.chown(self.root / sub, "dovecot", "dovecot")

    @property
    def log(self) -> str:
        try:
            return (self.root / "dovecot.log").read_text(errors="replace")
        except OSError:
            return ""

    def url(self, folder: str = "INBOX", *, ssl: bool = False) -> str:
        scheme, port = ("imaps", self.ssl_port) if ssl else ("imap", self.port)
        return f"{scheme}://{USER}@127.0.0.1:{port}/{folder}"

    def start(self, timeout: float = 20.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        self.proc = subprocess.Popen(
            ["dovecot", "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"dovecot exited: {err.strip()[-800:]}\n{self.log[-800:]}")
            if all(self._listening(p) for p in self._ports):
                return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("dovecot did not start listening in time:\n" + self.log[-800:])
            time.sleep(0.05)

    @property
    def _ports(self) -> tuple[int, ...]:
        return (self.port, self.ssl_port, self.lmtp_port) if self.lmtp else (self.port, self.ssl_port)

    @staticmethod
    def _listening(port: int) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
        return False

    def stop(self) -> None:
        """Kill the master and every process of its session at once (as a crash would), then reap
        them: see `_reaping_orphans` for why a crash must not leave zombies here."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with _reaping_orphans(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
        # children that left the session (none expected) would still hold the ports
        deadline = time.monotonic() + 10
        while any(self._listening(p) for p in self._ports) and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []  # (mail from, rcpt tos, data)
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))  # type: ignore[attr-defined]
        return "250 OK"


class LocalSmtp:
    """aiosmtpd on 127.0.0.1 (its own thread) answering with `handler`: `url`, `port`, `close()`."""

    def __init__(self, handler: object, *, cert: Path | None = None) -> None:
        """`cert` (make_cert's, its key beside it as key.pem): STARTTLS offered with that certificate."""
        from aiosmtpd.controller import Controller

        self.handler = handler
        self.port = free_port()
        tls: dict[str, object] = {}
        if cert is not None:
            import ssl

            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, cert.parent / "key.pem")
            tls = {"tls_context": context}
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port, **tls)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.controller.stop()

    def __enter__(self) -> "LocalSmtp":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SmtpSink(LocalSmtp):
    """Records every message it accepts."""

    def __init__(self) -> None:
        self.recorder = _Recorder()
        super().__init__(self.recorder)

    @property
    def messages(self) -> list[tuple[str, list[str], bytes]]:
        with self.recorder.lock:
            return list(self.recorder.messages)


@contextlib.contextmanager
def running_dovecot(extra_conf: str = "") -> Iterator[DovecotServer]:
    """A fresh Dovecot with `extra_conf` added to its config, started, and closed after (skips the
    test with the reason when it cannot run here)."""
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    server = DovecotServer()
    if extra_conf:
        conf = server.root / "dovecot.conf"
        conf.write_text(conf.read_text() + extra_conf)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def dovecot() -> Iterator[DovecotServer]:
    """A fresh, running Dovecot for one test."""
    with running_dovecot() as server:
        yield server


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    try:
        yield sink
    finally:
        sink.close()


def seed(server: DovecotServer, messages: list[bytes], folder: str = "INBOX", flags: str = "") -> None:
    """APPEND every message in one MULTIAPPEND with non-synchronising literals (one round trip)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        reader = sock.makefile("rb")

        def until(tag: bytes) -> bytes:
            while True:
                line = reader.readline()
                if not line:
                    raise RuntimeError("dovecot closed the connection while seeding")
                if line.startswith(tag + b" "):
                    if not line.startswith(tag + b" OK"):
                        raise RuntimeError(f"seeding failed: {line!r}")
                    return line

        reader.readline()  # greeting
        sock.sendall(f'L LOGIN {USER} "{PASSWORD}"\r\n'.encode())
        until(b"L")
        parts = [f"A APPEND {folder}".encode()]
        for raw in messages:
            parts.append(f" ({flags}) {{{len(raw)}+}}\r\n".encode() if flags else f" {{{len(raw)}+}}\r\n".encode())
            parts.append(raw)
        parts.append(b"\r\n")
        sock.sendall(b"".join(parts))
        until(b"A")
        sock.sendall(b"Z LOGOUT\r\n")


def snapshot(server: DovecotServer) -> dict[str, list[tuple[str, set[str]]]]:
    """Every folder's messages as (Message-ID, flags), read with imaplib (EXAMINE, BODY.PEEK)."""
    import imaplib
    import re as _re

    out: dict[str, list[tuple[str, set[str]]]] = {}
    conn = imaplib.IMAP4("127.0.0.1", server.port, timeout=30)
    try:
        conn.login(USER, PASSWORD)
        _, listing = conn.list()
        names = []
        for raw in listing:
            m = _re.match(rb'\(([^)]*)\) (?:"[^"]*"|NIL) (.*)$', raw)
            if m and b"\\Noselect" not in m.group(1):
                names.append(m.group(2).decode().strip('"'))
        for name in names:
            conn.select(f'"{name}"', readonly=True)
            _, data = conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            items = []
            for item in data:
                if isinstance(item, tuple):
                    flags = _re.search(rb"FLAGS \(([^)]*)\)", item[0])
                    msgid = item[1].decode(errors="replace").partition(":")[2].strip()
                    items.append((msgid, set((flags.group(1).decode().split()) if flags else ())))
            out[name] = items
        conn.logout()
    finally:
        with contextlib.suppress(Exception):
            conn.shutdown()
    return out


class ThrottledProxy:
    """127.0.0.1 TCP proxy passing at most `rate` bytes/s per direction per connection, as a slow link
    to a remote server would; runs in the test's event loop (`await proxy.start()`, `await proxy.close()`).
    `cut()` resets every connection: with `DovecotServer.stop()` it is a remote server dying, bytes still
    in flight lost (locally the kernel would hand them all over first)."""

    def __init__(self, target_port: int, rate: int = 200_000) -> None:
        self.target_port = target_port
        self.rate = rate
        self.port = free_port()
        self.transports: set = set()
        self.server = None

    async def start(self) -> "ThrottledProxy":
        import asyncio

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    data = await reader.read(self.rate // 20)
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
                    await asyncio.sleep(len(data) / self.rate)
            except (ConnectionError, OSError):
                pass
            finally:
                writer.transport.abort()

        async def handle(cr: asyncio.StreamReader, cw: asyncio.StreamWriter) -> None:
            try:
                sr, sw = await asyncio.open_connection("127.0.0.1", self.target_port)
            except OSError:
                cw.transport.abort()
                return
            self.transports.update((cw.transport, sw.transport))
            await asyncio.gather(pump(cr, sw), pump(sr, cw), return_exceptions=True)

        self.server = await asyncio.start_server(handle, "127.0.0.1", self.port)
        return self

    def cut(self) -> None:
        for transport in self.transports:
            transport.abort()
        self.transports.clear()

    async def close(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
