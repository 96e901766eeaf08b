"""The benchmark's markup floor: the extension's markup read by directives and roles that do nothing with it.

Loaded instead of sphinxext_evidence by the ``markup`` twin, which holds the
very pages of the ``evidence`` twin.  Each directive takes the options of the
extension's own directive (so docutils parses the same option blocks) and
keeps its content, parsed, in a container; each role leaves its text.  What a
build of it costs is what the markup costs before any evidence work, so the
extension's own share is its build less this one.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from sphinx.application import Sphinx


class KeepContent(Directive):
    """Any evidence directive: its options parsed and dropped, its content parsed into a container."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        """The content, parsed."""
        box = nodes.container()
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


def keep_text(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None,
              content: Any = None) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """Any evidence role: its text as it was written."""
    return [nodes.Text(text)], []


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension's directive and role names with the do-nothing versions."""
    from sphinxext_evidence.article.bottom_line import BottomLineDirective
    from sphinxext_evidence.citations.references import ReferencesDirective
    from sphinxext_evidence.grade.directives import CertaintyTableDirective, EvidenceGradeDirective
    from sphinxext_evidence.regulatory.directive import RegulatoryStatusDirective

    for name, real in (("evidence-grade", EvidenceGradeDirective), ("certainty-table", CertaintyTableDirective),
                       ("regulatory-status", RegulatoryStatusDirective), ("bottom-line", BottomLineDirective),
                       ("references", ReferencesDirective)):
        spec = {option: directives.unchanged for option in real.option_spec or {}}
        app.add_directive(name, type(name.title().replace("-", ""), (KeepContent,), {"option_spec": spec}))
    for name in ("pmid", "doi"):
        app.add_role(name, keep_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
