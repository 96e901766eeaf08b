"""The page's numbered reference list: the ``references`` directive, its entries and notices."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from sphinxext_evidence import log
from sphinxext_evidence.citations.nodes import citing, reference_list
from sphinxext_evidence.citations.numbering import numbering
from sphinxext_evidence.citations.styles import get_style
from sphinxext_evidence.directive import EvidenceDirective, option_spec
from sphinxext_evidence.identifiers import PMC_URL, PUBMED_URL, doi_url, key_label, key_parts
from sphinxext_evidence.records.model import Article
from sphinxext_evidence.records.notices import LEVELS
from sphinxext_evidence.render_utils import anchor, badge, join_text, link
from sphinxext_evidence.resolve import PageContext, excluded



class ReferencesDirective(EvidenceDirective):
    """Place the page's reference list here (one per page)."""

    has_content = False
    option_spec = option_spec()

    def run(self) -> list[nodes.Node]:
        """Leave a :class:`reference_list` placeholder."""
        self.check_options()
        return [self.place(reference_list(auto=False))]


class KeepReferenceList(SphinxPostTransform):
    """Before resolution: a page whose only reference list is in an ``only`` block this builder leaves out
    gets one at its end, with a warning, rather than citations that link nowhere."""

    default_priority = 4

    def run(self, **kwargs: Any) -> None:
        """Append an automatic list when every list of the page is left out but some citation is not."""
        lists = list(self.document.findall(reference_list))
        tags = self.env._tags
        if not lists or not all(excluded(node, tags) for node in lists):
            return
        if not any(not excluded(node, tags) for node in self.document.findall(citing)):  # type: ignore[arg-type,type-var]
            return
        log.warn(f"this 'references' directive is inside an 'only' block that the {self.env._builder_cls.name} builder "
                 "leaves out; the reference list is put at the end of the page instead (move the directive out of "
                 "the 'only' block)", "hidden-references", lists[0])
        node = reference_list(auto=True, docname=lists[0].get("docname", self.env.docname))
        node.source = self.document.get("source")
        self.document += node


class EnsureReferenceList(SphinxTransform):
    """At read time: give every citing page exactly one reference list."""

    default_priority = 880

    def apply(self, **kwargs: Any) -> None:
        """Append a list to pages without one; warn about and drop extra lists."""
        lists = list(self.document.findall(reference_list))
        for extra in lists[1:]:
            log.warn("a page has only one reference list; this 'references' directive is ignored "
                     f"(first one at line {lists[0].line})", "duplicate-references", extra)
            extra.parent.remove(extra)
        if not lists and any(True for _ in self.document.findall(citing)):  # type: ignore[arg-type,type-var]
            node = reference_list(auto=True, docname=self.env.docname)
            node.source = self.document["source"]
            self.document += node


def identifier_links(article: Article, shown: str = "") -> list[nodes.Node]:
    """``PMID 123`` · ``doi:…`` · ``PMC…`` links, separated by middle dots; none that ``shown`` already holds."""
    parts: list[nodes.Node] = []
    shown = shown.lower()
    if article.pmid:
        parts.append(link(f"PMID {article.pmid}", PUBMED_URL.format(article.pmid), ["evidence-pmid"]))
    if article.doi and article.doi.lower() not in shown:
        parts.append(link(f"doi:{article.doi}", doi_url(article.doi), ["evidence-doi"]))
    if article.pmcid:
        parts.append(link(article.pmcid, PMC_URL.format(article.pmcid), ["evidence-pmc"]))
    if not (article.pmid or article.doi) and article.url and article.url.lower() not in shown:
        parts.append(link(article.url, article.url))
    out: list[nodes.Node] = []
    for i, part in enumerate(parts):
        if i:
            out.append(nodes.Text(" · "))
        out.append(part)
    return out


NOTICE_CLASSES = {"retraction": "retracted", "concern": "concern", "replaced": "replaced", "correction": "note",
                  "about": "note"}


def notice_nodes(article: Article, reasons: list[str] | None = None) -> nodes.bullet_list | None:
    """Every correction notice, in its own words and linked, most serious first; then why a flagged work is cited."""
    items = nodes.bullet_list(classes=["evidence-notices"])
    notices = sorted(article.notices, key=lambda n: LEVELS.index(n.info.level) if n.info.level in LEVELS else 9)
    for notice in notices:
        kind = NOTICE_CLASSES.get(notice.info.level, "note")
        para = nodes.paragraph()
        para += badge(notice.label, kind)
        para += nodes.Text(": ")
        if notice.source:
            para += nodes.Text(notice.source)
        links = []
        if notice.pmid:
            links.append(link(f"PMID {notice.pmid}", PUBMED_URL.format(notice.pmid)))
        if notice.doi and f"doi:{notice.doi}" not in notice.source:
            links.append(link(f"doi:{notice.doi}", doi_url(notice.doi)))
        elif notice.doi:
            links.append(link("notice", doi_url(notice.doi)))
        for one in links:
            para += nodes.Text(" ")
            para += one
        if notice.note:
            para += nodes.Text(f" — {notice.note}")
        if notice.origin:
            para += nodes.Text(f" (reported by {notice.origin})")
        items += nodes.list_item("", para, classes=[f"evidence-notice-{kind}"])
    if article.retracted and not any(n.info.level == "retraction" for n in article.notices):
        para = nodes.paragraph()
        para += badge("Retracted", "retracted")
        para += nodes.Text(": PubMed lists this as a retracted publication.")
        items += nodes.list_item("", para, classes=["evidence-notice-retracted"])
    for reason in reasons or ():
        para = nodes.paragraph()
        para += badge("Cited on purpose", "acknowledged")
        para += nodes.Text(f": {reason}")
        items += nodes.list_item("", para, classes=["evidence-notice-acknowledged"])
    return items if len(items) else None


