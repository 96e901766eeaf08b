"""LaTeX output that every engine can typeset, whatever the records hold."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform


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
        for element in list(self.document.findall(nodes.Element)):
            if not any(c.startswith("evidence-") for c in element.get("classes", [])):
                continue
            for text in list(element.findall(nodes.Text)):
                if not PDFLATEX_SAFE.fullmatch(str(text)) and text.parent is not None:
                    text.parent.replace(text, _spelled_out(str(text)))


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


def setup(app: Sphinx) -> None:
    """Spell out what pdflatex cannot typeset, after the resolve stage."""
    app.add_post_transform(PdflatexSafeText)
