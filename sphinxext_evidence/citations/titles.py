"""A title that cites (``Results :pmid:`123```) is named without the citation wherever Sphinx names it in words.

A citation is drawn only where the title itself is shown.  Elsewhere —
the text of a ``:ref:`` or ``:doc:`` to the title, the entry in a table of
contents — Sphinx takes the title's text, in which the citation's
placeholder reads as nothing and leaves the space before it behind
(``See Results , …``).  The labels Sphinx collects and the page titles it
keeps are given the title's words with that space closed up.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

from sphinxext_evidence.citations.nodes import citing


def _cites(title: nodes.Node) -> bool:
    return any(isinstance(node, citing) for node in title.findall(nodes.Element))


def words(title: nodes.Element) -> str:
    """The text of ``title`` without its citations, spaces closed up."""
    return " ".join(title.astext().split())


class LabelsWithoutCitations(SphinxTransform):
    """After Sphinx collects a page's labels: a label to a title that cites is named by the title's words."""

    default_priority = 851  # right after SphinxDomains (850), which collects the labels

    def apply(self, **kwargs: Any) -> None:
        """Rename the labels of this page's sections whose titles cite."""
        named = {ident: words(section[0]) for section in self.document.findall(nodes.section)
                 if section.children and isinstance(section[0], nodes.title) and _cites(section[0])
                 for ident in section["ids"]}
        if not named:
            return
        labels = self.env.get_domain("std").labels  # type: ignore[attr-defined]
        docname = self.env.docname
        for name, (page, labelid, sectname) in list(labels.items()):
            if page == docname and labelid in named and sectname != named[labelid]:
                labels[name] = (page, labelid, named[labelid])


def close_up_titles(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``, after Sphinx keeps the page's title: drop the space left before a citation at its end."""
    env = app.env
    for store in (env.titles, env.longtitles):
        title = store.get(env.docname)
        if title is None or not _cites(title):
            continue
        for node in list(title.findall(nodes.Text)):
            after = node.parent.children[node.parent.index(node) + 1:] if node.parent is not None else []
            rest = [n for n in after if not isinstance(n, citing)]
            if node.endswith((" ", "\t", "\n")) and after and isinstance(after[0], citing) and \
                    (not rest or rest[0].astext()[:1].isspace()):
                node.parent.replace(node, nodes.Text(node.rstrip()))


def setup(app: Sphinx) -> None:
    """Register the transform and the handler."""
    app.add_transform(LabelsWithoutCitations)
    app.connect("doctree-read", close_up_titles, priority=600)  # after Sphinx's TitleCollector (500)
