"""The grade card of ``evidence-grade``, and the GRADE certainty symbols every feature shows."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from sphinxext_evidence import log
from sphinxext_evidence.citations.numbering import cite_nodes
from sphinxext_evidence.grade.nodes import grade_card
from sphinxext_evidence.grade.levels import Certainty, parse_certainty
from sphinxext_evidence.grade.rules import Rating
from sphinxext_evidence.identifiers import key_label
from sphinxext_evidence.records.notices import LEVELS
from sphinxext_evidence.render_utils import badge, move_body
from sphinxext_evidence.resolve import PageContext


def certainty_nodes(level: Certainty, fmt: str, suffix: bool = True) -> nodes.inline:
    """``⊕⊕⊕⊝ Moderate``: symbols hidden from screen readers in HTML, drawn as math in LaTeX."""
    out = nodes.inline(classes=["evidence-certainty", f"evidence-certainty-{level.slug}"])
    if fmt == "html":
        # Fixed markup (no author or service text): the symbols are decoration for screen readers.
        out += nodes.raw("", f'<span class="evidence-grade-symbols" aria-hidden="true">{level.symbols}</span>',
                         format="html")
    elif fmt == "latex":
        # \mathord: a row of symbols, not a sum, so TeX puts no operator spacing between them.
        math = r"\mathord{\oplus}" * level.value + r"\mathord{\ominus}" * (4 - level.value)
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


def participants_text(data: dict[str, Any], word: bool) -> str:
    """``1689 participants (6 RCTs)`` from a grade's numbers (``word``: name the participants)."""
    participants, studies = data.get("participants", ""), data.get("studies", "")
    if participants and word and participants.replace(",", "").replace(" ", "").isdigit():
        participants += " participants"
    if participants and studies:
        return f"{participants} ({studies})"
    return participants or (f"({studies})" if studies else "")


def ratings(data: dict[str, Any]) -> list[Rating]:
    """The downgrades and upgrades stored with a grade."""
    return [Rating(d, int(n), r) for d, n, r in data.get("ratings", [])]


def target(anchor: str) -> nodes.target:
    """An anchor the evidence index links to."""
    return nodes.target("", "", ids=[anchor])


SOURCE_WORDS = {"retraction": "Source retracted", "concern": "Source under an expression of concern",
                "replaced": "Source has a newer version"}


def source_flag(keys: list[str], records: Any) -> str:
    """The most serious flag among a grade's sources ('' when none): ``retraction``, ``concern``, ``replaced``."""
    levels = [article.flags()[0].level for article in (records.get(k) for k in keys)
              if article is not None and article.flags()]
    return min(levels, key=LEVELS.index) if levels else ""


def source_badge(level: str) -> nodes.inline:
    """The badge a grade carries when a source is flagged, in words."""
    return badge(SOURCE_WORDS[level], "retracted" if level == "retraction" else "concern")


def _check_sources(node: grade_card, ctx: PageContext) -> str:
    """Warn (``grade-retracted-source``) for every retracted ``:source:``; return the most serious flag."""
    for key in node["keys"]:
        article = ctx.records.get(key)
        if article is not None and article.retracted:
            log.warn(f"evidence-grade {node['grade']['outcome']!r} rests on {key_label(key)}, which is retracted; "
                     "drop it from :source: and revisit the grade", "grade-retracted-source", node)
    return source_flag(node["keys"], ctx.records)


def render_grade(node: grade_card, ctx: PageContext) -> list[nodes.Node]:
    """A compact card; inside a summary-of-findings table only the citation numbers."""
    data = node["grade"]
    flagged = _check_sources(node, ctx)
    cites: list[nodes.Node] = [cite_nodes(node["keys"], ctx, node)] if node["keys"] else []
    if node.get("in_table"):
        out: list[nodes.Node] = [nodes.Text(" "), *cites] if cites else []
        if flagged:
            out += [nodes.Text(" "), source_badge(flagged)]
        return out
    level = parse_certainty(data["certainty"]) or Certainty.VERY_LOW
    fmt = ctx.builder_format
    card = nodes.container(classes=["evidence-grade-card", f"evidence-certainty-{level.slug}"])
    head = nodes.paragraph(classes=["evidence-grade-head"])
    head += target(node["anchor"])
    head += nodes.strong(data["outcome"], data["outcome"], classes=["evidence-grade-outcome"])
    head += nodes.Text(" ")
    head += certainty_nodes(level, fmt)
    if cites:
        head += nodes.Text(" ")
        head.extend(cites)
    if flagged:
        head += nodes.Text(" ")
        head += source_badge(flagged)
    card += head
    if data.get("intervention") and data.get("comparison"):
        comparison = data["comparison"].lower() if _plainword(data["comparison"]) else data["comparison"]
        text = f"{data['intervention']} compared with {comparison}"
        card += nodes.paragraph(text, text, classes=["evidence-grade-comparison"])
    if data["sentence"]:
        card += statement(data)
    numbers = []
    if data.get("relative"):
        numbers.append(f"Relative effect {data['relative']}")
    if data.get("absolute"):
        numbers.append(f"Absolute effect: {data['absolute']}")
    for risk in data.get("risks", []):
        numbers.append(f"Absolute effect{' (' + risk['label'] + ')' if risk['label'] else ''}: "
                       f"{risk['difference']}")
    if participants_text(data, True):
        numbers.append(participants_text(data, True))
    if data.get("followup"):
        numbers.append(f"Follow-up: {data['followup']}")
    if numbers:
        text = " \u00b7 ".join(numbers)
        card += nodes.paragraph(text, text, classes=["evidence-grade-numbers"])
    stated = ratings(data)
    if stated:
        items = nodes.bullet_list(classes=["evidence-grade-ratings"])
        for rating in stated:
            items += nodes.list_item("", nodes.paragraph(rating.footnote, rating.footnote))
        card += items
    move_body(node, card)
    return [card]


def statement(data: dict[str, Any]) -> nodes.paragraph:
    """The plain-language sentence; an author's own wording is marked as such, in words."""
    para = nodes.paragraph(classes=["evidence-grade-statement"])
    para += nodes.Text(data["sentence"])
    if data.get("author_statement"):
        para["classes"].append("evidence-grade-statement-author")
        note = " (the author's wording, not GRADE's standard statement)"
        para += nodes.inline(note, note, classes=["evidence-grade-statement-note"])
    return para


def _plainword(text: str) -> bool:
    """True for a common word such as ``Placebo`` that reads lower-case mid-sentence."""
    return text[:1].isupper() and text[1:].islower() and " " not in text
