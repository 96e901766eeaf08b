"""Corrections and retractions: every kind of notice PubMed and Crossref link to a work, and what each means.

The names are PubMed's ``CommentsCorrections`` reference types; Crossref's
update types (``updated-by`` on a work, ``update-to`` on a notice) map onto
them.  A *flag* is a notice that changes how the work may be cited (it was
retracted, is under an expression of concern, or has been replaced): the
extension marks every citation of a flagged work and warns unless the author
acknowledges it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Severity order of flags, most serious first.
LEVELS = ("retraction", "concern", "replaced", "correction", "about")


@dataclass(frozen=True)
class NoticeKind:
    """One kind of notice: its wording in an entry, its mark beside a citation ('' for none), its level."""

    name: str
    label: str
    mark: str
    level: str
    says: str = ""  # what the notice says of the work, for warnings: "is retracted"

    @property
    def flags(self) -> bool:
        """True when the notice changes how the work may be cited."""
        return self.level in ("retraction", "concern", "replaced")


NOTICE_KINDS: dict[str, NoticeKind] = {kind.name: kind for kind in (
    NoticeKind("RetractionIn", "Retracted", "retracted", "retraction", "is retracted"),
    NoticeKind("PartialRetractionIn", "Partially retracted", "partially retracted", "retraction",
               "is partially retracted"),
    NoticeKind("RetractedandRepublishedIn", "Retracted and republished", "retracted and republished", "retraction",
               "is retracted and was republished"),
    NoticeKind("ExpressionOfConcernIn", "Expression of concern", "expression of concern", "concern",
               "is under an expression of concern"),
    NoticeKind("CorrectedandRepublishedIn", "Corrected and republished", "corrected and republished", "replaced",
               "was corrected and republished"),
    NoticeKind("UpdateIn", "Newer version available", "newer version", "replaced", "has a newer version"),
    # Records indexed before 2019 say "corrected and republished" with the older RepublishedIn/From.
    NoticeKind("RepublishedIn", "Republished", "republished", "replaced", "was republished"),
    NoticeKind("RepublishedFrom", "Republished from", "", "about"),
    NoticeKind("ErratumIn", "Erratum", "", "correction"),
    NoticeKind("RetractionOf", "Retraction notice for", "", "about"),
    NoticeKind("PartialRetractionOf", "Partial retraction notice for", "", "about"),
    NoticeKind("RetractedandRepublishedFrom", "Republished after the retraction of", "", "about"),
    NoticeKind("CorrectedandRepublishedFrom", "Corrected and republished from", "", "about"),
    NoticeKind("ExpressionOfConcernFor", "Expression of concern about", "", "about"),
    NoticeKind("ErratumFor", "Erratum to", "", "about"),
    NoticeKind("UpdateOf", "Update of", "", "about"),
)}

#: Crossref update types (on the updated work) -> notice kinds.
CROSSREF_UPDATED_BY = {
    "retraction": "RetractionIn", "withdrawal": "RetractionIn", "removal": "RetractionIn",
    "partial_retraction": "PartialRetractionIn", "expression_of_concern": "ExpressionOfConcernIn",
    "correction": "ErratumIn", "erratum": "ErratumIn", "corrigendum": "ErratumIn", "addendum": "ErratumIn",
    "clarification": "ErratumIn", "new_version": "UpdateIn", "new_edition": "UpdateIn",
}
#: The same types seen from the notice (``update-to``) -> notice kinds.
CROSSREF_UPDATE_TO = {
    "retraction": "RetractionOf", "withdrawal": "RetractionOf", "removal": "RetractionOf",
    "partial_retraction": "PartialRetractionOf", "expression_of_concern": "ExpressionOfConcernFor",
    "correction": "ErratumFor", "erratum": "ErratumFor", "corrigendum": "ErratumFor", "addendum": "ErratumFor",
    "clarification": "ErratumFor", "new_version": "UpdateOf", "new_edition": "UpdateOf",
}


def kind_of(name: str) -> NoticeKind:
    """The kind called ``name`` (an unknown name is shown as written, flagging nothing)."""
    return NOTICE_KINDS.get(name) or NoticeKind(name, name, "", "about")
