"""Flags and checks that `fanmail campaign` and `fanmail provision` share: where mail goes out
(SMTP, its TLS and sender), where users' IMAP is, the store, and the SMTP target's password.

Setting flags use `argparse.SUPPRESS` so that an absent flag leaves fanmail.toml and FANMAIL_*
values in force (see tui/settings.py).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from tui.mail.smtp import PASSWORD_ENV, SmtpTarget, parse_smtp_url
from tui.settings import ConfigError, Settings


def add_smtp_flags(parser: argparse.ArgumentParser, *, sender_help: str) -> None:
    parser.add_argument("--smtp", dest="smtp", default=argparse.SUPPRESS,
                        help=f"smtp://[USER@]HOST:PORT (STARTTLS) or smtps://; password from {PASSWORD_ENV}")
    parser.add_argument("--from", dest="smtp_from", default=argparse.SUPPRESS, metavar="ADDRESS", help=sender_help)
    parser.add_argument("--smtp-cafile", dest="smtp_cafile", default=argparse.SUPPRESS,
                        help="SMTP: extra trusted CA file")
    parser.add_argument("--smtp-insecure", dest="smtp_insecure", action="store_true", default=argparse.SUPPRESS,
                        help="smtp:// without STARTTLS (plain text: a local test server only)")


def add_imap_tls_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--imap-cafile", dest="imap_cafile", default=argparse.SUPPRESS,
                        help="IMAP: extra trusted CA file")
    parser.add_argument("--imap-insecure", dest="imap_insecure", action="store_true", default=argparse.SUPPRESS,
                        help="imap:// without STARTTLS (a local test server only)")


def add_fanout_flags(parser: argparse.ArgumentParser, *, concurrency_help: str, timeout_help: str) -> None:
    parser.add_argument("--concurrency", dest="concurrency", type=int, default=argparse.SUPPRESS,
                        help=concurrency_help)
    parser.add_argument("--agent-timeout", dest="agent_timeout", type=float, default=argparse.SUPPRESS,
                        help=timeout_help)


def add_store_flags(parser: argparse.ArgumentParser, *, store_help: str) -> None:
    parser.add_argument("--store", dest="store", default=argparse.SUPPRESS, help=store_help)
    parser.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="fanmail.toml to read")


def smtp_target(settings: Settings, missing: str) -> SmtpTarget:
    """The `--smtp` URL, parsed; `missing` is the error when none was given."""
    if not settings.smtp:
        raise ConfigError(missing)
    try:
        return parse_smtp_url(settings.smtp)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def printable(text: str) -> str:
    """One terminal line from untrusted text (a CSV cell, a server's reply): no line breaks and no
    control characters, so nothing printed can drive the terminal."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def require_smtp_password(target: SmtpTarget) -> None:
    """Before anything is sent: a URL naming a user needs its password in the environment."""
    if target.user and not os.environ.get(PASSWORD_ENV):
        raise ConfigError(f"--smtp names user {target.user}: set {PASSWORD_ENV} to its password")
