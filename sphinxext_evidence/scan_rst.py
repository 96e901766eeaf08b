"""A fast reader of reStructuredText for ``sphinx-evidence check``: blocks, directives and roles, without docutils.

It follows docutils where that decides what is parsed: a paragraph runs to
the next blank line; explicit markup (``..``) opens a directive, comment,
footnote or target; a paragraph ending in ``::`` and a few directives hold
literal text; inline markup is found left to right with docutils' own rules
for where it may start and end, so a role inside ````literal```` or
``*emphasis*`` is not a role.  What it does not model (grid-table cell
joins, quoted starts such as ``'*'``) never holds one of the extension's
roles in practice; ``tests/test_check.py`` compares it with a real build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from docutils.utils import punctuation_chars as _p

if TYPE_CHECKING:
    from sphinxext_evidence.scan import Reader

_SIMPLE = r"(?:(?!_)\w)+(?:[-._+:](?:(?!_)\w)+)*"
_PREFIX = rf"(?:^|(?<=\s|[{_p.openers}{_p.delimiters}]))"
_SUFFIX = rf"(?:$|(?=\s|[\x00{_p.closing_delimiters}{_p.delimiters}{_p.closers}]))"
_INITIAL = re.compile(
    _PREFIX + r"(?:(?P<start>\*\*|\*(?!\*)|``|_`|\|(?!\|))(?!\s)"
    rf"|(?:{_SIMPLE}__?|\[(?:[0-9]+|#(?:{_SIMPLE})?|\*|{_SIMPLE})\]_){_SUFFIX}"
    rf"|(?P<role>:{_SIMPLE}:)?(?P<backquote>`(?!`))(?!\s))")
_ENDS = {
    "**": re.compile(r"(?<![\s\x00])(\*\*)" + _SUFFIX),
    "*": re.compile(r"(?<![\s\x00])(\*)" + _SUFFIX),
    "``": re.compile(r"(?<!\s)(``)" + _SUFFIX),
    "_`": re.compile(r"(?<![\s\x00])(`)" + _SUFFIX),
    "|": re.compile(r"(?<![\s\x00])(\|_{0,2})" + _SUFFIX),
}
_INTERPRETED_END = re.compile(rf"(?<!(?<!\x00)[\s\x00])(`(?P<role>:{_SIMPLE}:)?(?P<ref>__?)?){_SUFFIX}")
_ESCAPE = re.compile(r"\\(.?)", re.DOTALL)
_DIRECTIVE = re.compile(rf"(?:\|(?P<sub>(?!\s).*?(?<!\s))\|\s+)?(?P<name>{_SIMPLE})\s?::(?:\s+|$)(?P<arg>.*)$")
_FOOTNOTE = re.compile(rf"\[(?:[0-9]+|#(?:{_SIMPLE})?|\*|{_SIMPLE})\](?:\s+|$)")
FIELD = re.compile(r":(?![: ])((?:[^:\\]|\\.|:(?!([ `]|$)))*)(?<! ):( +|$)")
_GRID_BORDER = re.compile(r"\+-[-+]*\+$")
_SIMPLE_BORDER = re.compile(r"=+(?: +=+)+$")
_LINE_BLOCK = re.compile(r"\|( +|$)")
_BULLET = re.compile(r"[-*+\u2022\u2023\u2043](?: +|$)")
_ORDINAL = r"(?:\d+|#|[A-Za-z]|[ivxlcdmIVXLCDM]+)"
_ENUMERATOR = re.compile(rf"(?:{_ORDINAL}[.)]|\({_ORDINAL}\))(?: +|$)")
_QUOTE_CHARS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def roles(text: str, default_role: str) -> Iterator[tuple[int, str, str]]:
    """``(offset, role name, text)`` for each role in a paragraph's text, as docutils' inliner finds them.

    Interpreted text without a role gets ``default_role``; names are lower-cased, as docutils looks them up.
    A substitution reference is ``(offset, "|", its name)``.
    """
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: "\x00" + m.group(1), text)
    offset = 0
    remaining = text
    while remaining:
        match = _INITIAL.search(remaining)
        if match is None:
            return
        consumed = match.end()
        start = match.group("start")
        if (start or (match.group("backquote") and not match.group("role"))) and _quoted(remaining, match):
            pass  # a start-string between matching quotes or brackets, as in '*', is text
        elif match.group("backquote"):
            end = _INTERPRETED_END.search(remaining, consumed)
            if end is not None and end.start(1) > consumed:
                role = (match.group("role") or "")[1:-1] or (end.group("role") or "")[1:-1]
                both = bool(match.group("role") and end.group("role"))
                if not end.group("ref") and not both:
                    content = remaining[consumed:end.start(1)]
                    yield offset + match.start(), (role or default_role).lower(), _unescaped(content)
                consumed = end.end()
        elif start:
            end = _ENDS[start].search(remaining, consumed)
            if end is not None and end.start(1) > consumed:
                if start == "|":
                    yield offset + match.start(), "|", _unescaped(remaining[consumed:end.start(1)])
                consumed = end.end()
        offset += consumed
        remaining = remaining[consumed:]


def _unescaped(text: str) -> str:
    return text.replace("\x00 ", "").replace("\x00\n", "").replace("\x00", "")


def note_definitions(reader: Reader, resolve: bool = True) -> None:
    """Note what a page's substitution definitions cite: shown if the page uses them (through others too), else
    only noted, as a build notes them.  Names resolve as docutils resolves them: in any case, the last definition
    winning, the page's own before the prolog's (which are marked used in ``reader.prolog``)."""
    own, prolog = _named(reader), reader.prolog
    shared = _named(prolog) if prolog is not None else {}
    seen: set[str] = set()
    todo = list(reader.used) if resolve else []
    while todo:
        name = " ".join(todo.pop().split()).lower()
        if name not in seen:
            seen.add(name)
            where = reader if name in own else prolog if name in shared else None
            if where is not None:
                where.used.add(name)
                todo += where.defs[(own if where is reader else shared)[name]][2]
    shown = {own[name] for name in seen if name in own}
    for index, (_, cites, _) in enumerate(reader.defs):
        reader.scan.cites += cites if index in shown else [replace(cite, shown=False) for cite in cites]


def _named(reader: Reader) -> dict[str, int]:
    return {" ".join(name.split()).lower(): index for index, (name, _, _) in enumerate(reader.defs)}


def _quoted(text: str, match: re.Match[str]) -> bool:
    """True when the start-string ``match`` found sits between a matching pair (``'*'``, ``(*)``), as docutils tests."""
    start, end = match.start(), match.end()
    if start == 0:
        return False
    return end >= len(text) or _p.match_chars(text[start - 1], text[end])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _block_end(lines: list[str], start: int, base: int) -> int:
    """The index of the first line from ``start`` that is not blank and not indented beyond ``base``."""
    j, n = start, len(lines)
    while j < n:
        line = lines[j]
        stripped = line.lstrip()
        if stripped and len(line) - len(stripped) <= base:
            break
        j += 1
    return j


def _content_indent(line: str, indent: int) -> int:
    """Where the text of a block starting on ``line`` sits: after a line block's bar, in a field, or at ``indent``."""
    body = line[indent:]
    marker = _LINE_BLOCK.match(body)
    if marker:
        return indent + marker.end()
    return indent + 1 if FIELD.match(body) else indent


