"""Settings: defaults < fanmail.toml < FANMAIL_* environment < command-line flags.

API keys are never settings: they are read from the environment at the moment a client needs
them, so no config file, report or log can ever contain one.
"""

from __future__ import annotations

import importlib.util
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tui.model import Category
from tui.options import FanoutOptions
from tui.theme_files import theme_file_names


class ConfigError(Exception):
    """A config problem, explained in one line for the user."""


class Route(BaseModel):
    """A workflow: where mail of some categories goes, and optionally who gets a copy."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    folder: str = "INBOX"
    categories: list[Category] = Field(default_factory=list)
    forward_to: str | None = None


DEFAULT_ROUTES: list[Route] = [
    Route(name="incidents", description="Outages, alerts and security incidents", folder="Incidents",
          categories=[Category.OUTAGE]),
    Route(name="support", description="Customer complaints and support requests", folder="Support",
          categories=[Category.COMPLAINT]),
    Route(name="billing", description="Invoices, payments and receipts", folder="Billing",
          categories=[Category.INVOICE]),
    Route(name="sales", description="Sales leads and partnership enquiries", folder="Sales",
          categories=[Category.SALES_LEAD]),
    Route(name="newsletters", description="Newsletters and marketing", folder="Newsletters",
          categories=[Category.NEWSLETTER]),
    Route(name="notifications", description="Automated notifications", folder="Notifications",
          categories=[Category.NOTIFICATION]),
    Route(name="personal", description="Personal mail", folder="Personal",
          categories=[Category.PERSONAL, Category.OTHER]),
    Route(name="quarantine", description="Phishing and spam", folder="Quarantine",
          categories=[Category.PHISHING, Category.SPAM]),
    Route(name="review", description="Low confidence or suspected prompt injection: a human decides",
          folder="Review"),
]

class RoutingRule(BaseModel):
    """A rule the operator wrote (`[[rules]]` in fanmail.toml): mail from a sender address, a
    whole domain, or with a List-Id gets this verdict without a model call. Config rules always
    win over rules learned from corrections (tui/review/learned.py)."""

    model_config = ConfigDict(extra="forbid")

    sender: str | None = None  # "ann@acme.example" (one address) or "acme.example" (its domain)
    list_id: str | None = None  # "news.acme.example"
    route: str
    category: Category | None = None
    urgent: bool | None = None
    priority: int | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _one_match(self) -> "RoutingRule":
        if bool(self.sender) == bool(self.list_id):
            raise ValueError("a rule matches either sender or list_id (exactly one)")
        return self


ProviderName = Literal["rules", "sim", "openai", "anthropic"]


class ModelPrice(BaseModel):
    """What a model costs, in USD per million tokens. Used for the cost preview and the report."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)


# List prices (USD per million tokens) when this was written; providers change them, so check
# their pricing page and override in fanmail.toml ([prices."MODEL"] input = .. output = ..).
# A model is matched exactly, else by the longest key it starts with ("gpt-4o-mini-2024-07-18").
DEFAULT_PRICES: dict[str, ModelPrice] = {
    name: ModelPrice(input=i, output=o)
    for name, (i, o) in {
        "gpt-4o-mini": (0.15, 0.60), "gpt-4o": (2.50, 10.00),
        "gpt-4.1": (2.00, 8.00), "gpt-4.1-mini": (0.40, 1.60), "gpt-4.1-nano": (0.10, 0.40),
        "gpt-5": (1.25, 10.00), "gpt-5-mini": (0.25, 2.00), "gpt-5-nano": (0.05, 0.40),
        "claude-3-5-haiku": (0.80, 4.00), "claude-haiku-4-5": (1.00, 5.00),
        "claude-sonnet-4": (3.00, 15.00), "claude-opus-4": (15.00, 75.00),
        "claude-opus-4-5": (5.00, 25.00),
        "fanmail-sim": (0.0, 0.0),
    }.items()
}
DEFAULT_MODELS: dict[str, str] = {"openai": "gpt-4o-mini", "anthropic": "claude-haiku-4-5"}


