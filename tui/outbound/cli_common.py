"""Checks that `fanmail campaign` and `fanmail provision` share: the SMTP target and its password,
and printing untrusted text. Their setting flags are tui/cli_flags.py's, as every command's."""

from __future__ import annotations

import os

from tui.mail.smtp import PASSWORD_ENV, SmtpTarget, parse_smtp_url
from tui.settings import ConfigError, Settings


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
