"""What a project's pages cite, grade and state, read straight from their sources for ``sphinx-evidence check``.

No Sphinx build and no parser: the pages Sphinx would read are found as
Sphinx finds them (``source_suffix``, ``exclude_patterns``,
``include_patterns``), and each is read by a small scanner for its syntax
(:mod:`.scan_rst`, :mod:`.scan_md`) that knows only what decides where the
extension's markup is: blocks, literal text, directives with their options,
roles.  The extension's own directives are then read the way their ``run()``
reads them, down to when a body is not parsed at all (a ``pmid`` card with a
malformed PMID), so that the keys found here are the keys a build notes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinxext_evidence import scan_md, scan_rst
from sphinxext_evidence.citations.cards import CARD_FIELDS
from sphinxext_evidence.citations.locators import split_citation
from sphinxext_evidence.citations.roles import CITE_ROLES
from sphinxext_evidence.grade.levels import parse_certainty
from sphinxext_evidence.identifiers import KINDS, WORK, drug_name, make_key, parse_pmid, pmid_key, split_ids
from sphinxext_evidence.regulatory.directive import OFF

#: Directives whose body (or file) is shown as it is, never read as markup.
LITERAL = frozenset({
    "code", "code-block", "sourcecode", "literalinclude", "highlight", "math", "raw", "productionlist", "graphviz",
    "digraph", "graph", "testcode", "testoutput", "testsetup", "testcleanup", "doctest", "ipython",
    "jupyter-execute", "code-cell", "mermaid", "plantuml", "uml", "toctree", "index", "tabularcolumns",
})
#: The extension's directives that need an argument: without one docutils runs nothing of them.
NEEDS_ARGUMENT = frozenset({"pmid", "evidence-grade", "certainty-table", "regulatory-status", "include"})
INCLUDE_DEPTH = 10
SYNTAXES = {"restructuredtext": "rst", "markdown": "md"}
# The citing roles, as the citations feature registers them: one per kind, and :work: for declared works.
_CITE_KINDS = {**{name: KINDS[name] for name in CITE_ROLES if name in KINDS}, WORK.name: WORK}
_RST_MARKS = tuple(f":{name}:" for name in _CITE_KINDS)
_MD_MARKS = tuple(f"{{{name}}}" for name in _CITE_KINDS)


@dataclass(frozen=True)
class Cite:
    """One place that cites works: a role, a study card or a grade's :source:, with the author's acknowledgement."""

    keys: tuple[str, ...]
    acknowledged: str
    file: str
    line: int
    docname: str
    how: str  # "role", "card" or "grade"
    shown: bool = True  # False: in a substitution no page uses, which a build notes but never shows or warns about


@dataclass(frozen=True)
class Grade:
    """One ``evidence-grade`` as written: its options, and what a ``certainty-table`` around it passes down."""

    name: str
    outcome: str
    options: dict[str, str]
    table: dict[str, str]
    file: str
    line: int


@dataclass(frozen=True)
class Status:
    """One ``regulatory-status`` table: its :as-of: text (None: absent), its FDA look-ups, the line of its US row."""

    substance: str
    as_of: str | None
    keys: tuple[str, ...]
    file: str
    line: int
    us_line: int
    docname: str


@dataclass
class Scan:
    """Everything read from a project's pages, and the pages that could not be read."""

    pages: int = 0
    cites: list[Cite] = field(default_factory=list)
    grades: list[Grade] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # "path: why"


@dataclass(frozen=True)
class Block:
    """A directive as written: name, argument, options, and its body (``content``, from line ``content_first``)."""

    name: str
    argument: str
    options: dict[str, str]
    line: int
    file: str
    syntax: str
    content: list[str]
    content_first: int

    @property
    def arg(self) -> str:
        """The argument with its whitespace collapsed, as the directives read it."""
        return " ".join(self.argument.split())

    def option(self, name: str) -> str:
        """An option's value with its whitespace collapsed ('' when absent or empty)."""
        return " ".join((self.options.get(name) or "").split())


@dataclass(frozen=True)
class Settings:
    """What conf.py says about where the pages are and how they are read."""

    srcdir: str  # as the user named it, so reported paths read the same way
    suffixes: dict[str, str]
    exclude: tuple[str, ...]
    include: tuple[str, ...]
    default_role: str
    colon_fence: bool
    fieldlist: bool
    encoding: str
    prologs: tuple[tuple[str, str], ...]  # ("rst_prolog", its text), ("rst_epilog", …)
    substitutions: dict[str, Any] | None  # myst_substitutions; None: MyST's substitution extension is off


