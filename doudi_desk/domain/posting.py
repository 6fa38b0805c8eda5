"""What a 初审公示 posts of a case, kept on the event that posts it.

The 公示名单 of a batch shows, for each case posted that day, the 初审意见 (category, approve or
refuse) and the proposal (amount, persons covered, whether the household is eligible) as they were
when the case was posted (services/printing.py). The posting event (``post_notice``) keeps them in
its data under ``posted``, so a list reads one event per case; events written before it did are
read back from the changes of the case's earlier events instead.
"""

from __future__ import annotations

from typing import Any

from .model import Case
from .programmes import amount_field

POSTING_TRIGGER = "post_notice"
POSTED = "posted"  # the key of the posting event's data holding posted_values()
# The values posted_values() gives, and how each is read back from the event: text, int or bool.
POSTED_VALUES = {"category": "text", "opinion": "text", "amount": "text", "covered": "int", "eligible": "bool"}


def posted_values(case: Case) -> dict[str, Any]:
    """The case's 初审意见 and proposal as a 公示 posts them: category and opinion of the
    preliminary_opinion form, the proposed amount (monthly or one-off), the number of persons
    covered and whether the household is eligible (True when the proposal does not say)."""
    proposal = case.proposal or {}
    opinion = case.forms.get("preliminary_opinion") or {}
    return {"category": opinion.get("category"), "opinion": opinion.get("opinion"),
            "amount": proposal.get(amount_field(case.programme)), "covered": len(proposal.get("covered") or ()),
            "eligible": proposal.get("eligible", True)}
