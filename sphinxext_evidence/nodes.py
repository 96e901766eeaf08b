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


# --- article furniture (issue 5): bottom-line, evidence-scope, article-info, disclaimer ---


class bottom_line(evidence_placeholder, nodes.General):
    """The ``bottom-line`` callout: ``title``, ``certainty`` (or ''); children are the body."""


class evidence_scope(evidence_placeholder, nodes.General):
    """An ``evidence-scope`` caveat: ``scope`` is the kind of evidence; children replace the default text."""


class article_info(evidence_placeholder, nodes.General):
    """The ``article-info`` byline: ``author``, ``reviewers``, ``last_reviewed``, ``last_updated``."""


class disclaimer(evidence_placeholder, nodes.General):
    """Where the site-wide ``evidence_disclaimer`` goes (appended to every page using the extension)."""


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
