"""The ``regulatory-status`` table: jurisdiction, status badge, details, source, as-of.

Standard docutils table nodes, so HTML, LaTeX, text and EPUB all work.  The US
row shows what openFDA found (from the lockfile section ``openfda``): the
finding, why "not found" proves nothing, how many applications were left out,
and which names were checked where and when.  The build warns when the
author's status and an FDA finding disagree or when either is older than
``evidence_regulatory_max_age_days``.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes

from sphinxext_evidence import log
from sphinxext_evidence.dates import age_in_days, today
from sphinxext_evidence.identifiers import key_parts
from sphinxext_evidence.records.model import FdaRecord
from sphinxext_evidence.regulatory.directive import regulatory_status
from sphinxext_evidence.regulatory.fda import FDA_LABELS, combined_status, disagrees
from sphinxext_evidence.regulatory.statuses import STATUSES, jurisdiction_name
from sphinxext_evidence.render_utils import badge, entry, label_cells, link, paragraph, table
from sphinxext_evidence.resolve import PageContext

DRUGSFDA_URL = "https://www.accessdata.fda.gov/scripts/cder/daf/"
HEADINGS = ("Jurisdiction", "Status", "Details", "Source", "As of")
WIDTHS = (18, 15, 37, 15, 15)
#: FDA's own account of what Drugs@FDA leaves out, in short.
NOT_FOUND_NOTE = (
    "Drugs@FDA does not list biologics and vaccines licensed under BLAs by FDA's biologics center (CBER: "
    "vaccines, blood products, cell and gene therapies; they are in the Purple Book), nor OTC monograph "
    "products sold without an application, and it may spell a name differently. Not being found there "
    "is not evidence that a product is not approved.")


def status_badge(status: str) -> nodes.inline:
    """The badge for a status keyword; its words carry the meaning, the class only the colour."""
    return badge(STATUSES.get(status, status), f"status-{status}")


def _when(records: list[FdaRecord]) -> str:
    checked = max((r.checked for r in records), default="")
    return f" (checked {checked})" if checked else ""


def fda_summary(records: list[FdaRecord]) -> list[nodes.Node]:
    """``Not found in Drugs@FDA (checked …)`` or ``Approved — NDA215256, prescription, … (checked …)``."""
    state = combined_status(records)
    when = _when(records)
    if state == "not-found":
        return [nodes.Text(f"{FDA_LABELS[state]}{when}")]
    out: list[nodes.Node] = [nodes.Text(FDA_LABELS[state] + " — ")]
    seen: set[str] = set()
    for app in (a for r in records for a in r.applications):
        if app.number in seen:
            continue
        if seen:
            out.append(nodes.Text("; "))
        seen.add(app.number)
        out.append(link(app.number, app.url, ["evidence-fda-application"]))
        status = ", ".join(s.lower() for s in app.marketing_status)
        extra = [x for x in (status, ", ".join(app.brand_names), app.sponsor) if x]
        if extra:
            out.append(nodes.Text(", " + ", ".join(extra)))
    out.append(nodes.Text(when))
    return out


def _count(record: FdaRecord) -> str:
    if not record.applications and not record.total:
        return "not found"
    total = max(record.total, len(record.applications))
    return f"{total} application{'s' if total != 1 else ''}"


def checked_line(records: list[FdaRecord]) -> nodes.paragraph:
    """What was looked up, where and when: names, Drugs@FDA via openFDA, check dates, openFDA's data date."""
    dates = sorted({r.checked or "an unknown date" for r in records})
    # When nothing was found the finding above the note says so once; the row does not say it again per name.
    counted = combined_status(records) != "not-found"
    names = [f"{r.name!r}" + (f" ({_count(r)})" if counted else "")
             + ("" if len(dates) == 1 else f" on {r.checked or 'an unknown date'}") for r in records]
    text = "Checked in Drugs@FDA via openFDA" + (f" on {dates[0]}" if len(dates) == 1 else "")
    text += ": " + ", ".join(names)
    updated = sorted({r.data_updated for r in records if r.data_updated})
    if updated:
        text += f"; openFDA data last updated {', '.join(updated)}"
    return paragraph(text + ".", classes=["evidence-fda-checked"])


def not_found_note() -> nodes.paragraph:
    """Why "not found in Drugs@FDA" says nothing about approval."""
    return paragraph(NOT_FOUND_NOTE, classes=["evidence-fda-not-found-note"])


def truncation_notes(records: list[FdaRecord]) -> list[nodes.paragraph]:
    """``Showing 100 of 412 applications found for 'metformin'; 312 not shown — see Drugs@FDA.``"""
    return [paragraph(f"Showing {len(r.applications)} of {r.total} applications found for {r.name!r}; "
                      f"{r.not_shown} not shown — see ",
                      link("Drugs@FDA", DRUGSFDA_URL, ["evidence-fda-source"]), ".",
                      classes=["evidence-fda-truncated"])
            for r in records if r.not_shown]


def _stale_note(text: str) -> nodes.paragraph:
    # The space stays outside the bold: the text builder writes ``**May be out of date:** …``.
    return paragraph(nodes.strong("May be out of date:", "May be out of date:"), nodes.Text(" " + text),
                      classes=["evidence-regulatory-stale"])


