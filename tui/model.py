"""The data shapes that cross module boundaries: emails in, verdicts and result rows out."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator
from pydantic_core import PydanticSerializationError


class Category(StrEnum):
    """Fixed enum the model must choose from; free text never decides routing."""

    COMPLAINT = "complaint"
    OUTAGE = "outage"
    INVOICE = "invoice"
    SALES_LEAD = "sales_lead"
    NEWSLETTER = "newsletter"
    NOTIFICATION = "notification"
    PERSONAL = "personal"
    PHISHING = "phishing"
    SPAM = "spam"
    OTHER = "other"


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    filename: str | None = None
    content_type: str = "application/octet-stream"
    size: int = 0


class Email(BaseModel):
    """One parsed message. `parse_error` set means it could not be read: it becomes a failed row."""

    model_config = ConfigDict(frozen=True)

    id: str
    message_id: str = ""
    sender: str = ""
    to: list[str] = Field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    hidden_text: str = ""  # text an HTML part hides from a human reader (display:none, 0px, white)
    attachment_text: str = ""  # text of small text/* attachments, capped: scanned for injection
    headers: dict[str, str] = Field(default_factory=dict)
    attachments: list[Attachment] = Field(default_factory=list)
    source_ref: str = ""
    notes: list[str] = Field(default_factory=list)
    parse_error: str | None = None
    # blake2b of the raw message minus transport headers (tui.mail.digest): the same digest is
    # the same message delivered again. "" when the email was not parsed from bytes.
    digest: str = ""


class Verdict(BaseModel):
    """What a sub-agent decides about one email."""

    model_config = ConfigDict(extra="forbid")

    urgent: bool
    priority: int = Field(ge=0, le=100)
    route: str
    category: Category
    confidence: float = Field(ge=0.0, le=1.0)
    injection: bool
    injection_reason: str = ""
    summary: str = ""


Status = Literal["ok", "failed", "timeout", "duplicate"]
DecidedBy = Literal["model", "rules", "learned rule", "operator"]


class Review(BaseModel):
    """Who decided a row and what the operator changed: the `review` object of a JSONL row.

    `corrected` maps each field the operator changed to the value the run had given it, so the
    model's original is never lost; `rule` / `taught_by` name the learned rule (and the
    corrections that taught it) when one decided the row; `rule_skipped` says why a rule that
    matched did not (a failed DMARC/DKIM/SPF check on the From domain)."""

    model_config = ConfigDict(extra="forbid")

    reviewed: bool = False
    decided_by: DecidedBy = "model"
    corrected: dict[str, Any] = Field(default_factory=dict)
    by: str = ""  # OS user of the latest correction
    at: float | None = None  # its time (epoch seconds)
    corrections: list[int] = Field(default_factory=list)  # ids of the corrections applied
    note: str = ""
    rule: str | None = None
    taught_by: list[int] = Field(default_factory=list)
    rule_skipped: str | None = None


class ResultRow(BaseModel):
    """One line of the headless JSONL contract: every input email gets exactly one."""

    email_id: str
    message_id: str = ""
    status: Status
    agent_id: str = ""
    attempts: int = 0
    urgent: bool | None = None
    priority: int | None = None
    route: str | None = None
    category: str | None = None
    confidence: float | None = None
    injection: bool | None = None
    injection_reason: str | None = None
    summary: str | None = None
    error: str | None = None
    latency_ms: int | None = None
    trace_id: str = ""
    # "same Message-ID, different content: <other ids>": two emails the plan did not fold together.
    conflict: str | None = None
    # Not part of the JSONL contract's required keys, but useful to the UI and merge.
    subject: str = Field(default="", exclude=True)
    sender: str = Field(default="", exclude=True)
    date: datetime | None = Field(default=None, exclude=True)
    review: bool = Field(default=False, exclude=True)
    flags: list[str] = Field(default_factory=list, exclude=True)
    # Who decided and what the operator corrected; written to JSONL as `review` (the bool above
    # is the review policy holding the row for a human, kept in the store, never in JSONL).
    decision: Review | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _review_object_in(cls, data: Any) -> Any:
        """A JSONL row carries the object as `review` (null: nobody recorded who decided)."""
        if isinstance(data, dict) and (isinstance(data.get("review"), dict) or
                                       ("review" in data and data["review"] is None)):
            data = {**data, "decision": data["review"]}
            del data["review"]
        return data

    @model_serializer(mode="wrap")
    def _review_object_out(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        data["review"] = self.decision.model_dump(mode="json") if self.decision is not None else None
        return data

    def jsonl(self) -> str:
        """The row as one line of the JSONL contract, newline included: compact UTF-8 JSON by
        pydantic-core, the values of `model_dump(mode="json")` (a third of json.dumps's time over
        that dict). Text with a lone surrogate cannot be UTF-8: that row is written \\u-escaped."""
        try:
            return self.model_dump_json() + "\n"
        except PydanticSerializationError:
            return json.dumps(self.model_dump(mode="json"), separators=(",", ":")) + "\n"

    def full_dict(self) -> dict[str, Any]:
        """The JSONL row plus what the contract leaves out (store, trace): re-read it with
        `ResultRow.model_validate` and nothing is lost."""
        data = self.model_dump(mode="json")
        data.pop("review", None)
        data["decision"] = self.decision.model_dump(mode="json") if self.decision is not None else None
        for name in ("subject", "sender", "date", "review", "flags"):
            value = getattr(self, name)
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return data

    @classmethod
    def from_verdict(cls, email: Email, verdict: Verdict, *, agent_id: str = "", attempts: int = 0,
                     latency_ms: int | None = None, trace_id: str = "") -> "ResultRow":
        """The row of a verdict, one per email, 10,000 a run. Every value is already of its
        field's type (a validated Email and Verdict, our own counters), so the row is put
        together as a validation would make it, without validating it again (~6 us each).
        Not model_construct: with default factories pydantic inspects signatures there on every
        call (~220 us). tests/test_row_from_verdict.py holds it equal to a validated row (the
        four keywords count as set, given or not)."""
        v = verdict.__dict__
        return _trusted(cls, {
            "email_id": email.id,
            "message_id": email.message_id,
            "status": "ok",
            "agent_id": str(agent_id),
            "attempts": int(attempts),
            "urgent": v["urgent"],
            "priority": v["priority"],
            "route": v["route"],
            "category": str(v["category"]),  # the enum's value, as the JSONL carries it
            "confidence": v["confidence"],
            "injection": v["injection"],
            "injection_reason": v["injection_reason"],
            "summary": v["summary"],
            "error": None,
            "latency_ms": None if latency_ms is None else int(latency_ms),
            "trace_id": str(trace_id),
            "conflict": None,
            "subject": email.subject,
            "sender": email.sender,
            "date": email.date,
            "review": False,
            "flags": [],
            "decision": v.get("decision"),
        }, {"email_id", "message_id", "status", "agent_id", "attempts", "urgent", "priority", "route", "category",
            "confidence", "injection", "injection_reason", "summary", "latency_ms", "trace_id", "subject",
            "sender", "date", "decision"})

    @classmethod
    def failure(cls, email: Email, status: Status, error: str, **kw: object) -> "ResultRow":
        return cls(
            email_id=email.id,
            message_id=email.message_id,
            status=status,
            error=error,
            subject=email.subject,
            sender=email.sender,
            date=email.date,
            **kw,  # type: ignore[arg-type]
        )


def _trusted(cls: type[_M], values: dict[str, Any], fields_set: set[str]) -> _M:
    """An instance of `cls` from `values` that already have their fields' types (every field,
    in declaration order): what pydantic's model_construct does, minus its look at defaults."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", fields_set)
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


