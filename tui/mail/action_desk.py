"""Actions for the dashboard: planned as verdicts land, applied when the operator confirms (or at
once with --apply), always through the store's ledger so nothing is ever applied twice.

Engine side only (no Textual): it runs on the engine's event loop and reports what happens as
events, which the dashboard folds into its state like the coordinator's:

    desk = ActionDesk(settings, source, store=store, run_id=run_id, forwarder=fwd, auto=False, emit=push)
    desk.start()
    desk.add(row, email)                       # -> ActionsPlanned; with auto=True also applied
    desk.request(["imap:7:12", "imap:7:13"])   # the operator confirmed -> ActionsQueued, ActionsDone
    desk.request(["imap:7:14"], override=True) # one review email, confirmed twice on screen
    await desk.aclose()

The safety rules are the headless ones (tui/mail/actions.py): review mail (prompt injection, low
confidence) is planned as a single `review` action that is never applied. Only `override=True`,
for exactly one email, files it: where the model proposed before the review policy stepped in, or
else in the review route's folder. The screen sends it only after two explicit confirmations.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from tui.mail.actions import Action, ActionOutcome, apply_actions, plan_actions, route_keyword
from tui.mail.imap_client import ImapSession
from tui.mail.imap_source import ImapSource
from tui.mail.imap_target import ImapError, parse_source_ref
from tui.mail.smtp import Forwarder
from tui.model import Email, ResultRow

CLOSE_WAIT_S = 5.0  # on quit, how long an apply already talking to the server may take to finish


@dataclass(frozen=True, slots=True)
class ActionsPlanned:
    """What one email's verdict asks for. `override` is what confirming a review email would do."""

    email_id: str
    actions: tuple[Action, ...]
    override: tuple[Action, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionsQueued:
    email_ids: tuple[str, ...]
    by_operator: bool


@dataclass(frozen=True, slots=True)
class ActionsDone:
    """Outcomes of one apply: applied, already (the ledger had it), skipped or failed, with a note."""

    outcomes: tuple[ActionOutcome, ...]
    by_operator: bool


DeskEvent = ActionsPlanned | ActionsQueued | ActionsDone


def phrase(action: Action) -> str:
    """The action in a few words, without the email id: 'move to Support'."""
    return {
        "forward": f"forward to {action.detail}",
        "flag": f"flag {action.detail}",
        "keyword": f"add keyword {action.detail}",
        "move": f"move to {action.detail}",
        "review": f"stays in {action.ref.folder} for review",
    }.get(action.kind, f"{action.kind} {action.detail}")


def proposed_route(row: ResultRow) -> str | None:
    """The route the model chose before the review policy sent the email to review, if any."""
    for flag in row.flags:
        if flag.startswith("proposed:"):
            return flag.partition(":")[2] or None
    return None


def plan_override(row: ResultRow, email: Email, settings: Any) -> list[Action]:
    """What filing a review email anyway would do (only ever applied for one email the operator
    confirmed twice): the proposed route's actions, or tag + move to the review route's folder."""
    ref = parse_source_ref(email.source_ref)
    if ref is None or row.status not in ("ok", "duplicate"):
        return []
    routes = {r.name: r for r in settings.routes}
    target = proposed_route(row)
    if target and target != "review" and target in routes:
        cleared = row.model_copy(update={"route": target, "review": False, "injection": False, "flags": []})
        return plan_actions(cleared, email, settings)
    review = routes.get("review")
    out = [Action("keyword", row.email_id, route_keyword("review"), "review", ref, email.subject)]
    folder = review.folder if review is not None else ""
    if folder and folder.strip("/").upper() != ref.folder.upper() and folder.upper() != "INBOX":
        out.append(Action("move", row.email_id, folder, "review", ref, email.subject))
    return out


class ActionDesk:
    """One email's actions at a time or many: every apply goes through one worker and one IMAP
    connection (SELECTed for writing, checked against the UIDVALIDITY the run read), so requests
    never interleave; a lost connection fails that apply (nothing half-done) and the next one
    reconnects."""

    def __init__(self, settings: Any, source: ImapSource, *, store: Any, run_id: str,
                 forwarder: Forwarder | None, auto: bool, emit: Callable[[DeskEvent], None],
                 out: IO[str] | None = None) -> None:
        self.settings = settings
        self.source = source
        self.store = store
        self.run_id = run_id
        self.forwarder = forwarder
        self.auto = auto
        self.emit = emit
        self.out = out
        self.plans: dict[str, tuple[Action, ...]] = {}
        self.overrides: dict[str, tuple[Action, ...]] = {}
        self._summaries: dict[str, str] = {}
        self._queue: deque[tuple[list[Action], bool]] = deque()
        self._queued_keys: set[str] = set()  # queued or being applied: never sent twice at once
        self._wake = asyncio.Event()
        self._session: ImapSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._busy = False
        self._closing = False
        self._finishing = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._work())

    # ------------------------------------------------------------------ planning
    def add(self, row: ResultRow, email: Email) -> tuple[Action, ...]:
        """Plan one final row's actions (again, after a retry); with auto, queue the appliable ones."""
        plan = tuple(plan_actions(row, email, self.settings))
        if not plan:
            return plan
        if row.summary:
            self._summaries[row.email_id] = row.summary
        review = plan[0].kind == "review"
        override = tuple(plan_override(row, email, self.settings)) if review else ()
        self.plans[row.email_id], self.overrides[row.email_id] = plan, override
        self.emit(ActionsPlanned(row.email_id, plan, override))
        self._write([ActionOutcome(a, "review") for a in plan if a.kind == "review"]
                    + ([] if self.auto else [ActionOutcome(a, "planned") for a in plan if a.appliable]))
        if self.auto and not review:
            self._enqueue([row.email_id], list(plan), by_operator=False)
        return plan

    # ------------------------------------------------------------------ applying
    def request(self, email_ids: Iterable[str], *, override: bool = False) -> int:
        """The operator confirmed: apply these emails' planned actions (review mail has none), or,
        with override, the override plan of exactly one review email. Returns the actions queued."""
        ids = list(dict.fromkeys(email_ids))
        if override and len(ids) != 1:
            raise ValueError("a review email is overridden one at a time")
        actions: list[Action] = []
        for email_id in ids:
            chosen = self.overrides.get(email_id, ()) if override else self.plans.get(email_id, ())
            actions += [a for a in chosen if a.appliable]
        return self._enqueue(ids, actions, by_operator=True)

    def _enqueue(self, email_ids: list[str], actions: list[Action], *, by_operator: bool) -> int:
        fresh = [a for a in actions if a.key not in self._queued_keys]
        if not fresh or self._closing:
            return 0
        self._queued_keys.update(a.key for a in fresh)
        self._queue.append((fresh, by_operator))
        self.emit(ActionsQueued(tuple(dict.fromkeys(a.email_id for a in fresh)), by_operator))
        self._wake.set()
        return len(fresh)

    async def _work(self) -> None:
        while not self._closing:
            if not self._queue:
                if self._finishing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            batch: list[Action] = []
            by_operator = False
            while self._queue:  # whatever piled up goes in one apply: one MOVE per folder
                actions, operator = self._queue.popleft()
                batch += actions
                by_operator = by_operator or operator
            self._busy = True
            try:
                outcomes = await self._apply(batch)
            finally:
                self._busy = False
                self._queued_keys.difference_update(a.key for a in batch)
            self._write(outcomes)
            self.emit(ActionsDone(tuple(outcomes), by_operator))

    async def _apply(self, batch: list[Action]) -> list[ActionOutcome]:
        if self.store is None:  # the ledger is what makes a second run harmless: no store, no apply
            return [ActionOutcome(a, "failed", "not applied: no store to record it in (--store PATH)") for a in batch]
        try:
            session = await self._connect()
        except (ImapError, OSError) as exc:
            return [ActionOutcome(a, "failed", f"not applied: {exc}") for a in batch]
        try:
            outcomes = await apply_actions(batch, imap=session, forwarder=self.forwarder, store=self.store,
                                           run_id=self.run_id, summaries=self._summaries)
        except Exception as exc:  # a surprise fails this apply with one line; the desk keeps working
            await self._drop_session()
            return [ActionOutcome(a, "failed", f"not applied: {type(exc).__name__}: {exc}") for a in batch]
        if session.protocol.lost is not None:
            await self._drop_session()
        return outcomes

    async def _connect(self) -> ImapSession:
        session = self._session
        if session is not None and session.protocol.lost is None:
            # mail delivered since this session's last command is not in its view yet, and a UID
            # STORE on it would be OK and do nothing (the keyword lost, the move then done)
            with contextlib.suppress(ImapError, OSError):
                await session.noop()
                return session
        await self._drop_session()
        target = self.source.target
        session = await ImapSession.open(target, self.source.options)
        try:
            info = await session.select(target.folder)
            if info.uidvalidity != self.source.uidvalidity:
                raise ImapError(f"UIDVALIDITY of {target.folder} changed since it was read: nothing applied "
                                "(run again to read it afresh)")
        except BaseException:
            await session.close()
            raise
        self._session = session
        return session

    async def _drop_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(Exception):
                await session.close()

    def _write(self, outcomes: list[ActionOutcome]) -> None:
        if self.out is not None and outcomes:
            for outcome in outcomes:
                self.out.write(json.dumps(outcome.to_json(), ensure_ascii=False) + "\n")
            self.out.flush()

    async def finish(self) -> None:
        """Apply everything queued, then disconnect: the end of a headless run."""
        self._finishing = True
        self._wake.set()
        task, self._task = self._task, None
        try:
            if task is not None:
                await task
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Drop what is queued; let an apply already under way finish (each step is recorded as it
        succeeds, so even a cut one leaves nothing a later run would repeat), then disconnect."""
        self._closing = True
        self._queue.clear()
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            if self._busy:
                await asyncio.wait({task}, timeout=CLOSE_WAIT_S)
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        await self._drop_session()
        if self.forwarder is not None:
            with contextlib.suppress(Exception):
                await self.forwarder.close()
