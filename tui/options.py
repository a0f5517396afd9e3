"""The fan-out options every kind of run shares: how many agents at once, how long a request and an
agent may take, the rate limits, the retries.

One meaning per flag: each field's description is the help of its flag in every command that has
it (tui/cli_flags.py generates the flags from here), and `Settings` inherits these fields, so a
fanmail.toml key or a FANMAIL_* variable sets the same thing for triage, watch, campaign and
provision. Where a kind needs another meaning it has another flag (`fanmail extract --workers`,
`--doc-timeout`; `fanmail campaign --max-attempts`). A leaf: pydantic only.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field


class FanoutOptions(BaseModel):
    """Limits of a fan-out; a run kind takes these, not loose keyword arguments."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    concurrency: int = Field(default=20, ge=1, le=10_000, description=(
        "agents working at once: one per batch of emails, campaign segment or user to provision"))
    timeout: float | None = Field(default=None, gt=0, description=(
        "seconds per request, each try of an email (default 2.5x the expected latency)"))
    agent_timeout: float | None = Field(default=None, gt=0, description=(
        "seconds an agent may work in all; what it has not finished then fails (a campaign's stays pending "
        "for the next run). Default: its emails x --timeout, rate-limit waits not counted; provision 60 + "
        "--verify-wait; campaign none"))
    rpm: int | None = Field(default=None, ge=1, description="model requests per minute across all agents")
    tpm: int | None = Field(default=None, ge=1, description=(
        "model tokens per minute across all agents (estimated before sending)"))
    retries: int = Field(default=2, ge=0, le=20, description="retries of a failed request, per email or document")

    def fanout(self) -> FanoutOptions:
        """Just these options (from Settings, which inherits them)."""
        return FanoutOptions.model_validate({name: getattr(self, name) for name in FanoutOptions.model_fields})


def option_help(name: str) -> str:
    """The flag's help: the field's description, and its default when it has one."""
    field = FanoutOptions.model_fields[name]
    text = field.description or ""
    return text if field.default is None else f"{text} (default {field.default})"


def option_type(name: str) -> Any:
    """int or float, for argparse."""
    annotation = FanoutOptions.model_fields[name].annotation
    return int if annotation is int or int in get_args(annotation) else float
