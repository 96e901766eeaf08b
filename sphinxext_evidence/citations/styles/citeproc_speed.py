"""Make citeproc-py draw entries faster without changing a character of them.

For every entry, citeproc-py finds the style's macros, terms, root and
enclosing elements by XPath, reads options from attributes, asks each group
whether it calls a variable by walking its subtree, looks up the entry's
record through three objects at each of hundreds of type tests, and passes
every piece of text through five formatting steps that almost always leave it
alone.  A style's tree does not change while entries are drawn, so each of
those answers is the same every time: they are worked out once per element
and kept.  A kept element is held, which keeps lxml handing out the same
element object for it.  tests/test_csl_lookups.py draws the whole corpus with
and without these shortcuts and finds the same entries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_KEPT = 200_000  # a memo grown past this many answers is started afresh

#: Formatting attributes of a CSL element and the value that leaves text as it is.
_NO_FORMATTING = (("font-style", "normal"), ("font-variant", "normal"), ("font-weight", "normal"),
                  ("text-decoration", "none"), ("vertical-align", "baseline"))


class _Missing:
    """A remembered answer that was an ``IndexError`` (a term or date a locale does not have)."""


_MISSING = _Missing()


def _remembering(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` (of a style element), answering each question once; "not found" is remembered too."""
    memo: dict[Any, Any] = {}

    def remembered(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = (self, args, tuple(sorted(kwargs.items()))) if kwargs else (self, *args) if args else self
        try:
            found = memo[key]
        except KeyError:
            if len(memo) >= MAX_KEPT:
                memo.clear()
            try:
                found = method(self, *args, **kwargs)
            except IndexError:
                found = _MISSING
            memo[key] = found
        if found is _MISSING:
            raise IndexError(args[0] if args else "")
        return list(found) if isinstance(found, list) else found

    return remembered


def _formatting_only_when_asked(method: Callable[..., Any]) -> Callable[..., Any]:
    """``Formatted.format`` that returns the text as it is from an element with no formatting attribute."""
    plain: dict[Any, bool] = {}

    def format_text(self: Any, string: Any) -> Any:
        if self not in plain:
            if len(plain) >= MAX_KEPT:
                plain.clear()
            plain[self] = all(self.get(name, default) == default for name, default in _NO_FORMATTING)
        if plain[self]:
            return str(string) if isinstance(string, (int, float)) else string
        return method(self, string)

    return format_text


def _types_read_once(method: Callable[..., Any]) -> Callable[..., Any]:
    """``If._type`` with the element's list of types split and lower-cased once."""
    types: dict[Any, list[str]] = {}

    def type_tests(self: Any, item: Any) -> list[bool]:
        if self not in types:
            if len(types) >= MAX_KEPT:
                types.clear()
            types[self] = [name.lower() for name in self.get("type").split()]
        kind = item.reference.type
        return [name == kind for name in types[self]]

    return type_tests


def shortcuts() -> list[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]]]:
    """Each citeproc-py method this module replaces: (class, name, what wraps the original)."""
    from citeproc import model

    return [(model.CitationStylesElement, "xpath_search", _remembering),
            (model.CitationStylesElement, "get_root", _remembering),
            (model.CitationStylesElement, "get_macro", _remembering),
            (model.CitationStylesElement, "get_layout", _remembering),
            (model.CitationStylesElement, "get_term", _remembering),
            (model.Locale, "get_term", _remembering),
            (model.SomewhatObjectifiedElement, "__getattr__", _remembering),
            (model.CitationStylesElement, "get_option", _remembering),
            (model.CitationStylesElement, "get_locale_option", _remembering),
            (model.Locale, "get_option", _remembering),
            (model.Parent, "calls_variable", _remembering),
            (model.Formatted, "format", _formatting_only_when_asked),
            (model.If, "_type", _types_read_once)]


def speed_up() -> None:
    """Put the shortcuts in place, once per process; each keeps the method it replaces as ``original``."""
    for owner, name, wrap in shortcuts():
        method = getattr(owner, name)
        if not hasattr(method, "original"):
            faster = wrap(method)
            faster.original = method  # type: ignore[attr-defined]
            setattr(owner, name, faster)


def item_class() -> type:
    """citeproc-py's citation item, finding its record once rather than at each of hundreds of questions."""
    from citeproc.source import CitationItem

    class Item(CitationItem):  # type: ignore[misc]
        @property
        def reference(self) -> Any:
            """The item's record in the bibliography's source."""
            kept = self.__dict__  # not the item's fields: CitationItem keeps those as dict items
            if "_reference" not in kept:
                kept["_reference"] = self.citation.bibliography.source[self.key]
            return kept["_reference"]

    return Item
