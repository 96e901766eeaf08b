"""The GRADE summary-of-findings table built from the ``evidence-grade`` directives in a ``certainty-table``."""

from __future__ import annotations

import string

from docutils import nodes

from sphinxext_evidence.grade.card import certainty_nodes, participants_text, ratings, target
from sphinxext_evidence.grade.nodes import certainty_table, grade_card
from sphinxext_evidence.grade.rules import Certainty, parse_certainty
from sphinxext_evidence.render_utils import entry, label_cells, table
from sphinxext_evidence.resolve import PageContext

DASH = "\u2014"
SOF_COLUMNS = ("Outcomes", "Anticipated absolute effects", "Relative effect (95% CI)",
               "\u2116 of participants (studies)", "Certainty", "Comments")
SOF_WIDTHS = (14, 14, 13, 12, 12, 25)
TABLE_CLASSES = ["longtable", "colwidths-given"]


def para(text: str, classes: list[str] | None = None) -> nodes.paragraph:
    """A paragraph of plain ``text``."""
    return nodes.paragraph(text, text, classes=classes or [])


def render_certainty_table(node: certainty_table, ctx: PageContext) -> list[nodes.Node]:
    """A GRADE summary-of-findings table with lettered downgrade footnotes and the GRADE definitions."""
    fmt = ctx.builder_format
    wrapper = nodes.container(classes=["evidence-sof"])
    info = nodes.field_list(classes=["evidence-sof-info"])
    for name, label in (("population", "Patient or population"), ("setting", "Setting"),
                        ("intervention", "Intervention"), ("comparison", "Comparison")):
        if node.get(name):
            info += nodes.field("", nodes.field_name(label, label), nodes.field_body("", para(node[name])))
    if len(info):
        wrapper += info
    # pdflatex has no glyph for the numero sign.
    columns = SOF_COLUMNS if fmt != "latex" else (*SOF_COLUMNS[:3], "No. of participants (studies)",
                                                 *SOF_COLUMNS[4:])
    table_node, tbody = table(["evidence-sof-table", *TABLE_CLASSES], SOF_WIDTHS, columns)
    title = nodes.title(node["title"], node["title"])
    table_node.insert(0, title)
    footnotes: list[str] = []
    rows = [child for child in node.children if isinstance(child, grade_card)]
    anchor_base = f"{rows[0]['anchor']}-sof" if rows else "evidence-sof"
    table_node["ids"] = [anchor_base]
    others = [child for child in node.children if not isinstance(child, grade_card)]
    for card in rows:
        node.remove(card)
        data = card["grade"]
        level = parse_certainty(data["certainty"]) or Certainty.VERY_LOW
        row = nodes.row(classes=[f"evidence-certainty-{level.slug}"])
        outcome = nodes.paragraph(classes=["evidence-sof-outcome"])
        outcome += target(card["anchor"])
        outcome += nodes.strong(data["outcome"], data["outcome"])
        outcome += card  # rendered later (it is a placeholder): the citation numbers
        cell = entry(outcome)
        if data.get("followup"):
            cell += para(f"Follow-up: {data['followup']}", ["evidence-sof-followup"])
        row += cell
        row += entry(para(data.get("absolute") or DASH))
        row += entry(para(data.get("relative") or DASH))
        row += entry(para(participants_text(data, False) or DASH))
        certainty = nodes.paragraph()
        certainty += certainty_nodes(level, fmt, suffix=False)
        letters = []
        for rating in ratings(data):
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
        row += entry(certainty, classes=["evidence-sof-certainty"])
        comments = entry(para(data["sentence"], ["evidence-grade-statement"]) if data["sentence"] else para(""))
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
    scroll += table_node
    wrapper += scroll
    if footnotes:
        # Lettered paragraphs rather than a loweralpha list: the text builder numbers every list 1, 2, 3.
        notes = nodes.container(classes=["evidence-sof-footnotes"])
        for i, text in enumerate(footnotes):
            letter = string.ascii_lowercase[i % 26]
            note = nodes.paragraph(ids=[f"{anchor_base}-note-{letter}"])
            note += nodes.inline(letter, letter, classes=["evidence-sof-note-letter"])
            note += nodes.Text(f". {text}")
            notes += note
        wrapper += notes
    heading = "GRADE Working Group grades of evidence"
    wrapper += nodes.paragraph(heading, "", nodes.strong(heading, heading), classes=["evidence-sof-definitions-title"])
    defs = nodes.bullet_list(classes=["evidence-sof-definitions"])
    for level in sorted(Certainty, reverse=True):
        item = nodes.paragraph()
        label = f"{level.label} certainty:"
        item += nodes.strong(label, label)
        item += nodes.Text(f" {level.definition[:1].upper()}{level.definition[1:]}")
        defs += nodes.list_item("", item)
    wrapper += defs
    for child in others:
        node.remove(child)
        wrapper += child
    return [wrapper]


