"""The ``bottom-line`` callout: the honest conclusion, with an optional overall GRADE certainty."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence import log
from sphinxext_evidence.article.callouts import callout, config_of, finish, standout
from sphinxext_evidence.article.nodes import bottom_line
from sphinxext_evidence.directive import EvidenceDirective, option_spec
from sphinxext_evidence.domain import get_domain
from sphinxext_evidence.grade.card import certainty_nodes
from sphinxext_evidence.grade.directives import GRADE_BUCKET
from sphinxext_evidence.grade.levels import CERTAINTY_NAMES, parse_certainty
from sphinxext_evidence.resolve import PageContext


class BottomLineDirective(EvidenceDirective):
    """``.. bottom-line::`` with optional ``:title:`` and ``:certainty:``; the body is the conclusion."""

    has_content = True
    optional_arguments = 0
    option_spec = option_spec("title", "certainty", "class")

    def run(self) -> list[nodes.Node]:
        """Validate the options and leave a :class:`bottom_line` placeholder holding the body."""
        self.check_options()
        node = self.place(bottom_line(title="", certainty="", classes=[]))
        if "title" in self.options:
            title = (self.options["title"] or "").strip()
            if not title:
                self.warn("bottom-line: option :title: is empty; the default title is used", "empty")
            node["title"] = title
        if "certainty" in self.options:
            raw = (self.options["certainty"] or "").strip()
            certainty = parse_certainty(raw) if raw else None
            if certainty is None:
                self.warn(f"bottom-line: invalid :certainty: {raw!r} (allowed: {', '.join(CERTAINTY_NAMES)}); "
                          "no certainty is shown", "invalid-certainty")
            else:
                node["certainty"] = certainty.slug
        if self.options.get("class"):
            node["classes"] = self.options["class"].split()
        if not self.content:
            self.warn("bottom-line: the callout has no text; write the conclusion as its body", "empty")
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def certainty_badge(slug: str, ctx: PageContext) -> nodes.inline | None:
    """The GRADE badge for a certainty slug: ``⊕⊕⊕⊝ Moderate``, as the GRADE cards draw it."""
    certainty = parse_certainty(slug)
    if certainty is None:
        return None
    node = certainty_nodes(certainty, ctx.builder_format, suffix=False)
    node["classes"] += ["evidence-badge", f"evidence-badge-certainty-{certainty.slug}"]
    return node


def check_overall(node: bottom_line, ctx: PageContext) -> None:
    """Warn when the stated overall certainty is above the lowest certainty of the page's critical outcomes.

    GRADE rates the overall certainty of a body of evidence by the lowest
    certainty among the outcomes critical for the decision.
    """
    stated = parse_certainty(node.get("certainty", ""))
    if stated is None or ctx.env is None:
        return
    critical = [(parse_certainty(item["certainty"]), item["outcome"])
                for item in dict(get_domain(ctx.env).bucket(GRADE_BUCKET)).get(ctx.docname, [])
                if item.get("importance") == "critical"]
    known = [(level, outcome) for level, outcome in critical if level is not None]
    if not known:
        return
    lowest, outcome = min(known, key=lambda pair: pair[0])
    if stated > lowest:
        log.warn(f"bottom-line: overall certainty {stated.label.lower()} is higher than the certainty of the "
                 f"critical outcome {outcome!r} ({lowest.label.lower()}); GRADE rates the overall certainty by the "
                 f"lowest certainty among critical outcomes: lower :certainty: to {lowest.label.lower()}, or "
                 f"reconsider whether {outcome!r} is critical (its :importance:)", "grade-overall", node)


def render_bottom_line(node: bottom_line, ctx: PageContext) -> list[nodes.Node]:
    """The bottom-line callout: title, optional certainty badge, then the author's conclusion."""
    check_overall(node, ctx)
    title = node.get("title") or config_of(ctx).evidence_bottom_line_title or "The honest bottom line"
    box, body = callout("bottom-line", title, ctx, node)
    cert = certainty_badge(node.get("certainty", ""), ctx) if node.get("certainty") else None
    if cert is not None:
        para = nodes.paragraph(classes=["evidence-bottom-line-certainty"])
        para += nodes.Text("Certainty of the evidence: ")
        para += cert
        body += para
    # Move (not copy) the body: citations inside it are rendered after this node.
    for child in list(node.children):
        node.remove(child)
        body += child
    if ctx.builder_format in ("latex", "text"):
        return [standout(box, body, title)]
    return [finish(box, body)]
