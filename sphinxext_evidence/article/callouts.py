"""The callout box shared by the bottom line and evidence-scope caveats.

Each renders as a docutils ``admonition`` with a title and ``evidence-*``
classes, which every builder knows (HTML box, LaTeX ``sphinxadmonition``,
indented block with its title in text), plus sphinx-design's shadow and
rounding in HTML when sphinx-design is loaded.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

from sphinxext_evidence.resolve import PageContext

SD_CALLOUT_CLASSES = ["sd-shadow-sm", "sd-rounded-2"]

def config_of(ctx: PageContext) -> Any:
    """The build configuration."""
    return ctx.env.config


def sphinx_design_loaded(ctx: PageContext) -> bool:
    """True when sphinx-design is loaded in this build (its classes may then be used)."""
    app = getattr(ctx.env, "_app", None)
    if app is not None:
        return "sphinx_design" in app.extensions
    return "sphinx_design" in (config_of(ctx).extensions or [])


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
