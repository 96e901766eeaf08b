"""The ``bottom-line`` and ``evidence-scope`` directives: callouts the reader cannot miss."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform

from sphinxext_evidence.directives.base import EvidenceDirective, option_spec
from sphinxext_evidence.grade import CERTAINTY_NAMES, parse_certainty
from sphinxext_evidence.nodes import (
    bottom_line,
    disclaimer,
    evidence_placeholder,
    evidence_scope,
)

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


class AppendDisclaimer(SphinxTransform):
    """At read time: end every page that uses the extension with the site-wide disclaimer."""

    default_priority = 890  # after EnsureReferenceList (880), so it follows the reference list

    def apply(self, **kwargs: Any) -> None:
        """Append a :class:`disclaimer` placeholder when ``evidence_disclaimer`` is set."""
        if not str(self.config.evidence_disclaimer or "").strip():
            return
        if not any(True for _ in self.document.findall(evidence_placeholder)):
            return
        node = disclaimer(docname=self.env.docname)
        node.source = self.document["source"]
        self.document += node
