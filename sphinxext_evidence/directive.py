"""What every evidence directive shares: lenient options and located warnings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from sphinxext_evidence import log
from sphinxext_evidence.domain import get_domain
from sphinxext_evidence.located import OnThePage

_Placed = TypeVar("_Placed", bound=nodes.Element)


class LenientOptions(dict):
    """An ``option_spec`` that accepts unknown options so the directive can warn and go on.

    docutils (and MyST) drop the whole directive with an untyped error on an
    unknown option; accepting it here lets the directive emit an
    ``evidence.unknown-option`` warning that users can silence.
    """

    def __missing__(self, key: str) -> Callable[[str | None], Any]:
        return directives.unchanged

    def __bool__(self) -> bool:
        # docutils parses an option block only when the spec is truthy.
        return True


def option_spec(*names: str, flags: Iterable[str] = ()) -> LenientOptions:
    """An option spec for ``names`` (values kept as text, checked in ``run``) plus flags."""
    spec = LenientOptions({name: directives.unchanged for name in names})
    spec.update({name: directives.flag for name in flags})
    return spec


class EvidenceDirective(OnThePage, SphinxDirective):
    """Base class: warns about unknown options and places nodes at the directive's line."""

    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = option_spec()

    def warn(self, message: str, subtype: str, line: int | None = None) -> None:
        """Log an ``evidence.<subtype>`` warning at this directive's file and line (or at ``line``)."""
        log.warn(message, subtype, self.get_location() if line is None else (self.env.docname, line))

    def argument(self, example: str) -> str | None:
        """The directive's argument, or None after an ``evidence.empty`` warning showing ``example``.

        Directives declare their argument optional, so that a missing one is this warning, not docutils' error.
        """
        text = " ".join(self.arguments[0].split()) if self.arguments else ""
        if not text:
            self.warn(f"{self.name}: the argument is missing, as in '.. {self.name}:: {example}'; nothing is shown",
                      "empty")
            return None
        return text

    def check_options(self) -> None:
        """Warn about (and drop) options this directive does not know."""
        known = dict.keys(self.option_spec)
        for name in [n for n in self.options if n not in known]:
            del self.options[name]
            allowed = ", ".join(f":{n}:" for n in sorted(known)) or "none"
            self.warn(f"{self.name}: unknown option :{name}: (allowed: {allowed})", "unknown-option")

    def place(self, node: _Placed) -> _Placed:
        """Record source, line and docname on a placeholder node."""
        self.set_source_info(node)
        node["docname"] = self.env.docname
        return node


class TableDirective(EvidenceDirective):
    """A directive without content that marks where a project-wide table goes and notes the page showing it."""

    has_content = False
    option_spec = option_spec()
    bucket: ClassVar[str] = ""
    placeholder: ClassVar[type[nodes.Element]] = nodes.Element

    def run(self) -> list[nodes.Node]:
        """Leave the placeholder and remember, in the domain, that this page shows the table."""
        self.check_options()
        get_domain(self.env).note(self.env.docname, self.bucket, self.lineno)
        return [self.place(self.placeholder())]
