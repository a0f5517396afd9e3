"""The extraction run: documents fanned out to the format agents, records fanned in.

The fan-out engine's rules, for documents: a concurrency cap per agent (`run_agents`, tui/fanout/cap.py,
the one cap helper, sized to keep every pool worker busy), a timeout per document, failures
caught inside each task and turned into failed records, so one bad attachment never cancels its
siblings and no document is dropped. A run kind (tui/run/__init__.py): `run(emit)` emits
ExtractStarted, DocStarted/DocDone per document, then one ExtractDone with the feed.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from concurrent.futures import Executor
from functools import partial

from pydantic import BaseModel, Field

from tui.agents.base import FatalProviderError, ProviderError
from tui.extract import pool
from tui.extract.agents import FieldReader, FormatAgents, RulesReader
from tui.extract.documents import MAX_ATTACHMENT_BYTES, Document, Message, documents_of
from tui.extract.events import DocDone, DocStarted, ExtractDone, ExtractStarted
from tui.extract.fanin import FanIn
from tui.extract.fields_model import open_reader
from tui.extract.records import AGENT_FOR_FORMAT, DocFormat, ExtractRecord
from tui.fanout.cap import run_agents
from tui.run import BaseRun, Emit
from tui.settings import Settings


class ExtractOptions(BaseModel):
    workers: int = Field(default_factory=pool.cores, ge=1, le=256)
    docs_per_agent: int | None = Field(default=None, ge=1, le=10_000)  # documents in flight per agent; 2 x workers
    doc_timeout_s: float = Field(default=120.0, gt=0)
    ocr_timeout_s: float = Field(default=pool.OCR_TIMEOUT_S, gt=0)
    max_attachment_bytes: int = Field(default=MAX_ATTACHMENT_BYTES, ge=1)
    max_pages: int = Field(default=pool.MAX_PAGES, ge=1)
    max_pixels: int = Field(default=pool.MAX_PIXELS, ge=1)


class ExtractRun(BaseRun):
    """`await ExtractRun(messages, options).run(emit)`; `close()` shuts the pool down."""

    def __init__(self, messages: list[Message], options: ExtractOptions | None = None, *, reader: FieldReader | None = None,
                 executor: Executor | None = None, settings: Settings | None = None, provider: str = "rules") -> None:
        """`reader` as given, else opened for the run from `provider` (rules, sim, openai) and `settings`."""
        self.messages = messages
        self.options = options or ExtractOptions()
        self.reader = reader
        self.settings = settings or Settings(provider="rules")
        self.provider = provider
        self._own_executor = executor is None
        self.fanin = FanIn()
        self.fatal: str | None = None  # set by a 401/403/400-class answer: later documents are not sent
        def new_pool() -> Executor:
            return pool.make_pool(self.options.workers)

        self.agents = FormatAgents(executor or new_pool(), reader or RulesReader(),
                                   ocr_timeout_s=self.options.ocr_timeout_s, max_pages=self.options.max_pages,
                                   max_pixels=self.options.max_pixels, respawn=new_pool if self._own_executor else None)

    def close(self) -> None:
        """Stop at once: documents still in the pool end as failed records, and no new pool starts."""
        self.closed = True
        if self._own_executor:
            self.agents.respawn = None
            pool.stop_pool(self.agents.executor)

    async def run(self, emit: Emit) -> None:
        """Opens the field reader from `provider` unless one was given; closes it at the end."""
        if self.reader is not None:
            return await self._run(self.messages, emit)
        async with open_reader(self.settings, self.provider) as reader:
            self.agents.reader = reader
            await self._run(self.messages, emit)

    async def _run(self, messages: list[Message], emit: Emit) -> None:
        started = time.perf_counter()
        # MIME splitting is CPU work too: in the pool, so a 50 MB message never stalls a frame
        split = await asyncio.gather(*(self._split(message) for message in messages))
        docs = [doc for docs_of_one in split for doc in docs_of_one]
        per_agent = Counter(AGENT_FOR_FORMAT[d.format] for d in docs)
        emit(ExtractStarted(len(docs), dict(per_agent), self.options.workers))
        # A cap per agent: instant text documents never queue behind OCR, and the pool always has
        # the next PDF or image waiting when a worker frees up.
        width = self.options.docs_per_agent or 2 * self.options.workers
        by_agent: dict[str, list[Document]] = {}
        for doc in docs:
            by_agent.setdefault(AGENT_FOR_FORMAT[doc.format], []).append(doc)

        async def one(doc: Document) -> None:
            emit(DocStarted(AGENT_FOR_FORMAT[doc.format], doc.doc_id, doc.filename or "(body)"))
            records = self.fanin.add(await self._guarded(doc))
            emit(DocDone(records[0], records[1:]))

        async with asyncio.TaskGroup() as agents:  # one failing cancels the others, and all are awaited
            for group in by_agent.values():
                agents.create_task(run_agents(group, one, concurrency=width))
        order = {doc.doc_id: n for n, doc in enumerate(docs)}
        feed = sorted(self.fanin.feed(), key=lambda r: order.get(r.doc_id, len(order)))
        emit(ExtractDone(feed, time.perf_counter() - started))

    async def _split(self, message: Message) -> list[Document]:
        split = partial(documents_of, max_bytes=self.options.max_attachment_bytes)
        try:
            return await self.agents.in_pool(split, message)
        except Exception as exc:  # noqa: BLE001 - e.g. a worker died: this email fails, the others go on
            email = message.email
            return [Document(doc_id=f"{email.id}#0", email_id=email.id, message_id=email.message_id,
                             format=DocFormat.TEXT, error=f"email not split into documents ({type(exc).__name__})")]

    async def _guarded(self, doc: Document) -> ExtractRecord:
        """The agent's record, or a failed one: a timeout or an unexpected error stays with this document."""
        fail = {"message_id": doc.message_id, "filename": doc.filename, "stated_total": doc.stated_total}
        if self.fatal is not None:  # a bad key or URL fails every request alike: stop sending them
            return ExtractRecord.failed(doc.doc_id, doc.email_id, doc.format, f"model: {self.fatal} (not sent)", **fail)
        try:
            async with asyncio.timeout(self.options.doc_timeout_s):
                return await self.agents.extract(doc)
        except TimeoutError:
            reason = f"timed out after {self.options.doc_timeout_s:g}s"
        except FatalProviderError as exc:
            self.fatal = str(exc)
            reason = f"model: {exc}"
        except ProviderError as exc:  # the model's failure, after the reader's retries (already scrubbed)
            reason = f"model: {exc}"
        except Exception as exc:  # noqa: BLE001 - the boundary: one document's failure is its record
            reason = f"agent error ({type(exc).__name__})"
        return ExtractRecord.failed(doc.doc_id, doc.email_id, doc.format, reason, **fail)


async def extract_all(messages: list[Message], options: ExtractOptions | None = None, *,
                      reader: FieldReader | None = None, executor: Executor | None = None) -> list[ExtractRecord]:
    """The whole feed at once (tests, bench)."""
    run = ExtractRun(messages, options, reader=reader, executor=executor)
    done: list[ExtractDone] = []
    try:
        await run.run(lambda event: done.append(event) if isinstance(event, ExtractDone) else None)
    finally:
        run.close()
    return done[-1].records
