"""GRADE output: the grade card, the summary-of-findings table and the project-wide evidence index.

CSS classes (see ``static/evidence.css``): ``evidence-grade-card``, ``evidence-grade-head``,
``evidence-grade-outcome``, ``evidence-grade-comparison``, ``evidence-grade-statement``,
``evidence-grade-numbers``, ``evidence-grade-ratings``, ``evidence-grade-comment``,
``evidence-certainty`` (+ ``evidence-certainty-<level>``), ``evidence-grade-symbols``,
``evidence-certainty-label``, ``evidence-visually-hidden``; ``evidence-sof``,
``evidence-sof-info``, ``evidence-sof-scroll``, ``evidence-sof-table``,
``evidence-sof-footnotes``, ``evidence-sof-definitions``; ``evidence-index``,
``evidence-index-table`` (sortable by ``evidence-sort.js``), ``evidence-sort-<n>``.
"""

from __future__ import annotations

import string
from typing import Any

from docutils import nodes
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from sphinxext_evidence.directives.grade import GRADE_BUCKET
from sphinxext_evidence.grade import (
    EFFECTS,
    Certainty,
    Rating,
    effect_label,
    parse_certainty,
)
from sphinxext_evidence.nodes import certainty_table, grade_card, grade_index
from sphinxext_evidence.render.common import badge, label_cells
from sphinxext_evidence.render.references import cite_nodes
from sphinxext_evidence.resolve import PageContext, key_label

logger = logging.getLogger(__name__)

DASH = "\u2014"
SOF_COLUMNS = ("Outcomes", "Anticipated absolute effects", "Relative effect (95% CI)",
               "\u2116 of participants (studies)", "Certainty", "Comments")
SOF_WIDTHS = (14, 14, 13, 12, 12, 25)
INDEX_COLUMNS = ("Intervention", "Comparison", "Outcome", "Certainty", "Effect", "Page")
INDEX_WIDTHS = (14, 12, 20, 12, 14, 18)


def certainty_nodes(level: Certainty, fmt: str, suffix: bool = True) -> nodes.inline:
    """``⊕⊕⊕◯ Moderate``: symbols hidden from screen readers in HTML, drawn as math in LaTeX."""
    out = nodes.inline(classes=["evidence-certainty", f"evidence-certainty-{level.slug}"])
    if fmt == "html":
        # Fixed markup (no author or service text): the symbols are decoration for screen readers.
        out += nodes.raw("", f'<span class="evidence-grade-symbols" aria-hidden="true">{level.symbols}</span>',
                         format="html")
    elif fmt == "latex":
        math = r"\oplus" * level.value + r"\bigcirc" * (4 - level.value)
        out += nodes.raw("", r"\(" + math + r"\)", format="latex")
    else:
        out += nodes.inline(level.symbols, level.symbols, classes=["evidence-grade-symbols"])
    out += nodes.Text(" ")
    out += nodes.inline(level.label, level.label, classes=["evidence-certainty-label"])
    if fmt == "html":
        out += nodes.inline(" certainty", " certainty", classes=["evidence-visually-hidden"])
    elif suffix:
        out += nodes.Text(" certainty")
    return out


def _participants(data: dict[str, Any], word: bool) -> str:
    participants, studies = data.get("participants", ""), data.get("studies", "")
    if participants and word and participants.replace(",", "").replace(" ", "").isdigit():
        participants += " participants"
    if participants and studies:
        return f"{participants} ({studies})"
    return participants or (f"({studies})" if studies else "")


def _ratings(data: dict[str, Any]) -> list[Rating]:
    return [Rating(d, int(n), r) for d, n, r in data.get("ratings", [])]


def _check_sources(node: grade_card, ctx: PageContext) -> bool:
    """Warn (``grade-retracted-source``) for every retracted ``:source:``; True if any."""
    found = False
    for key in node["keys"]:
        article = ctx.store.article(ctx.store.canonical(key))
        if article is not None and article.retracted:
            found = True
            logger.warning("evidence-grade %r rests on %s, which is retracted; drop it from :source: "
                           "and revisit the grade", node["grade"]["outcome"], key_label(key),
                           location=node, type="evidence", subtype="grade-retracted-source")
    return found


def _target(anchor: str) -> nodes.target:
    return nodes.target("", "", ids=[anchor])


