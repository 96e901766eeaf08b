"""Study cards for the ``pmid`` directive."""

from __future__ import annotations

import re

from docutils import nodes

from sphinxext_evidence.nodes import study_card
from sphinxext_evidence.render.common import (
    badge,
    citation_nodes,
    identifier_links,
    title_nodes,
)
from sphinxext_evidence.render.references import cite_nodes, notice_nodes
from sphinxext_evidence.resolve import PageContext, key_label

# PubMed publication types that are noise on a card (every article is a "Journal Article").
HIDDEN_TYPES = {"Journal Article", "English Abstract"}
FIELD_LABELS = {"design": "Design", "participants": "Participants", "finding": "Finding"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def publication_type_badges(types: tuple[str, ...], separator: str = " ") -> list[nodes.Node]:
    """Badges for the informative PubMed publication types, in PubMed's order."""
    shown = [t for t in types if t not in HIDDEN_TYPES and not t.startswith("Research Support")]
    out: list[nodes.Node] = []
    for i, kind in enumerate(shown):
        if i:
            out.append(nodes.Text(separator))
        out.append(badge(kind, "retracted" if kind == "Retracted Publication" else _slug(kind)))
    return out


def render_study_card(node: study_card, ctx: PageContext) -> list[nodes.Node]:
    """A card: number and title, full reference, type badges, author's facts and notes, notices."""
    key = node["keys"][0]
    number = cite_nodes([key], ctx, node)
    article = ctx.store.article(ctx.store.canonical(key))
    card = nodes.container(classes=["evidence-card"])
    card["ids"] = number["ids"]
    number["ids"] = []
    heading = nodes.paragraph(classes=["evidence-card-title"])
    heading += number
    heading += nodes.Text(" ")
    if article is None:
        heading += nodes.strong(key_label(key), key_label(key))
        card += heading
        card += nodes.paragraph("", "Metadata not available for this paper yet.", classes=["evidence-missing"])
    else:
        heading += nodes.strong("", "", *title_nodes(article.title))
        if article.retracted:
            heading += nodes.Text(" ")
            heading += badge("Retracted", "retracted")
        card += heading
        reference = nodes.paragraph(classes=["evidence-card-reference"])
        reference.extend(citation_nodes(article, 0))
        reference.extend(identifier_links(article))
        card += reference
        # Outside HTML a badge has no box, so the types need a visible separator.
        separator = " " if ctx.builder_format == "html" else " · "
        types = publication_type_badges(article.publication_types, separator)
        if types:
            card += nodes.paragraph("", "", *types, classes=["evidence-card-types"])
        notices = notice_nodes(article)
        if notices is not None:
            card += notices
    fields = nodes.field_list(classes=["evidence-card-fields"])
    for child in list(node.children):
        name = next((c[len("evidence-field-"):] for c in child.get("classes", []) if c.startswith("evidence-field-")), None)
        if name:
            node.remove(child)
            body = nodes.paragraph("", "", *child.children)
            fields += nodes.field("", nodes.field_name("", FIELD_LABELS.get(name, name)), nodes.field_body("", body))
    if len(fields):
        card += fields
    for child in list(node.children):
        node.remove(child)
        if len(child):
            card += child
    return [card]
