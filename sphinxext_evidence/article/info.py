"""The ``article-info`` directive: who wrote and reviewed a page, and when.

sphinx-design also has an ``article-info`` directive (avatar, date, read time).
Ours is registered once every extension is loaded, so it wins whatever the
order of ``extensions``; a directive that uses only sphinx-design's options is
handed over to sphinx-design's own implementation, so both keep working.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives as rst_directives
from sphinx.application import Sphinx
from sphinx.config import Config

from sphinxext_evidence.article.nodes import article_info
from sphinxext_evidence.dates import parse_partial_date as parse_date
from sphinxext_evidence.directive import EvidenceDirective, option_spec

NAME = "article-info"
OWN_ONLY = ("reviewed-by", "last-reviewed", "last-updated")
SPHINX_DESIGN_ONLY = ("avatar", "avatar-alt", "avatar-link", "avatar-outline", "date", "read-time",
                      "class-container", "class-avatar")
# A comma-separated piece that is a qualification of the name before it, not a new person:
# "PharmD", "PhD (Pharmacology)", "MD", "Ph.D.", "FRCP", "Jr.".
CREDENTIAL_RE = re.compile(r"^(?:(?:[A-Z][a-z]*\.?){1,5}|Jr\.?|Sr\.?|I{2,3}|IV)(?:\s*\([^()]*\))?$")


def _is_credential(piece: str) -> bool:
    token = re.sub(r"\s*\(.*\)$", "", piece)
    return bool(CREDENTIAL_RE.match(piece)) and (sum(c.isupper() for c in token) >= 2 or token.rstrip(".") in (
        "Jr", "Sr"))


def split_people(text: str) -> list[str]:
    """Split a list of people: one per line or ``;``-separated, else ``,``-separated.

    With commas, a piece that is only a qualification (``PharmD``, ``PhD (Pharmacology)``,
    ``MD``) stays with the name before it: ``"Jonathan Ritter, PharmD, PhD, Puya Yazdi, MD"``
    is two people.
    """
    text = text.strip()
    if not text:
        return []
    if "\n" in text or ";" in text:
        return [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    people: list[str] = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        if people and _is_credential(piece):
            people[-1] = f"{people[-1]}, {piece}"
        else:
            people.append(piece)
    return people


class ArticleInfoDirective(EvidenceDirective):
    """``.. article-info::`` with ``:author:``, ``:reviewed-by:``, ``:last-reviewed:``, ``:last-updated:``."""

    has_content = False
    option_spec = option_spec("author", *OWN_ONLY, "class")
    # sphinx-design's ``article-info`` when it was registered before ours (set at config-inited).
    fallback: ClassVar[Any] = None

    def run(self) -> list[nodes.Node]:
        """Validate the byline and leave an :class:`article_info` placeholder."""
        if self._belongs_to_sphinx_design():
            return self._run_fallback()
        self.check_options()
        count = int(self.env.temp_data.get("evidence_article_info") or 0) + 1
        self.env.temp_data["evidence_article_info"] = count
        if count > 1:
            self.warn(f"{self.name}: a page has one byline; this is number {count} on the page and only the "
                      "first one goes into the page's structured data", "duplicate-article-info")
        node = self.place(article_info(authors=[], reviewers=[], last_reviewed="", last_updated="",
                                       primary=count == 1, classes=(self.options.get("class") or "").split()))
        for option, role in (("author", "author"), ("reviewed-by", "reviewer")):
            if option not in self.options:
                continue
            people = split_people(self.options[option] or "")
            if not people:
                self.warn(f"{self.name}: option :{option}: is empty; give one or more names", "empty")
            for person in people:
                para = nodes.paragraph(classes=[f"evidence-person-{role}"])
                para += self.parse_inline(person, lineno=self.lineno)[0]
                node[f"{role}s"].append(para.astext())
                node += para
        for option in ("last-reviewed", "last-updated"):
            if option not in self.options:
                continue
            raw = (self.options[option] or "").strip()
            date = parse_date(raw)
            if date is None:
                self.warn(f"{self.name}: invalid :{option}: {raw!r} (an ISO date such as 2026-10-20); "
                          "it is not shown", "invalid-date")
            else:
                node[option.replace("-", "_")] = date
        if not (node["authors"] or node["reviewers"] or node["last_reviewed"] or node["last_updated"]):
            self.warn(f"{self.name}: nothing to show; give :author:, :reviewed-by:, :last-reviewed: or "
                      ":last-updated:", "empty")
        return [node]

    def _belongs_to_sphinx_design(self) -> bool:
        """True when only sphinx-design's options are used and sphinx-design is loaded."""
        if self.fallback is None or self.name != NAME:
            return False
        names = set(self.options)
        return bool(names & set(SPHINX_DESIGN_ONLY)) and not names & set(OWN_ONLY)

    def _run_fallback(self) -> list[nodes.Node]:
        """Hand the directive over to sphinx-design's ``article-info``."""
        spec = getattr(self.fallback, "option_spec", None) or {}
        options: dict[str, Any] = {}
        for name, value in self.options.items():
            convert = spec.get(name)
            if convert is None:
                self.warn(f"{self.name}: unknown option :{name}: for sphinx-design's article-info", "unknown-option")
                continue
            try:
                options[name] = convert(value)
            except (ValueError, TypeError) as exc:
                self.warn(f"{self.name}: invalid :{name}: {value!r} ({exc})", "invalid-option")
        directive = self.fallback(self.name, self.arguments, options, self.content, self.lineno,
                                  self.content_offset, self.block_text, self.state, self.state_machine)
        return directive.run()


def register(app: Sphinx, config: Config) -> None:
    """``config-inited``: register ``article-info``, keeping sphinx-design's as the fallback."""
    existing = rst_directives._directives.get(NAME)  # type: ignore[attr-defined]  # noqa: SLF001 (docutils' registry)
    if existing is not None and not (isinstance(existing, type) and issubclass(existing, ArticleInfoDirective)):
        directive = type("ArticleInfoDirective", (ArticleInfoDirective,), {"fallback": existing})
    else:
        directive = ArticleInfoDirective
    app.add_directive(NAME, directive, override=True)