def render_regulatory_status(node: regulatory_status, ctx: PageContext) -> list[nodes.Node]:
    """The table, with the openFDA finding on the US row and notes on stale statuses."""
    now = today()
    max_age = int(ctx.app.config.evidence_regulatory_max_age_days)
    substance = node["substance"]
    docname = node.get("docname", ctx.docname)
    rows: list[dict[str, Any]] = node["rows"]
    parts = [c for c in node.children if isinstance(c, nodes.container)]
    as_of = node.get("as_of", "")
    notes: list[nodes.Node] = []

    def warn(message: str, subtype: str, line: int | None) -> None:
        log.warn(message, subtype, (docname, line) if line else node)

    age = age_in_days(as_of, now) if as_of else None
    if age is not None and age > max_age:
        warn(f"regulatory-status: {substance}: statuses are as of {as_of}, more than {max_age} days ago; "
             "check them again and update :as-of:", "regulatory-stale", node.line)
        notes.append(_stale_note(f"these statuses were last verified on {as_of}."))

    table_node, tbody = table(["evidence-regulatory", "evidence-table", "longtable", "colwidths-given"], WIDTHS,
                              HEADINGS)
    # A titled table is numberable: it needs an id (unique on the page, and across pages in LaTeX).
    table_node["ids"] = [f"{ctx.prefix}-regulatory-{node.line or 0}"]
    title = f"Regulatory status of {substance}"
    table_node.insert(0, nodes.title(title, title))

    for index, row in enumerate(rows):
        details, source = parts[2 * index], parts[2 * index + 1]
        code, status = row["code"], row["status"]
        name = jurisdiction_name(code) if row.get("known") else None
        where = paragraph(nodes.strong(name, name), nodes.Text(f" ({code})")) if name \
            else paragraph(nodes.Text(code))
        tr = nodes.row(classes=[f"evidence-regulatory-{code.lower()}"])
        tr += entry(where)
        tr += entry(paragraph(status_badge(status)))
        details_entry = entry(*details.children)
        source_entry = entry(*source.children)
        details.children, source.children = [], []
        _keep_dates_whole(details_entry)
        if code == "US" and node.get("keys"):
            _fda_check(node, ctx, status, row.get("line"), details_entry, source_entry, warn, now, max_age)
        tr += details_entry
        tr += source_entry
        tr += entry(paragraph(nodes.Text(as_of or "—"), classes=["evidence-regulatory-date"]))
        if ctx.builder_format == "html":
            label_cells(tr, HEADINGS)
        tbody += tr

    block = nodes.container(classes=["evidence-regulatory-block"])
    block += table_node
    block.extend(notes)
    return [block]


_ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")


def _keep_dates_whole(cell: nodes.Element) -> None:
    """Wrap the ISO dates an author wrote in ``cell`` so that a line never breaks at their hyphens."""
    for text in list(cell.findall(nodes.Text)):
        found = list(_ISO_DATE.finditer(text))
        if not found or text.parent is None:
            continue
        pieces: list[nodes.Node] = []
        at = 0
        for match in found:
            if match.start() > at:
                pieces.append(nodes.Text(text[at:match.start()]))
            pieces.append(nodes.inline(match.group(), match.group(), classes=["evidence-regulatory-date"]))
            at = match.end()
        if at < len(text):
            pieces.append(nodes.Text(text[at:]))
        text.parent.replace(text, pieces)


def _fda_check(node: regulatory_status, ctx: PageContext, status: str, line: int | None,
               details: nodes.entry, source: nodes.entry, warn: Any, now: Any, max_age: int) -> None:
    """Add what openFDA found to the US row; warn on disagreement, missing or stale records."""
    substance = node["substance"]
    found = {key_parts(k)[1]: ctx.records.get(k) for k in node["keys"]}
    keys = list(found)
    records: list[FdaRecord] = [r for r in found.values() if r is not None]
    missing = [k for k, r in found.items() if r is None]
    label = nodes.strong("FDA (openFDA):", "FDA (openFDA):")
    source_link = link("Drugs@FDA", DRUGSFDA_URL, ["evidence-fda-source"])
    source += paragraph(source_link)
    names = ", ".join(repr(k) for k in keys)
    if missing:
        text = "not checked yet (no openFDA record in the lockfile for " + ", ".join(repr(k) for k in missing) + ")"
        details += paragraph(label, nodes.Text(" "), nodes.emphasis(text, text), classes=["evidence-fda", "evidence-fda-unchecked"])
        warn(f"regulatory-status: {substance}: no openFDA record for {', '.join(repr(k) for k in missing)} in the "
             "lockfile, so the US status is not checked; build once with network access", "regulatory-unchecked", line)
    if records:
        fda_status = combined_status(records)
        para = paragraph(label.deepcopy(), nodes.Text(" "), *fda_summary(records), classes=["evidence-fda", f"evidence-fda-{fda_status}"])
        details += para
        if fda_status == "not-found":
            details += not_found_note()
        details.extend(truncation_notes(records))
        details += checked_line(records)
        if disagrees(status, fda_status):
            summary = "".join(n.astext() for n in fda_summary(records))
            warn(f"regulatory-status: {substance}: the US status '{status}' disagrees with openFDA for {names}: "
                 f"{summary}", "regulatory-conflict", line)
            details += paragraph(badge("Disagrees with the FDA record", "conflict"),
                                  nodes.Text(f" The status given here ({STATUSES.get(status, status).lower()}) "
                                             "does not match what openFDA reports."),
                                  classes=["evidence-fda-conflict"])
        oldest = min(r.checked for r in records)
        age = age_in_days(oldest, now)
        if age is None or age > max_age:
            warn(f"regulatory-status: {substance}: the openFDA check of {names} dates from {oldest or 'an unknown date'},"
                 f" more than {max_age} days ago; build with network access to check again", "regulatory-stale", line)
            details += _stale_note(f"the FDA record was last checked on {oldest or 'an unknown date'}.")
