"""Where an IMAP mailbox is and how to reach it: `imap[s]://USER@HOST:PORT/FOLDER` URLs, the
per-message refs and ids built from them, the connection options (password from the environment,
CA file, search, connection count) and the verified TLS context. Also `ImapError`, the one-line
failure every IMAP module raises. No network here: the connection lives in `imap_client`.
"""

from __future__ import annotations

import functools
import os
import re
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from tui.mail.sources import SourceError

PASSWORD_ENV = "FANMAIL_IMAP_PASSWORD"
DEFAULT_PORTS = {"imap": 143, "imaps": 993}


class ImapError(SourceError):
    """A mailbox problem in one line for the user (unreachable, refused login, lost connection)."""


# ---------------------------------------------------------------- addresses


@dataclass(frozen=True, slots=True)
class ImapTarget:
    scheme: str  # imap | imaps
    user: str
    host: str
    port: int
    folder: str

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def mailbox_url(self, folder: str | None = None) -> str:
        """The mailbox's identity (no password): the prefix of action keys and source refs."""
        return f"imap://{self.user}@{self.host}:{self.port}/{folder if folder is not None else self.folder}"


def is_imap(spec: str) -> bool:
    return (spec or "").strip().lower().startswith(("imap://", "imaps://"))


def parse_imap_url(spec: str) -> ImapTarget:
    """`imap[s]://USER@HOST[:PORT][/FOLDER]`; the user may contain '@' (or %40). ValueError if bad."""
    spec = spec.strip()
    parts = urlsplit(spec)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not an IMAP URL: {spec}")
    netloc = parts.netloc
    user, at, hostport = netloc.rpartition("@")
    if not at or not user:
        raise ValueError(f"IMAP URL needs a user: {scheme}://USER@HOST:PORT/FOLDER (got {spec})")
    if ":" in user:
        raise ValueError("put no password in the IMAP URL: set FANMAIL_IMAP_PASSWORD instead")
    host, port_text = hostport, ""
    if hostport.startswith("["):  # [::1]:993
        host, _, rest = hostport[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif ":" in hostport:
        host, _, port_text = hostport.rpartition(":")
    if not host:
        raise ValueError(f"IMAP URL needs a host: {spec}")
    try:
        port = int(port_text) if port_text else DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValueError(f"bad port {port_text!r} in {spec}") from None
    if not 0 < port < 65536:
        raise ValueError(f"bad port {port} in {spec}")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    if parts.query or parts.fragment:
        raise ValueError(f"unexpected ?query or #fragment in {spec}")
    return ImapTarget(scheme, unquote(user), host, port, folder)


_REF = re.compile(r"^(?P<mailbox>imap://.+);UIDVALIDITY=(?P<validity>\d+)/;UID=(?P<uid>\d+)$")


def source_ref(target: ImapTarget, uidvalidity: int, uid: int) -> str:
    """RFC 5092 style: imap://user@host:port/FOLDER;UIDVALIDITY=v/;UID=n"""
    return f"{target.mailbox_url()};UIDVALIDITY={uidvalidity}/;UID={uid}"


_AUTHORITY = re.compile(r"^imap://(?P<user>.+)@(?P<host>\[[^\]]+\]|[^:/]+)(?::\d+)?/(?P<folder>.*)$")


@dataclass(frozen=True, slots=True)
class MessageRef:
    mailbox: str  # imap://user@host:port/FOLDER
    folder: str
    uidvalidity: int
    uid: int

    @property
    def account_mailbox(self) -> str:
        """imap://user@host/FOLDER: the mailbox whatever the port or TLS mode (143 and 993 of one
        host are the same mail, so an action key must not change when the URL's port does)."""
        m = _AUTHORITY.match(self.mailbox)
        return f"imap://{m['user']}@{m['host'].lower()}/{m['folder']}" if m else self.mailbox


def parse_source_ref(ref: str) -> MessageRef | None:
    m = _REF.match(ref or "")
    if not m:
        return None
    mailbox = m["mailbox"]
    folder = mailbox.split("/", 3)[3] if mailbox.count("/") >= 3 else "INBOX"
    return MessageRef(mailbox, folder, int(m["validity"]), int(m["uid"]))


def email_id(uidvalidity: int, uid: int) -> str:
    return f"imap:{uidvalidity}:{uid}"


# ---------------------------------------------------------------- options


@dataclass(frozen=True, slots=True)
class ImapOptions:
    password: str
    cafile: str | None = None
    insecure: bool = False  # imap:// without TLS (a local test server only)
    search: str = "UNSEEN"
    connections: int = 4
    timeout: float = 30.0  # seconds without any byte from the server while waiting for an answer

    @classmethod
    def from_settings(cls, settings: Any, environ: dict[str, str] | None = None) -> "ImapOptions":
        env = os.environ if environ is None else environ
        password = env.get(PASSWORD_ENV)
        if not password:
            raise ImapError(f"set {PASSWORD_ENV} to the IMAP password (it is never read from a file or flag)")
        return cls(
            password=password,
            cafile=getattr(settings, "imap_cafile", None),
            insecure=bool(getattr(settings, "imap_insecure", False)),
            search=getattr(settings, "imap_search", None) or "UNSEEN",
            connections=int(getattr(settings, "imap_connections", 4) or 4),
        )


@functools.lru_cache(maxsize=8)
def tls_context(cafile: str | None) -> ssl.SSLContext:
    """Verified TLS (hostname and chain), with an extra trusted CA file when given. Cached:
    loading the system CA store costs ~50 ms, once per run instead of once per connection."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if cafile:
        try:
            ctx.load_verify_locations(cafile=cafile)
        except (OSError, ssl.SSLError) as exc:
            raise ImapError(f"cannot load CA file {cafile}: {getattr(exc, 'strerror', None) or exc}") from None
    return ctx

