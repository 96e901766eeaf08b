"""Parsing and writing the lockfile's JSON so that every valid JSON text is read, and written back as it was.

Python cannot hold some valid JSON as values: an integer of more than 4,300
digits, a number too large for a float, ``NaN`` and ``Infinity`` (which
Python's parser accepts), or nesting deeper than the interpreter's recursion
limit.  Such a value is read as a :class:`Raw`, which keeps the text it was
written as: the schema refuses it like any value of the wrong type, so the
record holding it is repaired or left out with a warning, and :func:`dumps`
writes the text back unchanged, so that nothing in the file is lost or
silently changed.  Every other number is written back as Python reads it:
the same value (``1.0e2`` may become ``100.0``).
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import re
import secrets
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    """Pause cyclic garbage collection while records are parsed or checked.

    Records (JSON values, element trees) make no reference cycles, so a
    collection meanwhile frees nothing, and in a build it scans the whole
    heap: it cost as much as the parsing itself. Collection is process-wide,
    so another thread's garbage waits too, for as long as the block runs.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Nesting deeper than this is kept as text; no record needs more than a few levels.
MAX_DEPTH = 64
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class Raw:
    """A JSON value kept as the text it was written as, because Python cannot hold it as a value."""

    def __init__(self, text: str, what: str) -> None:
        self.text, self.what = text, what

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Raw) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


class Repeated(dict):  # type: ignore[type-arg]
    """A JSON object whose text gives some keys twice; ``earlier`` holds the values the later ones hide."""

    earlier: list[tuple[str, Any]]


def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object with the values of keys given twice noted (in ``earlier``)."""
    obj: dict[str, Any] = {}
    earlier: list[tuple[str, Any]] = []
    for key, value in items:
        if key in obj:
            earlier.append((key, obj[key]))
        obj[key] = value
    if not earlier:
        return obj
    repeated = Repeated(obj)
    repeated.earlier = earlier
    return repeated


def _int(text: str) -> int | Raw:
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return Raw(text, f"a {len(text.lstrip('-'))}-digit number (too long to read)")


def _constant(text: str) -> Raw:
    return Raw(text, text)  # NaN, Infinity or -Infinity


def parse(text: str) -> tuple[Any, int]:
    """``text`` parsed (objects made by :func:`pairs`), and how many objects give a key twice (ValueError: not JSON)."""
    repeated = 0
    deep: dict[str, Raw] = {}

    def obj(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        made = pairs(items)
        repeated += hasattr(made, "earlier")
        return made

    def number(literal: str) -> float | Raw:
        if literal in deep:
            return deep[literal]
        value = float(literal)
        return value if math.isfinite(value) else Raw(literal, f"{literal[:24]} (too large to read)")

    def loads(source: str) -> Any:
        return json.loads(source, object_pairs_hook=obj, parse_int=_int, parse_float=number,
                          parse_constant=_constant)

    try:
        return loads(text), repeated
    except RecursionError:
        repeated = 0
        return loads(_cut_deep(text, deep)), repeated


def _cut_deep(text: str, deep: dict[str, Raw]) -> str:
    """``text`` with each value nested deeper than :data:`MAX_DEPTH` replaced by a number noted in ``deep``."""
    spans: list[tuple[int, int]] = []
    depth = start = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth == MAX_DEPTH + 1:
                start = match.start()
        elif token in "]}":
            if depth == MAX_DEPTH + 1:
                spans.append((start, match.end()))
            depth -= 1
    nonce = secrets.randbelow(10**18)
    pieces, end = [], 0
    for i, (begin, finish) in enumerate(spans):
        literal = f"0.{nonce:018d}{i}"  # random digits: that a file holds this very number is all but impossible
        deep[literal] = Raw(text[begin:finish], f"nested more than {MAX_DEPTH} levels deep")
        pieces += [text[end:begin], literal]
        end = finish
    return "".join([*pieces, text[end:]])


def dumps(data: Any) -> str:
    """``data`` as the lockfile's JSON (sorted keys, two-space indent); a :class:`Raw` is written as its text."""
    raws: list[Raw] = []
    mark = secrets.token_hex(8)

    def keep(value: Any) -> str:
        if not isinstance(value, Raw):
            raise TypeError(f"{type(value).__name__} is not JSON")
        raws.append(value)
        return f"\0{mark}:{len(raws) - 1}"

    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=keep)
    if not raws:
        return text
    return re.sub(rf'"\\u0000{mark}:([0-9]+)"', lambda m: raws[int(m.group(1))].text, text)


def repeated_keys(value: Any) -> Iterator[str]:
    """The path of every key given twice in an object of ``value``, at any depth (``title``, ``custom.notices``)."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        for key, _ in getattr(item, "earlier", ()):
            yield f"{path}.{key}" if path else key
        if isinstance(item, dict):
            stack.extend((f"{path}.{k}" if path else k, v) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(item))))
