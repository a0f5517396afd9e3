"""From the command's inputs to a campaign: contacts, segments, the id, the renderer, the preview.

The campaign id is `--campaign NAME`, or derived from the contacts file's path, the template's
text, the sender and the segment column: running the same command again resumes the same
campaign (recipients already sent are skipped), it never starts a second one by accident.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tui.outbound.campaign import SendOptions, plan_segments
from tui.outbound.contacts import Contact, read_contacts, valid_address
from tui.outbound.ledger import Ledger
from tui.outbound.template import Renderer, Template, check_fields, load_template, message_id
from tui.settings import ConfigError

_ID_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
SENT_STATES = ("accepted", "refused", "unknown", "suppressed", "invalid")


@dataclass
class CampaignPlan:
    campaign_id: str
    contacts_path: Path
    template: Template
    columns: list[str]
    segments: dict[str, list[Contact]]
    renderer: Renderer
    options: SendOptions
    segment_by: str | None
    personalize: bool = False

    @property
    def contacts(self) -> list[Contact]:
        return [c for group in self.segments.values() for c in group]


def campaign_id_for(name: str | None, contacts_path: Path, template_text: str, sender: str,
                    segment_by: str | None) -> str:
    if name:
        clean = _ID_SAFE.sub("-", name).strip("-.")[:60]
        if not clean:
            raise ConfigError(f"--campaign {name!r}: use letters, digits, '.', '_' or '-'")
        return clean
    digest = hashlib.sha256("\0".join([str(contacts_path.resolve()), template_text, sender.lower(),
                                       segment_by or ""]).encode()).hexdigest()
    return "c-" + digest[:12]


def build_plan(contacts_path: Path, template_path: Path, *, sender: str, segment_by: str | None,
               options: SendOptions, name: str | None = None, unsubscribe: str | None = None,
               personalize: bool = False) -> CampaignPlan:
    if not valid_address(sender.strip().lower()):
        raise ConfigError(f"--from {sender!r} is not a plain email address")
    template = load_template(template_path)
    columns, contacts = read_contacts(contacts_path)
    if segment_by and segment_by not in columns:
        raise ConfigError(f"--segment-by {segment_by!r} is not a column of {contacts_path} "
                          f"(columns: {', '.join(columns)})")
    check_fields(template, columns, personalize=personalize)
    campaign_id = campaign_id_for(name, contacts_path, template.subject + "\n" + template.body, sender, segment_by)
    renderer = Renderer(template, sender=sender, campaign_id=campaign_id, unsubscribe=unsubscribe)
    return CampaignPlan(campaign_id, contacts_path, template, columns, plan_segments(contacts, segment_by),
                        renderer, options, segment_by, personalize)


def register(plan: CampaignPlan, ledger: Ledger, settings_json: dict[str, object]) -> None:
    """Put every contact in the ledger once (known rows untouched), turn rows a dead run left in
    DATA into `unknown`, and suppress rows whose address was suppressed since."""
    ledger.start_campaign(plan.campaign_id, sender=plan.options.sender, segment_by=plan.segment_by or "",
                          settings=settings_json)
    suppressed = ledger.suppressed()
    rows = []
    for segment, contacts in plan.segments.items():
        for c in contacts:
            if c.problem:
                rows.append((c.key, segment, c.row, "", "invalid", c.problem))
                continue
            msg_id = message_id(plan.campaign_id, c.email, plan.renderer.domain)
            if c.email in suppressed:
                rows.append((c.key, segment, c.row, msg_id, "suppressed", suppressed[c.email]))
            else:
                rows.append((c.key, segment, c.row, msg_id, "pending", ""))
    ledger.add_recipients(plan.campaign_id, rows)
    ledger.recover_interrupted(plan.campaign_id)
    states = ledger.states(plan.campaign_id)
    for c in plan.contacts:
        if not c.problem and c.email in suppressed and states.get(c.key) in ("pending", "deferred"):
            ledger.mark_outcome(plan.campaign_id, c.key, "suppressed", attempts=0, error=suppressed[c.email])


def still_to_send(plan: CampaignPlan, ledger: Ledger) -> dict[str, list[tuple[Contact, int]]]:
    """Per segment, the contacts whose message has not gone out, with their attempts so far.
    A `deferred` row whose attempts are used up stays final."""
    rows = {r.recipient: r for r in ledger.sends(plan.campaign_id)}
    todo: dict[str, list[tuple[Contact, int]]] = {}
    for segment, contacts in plan.segments.items():
        todo[segment] = []
        for c in contacts:
            row = rows.get(c.key)
            if row is None or c.problem:
                continue
            if row.state == "pending" or (row.state == "deferred" and row.attempts < plan.options.max_attempts):
                todo[segment].append((c, row.attempts))
    return todo


def preview(plan: CampaignPlan, ledger: Ledger) -> str:
    """What --apply would do: per segment, how many go out and why the others do not; one message."""
    suppressed = ledger.suppressed()
    known = {r.recipient: r.state for r in ledger.sends(plan.campaign_id)}
    lines = [f"campaign {plan.campaign_id}: {len(plan.contacts)} contacts in {len(plan.segments)} segment(s), "
             f"from {plan.options.sender} via {plan.options.target.scheme}://{plan.options.target.address}"]
    total_send = 0
    for segment, contacts in plan.segments.items():
        why: Counter[str] = Counter()
        for c in contacts:
            if c.problem:
                why["duplicate" if "duplicate" in c.problem else "invalid"] += 1
            elif c.email in suppressed:
                why["suppressed"] += 1
            elif known.get(c.key) in SENT_STATES:
                why["already " + known[c.key]] += 1
            else:
                why["to send"] += 1
        total_send += why["to send"]
        detail = ", ".join(f"{k} {v}" for k, v in sorted(why.items()))
        lines.append(f"  segment {segment!r}: {len(contacts)} contacts: {detail}")
    mpm = plan.options.mpm
    agents = min(len(plan.segments), max(1, plan.options.fanout.concurrency))
    pace = f" at most {mpm} messages/minute (at least {total_send / mpm:.1f} min)," if mpm else ""
    lines.append(f"would send {total_send} message(s):{pace} {agents} segment agent(s) at once")
    sample = next((c for c in plan.contacts if not c.problem), None)
    if sample is not None:
        line = "(a personal line, written by the model when sending)" if plan.personalize else None
        text = plan.renderer.render(sample, line).data.decode("utf-8", errors="replace")
        lines.append(f"--- first message (to {sample.email}) ---")
        lines.extend(text.replace("\r\n", "\n").rstrip("\n").split("\n")[:40])
        lines.append("--- dry run: nothing sent; add --apply to send ---")
    return "\n".join(lines)
