"""The site-wide disclaimer (``evidence_disclaimer``) at the foot of every page that uses the extension."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform

from sphinxext_evidence.article.callouts import config_of
from sphinxext_evidence.article.nodes import disclaimer
from sphinxext_evidence.resolve import PageContext, evidence_placeholder


class AppendDisclaimer(SphinxTransform):
    """At read time: end every page that uses the extension with the site-wide disclaimer."""

    default_priority = 890  # after EnsureReferenceList (880), so it follows the reference list

    def apply(self, **kwargs: Any) -> None:
        """Append a :class:`disclaimer` placeholder when ``evidence_disclaimer`` is set."""
        if not str(self.config.evidence_disclaimer or "").strip():
            return
        if not any(True for _ in self.document.findall(evidence_placeholder)):
            return
        node = disclaimer(docname=self.env.docname)
        node.source = self.document["source"]
        self.document += node
def render_disclaimer(node: disclaimer, ctx: PageContext) -> list[nodes.Node]:
    """The site-wide disclaimer, one paragraph per blank-line-separated block."""
    text = str(config_of(ctx).evidence_disclaimer or "").strip()
    if not text:
        return []
    out: list[nodes.Node] = []
    for block in (b.strip() for b in text.split("\n\n")):
        if block:
            block = " ".join(block.split())
            out.append(nodes.paragraph(block, block, classes=["evidence-disclaimer"]))
    return out
