"""GRADE: ``evidence-grade``, ``certainty-table`` and ``evidence-index``; certainty levels and statements."""

from __future__ import annotations

from sphinx.application import Sphinx

from sphinxext_evidence.citations.numbering import number_keys
from sphinxext_evidence.grade import index
from sphinxext_evidence.grade.card import render_grade
from sphinxext_evidence.grade.directives import CertaintyTableDirective, EvidenceGradeDirective
from sphinxext_evidence.grade.nodes import certainty_table, grade_card, grade_index
from sphinxext_evidence.grade.sof import render_certainty_table
from sphinxext_evidence.resolve import register_renderer


def setup(app: Sphinx) -> None:
    """Register the GRADE directives, renderers and the hooks that keep the evidence index current."""
    app.add_directive("evidence-grade", EvidenceGradeDirective)
    app.add_directive("certainty-table", CertaintyTableDirective)
    app.add_directive("evidence-index", index.EvidenceIndexDirective)
    register_renderer(app, grade_card, render_grade, prepare=number_keys)
    register_renderer(app, certainty_table, render_certainty_table)
    register_renderer(app, grade_index, index.render_grade_index, needs=index.sources_of_every_grade)
    app.connect("env-updated", index.index_pages_to_rewrite)
    app.connect("html-page-context", index.add_sort_script)
