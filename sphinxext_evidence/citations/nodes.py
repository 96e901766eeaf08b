"""Placeholder nodes of the citations feature, replaced at resolve time."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.resolve import evidence_placeholder


class citing:
    """Mixin for placeholders that cite works; ``keys`` lists citation keys such as ``pmid:37818733``."""


class pending_cite(evidence_placeholder, citing, nodes.Inline):
    """An inline citation (``:pmid:``, ``:doi:``): becomes ``[1, 2]``."""


class reference_list(evidence_placeholder, nodes.General):
    """Where a page's numbered reference list goes (``auto`` when appended by the extension)."""


class study_card(evidence_placeholder, citing, nodes.General):
    """A study card for one paper (``pmid`` directive); children are the author's body text."""
