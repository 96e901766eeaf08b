"""HTML pages: what the resolve stage rendered is written as HTML at once and kept as one node.

A resolved page holds several times the docutils nodes of the same text
typed by hand: a reference entry with its links and back-links is about
thirteen, a summary-of-findings table a couple of hundred.  Every later
post-transform, the search indexer, the pickling of a parallel build and the
HTML writer walk them all, and while a page is written the garbage collector
scans them again and again.  On the ``html`` and ``dirhtml`` builders each
rendered piece is therefore translated right away by the builder's own HTML
translator (so the markup is what the writer would have produced) and
replaced by one :class:`evidence_html` node that keeps the HTML and, for the
search index, the piece's words and table captions.

A piece is kept as nodes when a later stage still has work to do in it (a
cross-reference in an author's text, an image, anything not known to be
inert), when it sits inside a list or another block whose context changes
how HTML is written, and on builders that rewrite links after resolution
(``singlehtml``, ``epub``).  :confval:`evidence_html_prerender` turns it off
for projects whose other extensions want to see the extension's nodes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from docutils import nodes
from docutils.utils import new_document
from sphinx.application import Sphinx

#: Builders whose writers do nothing to a resolved page but translate it.
BUILDERS = frozenset({"html", "dirhtml"})


class evidence_html(nodes.General, nodes.Inline, nodes.Element):
    """Rendered evidence as finished HTML (``html``) with its text (``text``); its children feed only search."""

    def astext(self) -> str:
        """The text the rendered nodes had, exactly (a section title's text includes a citation's label)."""
        return str(self.get("text", ""))


class _search_title(nodes.title):
    """A table caption, for the search index: the words and the anchor the caption had."""

    def astext(self) -> str:
        """The caption's text, exactly."""
        return str(self.get("text", ""))


#: Node classes that no stage after the resolve stage changes, and whose HTML does not depend on where they are.
_INERT: frozenset[type[nodes.Node]] = frozenset({
    nodes.Text, nodes.paragraph, nodes.inline, nodes.strong, nodes.emphasis, nodes.superscript,
    nodes.subscript, nodes.literal, nodes.reference, nodes.target, nodes.raw, nodes.bullet_list,
    nodes.enumerated_list, nodes.list_item, nodes.container, nodes.rubric, nodes.field_list, nodes.field,
    nodes.field_name, nodes.field_body, nodes.table, nodes.tgroup, nodes.colspec, nodes.thead, nodes.tbody,
    nodes.row, nodes.entry, nodes.title, nodes.admonition, evidence_html,
})

#: Where a block may be written out of context: its HTML is the same as when the writer reaches it.
_FLOW = (nodes.section, nodes.document)


def _inert(node: nodes.Node) -> bool:
    """True when nothing in ``node`` waits for a later stage and all of it is known."""
    stack = [node]
    while stack:
        one = stack.pop()
        kind = type(one)
        if kind not in _INERT:
            return False
        if kind is evidence_html or kind is nodes.Text:
            continue
        if kind is nodes.reference and "refuri" not in one and "refid" not in one:  # type: ignore[operator]
            return False
        if kind is nodes.target and any(k in one for k in ("refuri", "refid", "refname")):  # type: ignore[operator]
            return False
        if kind is nodes.raw and "html" not in one.get("format", "").split():  # type: ignore[attr-defined]
            return False
        if kind is nodes.title and not isinstance(one.parent, (nodes.table, nodes.admonition)):
            return False
        if kind is nodes.literal and "kbd" in one.get("classes", ()):  # type: ignore[attr-defined]
            return False
        stack.extend(one.children)  # type: ignore[attr-defined]
    return True


def _in_flow(node: nodes.Node) -> bool:
    """True for inline nodes, and for blocks whose every ancestor is a section or the document."""
    if isinstance(node, nodes.Inline):
        return True
    parent = node.parent
    while parent is not None:
        if not isinstance(parent, _FLOW):
            return False
        parent = parent.parent
    return True


