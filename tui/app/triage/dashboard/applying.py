"""Applying the planned mail actions from the dashboard (IMAP runs): a on the selected email, A on all.

Nothing is filed without a yes; review mail (prompt injection, low confidence) is never part of
A, and a on it asks twice, naming why it was held.
"""

from __future__ import annotations

from collections import Counter

from tui.app.triage.confirm_actions import ConfirmActions, ConfirmOverride
from tui.app.triage.dashboard.host import DashboardHost
from tui.app.triage.mail_action_views import MailActions
from tui.app.triage.session import NO_ACTIONS_HERE
from tui.mail.action_desk import phrase

APPLYING = ("apply_selected", "apply_all")


class Applying(DashboardHost):
    """The apply actions and their gates; the host is the dashboard screen."""


    def check_apply(self, action: str) -> bool | None:
        """True: the key acts now; None: shown dimmed; False: not shown (file sources have no actions)."""
        if not self.session.actions_enabled:
            return False
        if action == "apply_all":
            return True if self.state.appliable() else None
        view = self.selected_actions() if self.is_mounted else None
        return True if view is not None and not view.applying and view.todo(override=view.review) else None

    def selected_actions(self) -> MailActions | None:
        return self.state.actions.get(self.table.selected_email_id or "")

    def _subject(self, email_id: str) -> str:
        row = self.state.inbox.rows.get(email_id)
        return (row.subject if row else "") or self.state.subjects.get(email_id, "") or email_id

    def action_apply_selected(self) -> None:
        """Apply the selected email's actions after a confirm; a review email needs a second one."""
        if not self.session.actions_enabled:
            self._warn(NO_ACTIONS_HERE)
            return
        email_id = self.table.selected_email_id
        view = self.state.actions.get(email_id or "")
        if email_id is None or view is None:
            self._warn("no actions for this email (failed rows get none; a verdict is needed first)")
            return
        if view.applying:
            self._warn("this email's actions are being applied")
            return
        if view.review:
            self._confirm_override(view)
            return
        todo = view.todo()
        if not todo:
            self._warn(f"nothing left to apply for this email ({view.status})")
            return
        lines = [f"Subject: {self._subject(email_id)}", "", *(f"• {phrase(a)}" for a in todo)]
        title = f"Apply {len(todo)} action{'s' * (len(todo) != 1)} to 1 email?"
        self.app.push_screen(ConfirmActions(title, lines), lambda yes: self._send([email_id]) if yes else None)

    def _confirm_override(self, view: MailActions) -> None:
        """Review mail (prompt injection, low confidence) is filed only after two explicit answers."""
        email_id = view.email_id
        todo = view.todo(override=True)
        if not todo:
            self._warn("this email is held for review and there is nothing to file it with "
                       "(no proposed route, and the review folder is the inbox)")
            return
        what = [f"• {phrase(a)}" for a in todo]
        first = ConfirmActions(
            "This email is held for review",
            [f"Subject: {self._subject(email_id)}", f"Why: {view.reason}", "",
             "It stays in the inbox, untouched, unless you override the review. Overriding would:", *what],
            yes="Override… (y)",
        )
        second = ConfirmOverride(
            f"Override the review: {view.reason}?",
            [f"This email was held back because: {view.reason}.",
             "A prompt-injection attempt can make a harmful email look routine. Filing it will:", *what,
             "", "Only this one email is affected. Press o to file it anyway, n to keep it for review."],
        )

        def answered_first(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(second, lambda sure: self._send([email_id], override=True) if sure else None)

        self.app.push_screen(first, answered_first)

    def action_apply_all(self) -> None:
        """Apply every planned action not done yet, after one confirm. Review mail is never included."""
        if not self.session.actions_enabled:
            self._warn(NO_ACTIONS_HERE)
            return
        ids = self.state.appliable()
        if not ids:
            self._warn("no planned actions left to apply")
            return
        kinds = Counter(a.kind for e in ids for a in self.state.actions[e].todo())
        words = {"move": "moves", "forward": "forwards", "flag": "flags", "keyword": "keywords"}
        lines = [f"• {kinds[k]} {words[k]}" for k in ("move", "forward", "flag", "keyword") if kinds[k]]
        review = self.state.action_counts().review
        if review:
            lines += ["", f"{review} emails held for review are not touched (a on one of them to override)."]
        if self.state.busy:
            lines += ["", "Emails still being triaged are not included: press A again when they land."]
        total = sum(kinds.values())
        self.app.push_screen(ConfirmActions(f"Apply {total} actions to {len(ids)} emails?", lines),
                             lambda yes: self._send(ids) if yes else None)

    def _send(self, email_ids: list[str], *, override: bool = False) -> None:
        problem = self.session.apply_actions(email_ids, override=override)
        if problem:
            self.app.notify(problem, severity="error", timeout=self.note_timeout, markup=False)
        else:
            self.app.notify(f"applying the actions of {len(email_ids)} email{'s' * (len(email_ids) != 1)}…",
                            timeout=self.note_timeout, markup=False)