def render_grade(node: grade_card, ctx: PageContext) -> list[nodes.Node]:
    """A compact card; inside a summary-of-findings table only the citation numbers."""
    data = node["grade"]
    retracted = _check_sources(node, ctx)
    cites: list[nodes.Node] = [cite_nodes(node["keys"], ctx, node)] if node["keys"] else []
    if node.get("in_table"):
        out: list[nodes.Node] = [nodes.Text(" "), *cites] if cites else []
        if retracted:
            out += [nodes.Text(" "), badge("Source retracted", "retracted")]
        return out
    level = parse_certainty(data["certainty"]) or Certainty.VERY_LOW
    fmt = ctx.builder_format
    card = nodes.container(classes=["evidence-grade-card", f"evidence-certainty-{level.slug}"])
    head = nodes.paragraph(classes=["evidence-grade-head"])
    head += _target(node["anchor"])
    head += nodes.strong(data["outcome"], data["outcome"], classes=["evidence-grade-outcome"])
    head += nodes.Text(" ")
    head += certainty_nodes(level, fmt)
    if cites:
        head += nodes.Text(" ")
        head.extend(cites)
    if retracted:
        head += nodes.Text(" ")
        head += badge("Source retracted", "retracted")
    card += head
    if data.get("intervention") and data.get("comparison"):
        comparison = data["comparison"].lower() if _plainword(data["comparison"]) else data["comparison"]
        text = f"{data['intervention']} compared with {comparison}"
        card += nodes.paragraph(text, text, classes=["evidence-grade-comparison"])
    if data["sentence"]:
        card += nodes.paragraph(data["sentence"], data["sentence"], classes=["evidence-grade-statement"])
    numbers = []
    if data.get("relative"):
        numbers.append(f"Relative effect {data['relative']}")
    if data.get("absolute"):
        numbers.append(f"Absolute effect: {data['absolute']}")
    if _participants(data, True):
        numbers.append(_participants(data, True))
    if data.get("followup"):
        numbers.append(f"Follow-up: {data['followup']}")
    if numbers:
        text = " \u00b7 ".join(numbers)
        card += nodes.paragraph(text, text, classes=["evidence-grade-numbers"])
    ratings = _ratings(data)
    if ratings:
        items = nodes.bullet_list(classes=["evidence-grade-ratings"])
        for rating in ratings:
            items += nodes.list_item("", nodes.paragraph(rating.footnote, rating.footnote))
        card += items
    for child in list(node.children):
        node.remove(child)
        if len(child):
            card += child
    return [card]


def _plainword(text: str) -> bool:
    """True for a common word such as ``Placebo`` that reads lower-case mid-sentence."""
    return text[:1].isupper() and text[1:].islower() and " " not in text


def _entry(*children: nodes.Node, classes: list[str] | None = None) -> nodes.entry:
    entry = nodes.entry(classes=classes or [])
    for child in children:
        entry += child
    return entry


def _para(text: str, classes: list[str] | None = None) -> nodes.paragraph:
    return nodes.paragraph(text, text, classes=classes or [])


def _table(classes: list[str], widths: tuple[int, ...], header: tuple[str, ...]) -> tuple[nodes.table, nodes.tbody]:
    table = nodes.table(classes=[*classes, "longtable", "colwidths-given"])
    tgroup = nodes.tgroup(cols=len(widths))
    table += tgroup
    for width in widths:
        tgroup += nodes.colspec(colwidth=width)
    thead = nodes.thead()
    row = nodes.row()
    for name in header:
        row += _entry(_para(name))
    thead += row
    tgroup += thead
    tbody = nodes.tbody()
    tgroup += tbody
    return table, tbody


