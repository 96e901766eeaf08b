"""Roles: ``:pmid:`` and ``:doi:`` cite works (numbered later); ``:nct:`` and ``:rsid:`` link to records."""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from docutils.nodes import Node, system_message
from sphinx.util.docutils import SphinxRole
from sphinx.util.nodes import split_explicit_title

from sphinxext_evidence import log
from sphinxext_evidence.citations.corrections import note_acknowledged
from sphinxext_evidence.citations.locators import Locator, split_citation, swallowed
from sphinxext_evidence.citations.nodes import pending_cite
from sphinxext_evidence.domain import get_domain
from sphinxext_evidence.identifiers import KINDS, Kind, make_key, split_ids
from sphinxext_evidence.located import OnThePage


LOCATOR_HINT = "a locator follows its identifier, as in :pmid:`37818733, p. 33; 22282884, fig. 2`"


def _error(rawtext: str, text: str) -> nodes.inline:
    return nodes.inline(rawtext, text, classes=["evidence-error"])


class CiteRole(OnThePage, SphinxRole):
    """An inline citation of one or more identifiers, e.g. ``:pmid:`37818733, 22282884```."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    def run(self) -> tuple[list[Node], list[system_message]]:
        """Validate the identifiers and leave a :class:`pending_cite` placeholder.

        ``ids | why it is cited`` acknowledges a retracted or flagged work cited on purpose;
        ``id, p. 33`` points into a work (see :mod:`~sphinxext_evidence.citations.locators`).
        """
        kind = self.kind
        keys: list[str] = []
        text, bar, reason = self.text.partition("|")
        reason = " ".join(reason.split())
        if bar and not reason:
            log.warn(f"empty acknowledgement in :{self.name}: (after '|'); say why the work is cited, as in "
                     f":{self.name}:`{text.strip()} | discussed as an example of a retracted trial`", "empty",
                     self.get_location())
        pieces, problems = split_citation(text, kind.split, tight=kind.name != "doi")
        for problem in problems:
            log.warn(f"{problem} in :{self.name}: ({LOCATOR_HINT}); the locator is left out", "locator",
                     self.get_location())
        locators: dict[str, list[str]] = {}
        for raw, locator in pieces:
            ident = kind.parse(raw)
            if ident is None:
                log.warn(f"invalid {kind.name.upper()} {raw!r} in :{self.name}: ({kind.hint}); it is not cited",
                         f"invalid-{kind.name}", self.get_location())
                continue
            key = make_key(kind.name, ident)
            if key not in keys:
                keys.append(key)
            if locator is not None:
                self._note_locator(locators, key, raw, locator)
        if not keys:
            if not pieces:
                log.warn(f"empty :{self.name}: role; give at least one {kind.name.upper()}", "empty",
                         self.get_location())
            return [_error(self.rawtext, self.text)], []
        node = pending_cite(self.rawtext, keys=keys, docname=self.env.docname, acknowledged=reason)
        if locators:
            node["locators"] = locators
        node.source, node.line = self.get_source_info()
        get_domain(self.env).note_citations(self.env.docname, keys)
        note_acknowledged(self.env, keys, reason)
        return [node], []

    def _note_locator(self, locators: dict[str, list[str]], key: str, raw: str, locator: Locator) -> None:
        """Keep ``locator`` for ``key``, warning when it seems to hold the next work or the work has one already."""
        extra = swallowed(locator, self.kind.parse)
        if extra:
            log.warn(f"locator {locator.value!r} of {raw!r} in :{self.name}: holds {extra!r}, which reads as another "
                     f"{self.kind.name.upper()}; if it is one, end the locator with a semicolon ({LOCATOR_HINT})",
                     "locator", self.get_location())
        if key in locators:
            log.warn(f"{raw!r} is cited twice in one :{self.name}: role with a locator; only the first one "
                     f"({locators[key][1]!r}) is shown", "locator", self.get_location())
            return
        locators[key] = locator.to_json()


class LinkRole(OnThePage, SphinxRole):
    """An identifier that links to its public record: ``:nct:`NCT00868283```, ``:rsid:`rs429358```.

    Several identifiers may be given (``:rsid:`rs429358, rs7412```); ``text <id>``
    gives one link its own text.
    """

    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    def run(self) -> tuple[list[Node], list[system_message]]:
        """Validate the identifiers and return links to their records."""
        kind = self.kind
        has_title, title, target = split_explicit_title(self.text)
        pieces = [target.strip()] if has_title else split_ids(self.text)
        if not pieces or not pieces[0]:
            log.warn(f"empty :{self.name}: role; give at least one {kind.label}", "empty", self.get_location())
            return [_error(self.rawtext, self.text)], []
        out: list[Node] = []
        for raw in pieces:
            ident = kind.parse(raw)
            if out:
                out.append(nodes.Text(", "))
            if ident is None:
                log.warn(f"invalid {kind.label} {raw!r} in :{self.name}: ({kind.hint}); it is not linked",
                         f"invalid-{kind.name}", self.get_location())
                out.append(_error(raw, raw))
                continue
            text = title if has_title else ident
            out.append(nodes.reference(self.rawtext, text, refuri=kind.link(ident), internal=False,
                                       classes=["evidence-link", f"evidence-{kind.name}"],
                                       reftitle=f"{kind.label} {ident}"))
        return out, []


class RolesInCaptions(SphinxTransform):
    """At read time: a citation role in a toctree caption, where Sphinx parses no roles, is a warning."""

    default_priority = 500

    def apply(self, **kwargs: Any) -> None:
        """Warn at each toctree whose caption holds a role of this extension."""
        names = "|".join((*CITE_ROLES, *LINK_ROLES))
        for toctree in self.document.findall(addnodes.toctree):
            caption = str(toctree.get("caption") or "")
            if re.search(rf":(?:{names}):`", caption):
                log.warn(f"toctree caption {caption!r}: roles are not read in captions, so the citation is shown as "
                         "written; cite in the text instead", "unparsed-role", toctree)


#: Role name -> the role; the citing roles first.
CITE_ROLES = ("pmid", "doi")
LINK_ROLES = ("nct", "rsid")


def roles() -> dict[str, SphinxRole]:
    """Every role of the citations feature, by name."""
    made: dict[str, SphinxRole] = {name: CiteRole(KINDS[name]) for name in CITE_ROLES}
    made.update({name: LinkRole(KINDS[name]) for name in LINK_ROLES})
    return made
