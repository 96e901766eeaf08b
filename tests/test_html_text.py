"""Rendered evidence written as HTML text on HTML builders: byte for byte what Sphinx's own translator writes.

Checked two ways: every record of the recorded corpus (tests/fixtures/corpus, real PubMed and Crossref
answers) in every built-in style, fragment by fragment against Sphinx's HTML5 translator; and whole builds
of the test projects, with and without the shortcut, compared file by file (pages and search index).
"""

from __future__ import annotations

import filecmp
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes
from helpers import warnings
from sphinx.util.docutils import new_document
from sphinx.writers.html5 import HTML5Translator
from test_styles import corpus

from sphinxext_evidence.citations.references import identifier_links
from sphinxext_evidence.citations.styles import BUILT_IN, resolve_style
from sphinxext_evidence.html_text import as_node, evidence_html, writes_like_sphinx
from sphinxext_evidence.records.model import Article
from sphinxext_evidence.render_utils import badge, join_text

HOSTILE = 'Ampersand & <script>alert("x")</script> at@sign\ttab\nnewline ‘quotes’ ↩'


def inline_html(children: list[nodes.Node]) -> str | None:
    """What the shortcut writes for ``children`` (None: it leaves them as nodes)."""
    node = as_node(children)
    return None if node is None else node["html"]


class CopiedTranslator(HTML5Translator):
    """Writes text exactly as Sphinx does, but is a translator of its own: the shortcut must step aside."""

    def visit_Text(self, node: nodes.Text) -> None:
        """Sphinx's own."""
        super().visit_Text(node)


def _translator(app: Any) -> HTML5Translator:
    document = new_document("<fragment>", app.builder.docsettings)
    return app.builder.create_translator(document, app.builder)


def _sphinx_html(app: Any, children: list[nodes.Node]) -> str:
    para = nodes.paragraph()
    para.extend(children)
    translator = _translator(app)
    for child in para.children:
        child.walkabout(translator)
    return "".join(translator.body)


def _backlinks(count: int) -> nodes.inline:
    back = nodes.inline("", "", classes=["evidence-backlinks"])
    for i in range(count):
        back += nodes.reference("", f"↩{i + 1}", refid=f"evidence-cite-1-{i + 1}", internal=True,
                                reftitle="Back to where this is cited")
    return back


def _entry(article: Article, style: Any) -> list[nodes.Node]:
    children = [badge("Retracted", "retracted"), nodes.Text(" ")]
    children += style.entry(article)
    children += [nodes.Text(" "), *identifier_links(article), nodes.Text(" "), _backlinks(2)]
    para = nodes.paragraph()
    para.extend(children)
    join_text(para)
    return list(para.children)


@pytest.fixture
def built(make_app: Any, project: Any) -> Any:
    """A built HTML project: its builder's translator writes the fragments Sphinx's way."""
    app = make_app("html", srcdir=project("citations"), confoverrides={"evidence_offline": True})
    app.build()
    return app


def test_every_corpus_record_in_every_style_is_written_as_sphinx_writes_it(built: Any) -> None:
    assert writes_like_sphinx(built)
    records = corpus()
    assert len(records) > 900
    compared = 0
    for name in BUILT_IN:
        style = resolve_style(name)[0]
        for key, record in records:
            children = _entry(Article.from_csl(key, record), style)
            ours = inline_html(children)
            assert ours is not None, (name, key)
            assert ours == _sphinx_html(built, children), (name, key)
            compared += 1
    assert compared == len(records) * len(BUILT_IN)


def test_hostile_text_titles_and_addresses_are_escaped_as_sphinx_escapes_them(built: Any) -> None:
    children: list[nodes.Node] = [
        nodes.Text(HOSTILE),
        nodes.emphasis(HOSTILE, HOSTILE, classes=["evidence-x"]),
        nodes.reference(HOSTILE, HOSTILE, refuri='https://example.org/?a=1&b="2"<>', internal=False,
                        classes=["evidence-doi"]),
        nodes.reference("", "x", refid="evidence-ref-1", internal=True, reftitle=HOSTILE),
        nodes.reference("", "y", refid="evidence-ref-2", internal=True, reftitle="a\rb\x0bc\x0cd\u2028e\u00a0f\x00g"),
        nodes.reference("", "z", refid="evidence-ref-3", internal=True, reftitle="printable: only ‘this’ & that"),
        nodes.strong("", "", nodes.superscript("1", "1"), nodes.subscript("2", "2"), ids=["evidence-x-1"]),
        nodes.reference("", "no title", refuri=""),
        nodes.inline("", "x", classes=["b", "evidence-b", "b"]),  # docutils alone would write <b>; Sphinx, a span
        nodes.target("", "", ids=["evidence-grade-x-1"]),
        nodes.raw("", '<span class="evidence-grade-symbols" aria-hidden="true">⊕⊕⊝⊝</span>', format="html"),
        nodes.raw("", "⊕", format="html", classes=["evidence-y"]),
    ]
    nodes.paragraph().extend(children)
    ours = inline_html(children)
    assert ours is not None and "<script>" not in ours
    assert ours == _sphinx_html(built, children)


