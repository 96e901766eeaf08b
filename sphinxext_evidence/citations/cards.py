"""Study cards: the ``pmid`` directive and its renderer."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.citations.corrections import note_acknowledged
from sphinxext_evidence.citations.nodes import study_card
from sphinxext_evidence.citations.numbering import cite_nodes, numbering
from sphinxext_evidence.citations.references import NOTICE_CLASSES, max_authors, notice_nodes, styled_reference
from sphinxext_evidence.citations.styles import get_style
from sphinxext_evidence.directive import EvidenceDirective, option_spec
from sphinxext_evidence.domain import get_domain
from sphinxext_evidence.identifiers import key_label, parse_pmid, pmid_key
from sphinxext_evidence.render_utils import badge, move_body, title_nodes
from sphinxext_evidence.resolve import PageContext
from sphinxext_evidence.text import slug

CARD_FIELDS = ("design", "participants", "finding")
CARD_OPTIONS = (*CARD_FIELDS, "acknowledge")

# PubMed publication types that are noise on a card (every article is a "Journal Article").
HIDDEN_TYPES = {"Journal Article", "English Abstract"}
FIELD_LABELS = {"design": "Design", "participants": "Participants", "finding": "Finding"}


class PmidDirective(EvidenceDirective):
    """``.. pmid:: 22282884`` with optional ``:design:``, ``:participants:``, ``:finding:`` and body."""

    optional_arguments = 1  # a missing PMID is warned about (see EvidenceDirective.argument)
    final_argument_whitespace = True  # "PMID: 22282884" is one argument
    has_content = True
    option_spec = option_spec(*CARD_OPTIONS)

    def run(self) -> list[nodes.Node]:
        """Validate the PMID and leave a :class:`study_card` placeholder holding the body."""
        self.check_options()
        written = self.argument("22282884")
        if written is None:
            return []
        pmid = parse_pmid(written)
        if pmid is None:
            self.warn(f"pmid: invalid PMID {written!r} (1 to 9 digits, as in '.. pmid:: 22282884'); "
                      "no study card is shown", "invalid-pmid")
            return []
        key = pmid_key(pmid)
        fields = {}
        for name in CARD_FIELDS:
            value = (self.options.get(name) or "").strip()
            if name in self.options and not value:
                self.warn(f"pmid: option :{name}: is empty; give it a value or leave it out", "empty")
            elif value:
                fields[name] = value
        acknowledged = " ".join((self.options.get("acknowledge") or "").split())
        if "acknowledge" in self.options and not acknowledged:
            self.warn("pmid: option :acknowledge: is empty; say why the work is cited", "empty")
        node = self.place(study_card(keys=[key], fields=fields, acknowledged=acknowledged))
        # Option values are inline reStructuredText (they may cite, too).
        for name, value in fields.items():
            para = nodes.paragraph(classes=[f"evidence-field-{name}"])
            para += self.parse_inline(value, lineno=self.lineno)[0]
            node += para
        body = nodes.container(classes=["evidence-card-body"])
        self.state.nested_parse(self.content, self.content_offset, body)
        node += body
        get_domain(self.env).note_citations(self.env.docname, [key])
        note_acknowledged(self.env, [key], acknowledged or "")
        return [node]


def publication_type_badges(types: tuple[str, ...], separator: str = " ") -> list[nodes.Node]:
    """Badges for the informative PubMed publication types, in PubMed's order."""
    shown = [t for t in types if t not in HIDDEN_TYPES and not t.startswith("Research Support")]
    out: list[nodes.Node] = []
    for i, kind in enumerate(shown):
        if i:
            out.append(nodes.Text(separator))
        out.append(badge(kind, "retracted" if kind == "Retracted Publication" else slug(kind)))
    return out


def without_title(entry: list[nodes.Node], title: str) -> list[nodes.Node] | None:
    """A style's entry with the title and the punctuation after it taken out; None if the title is not in it."""
    words = [n.astext() for n in title_nodes(title)]
    texts = [n.astext() for n in entry]
    for start in range(len(entry) - len(words) + 1):
        if words and texts[start:start + len(words)] == words:
            rest = entry[:start] + entry[start + len(words):]
            if start < len(rest) and isinstance(rest[start], nodes.Text) and not rest[start].astext().strip(" .?!"):
                del rest[start]
            # One space where the title was: "Authors. " and " Journal." meet.
            if 0 < start < len(rest) and isinstance(rest[start], nodes.Text) and rest[start - 1].astext().endswith(" "):
                rest[start] = nodes.Text(rest[start].astext().lstrip())
            return rest
    return None


def all_authors(names: str, count: int) -> nodes.container:
    """Every author's name, behind a "Show all" summary (HTML only: other formats name them all in the entry)."""
    box = nodes.container(classes=["evidence-card-authors"])
    box += nodes.raw("", f"<details><summary>Show all {count} authors</summary>", format="html")
    box += nodes.paragraph(names, names)
    box += nodes.raw("", "</details>", format="html")
    return box


def render_study_card(node: study_card, ctx: PageContext) -> list[nodes.Node]:
    """A card: number and title, full reference, type badges, author's facts and notes, notices."""
    key = node["keys"][0]
    number = cite_nodes([key], ctx, node, node.get("acknowledged", ""))
    article = ctx.records.get(key)
    card = nodes.container(classes=["evidence-card"])
    if ctx.builder_format != "latex":  # in LaTeX the anchors are targets inside the number
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
        # The title is the heading; the reference under it is the style's entry without it, said once.
        style = get_style(ctx.config)
        limit = style.limit(max_authors(ctx.config))
        # HTML names as many authors as the style does and opens the rest on request; other formats name all.
        folded = ctx.builder_format == "html" and 0 < limit < len(article.authors)
        entry = styled_reference(article, ctx, limit if folded else 0, numbering(ctx).suffix(key, style))
        rest = without_title(entry, article.title)
        if rest is None:
            heading.extend(entry)
        else:
            heading += nodes.strong("", "", *title_nodes(article.title))
        if article.mark:
            heading += nodes.Text(" ")
            heading += badge(article.mark.capitalize(), NOTICE_CLASSES[article.flags()[0].level])
        card += heading
        reference = nodes.paragraph(classes=["evidence-card-reference"])
        reference.extend(rest or [])
        card += reference
        if folded:
            card += all_authors(style.names(article, 0), len(article.authors))
        # Outside HTML a badge has no box, so the types need a visible separator.
        separator = " " if ctx.builder_format == "html" else " · "
        types = publication_type_badges(article.publication_types, separator)
        if types:
            card += nodes.paragraph("", "", *types, classes=["evidence-card-types"])
        notices = notice_nodes(article, [node["acknowledged"]] if node.get("acknowledged") else None)
        if notices is not None:
            card += notices
    fields = nodes.field_list(classes=["evidence-card-fields"])
    for child in list(node.children):
        name = next((c[len("evidence-field-"):] for c in (child["classes"] if isinstance(child, nodes.Element) else ())
                     if c.startswith("evidence-field-")), None)
        if name:
            node.remove(child)
            body = nodes.paragraph("", "", *child.children)
            fields += nodes.field("", nodes.field_name("", FIELD_LABELS.get(name, name)), nodes.field_body("", body))
    if len(fields):
        card += fields
    move_body(node, card)
    return [card]
