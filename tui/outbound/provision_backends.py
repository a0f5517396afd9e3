"""Where mailboxes are created: a small protocol and its two backends.

- `DovecotPasswdBackend`: adds `user:{SSHA512}hash::::::` to a Dovecot passwd-file under an
  exclusive lock, re-reading the file inside the lock, so two provisioners (or two agents) never
  add a user twice or lose each other's lines. Nothing else is created by hand: Dovecot makes the
  maildir itself on first delivery or login.
- `HttpApiBackend`: one HTTP request per user to a provider's admin API, described in config
  (URL template, method, JSON body template, a token from an environment variable, which status
  codes mean created and which mean it already exists).

Both answer `"created"` or `"exists"`, and raise `BackendError` (one line, never the password).
Backend settings come from a TOML file (`--backend-config FILE`), e.g.

    kind = "http"
    url = "https://mail.example.com/api/v1/mailboxes"
    method = "POST"
    body = {address = "{email}", login = "{user}", password = "{password}", name = "{name}"}
    auth_env = "MAILAPI_TOKEN"          # header value: "{auth_scheme} {token}"
    created = [200, 201]
    exists = [409]
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import hashlib
import os
import tomllib
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tui.agents.http import new_session, public_url
from tui.outbound.provision_users import ProvisionUser
from tui.settings import ConfigError

CreateResult = Literal["created", "exists"]


class BackendError(Exception):
    """Creating one mailbox failed; the message is one line and holds no secret."""


class MailboxBackend(Protocol):
    ident: str  # names the server in ledger keys: the same mailbox on a rerun has the same key

    async def create(self, user: ProvisionUser) -> CreateResult: ...

    async def close(self) -> None: ...


# ---------------------------------------------------------------- Dovecot passwd-file


class DovecotPasswdConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["dovecot-passwd"] = "dovecot-passwd"
    passwd_file: Path
    scheme: Literal["SSHA512", "PLAIN"] = Field(
        default="SSHA512", description="how the password is stored; PLAIN only for a test server")


def ssha512(password: str, salt: bytes | None = None) -> str:
    """Dovecot's {SSHA512}: base64(sha512(password + salt) + salt)."""
    salt = os.urandom(16) if salt is None else salt
    return "{SSHA512}" + base64.b64encode(hashlib.sha512(password.encode() + salt).digest() + salt).decode()


class DovecotPasswdBackend:
    """Users in a passwd-file (`passdb { driver = passwd-file }`); needs write access to it."""

    def __init__(self, config: DovecotPasswdConfig) -> None:
        self.path = config.passwd_file.expanduser().resolve()
        self.scheme = config.scheme
        self.ident = f"dovecot-passwd:{self.path}"
        if not self.path.is_file():
            raise ConfigError(f"Dovecot passwd file not found: {self.path}")
        if not os.access(self.path, os.R_OK | os.W_OK):
            raise ConfigError(f"Dovecot passwd file {self.path} is not writable by this user")

    def _line(self, user: ProvisionUser) -> str:
        secret = user.password.get_secret_value()
        stored = ssha512(secret) if self.scheme == "SSHA512" else "{PLAIN}" + secret
        if ":" in stored or "\n" in stored:
            raise BackendError(f"{user.user}: this password cannot be stored with scheme {self.scheme}")
        return f"{user.user}:{stored}::::::\n"

    def _create_locked(self, user: ProvisionUser) -> CreateResult:
        line = self._line(user)
        try:
            with open(self.path, "a+", encoding="utf-8") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                try:
                    handle.seek(0)
                    text = handle.read()
                    if any(existing.split(":", 1)[0].strip().lower() == user.user
                           for existing in text.splitlines()):
                        return "exists"
                    # one write() of one line, appended: Dovecot never reads half a user
                    handle.write(("" if not text or text.endswith("\n") else "\n") + line)
                    handle.flush()
                    os.fsync(handle.fileno())
                    return "created"
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        except OSError as exc:
            raise BackendError(f"cannot update {self.path}: {exc.strerror or exc}") from None

    async def create(self, user: ProvisionUser) -> CreateResult:
        return await asyncio.to_thread(self._create_locked, user)

    async def close(self) -> None:
        return None


# ---------------------------------------------------------------- generic HTTP API


class HttpApiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["http"] = "http"
    url: str = Field(description="URL template: {user} {email} {name} {local} {domain}, URL-quoted")
    method: Literal["POST", "PUT"] = "POST"
    body: dict[str, Any] = Field(default_factory=lambda: {"user": "{user}", "password": "{password}"},
                                 description="JSON body; string values are templates, {password} included")
    auth_env: str | None = Field(default=None, description="environment variable holding the API token")
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    created: list[int] = Field(default_factory=lambda: [200, 201])
    exists: list[int] = Field(default_factory=lambda: [409])
    timeout: float = Field(default=30.0, gt=0)
    retries: int = Field(default=2, ge=0, le=10, description="for connection errors and 5xx answers")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value


def _fields(user: ProvisionUser) -> dict[str, str]:
    local, _, domain = user.email.partition("@")
    return {"user": user.user, "email": user.email, "name": user.name, "local": local, "domain": domain}


def _fill(value: Any, fields: dict[str, str]) -> Any:
    """Templates in the JSON body; only {known} names, other braces left as they are."""
    if isinstance(value, str):
        for key, text in fields.items():
            value = value.replace("{" + key + "}", text)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, fields) for v in value]
    return value


class HttpApiBackend:
    """POST/PUT one JSON body per user; the answer's status decides created/exists/error."""

    def __init__(self, config: HttpApiConfig, environ: dict[str, str] | None = None) -> None:
        self.config = config
        env = os.environ if environ is None else environ
        self.token: str | None = None
        if config.auth_env:
            self.token = env.get(config.auth_env)
            if not self.token:
                raise ConfigError(f"the HTTP backend's token variable {config.auth_env} is not set")
        self.ident = "http:" + public_url(config.url.split("{", 1)[0])
        self._session: aiohttp.ClientSession | None = None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers[self.config.auth_header] = f"{self.config.auth_scheme} {self.token}".strip()
        return headers

    async def create(self, user: ProvisionUser) -> CreateResult:
        fields = _fields(user)
        url = self.config.url
        for key, text in fields.items():
            url = url.replace("{" + key + "}", quote(text, safe="@"))
        body = _fill(self.config.body, {**fields, "password": user.password.get_secret_value()})
        if self._session is None:
            self._session = new_session(timeout=self.config.timeout)
        where = public_url(url)
        last = ""
        for attempt in range(self.config.retries + 1):
            if attempt:
                await asyncio.sleep(min(4.0, 0.25 * 2 ** attempt))
            try:
                async with self._session.request(self.config.method, url, json=body, headers=self._headers()) as resp:
                    status = resp.status
                    await resp.read()
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                last = f"cannot reach the mailbox API {where}: {type(exc).__name__}"
                continue
            if status in self.config.created:
                return "created"
            if status in self.config.exists:
                return "exists"
            last = f"the mailbox API answered HTTP {status} for {user.user}"
            if status < 500:
                break  # a refusal (400, 401, 403...) will not change on retry
        raise BackendError(last)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


# ---------------------------------------------------------------- choosing one


class _Choice(BaseModel):
    backend: DovecotPasswdConfig | HttpApiConfig = Field(discriminator="kind")


def load_backend(config_file: Path | None, dovecot_passwd: Path | None,
                 environ: dict[str, str] | None = None) -> MailboxBackend:
    """`--dovecot-passwd FILE`, or the backend described in `--backend-config FILE` (TOML)."""
    if (config_file is None) == (dovecot_passwd is None):
        raise ConfigError("provision: give exactly one of --dovecot-passwd FILE or --backend-config FILE")
    if dovecot_passwd is not None:
        return DovecotPasswdBackend(DovecotPasswdConfig(passwd_file=dovecot_passwd))
    assert config_file is not None
    try:
        with open(config_file, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"backend config not found: {config_file}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"backend config {config_file} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read backend config {config_file}: {exc.strerror}") from None
    data = data.get("backend", data) if isinstance(data.get("backend"), dict) else data
    try:
        backend = _Choice.model_validate({"backend": data}).backend
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"][1:]) or "kind"
        raise ConfigError(f"backend config {config_file}: {where}: {err['msg']}") from None
    if isinstance(backend, DovecotPasswdConfig):
        return DovecotPasswdBackend(backend)
    return HttpApiBackend(backend, environ)
