"""AMA (*AMA Manual of Style*, 11th edition): superscript numbers; entries ``Year;Vol(Issue):pages``.

Journal article: ``Authors. Title. *Journal Abbrev*. 2023;10(10):CD007026. doi:…``
(all authors up to six; more than six: the first three and "et al"; the
journal's abbreviation in italics, without periods; pages in full).  Book:
``Authors. *Title*. 2nd ed. Publisher; Year.``  Chapter: ``Authors. Title. In:
Editors, eds. *Book*. Publisher; Year:pages.``  Preprint: ``… *medRxiv*.
Preprint posted online April 10, 2020. doi:…``  In text: superscript numbers,
``1,3-5``, a locator in parentheses: ``3(p33)``.
"""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.citations.styles import Cited, MakeLink
from sphinxext_evidence.citations.styles.common import (
    BaseStyle,
    LocatorText,
    Parts,
    doi_link,
    full_pages,
    long_date,
    nlm_names,
    numbered,
    sentence,
    titled,
    year_range,
)
from sphinxext_evidence.citations.styles.vancouver import edition, journal_abbreviation
from sphinxext_evidence.records.model import Article, Author

LOCATOR = LocatorText({"figure": "fig", "table": "table", "supplement": "suppl", "chapter": "ch",
                       "section": "sec", "paragraph": "para", "appendix": "app"}, "p", "pp", prefix="(", suffix=")")
#: More than six authors: the first three, then "et al".
SHOWN_WHEN_OVER = 3


class AmaStyle(BaseStyle):
    """AMA references, numbered in order of first citation, cited with superscript numbers."""

    name = "ama"
    author_limit = 6

    def names(self, article: Article, limit: int) -> str:
        """All names up to ``limit``; beyond it the first three (the AMA rule) or ``limit``, then "et al"."""
        return _names(article.authors, limit, self.author_limit)

    def entry(self, article: Article, max_authors: int | None = None, suffix: str = "") -> list[nodes.Node]:
        """The AMA entry for a journal article, preprint, book, chapter or data set."""
        limit = self.limit(max_authors)
        out: Parts = []
        authors = _names(article.authors, limit, self.author_limit)
        if not authors and article.type == "book" and article.editors:
            authors = _names(article.editors, limit, self.author_limit) + (", eds" if len(article.editors) > 1
                                                                          else ", ed")
        if authors:
            out.append(nodes.Text(sentence(authors) + " "))
        standalone = article.type in ("book", "dataset", "report", "thesis")
        out.extend(titled(article.title, italic=standalone))
        if article.type == "chapter":
            out.extend(self._chapter(article, limit))
        elif standalone:
            out.append(nodes.Text(_published(article, article.year)))
        elif article.preprint:
            server = journal_abbreviation(article) or article.container_title or article.publisher
            out.extend([nodes.Text(" "), nodes.emphasis(server, server),
                        nodes.Text(f". Preprint posted online {long_date(article.issued) or article.year}.")])
        else:
            out.extend(self._journal(article))
        if article.doi:
            out.append(nodes.Text(" "))
            out.extend(doi_link(article, f"doi:{article.doi}"))
        return out

    @staticmethod
    def _journal(article: Article) -> Parts:
        journal = journal_abbreviation(article)
        place = (f";{article.volume}" if article.volume else "") + (f"({article.issue})" if article.issue else "")
        pages = full_pages(article.page) if article.page else article.number
        place += f":{pages}" if pages else ""
        out: Parts = []
        if journal:
            out.extend([nodes.Text(" "), nodes.emphasis(journal, journal), nodes.Text("" if journal.endswith(".")
                                                                                       else ".")])
        if article.year or place:
            out.append(nodes.Text(f" {article.year}{place if article.year else place.lstrip(';:')}."))
        return out

    def _chapter(self, article: Article, limit: int) -> Parts:
        editors = _names(article.editors, limit, self.author_limit)
        label = "eds" if len(article.editors) > 1 else "ed"
        out: Parts = [nodes.Text(f" In: {editors}, {label}. " if editors else " In: ")]
        out.extend([nodes.emphasis(article.container_title, article.container_title), nodes.Text(".")])
        own_dates = bool(article.container_issued)
        when = year_range(article.container_issued) if own_dates else article.year
        pages = f":{full_pages(article.page)}" if article.page else ""
        text = _published(article, when + pages if when else "")
        if own_dates and article.revised:
            text += f" Updated {long_date(article.revised)}."
        out.append(nodes.Text(text))
        return out

    def inline(self, works: list[Cited], make_link: MakeLink) -> list[nodes.Node]:
        """Superscript ``1,3-5``; ``3(p33)``; a flagged work reads ``2 (retracted)``."""
        label = numbered(works, make_link, LOCATOR, dash="-", comma=",", brackets=("", ""))
        return [nodes.superscript("", "", *label, classes=["evidence-cite-superscript"])]


def _names(authors: tuple[Author, ...], limit: int, rule: int) -> str:
    """``Ziganshina LE, Abakumova T``; over ``limit``: the first three (AMA's rule) or ``limit``, "et al"."""
    if limit <= 0 or len(authors) <= limit:
        return nlm_names(authors, 0)
    return nlm_names(authors[: SHOWN_WHEN_OVER if limit == rule else limit], 0) + ", et al"


def _published(article: Article, when: str) -> str:
    """`` 2nd ed. Publisher; Year.`` (AMA gives no place of publication)."""
    parts = [edition(article.edition) if article.edition else "",
             "; ".join(x for x in (article.publisher, when) if x) + "." if article.publisher or when else ""]
    return "".join(f" {x}" for x in parts if x)
