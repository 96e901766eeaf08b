"""Article furniture: ``bottom-line``, ``evidence-scope``, ``article-info`` and the site-wide disclaimer."""

from __future__ import annotations

from sphinx.application import Sphinx

from sphinxext_evidence.article import cite_page, info, jsonld, scope
from sphinxext_evidence.article.bottom_line import BottomLineDirective, render_bottom_line
from sphinxext_evidence.article.byline import render_article_info
from sphinxext_evidence.article.disclaimer import AppendDisclaimer, render_disclaimer
from sphinxext_evidence.article.nodes import article_info, bottom_line, disclaimer, evidence_scope
from sphinxext_evidence.resolve import register_renderer


def setup(app: Sphinx) -> None:
    """Register the directives, the disclaimer transform, the renderers and the JSON-LD page hook."""
    app.add_directive("bottom-line", BottomLineDirective)
    app.add_directive("evidence-scope", scope.EvidenceScopeDirective)
    app.add_directive("evidence-article-info", info.ArticleInfoDirective)
    # ``article-info`` is registered once all extensions are loaded (sphinx-design has one too).
    app.connect("config-inited", info.register, priority=900)
    app.connect("config-inited", scope.check_scope_texts)
    app.add_transform(AppendDisclaimer)
    register_renderer(app, bottom_line, render_bottom_line)
    register_renderer(app, evidence_scope, scope.render_evidence_scope)
    register_renderer(app, disclaimer, render_disclaimer)
    register_renderer(app, article_info, render_article_info)
    app.connect("html-page-context", jsonld.add_to_page)
    app.connect("html-page-context", cite_page.add_to_page)
