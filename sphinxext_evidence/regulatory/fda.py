"""What an openFDA record says about a drug's US status, and when the author's status contradicts it."""

from __future__ import annotations

from sphinxext_evidence.records.model import FdaApplication, FdaRecord
from sphinxext_evidence.regulatory.statuses import STATUSES

MARKETED = {"Prescription", "Over-the-counter"}
TENTATIVE = "None (Tentative Approval)"

#: For each status openFDA supports, the author's US statuses that agree with it.
AGREES: dict[str, frozenset[str]] = {
    "approved": frozenset({"approved"}),
    "approved-not-marketed": frozenset({"approved-not-marketed", "withdrawn", "withdrawn-safety"}),
    "tentative": frozenset({"tentative", "not-approved"}),
    # Drugs@FDA lacks some old or withdrawn approvals, so "withdrawn" is not a contradiction.
    "not-approved": frozenset({"not-approved", "refused", "withdrawn", "withdrawn-safety"}),
}


def marketed(application: FdaApplication) -> bool:
    """True when some product of the application is sold (prescription or over the counter)."""
    return any(s in MARKETED for s in application.marketing_status)


def fda_status(record: FdaRecord) -> str:
    """The status keyword one openFDA record supports for the US."""
    return combined_status([record])


def combined_status(records: list[FdaRecord]) -> str:
    """The US status several look-ups (one per name) support together."""
    apps = [a for r in records for a in r.applications]
    if not apps:
        return "not-approved"
    if any(marketed(a) for a in apps):
        return "approved"
    if all(a.marketing_status and set(a.marketing_status) <= {TENTATIVE} for a in apps):
        return "tentative"
    return "approved-not-marketed"


def disagrees(author_status: str, fda_status: str) -> bool:
    """True when the author's US status contradicts what openFDA found (``unknown`` never does)."""
    if author_status == "unknown" or author_status not in STATUSES:
        return False
    return author_status not in AGREES.get(fda_status, frozenset({author_status}))
