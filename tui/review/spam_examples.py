"""The operator's spam corrections as training mail for the learned spam model.

Why it exists: the shipped spam model learned from 2002 mailing-list mail; the mail an operator
moves into or out of spam is exactly what it gets wrong here. `bench/train_spam.py --store`
adds these emails (as each run kept them, `texts.py`) to its training corpus. Only the latest
standing category correction of each email counts, and only one that crosses the spam line.
"""

from __future__ import annotations

from tui.model import Category, Email
from tui.review.log import list_corrections
from tui.review.records import Correction
from tui.review.texts import stored_email
from tui.store import Store

SPAM = Category.SPAM.value


def corrected_spam(store: Store) -> tuple[list[tuple[Email, bool]], int]:
    """((email, is spam) for each email corrected to or from spam, oldest run first), and how many
    such corrections had no stored text to learn from (runs recorded before texts were kept)."""
    latest: dict[tuple[str, str], Correction] = {}
    for record in list_corrections(store):  # oldest first: a later one replaces an earlier one
        if record.field == "category":
            latest[(record.run_id, record.email_id)] = record
    examples: list[tuple[Email, bool]] = []
    missing = 0
    for (run_id, email_id), record in sorted(latest.items()):
        to_spam = record.value == SPAM
        if to_spam == (record.model_value == SPAM):
            continue  # e.g. newsletter -> personal: says nothing about spam
        email = stored_email(store, run_id, email_id)
        if email is None:
            missing += 1
        else:
            examples.append((email, to_spam))
    return examples, missing
