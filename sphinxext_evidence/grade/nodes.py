"""Placeholder nodes of the GRADE feature, replaced at resolve time."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.citations.nodes import citing
from sphinxext_evidence.resolve import evidence_placeholder


class grade_card(evidence_placeholder, citing, nodes.General):
    """One outcome's GRADE judgement (``evidence-grade``); ``keys`` are its ``:source:`` papers.

    ``grade`` holds the validated values (a dict of strings), ``anchor`` the id the
    evidence index links to, ``in_table`` is true inside a ``certainty-table`` (the
    table renders the row and this node only the citation numbers).  Children: the
    author's comment (a container).
    """


class certainty_table(evidence_placeholder, nodes.General):
    """A summary-of-findings table (``certainty-table``); children are its :class:`grade_card` nodes."""


class grade_index(evidence_placeholder, nodes.General):
    """Where the project-wide list of every GRADE judgement goes (``evidence-index``)."""
