"""Citations: the ``:pmid:``/``:doi:`` roles, page numbering, reference lists and study cards."""

from __future__ import annotations

from sphinx.application import Sphinx

from sphinxext_evidence.citations import bibliography, corrections, roles, styles, titles
from sphinxext_evidence.citations.cards import PmidDirective, render_study_card
from sphinxext_evidence.citations.nodes import pending_cite, reference_list, study_card
from sphinxext_evidence.citations.numbering import cite_nodes, number_keys
from sphinxext_evidence.citations.references import (
    EnsureReferenceList,
    KeepReferenceList,
    ReferencesDirective,
    render_reference_list,
)
from sphinxext_evidence.identifiers import WORK
from sphinxext_evidence.resolve import PageContext, register_renderer
from sphinxext_evidence.sources import manual


def render_cite(node: pending_cite, ctx: PageContext) -> list:
    """Replace a :class:`pending_cite` with its label."""
    return [cite_nodes(node["keys"], ctx, node, node.get("acknowledged", ""), node.get("locators"))]


def setup(app: Sphinx) -> None:
    """Register the roles, directives, read-time transform and renderers of citations."""
    styles.setup(app)
    for name, role in roles.roles().items():
        app.add_role(name, role)
    app.add_directive("references", ReferencesDirective)
    app.add_directive("pmid", PmidDirective)
    app.add_transform(EnsureReferenceList)
    app.add_transform(roles.RolesInCaptions)
    titles.setup(app)
    app.add_post_transform(KeepReferenceList)
    register_renderer(app, pending_cite, render_cite, prepare=number_keys)
    register_renderer(app, study_card, render_study_card, prepare=number_keys)
    register_renderer(app, reference_list, render_reference_list, last=True)
    app.add_directive("evidence-corrections", corrections.CorrectionsReportDirective)
    register_renderer(app, corrections.corrections_report, corrections.render_report, needs=corrections.cited_everywhere)
    app.connect("env-updated", corrections.report_pages_to_rewrite)
    app.connect("build-finished", corrections.write_json)
    # Works declared in a file: the role, and their records added once the fetch stage has made the store.
    app.add_role(WORK.name, roles.CiteRole(WORK))
    app.connect("env-updated", manual.merge, priority=600)
    app.add_directive("evidence-bibliography", bibliography.BibliographyDirective)
    register_renderer(app, bibliography.bibliography_list, bibliography.render_bibliography,
                      needs=corrections.cited_everywhere)
    app.connect("env-updated", bibliography.pages_to_rewrite, priority=700)
