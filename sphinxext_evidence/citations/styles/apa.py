"""APA (7th edition): author–date, ``(Ziganshina et al., 2023)``; the list alphabetical by first author.

Journal article: ``Authors (2023). Title. *Journal*, *10*(10), CD007026. https://doi.org/…``
(up to twenty authors; more: the first nineteen, ". . .", the last; titles kept
as recorded, not put into sentence case; the journal's full title).  Chapter:
``Authors (Year). Title. In E. Editor (Ed.), *Book* (pp. 1–9). Publisher.``
Book, preprint, data set: the title in italics, ``[Preprint]``, ``[Data set]``.
Works whose labels would be the same get letters: ``2020a``, ``2020b``.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from docutils import nodes

from sphinxext_evidence.citations.styles import Cited, MakeLink
from sphinxext_evidence.citations.styles.common import (
    BaseStyle,
    LocatorText,
    Parts,
    doi_link,
    folded,
    full_pages,
    sentence,
    titled,
)
from sphinxext_evidence.citations.styles.vancouver import edition
from sphinxext_evidence.identifiers import doi_url, key_label
from sphinxext_evidence.records.model import Article, Author, plain_title
from sphinxext_evidence.render_utils import link

LOCATOR = LocatorText({"figure": "Figure", "table": "Table", "supplement": "Supplement", "chapter": "Chapter",
                       "section": "Section", "paragraph": "para.", "appendix": "Appendix"}, "p. ", "pp. ")
#: More than twenty authors: the first nineteen, an ellipsis, the last.
FIRST_OF_MANY = 19


def initials(author: Author) -> str:
    """``L. E.`` from ``Liliya Eugenevna`` (or PubMed's ``LE``); ``J.-P.`` from ``Jean-Paul``."""
    words = author.given.replace(".", " ").split() or ([author.initials] if author.initials else [])
    out: list[str] = []
    for word in words:
        if word.isalpha() and word.isupper() and len(word) <= 3:  # already initials: "JH"
            out.extend(f"{c}." for c in word)
        else:
            out.append("-".join(f"{p[0]}." for p in word.split("-") if p))
    return " ".join(out)


def inverted(author: Author) -> str:
    """``Ziganshina, L. E.``; a group's name as written."""
    if author.literal:
        return author.literal
    name = ", ".join(x for x in (author.family, initials(author)) if x)
    return f"{name}, {author.suffix}" if author.suffix else name


def direct(author: Author) -> str:
    """``L. E. Ziganshina`` (editors)."""
    return author.literal or " ".join(x for x in (initials(author), author.family, author.suffix) if x)


def name_list(names: list[str], limit: int, total: int) -> str:
    """``A, B, & C``; with more than ``limit`` names, the first nineteen, ". . .", the last (APA's rule)."""
    if limit > 0 and total > limit:
        if limit >= FIRST_OF_MANY + 1:
            return ", ".join(names[:FIRST_OF_MANY]) + ", . . . " + names[-1]
        return ", ".join(names[:limit]) + ", et al."
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def year(article: Article) -> str:
    """The year APA gives: the last revision's, for a chapter that has one; ``n.d.`` when there is none."""
    if article.revised:
        return str(article.revised[0])
    return article.year or "n.d."


def short_names(article: Article) -> str:
    """The names of a label: ``Ziganshina et al.``, ``Goldstein & Falk``; the title's first words when no author."""
    people = article.authors or article.editors
    if not people:
        words = plain_title(article.title).split()
        return "“" + " ".join(words[:4]) + ("…" if len(words) > 4 else "") + "”"
    first = people[0].literal or people[0].family
    if len(people) == 2:
        return f"{first} & {people[1].literal or people[1].family}"
    return f"{first} et al." if len(people) > 2 else first


class ApaStyle(BaseStyle):
    """APA references, cited by author and year, listed alphabetically."""

    name = "apa"
    numbered = False
    author_limit = 20

    def names(self, article: Article, limit: int) -> str:
        """``Ziganshina, L. E., Abakumova, T., & Ivanchenko, K.``"""
        return name_list([inverted(a) for a in article.authors], limit, len(article.authors))

    def entry(self, article: Article, max_authors: int | None = None, suffix: str = "") -> list[nodes.Node]:
        """The APA entry for a journal article, preprint, book, chapter or data set."""
        limit = self.limit(max_authors)
        authors = self.names(article, limit)
        if not authors and article.editors and article.type == "book":
            count = len(article.editors)
            authors = name_list([inverted(a) for a in article.editors], limit, count) + (" (Eds.)." if count > 1
                                                                                       else " (Ed.).")
        when = f"({year(article)}{suffix})."
        standalone = article.type in ("book", "dataset", "report", "thesis") or article.preprint
        bracket = " [Preprint]" if article.preprint else " [Data set]" if article.type == "dataset" else ""
        if article.type == "book" and article.edition:
            bracket = f" ({edition(article.edition)})" + bracket
        title = titled(article.title, italic=standalone, after=bracket)
        out: Parts = [nodes.Text(f"{sentence(authors)} {when} "), *title] if authors else \
            [*title, nodes.Text(f" {when}")]
        if article.type == "chapter":
            out.extend(self._chapter(article, limit))
        elif standalone:
            source = article.container_title or article.publisher if article.preprint else article.publisher
            out.append(nodes.Text(f" {sentence(source)}" if source else ""))
        else:
            out.extend(_journal(article))
        if article.doi:
            out.append(nodes.Text(" "))
            out.extend(doi_link(article, doi_url(article.doi)))
        elif article.url:
            out.extend([nodes.Text(" "), link(article.url, article.url)])
        return out

    @staticmethod
    def _chapter(article: Article, limit: int) -> Parts:
        count = len(article.editors)
        editors = name_list([direct(a) for a in article.editors], limit, count)
        lead = f" In {editors} ({'Eds.' if count > 1 else 'Ed.'}), " if editors else " In "
        detail = [edition(article.edition) if article.edition else "",
                  f"pp. {full_pages(article.page, '–')}" if article.page else ""]
        detail_text = ", ".join(x for x in detail if x)
        book = article.container_title
        out: Parts = [nodes.Text(lead), nodes.emphasis(book, book)]
        out.append(nodes.Text((f" ({detail_text})." if detail_text else ".")
                              + (f" {sentence(article.publisher)}" if article.publisher else "")))
        return out

    def inline(self, works: list[Cited], make_link: MakeLink) -> list[nodes.Node]:
        """``(Ziganshina et al., 2023; Bornstein et al., 2018)``; ``(…, 2023, p. 33)``; ``(… [retracted])``."""
        out: Parts = [nodes.Text("(")]
        ordered = sorted(works, key=lambda w: self.sort_key(w.article, w.key)) if len(works) > 1 else works
        for i, work in enumerate(ordered):
            if i:
                out.append(nodes.Text("; "))
            article = work.article
            text = f"{short_names(article)}, {year(article)}{work.suffix}" if article else key_label(work.key)
            out.append(make_link(text, work))
            if work.locator:
                out.append(nodes.Text(LOCATOR(work.locator)))
            if work.mark:
                mark = f" [{work.mark}]"
                out.append(nodes.inline(mark, mark, classes=["evidence-cite-mark"]))
        out.append(nodes.Text(")"))
        return out

    def tooltip(self, article: Article | None, key: str) -> str:
        """``Ziganshina et al. (2023). Cerebrolysin for …``."""
        if article is None:
            return super().tooltip(article, key)
        flagged = f"{article.mark.upper()}: " if article.mark else ""
        return f"{flagged}{short_names(article)} ({year(article)}). {plain_title(article.title)}".strip()

    def sort_key(self, article: Article | None, key: str) -> tuple[str, ...]:
        """By the authors' names (the first one first), then year, then title; works without a record last."""
        if article is None:
            return ("\uffff", key)
        people = article.authors or article.editors
        return (_names_key(people) if people else folded(plain_title(article.title)), year(article),
                folded(plain_title(article.title)), key)

    def disambiguate(self, articles: dict[str, Article]) -> dict[str, str]:
        """``a``, ``b`` … for works with the same names and year, in title order."""
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key, article in articles.items():
            groups[(short_names(article), year(article))].append(key)
        found: dict[str, str] = {}
        for keys in groups.values():
            if len(keys) > 1:
                ordered = sorted(keys, key=lambda k: self.sort_key(articles[k], k))
                found.update({k: chr(ord("a") + i) for i, k in enumerate(ordered[:26])})
        return found


@lru_cache(maxsize=4096)
def _names_key(people: tuple[Author, ...]) -> str:
    """The authors' names for sorting (worked out once per list of names: long lists are common)."""
    return folded(" ".join(inverted(a) for a in people))


def _journal(article: Article) -> Parts:
    """`` *Journal*, *10*(10), 1–9.`` (``Article e154225`` for a work with an article number)."""
    journal = article.container_title or article.journal
    out: Parts = [nodes.Text(" "), nodes.emphasis(journal, journal)] if journal else []
    if article.volume:
        out.extend([nodes.Text(", "), nodes.emphasis(article.volume, article.volume)])
    if article.issue:
        out.append(nodes.Text(f"({article.issue})" if article.volume else f", ({article.issue})"))
    # APA gives an article number where there is one, in place of pages.
    where = f"Article {article.number}" if article.number else full_pages(article.page, "–") if article.page else ""
    out.append(nodes.Text(f", {where}." if where else "."))
    return out
