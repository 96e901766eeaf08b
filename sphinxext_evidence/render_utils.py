"""Small node builders shared by every feature's renderer."""

from __future__ import annotations

import re
from typing import cast

from docutils import nodes

from sphinxext_evidence.records.model import title_tokens

_TAG_NODES: dict[str, type[nodes.TextElement]] = {
    "i": nodes.emphasis,
    "b": nodes.strong,
    "sup": nodes.superscript,
    "sub": nodes.subscript,
    "u": nodes.emphasis,
}


def title_nodes(title: str) -> list[nodes.Node]:
    """A stored title as text, emphasis, strong, superscript and subscript nodes."""
    out: list[nodes.Node] = []
    for tag, text in title_tokens(title):
        out.append(_TAG_NODES[tag](text, text) if tag else nodes.Text(text))
    return out


_HTTP_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+$", re.IGNORECASE)


def join_text(element: nodes.Element) -> None:
    """Merge runs of adjacent text children of ``element`` into one (fewer nodes for every later stage)."""
    children: list[nodes.Node] = []
    for child in element.children:
        if isinstance(child, nodes.Text) and children and isinstance(children[-1], nodes.Text):
            children[-1] = nodes.Text(children[-1] + child)
        else:
            children.append(child)
    if len(children) < len(element.children):
        element.children = []
        element.extend(children)


def link(text: str, url: str, classes: list[str] | None = None) -> nodes.Element:
    """An external link; a URL that is not plain http(s) becomes text (records are untrusted input)."""
    if not _HTTP_URL.match(url):
        return nodes.inline(text, text, classes=classes or [])
    return nodes.reference(text, text, refuri=url, classes=classes or [], internal=False)


def badge(text: str, kind: str) -> nodes.inline:
    """A small labelled badge; the word carries the meaning, the class only the colour."""
    return nodes.inline(text, text, classes=["evidence-badge", f"evidence-badge-{kind}"])


def paragraph(*children: nodes.Node | str, classes: list[str] | None = None) -> nodes.paragraph:
    """A paragraph of ``children`` (strings become text)."""
    para = nodes.paragraph(classes=classes or [])
    para.extend(nodes.Text(c) if isinstance(c, str) else c for c in children)
    return para


def entry(*children: nodes.Node, classes: list[str] | None = None) -> nodes.entry:
    """A table cell holding ``children``."""
    cell = nodes.entry(classes=classes or [])
    cell.extend(children)
    return cell


def table(classes: list[str], widths: tuple[int, ...], header: tuple[str, ...]) -> tuple[nodes.table, nodes.tbody]:
    """A table with column widths and a one-row header; returns the table and its (empty) body."""
    tbl = nodes.table(classes=classes)
    tgroup = nodes.tgroup(cols=len(widths))
    tbl += tgroup
    for width in widths:
        tgroup += nodes.colspec(colwidth=width)
    row = nodes.row()
    for name in header:
        row += entry(paragraph(name))
    tgroup += nodes.thead("", row)
    tbody = nodes.tbody()
    tgroup += tbody
    return tbl, tbody


def anchor(node: nodes.Element, ids: list[str], builder_format: str) -> None:
    """Give ``node`` the anchors ``ids``; in LaTeX as targets, the only nodes its writer labels."""
    if builder_format == "latex":
        for position, name in enumerate(ids):
            node.insert(position, nodes.target("", "", ids=[name]))
    else:
        node["ids"] = [*node.get("ids", []), *ids]


def label_cells(row: nodes.row, columns: tuple[str, ...]) -> None:
    """Give each cell after the first its column name (HTML), shown only when CSS stacks the table on a phone.

    The names repeat the header row, so the search index leaves them out.
    """
    for name, cell in zip(columns[1:], cast("list[nodes.Element]", row.children[1:])):
        # The paragraph is the cell's first child as a rule; only otherwise is the cell searched.
        para = cell[0] if len(cell) and isinstance(cell[0], nodes.paragraph) else next(
            iter(cell.findall(nodes.paragraph)), None)
        if para is not None:
            para.insert(0, nodes.inline(f"{name}: ", f"{name}: ", classes=["evidence-cell-label", "no-search"]))


def move_body(placeholder: nodes.Element, target: nodes.Element) -> None:
    """Move the author's body (containers left by the directive) into ``target``, dropping empty ones.

    Moved, never copied: placeholders nested in the body must stay unique.
    """
    for child in list(placeholder.children):
        placeholder.remove(child)
        if len(child):  # type: ignore[arg-type]
            target += child