def _item(text: str, follows: str, indent: int) -> int:
    """The length of the list marker that starts ``text`` (0: none); ``follows`` is the next line, if any.

    An enumerated item followed by unindented text is a paragraph to docutils, so it counts only before a blank
    line, an indented line or another item.
    """
    marker = _BULLET.match(text)
    if marker:
        return marker.end()
    marker = _ENUMERATOR.match(text)
    if marker is None:
        return 0
    after = len(follows) - len(follows.lstrip())
    if not follows.strip() or after > indent or (after == indent and _ENUMERATOR.match(follows[after:])):
        return marker.end()
    return 0


def _table(lines: list[str], i: int, indent: int, top: str) -> tuple[int, int]:
    """Where the table whose top border ``top`` starts ``lines[i]`` ends, and where the part docutils reads ends
    (both ``i``: no table starts there).

    A grid table is read up to its last border (lines after it, up to a blank line, are lost).  A simple table
    ends at its second border after the top, or at one followed by a blank line; docutils looks for them as far
    as the text goes, and drops the table (and all it passed over) when none comes or one does not match the top.
    """
    j = i + 1
    if _GRID_BORDER.match(top):
        while j < len(lines) and lines[j].strip()[:1] in ("+", "|") and _indent(lines[j]) == indent:
            j += 1
        last = next((k + 1 for k in range(j - 1, i, -1) if _GRID_BORDER.match(lines[k].strip())), i)
        return (j, last) if last > i else (i, i)
    if not _SIMPLE_BORDER.match(top):
        return i, i
    found = None
    borders = 0
    while j < len(lines):
        if _indent(lines[j]) == indent and _SIMPLE_BORDER.match(lines[j].strip()):
            if len(lines[j].strip()) != len(top):
                return j + 1, i
            borders, found = borders + 1, j
            if borders == 2 or j + 1 == len(lines) or not lines[j + 1].strip():
                return j + 1, j + 1
        j += 1
    return (found + 1, i) if found is not None else (len(lines), i)


