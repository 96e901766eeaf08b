"""Inline nodes written out as HTML text, exactly as Sphinx's HTML5 translator writes them.

A page repeats some pieces many times (a reference entry is a dozen inline
nodes), and every node costs the post-transforms, the HTML writer and the
search indexer a visit. On an HTML builder whose translator writes these
nodes as Sphinx's own does, such a piece becomes one ``evidence_html`` node:
its HTML for the writer, its plain text as its only child for the search
index and ``astext()`` (with a space where two texts would otherwise run one
word into the next, since the index reads each text apart; raw HTML joins
only when it holds no words, such as the GRADE symbols). Anything this module
does not know how to write (another node class, an attribute the translator
would treat specially, a translator or an extension's handler that changes
how these nodes are written) leaves the nodes as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator

#: Inline node classes and their HTML tags (docutils' HTML writer).
TAGS: dict[type[nodes.Element], str] = {nodes.inline: "span", nodes.strong: "strong", nodes.emphasis: "em",
                                        nodes.superscript: "sup", nodes.subscript: "sub"}

#: Attributes that never change what the translator writes for these nodes.
PLAIN_ATTRIBUTES = frozenset({"ids", "classes", "names", "dupnames", "backrefs"})
REFERENCE_ATTRIBUTES = PLAIN_ATTRIBUTES | {"refuri", "refid", "internal", "reftitle", "name"}
RAW_ATTRIBUTES = PLAIN_ATTRIBUTES | {"format", "xml:space"}

#: Translator methods and attributes that decide how the nodes above are written; a subclass that overrides one
#: is not ours to copy.
_METHODS = ("starttag", "encode", "attval", "dispatch_visit", "dispatch_departure", "visit_Text", "depart_Text",
            "visit_reference", "depart_reference", "visit_inline", "depart_inline", "visit_strong", "depart_strong",
            "visit_emphasis", "depart_emphasis", "visit_superscript", "depart_superscript", "visit_subscript",
            "depart_subscript", "visit_target", "depart_target", "visit_raw", "special_characters",
            "supported_inline_tags")
#: The node classes written here, by the names extensions register their own handlers under (``app.add_node``).
_NODE_NAMES = frozenset({"Text", "reference", "inline", "strong", "emphasis", "superscript", "subscript", "target",
                         "raw"})

_SPECIAL = HTML5Translator.special_characters
_WHITESPACE = re.compile("[\n\r\t\v\f]")
_WORD = re.compile(r"\w")
_TAG = re.compile(r"<[^<]+?>")
_INLINE_TAGS = frozenset(getattr(HTML5Translator, "supported_inline_tags", ()))


class evidence_html(nodes.Inline, nodes.TextElement):
    """Inline content already written as HTML (``html``); its text is its child."""


def writes_like_sphinx(app: Any) -> bool:
    """True when the builder is an HTML one whose translator writes inline nodes as Sphinx's HTML5 translator does."""
    builder = getattr(app, "builder", None)
    if builder is None or builder.format != "html":
        return False
    translator = builder.get_translator_class()
    if translator is None or not issubclass(translator, HTML5Translator):
        return False
    handlers = app.registry.translation_handlers
    if _NODE_NAMES.intersection(handlers.get(builder.name, handlers.get(builder.format, {}))):
        return False
    return all(getattr(translator, name, None) is getattr(HTML5Translator, name, None) for name in _METHODS)


def _encode(text: str) -> str:
    return text.translate(_SPECIAL)


def _start(node: nodes.Element, tag: str, atts: dict[str, str]) -> str | None:
    """The start tag the translator's ``starttag`` writes (None where it would add more than one tag)."""
    classes: list[str] = []
    for cls in [*node["classes"], *atts.pop("class", "").split()]:
        if cls.startswith("language-"):
            return None
        if cls.strip() and cls not in classes:
            classes.append(cls)
    if classes:
        atts["class"] = " ".join(classes)
    ids = node["ids"]
    if len(ids) > 1:
        return None
    if ids:
        atts["id"] = ids[0]
    parts = [tag]
    for name in sorted(atts):
        value = atts[name]
        if not value.isprintable():  # a cheap test that rules out the whitespace the translator turns into spaces
            value = _WHITESPACE.sub(" ", value)
        parts.append(f'{name}="{_encode(value)}"')
    return f"<{' '.join(parts)}>"


