"""The ``regulatory-status`` directive: where a substance stands with regulators.

::

    .. regulatory-status:: Cerebrolysin
       :as-of: 2026-11-01
       :fda-names: Cerebrolysin, FPF-1070

       :US: not-approved — no FDA application on record
       :EU: not-approved — not centrally authorised. Source: `EMA <https://www.ema.europa.eu/>`__
       :RU: approved

The body is a field list, one jurisdiction per field: a status keyword, then
free reStructuredText (``Source:`` starts the part shown in the source column).
The US status is checked against openFDA at build time unless ``:fda: off``.
"""

from __future__ import annotations

from typing import cast

from docutils import nodes

from sphinxext_evidence.dates import parse_date, today
from sphinxext_evidence.directive import EvidenceDirective, option_spec
from sphinxext_evidence.domain import get_domain
from sphinxext_evidence.identifiers import drug_name, make_key
from sphinxext_evidence.regulatory.statuses import (
    ALLOWED_JURISDICTIONS,
    CODE_HINTS,
    STATUSES,
    find_source_marker,
    jurisdiction_name,
    split_status,
)
from sphinxext_evidence.resolve import evidence_placeholder

ON = {"on", "yes", "true", "1"}
OFF = {"off", "no", "false", "0"}


class regulatory_status(evidence_placeholder, nodes.General):
    """A ``regulatory-status`` table placeholder.

    Attributes: ``substance``, ``as_of`` (ISO date or ''), ``keys`` (``fda:<name>``
    look-ups, empty when the check is off), ``rows`` (list of dicts: ``code``,
    ``status``, ``line``, ``known``).  Children: per row, a details container and
    a source container (classes ``evidence-regulatory-details``/``-source``).
    """


def _allowed_statuses() -> str:
    return ", ".join(STATUSES)


