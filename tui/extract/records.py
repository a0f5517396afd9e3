"""The typed shapes of extraction: the fields an agent reads from a document, and one feed row.

The feed is what a downstream system consumes, so it is flat (one row per document, every row
with the email it came from, the agent and format) and the same in JSONL and CSV.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DocKind(StrEnum):
    INVOICE = "invoice"
    RECEIPT = "receipt"
    PURCHASE_ORDER = "purchase_order"
    COMPLAINT = "complaint"
    OTHER = "other"


class DocFormat(StrEnum):
    """What the document was; `scanned_pdf` is a PDF without a text layer, read by OCR."""

    PDF = "pdf"
    SCANNED_PDF = "scanned_pdf"
    IMAGE = "image"
    TEXT = "text"
    HTML = "html"
    UNSUPPORTED = "unsupported"


# The three format agents; each owns the tools for its formats.
AGENT_FOR_FORMAT: dict[DocFormat, str] = {
    DocFormat.PDF: "pdf",
    DocFormat.SCANNED_PDF: "pdf",
    DocFormat.IMAGE: "ocr",
    DocFormat.TEXT: "text",
    DocFormat.HTML: "text",
    DocFormat.UNSUPPORTED: "router",
}
AGENTS = ("pdf", "ocr", "text")


class LineItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    quantity: float
    amount: float


class DocFields(BaseModel):
    """What an agent reads from a document's text: the strict schema the model must answer with."""

    model_config = ConfigDict(extra="forbid")

    kind: DocKind
    vendor: str | None = None
    number: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD)
    total: float | None = None
    currency: str | None = None  # ISO 4217 code
    line_items: list[LineItem] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)


Status = Literal["ok", "failed"]


class ExtractRecord(BaseModel):
    """One feed row: one document (an attachment, or the body when the email has none)."""

    doc_id: str
    email_id: str
    message_id: str = ""
    filename: str | None = None
    format: DocFormat
    agent: str
    status: Status
    error: str | None = None
    kind: DocKind | None = None
    vendor: str | None = None
    number: str | None = None
    date: str | None = None
    total: float | None = None
    currency: str | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    confidence: float = 0.0
    stated_total: float | None = None  # the total the email body states, when it states one
    conflicts: list[str] = Field(default_factory=list)
    chars: int = 0  # characters of text the agent read
    latency_ms: int = 0

    @classmethod
    def failed(cls, doc_id: str, email_id: str, fmt: DocFormat, reason: str, **extra: object) -> "ExtractRecord":
        return cls(doc_id=doc_id, email_id=email_id, format=fmt, agent=AGENT_FOR_FORMAT[fmt], status="failed",
                   error=reason, **extra)  # type: ignore[arg-type]

    def with_fields(self, fields: DocFields) -> "ExtractRecord":
        return self.model_copy(update={name: getattr(fields, name) for name in DocFields.model_fields})
