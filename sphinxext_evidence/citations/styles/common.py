"""What the built-in styles share: names, dates, pages, the numbered label and the base of every style."""

from __future__ import annotations

import re
import unicodedata

from docutils import nodes

from sphinxext_evidence.citations.styles import Cited, Locator, MakeLink
from sphinxext_evidence.identifiers import doi_url, key_label
from sphinxext_evidence.records.model import Article, Author, plain_title
from sphinxext_evidence.render_utils import link, title_nodes

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_RANGE = re.compile(r"([A-Za-z]*)([0-9]+)\s*[-–]\s*\1?([0-9]+)")

Parts = list[nodes.Node]


def ends_sentence(text: str) -> bool:
    """True when ``text`` already ends with closing punctuation."""
    return text.rstrip().endswith((".", "?", "!"))


def sentence(text: str) -> str:
    """``text`` ending with a period (none added after ``?``, ``!`` or one already there)."""
    text = text.strip()
    return text if not text or ends_sentence(text) else text + "."


def titled(title: str, italic: bool = False, after: str = "") -> Parts:
    """A stored title as nodes, then ``after`` (`` [Internet]``), closed with a period unless it has its own."""
    runs = title_nodes(title)
    if after and runs and isinstance(runs[-1], nodes.Text) and runs[-1].astext().endswith("."):
        runs[-1] = nodes.Text(runs[-1].astext()[:-1])  # "Title. [Preprint]" reads "Title [Preprint]."
    if italic:
        runs = [nodes.emphasis("", "", *runs)]
    end = after + ("" if ends_sentence(after or plain_title(title)) else ".")
    return [*runs, nodes.Text(end)]


def nlm_names(authors: tuple[Author, ...], limit: int, et_al: str = "et al.") -> str:
    """``Ziganshina LE, Abakumova T, et al.`` with at most ``limit`` names (all when ``limit`` <= 0)."""
    shown = authors if limit <= 0 or len(authors) <= limit else authors[:limit]
    names = ", ".join(a.short for a in shown)
    return f"{names}, {et_al}" if len(shown) < len(authors) else names


def nlm_date(parts: tuple[int, ...], end: tuple[int, ...] = (), season: str = "") -> str:
    """``2023 Oct 11``; a range ``2019 Apr-Jun``, ``1998 Dec-1999 Jan`` or ``2019 Jan 5-12``; ``1976 Spring``."""
    if not parts:
        return ""
    text = " ".join(_nlm_parts(parts))
    if end and end[0] != parts[0]:
        text += "-" + " ".join(_nlm_parts(end))
    elif len(end) > 2 and len(parts) > 2 and end[1] == parts[1]:
        text += f"-{end[2]}"
    elif len(end) > 1:
        text += "-" + " ".join(_nlm_parts(end)[1:])
    return f"{text} {season}" if season and len(parts) == 1 else text


def _nlm_parts(parts: tuple[int, ...]) -> list[str]:
    """The year, the month's first three letters, the day."""
    return [str(p) if i != 1 else MONTHS[p - 1][:3] if 1 <= p <= 12 else str(p) for i, p in enumerate(parts[:3])]


def long_date(parts: tuple[int, ...]) -> str:
    """``September 28, 2023`` (AMA); as far as the parts go."""
    if len(parts) >= 3:
        return f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"
    return f"{MONTHS[parts[1] - 1]} {parts[0]}" if len(parts) == 2 else str(parts[0]) if parts else ""


def year_range(dates: tuple[tuple[int, ...], ...]) -> str:
    """``1993-2024`` for a book's span, ``1993`` for one date."""
    years = [str(d[0]) for d in dates if d]
    return "-".join(dict.fromkeys(years))


def condensed_pages(pages: str) -> str:
    """NLM's page ranges, without the digits the last page repeats: ``1234-1240`` → ``1234-40``."""
    def condense(match: re.Match[str]) -> str:
        prefix, first, last = match.groups()
        if len(last) != len(first) or int(last) <= int(first):
            return match.group(0) if int(last) != int(first) else f"{prefix}{first}"
        same = next(i for i, (a, b) in enumerate(zip(first, last)) if a != b)
        return f"{prefix}{first}-{last[same:]}"
    return _RANGE.sub(condense, pages)