def blocks(reader: Reader, lines: list[str], first: int, file: str) -> None:
    """Read a run of lines (``first``: the line number of ``lines[0]``) and hand what they hold to ``reader``."""
    para: list[str] = []
    para_line = para_indent = last_indent = 0
    para_open = False
    literal_after = -1  # indentation of a paragraph that ended with "::"
    i, n = 0, len(lines)

    def flush(term: bool = False) -> None:
        nonlocal literal_after
        if para:
            reader.inline("\n".join(para), first + para_line, file, "rst")
            if para[-1].endswith("::") and not term:
                literal_after = last_indent
            para.clear()

    def run_end(start: int, base: int, char: str = "") -> int:
        """The end of a run of lines up to a blank line: lines starting with ``char`` at indentation ``base``, or
        (no ``char``) any indented as much as ``base`` or more."""
        j = start
        while j < n and lines[j].strip() and (_indent(lines[j]) == base and lines[j].strip().startswith(char)
                                              if char else _indent(lines[j]) >= base):
            j += 1
        return j

    while i < n:
        raw = lines[i]
        text = raw.strip()
        if not text:
            flush()
            i += 1
            continue
        indent = len(raw) - len(raw.lstrip())
        if para and indent < para_indent:
            flush()  # the block ends where its text is indented less
        elif para and indent > para_indent and not para_open:
            # Indented text right after a paragraph: the definition of a one-line term, or else a block quote
            # (a literal block when the paragraph ends with "::").
            flush(term=len(para) == 1)
        if literal_after >= 0 and not para:
            base, literal_after = literal_after, -1
            if indent > base:
                i = _block_end(lines, i, base)
                continue
            if text[0] in _QUOTE_CHARS:
                i = run_end(i + 1, indent, text[0])
                continue
        if not para:
            follows = lines[i + 1] if i + 1 < n else ""
            marker = _item(text, follows, indent)
            while marker:  # a list item holds blocks: read its text as if the marker were spaces
                indent += marker
                text = raw[indent:].strip()
                raw = " " * indent + text
                marker = _item(text, follows, indent) if text else 0
            if not text:
                i += 1
                continue
            table, read = _table(lines, i, indent, text)
            if table > i:
                if read > i:
                    reader.inline("\n".join([text, *(line.strip() for line in lines[i + 1:read])]), first + i, file,
                                  "rst")
                i = table
                continue
            if text.startswith("..") and (len(text) == 2 or text[2] in " \t"):
                i = _explicit(reader, lines, i, indent, first, file, text)
                continue
            if text.startswith(">>>"):
                i = run_end(i + 1, indent)
                continue
            # Lines indented more continue a field's body or a line block's line; elsewhere they start a block.
            para_line, para_indent = i, _content_indent(raw, indent)
            para_open = bool(FIELD.match(text) or _LINE_BLOCK.match(text))
        para.append(text)
        last_indent = indent
        i += 1
    flush()


def _explicit(reader: Reader, lines: list[str], i: int, indent: int, first: int, file: str, text: str) -> int:
    """Read the explicit markup block ``text`` that starts ``lines[i]``; return the index after it."""
    rest = text[2:].strip()
    end = _block_end(lines, i + 1, indent)
    if not rest:
        follows = i + 1 < len(lines) and lines[i + 1].strip() and _indent(lines[i + 1]) > indent
        return end if follows else i + 1  # a comment, or an empty one before a block quote
    footnote = _FOOTNOTE.match(rest)
    if footnote:
        body = [" " * (indent + 3) + rest[footnote.end():], *lines[i + 1:end]]
        blocks(reader, body, first + i, file)
        return end
    if rest.startswith("_"):  # a hyperlink target ends at a blank line
        return next((j for j in range(i + 1, end) if not lines[j].strip()), end)
    directive = _DIRECTIVE.match(rest)
    if directive:
        name = directive.group("name").lower()
        before = reader.define(directive.group("sub"), name == "replace")
        _directive(reader, name, directive.group("arg"), lines[i + 1:end], first + i, file)
        reader.defining = before
    return end


