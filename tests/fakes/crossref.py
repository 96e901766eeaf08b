"""A double of the Crossref REST API ``/works`` endpoints, built from hand-written fixtures.

Each fixture in ``tests/fixtures/crossref/`` is a ``/works/{doi}`` answer in
Crossref's documented format (see its SOURCES.md).  The double serves:

* ``GET /works/{doi}``: the fixture as is (DOIs match case-insensitively, as at
  Crossref; the path may be percent-encoded); an unknown DOI gets
  ``404 Resource not found.`` (register it with :meth:`CrossrefDouble.add_unknown`,
  or rely on the server's plain 404 for any other path);
* ``GET /works?filter=doi:a,doi:b&rows=N``: a ``work-list`` of the known works
  among those asked for, in Crossref's list envelope.

Tests can queue faults on :data:`WORKS_PATH` or on :meth:`CrossrefDouble.work_path`
through the underlying :class:`FakeServer`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .server import Canned, FakeServer, RecordedRequest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crossref"
WORKS_PATH = "/works"
JSON_HEADERS = {"Content-Type": "application/json;charset=utf-8"}
RATE_HEADERS = {"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Interval": "1s"}
NOT_FOUND = Canned(404, {"Content-Type": "text/plain"}, b"Resource not found.")


def path_variants(doi: str) -> set[str]:
    """The request paths a client may use for ``doi`` (as written, lower-cased, percent-encoded)."""
    out = set()
    for form in {doi, doi.lower()}:
        for safe in ("/", "/:;()<>[]", "/:;()[]", ""):
            out.add(f"{WORKS_PATH}/{quote(form, safe=safe)}")
    return out


class CrossrefDouble:
    """Serves ``/works`` and ``/works/{doi}`` for the fixture works on a :class:`FakeServer`."""

    def __init__(self, server: FakeServer, fixtures: Path = FIXTURES) -> None:
        self.server = server
        self.works: dict[str, dict[str, Any]] = {}
        for path in sorted(fixtures.glob("work_*.json")):
            self.add_work(json.loads(path.read_text(encoding="utf-8"))["message"])
        server.route(WORKS_PATH, self._list)

    @property
    def base_url(self) -> str:
        """What ``evidence_crossref_url`` should be set to (ends with a slash)."""
        return self.server.url

    @staticmethod
    def work_path(doi: str) -> str:
        """The plain path of ``doi``'s work (for queueing faults)."""
        return f"{WORKS_PATH}/{quote(doi.lower(), safe='/:;()<>[]')}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request to ``/works`` and ``/works/…`` so far."""
        return [r for r in self.server.requests if r.path == WORKS_PATH or r.path.startswith(WORKS_PATH + "/")]

    def add_work(self, message: dict[str, Any]) -> str:
        """Serve one more work (a ``message`` object); return its lower-cased DOI."""
        doi = str(message["DOI"]).lower()
        self.works[doi] = message
        body = json.dumps({"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message})
        for path in path_variants(message["DOI"]):
            self.server.route(path, lambda _req, body=body: Canned(200, {**JSON_HEADERS, **RATE_HEADERS}, body))
        return doi

    def add_unknown(self, doi: str) -> None:
        """Answer ``/works/{doi}`` with Crossref's 404."""
        for path in path_variants(doi):
            self.server.route(path, lambda _req: NOT_FOUND)

    def _list(self, request: RecordedRequest) -> Canned:
        filters = request.param("filter") or ""
        dois = []
        for part in filters.split(","):
            name, _, value = part.partition(":")
            if name.strip() != "doi" or not value.strip():
                return Canned(400, JSON_HEADERS, json.dumps({
                    "status": "failed", "message-type": "validation-failure",
                    "message": [{"type": "filter-not-available", "value": name, "message": f"Filter {name} specified but there is no such filter for this route."}],
                }))
            dois.append(value.strip().lower())
        items = [self.works[d] for d in dict.fromkeys(dois) if d in self.works]
        rows = int(request.param("rows") or 20)
        body = {
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "facets": {},
                "total-results": len(items),
                "items": items[:rows],
                "items-per-page": rows,
                "query": {"start-index": 0, "search-terms": None},
            },
        }
        return Canned(200, {**JSON_HEADERS, **RATE_HEADERS}, json.dumps(body))