def render_certainty_table(node: certainty_table, ctx: PageContext) -> list[nodes.Node]:
    """A GRADE summary-of-findings table with lettered downgrade footnotes and the GRADE definitions."""
    fmt = ctx.builder_format
    wrapper = nodes.container(classes=["evidence-sof"])
    info = nodes.field_list(classes=["evidence-sof-info"])
    for name, label in (("population", "Patient or population"), ("setting", "Setting"),
                        ("intervention", "Intervention"), ("comparison", "Comparison")):
        if node.get(name):
            info += nodes.field("", nodes.field_name(label, label), nodes.field_body("", _para(node[name])))
    if len(info):
        wrapper += info
    # pdflatex has no glyph for the numero sign.
    columns = SOF_COLUMNS if fmt != "latex" else (*SOF_COLUMNS[:3], "No. of participants (studies)",
                                                 *SOF_COLUMNS[4:])
    table, tbody = _table(["evidence-sof-table"], SOF_WIDTHS, columns)
    title = nodes.title(node["title"], node["title"])
    table.insert(0, title)
    footnotes: list[str] = []
    rows = [child for child in node.children if isinstance(child, grade_card)]
    anchor_base = f"{rows[0]['anchor']}-sof" if rows else "evidence-sof"
    table["ids"] = [anchor_base]
    others = [child for child in node.children if not isinstance(child, grade_card)]
    for card in rows:
        node.remove(card)
        data = card["grade"]
        level = parse_certainty(data["certainty"]) or Certainty.VERY_LOW
        row = nodes.row(classes=[f"evidence-certainty-{level.slug}"])
        outcome = nodes.paragraph(classes=["evidence-sof-outcome"])
        outcome += _target(card["anchor"])
        outcome += nodes.strong(data["outcome"], data["outcome"])
        outcome += card  # rendered later (it is a placeholder): the citation numbers
        cell = _entry(outcome)
        if data.get("followup"):
            cell += _para(f"Follow-up: {data['followup']}", ["evidence-sof-followup"])
        row += cell
        row += _entry(_para(data.get("absolute") or DASH))
        row += _entry(_para(data.get("relative") or DASH))
        row += _entry(_para(_participants(data, False) or DASH))
        certainty = nodes.paragraph()
        certainty += certainty_nodes(level, fmt, suffix=False)
        letters = []
        for rating in _ratings(data):
            if rating.footnote not in footnotes:
                footnotes.append(rating.footnote)
            letters.append(string.ascii_lowercase[footnotes.index(rating.footnote) % 26])
        if letters:
            sup = nodes.superscript(classes=["evidence-sof-mark"])
            for i, letter in enumerate(dict.fromkeys(letters)):
                if i:
                    sup += nodes.Text(",")
                if fmt == "html":
                    sup += nodes.reference(letter, letter, refid=f"{anchor_base}-note-{letter}", internal=True)
                else:
                    sup += nodes.Text(letter)
            certainty += sup
        row += _entry(certainty, classes=["evidence-sof-certainty"])
        comments = _entry(_para(data["sentence"], ["evidence-grade-statement"]) if data["sentence"] else _para(""))
        for child in list(card.children):
            card.remove(child)
            if len(child):
                comments += child
        row += comments
        if fmt == "html":
            label_cells(row, columns)
        tbody += row
    if not rows:
        return [*others]
    scroll = nodes.container(classes=["evidence-sof-scroll"])
    scroll += table
    wrapper += scroll
    if footnotes:
        # Lettered paragraphs rather than a loweralpha list: the text builder numbers every list 1, 2, 3.
        notes = nodes.container(classes=["evidence-sof-footnotes"])
        for i, text in enumerate(footnotes):
            letter = string.ascii_lowercase[i % 26]
            para = nodes.paragraph(ids=[f"{anchor_base}-note-{letter}"])
            para += nodes.inline(letter, letter, classes=["evidence-sof-note-letter"])
            para += nodes.Text(f". {text}")
            notes += para
        wrapper += notes
    heading = "GRADE Working Group grades of evidence"
    wrapper += nodes.paragraph(heading, "", nodes.strong(heading, heading), classes=["evidence-sof-definitions-title"])
    defs = nodes.bullet_list(classes=["evidence-sof-definitions"])
    for level in sorted(Certainty, reverse=True):
        para = nodes.paragraph()
        label = f"{level.label} certainty:"
        para += nodes.strong(label, label)
        para += nodes.Text(f" {level.definition[:1].upper()}{level.definition[1:]}")
        defs += nodes.list_item("", para)
    wrapper += defs
    for child in others:
        node.remove(child)
        wrapper += child
    return [wrapper]


def render_grade_index(node: grade_index, ctx: PageContext) -> list[nodes.Node]:
    """Every GRADE judgement in the project, one row each, sortable in HTML by any column."""
    domain = ctx.env.get_domain("evidence")
    rows = []
    for docname, items in domain.bucket(GRADE_BUCKET):
        title_node = ctx.env.titles.get(docname)
        title = title_node.astext() if title_node is not None else docname
        for item in items:
            rows.append((item["intervention"].lower(), item["outcome"].lower(), docname, item["line"], title, item))
    rows.sort(key=lambda r: r[:4])
    if not rows:
        return [_para("No evidence grades in this project yet.", ["evidence-index-empty"])]
    fmt = ctx.builder_format
    table, tbody = _table(["evidence-index-table"], INDEX_WIDTHS, INDEX_COLUMNS)
    if ctx.document is not None:
        ctx.document[SORTABLE] = True  # read by add_sort_script without walking the tree
    for _, _, docname, _, title, item in rows:
        level = parse_certainty(item["certainty"]) or Certainty.VERY_LOW
        row = nodes.row()
        row += _entry(_para(item["intervention"] or DASH))
        row += _entry(_para(item["comparison"] or DASH))
        row += _entry(_para(item["outcome"]))
        cert = nodes.paragraph()
        cert += certainty_nodes(level, fmt, suffix=False)
        row += _entry(cert, classes=[f"evidence-sort-{level.value}"])
        effect = item["effect"]
        rank = EFFECTS.index(effect) + 1 if effect in EFFECTS else 0
        row += _entry(_para(effect_label(effect) if effect else DASH), classes=[f"evidence-sort-{rank}"])
        page = nodes.paragraph()
        builder = getattr(ctx.app, "builder", None)
        if builder is not None and builder.get_relative_uri(ctx.docname, docname).startswith("#"):
            # singlehtml: every page is in this document, so link to the grade's id directly.
            page += nodes.reference(title, title, refuri=f"#{item['anchor']}", internal=True)
        elif builder is not None:
            page += make_refnode(builder, ctx.docname, docname, item["anchor"], nodes.Text(title))
        else:
            page += nodes.Text(title)
        row += _entry(page)
        tbody += row
    wrapper = nodes.container(classes=["evidence-index"])
    wrapper += table
    return [wrapper]


SORTABLE = "evidence_sortable"


def add_sort_script(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context``: load ``evidence-sort.js`` on pages that show the evidence index."""
    if doctree is not None and doctree.get(SORTABLE):
        app.add_js_file("evidence-sort.js", loading_method="defer")
