"""Per-document bookkeeping that keeps incremental and parallel builds right.

While reading, roles and directives note what each page needs (cited keys,
other records to look up, grades) under a named bucket.  The fetch stage reads
the union; resolution reads the records the fetch stage left here.
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from typing import Any, ClassVar

from sphinx.application import Sphinx
from sphinx.domains import Domain

from sphinxext_evidence.records.store import Store

#: Keys cited on a page (numbered in its reference list).
CITE = "cite"
#: Keys of records a page needs without citing them (an FDA look-up).
NEED = "need"


class EvidenceDomain(Domain):
    """The ``evidence`` domain: what each page needs, plus the records for the build."""

    name = "evidence"
    label = "Evidence"
    data_version = 4
    initial_data: ClassVar[dict[str, Any]] = {
        "docs": {},  # docname -> bucket -> list of items, in order of appearance
        "lock_digest": "",  # digest of the lockfile the last build used (its records': fetch.DIGESTS_FILE)
    }

    # The records are not pickled with the environment: the fetch stage reads
    # the lockfile once per build and keeps them on the instance, which forked
    # write workers inherit.
    _store: Store
    failures: list[str]

    def set_store(self, store: Store, failures: list[str]) -> None:
        """Hand the build's records (and what could not be fetched) to the resolve stage."""
        self._store, self.failures = store, failures

    @property
    def store(self) -> Store:
        """The build's records (empty before the fetch stage has run)."""
        store = getattr(self, "_store", None)
        if store is None:
            store = self._store = Store({}, {})
        return store

    def note(self, docname: str, bucket: str, item: Any) -> None:
        """Record that ``docname`` needs ``item`` (kept once, in order)."""
        items = self.data["docs"].setdefault(docname, {}).setdefault(bucket, [])
        if item not in items:
            items.append(item)

    def note_citations(self, docname: str, keys: list[str]) -> None:
        """Record citation keys used on ``docname``."""
        for key in keys:
            self.note(docname, CITE, key)

    def note_needs(self, docname: str, keys: list[str]) -> None:
        """Record keys of records ``docname`` needs without citing them."""
        for key in keys:
            self.note(docname, NEED, key)

    def bucket(self, bucket: str) -> Iterator[tuple[str, list[Any]]]:
        """Yield ``(docname, items)`` for every page with items in ``bucket``, sorted by page."""
        for docname in sorted(self.data["docs"]):
            items = self.data["docs"][docname].get(bucket)
            if items:
                yield docname, items

    def wanted(self) -> Iterator[tuple[str, str]]:
        """Every ``(docname, key)`` whose record some page needs, cited or not."""
        for bucket in (CITE, NEED):
            for docname, keys in self.bucket(bucket):
                for key in keys:
                    yield docname, key

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


def get_domain(env: Any) -> EvidenceDomain:
    """The build's evidence domain."""
    return env.get_domain(EvidenceDomain.name)  # type: ignore[no-any-return]


def setup(app: Sphinx) -> None:
    """Register the domain."""
    app.add_domain(EvidenceDomain)
