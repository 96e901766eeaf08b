"""Inline citation numbers and the page's numbered reference list."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.keys import key_parts
from sphinxext_evidence.model import Article, plain_title
from sphinxext_evidence.nodes import pending_cite, reference_list
from sphinxext_evidence.render.common import (
    PUBMED_URL,
    author_list,
    badge,
    citation_nodes,
    identifier_links,
    link,
)
from sphinxext_evidence.resolve import PageContext, key_label


def short_reference(article: Article | None, key: str) -> str:
    """The tooltip text: ``Ziganshina LE, et al. (2023). Cerebrolysin for …``."""
    if article is None:
        return f"{key_label(key)} (no metadata)"
    first = author_list(article.authors, 1)
    year = f" ({article.year})" if article.year else ""
    retracted = "RETRACTED: " if article.retracted else ""
    return f"{retracted}{first}{year}. {plain_title(article.title)}".strip()


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def cite_nodes(keys: list[str], ctx: PageContext, location: nodes.Node) -> nodes.inline:
    """``[1, 3–5]``: each number links to its entry and carries the short reference as a tooltip."""
    by_number: dict[int, str] = {}
    for key in keys:
        ctx.check(key, location)
        by_number.setdefault(ctx.number(key), key)
    out = nodes.inline("", "", classes=["evidence-cite"])
    anchors = [ctx.new_anchor(by_number[n]) for n in sorted(by_number)]
    out["ids"] = anchors
    out += nodes.Text("[")
    groups: list[list[int]] = []
    for lo, hi in _runs(list(by_number)):
        groups.extend([[lo, hi]] if hi - lo >= 2 else [[n] for n in range(lo, hi + 1)])
    for i, group in enumerate(groups):
        if i:
            out += nodes.Text(", ")
        for j, n in enumerate(group):
            if j:
                out += nodes.Text("–")
            key = by_number[n]
            memo = ("tooltip", key)
            if memo not in ctx.store.memo:
                ctx.store.memo[memo] = short_reference(ctx.store.article(ctx.store.canonical(key)), key)
            out += nodes.reference(str(n), str(n), refid=ctx.entry_id(key), internal=True,
                                   reftitle=ctx.store.memo[memo])
    out += nodes.Text("]")
    return out


def render_cite(node: pending_cite, ctx: PageContext) -> list[nodes.Node]:
    """Replace a :class:`pending_cite` with its numbers."""
    return [cite_nodes(node["keys"], ctx, node)]


def entry_nodes(key: str, ctx: PageContext) -> nodes.list_item:
    """One reference-list entry, with its identifiers, notices and back-links."""
    article = ctx.store.article(key)
    item = nodes.list_item(ids=[ctx.entry_id(key)], classes=["evidence-entry"])
    para = nodes.paragraph()
    item += para
    limit = int(ctx.config.evidence_max_authors) if ctx.config else 3
    if article is None:
        kind, ident = key_parts(key)
        para += nodes.Text(f"{key_label(key)} — metadata not available. ")
        if kind == "pmid":
            para += link(f"PMID {ident}", PUBMED_URL.format(ident), ["evidence-pmid"])
        item["classes"].append("evidence-missing")
    else:
        if article.retracted:
            item["classes"].append("evidence-retracted")
            para += badge("Retracted", "retracted")
            para += nodes.Text(" ")
        para.extend(citation_nodes(article, limit))
        para.extend(identifier_links(article))
        notes = notice_nodes(article)
        if notes:
            item += notes
    backs = ctx.backlinks.get(key, [])
    if backs:
        para += nodes.Text(" ")
        back = nodes.inline("", "", classes=["evidence-backlinks"])
        arrow = "^" if ctx.builder_format == "latex" else "↩"  # pdflatex has no glyph for U+21A9
        for i, anchor in enumerate(backs):
            label = arrow if len(backs) == 1 else f"{arrow}{i + 1}"
            if i:
                back += nodes.Text(" ")
            back += nodes.reference(label, label, refid=anchor, internal=True,
                                    reftitle="Back to where this is cited")
        para += back
    return item


def notice_nodes(article: Article) -> nodes.bullet_list | None:
    """Retraction, erratum and expression-of-concern notices from PubMed, as a list."""
    if not article.notices and not article.retracted:
        return None
    items = nodes.bullet_list(classes=["evidence-notices"])
    for notice in article.notices:
        if notice.kind not in ("RetractionIn", "ErratumIn", "ExpressionOfConcernIn", "UpdateIn", "RetractionOf"):
            continue
        kind = {"RetractionIn": "retracted", "ExpressionOfConcernIn": "concern"}.get(notice.kind, "note")
        para = nodes.paragraph()
        para += badge(notice.label, kind)
        para += nodes.Text(": ")
        para += nodes.Text(notice.source or "")
        if notice.pmid:
            para += nodes.Text(" ")
            para += link(f"PMID {notice.pmid}", PUBMED_URL.format(notice.pmid))
        items += nodes.list_item("", para, classes=[f"evidence-notice-{kind}"])
    if article.retracted and not article.notices_of("RetractionIn"):
        para = nodes.paragraph()
        para += badge("Retracted", "retracted")
        para += nodes.Text(": PubMed lists this as a retracted publication.")
        items += nodes.list_item("", para, classes=["evidence-notice-retracted"])
    return items if len(items) else None


def render_reference_list(node: reference_list, ctx: PageContext) -> list[nodes.Node]:
    """The numbered list of every work cited on the page, in order of first citation."""
    if not ctx.numbers:
        return []
    out: list[nodes.Node] = []
    if node.get("auto"):
        title = ctx.config.evidence_references_title if ctx.config else "References"
        out.append(nodes.rubric(title, title, classes=["evidence-references-title"]))
    enum = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".", classes=["evidence-references"])
    for key in sorted(ctx.numbers, key=ctx.numbers.__getitem__):
        enum += entry_nodes(key, ctx)
    out.append(enum)
    return out
