"""The ``pmid`` directive: a study card for one paper."""

from __future__ import annotations

from docutils import nodes

from sphinxext_evidence.directives.base import EvidenceDirective, option_spec
from sphinxext_evidence.keys import parse_pmid, pmid_key
from sphinxext_evidence.nodes import study_card

CARD_FIELDS = ("design", "participants", "finding")


class PmidDirective(EvidenceDirective):
    """``.. pmid:: 22282884`` with optional ``:design:``, ``:participants:``, ``:finding:`` and body."""

    required_arguments = 1
    has_content = True
    option_spec = option_spec(*CARD_FIELDS)

    def run(self) -> list[nodes.Node]:
        """Validate the PMID and leave a :class:`study_card` placeholder holding the body."""
        self.check_options()
        pmid = parse_pmid(self.arguments[0])
        if pmid is None:
            self.warn(f"pmid: invalid PMID {self.arguments[0]!r} (1 to 9 digits, as in '.. pmid:: 22282884'); "
                      "no study card is shown", "invalid-pmid")
            return []
        key = pmid_key(pmid)
        fields = {}
        for name in CARD_FIELDS:
            value = (self.options.get(name) or "").strip()
            if name in self.options and not value:
                self.warn(f"pmid: option :{name}: is empty; give it a value or leave it out", "empty")
            elif value:
                fields[name] = value
        node = self.place(study_card(keys=[key], fields=fields))
        # Option values are inline reStructuredText (they may cite, too).
        for name, value in fields.items():
            para = nodes.paragraph(classes=[f"evidence-field-{name}"])
            para += self.parse_inline(value, lineno=self.lineno)[0]
            node += para
        body = nodes.container(classes=["evidence-card-body"])
        self.state.nested_parse(self.content, self.content_offset, body)
        node += body
        self.env.get_domain("evidence").note_citations(self.env.docname, [key])  # type: ignore[attr-defined]
        return [node]
