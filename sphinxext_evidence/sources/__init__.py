"""The metadata services, one module each, and the registry the rest of the extension iterates.

To add a service: write its module with a ``SOURCE`` declaration
(:class:`~sphinxext_evidence.sources.base.Source`) and add it below.  The
order matters once: a later source does not fetch an identifier that an
earlier source's record already carries (a DOI a PubMed record has).
"""

from __future__ import annotations

from sphinxext_evidence.sources import crossref, crossref_updates, manual, openfda, pubmed
from sphinxext_evidence.sources.base import FetchResult, HttpSettings, ServiceError, Source

__all__ = ["REGISTRY", "FetchResult", "HttpSettings", "ServiceError", "Source", "for_kind"]

REGISTRY: tuple[Source, ...] = (pubmed.SOURCE, openfda.SOURCE, crossref.SOURCE, crossref_updates.SOURCE,
                                manual.SOURCE)


def for_kind(kind: str) -> Source | None:
    """The source that serves identifiers of ``kind`` (``pmid``, ``doi``, ``fda``), if any."""
    return next((s for s in REGISTRY if kind in s.kinds), None)
