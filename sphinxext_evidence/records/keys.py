"""The lockfile's keys read as citations read identifiers, and each record held to the identifier it is kept under.

A key written by hand, by another tool or by another version may not be in
the form a citation's identifier takes (``10.1161/STROKEAHA.115.009416``
for ``10.1161/strokeaha.115.009416``, ``022282884`` for ``22282884``, a DOI
in decomposed Unicode): it is read in that form, so the record is found.
The file keeps its keys as written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sphinxext_evidence.identifiers import parse_doi, parse_drug_name, parse_pmid
from sphinxext_evidence.records.schema import Finding

#: How each kind of key is read, and the CSL field (if any) that names the same identifier.
_KEYS: dict[str, tuple[Callable[[str], str | None], str]] = {
    "pmid": (parse_pmid, "PMID"), "doi": (parse_doi, "DOI"), "doi-status": (parse_doi, ""),
    "fda": (parse_drug_name, ""),
}


def section_kinds() -> dict[str, str]:
    """The kind of identifier each section's keys are."""
    from sphinxext_evidence.sources import REGISTRY  # the sources import this package

    return {source.section: source.kinds[0] for source in REGISTRY}


def normalise(sections: dict[str, dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list[Finding], bool]:
    """``sections`` keyed as citations are, each record agreeing with its key; what was wrong; whether a key changed."""
    kinds = section_kinds()
    findings: list[Finding] = []
    renamed = False
    out: dict[str, dict[str, Any]] = {}
    for section, records in sections.items():
        parse, field = _KEYS.get(kinds.get(section, ""), (None, ""))
        if parse is None:
            out[section] = records
            continue
        kept: dict[str, Any] = {}
        written: dict[str, str] = {}
        for ident, record in records.items():
            key = parse(ident) or ident
            renamed = renamed or key != ident
            if key in kept:
                findings.append(Finding(f"{section} records {written[key]!r} and {ident!r} are both {key!r}; the "
                                        f"first is used (delete the other from the file)", section, ident))
                continue
            kept[key], written[key] = _agreeing(section, key, ident, record, parse, field, findings), ident
        out[section] = kept
    return out, findings, renamed


def written_otherwise(section: str, records: dict[str, Any]) -> dict[str, str]:
    """The keys of ``records`` not written as citations read them: the form citations read → the key as written."""
    parse = _KEYS.get(section_kinds().get(section, ""), (None, ""))[0]
    if parse is None:
        return {}
    found: dict[str, str] = {}
    for ident in records:
        key = parse(ident)
        if key and key != ident:
            found.setdefault(key, ident)
    return found


def _agreeing(section: str, key: str, ident: str, record: Any, parse: Callable[[str], str | None], field: str,
              findings: list[Finding]) -> Any:
    """``record`` with its ``field`` naming ``key``: a record that names another work is read as the key's."""
    value = record.get(field) if field and isinstance(record, dict) else None
    if not isinstance(value, str) or parse(value) == key:
        return record
    findings.append(Finding(f"{section} record {ident!r} has {field} {value[:60]!r}, not {key!r}; it is read as "
                            f"{key!r}, the identifier it is kept under (fix the record, or delete it to have it "
                            "fetched again)", section, ident))
    return {**record, field: key}