def _backlinks(anchors: list[str], ctx: PageContext) -> nodes.inline:
    back = nodes.inline("", "", classes=["evidence-backlinks"])
    for i, target in enumerate(anchors):
        number = "" if len(anchors) == 1 else str(i + 1)
        if i:
            back += nodes.Text(" ")
        if ctx.builder_format == "latex":
            # pdflatex has no glyph for U+21A9; the arrow is drawn as math instead.
            arrow: list[nodes.Node] = [nodes.raw("", r"\(\hookleftarrow\)", format="latex"), nodes.Text(number)]
        else:
            arrow = [nodes.Text(f"↩{number}")]
        back += nodes.reference(f"↩{number}", "", *arrow, refid=target, internal=True,
                                reftitle="Back to where this is cited")
    return back


def max_authors(config: Any) -> int | None:
    """How many authors an entry names: :confval:`evidence_max_authors`, or None for the style's own rule."""
    value = getattr(config, "evidence_max_authors", None) if config is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def styled_reference(article: Article, ctx: PageContext, limit: int | None, suffix: str = "") -> list[nodes.Node]:
    """The style's entry for ``article``, then the identifiers it does not already show."""
    entry = get_style(ctx.config).entry(article, limit, suffix)
    links = identifier_links(article, "".join(n.astext() for n in entry))
    if links:
        entry.append(nodes.Text(" · " if entry and isinstance(entry[-1], nodes.reference) else " "))
    return entry + links


def flag_badge(article: Article, ctx: PageContext) -> list[nodes.Node]:
    """The badge of a flagged work and what separates it from the text after it ([] when not flagged).

    Outside HTML a badge has no box around it, so a colon keeps it off the author list.
    """
    if not article.mark:
        return []
    level = article.flags()[0].level
    return [badge(article.mark.capitalize(), NOTICE_CLASSES[level]),
            nodes.Text(" " if ctx.builder_format == "html" else ": ")]


def entry_nodes(key: str, ctx: PageContext) -> nodes.list_item:
    """One reference-list entry, with its identifiers, notices and back-links."""
    page = numbering(ctx)
    article = ctx.records.get(key)
    item = nodes.list_item(classes=["evidence-entry"])
    para = nodes.paragraph()
    item += para
    anchor(item if ctx.builder_format != "latex" else para, [page.entry_id(key)], ctx.builder_format)
    if article is None:
        kind, ident = key_parts(key)
        para += nodes.Text(f"{key_label(key)} — metadata not available. ")
        if kind == "pmid":
            para += link(f"PMID {ident}", PUBMED_URL.format(ident), ["evidence-pmid"])
        item["classes"].append("evidence-missing")
    else:
        if article.mark:
            level = article.flags()[0].level
            item["classes"].append("evidence-retracted" if level == "retraction" else "evidence-flagged")
        para.extend(flag_badge(article, ctx))
        para.extend(styled_reference(article, ctx, max_authors(ctx.config), page.suffix(key, get_style(ctx.config))))
        notes = notice_nodes(article, page.acknowledged.get(key))
        if notes:
            item += notes
    backs = page.backlinks.get(key, [])
    if backs:
        para += nodes.Text(" ")
        para += _backlinks(backs, ctx)
    join_text(para)
    return item


def render_reference_list(node: reference_list, ctx: PageContext) -> list[nodes.Node]:
    """The list of every work cited on the page: numbered in order of first citation, or (author–date) alphabetical."""
    page = numbering(ctx)
    if not page.numbers:
        return []
    out: list[nodes.Node] = []
    if node.get("auto"):
        title = ctx.config.evidence_references_title if ctx.config else "References"
        out.append(nodes.rubric(title, title, classes=["evidence-references-title"]))
    style = get_style(ctx.config)
    if style.numbered:
        entries: nodes.Element = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".",
                                                       classes=["evidence-references"])
    else:
        entries = nodes.bullet_list(classes=["evidence-references", "evidence-references-author-date"])
    for key in page.ordered(style):
        entries += entry_nodes(key, ctx)
    out.append(entries)
    return out
