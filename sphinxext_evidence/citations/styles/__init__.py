"""The citation-style seam: how a record becomes a reference entry, an inline label and a tooltip.

A style is a small object with three methods; renderers call only these, so a
new style (Vancouver, AMA, APA, a CSL file) is one new module registered in
:data:`STYLES`, with no change to any renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from docutils import nodes

from sphinxext_evidence.records.model import Article


@dataclass(frozen=True)
class Cited:
    """One work in an inline citation: its number on the page, its key, its record (None if unknown), its mark."""

    number: int
    key: str
    article: Article | None
    mark: str = ""  # "retracted", "expression of concern" … shown beside the number


#: Makes the linked part of an inline label: ``(text, cited work) -> reference node``.
MakeLink = Callable[[str, Cited], nodes.Node]


class Style(Protocol):
    """What a citation style provides."""

    name: str

    def entry(self, article: Article, max_authors: int) -> list[nodes.Node]:
        """The reference text of ``article`` (authors, year, title, container …), without links."""

    def inline(self, works: list[Cited], make_link: MakeLink) -> list[nodes.Node]:
        """The inline label of the works cited at one place, such as ``[1, 3–5]``."""

    def tooltip(self, article: Article | None, key: str) -> str:
        """The short plain-text reference shown when hovering an inline label."""


def _styles() -> dict[str, Style]:
    from sphinxext_evidence.citations.styles.default import DefaultStyle

    return {style.name: style for style in (DefaultStyle(),)}


STYLES: dict[str, Style] = {}


def get_style(config: Any = None) -> Style:
    """The style the project uses (today there is one: ``default``)."""
    if not STYLES:
        STYLES.update(_styles())
    return STYLES["default"]
