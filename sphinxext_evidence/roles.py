"""Roles: parse and validate inline citations; resolution numbers them later."""

from __future__ import annotations

from collections.abc import Callable

from docutils import nodes
from docutils.nodes import Node, system_message
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from sphinxext_evidence.keys import parse_pmid, pmid_key, split_ids
from sphinxext_evidence.nodes import pending_cite

logger = logging.getLogger(__name__)


class CiteRole(SphinxRole):
    """An inline citation of one or more identifiers, e.g. ``:pmid:`37818733, 22282884```."""

    def __init__(self, kind: str, parse: Callable[[str], str | None], to_key: Callable[[str], str], hint: str) -> None:
        self.kind = kind
        self.parse = parse
        self.to_key = to_key
        self.hint = hint

    def warn(self, message: str, subtype: str) -> None:
        """Log an ``evidence.<subtype>`` warning at the role's file and line."""
        logger.warning(message, location=self.get_location(), type="evidence", subtype=subtype)

    def run(self) -> tuple[list[Node], list[system_message]]:
        """Validate the identifiers and leave a :class:`pending_cite` placeholder."""
        keys: list[str] = []
        for raw in split_ids(self.text):
            ident = self.parse(raw)
            if ident is None:
                self.warn(f"invalid {self.kind.upper()} {raw!r} in :{self.name}: ({self.hint}); it is not cited",
                          f"invalid-{self.kind}")
            elif self.to_key(ident) not in keys:
                keys.append(self.to_key(ident))
        if not keys:
            if not split_ids(self.text):
                self.warn(f"empty :{self.name}: role; give at least one {self.kind.upper()}", "empty")
            return [nodes.inline(self.rawtext, self.text, classes=["evidence-error"])], []
        node = pending_cite(self.rawtext, keys=keys, docname=self.env.docname)
        node.source, node.line = self.get_source_info()
        self.env.get_domain("evidence").note_citations(self.env.docname, keys)  # type: ignore[attr-defined]
        return [node], []


def pmid_role() -> CiteRole:
    """The ``:pmid:`` role."""
    return CiteRole("pmid", parse_pmid, pmid_key, "a PMID is 1 to 9 digits, as in :pmid:`37818733`")
