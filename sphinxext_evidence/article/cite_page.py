"""How to cite a page with an ``article-info`` byline: a "Cite this page" block, and Highwire Press meta tags.

The block gives the authors, the page title, the site (``project``), the
date of the byline (last updated, else last reviewed) and, when
``html_baseurl`` is set, the page's address.  The ``citation_*`` meta tags
(the Highwire Press names Google Scholar and Zotero read) say the same in the
HTML head, with one ``citation_reference`` per work the page cites.  Like the
JSON-LD, the tags are made at resolve time and kept on the doctree for the
``html-page-context`` handler; their values are escaped there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from docutils import nodes

from sphinxext_evidence.article.info import _is_credential as is_credential
from sphinxext_evidence.article.nodes import article_info
from sphinxext_evidence.citations.numbering import numbering
from sphinxext_evidence.records.model import Article, plain_title
from sphinxext_evidence.resolve import PageContext

ATTRIBUTE = "evidence_citation_meta"
#: The tag naming the container of a cited work, by CSL type (a web page's site is not one of them).
CONTAINERS = {"article-journal": "citation_journal_title", "chapter": "citation_inbook_title"}
#: Name suffixes that are part of a name, not a qualification.
SUFFIXES = ("Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV")


def person_name(text: str) -> str:
    """A byline name without its qualifications: ``Jonathan Ritter, PharmD, PhD`` → ``Jonathan Ritter``.

    ``A. Writer (PharmD)``, with the qualification in brackets, → ``A. Writer``.
    """
    first, *rest = [piece.strip() for piece in text.split(",")]
    first = re.sub(r"\s*\(([^()]*)\)$", lambda m: "" if is_credential(m.group(1)) else m.group(0), first)
    kept = [first, *(p for p in rest if p in SUFFIXES or not is_credential(p))]
    return ", ".join(p for p in kept if p)


def _dated(node: article_info) -> tuple[str, str]:
    """The byline's date for a citation and how it is named: last updated, else last reviewed ('' when neither)."""
    if node.get("last_updated"):
        return node["last_updated"], "Last updated"
    return (node["last_reviewed"], "Last reviewed") if node.get("last_reviewed") else ("", "")


def page_url(ctx: PageContext) -> str:
    """The page's public address from ``html_baseurl`` (HTML builders only; '' otherwise)."""
    base = str(getattr(ctx.config, "html_baseurl", "") or "")
    builder = getattr(ctx.app, "builder", None)
    if not base or builder is None or ctx.builder_format != "html":
        return ""
    return base.rstrip("/") + "/" + str(builder.get_target_uri(ctx.docname))


def attach(node: article_info, ctx: PageContext) -> list[nodes.Node]:
    """The "Cite this page" block for the byline box; the page's ``citation_*`` tags are kept on the doctree."""
    if not node.get("primary", True) or ctx.config is None:
        return []
    title_node = ctx.env.titles.get(ctx.docname) if ctx.env is not None else None
    title = title_node.astext() if title_node is not None else ""
    names: list[Any] = node.get("authors", [])
    authors = [person_name(name) for name in names]
    date, date_label = _dated(node)
    url = page_url(ctx)
    # Only a byline of the page being written describes it (single-page HTML joins every page into one).
    if ctx.config.evidence_citation_meta and ctx.document is not None and title and ctx.docname == ctx.env.docname:
        works = [ctx.records.get(key) for key in numbering(ctx).ordered()]
        tags = meta_tags(title, authors, date, url, [w for w in works if isinstance(w, Article)])
        ctx.document[ATTRIBUTE] = [list(tag) for tag in tags]
    if not (ctx.config.evidence_cite_this_page and title):
        return []
    from sphinxext_evidence.article.byline import (
        display_date,  # here: the byline module imports this one
    )

    parts = [_joined(authors), title, str(ctx.config.project or ""),
             f"{date_label} {display_date(date)}" if date else ""]
    text = " ".join(_sentence(p) for p in parts if p)
    para = nodes.paragraph(classes=["evidence-cite-page-text"])
    para += nodes.strong("Cite this page:", "Cite this page:")
    para += nodes.Text(f" {text}")
    if url:
        para += nodes.Text(" ")
        para += nodes.reference(url, url, refuri=url, internal=False)
    return [nodes.container("", para, classes=["evidence-cite-page"])]


def _joined(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _sentence(text: str) -> str:
    return text if text.rstrip().endswith((".", "?", "!")) else f"{text}."


def _slashed(iso: str) -> str:
    """An ISO date as Google Scholar asks for it: ``2026/10/20`` (or ``2026/10``, ``2026``)."""
    return iso.replace("-", "/")


def meta_tags(title: str, authors: list[str], date: str, url: str, works: Iterable[Article]) -> list[tuple[str, str]]:
    """The page's ``citation_*`` tags as (name, content) pairs, unescaped."""
    tags = [("citation_title", title), *(("citation_author", a) for a in authors if a)]
    if date:
        tags += [("citation_publication_date", _slashed(date)), ("citation_online_date", _slashed(date))]
    if url:
        tags.append(("citation_public_url", url))
    tags.extend(("citation_reference", reference(work)) for work in works)
    return tags


def _value(text: str) -> str:
    # In a citation_reference, "; " separates the fields, so a semicolon inside a value becomes a comma.
    return " ".join(text.replace(";", ",").split())


def reference(work: Article) -> str:
    """One cited work in ``citation_reference`` form: ``citation_title=…; citation_author=…; citation_doi=…``."""
    fields = [("citation_title", plain_title(work.title)), *(("citation_author", a.full) for a in work.authors)]
    first, _, last = work.page.partition("-")
    container = CONTAINERS.get(work.type)
    fields += [(container, work.container_title)] if container else []
    fields += [("citation_publication_date", work.year), ("citation_volume", work.volume),
               ("citation_issue", work.issue), ("citation_firstpage", first), ("citation_lastpage", last),
               ("citation_publisher", work.publisher if not (work.pmid or work.doi) else ""),
               ("citation_doi", work.doi), ("citation_pmid", work.pmid),
               ("citation_public_url", work.url if not (work.pmid or work.doi) else "")]
    return "; ".join(f"{name}={_value(value)}" for name, value in fields if value.strip())


def add_to_page(app: Any, _pagename: str, _templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context``: write the tags kept on the page's doctree into its head, each value escaped."""
    if doctree is None or not app.config.evidence_citation_meta:
        return
    meta = "".join(f'<meta name="{html.escape(str(name))}" content="{html.escape(str(value))}" />\n'
                   for name, value in doctree.get(ATTRIBUTE) or [])
    if meta:
        context["metatags"] = context.get("metatags", "") + meta
