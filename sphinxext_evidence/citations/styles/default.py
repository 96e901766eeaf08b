"""The default style: numbered labels ``[1, 3–5]``; entries ``Authors (Year). Title. Journal.``."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.citations.styles import Cited, MakeLink
from sphinxext_evidence.identifiers import key_label
from sphinxext_evidence.records.model import Article, Author, plain_title
from sphinxext_evidence.render_utils import title_nodes


def author_list(authors: tuple[Author, ...], limit: int) -> str:
    """``A, B, C, et al.`` with at most ``limit`` names (all when ``limit`` <= 0)."""
    if not authors:
        return ""
    if 0 < limit < len(authors):
        return ", ".join(a.short for a in authors[:limit]) + ", et al."
    return ", ".join(a.short for a in authors)


def ends_sentence(text: str) -> bool:
    """True when ``text`` already ends with closing punctuation."""
    return text.rstrip().endswith((".", "?", "!"))


def _publisher(article: Article) -> str:
    return f"{article.publisher_place}: {article.publisher}" if article.publisher_place else article.publisher


def _runs(numbers: list[int], alone: frozenset[int] | set[int] = frozenset()) -> list[list[int]]:
    """Consecutive numbers as ranges when three or more follow each other: 1, 3–5 (``alone`` never in a range)."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1 and n not in alone and runs[-1][1] not in alone:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    groups: list[list[int]] = []
    for lo, hi in runs:
        groups.extend([[lo, hi]] if hi - lo >= 2 else [[n] for n in range(lo, hi + 1)])
    return groups


class DefaultStyle:
    """Today's entry format and bracketed numbers."""

    name = "default"

    def entry(self, article: Article, max_authors: int) -> list[nodes.Node]:
        """``Authors (Year). Title. Journal.`` (books and chapters adapted)."""
        authors = author_list(article.authors, max_authors)
        lead = " ".join(x for x in (authors, f"({article.year})." if article.year else "") if x)
        out: list[nodes.Node] = [nodes.Text(lead + " ")] if lead else []
        out.extend(title_nodes(article.title))
        out.append(nodes.Text(" " if ends_sentence(plain_title(article.title)) else ". "))
        if article.type == "chapter":
            editors = author_list(article.editors, max_authors)
            out.append(nodes.Text(f"In: {editors}, editors. " if editors else "In: "))
            out.append(nodes.emphasis(article.container_title, article.container_title))
            out.append(nodes.Text(". " + (_publisher(article) + ". " if article.publisher else "")))
        elif article.type == "book":
            if article.publisher:
                out.append(nodes.Text(_publisher(article) + ". "))
        elif article.journal:
            out.append(nodes.emphasis(article.journal, article.journal))
            out.append(nodes.Text(" " if ends_sentence(article.journal) else ". "))
        return out

    def inline(self, works: list[Cited], make_link: MakeLink) -> list[nodes.Node]:
        """``[1, 3–5]``: each number is a link; a flagged work reads ``[2 (retracted)]``."""
        by_number = {w.number: w for w in works}
        out: list[nodes.Node] = [nodes.Text("[")]
        for i, group in enumerate(_runs(list(by_number), {w.number for w in works if w.mark})):
            if i:
                out.append(nodes.Text(", "))
            for j, n in enumerate(group):
                if j:
                    out.append(nodes.Text("–"))
                out.append(make_link(str(n), by_number[n]))
                if by_number[n].mark:
                    mark = f" ({by_number[n].mark})"
                    out.append(nodes.inline(mark, mark, classes=["evidence-cite-mark"]))
        out.append(nodes.Text("]"))
        return out

    def tooltip(self, article: Article | None, key: str) -> str:
        """``Ziganshina LE, et al. (2023). Cerebrolysin for …``."""
        if article is None:
            return f"{key_label(key)} (no metadata)"
        first = author_list(article.authors, 1)
        year = f" ({article.year})" if article.year else ""
        flagged = f"{article.mark.upper()}: " if article.mark else ""
        return f"{flagged}{first}{year}. {plain_title(article.title)}".strip()
