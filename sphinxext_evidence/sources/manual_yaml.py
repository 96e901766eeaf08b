"""Reading a manual records file as YAML, entry by entry, so that one unreadable entry costs only itself.

The file is composed into nodes once; each entry is then built on its own,
and any error of building one (an impossible date under ``!!timestamp``,
``!!int "abc"``, a number too long to convert) is reported for that entry
and field.  Dates are kept as the text written (the timestamp resolver is
left out), so that ``2023-02-30`` is a bad value to warn about, not a crash.
Nesting deeper than :data:`MAX_DEPTH` is cut off before composing, since
PyYAML composes and builds recursively.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

#: Deeper collections are replaced by :data:`TOO_DEEP` (no CSL entry needs more than a few levels).
MAX_DEPTH = 50
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_TOO_DEEP_TAG = "!evidence-too-deep"


class TooDeep:
    """Stands for a value nested deeper than :data:`MAX_DEPTH` levels."""

    def __repr__(self) -> str:
        return f"(nested more than {MAX_DEPTH} levels deep)"


TOO_DEEP = TooDeep()


class Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that knows its line and the line of each key."""

    line = 0
    key_lines: dict[str, int]


class Sequence(list):  # type: ignore[type-arg]
    """A YAML sequence that knows the line of each item."""

    lines: list[int]


class Loader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping lines for messages and dates as the text written."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: Loader, node: yaml.MappingNode) -> Any:
    data = Mapping()
    data.line = node.start_mark.line + 1
    data.key_lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
    yield data
    data.update(loader.construct_mapping(node))


def _construct_sequence(loader: Loader, node: yaml.SequenceNode) -> Any:
    data = Sequence()
    data.lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_sequence(node))


Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
Loader.add_constructor(_TOO_DEEP_TAG, lambda loader, node: TOO_DEEP)


@dataclass
class Entry:
    """One top-level entry: its node, its line, and (in the ``id: {fields}`` form) its key's node."""

    node: yaml.Node
    line: int
    key: yaml.Node | None = None


class Unreadable(Exception):
    """An entry that cannot be built: what is wrong, the field (when known) and the line."""

    def __init__(self, message: str, field: str, line: int) -> None:
        super().__init__(message)
        self.field, self.line = field, line


def compose(text: str) -> yaml.Node | None:
    """The node tree of ``text``, collections deeper than :data:`MAX_DEPTH` cut off (yaml.YAMLError if not YAML)."""
    try:
        return yaml.compose(text, Loader=Loader)  # type: ignore[no-any-return]
    except RecursionError:
        return yaml.compose(_cut_deep(text), Loader=Loader)  # type: ignore[no-any-return]


def _cut_deep(text: str) -> str:
    """``text`` with every collection deeper than :data:`MAX_DEPTH` replaced by a tagged null."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, -1
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth == MAX_DEPTH + 1:
                start = event.start_mark.index if event.start_mark else 0
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            if depth == MAX_DEPTH + 1:
                spans.append((start, event.end_mark.index if event.end_mark else len(text)))
            depth -= 1
    for begin, end in reversed(spans):
        text = f"{text[:begin]}{_TOO_DEEP_TAG} ''{text[end:]}"
    return text


def entries(root: yaml.Node) -> list[Entry]:
    """The entries of a file's top level: the items of a list, or the values of an ``id: {fields}`` mapping."""
    if isinstance(root, yaml.SequenceNode):
        return [Entry(item, item.start_mark.line + 1) for item in root.value]
    assert isinstance(root, yaml.MappingNode)
    return [Entry(value, key.start_mark.line + 1, key) for key, value in root.value]


def construct(node: yaml.Node) -> Any:
    """The value of ``node``; raises :class:`Unreadable` naming the first field that cannot be built."""
    try:
        return Loader("").construct_document(node)
    except Exception as exc:  # any error of building a value: the file is untrusted input
        field, line = _culprit(node, exc)
        raise Unreadable(_describe(exc), field, line) from None


def _culprit(node: yaml.Node, exc: Exception) -> tuple[str, int]:
    """The field of mapping ``node`` whose value cannot be built, and its line."""
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        try:
            Loader("").construct_document(value)
        except Exception:  # the same error as before, now pinned to a field
            return str(key.value), key.start_mark.line + 1
    mark = getattr(exc, "problem_mark", None) or node.start_mark
    return "", mark.line + 1


def _describe(exc: Exception) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        return " ".join(f"{exc.context or ''} {exc.problem or ''}".split()) or type(exc).__name__
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def entry_id(node: yaml.Node) -> str:
    """The ``id`` written in an entry's node, as text ('' when it has none)."""
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        if key.value == "id" and isinstance(value, yaml.ScalarNode):
            return str(value.value)[:100]
    return ""
