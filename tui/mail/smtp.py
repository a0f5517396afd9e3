"""Forwarding over SMTP (aiosmtplib): the original message attached unchanged as message/rfc822.

`--smtp smtp://[USER@]HOST:PORT` (STARTTLS required unless `--smtp-insecure`) or
`smtps://[USER@]HOST:PORT` (TLS from the start). Certificates are verified; `--smtp-cafile`
adds a CA. The password comes only from FANMAIL_SMTP_PASSWORD (login only when a user is given).
"""

from __future__ import annotations

import os
import re
import socket
import ssl
import uuid
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib

from tui.mail.imap_target import tls_context
from tui.mail.tls_hint import untrusted

PASSWORD_ENV = "FANMAIL_SMTP_PASSWORD"
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


class SmtpError(Exception):
    """A forwarding problem in one line."""


class SmtpRefused(SmtpError):
    """The server refused the recipient or the message: it took nothing, so sending again later is
    safe (unlike a connection lost after DATA, where the mail may or may not have been taken)."""


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    user: str | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def parse_smtp_url(spec: str) -> SmtpTarget:
    parts = urlsplit((spec or "").strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"bad --smtp {spec!r}: use smtp://[USER@]HOST:PORT or smtps://[USER@]HOST:PORT")
    if parts.password:
        raise ValueError(f"put no password in --smtp: set {PASSWORD_ENV} instead")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValueError(f"bad port in --smtp {spec!r}") from None
    return SmtpTarget(scheme, parts.hostname, port, unquote(parts.username) if parts.username else None)


_SUBJECT_SAFE = re.compile(r"[\x00-\x1f\x7f]")