def grade_sources(text: str) -> list[str]:
    """The keys of the valid PMIDs in an ``evidence-grade`` :source:, in order, once each."""
    keys: list[str] = []
    for raw in split_ids(" ".join(text.split())):
        pmid = parse_pmid(raw)
        if pmid is not None and pmid_key(pmid) not in keys:
            keys.append(pmid_key(pmid))
    return keys


def _strings(value: Any, fallback: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return fallback


def settings(srcdir: str, conf: Mapping[str, Any]) -> Settings:
    """Read the values of conf.py that decide which files are pages and how they read (Sphinx's defaults otherwise)."""
    raw = conf.get("source_suffix", ".rst")
    suffixes: dict[str, str] = (
        {k: v if isinstance(v, str) else "restructuredtext" for k, v in raw.items() if isinstance(k, str)}
        if isinstance(raw, dict) else dict.fromkeys(_strings(raw, (".rst",)), "restructuredtext"))
    extensions = _strings(conf.get("extensions"), ())
    if any(e.split(".")[0] in ("myst_parser", "myst_nb") for e in extensions) and \
            suffixes.get(".md", "restructuredtext") == "restructuredtext":
        suffixes[".md"] = "markdown"  # as MyST registers it, unless conf.py gave .md a parser
    exclude = sum((_strings(conf.get(name), ()) for name in
                   ("exclude_patterns", "templates_path", "html_static_path", "html_extra_path")), ())
    myst = _strings(conf.get("myst_enable_extensions"), ())
    role = conf.get("default_role")
    prologs = tuple((n, conf[n]) for n in ("rst_prolog", "rst_epilog") if isinstance(conf.get(n), str))
    encoding = conf.get("source_encoding")
    subs = conf.get("myst_substitutions")
    return Settings(srcdir, suffixes, exclude, _strings(conf.get("include_patterns"), ("**",)),
                    role.lower() if isinstance(role, str) else "", "colon_fence" in myst, "fieldlist" in myst,
                    encoding if isinstance(encoding, str) else "utf-8-sig", prologs,
                    (dict(subs) if isinstance(subs, dict) else {}) if "substitution" in myst else None)


def scan_project(srcdir: str, conf: Mapping[str, Any]) -> Scan:
    """Find the project's pages as Sphinx would and read each of them."""
    from sphinx.project import Project

    config = settings(srcdir, conf)
    project = Project(srcdir, config.suffixes)
    scan = Scan()
    prolog = _read_prologs(config)
    rst = False
    for docname in sorted(project.discover(config.exclude, config.include)):
        rel = str(project.doc2path(docname, absolute=False))
        shown = os.path.normpath(os.path.join(srcdir, rel))
        syntax = SYNTAXES.get(config.suffixes.get(next(s for s in config.suffixes if rel.endswith(s)), ""), "")
        if not syntax:
            scan.unread.append(f"{shown}: not reStructuredText or Markdown")
            continue
        scan.pages += 1
        rst = rst or syntax == "rst"
        read_file(scan, config, docname, shown, syntax, prolog)
    if rst:
        scan_rst.note_definitions(prolog)
        scan.cites += prolog.scan.cites
        scan.unread += prolog.scan.unread
    return scan


def _read_prologs(config: Settings) -> Reader:
    """What ``rst_prolog`` and ``rst_epilog`` cite and define, once: Sphinx adds them to every reST page."""
    prolog = Reader(Scan(), config, "")
    conf = os.path.join(config.srcdir, "conf.py")
    try:
        text = Path(conf).read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        text = ""
    for name, value in config.prologs:
        line = next((n for n, raw in enumerate(text.splitlines(), 1) if raw.startswith(name)), 1)
        try:
            prolog.blocks(_lines(value, "rst"), line, conf, "rst")
        except Exception as exc:  # noqa: BLE001 - as for a page: say so and go on
            prolog.scan.unread.append(f"{conf} ({name}): could not be scanned ({type(exc).__name__}: {exc})")
    return prolog


def read_file(scan: Scan, config: Settings, docname: str, shown: str, syntax: str, prolog: Reader | None) -> None:
    """Read one page into ``scan``; a file that cannot be read or scanned is noted, never raised."""
    try:
        text = Path(shown).read_text(encoding=config.encoding)
    except (OSError, UnicodeError, LookupError) as exc:
        scan.unread.append(f"{shown}: {type(exc).__name__}: {exc}")
        return
    try:
        reader = Reader(scan, config, docname, prolog)
        reader.blocks(_lines(text, syntax), 1, shown, syntax, top=True)
        scan_rst.note_definitions(reader, syntax == "rst")  # MyST reads an eval-rst block apart: none is used
    # Whatever a page holds, the check goes on and says which page it could not read.
    except Exception as exc:  # noqa: BLE001
        scan.unread.append(f"{shown}: could not be scanned ({type(exc).__name__}: {exc})")


def _lines(text: str, syntax: str) -> list[str]:
    return [line.expandtabs(8) for line in text.splitlines()] if syntax == "rst" else text.splitlines()


class Reader:
    """Reads one page (and the files it includes) into a :class:`Scan`, directive by directive."""

    def __init__(self, scan: Scan, config: Settings, docname: str, prolog: Reader | None = None) -> None:
        self.scan, self.config, self.docname, self.prolog = scan, config, docname, prolog
        self.default_role = config.default_role
        self.tables: list[dict[str, str]] = []
        self.including: list[str] = []
        self.subs = config.substitutions  # MyST's, with the page's front matter's
        self.sub_refs: set[str] = set()  # the MyST substitutions being rendered, against circular ones
        self.defs: list[tuple[str, list[Cite], set[str]]] = []  # reST substitutions: name, cites, names they use
        self.used: set[str] = set()  # the names of the substitutions the page uses
        self.defining: int | None = None  # the index in defs of the definition being read

    def blocks(self, lines: list[str], first: int, file: str, syntax: str, top: bool = False) -> None:
        """Read ``lines`` (the first is line ``first`` of ``file``) as ``syntax``: ``rst`` or ``md``."""
        if syntax == "rst":
            scan_rst.blocks(self, lines, first, file)
        else:
            scan_md.blocks(self, lines, first, file, top)

    def inline(self, text: str, line: int, file: str, syntax: str) -> None:
        """Note the citations of one paragraph (or option value) starting at ``line``."""
        if syntax == "rst":  # a substitution's name, or a role
            role = "`" in text and (self.default_role in _CITE_KINDS or any(m in text.lower() for m in _RST_MARKS))
            if not ("|" in text or role):
                return
            found = scan_rst.roles(text, self.default_role)
        elif (self.subs is not None and "{{" in text) or ("`" in text and any(m in text.lower() for m in _MD_MARKS)):
            found = scan_md.roles(text, self.subs is not None)
        else:
            return
        for offset, name, content in found:
            if name == "|":
                (self.used if self.defining is None else self.defs[self.defining][2]).add(content)
            elif name == "{{":
                scan_md.substitute(self, content, line + 1, file, True)  # MyST says: one line on
            kind = _CITE_KINDS.get(name)
            if kind is None:
                continue
            body, _, reason = content.partition("|")
            keys: list[str] = []
            pieces, _ = split_citation(body, kind.split, tight=kind.name != "doi")  # as CiteRole reads its text
            for raw, _ in pieces:
                ident = kind.parse(raw)
                if ident is not None and make_key(kind.name, ident) not in keys:
                    keys.append(make_key(kind.name, ident))
            if keys:
                self._note(Cite(tuple(keys), " ".join(reason.split()), file, line + text.count("\n", 0, offset),
                                self.docname, "role"))

    def _note(self, cite: Cite) -> None:
        (self.scan.cites if self.defining is None else self.defs[self.defining][1]).append(cite)

    def define(self, name: str | None, replace: bool) -> int | None:
        """Keep what a substitution definition cites apart (it counts where used); give what to restore after it."""
        before = self.defining
        if name is not None:  # only "replace" shows markup: another directive's (a card's) can never be used
            self.defs.append((name if replace else "", [], set()))
            self.defining = len(self.defs) - 1
        return before

    def directive(self, name: str, argument: str, options: dict[str, str], line: int, file: str, syntax: str,
                  content: list[str], content_first: int, runs: list[tuple[list[str], int]]) -> None:
        """Act on one directive as the build would: note what it cites, needs or grades, and read its body.

        ``runs`` is what any other directive holds that may be markup, as ``(lines, first line number)`` pairs.
        """
        if name in LITERAL or (name in NEEDS_ARGUMENT and not argument.strip()):
            return
        special: dict[str, Callable[[Block], None]] = {
            "pmid": self._card, "evidence-grade": self._grade, "certainty-table": self._table,
            "regulatory-status": self._status, "include": self._include}
        if name in special:
            special[name](Block(name, argument, options, line, file, syntax, content, content_first))
        elif name == "default-role" and syntax == "rst":
            self.default_role = " ".join(argument.split()).lower()
        elif name == "eval-rst" and syntax == "md":
            self.blocks(content, content_first, file, "rst")
        else:
            for run, start in runs:
                self.blocks(run, start, file, syntax)

    def _body(self, d: Block) -> None:
        self.blocks(d.content, d.content_first, d.file, d.syntax)

    def _cite(self, keys: list[str], acknowledged: str, d: Block, how: str) -> None:
        if keys:
            self._note(Cite(tuple(keys), acknowledged, d.file, d.line, self.docname, how))

    def _card(self, d: Block) -> None:
        pmid = parse_pmid(d.argument)
        if pmid is None:
            return  # the card is not shown and its body never read
        self._cite([pmid_key(pmid)], d.option("acknowledge"), d, "card")
        for value in (d.options.get(f) or "" for f in CARD_FIELDS):
            if value.strip():
                self.inline(value.strip(), d.line, d.file, d.syntax)
        self._body(d)

    def _grade(self, d: Block) -> None:
        table = dict(self.tables[-1]) if self.tables else {}
        self.scan.grades.append(Grade(d.name, d.arg, dict(d.options), table, d.file, d.line))
        if not d.option("certainty") or parse_certainty(d.option("certainty")) is None:
            return  # the grade is not shown: nothing of it is cited or read
        self._cite(grade_sources(d.option("source")), "", d, "grade")
        self._body(d)

    def _table(self, d: Block) -> None:
        self.tables.append({"intervention": d.option("intervention")})
        try:
            self._body(d)
        finally:
            self.tables.pop()

    def _status(self, d: Block) -> None:
        if not "".join(d.content).strip():
            return
        self._body(d)
        if d.syntax == "md" and not self.config.fieldlist:
            return  # without MyST's fieldlist the body is a paragraph: no rows, nothing looked up
        rows = (scan_rst.fields if d.syntax == "rst" else scan_md.fields)(d.content)
        us = next((index for code, index in rows if code.strip().upper() == "US"), None)
        if not rows:
            return
        check_fda = "fda" not in d.options or (d.options["fda"] or "").strip().lower() not in OFF
        keys = _fda_names(d.arg, d.options.get("fda-names")) if check_fda and us is not None else []
        self.scan.statuses.append(Status(
            d.arg, d.options.get("as-of") if "as-of" in d.options else None, tuple(make_key("fda", k) for k in keys),
            d.file, d.line, d.content_first + us if us is not None else d.line, self.docname))

    def _include(self, d: Block) -> None:
        target = "".join(part.strip() for part in d.argument.splitlines())
        options = d.options
        if (target.startswith("<") and target.endswith(">")) or "literal" in options or "code" in options:
            return
        rel = target[1:] if target.startswith("/") else os.path.join(os.path.dirname(self.docname), target)
        path = os.path.normpath(os.path.join(self.config.srcdir, rel))
        if path in self.including or len(self.including) >= INCLUDE_DEPTH:
            return
        parser = (options.get("parser") or "").lower()
        kind = "md" if any(w in parser for w in ("myst", "markdown", "commonmark")) else "rst" if parser else d.syntax
        try:
            text = Path(path).read_text(encoding=self.config.encoding)
            first, text = scan_rst.excerpt(text, options)
        except (OSError, UnicodeError, LookupError, ValueError):
            return  # the build includes nothing either
        self.including.append(path)
        try:
            self.blocks(_lines(text, kind), first, path, kind)
        finally:
            self.including.pop()


def _fda_names(substance: str, text: str | None) -> list[str]:
    """The names a ``regulatory-status`` looks up, as its :fda-names: (or its argument) gives them."""
    raw = text.split(",") if text is not None else [substance]
    keys: list[str] = []
    for name in raw:
        key = drug_name(name)
        if key and any(c.isalnum() for c in key) and key not in keys:
            keys.append(key)
    return keys if keys or text is None else [drug_name(substance)]
