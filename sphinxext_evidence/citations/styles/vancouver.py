"""Vancouver: the NLM's *Citing Medicine* order, as the ICMJE recommends; numbered ``[1, 3–5]``.

Journal article: ``Authors. Title. Journal Abbrev. 2023 Oct 11;10(10):CD007026. doi:…``
(up to six authors, then "et al."; NLM's journal abbreviation without periods;
the last page without the digits it repeats; an article number where there are
no pages).  Book: ``Authors. Title [Internet]. 2nd ed. Place: Publisher; Year.``
Chapter: ``Authors. Title. In: Editors, editors. Book. Place: Publisher; Year.
p. pages.``; a chapter with its own dates (GeneReviews) gives them after its
title: ``2003 Dec 17 [updated 2023 Sep 28]``.
"""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.citations.styles import Cited, MakeLink
from sphinxext_evidence.citations.styles.common import (
    BaseStyle,
    LocatorText,
    Parts,
    condensed_pages,
    doi_link,
    nlm_date,
    nlm_names,
    numbered,
    sentence,
    titled,
    year_range,
)
from sphinxext_evidence.records.model import Article
from sphinxext_evidence.render_utils import link
from sphinxext_evidence.text import squash

LOCATOR = LocatorText({"figure": "fig.", "table": "table", "supplement": "suppl.", "chapter": "ch.",
                       "section": "sec.", "paragraph": "para.", "appendix": "app."}, "p. ", "pp. ")


def journal_abbreviation(article: Article) -> str:
    """The journal's abbreviation as NLM writes it (no periods), else its full title."""
    if article.journal and article.journal != article.container_title:
        return squash(article.journal.replace(".", " "))
    return article.journal


def edition(text: str) -> str:
    """``2nd ed.`` from ``2`` or ``2nd``; other wording as it is."""
    text = text.strip()
    if text.isdigit():
        n = int(text)
        ordinal = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{ordinal} ed."
    return text if "ed" in text.lower() else f"{text} ed."


class VancouverStyle(BaseStyle):
    """NLM/ICMJE references, numbered in order of first citation."""

    name = "vancouver"
    author_limit = 6

    def entry(self, article: Article, max_authors: int | None = None, suffix: str = "") -> list[nodes.Node]:
        """The *Citing Medicine* entry for a journal article, preprint, book, chapter or data set."""
        limit = self.limit(max_authors)
        out: Parts = []
        authors = nlm_names(article.authors, limit)
        if not authors and article.type == "book" and article.editors:
            authors = f"{nlm_names(article.editors, limit)}, {_editors(article)}"
        if authors:
            out.append(nodes.Text(sentence(authors) + " "))
        bracket = f" [{article.medium}]" if article.medium and article.type == "book" else ""
        bracket += " [dataset]" if article.type == "dataset" else ""
        out.extend(titled(article.title, after=bracket))
        date = nlm_date(article.issued, article.issued_end, article.season) or article.year
        if article.type == "chapter":
            out.append(nodes.Text(self._chapter(article, limit, date)))
        elif article.type in ("book", "dataset", "report", "thesis"):
            out.append(nodes.Text(_published(article, date)))
        elif article.preprint:
            container = journal_abbreviation(article) or article.container_title or article.publisher
            where = f":{article.number}" if article.number else ""
            out.append(nodes.Text(f" {container} [Preprint]. {date}{where}."))
        else:
            out.append(nodes.Text(self._journal(article, date)))
        if article.doi:
            out.append(nodes.Text(" "))
            out.extend(doi_link(article, f"doi:{article.doi}"))
        elif article.url and article.medium.lower() == "internet":
            out.extend([nodes.Text(" Available from: "), link(article.url, article.url)])
        return out

    @staticmethod
    def _journal(article: Article, date: str) -> str:
        """`` Journal. 2023 Oct 11;10(10):CD007026.``"""
        place = (f";{article.volume}" if article.volume else "") + (f"({article.issue})" if article.issue else "")
        pages = condensed_pages(article.page) if article.page else article.number
        place += f":{pages}" if pages else ""
        journal = journal_abbreviation(article)
        if place and not date:
            date = "[date unknown]"  # Citing Medicine's words for a work whose date cannot be found
        parts = [sentence(journal) if journal else "", f"{date}{place}." if date or place else ""]
        return "".join(f" {x}" for x in parts if x)

    @staticmethod
    def _chapter(article: Article, limit: int, date: str) -> str:
        """`` [date [updated …].] In: Editors, editors. Book [Internet]. Place: Publisher; Year. p. pages.``"""
        own_dates = bool(article.container_issued)
        text = ""
        if own_dates and date:
            updated = f" [updated {nlm_date(article.revised)}]" if article.revised else ""
            text += f" {date}{updated}."
        editors = nlm_names(article.editors, limit)
        text += f" In: {editors}, {_editors(article)}." if editors else " In:"
        text += " " + sentence(article.container_title + (f" [{article.medium}]" if article.medium else ""))
        text += _published(article, year_range(article.container_issued) if own_dates else date)
        return text + (f" p. {condensed_pages(article.page)}." if article.page else "")

    def inline(self, works: list[Cited], make_link: MakeLink) -> list[nodes.Node]:
        """``[1, 3–5]``; ``[1, p. 33]``; a flagged work reads ``[2 (retracted)]``."""
        return numbered(works, make_link, LOCATOR)


def _editors(article: Article) -> str:
    return "editors" if len(article.editors) > 1 else "editor"


def _published(article: Article, date: str) -> str:
    """`` 2nd ed. Place: Publisher; Year.``"""
    publisher = ": ".join(x for x in (article.publisher_place, article.publisher) if x)
    parts = [edition(article.edition) if article.edition else "",
             "; ".join(x for x in (publisher, date) if x) + "." if publisher or date else ""]
    return "".join(f" {x}" for x in parts if x)
