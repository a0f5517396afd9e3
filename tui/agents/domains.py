"""Mail domains: the domain of an address and the registrable part of a domain.

Why it exists: the rules classifier and the learned spam model both compare a sender's domain
with the Message-ID's, the links' and the recipients'; one definition keeps them agreeing.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ADDR = re.compile(r"[\w.+'=-]+@([\w-]+(?:\.[\w-]+)+)")
# Shared mailbox providers: the domain says nothing about who sent the mail.
FREEMAIL = frozenset({
    "hotmail.com", "yahoo.com", "aol.com", "msn.com", "gmail.com", "excite.com", "netscape.net",
    "lycos.com", "mail.com", "juno.com", "email.com", "usa.net", "earthlink.net", "netzero.net",
    "eudoramail.com", "compuserve.com", "outlook.com", "live.com", "yahoo.co.uk", "hotmail.co.uk",
    "mail.ru", "yandex.ru", "gmx.net", "gmx.com", "web.de", "163.com", "126.com", "sina.com",
    "qq.com", "rediffmail.com", "btinternet.com", "yahoo.ca", "hotmail.fr", "aim.com"})
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu"}


@lru_cache(maxsize=4096)
def domain_of(addr: str) -> str:
    """The lower-cased domain of the first address in a header value, or ''."""
    found = _ADDR.search(addr)
    return found.group(1).lower().rstrip(".") if found else ""


@lru_cache(maxsize=4096)
def registrable(domain: str) -> str:
    """mail.example.com -> example.com, a.example.co.uk -> example.co.uk (good enough here)."""
    parts = domain.split(".")
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in _SECOND_LEVEL:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])
