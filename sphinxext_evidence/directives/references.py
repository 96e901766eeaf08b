"""The ``references`` directive: where the page's numbered reference list goes."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.directives.base import EvidenceDirective, option_spec
from sphinxext_evidence.nodes import reference_list


class ReferencesDirective(EvidenceDirective):
    """Place the page's reference list here (one per page)."""

    has_content = False
    option_spec = option_spec()

    def run(self) -> list[nodes.Node]:
        """Leave a :class:`reference_list` placeholder."""
        self.check_options()
        return [self.place(reference_list(auto=False))]
