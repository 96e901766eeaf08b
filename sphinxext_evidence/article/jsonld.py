"""schema.org JSON-LD for pages with an ``article-info`` byline.

Works the page cites are ``citation`` entries; a retracted work is listed
under ``mentions`` instead, so machines do not read it as support, and every
flagged work carries ``creativeWorkStatus`` in words ("Retracted",
"Expression of concern") with its notices under ``correction``.

The data is computed at resolve time (where the page's citations are numbered)
and kept on the rendered byline node as a JSON string, so it travels with the
doctree to parallel write workers; the ``html-page-context`` handler puts it
in the page head.  ``</`` is escaped so the JSON cannot end the script element.
"""

from __future__ import annotations

import json
from typing import Any

from sphinxext_evidence.identifiers import PUBMED_URL, doi_url, key_parts
from sphinxext_evidence.records.model import Article, plain_title

ATTRIBUTE = "evidence_jsonld"
SCHEMA_TYPES = {"chapter": "Chapter", "book": "Book"}


def person(name: str) -> dict[str, str]:
    """A schema.org ``Person``."""
    return {"@type": "Person", "name": name}


def citation(key: str, article: Article | None) -> dict[str, Any]:
    """A cited work as a schema.org ``ScholarlyArticle`` (or ``Book``/``Chapter``) with its PMID and DOI."""
    kind, ident = key_parts(key)
    pmid = article.pmid if article and article.pmid else (ident if kind == "pmid" else "")
    doi = article.doi if article and article.doi else (ident if kind == "doi" else "")
    data: dict[str, Any] = {"@type": SCHEMA_TYPES.get(article.type, "ScholarlyArticle") if article else "CreativeWork"}
    if article is not None:
        if article.title:
            data["name"] = plain_title(article.title)
        authors = [
            {"@type": "Organization", "name": a.literal} if a.literal else person(a.full)
            for a in article.authors if a.full
        ]
        if authors:
            data["author"] = authors  # collective authors ("CASTA Investigators") are organisations
        if article.year:
            data["datePublished"] = article.year
        if article.journal and article.type not in SCHEMA_TYPES:
            data["isPartOf"] = {"@type": "Periodical", "name": article.container_title or article.journal}
    identifiers = []
    same_as = []
    if pmid:
        identifiers.append({"@type": "PropertyValue", "propertyID": "PMID", "value": pmid})
        same_as.append(PUBMED_URL.format(pmid))
    if doi:
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": doi})
        same_as.append(doi_url(doi))
    if identifiers:
        data["identifier"] = identifiers
        data["sameAs"] = same_as
        data["url"] = same_as[0]
    if article is not None and article.mark:
        # schema.org has no retraction type: the status is stated in words, with links to the notices.
        data["creativeWorkStatus"] = article.flags()[0].label
        notices = [PUBMED_URL.format(n.pmid) if n.pmid else doi_url(n.doi)
                   for n in article.notices if n.info.flags and (n.pmid or n.doi)]
        if notices:
            data["correction"] = notices
    return data


def is_support(article: Article | None) -> bool:
    """False for a retracted work: the page mentions it but does not rest on it."""
    return article is None or not article.retracted


def medical_web_page(
    name: str,
    authors: list[str],
    reviewers: list[str],
    last_reviewed: str,
    last_updated: str,
    citations: list[dict[str, Any]],
    mentions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A schema.org ``MedicalWebPage`` with its byline, review dates, citations and (retracted) mentions."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "MedicalWebPage"}
    if name:
        data["name"] = name
    if authors:
        data["author"] = [person(n) for n in authors]
    if reviewers:
        data["reviewedBy"] = [person(n) for n in reviewers]
    if last_reviewed:
        data["lastReviewed"] = last_reviewed
    if last_updated:
        data["dateModified"] = last_updated
    if citations:
        data["citation"] = citations
    if mentions:
        data["mentions"] = mentions
    return data


def script_safe(data: dict[str, Any]) -> str:
    """JSON for a ``<script>`` element in HTML and XHTML (EPUB): no ``<``, ``>`` or ``&`` appears literally.

    JSON's ``\\u`` escapes keep the data identical while nothing can close the
    element, start a comment or break an XML parser.
    """
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_tag(json_text: str) -> str:
    """The ``<script type="application/ld+json">`` element for already script-safe JSON."""
    return f'<script type="application/ld+json">\n{json_text}\n</script>\n'


def add_to_page(app: Any, pagename: str, _templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context``: put the JSON-LD kept on the page's byline into the page head."""
    if doctree is None or not app.config.evidence_jsonld:
        return
    found = [str(text) for text in doctree.get(ATTRIBUTE, [])]
    if not found:
        return
    base = str(app.config.html_baseurl or "")
    if base and len(found) == 1:
        # The stored text is JSON (``<\/`` is a valid JSON escape), so it can be extended here.
        data = json.loads(found[0])
        data["url"] = base.rstrip("/") + "/" + app.builder.get_target_uri(pagename)
        found = [script_safe(data)]
    context["metatags"] = context.get("metatags", "") + "".join(script_tag(text) for text in found)
