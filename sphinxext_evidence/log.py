"""The extension's one warning function and the list of warning subtypes it may use.

Every warning has the type ``evidence`` and one of the subtypes below, so that
``suppress_warnings = ["evidence.<subtype>"]`` silences exactly one kind.  The
documentation (``docs/reference/warnings.rst``) explains each subtype; a test
and the docs build check that the list, the code and the page agree.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.util import logging
from sphinx.util.logging import get_node_location

logger = logging.getLogger("sphinxext_evidence")

#: subtype -> when it is emitted (one line; the docs page has the long form).
SUBTYPES: dict[str, str] = {
    # while reading pages
    "invalid-pmid": "a PMID that is not 1 to 9 digits",
    "invalid-doi": "a DOI that is not 10.<registrant>/<suffix>",
    "invalid-nct": "a ClinicalTrials.gov identifier that is not NCT and 8 digits",
    "invalid-rsid": "a dbSNP identifier that is not rs and digits",
    "empty": "a role, option or directive body left empty",
    "unknown-option": "a directive option the directive does not know",
    "invalid-option": "an option value outside the allowed list",
    "missing-option": "a required option is missing",
    "invalid-certainty": "a bottom-line certainty that is not a GRADE level",
    "grade-inconsistent": "a GRADE certainty that does not follow from design, downgrades and upgrades",
    "grade-effect": "an effect that does not fit the certainty",
    "grade-direction": "an effect whose direction contradicts the :relative: estimate",
    "grade-imprecision": "a confidence interval that includes no effect, stated as large or not downgraded",
    "grade-outcome-type": "an outcome whose polarity (desirable or not) is unknown",
    "grade-reason": "a downgrade or upgrade without a reason",
    "grade-design": "studies that mix randomised and non-randomised designs",
    "nested-table": "a certainty-table inside another",
    "invalid-scope": "an evidence-scope kind that is not known",
    "invalid-date": "an article-info date that is not an ISO date",
    "duplicate-article-info": "more than one article-info byline on a page",
    "regulatory-date": "a missing or malformed :as-of: date",
    "regulatory-jurisdiction": "a jurisdiction that is not an ISO 3166-1 code, EU or WHO",
    "regulatory-status": "a missing or unknown status keyword",
    "regulatory-duplicate": "a jurisdiction given twice",
    "regulatory-syntax": "body content that is not a field list",
    "regulatory-empty": "a regulatory-status without jurisdictions",
    "regulatory-option": "a regulatory-status option that cannot be used",
    "duplicate-references": "more than one references directive on a page",
    "hidden-references": "a references directive in an only block the builder leaves out",
    "unparsed-role": "a citation role where Sphinx reads no roles (a toctree caption)",
    "locator": "a citation locator (p. 33) that cannot be read, or that seems to hold the next identifier",
    "invalid-work": "a manual record id (in :work: or in the manual records file) that is not a valid id",
    "manual-record": "a manual records file, or an entry in it, that cannot be read or used as it is",
    # configuration
    "config": "an evidence_* configuration value that is wrong, unknown or missing",
    # fetching
    "fetch": "a service request that failed for good",
    "network": "no network, or the build's network deadline passed: the remaining fetches were skipped",
    "lockfile": "a lockfile, or a record in it, that cannot be read or written",
    # resolving
    "missing": "a cited identifier with no record in the lockfile",
    "unknown-id": "an identifier the service says does not exist",
    "retracted": "a cited work that is retracted, in whole or in part, and not acknowledged",
    "concern": "a cited work under an expression of concern, not acknowledged",
    "superseded": "a cited work replaced by a newer or corrected version, not acknowledged",
    "grade-retracted-source": "a grade resting on a retracted work",
    "grade-overall": "a bottom-line certainty above the lowest certainty of the critical outcomes",
    "regulatory-unchecked": "a US status not checked against openFDA",
    "regulatory-conflict": "a US status that disagrees with openFDA",
    "regulatory-stale": "a status or FDA check older than the configured age",
    "status-stale": "a cited work whose retraction and correction status was checked too long ago",
}


_said: set[tuple[str, str, str]] = set()


def warn(message: str, subtype: str, location: Any = None, *, once: bool = False) -> None:
    """Log ``message`` as an ``evidence.<subtype>`` warning at ``location`` (node, ``(docname, line)`` or path).

    The same warning about the same place in a page is given once per build:
    some builders (EPUB) resolve a page more than once.
    """
    if isinstance(location, nodes.Node):
        key = (message, subtype, str(get_node_location(location)))
        if key in _said:
            return
        _said.add(key)
    logger.warning(message, location=location, type="evidence", subtype=subtype, once=once)


def start_build(*args: Any) -> None:
    """``config-inited``: a new build warns afresh."""
    _said.clear()


def setup(app: Any) -> None:
    """Forget, as each build starts, which warnings the last one gave."""
    app.connect("config-inited", start_build, priority=1)
