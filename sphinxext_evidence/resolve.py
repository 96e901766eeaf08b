"""The resolve stage: hand each page's records to the renderers that replace its placeholders.

Runs as a post-transform, so it works per page (in the main process also in a
parallel build, where Sphinx resolves each page before its write workers get
it) and on the assembled trees of singlehtml and LaTeX (where placeholders
keep the name of the page they were written on).  Features register, per
placeholder class, a renderer and optionally a ``prepare`` step that sees
every placeholder in document order first (citation numbering uses it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.nodes import process_only_nodes

from sphinxext_evidence.domain import get_domain
from sphinxext_evidence.html_text import compact, writes_like_sphinx
from sphinxext_evidence.identifiers import key_label
from sphinxext_evidence.records.store import Store
from sphinxext_evidence.text import slug


class evidence_placeholder(nodes.Element):
    """Base of every node replaced at resolve time.

    ``docname`` is the page it was read from; ``keys`` lists the records it
    needs (``pmid:37818733``, ``fda:metformin``).
    """


@dataclass(frozen=True)
class PageRecords:
    """The records one page's placeholders need, looked up once by the resolve stage."""

    records: Mapping[str, Any]
    canonical_keys: Mapping[str, str]
    unknown: Mapping[str, str]  # key -> what the service's silence means
    memo: dict[tuple[str, str], Any]

    def canonical(self, key: str) -> str:
        """The key under which the work of ``key`` is numbered (a DOI another record carries → that record's key)."""
        return self.canonical_keys.get(key, key)

    def get(self, key: str) -> Any:
        """The typed record of ``key`` (an Article, an FdaRecord …), or None when it is not known."""
        return self.records.get(self.canonical(key))

    def not_found(self, key: str) -> str | None:
        """The warning text when the service said it has no record of ``key``, else None."""
        return self.unknown.get(key)


def page_records(store: Store, keys: set[str]) -> PageRecords:
    """Look up ``keys`` (and the works they are numbered under) in ``store``."""
    canonical = {key: store.canonical(key) for key in keys}
    records = {key: store.get(key) for key in set(canonical.values())}
    unknown = {key: message for key in keys if (message := store.not_found(key, key_label(key))) is not None}
    return PageRecords(records, {k: v for k, v in canonical.items() if k != v}, unknown, store.memo)


@dataclass
class PageContext:
    """What renderers know about the page being resolved."""

    docname: str
    records: PageRecords
    prefix: str = "evidence"
    env: Any = None
    app: Any = None
    config: Any = None
    builder_format: str = ""
    document: Any = None  # the doctree being resolved; page-level flags for html-page-context go here
    state: dict[str, Any] = field(default_factory=dict)  # per-page state of features (numbering)


Renderer = Callable[[Any, PageContext], list[nodes.Node]]
Prepare = Callable[[Any, PageContext], None]
Needs = Callable[[Any, Any], "set[str]"]


@dataclass(frozen=True)
class Handler:
    """How one placeholder class is resolved.

    ``needs`` names records a placeholder needs beyond its own ``keys`` (a
    project-wide table needs the records of works cited on other pages).
    """

    render: Renderer
    prepare: Prepare | None = None
    last: bool = False
    needs: Needs | None = None


def _skip(_translator: Any, _node: nodes.Node) -> None:
    raise nodes.SkipNode


#: Visitors for every output format: a placeholder that escapes resolution (a copy in a
#: table of contents, say) is left out instead of stopping the build.
SKIP = {fmt: (_skip, None) for fmt in ("html", "latex", "text", "man", "texinfo")}


HANDLERS: dict[type[nodes.Element], Handler] = {}


def register_renderer(app: Sphinx, node_class: type[nodes.Element], render: Renderer, prepare: Prepare | None = None,
                      last: bool = False, needs: Needs | None = None) -> None:
    """Say how placeholders of ``node_class`` are rendered (``last``: after every other placeholder).

    The class is also registered with Sphinx, with visitors that leave it out,
    so that a copy which escapes resolution (in a table of contents) never
    stops a build.
    """
    HANDLERS[node_class] = Handler(render, prepare, last, needs)
    app.add_node(node_class, override=True, **SKIP)  # type: ignore[arg-type]


