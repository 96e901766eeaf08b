"""LaTeX output that every engine can typeset, whatever the records hold."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

#: The LaTeX package the extension's PDF layout needs, written next to the .tex file for every LaTeX build.
#: It is loaded after Sphinx's own packages and hyperref, so Sphinx's box and table macros exist.
STYLE_NAME = "sphinxextevidence"
STYLE = r"""\NeedsTeXFormat{LaTeX2e}
\ProvidesPackage{sphinxextevidence}[2026/11/30 sphinxext-evidence PDF layout]
\RequirePackage{needspace}
\RequirePackage{refcount}

% Cards keep a frame on paper: Sphinx's sphinxuseclass environment runs sphinxclass<class>
% when it is defined, and the frame is the one Sphinx draws around notes.
\newcommand\evidence@framestart{\def\spx@noticetype{note}\begin{sphinxheavybox}}
\newcommand\evidence@frameend{\end{sphinxheavybox}}
\newenvironment{sphinxclassevidence-card}{\evidence@framestart}{\evidence@frameend}
\newenvironment{sphinxclassevidence-grade-card}{\evidence@framestart}{\evidence@frameend}

% Tables: column heads break between words only, and a table starts on a new page unless its
% caption, head and a first row fit.  A summary-of-findings table also keeps the lines that head
% it (population, setting, intervention, comparison) on its page.
\newcommand\evidence@tablehead[1]{\par\needspace{#1\baselineskip}%
  \let\evidence@theadfamily\sphinxstyletheadfamily
  \protected\def\sphinxstyletheadfamily{\evidence@theadfamily\raggedright\hyphenpenalty\@M\exhyphenpenalty\@M}}
\newenvironment{sphinxclassevidence-sof}{\evidence@tablehead{20}}{}
\newenvironment{sphinxclassevidence-index}{\evidence@tablehead{8}}{}
\newenvironment{sphinxclassevidence-regulatory-block}{\evidence@tablehead{10}}{}

% Back-links of a reference-list entry: "(cited on p. 3, 5)", each page once, linked to the
% first citation on it.  \refused makes a missing place an undefined-reference warning.
\expandafter\def\csname DUroleevidence-backlinks\endcsname#1{%
  \begingroup\def\evidence@lastpage{}(cited on p.~#1)\endgroup}
\newcommand\evidencebackpage[1]{%
  \refused{#1}%
  \edef\evidence@page{\getpagerefnumber{#1}}%
  \ifx\evidence@page\evidence@lastpage\else
    \ifx\evidence@lastpage\empty\else, \fi
    \hyperref[#1]{\evidence@page}%
    \let\evidence@lastpage\evidence@page
  \fi}
\endinput
"""


class PdflatexSafeText(SphinxPostTransform):
    """For pdflatex: characters in the extension's output that it cannot typeset are spelled out.

    Record text (titles, names) may hold Greek, other scripts or emoji, which
    pdflatex stops on.  Greek letters become math; anything else outside what
    Sphinx's pdflatex set-up knows becomes its Unicode name in brackets, so
    the PDF builds and nothing is silently lost.  xelatex and lualatex get the
    text as it is.
    """

    default_priority = 6
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        """Replace unsafe characters in text under ``evidence-*`` elements."""
        if self.config.latex_engine != "pdflatex":
            return
        for text in list(_evidence_texts(self.document, False)):
            if not PDFLATEX_SAFE.fullmatch(str(text)):
                text.parent.replace(text, _spelled_out(str(text)))


def _evidence_texts(node: nodes.Element, inside: bool) -> Iterator[nodes.Text]:
    """The text nodes under ``evidence-*`` elements, each once, in one walk of the tree."""
    for child in node.children:
        if isinstance(child, nodes.Text):
            if inside:
                yield child
        elif isinstance(child, nodes.Element):
            yield from _evidence_texts(child, inside or any(c.startswith("evidence-") for c in child["classes"]))


PDFLATEX_SAFE = re.compile(r"[\x00-\x7f\u00a0-\u017f\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2122\u21a9]*")
_GREEK_LATIN = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧο", "ABEZHIKMNOPTXo"))
# Russian transliteration (as in passports), for Cyrillic names and titles under pdflatex.
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split()))


def _one(ch: str) -> tuple[str, str]:
    """``("text", piece)`` or ``("latex", piece)`` for one character pdflatex may not know."""
    if PDFLATEX_SAFE.fullmatch(ch):
        return "text", ch
    if ch in _GREEK_LATIN:
        return "text", _GREEK_LATIN[ch]
    base = unicodedata.normalize("NFD", ch)[0]  # accents (tonos, dialytika) dropped
    if base != ch:
        return _one(base)
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK ") and " LETTER " in name:
        letter = name.rsplit(" ", 1)[-1].lower().replace("lamda", "lambda")
        command = "varsigma" if "FINAL SIGMA" in name else letter if "SMALL" in name else letter.capitalize()
        return "latex", rf"\ensuremath{{\{command}}}"
    if ch.lower() in _CYRILLIC:
        latin = _CYRILLIC[ch.lower()].strip("_")
        return "text", latin.capitalize() if ch.isupper() else latin
    return "text", f"[{name.lower()}]" if name else "[?]"


def _spelled_out(text: str) -> list[nodes.Node]:
    """``text`` as text and raw LaTeX pieces pdflatex can typeset."""
    out: list[nodes.Node] = []
    plain = ""
    for ch in text:
        kind, piece = _one(ch)
        if kind == "text":
            plain += piece
            continue
        if plain:
            out.append(nodes.Text(plain))
            plain = ""
        out.append(nodes.raw("", piece, format="latex"))
    if plain:
        out.append(nodes.Text(plain))
    return out


class evidence_backpage(nodes.Inline, nodes.Element):
    """In LaTeX, the page of one place of citation, as a link: ``refid`` names the place."""


class BackLinksAsPages(SphinxPostTransform):
    """For LaTeX: a reference-list entry's back-links become ``cited on p. 3, 5``.

    On paper an arrow per citation says nothing; a page number does.  The
    package file names each page once and links it to the place of citation.
    """

    default_priority = 7
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        """Replace the arrows in every ``evidence-backlinks`` element by page references."""
        for element in list(self.document.findall(nodes.inline)):
            if "evidence-backlinks" in element["classes"]:
                pages = [evidence_backpage(refid=ref["refid"]) for ref in element.findall(nodes.reference)
                         if ref.get("refid")]
                element[:] = pages


def visit_backpage(translator: Any, node: evidence_backpage) -> None:
    """``\\evidencebackpage{<label>}``, with the label as the LaTeX writer names the place's anchor."""
    label = translator.idescape(f"{translator.curfilestack[-1]}:{node['refid']}")
    translator.body.append(rf"\evidencebackpage{{{label}}}")
    raise nodes.SkipNode


def write_style(app: Sphinx) -> None:
    """``builder-inited``: put the package file where LaTeX looks for it (next to the .tex file)."""
    if app.builder.format == "latex":
        Path(app.outdir).mkdir(parents=True, exist_ok=True)
        (Path(app.outdir) / f"{STYLE_NAME}.sty").write_text(STYLE, encoding="utf-8")


def setup(app: Sphinx) -> None:
    """Spell out what pdflatex cannot typeset, frame cards, keep table heads with their rows, page back-links."""
    app.add_post_transform(PdflatexSafeText)
    app.add_post_transform(BackLinksAsPages)
    app.add_node(evidence_backpage, latex=(visit_backpage, None))
    app.add_latex_package(STYLE_NAME, after_hyperref=True)
    app.connect("builder-inited", write_style)
