"""Placeholder nodes of the article furniture, replaced at resolve time."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.resolve import evidence_placeholder


class bottom_line(evidence_placeholder, nodes.General):
    """The ``bottom-line`` callout: ``title``, ``certainty`` (or ''); children are the body."""


class evidence_scope(evidence_placeholder, nodes.General):
    """An ``evidence-scope`` caveat: ``scope`` is the kind of evidence; children replace the default text."""


class article_info(evidence_placeholder, nodes.General):
    """The ``article-info`` byline: ``author``, ``reviewers``, ``last_reviewed``, ``last_updated``."""


class disclaimer(evidence_placeholder, nodes.General):
    """Where the site-wide ``evidence_disclaimer`` goes (appended to every page using the extension)."""
