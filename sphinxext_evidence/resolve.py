"""Resolution: number each page's citations and replace placeholders with rendered nodes.

Runs as a post-transform, so it works per page in parallel write workers and
on the assembled trees of singlehtml and LaTeX (where citations are grouped by
the page they were written on).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from sphinxext_evidence.domain import EvidenceDomain
from sphinxext_evidence.fetch import SECTION_OF_KIND
from sphinxext_evidence.keys import key_parts
from sphinxext_evidence.model import Article
from sphinxext_evidence.nodes import citing, evidence_placeholder, reference_list

logger = logging.getLogger(__name__)

Renderer = Callable[[Any, "PageContext"], list[nodes.Node]]
RENDERERS: dict[type[nodes.Element], Renderer] = {}


def register_renderer(node_class: type[nodes.Element], renderer: Renderer) -> None:
    """Say which function turns placeholders of ``node_class`` into nodes."""
    RENDERERS[node_class] = renderer


class Store:
    """Read access to the build's records, with DOI → PMID merging."""

    def __init__(self, domain: EvidenceDomain) -> None:
        self.records = domain.records
        self.unknown = {f"{s}:{i}" for s, ids in domain.unknown.items() for i in ids}
        self._articles: dict[str, Article | None] = {}
        self._doi_to_pmid: dict[str, str] | None = None
        self.memo: dict[tuple[str, str], Any] = {}  # per-key derived values (e.g. tooltips) for renderers

    @classmethod
    def of(cls, domain: EvidenceDomain) -> Store:
        """The store for the build's current records, shared by every page this process resolves."""
        store = getattr(domain, "_evidence_store", None)
        if store is None or store.records is not domain.records:
            store = cls(domain)
            domain._evidence_store = store  # type: ignore[attr-defined]
        return store

    def canonical(self, key: str) -> str:
        """The key under which a work is numbered: a DOI known to PubMed becomes its PMID."""
        kind, ident = key_parts(key)
        if kind == "doi":
            if self._doi_to_pmid is None:
                self._doi_to_pmid = {
                    str(r.get("DOI", "")).lower(): pmid for pmid, r in self.records.get("pubmed", {}).items()
                }
            pmid = self._doi_to_pmid.get(ident.lower())
            if pmid:
                return f"pmid:{pmid}"
        return key

    def article(self, key: str) -> Article | None:
        """The record for a citation key, or None when it is not known."""
        if key not in self._articles:
            kind, ident = key_parts(key)
            data = self.records.get(SECTION_OF_KIND.get(kind, kind), {}).get(ident)
            self._articles[key] = Article.from_csl(key, data) if data else None
        return self._articles[key]

    def is_unknown(self, key: str) -> bool:
        """True when the service said the identifier does not exist."""
        kind, ident = key_parts(key)
        return f"{SECTION_OF_KIND.get(kind, kind)}:{ident}" in self.unknown


@dataclass
class PageContext:
    """Numbering and cross-links of one page's citations."""

    docname: str
    store: Store
    prefix: str = "evidence"
    numbers: dict[str, int] = field(default_factory=dict)
    backlinks: dict[str, list[str]] = field(default_factory=dict)
    warned: set[tuple[str, str]] = field(default_factory=set)
    env: Any = None
    app: Any = None
    config: Any = None
    builder_format: str = ""
    document: Any = None  # the doctree being resolved; page-level flags for html-page-context go here

    def number(self, key: str) -> int:
        """The page's number for ``key``, assigning the next one on first sight."""
        key = self.store.canonical(key)
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
            self.backlinks[key] = []
        return self.numbers[key]

    def entry_id(self, key: str) -> str:
        """HTML id of the reference-list entry for ``key``."""
        return f"{self.prefix}-ref-{self.number(key)}"

    def new_anchor(self, key: str) -> str:
        """A fresh id for one place that cites ``key``; the entry links back to it."""
        key = self.store.canonical(key)
        n = self.number(key)
        anchor = f"{self.prefix}-cite-{n}-{len(self.backlinks[key]) + 1}"
        self.backlinks[key].append(anchor)
        return anchor

    def warn_once(self, key: str, subtype: str, message: str, location: nodes.Node) -> None:
        """Warn about ``key`` once per page and subtype, at ``location``."""
        if (key, subtype) not in self.warned:
            self.warned.add((key, subtype))
            logger.warning(message, location=location, type="evidence", subtype=subtype)

    def check(self, key: str, location: nodes.Node) -> Article | None:
        """The record for ``key``; warns (at ``location``) when it is missing or retracted."""
        article = self.store.article(self.store.canonical(key))
        label = key_label(key)
        if article is None:
            if self.store.is_unknown(key):
                logger.warning("%s does not exist according to the service; check the identifier", label,
                               location=location, type="evidence", subtype="unknown-id")
            else:
                logger.warning("%s has no record in the lockfile; build once with network access or run "
                               "'sphinx-evidence fetch' to add it", label,
                               location=location, type="evidence", subtype="missing")
        elif article.retracted:
            notices = article.notices_of("RetractionIn")
            where = f" (retraction notice: {notices[0].source})" if notices and notices[0].source else ""
            self.warn_once(key, "retracted", f"{label} cited on page '{self.docname}' is retracted{where}; "
                           "remove the citation or say why it is still cited", location)
        return article


def key_label(key: str) -> str:
    """``pmid:123`` → ``PMID 123``."""
    kind, ident = key_parts(key)
    return f"{kind.upper()} {ident}"


def _slug(docname: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", docname.lower()).strip("-") or "index"


class EnsureReferenceList(SphinxTransform):
    """At read time: give every citing page exactly one reference list."""

    default_priority = 880

    def apply(self, **kwargs: Any) -> None:
        """Append a list to pages without one; warn about and drop extra lists."""
        lists = list(self.document.findall(reference_list))
        for extra in lists[1:]:
            logger.warning("a page has only one reference list; this 'references' directive is ignored "
                           "(first one at line %s)", lists[0].line, location=extra,
                           type="evidence", subtype="duplicate-references")
            extra.parent.remove(extra)
        if not lists and any(True for _ in self.document.findall(citing)):  # type: ignore[arg-type]
            node = reference_list(auto=True, docname=self.env.docname)
            node.source = self.document["source"]
            self.document += node


class ResolveEvidence(SphinxPostTransform):
    """Number citations per page and render every evidence placeholder."""

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        """Render placeholders page by page, reference lists last."""
        placeholders = list(self.document.findall(evidence_placeholder))
        if not placeholders:
            return
        domain: EvidenceDomain = self.env.get_domain("evidence")  # type: ignore[assignment]
        store = Store.of(domain)
        pages: dict[str, PageContext] = {}
        for node in placeholders:
            page = node.get("docname", self.env.docname)
            if page not in pages:
                prefix = "evidence" if page == self.env.docname else f"evidence-{_slug(page)}"
                pages[page] = PageContext(page, store, prefix, env=self.env, app=getattr(self.env, "_app", None),
                                          config=self.config, builder_format=self.env._builder_cls.format,
                                          document=self.document)
            if isinstance(node, citing):
                for key in cast(nodes.Element, node)["keys"]:
                    pages[page].number(key)
        lists = [n for n in placeholders if isinstance(n, reference_list)]
        for node in [n for n in placeholders if not isinstance(n, reference_list)] + lists:
            renderer = RENDERERS.get(type(node))
            ctx = pages[node.get("docname", self.env.docname)]
            new = renderer(node, ctx) if renderer else []
            node.replace_self(new)
