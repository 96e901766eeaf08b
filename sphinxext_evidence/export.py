"""``sphinx-evidence export``: the works a site cites (or the whole lockfile) as CSL-JSON, BibTeX or RIS.

The works are found the way a build finds them: the project is read (never
written, never fetched for) and the pages' citations collected from the
evidence domain; their records come from the lockfile and the manual records
file through the build's store.  Each format is written from the work's
CSL-JSON item: the extension's private ``custom`` data is left out, and what
changes how a work may be cited (a retraction, an expression of concern, a
newer version) is stated in the item's ``note``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import SphinxError

from sphinxext_evidence import cli
from sphinxext_evidence.domain import CITE, EvidenceDomain
from sphinxext_evidence.identifiers import key_label, make_key
from sphinxext_evidence.records import lockfile
from sphinxext_evidence.records.model import Article, bcp47, title_tokens
from sphinxext_evidence.records.store import Store
from sphinxext_evidence.sources import REGISTRY
from sphinxext_evidence.sources.manual import CSL_TYPES, DATES

#: The date fields CSL-JSON allows (the lockfile may keep others, such as ``edtf``).
DATE_FIELDS = ("date-parts", "season", "circa", "literal", "raw")
#: Title markup CSL-JSON knows; other tags are dropped, their text kept.
CSL_TAGS = ("i", "b", "sup", "sub")
BIBTEX_TYPES = {"article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
                "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
                "report": "techreport", "thesis": "phdthesis"}
BIBTEX_TAGS = {"i": r"\textit", "b": r"\textbf", "sup": r"\textsuperscript", "sub": r"\textsubscript"}
RIS_TYPES = {"article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS", "book": "BOOK",
             "chapter": "CHAP", "report": "RPRT", "webpage": "ELEC", "post-weblog": "BLOG", "thesis": "THES",
             "paper-conference": "CPAPER", "dataset": "DATA", "legislation": "STAT", "bill": "BILL",
             "patent": "PAT", "map": "MAP", "manuscript": "MANSCPT", "standard": "STAND"}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_LATEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
          "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


@dataclass(frozen=True)
class Work:
    """One work to export: its key (the item's id), its CSL-JSON item, and its title as ``(tag, text)`` runs."""

    key: str
    item: dict[str, Any]
    title: list[tuple[str, str]]


def csl_item(key: str, record: dict[str, Any], article: Article) -> dict[str, Any]:
    """The CSL-JSON item of a stored record: private data left out, flags stated in ``note``."""
    item = {name: value for name, value in record.items() if name != "custom"}
    item["id"] = key
    item["type"] = item.get("type") if item.get("type") in CSL_TYPES else "document"
    for name in DATES & item.keys():
        if isinstance(item[name], dict):
            item[name] = {k: v for k, v in item[name].items() if k in DATE_FIELDS}
    if "title" in item:
        item["title"] = "".join(f"<{tag}>{text}</{tag}>" if tag in CSL_TAGS else text
                                for tag, text in title_tokens(str(item["title"])))
    language = bcp47(str(item.pop("language", "")))
    item.update({"language": language} if language else {})
    flags = [f"{n.label}: {n.source or n.doi or n.pmid}".rstrip(": ") for n in article.notices if n.info.flags]
    if article.retracted and not any(n.info.level == "retraction" for n in article.notices):
        flags.append("Retracted publication")
    note = "; ".join(x for x in (str(item.get("note") or ""), *flags) if x)
    item.update({"note": note} if note else {})
    return item


def collect(store: Store, keys: set[str]) -> tuple[list[Work], list[str]]:
    """The works of ``keys`` (a work cited under two keys once), sorted by key, and the keys without a record."""
    works: dict[str, Work] = {}
    missing: set[str] = set()
    for key in keys:
        canonical = store.canonical(key)
        article, record = store.get(canonical), store.raw(canonical)
        if not isinstance(article, Article) or record is None:
            missing.add(canonical)
        elif canonical not in works:
            works[canonical] = Work(canonical, csl_item(canonical, record, article),
                                    title_tokens(str(record.get("title") or "")))
    return [works[k] for k in sorted(works)], sorted(missing)


def every_key(store: Store) -> set[str]:
    """The key of every stored record that is a citable work (not a drug look-up or a correction check)."""
    keys = set()
    for source in REGISTRY:
        section = store.sections.get(source.section)
        for ident in section if isinstance(section, Mapping) else ():
            key = make_key(source.kinds[0], ident)
            if isinstance(store.get(key), Article):
                keys.add(key)
    return keys


def csl_json(works: list[Work]) -> str:
    """A CSL-JSON array of the works' items."""
    return json.dumps([w.item for w in works], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _latex(text: str) -> str:
    """``text`` with LaTeX's special characters escaped (other characters stay UTF-8)."""
    return "".join(_LATEX.get(c, c) for c in re.sub(r"\s+", " ", text))


def _verbatim(value: Any) -> str:
    """A field BibTeX tools read as it is (a URL, a DOI): only braces, which would end it, are encoded."""
    return str(value or "").replace("{", "%7B").replace("}", "%7D")


def _bib_name(name: dict[str, Any]) -> str:
    if name.get("literal") or not name.get("family"):
        return "{" + _latex(str(name.get("literal") or name.get("given") or "")) + "}"
    family = " ".join(str(name[p]) for p in ("non-dropping-particle", "family") if name.get(p))
    parts = [family, str(name.get("suffix") or ""), str(name.get("given") or "")]
    return ", ".join(_latex(p) for p in parts if p) if name.get("suffix") else ", ".join(
        _latex(p) for p in (family, str(name.get("given") or "")) if p)


def _date(item: dict[str, Any], name: str) -> list[int]:
    """The first date of date field ``name`` as ``[year, month, day]`` (as far as known)."""
    parts = (item.get(name) or {}).get("date-parts") or [[]]
    return [int(p) for p in parts[0] if str(p).isdigit()][:3]


def _bibtex_key(key: str, taken: set[str]) -> str:
    """A citation key every BibTeX and biber accepts, unique among ``taken``."""
    base = re.sub(r"[^A-Za-z0-9_:./-]", "_", key)
    found, n = base, 1
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    taken.add(found)
    return found


def bibtex_entry(work: Work, key: str) -> str:
    """One BibTeX entry."""
    item = work.item
    kind = BIBTEX_TYPES.get(item["type"], "misc")
    title = "".join(f"{BIBTEX_TAGS[tag]}{{{_latex(text)}}}" if tag in BIBTEX_TAGS else _latex(text)
                    for tag, text in work.title)
    issued, accessed = _date(item, "issued"), _date(item, "accessed")
    container = "journal" if kind == "article" else "booktitle" if kind in ("incollection", "inproceedings") \
        else "howpublished"
    fields = [("author", " and ".join(_bib_name(n) for n in item.get("author", []))),
              ("editor", " and ".join(_bib_name(n) for n in item.get("editor", []))),
              ("title", title), (container, _latex(str(item.get("container-title") or ""))),
              ("year", str(issued[0]) if issued else ""),
              ("volume", _latex(str(item.get("volume") or ""))), ("number", _latex(str(item.get("issue") or ""))),
              ("pages", _latex(str(item.get("page") or "")).replace("-", "--")),
              ("edition", _latex(str(item.get("edition") or ""))),
              ("institution" if kind == "techreport" else "publisher", _latex(str(item.get("publisher") or ""))),
              ("address", _latex(str(item.get("publisher-place") or ""))),
              ("isbn", _latex(str(item.get("ISBN") or ""))), ("issn", _latex(str(item.get("ISSN") or ""))),
              ("doi", _verbatim(item.get("DOI"))), ("pmid", _verbatim(item.get("PMID"))),
              ("pmcid", _verbatim(item.get("PMCID"))), ("url", _verbatim(item.get("URL"))),
              ("urldate", "-".join(f"{p:02d}" for p in accessed)), ("language", str(item.get("language") or "")),
              ("note", _latex(str(item.get("note") or "")))]
    lines = [f"@{kind}{{{key},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields if value]
    if len(issued) > 1:
        lines.append(f"  month = {MONTHS[issued[1] - 1]},")
    return "\n".join(lines) + "\n}\n"


def bibtex(works: list[Work]) -> str:
    """The works as BibTeX entries (UTF-8; keys derived from the works' keys)."""
    taken: set[str] = set()
    return "\n".join(bibtex_entry(w, _bibtex_key(w.key, taken)) for w in works)


def _ris_name(name: dict[str, Any]) -> str:
    if name.get("literal") or not name.get("family"):
        return str(name.get("literal") or name.get("given") or "")
    family = " ".join(str(name[p]) for p in ("non-dropping-particle", "family") if name.get(p))
    return ", ".join(str(p) for p in (family, name.get("given"), name.get("suffix")) if p)


def ris_entry(work: Work) -> str:
    """One RIS record, ``TY`` to ``ER``."""
    item = work.item
    issued, accessed = _date(item, "issued"), _date(item, "accessed")
    first, _, last = str(item.get("page") or "").replace("\u2013", "-").partition("-")
    container = str(item.get("container-title") or "")
    tags = [("TY", RIS_TYPES.get(item["type"], "GEN")), *(("AU", _ris_name(n)) for n in item.get("author", [])),
            *(("ED", _ris_name(n)) for n in item.get("editor", [])),
            ("TI", "".join(text for _, text in work.title)), ("T2", container),
            ("JO", str(item.get("container-title-short") or container) if item["type"] == "article-journal" else ""),
            ("PY", str(issued[0]) if issued else ""),
            ("DA", "/".join(f"{p:02d}" for p in issued) if len(issued) > 1 else ""),
            ("VL", str(item.get("volume") or "")), ("IS", str(item.get("issue") or "")),
            ("SP", first), ("EP", last), ("ET", str(item.get("edition") or "")),
            ("PB", str(item.get("publisher") or "")), ("CY", str(item.get("publisher-place") or "")),
            ("SN", str(item.get("ISSN") or item.get("ISBN") or "")), ("DO", str(item.get("DOI") or "")),
            ("AN", str(item.get("PMID") or "")), ("UR", str(item.get("URL") or "")),
            ("Y2", "/".join(f"{p:02d}" for p in accessed)), ("LA", str(item.get("language") or "")),
            ("N1", str(item.get("note") or ""))]
    lines = [f"{tag}  - {' '.join(value.split())}" for tag, value in tags if value.strip()]
    return "\n".join(lines) + "\nER  - \n"


def ris(works: list[Work]) -> str:
    """The works as RIS records (UTF-8), as reference managers import them."""
    return "\n".join(ris_entry(w) for w in works)


WRITERS: dict[str, Callable[[list[Work]], str]] = {"csl-json": csl_json, "bibtex": bibtex, "ris": ris}


def add_parser(sub: Any) -> None:
    """Add ``export`` to the command line's sub-commands."""
    parser = sub.add_parser("export", help="write the works a site cites as CSL-JSON, BibTeX or RIS")
    parser.add_argument("project", help="directory holding conf.py (or docs/conf.py)")
    parser.add_argument("--format", required=True, choices=tuple(WRITERS), help="the format to write")
    parser.add_argument("--all", dest="everything", action="store_true",
                        help="every work in the lockfile and the manual records file, cited or not")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    parser.add_argument("-D", dest="define", action="append", default=[], metavar="name=value",
                        help="override a configuration value, as with sphinx-build -D")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")
    parser.set_defaults(func=cmd_export)


@contextlib.contextmanager
def read_project(confdir: Path, overrides: dict[str, Any], verbose: bool) -> Iterator[Sphinx]:
    """The project read as a build reads it, offline and writing nothing; yields the application."""
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    with tempfile.TemporaryDirectory() as tmp, patch_docutils(confdir), docutils_namespace():
        out, doctrees = Path(tmp, "out"), Path(tmp, "doctrees")
        try:
            app = Sphinx(str(confdir), str(confdir), str(out), str(doctrees), "dummy", freshenv=True,
                         status=sys.stderr if verbose else None, warning=sys.stderr,
                         confoverrides={**overrides, "evidence_offline": True})
        except SphinxError as exc:
            raise cli._config_error(confdir / "conf.py", exc) from exc
        try:
            app.build(force_all=True)
        except SphinxError as exc:
            raise cli.CommandError(f"reading {confdir} failed: {cli._one_line(str(exc))}", cli.FAILED) from exc
        yield app


def cmd_export(args: argparse.Namespace) -> int:
    """Write the cited works (or, with ``--all``, every work) in the chosen format."""
    from sphinx.util.logging import suppress_logging

    from sphinxext_evidence.fetch import lockfile_path

    confdir = cli._require_confdir(args.project)
    overrides = cli._overrides(args.define)
    with cli._plain_stderr(), read_project(confdir, overrides, args.verbose) as app:
        try:
            with suppress_logging():  # the build has warned about what it found in it
                lockfile.load(lockfile_path(app))
        except lockfile.LockfileError as exc:
            raise cli.CommandError(f"{exc}; nothing was exported", cli.FAILED) from exc
        domain: EvidenceDomain = app.env.get_domain("evidence")  # type: ignore[assignment]
        store = domain.store
        keys = every_key(store) if args.everything else {k for _, ks in domain.bucket(CITE) for k in ks}
        works, missing = collect(store, keys)
    text = WRITERS[args.format](works)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise cli.CommandError(f"cannot write {args.output}: {exc}", cli.FAILED) from exc
        cli._say(f"{len(works)} work(s) written to {args.output}")
    else:
        sys.stdout.write(text)
    if missing:
        shown = ", ".join(key_label(k) for k in missing[:5]) + (f" and {len(missing) - 5} more"
                                                                  if len(missing) > 5 else "")
        cli._say(f"{len(missing)} cited work(s) have no record and are not exported: {shown}; run "
                 f"{cli.PROG} fetch, or declare them in the evidence_manual_records file")
    return cli.FAILED if missing else cli.OK
