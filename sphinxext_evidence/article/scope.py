"""``evidence-scope`` caveats: what kind of evidence a statement rests on (clinical, animal, in vitro …)."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from sphinxext_evidence import log
from sphinxext_evidence.article.callouts import callout, config_of, finish
from sphinxext_evidence.article.nodes import evidence_scope
from sphinxext_evidence.directive import EvidenceDirective, option_spec
from sphinxext_evidence.resolve import PageContext

# The kinds of evidence an ``evidence-scope`` caveat can describe, strongest first.
SCOPES = ("clinical", "clinical-limited", "observational", "animal", "in-vitro", "mechanistic")
SCOPE_ALIASES = {
    "clinical-trials": "clinical",
    "limited": "clinical-limited",
    "limited-clinical": "clinical-limited",
    "epidemiological": "observational",
    "observational-studies": "observational",
    "animals": "animal",
    "preclinical": "animal",
    "invitro": "in-vitro",
    "cell": "in-vitro",
    "cells": "in-vitro",
    "cell-based": "in-vitro",
    "mechanism": "mechanistic",
    "theoretical": "mechanistic",
}


def parse_scope(text: str) -> str | None:
    """``"In vitro"`` → ``"in-vitro"``; None when it is not a known kind of evidence."""
    value = "-".join(text.strip().lower().replace("_", " ").split())
    value = SCOPE_ALIASES.get(value, value)
    return value if value in SCOPES else None


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


class EvidenceScopeDirective(EvidenceDirective):
    """``.. evidence-scope:: animal``: a caveat on the kind of evidence; a body replaces the standard text."""

    has_content = True
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = option_spec("title", "class")

    def run(self) -> list[nodes.Node]:
        """Validate the kind of evidence and leave an :class:`evidence_scope` placeholder."""
        self.check_options()
        allowed = ", ".join(SCOPES)
        scope = parse_scope(self.arguments[0]) if self.arguments else None
        if scope is None:
            given = f"unknown kind of evidence {self.arguments[0]!r}" if self.arguments else "no kind of evidence given"
            fallback = "the body is shown as a general caveat" if self.content else "no caveat is shown"
            self.warn(f"evidence-scope: {given} (allowed: {allowed}); {fallback}", "invalid-scope")
            if not self.content:
                return []
            scope = ""
        node = self.place(evidence_scope(scope=scope, title=(self.options.get("title") or "").strip(),
                                         classes=(self.options.get("class") or "").split()))
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def scope_wording(scope: str, ctx: PageContext) -> tuple[str, str]:
    """Title and standard text of a caveat, with ``evidence_scope_texts`` applied."""
    title, text = SCOPE_DEFAULTS.get(scope, (GENERAL_SCOPE_TITLE, ""))
    custom = (config_of(ctx).evidence_scope_texts or {}).get(scope)
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


def check_scope_texts(app: Any, config: Any) -> None:
    """``config-inited``: warn about ``evidence_scope_texts`` entries that are not kinds of evidence."""
    texts = config.evidence_scope_texts
    if not isinstance(texts, dict):
        return
    for key, value in texts.items():
        if key not in SCOPE_DEFAULTS:
            log.warn(f"evidence_scope_texts: unknown kind of evidence {key!r} (allowed: {', '.join(SCOPE_DEFAULTS)})",
                     "config")
        elif not isinstance(value, (str, dict)):
            log.warn(f"evidence_scope_texts[{key!r}] must be a string or a dict with 'title' and 'text'", "config")
