"""The citation-style seam: how a record becomes a reference entry, an inline label and a tooltip.

A style is a small object; renderers call only its methods, so a new style is
one new module named in :func:`_built_in`, with no change to any renderer.
:confval:`evidence_reference_style` picks one: ``vancouver`` (the default),
``ama``, ``apa``, or a CSL style (a file, or a name citeproc-py knows) drawn by
citeproc-py when it is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from sphinxext_evidence import log
from sphinxext_evidence.citations.locators import Locator
from sphinxext_evidence.records.model import Article

DEFAULT = "vancouver"
#: The styles written by hand, and what each is.
BUILT_IN = {
    "vancouver": "NLM/ICMJE (Citing Medicine): numbered, up to six authors",
    "ama": "AMA Manual of Style, 11th edition: numbered (superscript), six authors or three and et al",
    "apa": "APA, 7th edition: author and year, up to twenty authors, listed alphabetically",
}


@dataclass(frozen=True)
class Cited:
    """One work in an inline citation: its number on the page, its key, its record (None if unknown), its mark.

    ``locator`` points into the work (page 33); ``suffix`` tells apart works an
    author–date style would label alike (``2020a``).
    """

    number: int
    key: str
    article: Article | None
    mark: str = ""  # "retracted", "expression of concern" … shown beside the label
    locator: Locator | None = None
    suffix: str = ""


#: Makes the linked part of an inline label: ``(text, cited work) -> reference node``.
MakeLink = Callable[[str, Cited], nodes.Node]


class Style(Protocol):
    """What a citation style provides."""

    name: str
    numbered: bool  # numbered labels and a list in order of first citation; else author–date, alphabetical

    def limit(self, max_authors: int | None) -> int:
        """The number of authors an entry names (``max_authors`` None: the style's own rule; 0: all)."""

    def entry(self, article: Article, max_authors: int | None = None, suffix: str = "") -> list[nodes.Node]:
        """The reference text of ``article`` (authors, title, container, date, location, DOI)."""

    def names(self, article: Article, limit: int) -> str:
        """The authors of ``article`` as the entry writes them, at most ``limit`` (0: all)."""

    def inline(self, works: list[Cited], make_link: MakeLink) -> list[nodes.Node]:
        """The inline label of the works cited at one place, such as ``[1, 3–5]``."""

    def tooltip(self, article: Article | None, key: str) -> str:
        """The short plain-text reference shown when hovering an inline label."""

    def sort_key(self, article: Article | None, key: str) -> tuple[str, ...]:
        """Where the work goes in an alphabetical reference list."""

    def disambiguate(self, articles: dict[str, Article]) -> dict[str, str]:
        """Year suffixes (``a``, ``b``) for works whose labels would be the same, by key."""


def _built_in(name: str) -> Style:
    from sphinxext_evidence.citations.styles.ama import AmaStyle
    from sphinxext_evidence.citations.styles.apa import ApaStyle
    from sphinxext_evidence.citations.styles.vancouver import VancouverStyle

    return cast(Style, {"vancouver": VancouverStyle, "ama": AmaStyle, "apa": ApaStyle}[name]())


#: Styles made so far in this process, by the value that names them (a CSL path is read relative to the cwd).
STYLES: dict[str, Style] = {}
_ATTR = "_evidence_style"  # the style chosen for a configuration (not pickled with it: it starts with "_")


def resolve_style(value: str, confdir: str | None = None, cache_dir: str | None = None) -> tuple[Style, str]:
    """The style ``value`` names, and why another is used instead ('' when it is the one asked for)."""
    name = value.strip()
    if name.lower() in BUILT_IN:
        return _built_in(name.lower()), ""
    from sphinxext_evidence.citations.styles.csl import StyleUnavailable, load_csl

    try:
        return load_csl(name, confdir, cache_dir), ""
    except StyleUnavailable as exc:
        return _built_in(DEFAULT), f"{exc}; the {DEFAULT} style is used instead"


def get_style(config: Any = None) -> Style:
    """The style the project uses (``vancouver`` when nothing says otherwise)."""
    chosen = getattr(config, _ATTR, None) if config is not None else None
    if chosen is not None:
        return chosen  # type: ignore[no-any-return]
    value = str(getattr(config, "evidence_reference_style", "") or DEFAULT)
    if value not in STYLES:
        STYLES[value] = resolve_style(value)[0]
    return STYLES[value]


def choose_style(app: Sphinx, config: Config) -> None:
    """``config-inited``: make the configured style once, warning when it cannot be had."""
    value = str(config.evidence_reference_style or DEFAULT)
    style, problem = resolve_style(value, str(app.confdir), str(app.doctreedir))
    if problem:
        log.warn(f"evidence_reference_style = {value!r}: {problem}", "config")
    setattr(config, _ATTR, style)


def setup(app: Sphinx) -> None:
    """Choose the style once the configuration has been checked."""
    app.connect("config-inited", choose_style, priority=500)
