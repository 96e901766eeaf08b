"""Callouts: the bottom line, evidence-scope caveats and the site-wide disclaimer.

Each renders as a docutils ``admonition`` with a title and ``evidence-*``
classes, which every builder knows (HTML box, LaTeX ``sphinxadmonition``,
indented block with its title in text), plus sphinx-design's shadow and
rounding in HTML when sphinx-design is loaded.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.util import logging

from sphinxext_evidence.grade import parse_certainty
from sphinxext_evidence.nodes import bottom_line, disclaimer, evidence_scope
from sphinxext_evidence.resolve import PageContext

logger = logging.getLogger(__name__)

SD_CALLOUT_CLASSES = ["sd-shadow-sm", "sd-rounded-2"]

# Standard wording per kind of evidence: (title, text).  ``evidence_scope_texts`` replaces them.
SCOPE_DEFAULTS: dict[str, tuple[str, str]] = {
    "clinical": (
        "Clinical evidence",
        "This is based on clinical studies in people. Their size, quality and results vary; "
        "the references show what each statement rests on.",
    ),
    "clinical-limited": (
        "Limited clinical evidence",
        "This rests on limited clinical research: few, small or poorly controlled studies in people. "
        "It is not enough to support this use.",
    ),
    "observational": (
        "Observational evidence",
        "This is based on observational studies in people. They show associations, not cause and effect, "
        "and cannot show that the treatment works.",
    ),
    "animal": (
        "Animal research only",
        "There is no clinical evidence for this. The findings come from studies in animals and should not be "
        "read as a benefit in people.",
    ),
    "in-vitro": (
        "Laboratory research only",
        "There is no clinical evidence for this. The findings come from cells or tissues studied in the "
        "laboratory and should not be read as a benefit in people.",
    ),
    "mechanistic": (
        "Proposed mechanism only",
        "There is no clinical evidence for this. It rests on how the substance is thought to work, which does "
        "not show that it benefits people.",
    ),
}
GENERAL_SCOPE_TITLE = "About this evidence"


def _config(ctx: PageContext) -> Any:
    return ctx.env.config


def sphinx_design_loaded(ctx: PageContext) -> bool:
    """True when sphinx-design is loaded in this build (its classes may then be used)."""
    app = getattr(ctx.env, "_app", None)
    if app is not None:
        return "sphinx_design" in app.extensions
    return "sphinx_design" in (_config(ctx).extensions or [])


def callout(kind: str, title: str, ctx: PageContext, location: nodes.Element) -> tuple[nodes.admonition, nodes.container]:
    """An admonition with ``title`` and the classes for callout ``kind``, and its (empty) body.

    The body is a container so that paragraphs stay apart in the text builder,
    which runs the paragraphs directly inside an admonition together.
    """
    classes = ["evidence-callout", f"evidence-{kind}", *location.get("classes", [])]
    if sphinx_design_loaded(ctx):
        classes += SD_CALLOUT_CLASSES
    box = nodes.admonition("", classes=classes)
    box.source, box.line = location.source, location.line
    box += nodes.title(title, title)
    body = nodes.container(classes=["evidence-callout-body"])
    box += body
    return box, body


def finish(box: nodes.admonition, body: nodes.container) -> nodes.admonition:
    """Drop the body container when it holds a single paragraph (text output then reads ``Title: text``)."""
    if len(body) == 1 and isinstance(body[0], nodes.paragraph):
        para = body[0]
        body.remove(para)
        box.replace(body, para)
    elif not len(body):
        box.remove(body)
    return box


def certainty_badge(slug: str, ctx: PageContext) -> nodes.inline | None:
    """The GRADE badge for a certainty slug: ``⊕⊕⊕◯ Moderate``, as the GRADE cards draw it."""
    certainty = parse_certainty(slug)
    if certainty is None:
        return None
    try:
        from sphinxext_evidence.render.grades import certainty_nodes
    except ImportError:  # pragma: no cover - the GRADE renderer is part of the package
        text = f"{certainty.symbols} {certainty.label}"
        node = nodes.inline(text, text, classes=["evidence-certainty", f"evidence-certainty-{certainty.slug}"])
    else:
        node = certainty_nodes(certainty, ctx.builder_format, suffix=False)
    node["classes"] += ["evidence-badge", f"evidence-badge-certainty-{certainty.slug}"]
    return node


def render_bottom_line(node: bottom_line, ctx: PageContext) -> list[nodes.Node]:
    """The bottom-line callout: title, optional certainty badge, then the author's conclusion."""
    title = node.get("title") or _config(ctx).evidence_bottom_line_title or "The honest bottom line"
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


def standout(box: nodes.admonition, body: nodes.container, title: str) -> nodes.topic:
    """The bottom line for LaTeX and text, where an admonition looks like every note.

    A topic is drawn as a shadowed box in LaTeX and as a titled block in text,
    so the conclusion stands apart from the caveat boxes around it.
    """
    topic = nodes.topic("", classes=box["classes"])
    topic.source, topic.line = box.source, box.line
    heading = title.upper() if not title.isupper() else title
    topic += nodes.title(heading, heading)
    for child in list(body.children):
        body.remove(child)
        topic += child
    return topic


def scope_wording(scope: str, ctx: PageContext) -> tuple[str, str]:
    """Title and standard text of a caveat, with ``evidence_scope_texts`` applied."""
    title, text = SCOPE_DEFAULTS.get(scope, (GENERAL_SCOPE_TITLE, ""))
    custom = (_config(ctx).evidence_scope_texts or {}).get(scope)
    if isinstance(custom, str):
        text = custom
    elif isinstance(custom, dict):
        title = str(custom.get("title") or title)
        text = str(custom.get("text") or text)
    return title, text


def render_evidence_scope(node: evidence_scope, ctx: PageContext) -> list[nodes.Node]:
    """The caveat box: standard title, and the standard text unless the author wrote a body."""
    scope = node.get("scope", "")
    title, text = scope_wording(scope, ctx)
    box, body = callout("scope", node.get("title") or title, ctx, node)
    box["classes"].insert(2, f"evidence-scope-{scope}" if scope else "evidence-scope-general")
    if len(node.children):
        for child in list(node.children):
            node.remove(child)
            body += child
    elif text:
        body += nodes.paragraph(text, text)
    return [finish(box, body)]


def render_disclaimer(node: disclaimer, ctx: PageContext) -> list[nodes.Node]:
    """The site-wide disclaimer, one paragraph per blank-line-separated block."""
    text = str(_config(ctx).evidence_disclaimer or "").strip()
    if not text:
        return []
    out: list[nodes.Node] = []
    for block in (b.strip() for b in text.split("\n\n")):
        if block:
            block = " ".join(block.split())
            out.append(nodes.paragraph(block, block, classes=["evidence-disclaimer"]))
    return out


def check_scope_texts(app: Any, config: Any) -> None:
    """``config-inited``: warn about ``evidence_scope_texts`` entries that are not kinds of evidence."""
    texts = config.evidence_scope_texts
    if not isinstance(texts, dict):
        return
    for key, value in texts.items():
        if key not in SCOPE_DEFAULTS:
            logger.warning("evidence_scope_texts: unknown kind of evidence %r (allowed: %s)", key,
                           ", ".join(SCOPE_DEFAULTS), type="evidence", subtype="config")
        elif not isinstance(value, (str, dict)):
            logger.warning("evidence_scope_texts[%r] must be a string or a dict with 'title' and 'text'", key,
                           type="evidence", subtype="config")
