"""What an openFDA record says about a drug's US status, and when the author's status contradicts it.

The check reaches one of these states (:func:`combined_status`):

``approved``
    some product of some application is sold (prescription or over the counter);
``discontinued``
    nothing is sold and at least one product is marked discontinued (an
    approval that is no longer marketed);
``tentative``
    every product has a tentative approval only;
``not-found``
    openFDA has no application under any name looked up.  Drugs@FDA leaves
    out biologics and vaccines licensed by CBER (BLAs, in the Purple Book)
    and OTC monograph products, so this is *not* evidence that a product is
    unapproved;
``incomplete``
    openFDA found more applications than it sent and none of those sent is
    marketed, so the ones not sent could change the answer;
``unclear``
    applications are on record but no product has a marketing status this
    check knows.

Only the first three are findings an author's status can contradict; the
others confirm nothing and contradict nothing.
"""

from __future__ import annotations

from sphinxext_evidence.records.model import FdaApplication, FdaRecord
from sphinxext_evidence.regulatory.statuses import STATUSES

MARKETED = {"Prescription", "Over-the-counter"}
DISCONTINUED = "Discontinued"
TENTATIVE = "None (Tentative Approval)"

#: The words each state of the check is shown with.
FDA_LABELS: dict[str, str] = {
    "approved": "Approved",
    "discontinued": "Discontinued",
    "tentative": "Tentative approval",
    "not-found": "Not found in Drugs@FDA",
    "incomplete": "Not confirmed: only some of the applications were fetched",
    "unclear": "On record in Drugs@FDA; marketing status unclear",
}

#: For each state that is a finding, the author's US statuses that agree with it.
AGREES: dict[str, frozenset[str]] = {
    "approved": frozenset({"approved"}),
    # Discontinued: approved once, sold no longer; "approved" claims it is on the market.
    "discontinued": frozenset({"approved-not-marketed", "withdrawn", "withdrawn-safety"}),
    "tentative": frozenset({"tentative", "not-approved"}),
}


def marketed(application: FdaApplication) -> bool:
    """True when some product of the application is sold (prescription or over the counter)."""
    return any(s in MARKETED for s in application.marketing_status)


def fda_status(record: FdaRecord) -> str:
    """The state one openFDA record supports for the US."""
    return combined_status([record])


def combined_status(records: list[FdaRecord]) -> str:
    """The state several look-ups (one per name) support together."""
    apps = [a for r in records for a in r.applications]
    if any(marketed(a) for a in apps):
        return "approved"
    if any(r.not_shown for r in records):
        return "incomplete"
    if not apps:
        return "not-found"
    statuses = {s for a in apps for s in a.marketing_status}
    if DISCONTINUED in statuses:
        return "discontinued"
    if statuses and statuses <= {TENTATIVE}:
        return "tentative"
    return "unclear"


def is_finding(fda_state: str) -> bool:
    """True when the state says something an author's status can contradict."""
    return fda_state in AGREES


def disagrees(author_status: str, fda_state: str) -> bool:
    """True when the author's US status contradicts what openFDA found (``unknown`` and non-findings never do)."""
    if author_status == "unknown" or author_status not in STATUSES or not is_finding(fda_state):
        return False
    return author_status not in AGREES[fda_state]
