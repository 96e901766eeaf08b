"""Numbering a page's citations in order of first citation, and the inline labels that show the numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from docutils import nodes

from sphinxext_evidence import log
from sphinxext_evidence.citations.locators import Locator
from sphinxext_evidence.citations.styles import Cited, Style, get_style
from sphinxext_evidence.dates import today
from sphinxext_evidence.identifiers import key_label, key_parts
from sphinxext_evidence.sources.base import older_than
from sphinxext_evidence.records.model import Article
from sphinxext_evidence.render_utils import anchor
from sphinxext_evidence.resolve import PageContext


@dataclass
class Numbering:
    """The numbers, back-link anchors and warnings of one page's citations."""

    prefix: str
    records: Any
    numbers: dict[str, int] = field(default_factory=dict)
    backlinks: dict[str, list[str]] = field(default_factory=dict)
    warned: set[tuple[str, str]] = field(default_factory=set)
    acknowledged: dict[str, list[str]] = field(default_factory=dict)  # key -> the author's reasons
    _suffixes: tuple[int, dict[str, str]] = (-1, {})

    def number(self, key: str) -> int:
        """The page's number for ``key``, assigning the next one on first sight."""
        key = self.records.canonical(key)
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
            self.backlinks[key] = []
        return self.numbers[key]

    def entry_id(self, key: str) -> str:
        """HTML id of the reference-list entry for ``key``."""
        return f"{self.prefix}-ref-{self.number(key)}"

    def new_anchor(self, key: str) -> str:
        """A fresh id for one place that cites ``key``; the entry links back to it."""
        key = self.records.canonical(key)
        n = self.number(key)
        anchor = f"{self.prefix}-cite-{n}-{len(self.backlinks[key]) + 1}"
        self.backlinks[key].append(anchor)
        return anchor

    def ordered(self, style: Style | None = None) -> list[str]:
        """The page's cited keys in number order, or in the order of an author–date ``style``'s list."""
        keys = sorted(self.numbers, key=self.numbers.__getitem__)
        if style is None or style.numbered:
            return keys
        return sorted(keys, key=lambda key: style.sort_key(self.records.get(key), key))

    def suffix(self, key: str, style: Style) -> str:
        """The letter that tells ``key``'s label apart from another work's on this page ('' for none)."""
        if style.numbered:
            return ""
        if self._suffixes[0] != len(self.numbers):  # worked out again when a work is added
            found = {k: a for k in self.numbers if (a := self.records.get(k)) is not None}
            self._suffixes = (len(self.numbers), style.disambiguate(found))
        return self._suffixes[1].get(self.records.canonical(key), "")


def numbering(ctx: PageContext) -> Numbering:
    """The numbering of the page ``ctx`` resolves (created on first use)."""
    found = ctx.state.get("numbering")
    if found is None:
        found = ctx.state["numbering"] = Numbering(ctx.prefix, ctx.records)
    return cast(Numbering, found)


def number_keys(node: nodes.Element, ctx: PageContext) -> None:
    """``prepare`` step of citing placeholders: number their keys in document order."""
    page = numbering(ctx)
    for key in node["keys"]:
        page.number(key)


#: Warning subtype per level of flag.
FLAG_SUBTYPES = {"retraction": "retracted", "concern": "concern", "replaced": "superseded"}


def acknowledge_hint(key: str, source: str = "") -> str:
    """How an author keeps a flagged work on purpose, for ``key``'s role, written as the page ``source`` is."""
    kind, ident = key_parts(key)
    role = f"{{{kind}}}" if str(source).endswith(".md") else f":{kind}:"
    return f"{role}`{ident} | why it is cited` (in a pmid card, :acknowledge: why it is cited)"


