"""The rendered byline of ``article-info``: evidence badge, author, reviewers, dates, and the page's JSON-LD."""

from __future__ import annotations

import datetime as dt

from docutils import nodes

from sphinxext_evidence.article import cite_page, jsonld
from sphinxext_evidence.article.callouts import sphinx_design_loaded
from sphinxext_evidence.article.nodes import article_info
from sphinxext_evidence.citations.numbering import numbering
from sphinxext_evidence.render_utils import badge
from sphinxext_evidence.resolve import PageContext

# sphinx-design's badge shape only: its success colours give white on green at 3.1:1, below WCAG AA.
SD_BADGE_CLASSES = ["sd-badge"]
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def display_date(iso: str) -> str:
    """``2026-10-20`` → ``20 October 2026`` (``2026-10`` → ``October 2026``)."""
    parts = iso.split("-")
    try:
        if len(parts) == 3:
            day = dt.date.fromisoformat(iso)
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return iso


def reference_count_text(count: int) -> str:
    """``Evidence based · 12 references``."""
    return f"Evidence based \u00b7 {count} reference{'' if count == 1 else 's'}"


def evidence_badge(ctx: PageContext) -> nodes.Node | None:
    """The automatic badge counting the distinct works cited on the page, linked to the list."""
    page = numbering(ctx)
    count = len(page.numbers)
    if not count:
        return None
    label = badge(reference_count_text(count), "evidence-based")
    if sphinx_design_loaded(ctx):
        label["classes"] += SD_BADGE_CLASSES
    first = page.ordered()[0]
    link = nodes.reference("", "", label, refid=page.entry_id(first), internal=True,
                           classes=["evidence-badge-link"], reftitle="Go to the references")
    return link


def _people(node: article_info, role: str) -> list[nodes.Node]:
    """The parsed names for ``role`` (moved out of the placeholder), joined as ``A, B and C``."""
    names = [c for c in node.children if isinstance(c, nodes.Element) and f"evidence-person-{role}" in c["classes"]]
    out: list[nodes.Node] = []
    for i, para in enumerate(names):
        node.remove(para)
        if i:
            out.append(nodes.Text(" and " if i == len(names) - 1 else ", "))
        out.append(nodes.inline("", "", *para.children, classes=["evidence-person"]))
    return out


def render_article_info(node: article_info, ctx: PageContext) -> list[nodes.Node]:
    """The byline box; the page's JSON-LD is kept on it for the HTML page head."""
    box = nodes.container(classes=["evidence-article-info", *node.get("classes", [])])
    box.source, box.line = node.source, node.line
    badge_node = evidence_badge(ctx)
    if badge_node is not None:
        box += nodes.paragraph("", "", badge_node, classes=["evidence-article-badges"])
    parts: list[nodes.inline] = []
    authors = _people(node, "author")
    if authors:
        parts.append(nodes.inline("", "Written by ", *authors, classes=["evidence-byline-author"]))
    reviewers = _people(node, "reviewer")
    if reviewers:
        parts.append(nodes.inline("", "Medically reviewed by ", *reviewers, classes=["evidence-byline-reviewers"]))
    for attr, label, cls in (("last_reviewed", "Last reviewed", "reviewed"), ("last_updated", "Last updated", "updated")):
        if node.get(attr):
            text = f"{label} {display_date(node[attr])}"
            parts.append(nodes.inline(text, text, classes=[f"evidence-byline-{cls}"]))
    if parts:
        byline = nodes.paragraph(classes=["evidence-byline"])
        for i, part in enumerate(parts):
            if i:
                byline += nodes.inline(" | ", " | ", classes=["evidence-byline-sep"])
            byline += part
        box += byline
    if node.get("primary", True) and ctx.document is not None:
        # Kept on the doctree root so the page-context handler finds it without walking the tree.
        ctx.document[jsonld.ATTRIBUTE] = [*ctx.document.get(jsonld.ATTRIBUTE, []),
                                          jsonld.script_safe(page_jsonld(node, ctx))]
    box.extend(cite_page.attach(node, ctx))
    return [box]


def page_jsonld(node: article_info, ctx: PageContext) -> dict:
    """The page's ``MedicalWebPage`` data: byline, dates and one citation per cited work."""
    title = ctx.env.titles.get(ctx.docname)
    works = [(key, ctx.records.get(key)) for key in numbering(ctx).ordered()]
    citations = [jsonld.citation(key, article) for key, article in works if jsonld.is_support(article)]
    mentions = [jsonld.citation(key, article) for key, article in works if not jsonld.is_support(article)]
    return jsonld.medical_web_page(
        name=title.astext() if title is not None else "",
        authors=list(node.get("authors", [])),
        reviewers=list(node.get("reviewers", [])),
        last_reviewed=node.get("last_reviewed", ""),
        last_updated=node.get("last_updated", ""),
        citations=citations,
        mentions=mentions,
    )