class RegulatoryStatusDirective(EvidenceDirective):
    """``.. regulatory-status:: <substance>`` with ``:as-of:``, ``:fda-names:``, ``:fda:`` and a field list."""

    optional_arguments = 1  # a missing substance is warned about (see EvidenceDirective.argument)
    final_argument_whitespace = True
    has_content = True
    option_spec = option_spec("as-of", "fda-names", "fda")

    def run(self) -> list[nodes.Node]:
        """Validate options and rows; leave a :class:`regulatory_status` placeholder."""
        self.check_options()
        substance = self.argument("semaglutide")
        if substance is None:
            return []
        as_of = self._as_of()
        check_fda = self._fda_flag()
        if not self.content or not "".join(self.content).strip():
            self.warn(f"regulatory-status: {substance}: the body is empty; give one field per jurisdiction, "
                      "such as ':US: not-approved' (statuses: " + _allowed_statuses() + ")", "regulatory-empty")
            return []
        body = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, body)
        node = self.place(regulatory_status(substance=substance, as_of=as_of, rows=[], keys=[]))
        messages: list[nodes.Node] = []
        for child in body.children:
            if isinstance(child, nodes.field_list):
                for field in child.children:
                    if isinstance(field, nodes.field):
                        self._row(node, field)
            elif isinstance(child, nodes.system_message):
                messages.append(child)
            else:
                self.warn(f"regulatory-status: {substance}: only a field list is allowed in the body "
                             f"(one ':CODE: status text' per line; in MyST enable the 'fieldlist' extension); "
                             f"this {getattr(child, 'tagname', 'text')} is ignored",
                             "regulatory-syntax", child.line)
        if not node["rows"]:
            self.warn(f"regulatory-status: {substance}: no jurisdictions given; write one field per "
                      "jurisdiction, such as ':US: not-approved'", "regulatory-empty")
            return messages
        codes = [r["code"] for r in node["rows"]]
        for index, row in enumerate(node["rows"]):
            if row["code"] in codes[:index]:
                self.warn(f"regulatory-status: {substance}: {row['code']} is given more than once",
                             "regulatory-duplicate", row["line"])
        names = self._fda_names(substance)
        if check_fda and "US" in codes:
            node["keys"] = [make_key("fda", name) for name in names]
            get_domain(self.env).note_needs(self.env.docname, node["keys"])
        elif "fda-names" in self.options and check_fda:
            self.warn(f"regulatory-status: {substance}: :fda-names: has no effect without a :US: field",
                      "regulatory-option")
        return [node, *messages]

    # -- options ---------------------------------------------------------------

    def _as_of(self) -> str:
        if "as-of" not in self.options:
            self.warn(f"regulatory-status: {self.arguments[0].strip()}: no :as-of: date; give the date the "
                      "statuses were last verified (an ISO date such as 2026-11-01)", "regulatory-date")
            return ""
        text = (self.options["as-of"] or "").strip()
        date = parse_date(text)
        if date is None:
            self.warn(f"regulatory-status: {self.arguments[0].strip()}: :as-of: {text!r} is not a date; use an ISO date YYYY-MM-DD "
                      "such as 2026-11-01", "regulatory-date")
            return ""
        now = today()
        if date > now:
            self.warn(f"regulatory-status: {self.arguments[0].strip()}: :as-of: {text} is in the future (today is "
                      f"{now.isoformat()}); give the date the statuses were last verified. The table shows no date",
                      "regulatory-date")
            return ""
        return text

    def _fda_flag(self) -> bool:
        if "fda" not in self.options:
            return True
        value = (self.options["fda"] or "").strip().lower()
        if value in ON | OFF:
            return value in ON
        self.warn(f"regulatory-status: {self.arguments[0].strip()}: :fda: {value!r} is not allowed (allowed: on, off); the FDA check stays on",
                  "regulatory-option")
        return True

    def _fda_names(self, substance: str) -> list[str]:
        text = self.options.get("fda-names")
        raw = (text or "").split(",") if text is not None else [substance]
        keys: list[str] = []
        for name in raw:
            key = drug_name(name)
            if key and any(c.isalnum() for c in key) and key not in keys:
                keys.append(key)
            elif name.strip() and key not in keys:
                self.warn(f"regulatory-status: {name.strip()!r} in :fda-names: is not a drug name", "regulatory-option")
        if text is not None and not keys:
            self.warn("regulatory-status: :fda-names: is empty; looking up the directive's argument instead",
                      "regulatory-option")
            keys = [drug_name(substance)]
        return keys

    # -- rows ----------------------------------------------------------------

    def _row(self, node: regulatory_status, field: nodes.field) -> None:
        name_node, body = field[0], cast(nodes.field_body, field[1])
        line = field.line or body.line or self.lineno
        substance = node["substance"]
        raw_code = name_node.astext().strip()
        code = raw_code.upper()
        known = jurisdiction_name(code) is not None
        if not known:
            hint = f"; did you mean {CODE_HINTS[code]} ({jurisdiction_name(CODE_HINTS[code])})?" \
                if code in CODE_HINTS else ""
            self.warn(f"regulatory-status: {substance}: unknown jurisdiction {raw_code!r}; use "
                         f"{ALLOWED_JURISDICTIONS}{hint}", "regulatory-jurisdiction", line)
            code = raw_code
        status = self._take_status(body, code, substance, line)
        details = nodes.container(classes=["evidence-regulatory-details"])
        source = nodes.container(classes=["evidence-regulatory-source"])
        moving_to_source = False
        for child in list(body.children):
            body.remove(child)
            if moving_to_source:
                source += child
                continue
            if isinstance(child, nodes.paragraph):
                before, after = _split_source(child)
                if after is not None:
                    if before is not None:
                        details += before
                    if after.children:
                        source += after
                    moving_to_source = True
                    continue
            details += child
        node["rows"].append({"code": code, "status": status, "line": line, "known": known})
        node += details
        node += source

    def _take_status(self, body: nodes.Element, code: str, substance: str, line: int) -> str:
        """Remove the status keyword from the start of ``body`` and return it (``unknown`` if bad)."""
        para = body.children[0] if body.children else None
        first = para.children[0] if isinstance(para, nodes.paragraph) and para.children else None
        if not isinstance(first, nodes.Text):
            self.warn(f"regulatory-status: {substance}: {code} has no status; start the field with one of: "
                         f"{_allowed_statuses()}", "regulatory-status", line)
            return "unknown"
        keyword, rest = split_status(str(first))
        if keyword not in STATUSES:
            guess = f"{keyword}-{rest.split()[0].lower()}" if keyword and rest.split() else ""
            hint = f"; did you mean {guess!r}?" if guess in STATUSES else ""
            shown = keyword or str(first).strip()[:30]
            self.warn(f"regulatory-status: {substance}: unknown status {shown!r} for {code} "
                         f"(allowed: {_allowed_statuses()}){hint}", "regulatory-status", line)
            return "unknown"
        assert isinstance(para, nodes.paragraph)
        if rest:
            para.replace(first, nodes.Text(rest))
        else:
            para.remove(first)
            if not para.children:
                body.remove(para)
            elif isinstance(para.children[0], nodes.Text):  # keyword, then markup: drop the separator
                lead = split_status("x" + str(para.children[0]))[1]
                para.replace(para.children[0], nodes.Text(lead))
        return keyword


def _split_source(para: nodes.paragraph) -> tuple[nodes.paragraph | None, nodes.paragraph | None]:
    """Split a paragraph at ``Source:``: ``(details part or None, source part)``; ``(…, None)`` without one."""
    for index, child in enumerate(para.children):
        if not isinstance(child, nodes.Text):
            continue
        match = find_source_marker(str(child))
        if match is None:
            continue
        head, tail = str(child)[: match.start()].rstrip(), str(child)[match.end():]
        children = list(para.children)
        for moved in children:  # move, never copy: nested placeholders must stay unique
            para.remove(moved)
        before = nodes.paragraph()
        before.source, before.line = para.source, para.line
        before.extend(children[:index])
        if head:
            before += nodes.Text(head)
        after = nodes.paragraph(classes=["evidence-regulatory-source-text"])
        if tail:
            after += nodes.Text(tail)
        after.extend(children[index + 1 :])
        return (before if before.children else None), after
    return para, None

