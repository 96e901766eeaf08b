"""Placeholder nodes left by roles and directives at read time.

Every placeholder is replaced during resolution (see :mod:`resolve`) by
standard docutils nodes, so no builder ever has to know these classes.
"""

from __future__ import annotations

from docutils import nodes


class evidence_placeholder(nodes.Element):
    """Base of every node replaced at resolve time; ``docname`` is the page it was read from."""


class citing:
    """Mixin for placeholders that cite works; ``keys`` lists citation keys such as ``pmid:37818733``."""


class pending_cite(evidence_placeholder, citing, nodes.Inline):
    """An inline citation (``:pmid:``, ``:doi:``): becomes ``[1, 2]``."""


class reference_list(evidence_placeholder, nodes.General):
    """Where a page's numbered reference list goes (``auto`` when appended by the extension)."""


class study_card(evidence_placeholder, citing, nodes.General):
    """A study card for one paper (``pmid`` directive); children are the author's body text."""


# --- GRADE certainty (issue 3): evidence-grade, certainty-table, evidence-index --------------


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
