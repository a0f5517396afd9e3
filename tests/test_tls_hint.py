"""TLS errors say what to do: connecting by IP to a server whose certificate names only
`localhost` names the certificate's hosts (not "pass --imap-cafile", which was given); an
untrusted chain says which flag to pass, or that the file passed is not the signer. Real Dovecot
(IMAP STARTTLS and imaps) and aiosmtpd (SMTP STARTTLS) on 127.0.0.1."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovecot import PASSWORD, DovecotServer, LocalSmtp, _Recorder, dovecot_missing, make_cert
from test_cli import fanmail

from tui.mail.imap_client import ImapSession
from tui.mail.imap_target import ImapError, ImapOptions, parse_imap_url
from tui.mail.smtp import Forwarder as SmtpSender, SmtpError, parse_smtp_url


@pytest.fixture
def localhost_only() -> Iterator[DovecotServer]:
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    server = DovecotServer(cert_names="DNS:localhost")
    try:
        server.start()
        yield server
    finally:
        server.close()


async def test_imap_by_ip_names_the_certificates_hosts(localhost_only: DovecotServer) -> None:
    for ssl in (False, True):
        url = localhost_only.url(ssl=ssl)
        with pytest.raises(ImapError) as caught:
            await ImapSession.open(parse_imap_url(url), ImapOptions(password=PASSWORD,
                                                                     cafile=str(localhost_only.cafile)))
        said = str(caught.value)
        assert "is for localhost, not 127.0.0.1" in said and "the host must match" in said, said
        assert "--imap-cafile" not in said
    url = localhost_only.url().replace("127.0.0.1", "localhost")  # the name it holds: it works
    session = await ImapSession.open(parse_imap_url(url), ImapOptions(password=PASSWORD,
                                                                      cafile=str(localhost_only.cafile)))
    await session.close()

    code, _, err = await fanmail("triage", localhost_only.url(), "--headless", "--imap-cafile",
                                 str(localhost_only.cafile), env={"FANMAIL_IMAP_PASSWORD": PASSWORD})
    assert code == 2 and len(err.strip().splitlines()) == 1 and "is for localhost, not 127.0.0.1" in err, err
    assert "pass --imap-cafile" not in err


async def test_imap_untrusted_chain_says_which_file_to_give(localhost_only: DovecotServer, tmp_path: Path) -> None:
    target = parse_imap_url(localhost_only.url().replace("127.0.0.1", "localhost"))
    with pytest.raises(ImapError, match="pass --imap-cafile FILE for a private CA"):
        await ImapSession.open(target, ImapOptions(password=PASSWORD))
    other = make_cert(tmp_path)  # a CA that did not sign the server's certificate
    with pytest.raises(ImapError, match=f"even with --imap-cafile {other}: that file must hold the CA"):
        await ImapSession.open(target, ImapOptions(password=PASSWORD, cafile=str(other)))


async def test_smtp_by_ip_names_the_certificates_hosts() -> None:
    folder = Path(tempfile.mkdtemp(prefix="fm-smtp-tls-"))
    cert = make_cert(folder, "DNS:localhost")
    with LocalSmtp(_Recorder(), cert=cert) as server:
        sender = SmtpSender(parse_smtp_url(server.url), sender="a@x.test", cafile=str(cert))
        with pytest.raises(SmtpError) as caught:
            await sender.send(b"Subject: x\r\n\r\nx\r\n", "b@x.test", what="the test")
        said = str(caught.value)
        assert "is for localhost, not 127.0.0.1" in said and "--smtp-cafile" not in said, said
        await sender.close()
        by_name = SmtpSender(parse_smtp_url(server.url.replace("127.0.0.1", "localhost")), sender="a@x.test",
                             cafile=str(cert))
        await by_name.send(b"Subject: x\r\n\r\nx\r\n", "b@x.test", what="the test")
        await by_name.close()
        assert len(server.handler.messages) == 1  # type: ignore[attr-defined]
        untrusted = SmtpSender(parse_smtp_url(server.url.replace("127.0.0.1", "localhost")), sender="a@x.test")
        with pytest.raises(SmtpError, match="pass --smtp-cafile FILE"):
            await untrusted.send(b"Subject: x\r\n\r\nx\r\n", "b@x.test", what="the test")
