"""Helpers for the sphinxext-evidence documentation (local to docs/, not part of the package).

``evidence-example``
    Shows its body twice: as source in a code block ("Source" tab) and parsed
    as markup ("Rendered" tab), so an example can never disagree with what it
    renders.  Works in reStructuredText and MyST pages (the body is parsed by
    the page's own parser).  Without sphinx-design loaded it falls back to two
    plain sections.

``evidence-confval:: evidence_name``
    A ``confval`` entry whose type, default and one-line meaning are read from
    :data:`sphinxext_evidence.config.OPTIONS`; the body adds the long
    explanation and examples.

``evidence-config-table``
    A table of every value in ``OPTIONS``: name (linked to its entry), default,
    meaning.

``evidence-warning:: subtype``
    A heading ``evidence.<subtype>`` with an anchor (``warning-<subtype>``),
    followed by the body: when the warning is emitted and what to do.

``evidence-style-table:: pmid:37818733 pmid:20301382``
    The entries of works from the lockfile in every built-in citation style,
    side by side, drawn by the styles themselves at build time.

At the end of reading, every value in ``OPTIONS`` must have an
``evidence-confval`` entry somewhere (and every entry must name a real value),
otherwise the build warns (``evidence-docs.config``) and a ``-W`` build fails:
the configuration reference cannot drift from the code.  Likewise every
warning subtype in :data:`sphinxext_evidence.log.SUBTYPES` must have an
``evidence-warning`` entry, and every entry must name one of them
(``evidence-docs.warning``); ``tests/test_warnings_vocabulary.py`` checks
that the code emits no subtype outside that list.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from sphinxext_evidence.config import OPTIONS, Option
from sphinxext_evidence.log import SUBTYPES

logger = logging.getLogger(__name__)

LANGUAGES = {".rst": "rst", ".md": "markdown"}


def _component(name: str, classes: list[str], **attributes: Any) -> nodes.container:
    """A sphinx-design component container (the same shape sphinx-design's own directives build)."""
    return nodes.container("", is_div=True, design_component=name, classes=classes, **attributes)


class EvidenceExample(SphinxDirective):
    """Source and rendered output of one example, as "Source" / "Rendered" tabs."""

    has_content = True
    option_spec = {
        "language": directives.unchanged,
        "selected": lambda v: directives.choice(v, ("source", "rendered")),
    }

    def run(self) -> list[nodes.Node]:
        """Build the code block from the body, then parse the body for the rendered tab."""
        self.assert_has_content()
        suffix = self.env.doc2path(self.env.docname).suffix
        language = self.options.get("language") or LANGUAGES.get(suffix, "rst")
        code = "\n".join(self.content)
        literal = nodes.literal_block(code, code, language=language, classes=["evidence-docs-source"])
        self.set_source_info(literal)
        rendered = nodes.container(classes=["evidence-docs-rendered"])
        self.state.nested_parse(self.content, self.content_offset, rendered)
        selected = self.options.get("selected", "source")
        if "sphinx_design" not in self.config.extensions:
            return [nodes.rubric("", "Source"), literal, nodes.rubric("", "Rendered"), rendered]
        tab_set = _component("tab-set", ["sd-tab-set", "evidence-docs-example"])
        self.set_source_info(tab_set)
        for label, body in (("Source", literal), ("Rendered", rendered)):
            item = _component("tab-item", ["sd-tab-item"], selected=(label.lower() == selected))
            item += nodes.rubric(label, label, classes=["sd-tab-label"])
            content = _component("tab-content", ["sd-tab-content"])
            content += body
            item += content
            tab_set += item
        return [tab_set]


def _option(name: str) -> Option | None:
    return next((o for o in OPTIONS if o.name == name), None)


def _default_text(option: Option) -> str:
    if option.default is None:
        return "None"
    return repr(option.default)


def _types_text(option: Option) -> str:
    return " | ".join("None" if t is type(None) else t.__name__ for t in option.types)


class EvidenceConfval(SphinxDirective):
    """``.. evidence-confval:: evidence_email``: a ``confval`` entry filled from ``OPTIONS``."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        """Emit ``.. confval::`` with type and default from the code, then the body."""
        name = self.arguments[0].strip()
        option = _option(name)
        if option is None:
            logger.warning("evidence-confval: %r is not in sphinxext_evidence.config.OPTIONS", name,
                           location=self.get_location(), type="evidence-docs", subtype="config")
            return []
        _data(self.env)["confvals"][name] = self.env.docname
        source, line = self.get_source_info()
        lines = [
            f".. confval:: {name}",
            f"   :type: ``{_types_text(option)}``",
            f"   :default: ``{_default_text(option)}``",
            "",
            f"   {option.help}",
        ]
        accepts = getattr(option.check, "accepts", None)
        if accepts:
            lines += ["", f"   A number {accepts} (None where the type allows it); another value warns and the "
                          "default is used."]
        if option.rebuild:
            lines += ["", f"   Changing it rebuilds: ``{option.rebuild}`` (every page that uses the extension)."]
        block = StringList()
        for text in lines:
            block.append(text, source, line)
        if self.content:
            block.append("", source, line)
            for text, (src, offset) in zip(self.content, self.content.items):
                block.append(f"   {text}" if text.strip() else "", src, offset)
        container = nodes.container(classes=["evidence-docs-confval"])
        self.state.nested_parse(block, 0, container)
        return container.children


class EvidenceConfigTable(SphinxDirective):
    """A table of every ``evidence_*`` value: name, default, meaning."""

    def run(self) -> list[nodes.Node]:
        """One row per entry of ``OPTIONS``, in the order the code defines them."""
        source, line = self.get_source_info()
        lines = [".. list-table::", "   :header-rows: 1", "   :widths: 30 25 45", "",
                 "   * - Value", "     - Default", "     - Meaning"]
        for option in OPTIONS:
            lines += [f"   * - :confval:`{option.name}`", f"     - ``{_default_text(option)}``",
                      f"     - {option.help}"]
        block = StringList()
        for text in lines:
            block.append(text, source, line)
        container = nodes.container(classes=["evidence-docs-config-table"])
        self.state.nested_parse(block, 0, container)
        return container.children


class EvidenceWarning(SphinxDirective):
    """``.. evidence-warning:: retracted``: the heading of one warning subtype, then its explanation."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        """A rubric ``evidence.<subtype>`` with an id, then the parsed body."""
        subtype = self.arguments[0].strip()
        _data(self.env)["warnings"][subtype] = self.env.docname
        label = f"evidence.{subtype}"
        rubric = nodes.rubric(label, "", nodes.literal(label, label), classes=["evidence-docs-warning"],
                              ids=[f"warning-{subtype}"])
        self.set_source_info(rubric)
        body = nodes.container(classes=["evidence-docs-warning-body"])
        self.state.nested_parse(self.content, self.content_offset, body)
        return [rubric, body]


class EvidenceStyleTable(SphinxDirective):
    """``.. evidence-style-table:: pmid:37818733 pmid:20301382``: each work's entry in every built-in style.

    The records are read from the project's lockfile (they must be there: the
    docs build is offline), and the first rows show the label that cites the
    first work at page 33.
    """

    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        """A table: for each work, a row per style."""
        from sphinxext_evidence.citations.locators import Locator
        from sphinxext_evidence.citations.styles import BUILT_IN, Cited, resolve_style
        from sphinxext_evidence.records.model import Article

        path = Path(self.env.srcdir) / self.config.evidence_lockfile  # conf.py sits in the source directory here
        self.env.note_dependency(str(path))
        lock = json.loads(path.read_text(encoding="utf-8"))
        works = []
        for key in self.arguments[0].split():
            kind, ident = key.split(":", 1)
            record = lock.get({"pmid": "pubmed", "doi": "crossref"}[kind], {}).get(ident)
            if record is None:
                logger.warning("evidence-style-table: %s is not in the lockfile", key, location=self.get_location(),
                               type="evidence-docs", subtype="style-table")
                continue
            works.append(Article.from_csl(key, record))
        styles = [resolve_style(name)[0] for name in BUILT_IN]
        names = {"vancouver": "Vancouver", "ama": "AMA", "apa": "APA"}
        table = nodes.table(classes=["evidence-docs-styles"])
        group = nodes.tgroup(cols=2)
        table += group
        group.extend([nodes.colspec(colwidth=15), nodes.colspec(colwidth=85)])
        group += nodes.thead("", self._row(["Style", "What it writes"]))
        body = nodes.tbody()
        group += body
        sections = []
        if works:
            cited = [Cited(1, works[0].key, works[0], locator=Locator("page", "33"))]
            sections.append(("In the text: page 33 of the first work",
                             [s.inline(cited, lambda text, _: nodes.Text(text)) for s in styles]))
        sections.extend((work.key.replace(":", " ").upper(), [s.entry(work) for s in styles]) for work in works)
        for heading, cells in sections:
            title = nodes.entry("", nodes.paragraph("", "", nodes.strong(heading, heading)), morecols=1)
            body += nodes.row("", title)
            for style, cell in zip(styles, cells):
                body += self._row([names.get(style.name, style.name), cell])
        return [table]

    @staticmethod
    def _row(cells: list[Any]) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            para = nodes.paragraph()
            para.extend([nodes.Text(cell)] if isinstance(cell, str) else cell)
            row += nodes.entry("", para)
        return row


def _data(env: Any) -> dict[str, dict[str, str]]:
    data = env.domaindata.setdefault("evidence_docs", {})
    data.setdefault("confvals", {})
    data.setdefault("warnings", {})
    return data


def _clear(app: Sphinx, env: Any, docname: str) -> None:
    data = _data(env)
    for kind in ("confvals", "warnings"):
        data[kind] = {k: v for k, v in data[kind].items() if v != docname}


def _merge(app: Sphinx, env: Any, docnames: Any, other: Any) -> None:
    data = _data(env)
    theirs = _data(other)
    for kind in ("confvals", "warnings"):
        data[kind].update(theirs[kind])


def _check(app: Sphinx, env: Any) -> None:
    data = _data(env)
    for option in OPTIONS:
        if option.name not in data["confvals"]:
            logger.warning("configuration value %s (sphinxext_evidence/config.py) has no evidence-confval "
                           "entry in the documentation", option.name, type="evidence-docs", subtype="config")
    for subtype in sorted(set(SUBTYPES) - set(data["warnings"])):
        logger.warning("warning subtype evidence.%s (sphinxext_evidence/log.py) has no evidence-warning entry "
                       "in the documentation", subtype, type="evidence-docs", subtype="warning")
    for subtype in sorted(set(data["warnings"]) - set(SUBTYPES)):
        logger.warning("the documentation describes warning subtype evidence.%s, which is not in "
                       "sphinxext_evidence/log.py", subtype, type="evidence-docs", subtype="warning")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the documentation helpers."""
    app.add_directive("evidence-example", EvidenceExample)
    app.add_directive("evidence-confval", EvidenceConfval)
    app.add_directive("evidence-config-table", EvidenceConfigTable)
    app.add_directive("evidence-warning", EvidenceWarning)
    app.add_directive("evidence-style-table", EvidenceStyleTable)
    app.connect("env-purge-doc", _clear)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", _check)
    return {"version": "0", "parallel_read_safe": True, "parallel_write_safe": True}
