"""The GRADE summary-of-findings table built from the ``evidence-grade`` directives in a ``certainty-table``."""

from __future__ import annotations

import string
from typing import Any, cast

from docutils import nodes

from sphinxext_evidence.grade.card import certainty_nodes, participants_text, ratings, statement, target
from sphinxext_evidence.grade.nodes import certainty_table, grade_card
from sphinxext_evidence.grade.levels import Certainty, parse_certainty
from sphinxext_evidence.render_utils import anchor, entry, label_cells, move_body, table
from sphinxext_evidence.resolve import PageContext

DASH = "\u2014"
SOF_COLUMNS = ("Outcomes", "Anticipated absolute effects", "Relative effect (95% CI)",
               "\u2116 of participants (studies)", "Certainty", "Comments")
SOF_WIDTHS = (14, 14, 13, 13, 12, 24)
# evidence-table: the stylesheet's rules for every table of the extension; longtable: may break across pages.
TABLE_CLASSES = ["evidence-table", "longtable", "colwidths-given"]
IMPORTANCE_LABELS = {"critical": "Critical", "important": "Important", "not-important": "Not important"}


def note_mark(index: int) -> str:
    """The footnote mark for the ``index``-th note (from 0): a … z, then aa, ab … az, ba …, never repeating."""
    mark = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        mark = string.ascii_lowercase[rest] + mark
    return mark


def para(text: str, classes: list[str] | None = None) -> nodes.paragraph:
    """A paragraph of plain ``text``."""
    return nodes.paragraph(text, text, classes=classes or [])


def absolute_effects(data: dict[str, Any], node: certainty_table) -> list[nodes.Node]:
    """The anticipated absolute effects: computed risks per 1,000 for each baseline, or the author's text."""
    if not data.get("risks"):
        return [para(data.get("absolute") or DASH)]
    comparison = data.get("comparison") or node.get("comparison") or "comparator"
    intervention = data.get("intervention") or node.get("intervention") or "intervention"
    out: list[nodes.Node] = []
    for risk in data["risks"]:
        if risk["label"]:
            out.append(nodes.paragraph("", "", nodes.strong(risk["label"], risk["label"]),
                                       classes=["evidence-sof-risk-label"]))
        out.append(para(f"Risk with {comparison}: {risk['comparator']}", ["evidence-sof-risk-comparator"]))
        out.append(para(f"Risk with {intervention}: {risk['intervention']}", ["evidence-sof-risk-intervention"]))
        out.append(para(risk["difference"], ["evidence-sof-risk-difference"]))
    return out


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
    rows = [child for child in node.children if isinstance(child, grade_card)]
    with_importance = any(card["grade"].get("importance") for card in rows)
    # pdflatex has no glyph for the numero sign.
    columns: tuple[str, ...] = SOF_COLUMNS if fmt != "latex" else (
        *SOF_COLUMNS[:3], "No. of participants (studies)", *SOF_COLUMNS[4:])
    widths: tuple[int, ...] = SOF_WIDTHS
    if with_importance:
        columns, widths = (*columns, "Importance"), (*SOF_WIDTHS[:-1], SOF_WIDTHS[-1] - 13, 13)
    table_node, tbody = table(["evidence-sof-table", *TABLE_CLASSES], widths, columns)
    title = nodes.title(node["title"], node["title"])
    table_node.insert(0, title)
    footnotes: list[str] = []
    anchor_base = f"{rows[0]['anchor']}-sof" if rows else "evidence-sof"
    table_node["ids"] = [anchor_base]
    if len(info):
        # Where the table's head (population, setting ...) starts; on paper it stays on the table's page.
        anchor(info if fmt != "latex" else cast(Any, info)[0][1][0], [f"{anchor_base}-info"], fmt)
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
        row += entry(*absolute_effects(data, node))
        row += entry(para(data.get("relative") or DASH))
        row += entry(para(participants_text(data, False) or DASH))
        certainty = nodes.paragraph()
        certainty += certainty_nodes(level, fmt, suffix=False)
        for rating in ratings(data):
            if rating.footnote not in footnotes:
                footnotes.append(rating.footnote)
        # Marks in reading order (a, b, c), whatever order the reasons were written in.
        letters = [note_mark(i) for i in sorted({footnotes.index(r.footnote) for r in ratings(data)})]
        if letters:
            sup = nodes.superscript(classes=["evidence-sof-mark"])
            for i, letter in enumerate(letters):
                if i:
                    sup += nodes.Text(",")
                if fmt == "html":
                    sup += nodes.reference(letter, letter, refid=f"{anchor_base}-note-{letter}", internal=True)
                else:
                    sup += nodes.Text(letter)
            certainty += sup
        row += entry(certainty, classes=["evidence-sof-certainty"])
        comments = entry(statement(data) if data["sentence"] else para(""))
        move_body(card, comments)
        row += comments
        if with_importance:
            row += entry(para(IMPORTANCE_LABELS.get(data.get("importance", ""), DASH)))
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
            letter = note_mark(i)
            note = nodes.paragraph(ids=[f"{anchor_base}-note-{letter}"])
            note += nodes.inline(letter, letter, classes=["evidence-sof-note-letter"])
            note += nodes.Text(f". {text}")
            notes += note
        wrapper += notes
    heading = "GRADE Working Group grades of evidence"
    # The definitions are the same on every table: the search index ("no-search") leaves them out.
    wrapper += nodes.paragraph(heading, "", nodes.strong(heading, heading),
                               classes=["evidence-sof-definitions-title", "no-search"])
    defs = nodes.bullet_list(classes=["evidence-sof-definitions", "no-search"])
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