def provider_label(provider: str, model: str | None) -> str:
    """`openai/gpt-4o-mini` in run lists and headers; a rules run calls no model (whatever name its
    settings carried, the simulator's by default), so it is just `rules`."""
    return provider if provider == "rules" or not model else f"{provider}/{model}"


DEMO_STUCK_RATE = 0.02  # about 4 of the demo's 200 emails: a few failed agents for r / R to bring back


class Settings(FanoutOptions):
    """Everything a run needs. Validated once at startup; a bad value is one line, not a traceback.
    The fan-out limits (concurrency, timeouts, rate limits, retries) are FanoutOptions' fields."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    provider: ProviderName = "sim"
    model: str = "fanmail-sim-1"
    base_url: str | None = None
    api_key_env: str | None = None
    # Emails per sub-agent; "auto": ceil(N / concurrency), one agent for the rules provider
    # (tui.fanout.plan.batch_size_for).
    batch_size: int | Literal["auto"] = "auto"
    prices: dict[str, ModelPrice] = Field(default_factory=lambda: dict(DEFAULT_PRICES))
    fail_fast: bool = False
    rebalance: bool = True
    # Tail hedging (tui/fanout/hedge.py): "off", "auto" (at most 5% extra requests) or a percent
    # budget of extra requests, e.g. "2" or "2%".
    hedge: str = "auto"
    review_below: float = Field(default=0.55, ge=0.0, le=1.0)
    max_body_chars: int = Field(default=6000, ge=200)
    routes: list[Route] = Field(default_factory=lambda: [r.model_copy() for r in DEFAULT_ROUTES])
    rules: list[RoutingRule] = Field(default_factory=list)
    # Learning from corrections: rules learned from them decide before the model; emails no rule
    # matches carry a few corrections as examples, within this many prompt tokens (0: none).
    learn: bool = True
    example_tokens: int = Field(default=120, ge=0, le=4000)
    # The rules' learned spam model: a file from `bench/train_spam.py --store ... --out FILE` (the
    # corpus plus the operator's spam corrections); None: the model shipped in the package.
    spam_model: str | None = None
    theme: str = "fanmail-dark"
    # Keys by binding id, as posting does: `[keymap]` with `retry = "ctrl+r"` or `report = "f5,t"`
    # (an unknown id is refused at start, and that error lists every id).
    keymap: dict[str, str] = Field(default_factory=dict)
    # Built-in simulator, used by the default demo (`fanmail` with no arguments).
    sim_latency: float = Field(default=1.5, ge=0)
    sim_jitter: float = Field(default=0.5, ge=0)
    sim_fail_rate: float = Field(default=0.03, ge=0, le=1)
    sim_hang_rate: float = Field(default=0.01, ge=0, le=1)
    sim_garbage_rate: float = Field(default=0.01, ge=0, le=1)
    sim_429_rate: float = Field(default=0.0, ge=0, le=1)
    # Share of emails that fail every attempt (HTTP 500) until the operator retries
    # them; None: DEMO_STUCK_RATE in the demo (`fanmail` with no arguments), 0 everywhere else.
    sim_stuck_rate: float | None = Field(default=None, ge=0, le=1)
    sim_rpm: int | None = Field(default=None, ge=1)
    sim_tpm: int | None = Field(default=None, ge=1)
    seed: int = 7
    # Where sub-agents run: asyncio tasks in this process, or one Ray actor each on a cluster
    # (tui/fanout/executors/; needs the `fanmail[ray]` extra).
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None  # the cluster's HOST:6379 or "auto"; None: start a local Ray
    # SQLite file for runs, verdicts and the action ledger; None: the platformdirs user data dir
    # (tui.store.default_store_path()).
    store: str | None = None
    # IMAP sources and actions (tui/mail/imap_*.py, smtp.py). Passwords are never settings: they
    # come from FANMAIL_IMAP_PASSWORD and FANMAIL_SMTP_PASSWORD only.
    imap_search: str = "UNSEEN"
    imap_cafile: str | None = None  # extra trusted CA (a private or self-signed server certificate)
    imap_insecure: bool = False  # imap:// without STARTTLS: a local test server only
    imap_connections: int = Field(default=4, ge=1, le=32)
    smtp: str | None = None  # smtp://[USER@]HOST:PORT (STARTTLS) or smtps://, for forward_to routes
    smtp_from: str | None = None
    smtp_cafile: str | None = None
    smtp_insecure: bool = False

    @field_validator("routes")
    @classmethod
    def _routes_unique(cls, routes: list[Route]) -> list[Route]:
        names = [r.name for r in routes]
        if len(set(names)) != len(names):
            raise ValueError("route names must be unique")
        if "review" not in names:
            routes = [*routes, Route(name="review", folder="Review", description="Needs a human")]
        return routes

    @field_validator("hedge")
    @classmethod
    def _hedge_spec(cls, hedge: str) -> str:
        from tui.fanout.hedge import parse_hedge

        return parse_hedge(hedge)

    @field_validator("theme")
    @classmethod
    def _theme_known(cls, theme: str) -> str:
        """Checked with the flags in every mode, so a typo is one line, not a silently different look."""
        if theme not in theme_file_names() and theme not in (names := theme_names()):
            raise ValueError(f"unknown theme {theme!r}; themes: {', '.join(names)}")
        return theme

    @field_validator("batch_size", mode="before")
    @classmethod
    def _batch_size(cls, value: Any) -> Any:
        """A whole number of emails or "auto", from a flag, the environment or the config file."""
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        try:
            size = int(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            size = None
        if size is None or not 1 <= size <= 100_000:
            raise ValueError(f"expected auto or a whole number of emails from 1 to 100000, not {value!r}")
        return size

    @model_validator(mode="after")
    def _rules_route_known(self) -> "Settings":
        names = {r.name for r in self.routes}
        for rule in self.rules:
            if rule.route not in names:
                raise ValueError(f"rule for {rule.sender or rule.list_id}: unknown route {rule.route!r}")
        return self

    @field_validator("executor")
    @classmethod
    def _ray_installed(cls, executor: str) -> str:
        """Checked with the flags, so a missing extra is one line before any run is recorded."""
        if executor == "ray" and importlib.util.find_spec("ray") is None:
            raise ValueError("the ray executor needs Ray: pip install 'fanmail[ray]'")
        return executor

    @field_validator("ray_address")
    @classmethod
    def _ray_address_not_client(cls, address: str | None) -> str | None:
        if address and address.startswith("ray://"):
            raise ValueError("Ray Client (ray://) cannot stream the agents' events back: run fanmail on a node "
                             "of the cluster with --ray-address auto, or give the head's HOST:6379")
        return address

    @field_validator("prices")
    @classmethod
    def _prices_extend_defaults(cls, prices: dict[str, ModelPrice]) -> dict[str, ModelPrice]:
        return {**DEFAULT_PRICES, **prices}

    @model_validator(mode="before")
    @classmethod
    def _model_per_provider(cls, data: Any) -> Any:
        """`--provider openai|anthropic` without `--model`: a small current model of that API."""
        if isinstance(data, dict) and not data.get("model") and data.get("provider") in DEFAULT_MODELS:
            data = {**data, "model": DEFAULT_MODELS[data["provider"]]}
        return data

    @model_validator(mode="after")
    def _defaults_per_provider(self) -> "Settings":
        return self

    def as_demo(self) -> "Settings":
        """The settings of `fanmail` with no arguments: the simulator leaves a few emails stuck."""
        if self.sim_stuck_rate is not None:
            return self
        return self.model_copy(update={"sim_stuck_rate": DEMO_STUCK_RATE})

    def price_for(self, model: str | None = None) -> ModelPrice | None:
        """The price of `model` (default: this run's), or None when the table does not know it."""
        model = self.model if model is None else model
        if model in self.prices:
            return self.prices[model]
        best = max((k for k in self.prices if model.startswith(k)), key=len, default=None)
        return self.prices[best] if best is not None else None

    def route_for(self, category: Category | str) -> str:
        for route in self.routes:
            if category in route.categories:
                return route.name
        return "review"

    @property
    def route_names(self) -> list[str]:
        return [r.name for r in self.routes]


def theme_names() -> list[str]:
    """fanmail's theme files (shipped and the user's), then Textual's own (imported only here)."""
    from textual.theme import BUILTIN_THEMES

    names = theme_file_names()
    return names + [n for n in BUILTIN_THEMES if n not in names]


def default_config_path() -> Path:
    return Path(user_config_dir("fanmail")) / "fanmail.toml"


def config_path(given: Path | None = None, environ: dict[str, str] | None = None) -> Path:
    """The fanmail.toml a run reads: --config, else FANMAIL_CONFIG, else the default (which may not exist)."""
    environ = dict(os.environ) if environ is None else environ
    if given is not None:
        return given
    if environ.get(_ENV_PREFIX + "CONFIG"):
        return Path(environ[_ENV_PREFIX + "CONFIG"])
    return default_config_path()


_ENV_PREFIX = "FANMAIL_"
_NOT_FROM_ENV = {"routes", "prices", "rules"}


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in Settings.model_fields:
        if name in _NOT_FROM_ENV:
            continue
        raw = environ.get(_ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = raw
    return values


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    # Accept both a flat file and one with a [fanmail] table.
    if isinstance(data.get("fanmail"), dict):
        data = {**data["fanmail"], **{k: v for k, v in data.items() if k != "fanmail"}}
    if "route" in data and "routes" not in data:
        data["routes"] = data.pop("route")
    if "rule" in data and "rules" not in data:
        data["rules"] = data.pop("rule")
    return data


def _describe(exc: ValidationError, origin: str, flags: dict[str, str]) -> str:
    """Name what the user typed: the flag, the FANMAIL_* variable or the file's key, not the field."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    msg = err["msg"].removeprefix("Value error, ")
    if origin == "command line" and loc:
        return f"{flags.get(loc[0], '--' + loc[0].replace('_', '-'))}: {msg}"
    if origin == "environment" and loc:
        return f"{_ENV_PREFIX}{loc[0].upper()}: {msg}"
    return f"{origin}: {'.'.join(loc) or 'value'}: {msg}"


def load_settings(
    config: Path | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    flags: dict[str, str] | None = None,
) -> Settings:
    """Merge the layers and validate them; raise ConfigError with one readable line.

    `flags` maps a field to the flag that set it when that is not `--field-name` (`smtp_from`: `--from`)."""
    environ = dict(os.environ) if environ is None else environ
    layers: list[tuple[str, dict[str, Any]]] = []
    path: Path | None = config_path(config, environ)
    if config is None and not environ.get(_ENV_PREFIX + "CONFIG") and not path.is_file():
        path = None  # the default file is optional; one named by a flag or variable is not
    if path is not None:
        layers.append((str(path), _read_toml(path)))
    layers.append(("environment", _from_env(environ)))
    layers.append(("command line", {k: v for k, v in (overrides or {}).items() if v is not None}))

    merged: dict[str, Any] = {}
    for origin, layer in layers:
        try:
            Settings.model_validate({**merged, **layer})
        except ValidationError as exc:
            raise ConfigError(_describe(exc, origin, flags or {})) from None
        merged.update(layer)
    return Settings.model_validate(merged)


def api_key(settings: Settings) -> str | None:
    """The key for the chosen provider, from the environment only."""
    if settings.api_key_env:
        return os.environ.get(settings.api_key_env)
    if settings.provider == "openai":
        return os.environ.get("OPENAI_API_KEY")
    if settings.provider == "anthropic":
        return os.environ.get("ANTHROPIC_API_KEY")
    return None