_M = TypeVar("_M", bound=BaseModel)


class AgentTelemetry(BaseModel):
    agent_id: str
    emails: int = 0
    ok: int = 0
    failed: int = 0
    retries: int = 0
    rate_limited: int = 0
    busy_s: float = 0.0
    wall_s: float = 0.0
    reassigned_in: int = 0
    reassigned_out: int = 0
    hedges_sent: int = 0  # second copies this agent sent for other agents' slow requests
    hedges_won: int = 0  # ... whose answer was the one kept


class Preview(BaseModel):
    """What a run will cost before it starts: tokens, money and wall time (tui.fanout.preview)."""

    emails: int  # requests to send: unique, readable emails
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None  # None: the model is not in the price table
    cost: str  # "$0.42", "<$0.01" or "unknown"
    wall_s: float
    bound_by: Literal["latency", "rpm", "tpm", "none"]  # what sets the pace
    latency_s: float
    concurrency: int
    rpm: int | None = None
    tpm: int | None = None
    by_rules: int = 0  # emails a config or learned rule decides: no request, no tokens
    example_tokens: int = 0  # of input_tokens: the correction examples in the prompts

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class RunReport(BaseModel):
    """Per-run telemetry written by `--report` and shown on the run report screen."""

    run_id: str
    provider: str
    model: str
    total: int
    ok: int
    failed: int
    timeout: int
    duplicate: int
    concurrency: int
    batch_size: int
    agents: int
    wall_s: float
    model_time_s: float
    ideal_s: float  # the physical limit at the cap (RunTelemetry.limit_s), not the batch plan's
    wall_over_ideal: float
    speedup_vs_sequential: float
    retries: int
    rate_limited: int
    latency_p50_ms: float
    latency_p95_ms: float
    reassignments: int
    suggested_batch_size: int
    hedges_sent: int = 0  # second copies of slow requests at the tail (tui.fanout.hedge)
    hedges_won: int = 0  # ... whose answer was kept; the other request was cancelled
    suggested_timeout_s: float
    peak_busy: int = 0  # most agents holding a concurrency slot at once
    model_latency: bool = True  # False: rules, or nothing sent; speed-ups against a model mean nothing
    advice: list[str] = Field(default_factory=list)  # what to change next time (telemetry.advice)
    not_done: list[str] = Field(default_factory=list)
    per_agent: list[AgentTelemetry] = Field(default_factory=list)
    # Tokens the provider reported, their cost from the price table (None: unknown model), and
    # the estimate shown before the run, to compare with.
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    preview: Preview | None = None