def test_a_handler_an_extension_registers_for_these_nodes_turns_the_shortcut_off(built: Any) -> None:
    assert writes_like_sphinx(built)
    built.add_node(nodes.emphasis, override=True,
                   html=(CopiedTranslator.visit_emphasis, CopiedTranslator.depart_emphasis))
    assert not writes_like_sphinx(built)


def test_a_translator_that_changes_escaping_turns_the_shortcut_off(built: Any) -> None:
    class Escaping(HTML5Translator):
        special_characters = {**HTML5Translator.special_characters, ord("'"): "&#39;"}

    built.set_translator("html", Escaping, override=True)
    assert not writes_like_sphinx(built)


@pytest.mark.parametrize("node", [
    nodes.literal("x", "x"),                                               # written with extra spans
    nodes.reference("", "mail", refuri="mailto:a@example.org"),            # addresses may be cloaked
    nodes.reference("", "x", refuri="https://example.org", target="_blank"),  # an attribute not copied here
    nodes.inline("", "x", ids=["one", "two"]),                             # a second id adds a tag
    nodes.emphasis("", "x", classes=["language-de"]),                      # becomes lang="de"
    nodes.raw("", "<b>x</b>", format="html"),
    nodes.target("", "", refuri="https://example.org"),                     # a link target writes nothing
])
def test_what_is_not_known_here_stays_nodes(node: nodes.Node) -> None:
    para = nodes.paragraph("", "", nodes.Text("a "), node)
    assert inline_html(para.children) is None
    assert inline_html([nodes.Text("a "), nodes.reference("", "x", refuri="https://example.org")]) is None  # no parent


def test_search_text_keeps_words_apart_that_were_apart() -> None:
    para = nodes.paragraph("", "", nodes.Text("effective"), nodes.superscript("", "1,2"), nodes.Text(" and "),
                           nodes.emphasis("", "Lancet"), nodes.Text("."),
                           nodes.raw("", "<span>⊕</span>", format="html"), nodes.Text("low"))
    from sphinxext_evidence.html_text import as_html

    as_html(para)
    assert para.astext() == "effective 1,2 and Lancet.low"
    assert len(para.children) == 1 and isinstance(para[0], evidence_html)


def _evidence_warnings(app: Any, src: Path) -> list[str]:
    return [line.replace(str(src), "") for line in warnings(app).splitlines() if "[evidence" in line]


def _build(make_app: Any, src: Path, builder: str, translator: type | None, style: str) -> tuple[Any, int]:
    conf = {"evidence_offline": True, **({"evidence_style": style} if style else {})}
    app = make_app(builder, srcdir=src, freshenv=True, confoverrides=conf)
    if translator is not None:
        app.set_translator(builder, translator, override=True)
    shortcuts: list[int] = []
    app.connect("doctree-resolved",
                lambda _app, doctree, _name: shortcuts.append(sum(1 for _ in doctree.findall(evidence_html))))
    app.build()
    return app, sum(shortcuts)


@pytest.mark.parametrize("name", ["citations", "corrections", "manual", "anywhere", "furniture", "grade",
                                  "regulatory", "citations:ama", "corrections:apa"])
@pytest.mark.parametrize("builder", ["html", "dirhtml"])
def test_builds_are_the_same_with_and_without_the_shortcut(make_app: Any, project: Any, name: str,
                                                           builder: str) -> None:
    import shutil

    name, _, style = name.partition(":")
    fast_src = project(name)
    slow_src = fast_src.parent / f"{name}-nodes"
    shutil.copytree(fast_src, slow_src)
    fast, written_as_text = _build(make_app, fast_src, builder, None, style)
    slow, none_expected = _build(make_app, slow_src, builder, CopiedTranslator, style)
    assert written_as_text > 0 and none_expected == 0
    # (A second app in one process re-registers Sphinx's own nodes, with warnings of its own: the evidence ones count.)
    assert _evidence_warnings(fast, fast_src) == _evidence_warnings(slow, slow_src)
    pages = sorted(p.relative_to(fast.outdir) for p in Path(fast.outdir).rglob("*")
                   if p.suffix in (".html", ".js") and "_static" not in p.parts)
    assert pages and pages == sorted(p.relative_to(slow.outdir) for p in Path(slow.outdir).rglob("*")
                                     if p.suffix in (".html", ".js") and "_static" not in p.parts)
    differ = [str(p) for p in pages if not filecmp.cmp(Path(fast.outdir, p), Path(slow.outdir, p), shallow=False)]
    assert differ == []
