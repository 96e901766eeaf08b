"""Locators: the page, figure or table of a work a citation points to (``:pmid:`37818733, p. 33```).

The syntax, in a citing role's text:

* a locator follows its identifier after a comma or a space and starts with
  one of the words in :data:`TERMS` (``p.``, ``pp.``, ``fig.``, ``table``,
  ``suppl.`` …); it belongs to the identifier just before it;
* it runs to the next semicolon, so it may hold commas (``pp. 33, 35``);
  when one work has a locator, the works are separated by semicolons:
  ``:pmid:`37818733, p. 33; 22282884, fig. 2```;
* ``| why`` (an acknowledgement) still comes last.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

#: The words that start a locator, and the kind of part each names (CSL's locator types).
TERMS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page",
    "fig": "figure", "figs": "figure", "figure": "figure", "figures": "figure",
    "tab": "table", "table": "table", "tables": "table",
    "suppl": "supplement", "supp": "supplement", "supplement": "supplement",
    "ch": "chapter", "chap": "chapter", "chapter": "chapter",
    "sec": "section", "section": "section", "§": "section",
    "para": "paragraph", "paragraph": "paragraph", "¶": "paragraph",
    "app": "appendix", "appendix": "appendix",
}  # fmt: skip
_WORDS = "|".join(re.escape(t) for t in sorted(TERMS, key=len, reverse=True))
# The word is whole (followed by a period, a space or a digit) and comes after a comma or a space.
_TERM = re.compile(rf"(?:,\s*|\s+)(?P<term>{_WORDS})(?:\.\s*|\s+|(?=[0-9]))(?P<value>.*)$", re.IGNORECASE | re.DOTALL)
MAX_LENGTH = 60


@dataclass(frozen=True)
class Locator:
    """A part of a work: its kind (``page``, ``figure`` …, see :data:`TERMS`) and what the author wrote (``33-35``)."""

    kind: str
    value: str

    def to_json(self) -> list[str]:
        """The form kept on a doctree node."""
        return [self.kind, self.value]

    @classmethod
    def from_json(cls, data: object) -> Locator | None:
        """Read the form kept on a doctree node (None for anything else)."""
        if isinstance(data, (list, tuple)) and len(data) == 2 and all(isinstance(x, str) for x in data):
            return cls(data[0], data[1])
        return None


def split_citation(text: str, split: Callable[[str], list[str]], tight: bool = True
                   ) -> tuple[list[tuple[str, Locator | None]], list[str]]:
    """The identifiers of a role's text, each with its locator, and what is wrong with the locators.

    ``split`` splits identifiers as the role's kind does; with ``tight``
    every semicolon ends a locator, else (DOIs, which may hold one) only a
    semicolon before a space or the end.
    """
    found = [m for m in (_TERM.search(s) for s in _segments(text, tight)) if m]
    if not found:
        return [(raw, None) for raw in split(text)], []
    pairs: list[tuple[str, Locator | None]] = []
    problems: list[str] = []
    for segment in _segments(text, tight):
        match = _TERM.search(segment)
        ids = split(segment[: match.start()] if match else segment)
        pairs.extend((raw, None) for raw in ids)
        if match is None:
            continue
        value = " ".join(match["value"].split())
        if not ids:
            problems.append(f"locator {match.group(0).strip(', ')!r} has no identifier before it")
        elif not value or len(value) > MAX_LENGTH:
            problems.append(f"locator {match['term']!r} after {ids[-1]!r} needs a value of at most {MAX_LENGTH} "
                            "characters, as in 'p. 33'")
        else:
            pairs[-1] = (ids[-1], Locator(TERMS[match["term"].lower()], value))
    return pairs, problems


def _segments(text: str, tight: bool) -> list[str]:
    return re.split(r";" if tight else r";(?=\s|$)", text)


def swallowed(locator: Locator, parse: Callable[[str], str | None]) -> str:
    """A part of the locator's value that reads as another identifier ('' if none): a missing semicolon."""
    for part in re.split(r"[,\s]+", locator.value)[1:]:
        if len(part) >= 5 and parse(part):
            return part
    return ""
