"""A fast reader of MyST Markdown for ``sphinx-evidence check``: fences, directives and roles, without markdown-it.

Fenced blocks whose info string is ``{name}`` are directives (``:::`` fences
too when ``colon_fence`` is on); other fences, indented code, HTML blocks and
comments hold no markup.  Options are read as MyST reads them: ``:name:
value`` lines right after the opening line, or a ``---`` block; a role is
``{name}`` directly followed by a code span.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from sphinxext_evidence.scan_rst import FIELD

if TYPE_CHECKING:
    from sphinxext_evidence.scan import Reader

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_NAME = re.compile(r"^\{([A-Za-z0-9_\-+:]+)\}\s*(.*)$")
_ROLE_OR_CODE = re.compile(r"(?<!\\)(?:(?:\{(?P<name>[A-Za-z0-9_\-+:]+)\})?(?P<ticks>`+)|(?P<sub>\{\{))")
# What makes MyST render a substitution's text as blocks even where it is used inline.
_DIRECTIVE_START = re.compile(r"^[\s]{0,3}([`]{3,10}|[~]{3,10}|[:]{3,10})\{")
_LIST_ITEM = re.compile(r"^( *)(?:[-+*]|\d{1,9}[.)])( +|$)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_HEADING = re.compile(r"^#{1,6}(?:\s|$)")
# CommonMark's HTML blocks that end at a blank line: a block-level tag (which may interrupt a paragraph), or any
# other tag alone on its line (which may not).
_HTML_BLOCK = re.compile(
    r"^ {0,3}</?(?:address|article|aside|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|"
    r"dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|"
    r"link|main|menu|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|"
    r"thead|title|tr|track|ul|pre|script|style|textarea)(?:\s|/?>|$)", re.IGNORECASE)
_HTML_TAG_LINE = re.compile(r"^ {0,3}</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>\s*$")
#: Directives without options: a body line starting with ":" is text.
NO_OPTIONS = frozenset({"eval-rst"})


@lru_cache(maxsize=16)
def _closer(ticks: int) -> re.Pattern[str]:
    return re.compile(rf"(?<!`)`{{{ticks}}}(?!`)")


def roles(text: str, subs: bool = False) -> Iterator[tuple[int, str, str]]:
    """``(offset, role name, text)`` for each ``{name}`code``` in a paragraph; code spans hide what is in them.

    With ``subs`` (MyST's substitution extension on), ``{{ expression }}`` is ``(offset, "{{", expression)``.
    """
    pos = 0
    while True:
        match = _ROLE_OR_CODE.search(text, pos)
        if match is None:
            return
        if match.group("sub"):
            end = text.find("}}", match.end()) if subs else -1
            if end >= 0:
                yield match.start(), "{{", text[match.end():end].strip()
            pos = end + 2 if end >= 0 else match.start() + 1
            continue
        ticks = match.group("ticks")
        close = _closer(len(ticks)).search(text, match.end())
        if close is None:
            pos = match.end()
            continue
        if match.group("name"):
            code = text[match.end():close.start()].replace("\n", " ")
            if len(code) > 1 and code[0] == " " and code[-1] == " " and code.strip():
                code = code[1:-1]
            yield match.start(), match.group("name").lower(), code
        pos = close.end()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def blocks(reader: Reader, lines: list[str], first: int, file: str, top: bool = False) -> None:
    """Read a run of Markdown lines (``first``: the number of ``lines[0]``) and hand what they hold to ``reader``."""
    para: list[str] = []
    para_line = 0
    list_indent = -1
    i, n = 0, len(lines)
    if top and lines and lines[0].startswith("---"):  # front matter
        i = next((k + 1 for k in range(1, n) if lines[k].startswith(("---", "..."))), n)
        _front_matter(reader, lines[1:i - 1])

    def flush() -> None:
        if len(para) > 1 and _TABLE_RULE.match(para[1]):  # a table: each row is read on its own
            for k, row in enumerate(para):
                reader.inline(row, first + para_line + k, file, "md")
        elif para:
            reader.inline("\n".join(para), first + para_line, file, "md")
        para.clear()

    while i < n:
        raw = lines[i].expandtabs(4)
        text = raw.strip()
        if not text:
            flush()
            i += 1
            continue
        indent = _indent(raw)
        code = max(list_indent, 0) + 4
        if indent >= code and para and para[0].startswith("|"):
            flush()  # a table ends at indented code
        if not para and indent >= code:  # indented code
            while i < n and (not lines[i].strip() or _indent(lines[i].expandtabs(4)) >= code):
                i += 1
            continue
        if not para and reader.subs is not None and _block_substitution(text):
            substitute(reader, text[2:-2], first + i + 1, file, False)  # MyST says: one line on
            i += 1
            continue
        item = _LIST_ITEM.match(raw)
        # A list item starts a block (where MyST counts a substitution's line from), in a list or where it may
        # interrupt a paragraph.
        if item and para and raw[item.end():].strip() and (
                list_indent >= 0 or text[0] in "-+*" or text[:2] in ("1.", "1)")):
            flush()
        if item:
            list_indent = len(item.group(0)) if item.group(2) else len(item.group(0)) + 1
        elif not para and indent < list_indent:
            list_indent = -1
        fence = _FENCE.match(raw)
        if fence and (fence.group("fence")[0] != ":" or reader.config.colon_fence) and not (
                fence.group("fence")[0] == "`" and "`" in fence.group("info")):
            flush()
            i = _fence(reader, lines, i, fence, first, file)
            continue
        if text.startswith("<!--"):
            flush()
            while i < n and "-->" not in lines[i]:
                i += 1
            i += 1
            continue
        if text.startswith("%"):  # a MyST comment line
            flush()
            i += 1
            continue
        if _HTML_BLOCK.match(raw) or (not para and _HTML_TAG_LINE.match(raw)):
            flush()
            while i < n and lines[i].strip():
                i += 1
            continue
        if _HEADING.match(text):
            flush()
            reader.inline(text, first + i, file, "md")
            i += 1
            continue
        if not para:
            para_line = i
        para.append(text)
        i += 1
    flush()


def _block_substitution(text: str) -> bool:
    """True for a line MyST reads as a block substitution: ``{{ name }}`` alone, at the start of a block."""
    return len(text) >= 5 and text.startswith("{{") and text.endswith("}}") and "}}" not in text[2:-2]


def _front_matter(reader: Reader, lines: list[str]) -> None:
    """Take the substitutions (and the extensions) a page's front matter sets for MyST."""
    import yaml

    try:
        data = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError:
        return
    myst = data.get("myst") if isinstance(data, dict) else None
    if not isinstance(myst, dict):
        myst = {}
    if isinstance(data, dict) and "substitutions" in data:
        myst = {**myst, "substitutions": data["substitutions"]}
    if isinstance(myst.get("enable_extensions"), (list, tuple, set)):
        enabled = "substitution" in myst["enable_extensions"]
        reader.subs = (reader.subs or {}) if enabled else None
    if reader.subs is not None and isinstance(myst.get("substitutions"), dict):
        reader.subs = {**reader.subs, **myst["substitutions"]}


def substitute(reader: Reader, expression: str, line: int, file: str, inline: bool) -> None:
    """Read what the substitution ``{{ expression }}`` puts at ``line`` (from where MyST counts), as MyST renders it.

    A name is looked up as it is; anything else is rendered with Jinja2.  An expression that cannot be rendered
    here (one reading Sphinx's ``env``, say), or that refers to a substitution being rendered, gives nothing.
    """
    context = reader.subs or {}
    if expression in context:
        text, names = str(context[expression]), {expression}
    else:
        import jinja2

        env = jinja2.Environment(undefined=jinja2.StrictUndefined)  # noqa: S701 - markup, not HTML
        try:
            text = env.from_string(f"{{{{{expression}}}}}").render(context)
            names = {n.name for n in env.parse(f"{{{{{expression}}}}}").find_all(jinja2.nodes.Name)}
        except Exception:  # noqa: BLE001 - MyST warns and renders nothing
            return
    if names & reader.sub_refs:
        return
    reader.sub_refs |= names
    try:
        if inline and not _DIRECTIVE_START.match(text):
            reader.inline(" ".join(text.splitlines()), line, file, "md")
        else:
            blocks(reader, text.splitlines(), line, file)
    finally:
        reader.sub_refs -= names


def _fence(reader: Reader, lines: list[str], i: int, fence: re.Match[str], first: int, file: str) -> int:
    """Read the fenced block opening at ``lines[i]``; return the index after its closing fence."""
    mark = fence.group("fence")
    closer = re.compile(rf"^ *{re.escape(mark[0])}{{{len(mark)},}}\s*$")
    j = i + 1
    while j < len(lines) and not closer.match(lines[j]):
        j += 1
    named = _NAME.match(fence.group("info").strip())
    if named:
        cut = len(fence.group("indent"))
        body = [line[min(cut, _indent(line)):] for line in lines[i + 1:j]]
        _directive(reader, named.group(1).lower(), named.group(2), body, first + i, file)
    return j + 1


def _directive(reader: Reader, name: str, arg: str, body: list[str], line: int, file: str) -> None:
    """Split a directive's body into options and content as MyST does, and hand it to ``reader``."""
    start = 0
    block: list[str] = []
    if body and body[0].startswith("---") and name not in NO_OPTIONS:
        close = next((k for k in range(1, len(body)) if body[k].startswith("---")), None)
        block = body[1:close] if close is not None else body[1:]
        start = close + 1 if close is not None else len(body)
        rest = body[close].lstrip("-").removeprefix(" ") if close is not None else ""
        if rest:
            body, start = [*body[:start - 1], rest, *body[start:]], start - 1
    elif body and body[0].lstrip().startswith(":") and name not in NO_OPTIONS:
        while start < len(body) and body[start].lstrip().startswith(":") and not body[start].lstrip().startswith(":::"):
            start += 1
        block = [raw.lstrip()[1:] for raw in body[:start]]
    if start < len(body) and not body[start].strip():
        start += 1
    reader.directive(name, arg.strip(), options(block), line, file, "md", body[start:], line + 1 + start,
                     [([arg], line), (body[start:], line + 1 + start)])


def options(block: list[str]) -> dict[str, str]:
    """Option lines (``name: value``, without their leading colon) as MyST reads them; unreadable ones give none."""
    if not block:
        return {}
    text = textwrap.dedent("\n".join(block))
    try:
        from myst_parser.parsers.options import TokenizeError, options_to_tokens
    except ImportError:  # no MyST: read plain "name: value" lines
        pairs = (line.partition(":") for line in block if ":" in line)
        return {name.strip(): value.strip() for name, _, value in pairs}
    try:
        tokens, _ = options_to_tokens(text)
    except TokenizeError:
        return {}
    return {key.value: value.value if value is not None else "" for key, value in tokens}


def fields(lines: list[str]) -> list[tuple[str, int]]:
    """The field names of field lists (MyST's ``fieldlist``) at the top of a directive body, with their indexes."""
    found: list[tuple[str, int]] = []
    in_fields = at_start = True
    for index, raw in enumerate(lines):
        if not raw.strip():
            at_start = True
            continue
        marker = FIELD.match(raw.strip()) if _indent(raw) < 4 else None
        if marker and (at_start or in_fields):
            found.append((marker.group(1), index))
            in_fields = True
        elif _indent(raw) < 2:
            in_fields = False
        at_start = False
    return found