def check(key: str, ctx: PageContext, location: nodes.Node, acknowledged: str = "") -> Article | None:
    """The record for ``key``; warns (at ``location``) when it is missing, or flagged and not acknowledged."""
    article = ctx.records.get(key)
    label = key_label(key)
    if article is None:
        not_found = ctx.records.not_found(key)
        if not_found is not None:
            log.warn(not_found, "unknown-id", location)
        else:
            log.warn(f"{label} has no record in the lockfile; build once with network access or run "
                     "'sphinx-evidence fetch' to add it", "missing", location)
        return None
    page = numbering(ctx)
    canonical = ctx.records.canonical(key)
    _check_status_age(cast(Article, article), label, canonical, ctx, location)
    if acknowledged:
        reasons = page.acknowledged.setdefault(canonical, [])
        if acknowledged not in reasons:
            reasons.append(acknowledged)
        return cast(Article, article)
    for flag in cast(Article, article).flags()[:1]:
        subtype = FLAG_SUBTYPES[flag.level]
        if (canonical, subtype) in page.warned:
            continue
        page.warned.add((canonical, subtype))
        notices = cast(Article, article).notices_of(flag.name)
        where = f" ({flag.label.lower()}: {notices[0].source})" if notices and notices[0].source else ""
        log.warn(f"{label} cited on page '{ctx.docname}' {flag.says}{where}; cite another work, or "
                 f"keep it on purpose by acknowledging it: {acknowledge_hint(key, _source(ctx))}", subtype, location)
    return cast(Article, article)


def _source(ctx: PageContext) -> str:
    """The file of the page being resolved ('' when unknown)."""
    try:
        return str(ctx.env.doc2path(ctx.docname)) if ctx.env is not None else ""
    except Exception:  # noqa: BLE001 - only the wording of a hint depends on it
        return ""


def _check_status_age(article: Article, label: str, canonical: str, ctx: PageContext, location: nodes.Node) -> None:
    """Warn, once per build and work, when its correction status was checked too long ago."""
    days = ctx.config.evidence_status_max_age_days if ctx.config is not None else None
    memo = ("status-warned", canonical)
    if days is None or memo in ctx.records.memo or not older_than(article.status_checked, days, today()):
        return
    ctx.records.memo[memo] = True
    when = article.status_checked or "an unknown date"
    log.warn(f"{label}: whether it was retracted or corrected was last checked on {when}, more than {days} days "
             "ago; build with network access or run 'sphinx-evidence fetch' to check again", "status-stale", location)


def _in_title(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.title):
            return True
        parent = parent.parent
    return False


def cite_nodes(keys: list[str], ctx: PageContext, location: nodes.Node, acknowledged: str = "",
               locators: dict[str, Any] | None = None) -> nodes.inline:
    """The inline label for ``keys`` in the page's style; each part links to its entry.

    A flagged work carries its mark in words ("retracted"), in every output
    format; ``locators`` (key → ``[kind, value]``) point into a work.
    """
    page = numbering(ctx)
    style = get_style(ctx.config)
    works: dict[int, Cited] = {}
    for key in keys:
        article = check(key, ctx, location, acknowledged)
        n = page.number(key)
        if n not in works:
            works[n] = Cited(n, key, article, article.mark if article is not None else "",
                             Locator.from_json((locators or {}).get(key)), page.suffix(key, style))
    out = nodes.inline("", "", classes=["evidence-cite"])
    # LaTeX sets a heading again in the contents and page heads, and chapter styles upper-case it, labels
    # and all: a citation there is its label alone, with no link and no back-link.
    plain = ctx.builder_format == "latex" and _in_title(location)
    if not plain:
        anchor(out, [page.new_anchor(works[n].key) for n in sorted(works)], ctx.builder_format)
    if any(w.mark for w in works.values()):
        out["classes"].append("evidence-cite-flagged")

    def make_link(text: str, work: Cited) -> nodes.Node:
        if plain:
            return nodes.Text(text)
        memo = ("tooltip", work.key)
        if memo not in ctx.records.memo:
            ctx.records.memo[memo] = style.tooltip(work.article, work.key)
        return nodes.reference(text, text, refid=page.entry_id(work.key), internal=True,
                               reftitle=ctx.records.memo[memo])

    out.extend(style.inline([works[n] for n in sorted(works)], make_link))
    return out
