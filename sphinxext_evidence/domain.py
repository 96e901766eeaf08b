"""Per-document bookkeeping that keeps incremental and parallel builds right.

While reading, roles and directives note what each page needs (cited keys,
grades, regulatory look-ups) under a named bucket.  The fetch stage reads the
union; resolution reads the records the fetch stage stored here.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from typing import Any, ClassVar

from sphinx.domains import Domain

from sphinxext_evidence.keys import key_parts

CITE = "cite"


class EvidenceDomain(Domain):
    """The ``evidence`` domain: what each page cites, plus the records for the build."""

    name = "evidence"
    label = "Evidence"
    data_version = 2
    initial_data: ClassVar[dict[str, Any]] = {
        "docs": {},  # docname -> bucket -> list of items, in order of appearance
        "lock_digest": "",  # digest of the lockfile the last build used
        "record_digests": {},  # "section:id" -> digest of that record, to find pages to rewrite
    }

    # The records themselves are not pickled with the environment: the fetch
    # stage reads the lockfile once per build and keeps them on the instance,
    # which forked write workers inherit.
    _records: dict[str, dict[str, dict[str, Any]]]
    _unknown: dict[str, list[str]]
    failures: list[str]

    def set_records(self, records: dict[str, dict[str, dict[str, Any]]], unknown: dict[str, list[str]],
                    failures: list[str]) -> None:
        """Hand the build's records (and what could not be fetched) to the resolve stage."""
        self._records, self._unknown, self.failures = records, unknown, failures

    def note(self, docname: str, bucket: str, item: Any) -> None:
        """Record that ``docname`` needs ``item`` (kept once, in order)."""
        items = self.data["docs"].setdefault(docname, {}).setdefault(bucket, [])
        if item not in items:
            items.append(item)

    def note_citations(self, docname: str, keys: list[str]) -> None:
        """Record citation keys used on ``docname``."""
        for key in keys:
            self.note(docname, CITE, key)

    def bucket(self, bucket: str) -> Iterator[tuple[str, list[Any]]]:
        """Yield ``(docname, items)`` for every page with items in ``bucket``, sorted by page."""
        for docname in sorted(self.data["docs"]):
            items = self.data["docs"][docname].get(bucket)
            if items:
                yield docname, items

    def cited_ids(self, kind: str) -> set[str]:
        """Identifiers of one kind (``pmid``, ``doi``) cited anywhere in the project."""
        return {
            key_parts(key)[1] for _, keys in self.bucket(CITE) for key in keys if key_parts(key)[0] == kind
        }

    @property
    def records(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Lockfile content for this build: section -> identifier -> record."""
        return getattr(self, "_records", {})

    @property
    def unknown(self) -> dict[str, list[str]]:
        """Identifiers a service reported as non-existent, per section."""
        return getattr(self, "_unknown", {})

    def clear_doc(self, docname: str) -> None:
        """Forget what ``docname`` needed (it is being re-read)."""
        self.data["docs"].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        """Take over what parallel readers noted for ``docnames``."""
        for docname in docnames:
            if docname in otherdata["docs"]:
                self.data["docs"][docname] = otherdata["docs"][docname]

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[Any]:
        """The domain has no cross-reference roles."""
        return []
