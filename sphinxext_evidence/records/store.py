"""The build's records, read-only: typed look-up by key, with aliases folded into one work.

The fetch stage builds the store from the lockfile's sections; the resolve
stage asks it for the records each page needs and hands those to renderers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from sphinxext_evidence import log
from sphinxext_evidence.identifiers import key_parts, make_key
from sphinxext_evidence.sources import REGISTRY, for_kind
from sphinxext_evidence.sources.base import fetched_on

Sections = Mapping[str, Mapping[str, dict[str, Any]]]

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


class CompactSection(Mapping[str, Any]):
    """A lockfile section holding each record as its compact JSON text, decoded afresh when asked for.

    The store lives for the whole build.  As Python objects its records take
    about four times the memory of their text, and every full garbage
    collection walks each of their dicts and lists; a string is neither.  A
    page asks for a few records, so decoding them again costs little.  A
    record that JSON cannot encode (a :class:`~.parsing.Raw` value) is kept
    as it is.
    """

    __slots__ = ("_texts", "_kept", "aliases", "dois", "days")

    def __init__(self, records: Mapping[str, Any], aliases_of: Callable[[dict[str, Any]], Iterable[str]] | None = None,
                 ) -> None:
        self._texts: dict[str, str] = {}
        self._kept: dict[str, Any] = {}
        #: Alias -> identifier of the first record that carries it (see Source.aliases), found while encoding.
        self.aliases: dict[str, str] = {}
        #: Identifier -> the record's ``DOI`` field, which planning a fetch reads for every cited record.
        self.dois: dict[str, Any] = {}
        #: Identifier -> the day the record was fetched or checked (see fetched_on), which judges whether it is stale.
        self.days: dict[str, str] = {}
        for ident, record in records.items():
            try:
                self._texts[ident] = _ENCODE(record)
            except (TypeError, ValueError):
                self._kept[ident] = record
            if not isinstance(record, dict):
                continue
            if "DOI" in record:
                self.dois[ident] = record["DOI"]
            self.days[ident] = fetched_on(record)
            if aliases_of is not None:
                for alias in aliases_of(record):
                    self.aliases.setdefault(alias, ident)

    def __getitem__(self, ident: str) -> Any:
        text = self._texts.get(ident)
        return json.loads(text) if text is not None else self._kept[ident]

    def __contains__(self, ident: object) -> bool:  # Mapping's would decode the record
        return ident in self._texts or ident in self._kept

    def __iter__(self) -> Iterator[str]:
        yield from self._texts
        yield from self._kept

    def __len__(self) -> int:
        return len(self._texts) + len(self._kept)


def record_doi(section: Mapping[str, Any], ident: str) -> Any:
    """The ``DOI`` field of record ``ident`` of ``section`` (None when absent), without decoding a compact record."""
    if isinstance(section, CompactSection):
        return section.dois.get(ident)
    record = section.get(ident)
    return record.get("DOI") if isinstance(record, dict) else None


def record_day(section: Mapping[str, Any], ident: str) -> str:
    """The day record ``ident`` of ``section`` was fetched or checked ('' when it does not say), without decoding it."""
    if isinstance(section, CompactSection):
        return section.days.get(ident, "")
    record = section.get(ident)
    return fetched_on(record) if isinstance(record, dict) else ""


def expanded(sections: Mapping[str, Any]) -> dict[str, Any]:
    """``sections`` as plain dicts, compact sections decoded, for code that edits or serialises them."""
    return {name: dict(section) if isinstance(section, CompactSection) else section
            for name, section in sections.items()}


def compact(sections: Mapping[str, Any]) -> dict[str, Any]:
    """``sections`` with each section's records held as compact text (other values as they are)."""
    aliases_of = {source.section: source.aliases for source in REGISTRY}
    return {name: CompactSection(section, aliases_of.get(name))
            if isinstance(section, Mapping) and not isinstance(section, CompactSection) else section
            for name, section in sections.items()}


_EMPTY = CompactSection({})


class Store:
    """Typed records for keys such as ``pmid:123``; parsed once per process and kept."""

    def __init__(self, sections: Sections, unknown: Mapping[str, list[str]]) -> None:
        self.sections = compact(sections)
        self.unknown = {f"{s}:{i}" for s, ids in unknown.items() for i in ids}
        self._typed: dict[str, Any] = {}
        self._aliases: dict[str, str] | None = None
        self.memo: dict[tuple[str, str], Any] = {}  # per-key values derived by renderers (tooltips)

    def canonical(self, key: str) -> str:
        """The key under which a work is numbered: a DOI that another record carries (see Source.aliases) becomes that record's key."""
        if self._aliases is None:
            self._aliases = {}
            for source in REGISTRY:
                for alias, ident in self._section(source.section).aliases.items():
                    self._aliases.setdefault(alias, make_key(source.kinds[0], ident))
        return self._aliases.get(key, key)

    def raw(self, key: str) -> dict[str, Any] | None:
        """The stored record for ``key`` as in the lockfile, or None."""
        kind, ident = key_parts(key)
        source = for_kind(kind)
        if source is None:
            return None
        record = self._section(source.section).get(ident)
        return record if isinstance(record, dict) and record else None

    def _section(self, name: str) -> CompactSection:
        section = self.sections.get(name)
        return section if isinstance(section, CompactSection) else _EMPTY

    def get(self, key: str) -> Any:
        """The typed record for ``key`` (an Article, an FdaRecord …), with what other sources add, or None.

        Never raises: a record no reader can make sense of is reported once and taken as missing.
        """
        if key not in self._typed:
            self._typed[key] = self._parse(key)
        return self._typed[key]

    def _parse(self, key: str) -> Any:
        data = self.raw(key)
        kind, ident = key_parts(key)
        source = for_kind(kind)
        if data is None or source is None:
            return None
        step = f"{source.section} record {ident!r}"
        try:
            record = source.parse(key, data)
            for other in REGISTRY:
                if record is not None and other.annotate is not None:
                    step = f"{other.section} record for {key}"
                    record = other.annotate(record, self._section(other.section))
        # The lockfile is untrusted: whatever a reader trips over must not stop the build.
        except Exception as exc:  # noqa: BLE001
            log.warn(f"{step} cannot be read ({type(exc).__name__}: {exc}); {key} is shown as missing",
                     "lockfile", once=True)
            return None
        return record

    def not_found(self, key: str, label: str) -> str | None:
        """Why the service has no record of ``key`` (``label`` names it), or None when it did not say so."""
        kind, ident = key_parts(key)
        source = for_kind(kind)
        if source is None or f"{source.section}:{ident}" not in self.unknown:
            return None
        return source.not_found_message(label)
