"""The welcome mail: built with a Message-ID that is a function of the user alone, sent over
SMTP (the forwarding client of tui/mail/smtp.py), and looked for over IMAP as that user.

The deterministic Message-ID is what makes a rerun safe even without the store: before sending,
the agent logs in and searches INBOX for it; after sending, the same search proves arrival.
"""

from __future__ import annotations

import asyncio
import hashlib
import string
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from urllib.parse import urlsplit

from tui.mail.imap_client import ImapSession
from tui.mail.imap_target import ImapOptions, ImapTarget
from tui.mail.smtp import Forwarder, SmtpRefused
from tui.outbound.provision_users import ProvisionUser
from tui.settings import ConfigError

WELCOME_HEADER = "X-Fanmail-Welcome"
DEFAULT_SUBJECT = "Welcome to your new mailbox"
DEFAULT_BODY = """Hello $name,

your mailbox $email is ready. Sign in with the login $user and the password you were given.

Welcome aboard!
"""


def welcome_message_id(user: str, sender: str) -> str:
    """The same user always gets the same Message-ID (from the same sender domain)."""
    digest = hashlib.sha256(f"fanmail-welcome\0{user}".encode()).hexdigest()[:32]
    domain = sender.rpartition("@")[2] or "fanmail.invalid"
    return f"<welcome.{digest}@{domain}>"


@dataclass(frozen=True, slots=True)
class WelcomeTemplate:
    sender: str
    subject: str = DEFAULT_SUBJECT
    body: str = DEFAULT_BODY  # string.Template: $name $user $email

    def render(self, user: ProvisionUser) -> EmailMessage:
        values = {"name": user.name or user.user, "user": user.user, "email": user.email}
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = formataddr((user.name, user.email)) if user.name else user.email
        message["Subject"] = string.Template(self.subject).safe_substitute(values)
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = welcome_message_id(user.user, self.sender)
        message[WELCOME_HEADER] = user.user
        message.set_content(string.Template(self.body).safe_substitute(values), charset="utf-8")
        return message


WelcomeRefused = SmtpRefused  # a refused welcome delivered nothing: trying again is safe


class WelcomeSender(Forwarder):
    """One SMTP connection (per agent), opened on first use: the forwarder's, sending new mail."""

    connect_refused = "cannot connect to SMTP server"

    async def send_welcome(self, message: EmailMessage, to: str) -> None:
        await self.send(message.as_bytes(policy=message.policy.clone(linesep="\r\n")), to, what="the welcome")


# ---------------------------------------------------------------- IMAP check


@dataclass(frozen=True, slots=True)
class ImapServer:
    """Where users log in to check their mail: imap[s]://HOST[:PORT] (the user comes from each row)."""

    scheme: str
    host: str
    port: int
    cafile: str | None = None
    insecure: bool = False

    @classmethod
    def parse(cls, spec: str, *, cafile: str | None = None, insecure: bool = False) -> "ImapServer":
        parts = urlsplit((spec or "").strip())
        scheme = parts.scheme.lower()
        if scheme not in ("imap", "imaps") or not parts.hostname or parts.username or parts.password:
            raise ConfigError(f"bad --imap-server {spec!r}: use imap://HOST:PORT or imaps://HOST:PORT (no user: each row's)")
        try:
            port = parts.port or (993 if scheme == "imaps" else 143)
        except ValueError:
            raise ConfigError(f"bad port in --imap-server {spec!r}") from None
        return cls(scheme, parts.hostname, port, cafile, insecure)

    def target(self, user: str) -> ImapTarget:
        return ImapTarget(self.scheme, user, self.host, self.port, "INBOX")


async def welcome_in_inbox(server: ImapServer, user: ProvisionUser, message_id: str, *,
                           wait: float = 0.0, timeout: float = 30.0) -> bool:
    """Log in as the user and look for the welcome in INBOX; with `wait`, keep looking that long
    (delivery is asynchronous). Raises ImapError when the login or the search fails."""
    options = ImapOptions(password=user.password.get_secret_value(), cafile=server.cafile,
                          insecure=server.insecure, timeout=timeout)
    session = await ImapSession.open(server.target(user.user), options)
    try:
        deadline = time.monotonic() + wait
        delay = 0.05
        while True:
            await session.examine("INBOX")  # re-opened each time: new mail shows up
            if await session.uid_search(f'HEADER Message-ID "{message_id}"'):
                return True
            if time.monotonic() + delay > deadline:
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
    finally:
        await session.close()

