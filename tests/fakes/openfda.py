"""A double of openFDA Drugs@FDA (``drug/drugsfda.json``) built from recorded responses.

Application records come from the recorded 200 answers in
``tests/fixtures/openfda`` (semaglutide, tirzepatide, Xadago, Falmina) and
from the rofecoxib (Vioxx) records built from Drugs@FDA data files, whose
products are all discontinued (see that folder's SOURCES.md).  A
``search`` of ``field:"name"`` terms (OR-ed) matches a record when the name's
words appear, in order, in one of the searched fields, as openFDA's phrase
search on analysed fields does.  Errors are the recorded openFDA bodies:

* no match: 404 ``NOT_FOUND`` "No matches found!";
* a ``sort`` parameter: 400 ``BAD_REQUEST``;
* an ``api_key`` not in :attr:`OpenFdaDouble.valid_keys`: 403 ``API_KEY_INVALID``;
* an unbalanced quote in ``search``: 500 ``SERVER_ERROR``.

Tests can add records, have one name answered with a recorded body byte for
byte (:meth:`OpenFdaDouble.answer_with`), and queue faults on
:data:`DRUGSFDA_PATH` through the underlying :class:`FakeServer`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .server import Canned, FakeServer, RecordedRequest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "openfda"
DRUGSFDA_PATH = "/drug/drugsfda.json"
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
RECORDED_200 = (
    "drugsfda_200_semaglutide_limit2.body.json",
    "drugsfda_200_tirzepatide_limit1.body.json",
    "regbot_fetch_nda_xadago.json",
    "regbot_fetch_anda_falmina.json",
)
#: Application records made from FDA data files, not recorded answers: a ``results`` list only.
BUILT_RESULTS = ("drugsfda_built_rofecoxib_discontinued.json",)
_TERM_RE = re.compile(r'([A-Za-z_.]+):"([^"]*)"')


def fixture_bytes(name: str) -> bytes:
    """A recorded body, byte for byte."""
    return (FIXTURES / name).read_bytes()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _field_values(record: dict[str, Any], field: str) -> list[str]:
    """Values of a dotted field (``products.active_ingredients.name``) in one record."""
    values: list[Any] = [record]
    for part in field.split("."):
        nxt: list[Any] = []
        for value in values:
            item = value.get(part) if isinstance(value, dict) else None
            if isinstance(item, list):
                nxt.extend(item)
            elif item is not None:
                nxt.append(item)
        values = nxt
    return [str(v) for v in values]


def _phrase_in(phrase: str, text: str) -> bool:
    words, target = _words(phrase), _words(text)
    n = len(words)
    return bool(n) and any(target[i : i + n] == words for i in range(len(target) - n + 1))


class OpenFdaDouble:
    """Serves ``drug/drugsfda.json`` searches for the recorded applications on a :class:`FakeServer`."""

    def __init__(self, server: FakeServer, fixtures: Path = FIXTURES) -> None:
        self.server = server
        self.results: list[dict[str, Any]] = []
        self.meta: dict[str, Any] = {}
        for name in RECORDED_200:
            data = json.loads((fixtures / name).read_bytes())
            self.meta = self.meta or data["meta"]
            self.results.extend(data["results"])
        for name in BUILT_RESULTS:
            self.results.extend(json.loads((fixtures / name).read_bytes())["results"])
        self.valid_keys: set[str] = set()
        self.recorded: dict[str, str] = {}
        server.route(DRUGSFDA_PATH, self.drugsfda)

    @property
    def base_url(self) -> str:
        """What ``evidence_openfda_url`` should be set to (ends with a slash)."""
        return self.server.url

    @property
    def requests(self) -> list[RecordedRequest]:
        """The drugsfda requests received so far."""
        return self.server.requests_to(DRUGSFDA_PATH)

    @property
    def count(self) -> int:
        """How many drugsfda requests were received."""
        return len(self.requests)

    def add_result(self, result: dict[str, Any]) -> None:
        """Serve one more application record."""
        self.results.append(result)

    def result(self, application_number: str) -> dict[str, Any]:
        """A deep copy of a recorded application (to derive test records from)."""
        for result in self.results:
            if result["application_number"] == application_number:
                return copy.deepcopy(result)
        raise KeyError(application_number)

    def answer_with(self, name: str, fixture: str) -> None:
        """Answer searches for ``name`` with the recorded body ``fixture``, byte for byte."""
        self.recorded[" ".join(_words(name))] = fixture

    def drugsfda(self, request: RecordedRequest) -> Canned:
        """The route handler (tests may wrap it)."""
        key = request.param("api_key")
        if key is not None and key not in self.valid_keys:
            return Canned(403, JSON_HEADERS, fixture_bytes("drugsfda_403_api_key_invalid.body.json"))
        if request.param("sort") is not None:
            return Canned(400, JSON_HEADERS, fixture_bytes("drugsfda_400_bad_sort.body.json"))
        search = request.param("search") or ""
        if search.count('"') % 2:
            return Canned(500, JSON_HEADERS, fixture_bytes("drugsfda_500_bad_query.body.json"))
        terms = _TERM_RE.findall(search)
        for _, value in terms:
            fixture = self.recorded.get(" ".join(_words(value)))
            if fixture is not None:
                return Canned(200, JSON_HEADERS, fixture_bytes(fixture))
        hits = [r for r in self.results if any(
            _phrase_in(value, text) for field, value in terms for text in _field_values(r, field))]
        if not hits:
            return Canned(404, JSON_HEADERS, fixture_bytes("drugsfda_404_no_match.body.json"))
        limit = int(request.param("limit") or 1)
        meta = copy.deepcopy(self.meta)
        meta["results"] = {"skip": 0, "limit": limit, "total": len(hits)}
        body = json.dumps({"meta": meta, "results": hits[:limit]}, indent=2)
        return Canned(200, JSON_HEADERS, body)


@pytest.fixture
def openfda() -> Iterator[OpenFdaDouble]:
    """The openFDA double on its own loopback server, stopped after the test."""
    with FakeServer() as server:
        yield OpenFdaDouble(server)
