"""The project-wide evidence index: every GRADE judgement in one table, sortable in HTML.

The ``evidence-index`` directive notes its page; when any grade (or the title
of a graded page) changes, pages showing the index are written again.
"""

from __future__ import annotations

import json
from typing import Any

from docutils import nodes
from sphinx.util.nodes import make_refnode

from sphinxext_evidence.directive import TableDirective
from sphinxext_evidence.domain import get_domain
from sphinxext_evidence.grade.card import certainty_nodes, source_badge, source_flag
from sphinxext_evidence.grade.directives import GRADE_BUCKET
from sphinxext_evidence.grade.nodes import grade_index
from sphinxext_evidence.grade.levels import EFFECTS, Certainty, effect_label, parse_certainty
from sphinxext_evidence.grade.sof import DASH, TABLE_CLASSES, para
from sphinxext_evidence.render_utils import entry, label_cells, table
from sphinxext_evidence.resolve import PageContext

INDEX_BUCKET = "grade-index"
INDEX_COLUMNS = ("Intervention", "Comparison", "Outcome", "Certainty", "Effect", "Page")
INDEX_WIDTHS = (14, 14, 19, 12, 14, 17)
SORTABLE = "evidence_sortable"


class EvidenceIndexDirective(TableDirective):
    """``.. evidence-index::``: every GRADE judgement in the project in one sortable table."""

    bucket = INDEX_BUCKET
    placeholder = grade_index


# --- keeping the evidence index current ------------------------------------------------------

SNAPSHOT = "grade_snapshot"


def _grade_snapshot(env: Any) -> str:
    """Everything the evidence index shows, sources' correction flags included, as one comparable string."""
    domain = get_domain(env)
    pages = []
    for docname, items in domain.bucket(GRADE_BUCKET):
        title = env.titles.get(docname)
        flags = [source_flag(item["sources"], domain.store) for item in items]
        pages.append([docname, title.astext() if title is not None else "", items, flags])
    return json.dumps(pages, sort_keys=True, default=str)


def index_pages_to_rewrite(app: Any, env: Any) -> list[str]:
    """``env-updated`` (after the fetch stage): pages with an ``evidence-index`` when anything it shows changed."""
    domain = get_domain(env)
    pages = sorted(docname for docname, _ in domain.bucket(INDEX_BUCKET))
    if not pages:  # an index page added later is written anyway, being new
        domain.data.pop(SNAPSHOT, None)
        return []
    snapshot = _grade_snapshot(env)
    if domain.data.get(SNAPSHOT) == snapshot:
        return []
    domain.data[SNAPSHOT] = snapshot
    return pages


def sources_of_every_grade(node: grade_index, env: Any) -> set[str]:
    """``needs`` of the index: the records of every grade's sources, on whatever page."""
    return {key for _, items in get_domain(env).bucket(GRADE_BUCKET) for item in items for key in item["sources"]}


def render_grade_index(node: grade_index, ctx: PageContext) -> list[nodes.Node]:
    """Every GRADE judgement in the project, one row each, sortable in HTML by any column."""
    domain = get_domain(ctx.env)
    rows = []
    for docname, items in domain.bucket(GRADE_BUCKET):
        title_node = ctx.env.titles.get(docname)
        title = title_node.astext() if title_node is not None else docname
        for item in items:
            rows.append((item["intervention"].lower(), item["outcome"].lower(), docname, item["line"], title, item))
    rows.sort(key=lambda r: r[:4])
    if not rows:
        return [para("No evidence grades in this project yet.", ["evidence-index-empty"])]
    fmt = ctx.builder_format
    table_node, tbody = table(["evidence-index-table", *TABLE_CLASSES], INDEX_WIDTHS, INDEX_COLUMNS)
    if ctx.document is not None:
        ctx.document[SORTABLE] = True  # read by add_sort_script without walking the tree
    for _, _, docname, _, title, item in rows:
        level = parse_certainty(item["certainty"]) or Certainty.VERY_LOW
        row = nodes.row()
        row += entry(para(item["intervention"] or DASH))
        row += entry(para(item["comparison"] or DASH))
        outcome = para(item["outcome"])
        flagged = source_flag(item["sources"], ctx.records)
        if flagged:
            outcome += nodes.Text(" ")
            outcome += source_badge(flagged)
        row += entry(outcome)
        cert = nodes.paragraph()
        cert += certainty_nodes(level, fmt, suffix=False)
        row += entry(cert, classes=[f"evidence-sort-{level.value}"])
        row += _effect_cell(item)
        page = nodes.paragraph()
        builder = getattr(ctx.app, "builder", None)
        if builder is not None and builder.get_relative_uri(ctx.docname, docname).startswith("#"):
            # singlehtml: every page is in this document, so link to the grade's id directly.
            page += nodes.reference(title, title, refuri=f"#{item['anchor']}", internal=True)
        elif builder is not None:
            page += make_refnode(builder, ctx.docname, docname, item["anchor"], nodes.Text(title))
        else:
            page += nodes.Text(title)
        row += entry(page)
        if fmt == "html":
            label_cells(row, INDEX_COLUMNS)
        tbody += row
    wrapper = nodes.container(classes=["evidence-index"])
    wrapper += table_node
    return [wrapper]



def add_sort_script(app: Any, _pagename: str, _templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context``: load ``evidence-sort.js`` on pages that show the evidence index."""
    if doctree is not None and doctree.get(SORTABLE):
        app.add_js_file("evidence-sort.js", loading_method="defer")


CONTRADICTED = "Contradicted by the numbers"


def _effect_cell(item: dict[str, Any]) -> nodes.entry:
    """The stated effect, or, like the card that hides its sentence, a mark when the numbers contradict it."""
    effect = item["effect"]
    if item.get("contradicted"):
        return entry(para(f"{DASH} {CONTRADICTED}", ["evidence-grade-contradicted"]), classes=["evidence-sort-0"])
    if item.get("certainty") == Certainty.VERY_LOW.slug:
        effect = "uncertain"  # as the card says: at very low certainty GRADE states no direction
    rank = EFFECTS.index(effect) + 1 if effect in EFFECTS else 0
    return entry(para(effect_label(effect) if effect else DASH), classes=[f"evidence-sort-{rank}"])