def full_pages(pages: str, dash: str = "-") -> str:
    """Page ranges written out in full (AMA, APA): ``179-91`` → ``179-191``; anything else as it is."""
    def expand(match: re.Match[str]) -> str:
        prefix, first, last = match.groups()
        whole = first[: max(len(first) - len(last), 0)] + last
        if first.startswith("0") or int(whole) <= int(first):
            return match.group(0)  # not a range of pages: an article number such as e00337-22
        return f"{prefix}{first}{dash}{prefix}{whole}"
    return _RANGE.sub(expand, pages)


def is_range(value: str) -> bool:
    """True when a locator names more than one page or part (``33-35``, ``33, 35``)."""
    return bool(re.search(r"[-–,&]|\band\b", value))


def doi_link(article: Article, text: str) -> Parts:
    """The DOI as a link reading ``text`` (nothing when the work has no DOI)."""
    return [link(text, doi_url(article.doi), ["evidence-doi"])] if article.doi else []


def folded(text: str) -> str:
    """``text`` for sorting: accents dropped, case folded."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def numbered(works: list[Cited], make_link: MakeLink, locate: "LocatorText", *, dash: str = "–",
             comma: str = ", ", brackets: tuple[str, str] = ("[", "]")) -> Parts:
    """Numbers in brackets, ``[1, 3–5]``; a work with a locator or a mark stands alone: ``[1, p. 33; 2 (retracted)]``.

    Works are separated by semicolons when a locator's own comma would make commas ambiguous.
    """
    by_number = {w.number: w for w in works}
    alone = {w.number for w in works if w.mark or w.locator}
    between = "; " if any(w.locator for w in works) and comma == ", " else comma
    out: Parts = [nodes.Text(brackets[0])] if brackets[0] else []
    for i, group in enumerate(_runs(list(by_number), alone)):
        if i:
            out.append(nodes.Text(between))
        for j, n in enumerate(group):
            if j:
                out.append(nodes.Text(dash))
            out.append(make_link(str(n), by_number[n]))
            work = by_number[n]
            if work.locator:
                out.append(nodes.Text(locate(work.locator)))
            if work.mark:
                mark = f" ({work.mark})"
                out.append(nodes.inline(mark, mark, classes=["evidence-cite-mark"]))
    if brackets[1]:
        out.append(nodes.Text(brackets[1]))
    return out


def _runs(numbers: list[int], alone: set[int]) -> list[list[int]]:
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


class LocatorText:
    """How a style writes a locator after a citation: its words for each kind, and how a page is written."""

    def __init__(self, words: dict[str, str], page: str, pages: str, prefix: str = ", ", suffix: str = "") -> None:
        self.words, self.page, self.pages, self.prefix, self.suffix = words, page, pages, prefix, suffix

    def __call__(self, locator: Locator) -> str:
        """``, p. 33`` (Vancouver), ``(p33)`` (AMA), ``, Figure 2`` (APA)."""
        value = locator.value
        if locator.kind == "page":
            word = self.pages if is_range(value) else self.page
        else:
            word = self.words.get(locator.kind, locator.kind) + " "
        return f"{self.prefix}{word}{value}{self.suffix}"


class BaseStyle:
    """What every built-in style shares; a style overrides what it writes differently."""

    name = ""
    numbered = True
    #: How many authors an entry names before "et al." (0: all).
    author_limit = 6

    def limit(self, max_authors: int | None) -> int:
        """The number of authors to name: the configured one, or the style's own."""
        return self.author_limit if max_authors is None else max_authors

    def names(self, article: Article, limit: int) -> str:
        """The work's authors as the style writes them, at most ``limit`` (0: all)."""
        return nlm_names(article.authors, limit)

    def tooltip(self, article: Article | None, key: str) -> str:
        """``Ziganshina LE, et al. (2023). Cerebrolysin for …``."""
        if article is None:
            return f"{key_label(key)} (no metadata)"
        first = nlm_names(article.authors, 1)
        year = f" ({article.year})" if article.year else ""
        flagged = f"{article.mark.upper()}: " if article.mark else ""
        return f"{flagged}{first}{year}. {plain_title(article.title)}".strip()

    def sort_key(self, article: Article | None, key: str) -> tuple[str, ...]:
        """Where the work goes in an alphabetical list (numbered styles list by number instead)."""
        return (key,)

    def disambiguate(self, articles: dict[str, Article]) -> dict[str, str]:
        """Letters that tell apart works with the same label (``2020a``); numbered styles need none."""
        return {}
