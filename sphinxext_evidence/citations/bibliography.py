"""The site-wide bibliography: ``.. evidence-bibliography::`` lists every work cited anywhere, with the pages citing it.

Which works and pages come from the domain's ``cite`` notes; the records come
through the resolve stage (``needs``), like the corrections report.  The page
showing it is written again whenever what it shows changes.
"""

from __future__ import annotations

import json
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.nodes import make_refnode

from sphinxext_evidence.citations.references import (
    flag_badge,
    max_authors,
    styled_reference,
)
from sphinxext_evidence.directive import TableDirective
from sphinxext_evidence.domain import CITE, get_domain
from sphinxext_evidence.identifiers import key_label
from sphinxext_evidence.records.model import Article, plain_title
from sphinxext_evidence.render_utils import paragraph
from sphinxext_evidence.resolve import PageContext, evidence_placeholder

BUCKET = "bibliography"
SNAPSHOT = "bibliography_snapshot"


class bibliography_list(evidence_placeholder, nodes.General):
    """Where the site-wide bibliography goes."""


class BibliographyDirective(TableDirective):
    """``.. evidence-bibliography::``: every work the site cites, with the pages that cite it."""

    bucket = BUCKET
    placeholder = bibliography_list


def cited_works(env: Any, records: Any) -> list[tuple[str, list[str]]]:
    """Every cited work (its canonical key) and the pages citing it, in bibliography order."""
    pages: dict[str, list[str]] = {}
    for docname, keys in get_domain(env).bucket(CITE):
        for key in keys:
            citing = pages.setdefault(records.canonical(key), [])
            if docname not in citing:
                citing.append(docname)
    return sorted(pages.items(), key=lambda item: sort_key(item[0], records.get(item[0])))


def sort_key(key: str, article: Any) -> tuple[int, str, str, str]:
    """Alphabetical by first author (or title), then year and title; works without a record last."""
    if not isinstance(article, Article):
        return 1, key, "", ""
    first = article.authors[0] if article.authors else None
    name = (first.literal or first.family) if first else plain_title(article.title)
    return 0, name.casefold(), article.year, plain_title(article.title).casefold()


def _page_link(ctx: PageContext, page: str) -> nodes.Node:
    title = ctx.env.titles.get(page)
    text = nodes.Text(title.astext() if title is not None else page)
    builder = getattr(ctx.app, "builder", None)
    return make_refnode(builder, ctx.docname, page, "", text) if builder is not None else text


def render_bibliography(node: bibliography_list, ctx: PageContext) -> list[nodes.Node]:
    """The bibliography as a list (a sentence when nothing is cited yet)."""
    works = cited_works(ctx.env, ctx.records)
    if not works:
        return [paragraph("No page cites a work yet.", classes=["evidence-bibliography-empty"])]
    limit = max_authors(ctx.config)
    out = nodes.bullet_list(classes=["evidence-bibliography"])
    for key, pages in works:
        article = ctx.records.get(key)
        reference = nodes.paragraph(classes=["evidence-bibliography-reference"])
        if not isinstance(article, Article):
            reference += nodes.Text(f"{key_label(key)} — metadata not available.")
        else:
            reference.extend(flag_badge(article, ctx))
            reference.extend(styled_reference(article, ctx, limit))
        cited_on = paragraph("Cited on: ", classes=["evidence-bibliography-pages"])
        for i, page in enumerate(pages):
            cited_on += [nodes.Text(", ")] if i else []
            cited_on += _page_link(ctx, page)
        out += nodes.list_item("", reference, cited_on, classes=["evidence-bibliography-entry"])
    return [out]


def pages_to_rewrite(app: Sphinx, env: Any) -> list[str]:
    """``env-updated`` (after the records are known): pages showing the bibliography, when what it shows changed."""
    domain = get_domain(env)
    pages = [docname for docname, _ in domain.bucket(BUCKET)]
    if not pages:
        return []
    store = domain.store
    shown = [(key, repr(store.get(key)), [(page, env.titles[page].astext() if page in env.titles else page)
                                    for page in citing])
             for key, citing in cited_works(env, store)]
    snapshot = json.dumps(shown, sort_keys=True, default=str)
    if domain.data.get(SNAPSHOT) == snapshot:
        return []
    domain.data[SNAPSHOT] = snapshot
    return pages