def excluded(node: nodes.Node, tags: Any) -> bool:
    """True when ``node`` sits in an ``only`` block this builder leaves out."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, addnodes.only):
            try:
                if not tags.eval_condition(parent["expr"]):
                    return True
            except Exception:  # noqa: BLE001 - Sphinx itself reports a bad expression later
                return False
        parent = parent.parent
    return False


def _copy_of_elsewhere(node: nodes.Node) -> bool:
    """True for copies that are not the author's text: a contents list entry or a substitution definition."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.substitution_definition) or (
                isinstance(parent, nodes.topic) and "contents" in parent.get("classes", [])):
            return True
        parent = parent.parent
    return False


def _placeholder_or_only(node: nodes.Node) -> bool:
    return isinstance(node, (evidence_placeholder, addnodes.only))


class ResolveEvidence(SphinxPostTransform):
    """Render every evidence placeholder with the records it needs (early, for builders that are not HTML).

    LaTeX's own post-transforms (URLs shown as footnotes, for one) must see
    the rendered links, so on those builders the stage runs before them.
    """

    default_priority = 5

    def is_supported(self) -> bool:
        """Every builder but the HTML ones."""
        return self.env._builder_cls.format != "html"

    def run(self, **kwargs: Any) -> None:
        """Prepare placeholders in document order, then render them (``last`` ones at the end).

        ``only`` blocks are settled first, so nothing a builder leaves out is
        numbered; a citation copied into a contents list or kept in a
        substitution definition is dropped there (the heading or text it
        comes from keeps it).
        """
        found: list[Any] = list(self.document.findall(_placeholder_or_only))  # the page's one walk, as a rule
        if any(isinstance(node, addnodes.only) for node in found):
            process_only_nodes(self.document, self.env._tags)
            found = list(self.document.findall(evidence_placeholder))
        placeholders: list[Any] = []
        for node in found:
            if _copy_of_elsewhere(node):
                node.parent.remove(node)
            else:
                placeholders.append(node)
        if not placeholders:
            return
        store = get_domain(self.env).store
        keys = {key for node in placeholders for key in node.get("keys", ())}
        for node in placeholders:
            handler = HANDLERS.get(type(node))
            if handler is not None and handler.needs is not None:
                keys |= handler.needs(node, self.env)
        records = page_records(store, keys)
        pages: dict[str, PageContext] = {}
        app = getattr(self.env, "_app", None)
        html = writes_like_sphinx(app)
        for node in placeholders:
            page = node.get("docname", self.env.docname)
            if page not in pages:
                prefix = "evidence" if page == self.env.docname else f"evidence-{slug(page, 'index')}"
                pages[page] = PageContext(page, records, prefix, env=self.env, app=app, config=self.config,
                                          builder_format=self.env._builder_cls.format, document=self.document)
            handler = HANDLERS.get(type(node))
            if handler is not None and handler.prepare is not None:
                handler.prepare(node, pages[page])
        ordered = sorted(placeholders, key=lambda n: HANDLERS[type(n)].last if type(n) in HANDLERS else False)
        for node in ordered:
            handler = HANDLERS.get(type(node))
            ctx = pages[node.get("docname", self.env.docname)]
            rendered = handler.render(node, ctx) if handler else []
            node.replace_self([compact(piece) for piece in rendered] if html else rendered)


class ResolveEvidenceLate(ResolveEvidence):
    """The resolve stage on HTML builders: after Sphinx's own post-transforms, so none of them walks what it renders.

    What it renders holds no cross-references, images, code or ``only``
    blocks, the things those transforms look for. A post-transform of another
    extension that must see the rendered evidence needs a priority above 790.
    """

    default_priority = 790

    def is_supported(self) -> bool:
        """The HTML builders only."""
        return self.env._builder_cls.format == "html"


def setup(app: Sphinx) -> None:
    """Run the resolve stage on every page before it is written."""
    app.add_post_transform(ResolveEvidence)
    app.add_post_transform(ResolveEvidenceLate)