def forward_message(raw: bytes, *, sender: str, to: str, subject: str, note: str) -> bytes:
    """A new message from `sender` to `to` whose second part is the original, byte for byte."""
    head = EmailMessage()
    head["From"] = sender
    head["To"] = to
    head["Subject"] = "Fwd: " + _SUBJECT_SAFE.sub(" ", subject or "(no subject)")[:200]
    head["Date"] = formatdate(localtime=False)
    head["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "fanmail.invalid")
    head["MIME-Version"] = "1.0"
    head["X-Fanmail-Forwarded"] = "yes"
    boundary = "fanmail-" + uuid.uuid4().hex
    text = EmailMessage()
    text.set_content(note, charset="utf-8")
    original = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not original.endswith(b"\r\n"):
        original += b"\r\n"
    headers = head.as_bytes(policy=head.policy.clone(linesep="\r\n")).rstrip(b"\r\n")
    text_part = text.as_bytes(policy=text.policy.clone(linesep="\r\n"))
    text_part = b"\r\n".join(ln for ln in text_part.split(b"\r\n") if not ln.lower().startswith(b"mime-version:"))
    b = boundary.encode()
    return b"".join([
        headers, b"\r\nContent-Type: multipart/mixed; boundary=\"", b, b"\"\r\n\r\n",
        b"--", b, b"\r\n", text_part.rstrip(b"\r\n"), b"\r\n",
        b"--", b, b"\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"original.eml\"\r\n\r\n",
        original,
        b"--", b, b"--\r\n",
    ])


@dataclass(frozen=True, slots=True)
class SmtpReply:
    """One step of a transaction as the server answered it; `code` None: the connection was lost
    (and is closed). `sender`: a refusal of MAIL FROM, about us, not the recipient."""

    code: int | None
    message: str
    sender: bool = False


class Forwarder:
    """One SMTP connection, opened on first use and reopened after an error."""

    connect_refused = "cannot forward via SMTP"  # how a refused connection reads (subclasses send other mail)

    def __init__(self, target: SmtpTarget, *, sender: str, cafile: str | None = None, insecure: bool = False,
                 timeout: float = 30.0, environ: dict[str, str] | None = None) -> None:
        self.target = target
        self.sender = sender
        self.cafile = cafile
        self.insecure = insecure
        self.timeout = timeout
        env = os.environ if environ is None else environ
        self.password = env.get(PASSWORD_ENV) if target.user else None
        if target.user and not self.password:
            raise SmtpError(f"--smtp names user {target.user}: set {PASSWORD_ENV} to its password")
        self._client: aiosmtplib.SMTP | None = None
        self.sent = 0

    @classmethod
    def from_settings(cls, settings: Any, default_sender: str | None = None,
                      environ: dict[str, str] | None = None) -> "Forwarder | None":
        spec = getattr(settings, "smtp", None)
        if not spec:
            return None
        try:
            target = parse_smtp_url(spec)
        except ValueError as exc:
            raise SmtpError(str(exc)) from None
        sender = getattr(settings, "smtp_from", None) or default_sender or f"fanmail@{socket.getfqdn() or 'localhost'}"
        return cls(target, sender=sender, cafile=getattr(settings, "smtp_cafile", None),
                   insecure=bool(getattr(settings, "smtp_insecure", False)), environ=environ)

    async def _connect(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        implicit = self.target.scheme == "smtps"
        ctx = tls_context(self.cafile) if (implicit or not self.insecure) else None
        client = aiosmtplib.SMTP(
            hostname=self.target.host, port=self.target.port, timeout=self.timeout, use_tls=implicit,
            start_tls=False if (implicit or self.insecure) else True, tls_context=ctx,
            username=self.target.user, password=self.password,
        )
        try:
            await client.connect()
        except ssl.SSLCertVerificationError as exc:
            client.close()
            raise SmtpError(await untrusted(exc, where=self.target.address, host=self.target.host,
                                            port=self.target.port, implicit=implicit, protocol="smtp",
                                            flag="--smtp-cafile", cafile=self.cafile)) from None
        except aiosmtplib.SMTPException as exc:
            if isinstance(exc.__cause__, ssl.SSLCertVerificationError):
                client.close()
                raise SmtpError(await untrusted(exc.__cause__, where=self.target.address, host=self.target.host,
                                                port=self.target.port, implicit=implicit, protocol="smtp",
                                                flag="--smtp-cafile", cafile=self.cafile)) from None
            raise SmtpError(f"{self.connect_refused} {self.target.address}: {_first_line(exc)}") from None
        except OSError as exc:
            raise SmtpError(f"cannot connect to SMTP server {self.target.address}: {exc.strerror or exc}") from None
        self._client = client
        return client

    async def connect(self) -> None:
        """Open the connection now (a no-op while it is open); SmtpError if it cannot be."""
        await self._connect()

    async def envelope(self, recipient: str) -> SmtpReply | None:
        """MAIL FROM and RCPT TO for one recipient, on the connection `connect` opened. None: go on
        to `data`; else the refusal (RSET sent, the connection goes on) or the lost connection."""
        client = await self._connect()
        try:
            await client.mail(self.sender)
            await client.rcpt(recipient)
        except (aiosmtplib.SMTPResponseException, OSError) as exc:
            return await self._failed(client, exc)
        return None

    async def data(self, message: bytes) -> SmtpReply:
        """DATA after an accepted `envelope`: the server's reply, or None as code when the connection
        was lost mid-message (it may have been sent)."""
        client = await self._connect()
        try:
            response = await client.data(message)
        except (aiosmtplib.SMTPResponseException, OSError) as exc:
            return await self._failed(client, exc)
        return SmtpReply(response.code, response.message)

    async def _failed(self, client: aiosmtplib.SMTP, exc: Exception) -> SmtpReply:
        """The one mapping of a failed step: a refusal (RSET sent, the connection goes on) or a lost
        connection (aiosmtplib's disconnect and timeout are OSErrors: closed, code None)."""
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            await _reset(client)
            return SmtpReply(exc.code, exc.message, sender=isinstance(exc, aiosmtplib.SMTPSenderRefused))
        await self.close()
        return SmtpReply(None, str(exc))

    async def forward(self, raw: bytes, to: str, *, subject: str, note: str) -> None:
        try:
            Address(addr_spec=to)
        except Exception:
            raise SmtpError(f"bad forward_to address {to!r}") from None
        message = forward_message(raw, sender=self.sender, to=to, subject=subject, note=note)
        await self.send(message, to, what="the forward")

    async def send(self, message: bytes, to: str, *, what: str) -> None:
        """One message to one recipient over this connection; `what` names it in errors."""
        client = await self._connect()
        try:
            await client.sendmail(self.sender, [to], message)
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as exc:
            await self.close()
            raise SmtpRefused(f"SMTP server {self.target.address} refused {what} to {to}: {_first_line(exc)}") from None
        except aiosmtplib.SMTPException as exc:
            await self.close()
            raise SmtpError(f"SMTP server {self.target.address} refused {what} to {to}: {_first_line(exc)}") from None
        except OSError as exc:
            await self.close()
            raise SmtpError(f"lost SMTP server {self.target.address}: {exc.strerror or exc}") from None
        self.sent += 1

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if client.is_connected:
                await client.quit(timeout=2)
        except Exception:
            client.close()


async def _reset(client: aiosmtplib.SMTP) -> None:
    try:
        await client.rset()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).strip().splitlines()[0][:200]