def options(block: list[str]) -> dict[str, str] | None:
    """The ``:name: value`` fields of a dedented option block, values as docutils gives them (continuation lines
    joined by newlines); None when a line that is not a field breaks the block, which makes docutils drop the
    directive."""
    found: dict[str, str] = {}
    name, parts = "", []
    for raw in block:
        if raw[:1].isspace():
            parts.append(raw)
            continue
        marker = FIELD.match(raw)
        if marker is None:
            return None
        if name:
            found[name] = _joined(parts)
        name, parts = marker.group(1).lower(), [raw[marker.end():]]
    if name:
        found[name] = _joined(parts)
    return found


def _joined(parts: list[str]) -> str:
    """A field's first-line text and its continuation lines (dedented), non-blank ones joined by newlines."""
    rest = [p for p in parts[1:] if p.strip()]
    cut = min((_indent(p) for p in rest), default=0)
    return "\n".join(p for p in [parts[0].strip(), *(r[cut:].rstrip() for r in rest)] if p.strip())


def _directive(reader: Reader, name: str, arg: str, body: list[str], line: int, file: str) -> None:
    """Split a directive into argument, options and content as docutils does, and hand it to ``reader``.

    The lines after the directive's first are taken as docutils takes them: dedented by the least indentation
    among them, so that options are the fields that then start at the left edge.
    """
    cut = min((_indent(raw) for raw in body if raw.strip()), default=0)
    indented = [arg, *(raw[cut:] for raw in body)]
    offset = 0
    if not arg.strip():
        indented, offset = indented[1:], 1
    while indented and not indented[-1].strip():
        indented.pop()
    head = 0
    while head < len(indented) and indented[head].strip():
        head += 1
    arg_block, content = indented[:head], indented[head + 1:]
    split = next((k for k, raw in enumerate(arg_block) if FIELD.match(raw)), len(arg_block))
    argument = "\n".join(raw.strip() for raw in arg_block[:split])
    found = options(arg_block[split:])
    if found is not None:
        first_content = line + offset + head + 1
        # Without options, what follows the name is one run of text (a note's body may start on its first line).
        runs = [(arg_block[:split], line + offset), (content, first_content)] if found else [(indented, line + offset)]
        reader.directive(name, argument, found, line, file, "rst", content, first_content, runs)


def fields(lines: list[str]) -> list[tuple[str, int]]:
    """The field names of the field lists at the top level of a directive body, with their indexes in ``lines``."""
    base = min((_indent(raw) for raw in lines if raw.strip()), default=0)
    found: list[tuple[str, int]] = []
    at_start = in_fields = True
    for index, raw in enumerate(lines):
        if not raw.strip():
            at_start = True
            continue
        if _indent(raw) > base:
            at_start = False
            continue
        marker = FIELD.match(raw.strip())
        if marker and (at_start or in_fields):
            found.append((marker.group(1), index))
            in_fields = True
        else:
            in_fields = False
        at_start = False
    return found


def excerpt(text: str, options: dict[str, str]) -> tuple[int, str]:
    """The part of an included file its options select (as docutils and MyST cut it), and the line it starts on;
    ValueError when it cannot be cut."""
    first = 1
    start, end = (int(options[o]) if options.get(o) else None for o in ("start-line", "end-line"))
    if start is not None or end is not None:
        lines = text.splitlines()
        first += max(0, len(lines) + start) if start is not None and start < 0 else start or 0
        text = "\n".join(lines[start:end])
    for option in ("start-after", "end-before"):
        marker = options.get(option)
        if not marker:
            continue
        index = text.find(marker)
        if index < 0:
            raise ValueError(f"{option} text not found")
        if option == "start-after":
            first += text.count("\n", 0, index + len(marker))
            text = text[index + len(marker):]
        else:
            text = text[:index]
    return first, text
