"""The format agents: each turns one kind of document into text with its own tool, then into
fields with the shared field reader (the model with a strict schema, or the offline rules).

- pdf: pypdf's text layer; a PDF without one is a scan, so its embedded images go to OCR.
- ocr: Pillow checks the image, Tesseract reads it (both in the process pool).
- text: plain text as is, HTML through the stdlib parser that triage uses (visible text only,
  in `documents.py`, which runs in the pool).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from tui.extract import pool
from tui.extract.documents import Document
from tui.extract.fields_rules import extract_fields
from tui.extract.records import AGENT_FOR_FORMAT, DocFields, DocFormat, ExtractRecord

OCR_CONFIDENCE = 0.9  # OCR text may hold misreads the rules cannot see


class FieldReader(Protocol):
    name: str

    async def read(self, text: str, fmt: DocFormat) -> DocFields: ...


class RulesReader:
    """The offline reader: regexes, instant, no network."""

    name = "rules"

    async def read(self, text: str, fmt: DocFormat) -> DocFields:
        return extract_fields(text)


class FormatAgents:
    def __init__(self, executor: Executor, reader: FieldReader, *, ocr_timeout_s: float = pool.OCR_TIMEOUT_S,
                 max_pages: int = pool.MAX_PAGES, max_pixels: int = pool.MAX_PIXELS,
                 respawn: Callable[[], Executor] | None = None) -> None:
        self.executor = executor
        self.respawn = respawn  # a worker that dies (a crash in a native library) breaks the whole pool
        self.reader = reader
        self.ocr_timeout_s = ocr_timeout_s
        self.max_pages = max_pages
        self.max_pixels = max_pixels

    async def in_pool(self, fn: Callable[..., Any], *args: object) -> Any:
        """Run in the pool; if a worker died, every call in flight fails with it: the first to see
        it starts a new pool and each tries once more there. A document that kills its worker
        again fails alone (a failed record), and the run goes on."""
        loop = asyncio.get_running_loop()
        executor = self.executor
        try:
            return await loop.run_in_executor(executor, fn, *args)
        except BrokenProcessPool:
            if self.respawn is None:
                raise
            if self.executor is executor:
                executor.shutdown(wait=False, cancel_futures=True)
                self.executor = self.respawn()
            return await loop.run_in_executor(self.executor, fn, *args)

    async def extract(self, doc: Document) -> ExtractRecord:
        """One record for one document; a document that cannot be read is a failed record with a reason."""
        started = time.perf_counter()
        record = await self._extract(doc)
        return record.model_copy(update={"latency_ms": round((time.perf_counter() - started) * 1000)})

    async def _extract(self, doc: Document) -> ExtractRecord:
        meta = {"message_id": doc.message_id, "filename": doc.filename, "stated_total": doc.stated_total}
        if doc.error:
            return ExtractRecord.failed(doc.doc_id, doc.email_id, doc.format, doc.error, **meta)
        fmt = doc.format
        if fmt == DocFormat.PDF:
            text, images, _pages, error = await self.in_pool(pool.read_pdf, doc.data, self.max_pages)
            if error is None and images:
                fmt = DocFormat.SCANNED_PDF
                text, error = await self._ocr_all(images)
            elif error is None and not text.strip():
                error = "PDF has no text layer and no images to read"
        elif fmt == DocFormat.IMAGE:
            text, error = await self._ocr(doc.data or b"")
        else:  # text, and HTML already reduced to its visible text by `documents_of` (in the pool)
            text, error = doc.text or "", None
        if error:
            return ExtractRecord.failed(doc.doc_id, doc.email_id, fmt, error, **meta)
        if not text.strip():
            return ExtractRecord.failed(doc.doc_id, doc.email_id, fmt, "no text found", **meta)
        fields = await self.reader.read(text, fmt)
        if fmt in (DocFormat.IMAGE, DocFormat.SCANNED_PDF):
            fields = fields.model_copy(update={"confidence": round(fields.confidence * OCR_CONFIDENCE, 2)})
        record = ExtractRecord(doc_id=doc.doc_id, email_id=doc.email_id, format=fmt, agent=AGENT_FOR_FORMAT[fmt],
                               status="ok", chars=len(text), **meta)  # type: ignore[arg-type]
        return record.with_fields(fields)

    async def _ocr(self, data: bytes) -> tuple[str, str | None]:
        return await self.in_pool(pool.ocr_image, data, self.ocr_timeout_s, self.max_pixels)

    async def _ocr_all(self, images: list[bytes]) -> tuple[str, str | None]:
        """The pages of a scan, OCR'd in parallel; the first failure is the reason."""
        results = await asyncio.gather(*(self._ocr(image) for image in images))
        errors = [error for _, error in results if error]
        if errors and len(errors) == len(results):
            return "", f"scanned PDF: {errors[0]}"
        return "\n".join(text for text, _ in results), None