def _words(node: nodes.Node, out: list[nodes.Node], text: list[str]) -> None:
    """What Sphinx's search indexer takes from ``node``: its text, raw HTML and titles, in order."""
    if isinstance(node, nodes.Text):
        text.append(str(node))
        return
    if isinstance(node, evidence_html):
        out.extend(child.deepcopy() for child in node.children)
        return
    if isinstance(node, nodes.comment) or "no-search" in node.get("classes", ()):  # type: ignore[attr-defined]
        return
    if isinstance(node, nodes.raw):
        out.append(node.deepcopy())
        return
    if isinstance(node, nodes.title):
        parts: list[nodes.Node] = []
        words: list[str] = []
        for child in node.children:
            _words(child, parts, words)
        if words:
            parts.insert(0, nodes.Text("\n".join(words)))
        caption = _search_title("", "", *parts)
        caption["text"] = node.astext()
        out.append(nodes.Element("", caption, ids=node.parent["ids"][:1]))  # type: ignore[index]
        return
    for child in node.children:  # type: ignore[attr-defined]
        _words(child, out, text)


def search_children(node: nodes.Node) -> list[nodes.Node]:
    """Stand-ins from which the search indexer reads the same words and captions as from ``node``."""
    out: list[nodes.Node] = []
    text: list[str] = []
    _words(node, out, text)
    if text:
        out.insert(0, nodes.Text("\n".join(text)))
    return out


def wanted(builder: Any, config: Any, parallel: int) -> bool:
    """True when this build writes rendered pieces as HTML at resolve time.

    Not in a parallel build: Sphinx resolves every page in the main process
    and writes in the workers, so writing early would make that work serial.
    """
    return (bool(getattr(config, "evidence_html_prerender", False)) and parallel <= 1
            and getattr(builder, "name", "") in BUILDERS)


def _translator(builder: Any, source: str) -> Any:
    """The builder's HTML translator, on a blank document with the writer's settings; None when not ready."""
    settings = getattr(builder, "docsettings", None)
    if settings is None:
        return None
    translator = builder.create_translator(new_document(source, settings), builder)
    return translator if hasattr(translator, f"visit_{evidence_html.__name__}") else None


#: What the HTML builder sets for each page before writing it, and its translator reads (table numbers).
_PAGE_STATE = {"current_docname": None, "fignumbers": "toc_fignumbers", "secnumbers": "toc_secnumbers"}


@contextmanager
def _writing(builder: Any, docname: str) -> Iterator[None]:
    """The builder as it is while ``docname`` is written; as it was afterwards."""
    missing = object()
    before = {name: getattr(builder, name, missing) for name in _PAGE_STATE}
    env = builder.env
    for name, numbers in _PAGE_STATE.items():
        setattr(builder, name, getattr(env, numbers).get(docname, {}) if numbers else docname)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is missing:
                delattr(builder, name)
            else:
                setattr(builder, name, value)


def prerender(tops: Iterable[nodes.Node], builder: Any, docname: str, source: str) -> None:
    """Replace every inert, in-flow piece of ``tops`` by an :class:`evidence_html` node holding its HTML.

    Deepest pieces first, so a citation inside a card is written once and
    the card around it takes its HTML as it is.
    """
    pieces = [(_depth(node), i, node) for i, node in enumerate(tops)]
    if not pieces:
        return
    translator = _translator(builder, source)
    if translator is None:
        return
    with _writing(builder, docname):
        for _depth_of, _i, node in sorted(pieces, key=lambda item: (-item[0], item[1])):
            if node.parent is None or not _in_flow(node) or not _inert(node):
                continue
            translator.body = []
            node.walkabout(translator)
            html = evidence_html("", *search_children(node), html="".join(translator.body), text=node.astext())
            node.replace_self(html)  # type: ignore[attr-defined]


def _depth(node: nodes.Node) -> int:
    depth = 0
    parent = node.parent
    while parent is not None:
        depth += 1
        parent = parent.parent
    return depth


def _visit(translator: Any, node: evidence_html) -> None:
    translator.body.append(node["html"])
    raise nodes.SkipNode


def _skip(_translator: Any, _node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> None:
    """Register the HTML node; every other format leaves it out (it is only made for HTML builders)."""
    skip = (_skip, None)
    app.add_node(evidence_html, html=(_visit, None), latex=skip, text=skip, man=skip, texinfo=skip)
