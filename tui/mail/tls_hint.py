"""What to do when a mail server's TLS certificate is refused: when the host is not one of the
certificate's names (an IP address for a certificate of `localhost`), which names it holds; when its
chain is not trusted, which CA file to give, or that the one given is not the signer.

The names are read by a second connection that checks the chain but not the name, never used
for mail: the refused connection has no certificate to show once its handshake failed."""

from __future__ import annotations

import asyncio
import contextlib
import ssl

NAME_MISMATCH = {62, 64}  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH


async def _reply(reader: asyncio.StreamReader, done: bytes | None) -> None:
    """Lines until the last of the reply: IMAP's tagged one (`done`), SMTP's `NNN ` one."""
    while line := await reader.readline():
        if (done is not None and line.startswith(done)) or (done is None and line[3:4] == b" "):
            return
    raise ConnectionResetError("closed")


async def _starttls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, protocol: str) -> None:
    if protocol == "imap":
        await reader.readline()  # the greeting
        writer.write(b"n1 STARTTLS\r\n")
        await _reply(reader, b"n1 ")
        return
    await _reply(reader, None)  # 220
    writer.write(b"EHLO fanmail\r\n")
    await _reply(reader, None)
    writer.write(b"STARTTLS\r\n")
    await _reply(reader, None)


async def certificate_names(host: str, port: int, *, implicit: bool, protocol: str, cafile: str | None,
                            timeout: float = 5.0) -> list[str]:
    """The DNS and IP names of the server's certificate (its CN if it has none); [] when they
    cannot be read (its chain is not trusted either, or the server is gone)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    writer: asyncio.StreamWriter | None = None
    try:
        if cafile:
            ctx.load_verify_locations(cafile=cafile)
        async with asyncio.timeout(timeout):
            if implicit:
                reader, writer = await asyncio.open_connection(host, port, ssl=ctx, server_hostname=host)
            else:
                reader, writer = await asyncio.open_connection(host, port)
                await _starttls(reader, writer, protocol)
                await writer.start_tls(ctx, server_hostname=host)
            cert = writer.get_extra_info("peercert") or {}
    except (OSError, TimeoutError, ValueError):
        return []
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1):
                    await writer.wait_closed()
    names = [value for kind, value in cert.get("subjectAltName", ()) if kind in ("DNS", "IP Address")]
    return names or [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]


async def untrusted(exc: ssl.SSLCertVerificationError, *, where: str, host: str, port: int, implicit: bool,
                    protocol: str, flag: str, cafile: str | None) -> str:
    """One line saying what was wrong with the certificate and what to do about it."""
    if exc.verify_code in NAME_MISMATCH:
        names = await certificate_names(host, port, implicit=implicit, protocol=protocol, cafile=cafile)
        if names:
            return (f"TLS certificate of {where} is for {', '.join(names)}, not {host}: the host must match one "
                    f"of those names, e.g. {names[0]}:{port}")
        return (f"TLS certificate of {where} is not valid for {host} ({exc.verify_message}): the host must "
                "match one of the names the certificate holds")
    if cafile:
        return (f"TLS certificate of {where} not trusted ({exc.verify_message}) even with {flag} {cafile}: that "
                "file must hold the CA that signed the server's certificate (or the certificate, if self-signed)")
    return f"TLS certificate of {where} not trusted ({exc.verify_message}); pass {flag} FILE for a private CA"
