"""A tiny MTA for the provisioning tests: SMTP in (aiosmtpd on 127.0.0.1), LMTP out to Dovecot.

It is what Postfix does in front of a Dovecot mail store: each accepted message is handed to
Dovecot's LMTP service before the SMTP DATA is answered, so a 250 means the mail is in the
user's maildir, and Dovecot's own refusal (550 unknown user) reaches the SMTP client as is.
"""

from __future__ import annotations

import asyncio
import smtplib
import threading

from dovecot import LocalSmtp


class _Handler:
    def __init__(self, lmtp_port: int) -> None:
        self.lmtp_port = lmtp_port
        self.delivered: list[tuple[str, list[str], bytes]] = []
        self.refused: list[tuple[list[str], str]] = []
        self.lock = threading.Lock()

    def _deliver(self, mail_from: str, rcpts: list[str], data: bytes) -> str:
        try:
            with smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=30) as lmtp:
                lmtp.sendmail(mail_from, rcpts, data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            reply = f"{code} {text.decode(errors='replace')}"
        except (smtplib.SMTPException, OSError) as exc:
            reply = f"451 4.3.0 mail store unavailable: {type(exc).__name__}"
        else:
            with self.lock:
                self.delivered.append((mail_from, rcpts, data))
            return "250 2.0.0 delivered"
        with self.lock:
            self.refused.append((rcpts, reply))
        return reply

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        return await asyncio.get_running_loop().run_in_executor(
            None, self._deliver, envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))  # type: ignore[attr-defined]


class LmtpRelay(LocalSmtp):
    """`url` for --smtp; `delivered` lists what reached Dovecot, `refused` what Dovecot refused."""

    handler: _Handler

    def __init__(self, lmtp_port: int) -> None:
        super().__init__(_Handler(lmtp_port))

    @property
    def delivered(self) -> list[tuple[str, list[str], bytes]]:
        with self.handler.lock:
            return list(self.handler.delivered)

    @property
    def refused(self) -> list[tuple[list[str], str]]:
        with self.handler.lock:
            return list(self.handler.refused)
