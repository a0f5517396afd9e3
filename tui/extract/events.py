"""What an extraction run reports as it goes (consumed by the headless writer and the dashboard)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.extract.records import ExtractRecord


@dataclass(frozen=True, slots=True)
class ExtractStarted:
    documents: int
    per_agent: dict[str, int]
    workers: int


@dataclass(frozen=True, slots=True)
class DocStarted:
    agent: str
    doc_id: str
    label: str


@dataclass(frozen=True, slots=True)
class DocDone:
    record: ExtractRecord
    updated: list[ExtractRecord] = field(default_factory=list)  # earlier records newly flagged


@dataclass(frozen=True, slots=True)
class ExtractDone:
    records: list[ExtractRecord]
    wall_s: float


ExtractEvent = ExtractStarted | DocStarted | DocDone | ExtractDone
