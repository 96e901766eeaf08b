"""The site-wide report of corrections: every cited work that was retracted, flagged or corrected, and where.

``.. evidence-corrections::`` shows it as a table; the same rows are written to
``evidence-corrections.json`` in the output directory for CI.  Which citations
an author acknowledged (``:pmid:`123 | why```), and which not, is noted per page while reading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.nodes import make_refnode

from sphinxext_evidence.citations.styles import get_style
from sphinxext_evidence.directive import TableDirective
from sphinxext_evidence.domain import CITE, get_domain
from sphinxext_evidence.identifiers import key_label
from sphinxext_evidence.records.model import Article
from sphinxext_evidence.records.notices import LEVELS
from sphinxext_evidence.render_utils import badge, entry, paragraph, table
from sphinxext_evidence.resolve import PageContext, evidence_placeholder

ACK = "ack"
REPORT = "corrections-report"
SNAPSHOT = "corrections_snapshot"
JSON_NAME = "evidence-corrections.json"
COLUMNS = ("Work", "Notices", "Cited on")
REPORTED = ("retraction", "concern", "replaced", "correction")


class corrections_report(evidence_placeholder, nodes.General):
    """Where the site-wide corrections report goes."""


class CorrectionsReportDirective(TableDirective):
    """``.. evidence-corrections::``: every cited work with a retraction, concern, erratum or newer version."""

    bucket = REPORT
    placeholder = corrections_report


def note_acknowledged(env: Any, keys: list[str], reason: str) -> None:
    """Remember that the current page cites ``keys`` on purpose, for ``reason`` ('' for a plain citation)."""
    for key in keys:
        get_domain(env).note(env.docname, ACK, [key, reason])


def rows(env: Any, records: Any) -> list[dict[str, Any]]:
    """One row per cited work that has a reported notice: its notices and the pages citing it."""
    domain = get_domain(env)
    acks: dict[tuple[str, str], list[str]] = {}
    for docname, items in domain.bucket(ACK):
        for key, reason in items:
            acks.setdefault((docname, records.canonical(key)), []).append(reason)
    cited: dict[str, list[str]] = {}
    for docname, keys in domain.bucket(CITE):
        for key in keys:
            pages = cited.setdefault(records.canonical(key), [])
            if docname not in pages:
                pages.append(docname)
    found = []
    for key, pages in cited.items():
        article = records.get(key)
        if not isinstance(article, Article):
            continue
        notices = [n for n in article.notices if n.info.level in REPORTED]
        if not notices and not article.retracted:
            continue
        worst = min((LEVELS.index(n.info.level) for n in notices), default=0)
        found.append({
            "key": key, "label": key_label(key), "status": article.mark or "corrected",
            "reference": get_style().tooltip(article, key),
            "notices": [{"type": n.kind, "label": n.label, "origin": n.origin, "source": n.source,
                         "pmid": n.pmid, "doi": n.doi} for n in notices],
            "pages": [_page(p, acks.get((p, key), [])) for p in pages],
            "order": worst,
        })
    found.sort(key=lambda row: (row["order"], row["key"]))
    return found


def _page(docname: str, reasons: list[str]) -> dict[str, Any]:
    """How ``docname`` cites a work: the reasons given, and whether any citation there gives none.

    A page that cites the work only where no reason can be given (a grade's
    ``:source:``, a page noted before reasons were kept) has none.
    """
    given = [r for r in reasons if r]
    return {"page": docname, "acknowledged": list(dict.fromkeys(given)),
            "unacknowledged": not given or "" in reasons}


def render_report(node: corrections_report, ctx: PageContext) -> list[nodes.Node]:
    """The report as a table (a sentence when nothing cited has a notice)."""
    found = rows(ctx.env, ctx.records)
    if not found:
        return [paragraph("No cited work has a retraction, expression of concern, correction or newer version.",
                          classes=["evidence-corrections-empty"])]
    table_node, tbody = table(["evidence-corrections"], (30, 35, 35), COLUMNS)
    builder = getattr(ctx.app, "builder", None)
    for row in found:
        tr = nodes.row()
        tr += entry(paragraph(nodes.strong(row["label"], row["label"]), f" {row['reference']}"))
        notices = entry()
        for notice in row["notices"]:
            by = f" (reported by {notice['origin']})" if notice["origin"] else ""
            notices += paragraph(badge(notice["label"], "note"), f"{by} {notice['source']}".rstrip())
        tr += notices
        pages = entry()
        for cited in row["pages"]:
            title = ctx.env.titles.get(cited["page"])
            text = title.astext() if title is not None else cited["page"]
            link: nodes.Node = make_refnode(builder, ctx.docname, cited["page"], "", nodes.Text(text)) \
                if builder is not None else nodes.Text(text)
            reasons = "; ".join(cited["acknowledged"])
            note = f" — cited on purpose: {reasons}" if reasons else " — not acknowledged"
            if reasons and cited["unacknowledged"]:
                note += "; also cited there without acknowledgement"
            pages += paragraph(link, note)
        tr += pages
        tbody += tr
    return [table_node]


def cited_everywhere(node: corrections_report, env: Any) -> set[str]:
    """``needs`` of the report: the records of every work cited anywhere."""
    return {key for _, keys in get_domain(env).bucket(CITE) for key in keys}


def report_pages_to_rewrite(app: Sphinx, env: Any) -> list[str]:
    """``env-updated`` (after the fetch stage): report pages, when what the report shows changed."""
    domain = get_domain(env)
    pages = sorted(docname for docname, _ in domain.bucket(REPORT))
    if not pages:
        return []
    snapshot = json.dumps(rows(env, domain.store), sort_keys=True)
    if domain.data.get(SNAPSHOT) == snapshot:
        return []
    domain.data[SNAPSHOT] = snapshot
    return pages


def write_json(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: the report's rows as JSON for CI, when a page shows the report."""
    if exception is not None or not any(True for _ in get_domain(app.env).bucket(REPORT)):
        return
    data = [{k: v for k, v in row.items() if k != "order"} for row in rows(app.env, get_domain(app.env).store)]
    Path(app.outdir, JSON_NAME).write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                          encoding="utf-8")