def _reference(node: nodes.reference) -> str | None:
    if not node.attributes.keys() <= REFERENCE_ATTRIBUTES or not isinstance(node.parent, nodes.TextElement):
        return None
    atts = {"class": "reference internal" if node.get("internal") or "refuri" not in node else "reference external"}
    if "refuri" in node:
        atts["href"] = node["refuri"] or "#"
        if atts["href"].startswith("mailto:"):
            return None
    elif "refid" in node:
        atts["href"] = "#" + node["refid"]
    else:
        return None
    if "reftitle" in node:
        atts["title"] = node["reftitle"]
    return _start(node, "a", atts)


def _raw(node: nodes.raw) -> str | None:
    """Raw HTML inside a paragraph, as the translator writes it; None when its text holds words to be searched."""
    if node.get("format", "").split() != ["html"] or not node.attributes.keys() <= RAW_ATTRIBUTES:
        return None
    source = node.astext()
    if _WORD.search(_TAG.sub("", source)):
        return None  # the search index reads words out of raw HTML in a way of its own; leave it to do so
    if not node["classes"]:
        return source
    start = _start(node, "span", {})
    return None if start is None else f"{start}{source}</span>"


def _write(children: Iterable[nodes.Node], out: list[str], texts: list[str]) -> bool:
    for node in children:
        if isinstance(node, nodes.Text):
            text = node.astext()
            out.append(_encode(text))
            texts.append(text)
            continue
        if not isinstance(node, nodes.Element):
            return False
        kind = type(node)
        if kind is nodes.raw:
            html = _raw(node)  # type: ignore[arg-type]
            if html is None:
                return False
            out.append(html)
            texts.append("")
            continue
        if kind is nodes.reference:
            start, end = _reference(node), "</a>"  # type: ignore[arg-type]
        elif kind in TAGS and node.attributes.keys() <= PLAIN_ATTRIBUTES:
            if _INLINE_TAGS.intersection(node["classes"]):
                return False
            start, end = _start(node, TAGS[kind], {}), f"</{TAGS[kind]}>"
        elif kind is nodes.target and node.attributes.keys() <= PLAIN_ATTRIBUTES:  # an anchor, not a link
            start, end = _start(node, "span", {"class": "target"}), "</span>"
        else:
            return False
        if start is None:
            return False
        out.append(start)
        if not _write(node.children, out, texts):
            return False
        out.append(end)
    return True


def _search_text(texts: list[str]) -> str:
    """The texts joined; a space where two would run one word into the next (the index reads them apart)."""
    joined: list[str] = []
    for text in texts:
        if joined and text and _WORD.match(text[0]) and _WORD.match(joined[-1][-1]):
            joined.append(" ")
        if text:
            joined.append(text)
    return "".join(joined)


def as_node(children: Iterable[nodes.Node]) -> evidence_html | None:
    """``children`` as one ``evidence_html`` node, written as Sphinx's HTML5 translator would (None: not known here)."""
    out: list[str] = []
    texts: list[str] = []
    if not _write(children, out, texts):
        return None
    text = _search_text(texts)
    return evidence_html(text, text, html="".join(out))


def as_html(para: nodes.TextElement) -> None:
    """Replace the children of ``para`` by one ``evidence_html`` node, when each of them can be written here."""
    if len(para.children) < 2:
        return
    node = as_node(para.children)
    if node is not None:
        del para[:]
        para += node


def compact(rendered: nodes.Node) -> nodes.Node:
    """``rendered`` with every paragraph in it written as HTML text where it can be; an inline node becomes one."""
    if isinstance(rendered, nodes.Inline) and isinstance(rendered, nodes.Element):
        return as_node([rendered]) or rendered
    if isinstance(rendered, nodes.Element):
        for para in list(rendered.findall(nodes.paragraph)):
            as_html(para)
    return rendered


def _visit_html(translator: Any, node: evidence_html) -> None:
    translator.body.append(node["html"])
    raise nodes.SkipNode


def _pass(_translator: Any, _node: nodes.Node) -> None:
    """Other writers never meet the node (it is made for HTML builders only); if one does, it writes the text."""


def setup(app: Sphinx) -> None:
    """Register ``evidence_html`` with its writers."""
    app.add_node(evidence_html, html=(_visit_html, None),
                 **{fmt: (_pass, _pass) for fmt in ("latex", "text", "man", "texinfo")})  # type: ignore[arg-type]
