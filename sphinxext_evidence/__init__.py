"""sphinxext-evidence: evidence-based health writing for Sphinx."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def setup(app: Any) -> dict[str, Any]:
    """Wire the extension into Sphinx: config values, domain, roles, directives, events, CSS."""
    from sphinxext_evidence import assets, config, fetch, nodes, resolve
    from sphinxext_evidence.directives.pmid import PmidDirective
    from sphinxext_evidence.directives.references import ReferencesDirective
    from sphinxext_evidence.domain import EvidenceDomain
    from sphinxext_evidence.render.cards import render_study_card
    from sphinxext_evidence.render.references import render_cite, render_reference_list
    from sphinxext_evidence.roles import pmid_role

    config.register(app)
    app.connect("config-inited", config.stash_secrets)
    app.add_domain(EvidenceDomain)

    app.add_role("pmid", pmid_role())
    app.add_directive("references", ReferencesDirective)
    app.add_directive("pmid", PmidDirective)

    resolve.register_renderer(nodes.pending_cite, render_cite)
    resolve.register_renderer(nodes.study_card, render_study_card)
    resolve.register_renderer(nodes.reference_list, render_reference_list)

    # -- regulatory-status (issue 4): directive, renderer (openFDA Source lives in fetch.py) --
    from sphinxext_evidence.directives.regulatory import (
        RegulatoryStatusDirective,
        regulatory_status,
    )
    from sphinxext_evidence.render.regulatory import render_regulatory_status

    app.add_directive("regulatory-status", RegulatoryStatusDirective)
    resolve.register_renderer(regulatory_status, render_regulatory_status)
    # -- end regulatory-status --

    # -- GRADE certainty (issue 3): evidence-grade, certainty-table, evidence-index --
    from sphinxext_evidence.directives import grade as grade_directives
    from sphinxext_evidence.render import grades as grade_render

    app.add_directive("evidence-grade", grade_directives.EvidenceGradeDirective)
    app.add_directive("certainty-table", grade_directives.CertaintyTableDirective)
    app.add_directive("evidence-index", grade_directives.EvidenceIndexDirective)
    resolve.register_renderer(nodes.grade_card, grade_render.render_grade)
    resolve.register_renderer(nodes.certainty_table, grade_render.render_certainty_table)
    resolve.register_renderer(nodes.grade_index, grade_render.render_grade_index)
    app.connect("env-get-outdated", grade_directives.remember_grades)
    app.connect("env-updated", grade_directives.index_pages_to_rewrite)
    app.connect("html-page-context", grade_render.add_sort_script)
    # -- end GRADE certainty --

    # -- article furniture (issue 5): bottom-line, evidence-scope, article-info, :doi:, :nct:, :rsid: --
    from sphinxext_evidence import jsonld
    from sphinxext_evidence.directives import article_info as article_info_directive
    from sphinxext_evidence.directives import callouts as callout_directives
    from sphinxext_evidence.render import article_info as article_info_render
    from sphinxext_evidence.render import callouts as callout_render
    from sphinxext_evidence.roles import doi_role, nct_role, rsid_role

    app.add_role("doi", doi_role())
    app.add_role("nct", nct_role())
    app.add_role("rsid", rsid_role())
    app.add_directive("bottom-line", callout_directives.BottomLineDirective)
    app.add_directive("evidence-scope", callout_directives.EvidenceScopeDirective)
    app.add_directive("evidence-article-info", article_info_directive.ArticleInfoDirective)
    # ``article-info`` is registered once all extensions are loaded (sphinx-design has one too).
    app.connect("config-inited", article_info_directive.register, priority=900)
    app.connect("config-inited", callout_render.check_scope_texts)
    app.add_transform(callout_directives.AppendDisclaimer)
    resolve.register_renderer(nodes.bottom_line, callout_render.render_bottom_line)
    resolve.register_renderer(nodes.evidence_scope, callout_render.render_evidence_scope)
    resolve.register_renderer(nodes.disclaimer, callout_render.render_disclaimer)
    resolve.register_renderer(nodes.article_info, article_info_render.render_article_info)
    app.connect("html-page-context", jsonld.add_to_page)
    # -- end article furniture --

    app.add_transform(resolve.EnsureReferenceList)
    app.add_post_transform(resolve.ResolveEvidence)
    app.connect("env-updated", fetch.on_env_updated)

    app.connect("config-inited", assets.add_static_path)
    app.add_css_file("evidence.css")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
