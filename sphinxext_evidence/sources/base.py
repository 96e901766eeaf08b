"""What every metadata service declares, and the shapes shared by their clients.

A :class:`Source` says in one place which identifier kinds a service serves,
how many identifiers go in one request, how fast it may be asked, which
lockfile section keeps its records, and how a stored record becomes a typed
one.  The fetch stage, the resolve stage and the CLI iterate the registry
(:data:`sphinxext_evidence.sources.REGISTRY`) and name no service.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.config import Config

from sphinxext_evidence.records import schema
from sphinxext_evidence.records.model import Article
from sphinxext_evidence.records.schema import Check

if TYPE_CHECKING:
    from sphinxext_evidence.records.lockfile import RecordText


T = TypeVar("T")


# Kept as they are in a path segment (with letters, digits and "-._~"); everything else is percent-encoded.
_PATH_SAFE = ":;()"
#: The largest answer body read (decoded); a bigger one is a failed request.
MAX_BODY_BYTES = 50 * 1024 * 1024
#: The longest spacing between two requests to a service, whatever rate limit it announces.
MAX_INTERVAL = 5.0


class ServiceError(Exception):
    """A request failed for good (after retries); the message is safe to show."""


class NetworkDown(ServiceError):
    """No connection could be made (no DNS, refused, unreachable); later requests of the build are skipped."""


class Skipped(ServiceError):
    """A request that was not sent: the network was found unreachable, or the network deadline passed."""


class Budget:
    """The network allowance of one build, shared by its clients: a deadline, and whether the network is gone."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds if seconds else None
        #: Why the network was given up on (the first connection that could not be made); empty while it works.
        self.unreachable = ""

    def left(self) -> float | None:
        """Seconds until the deadline, never below zero (None: no deadline)."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def over(self) -> bool:
        """True when the deadline has passed."""
        return self.deadline is not None and time.monotonic() >= self.deadline

    def check(self) -> None:
        """Raise :class:`Skipped` when no new request may start."""
        if self.unreachable:
            raise Skipped(f"not sent: the network is unreachable ({self.unreachable})")
        if self.over():
            raise Skipped(f"not sent: the network deadline of {self.seconds:g} s passed")


@dataclass
class HttpSettings:
    """Knobs shared by every client; built from the ``evidence_http_*`` values and the build's network budget."""

    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    min_interval: float = 1 / 3
    max_body: int = MAX_BODY_BYTES
    budget: Budget | None = None


@dataclass
class FetchResult:
    """What one fetch pass of a service produced.

    ``records`` maps identifier to its lockfile record; ``unknown`` holds the
    identifiers the service says do not exist; ``errors`` describes requests
    that failed for good (their identifiers are in neither of the other two).
    ``skipped`` holds identifiers not asked for, or asked for when no
    connection could be made: the network was gone or the deadline had passed,
    which is no fault of theirs.  ``network_errors`` are the messages (also in
    ``errors``) of requests that found the network unreachable.  ``texts``
    holds the lockfile text of records a client made ready while it waited
    (see :func:`~sphinxext_evidence.records.lockfile.record_text`).
    """

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    skipped: set[str] = field(default_factory=set)
    network_errors: list[str] = field(default_factory=list)
    texts: dict[str, RecordText] = field(default_factory=dict)

    def attempt(self, call: Callable[[], T], scrub: Callable[[str], str] = str, ids: Iterable[str] = (),
                what: str = "") -> T | None:
        """Count one request for ``ids`` and run ``call``; any failure becomes an error message and None.

        An unexpected exception (a bug in a parser, say) is a failed request
        too, so it never costs the records of other requests.
        """
        self.requests += 1
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - one request's failure must not lose the others
            self.fail(exc, ids, what, scrub)
            return None

    def fail(self, exc: Exception, ids: Iterable[str] = (), what: str = "",
             scrub: Callable[[str], str] = str) -> None:
        """Record that the request for ``ids`` (described as ``what``) failed with ``exc``."""
        if isinstance(exc, Skipped):
            self.skipped.update(ids)
            return
        text = str(exc) if isinstance(exc, ServiceError) else f"unexpected error ({type(exc).__name__}: {exc})"
        message = scrub(f"{what}: {text}" if what and what not in text else text)
        self.errors.append(message)
        if isinstance(exc, NetworkDown):
            self.network_errors.append(message)
            self.skipped.update(ids)


class Fetcher(Protocol):
    """A service client as the fetch stage uses it."""

    def fetch(self, ids: list[str]) -> FetchResult:
        """The records of ``ids``, with what was unknown, skipped or failed."""
        ...

    def close(self) -> None:
        """Release the client's connections."""
        ...


def older_than(date_text: Any, days: Any, now: dt.date, or_equal: bool = False) -> bool:
    """True when ``date_text`` (ISO) is more than ``days`` before ``now`` (an unreadable date counts as old)."""
    if days is None or days == "":
        return False
    try:
        age = (now - dt.date.fromisoformat(str(date_text))).days
    except ValueError:
        return True
    return age >= int(days) if or_equal else age > int(days)


def fetched_before(day: str, config: Config, now: dt.date) -> bool:
    """True when a work fetched on ``day`` has a stale correction status: ``evidence_status_max_age_days`` ago or more.

    ``evidence_refresh_days``, which concerns every source, is :func:`past_max_age`.
    """
    return bool(day) and older_than(day, config.evidence_status_max_age_days, now)


def fetched_on(record: dict[str, Any]) -> str:
    """The day (ISO) a stored record was fetched or last checked, whatever its source; '' when it does not say."""
    custom = record.get("custom")
    day = custom.get("fetched") if isinstance(custom, dict) else None
    day = day or record.get("checked")
    return day.strip() if isinstance(day, str) else ""


def fetched_long_ago(record: dict[str, Any], seconds: float, now: dt.datetime) -> bool:
    """True when ``record`` was fetched ``seconds`` before ``now`` or earlier.

    A record keeps the day, not the hour, so its age counts from the start of
    that day; a record without a readable day, or dated after ``now`` (a clock
    ahead, a hand edit), counts as old.
    """
    return _long_ago(fetched_on(record), seconds, now)


def _long_ago(day_text: str, seconds: float, now: dt.datetime) -> bool:
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        return True
    return day > now.date() or (now - dt.datetime.combine(day, dt.time())).total_seconds() >= seconds


def past_max_age(day: str, config: Config, now: dt.date) -> bool:
    """True when ``evidence_refresh_days`` is set and a record fetched on ``day`` was fetched that long ago or more."""
    days = config.evidence_refresh_days
    return days is not None and _long_ago(day, days * 86400, dt.datetime.combine(now, dt.time()))


def _no_aliases(record: dict[str, Any]) -> list[str]:
    return []


@dataclass(frozen=True)
class Source:
    """One metadata service, as the rest of the extension sees it.

    ``min_interval`` is the spacing of requests for anonymous use and
    ``min_interval_identified`` with an API key or contact address.
    ``aliases`` lists the other keys that name a stored record's work (a
    PubMed record's DOI), so a work cited both ways is numbered and fetched once.
    ``not_found`` says what an identifier the service does not know means.
    """

    name: str
    label: str
    kinds: tuple[str, ...]
    section: str
    batch_size: int
    min_interval: float
    min_interval_identified: float
    client: Callable[[Sphinx, str], Fetcher]
    parse: Callable[[str, dict[str, Any]], Any] = Article.from_csl
    #: How a stored record of its section is checked when the lockfile is read.
    shape: Check = schema.CSL
    stale: Callable[[str, Config, dt.date], bool] | None = fetched_before
    aliases: Callable[[dict[str, Any]], list[str]] = _no_aliases
    alias_kinds: tuple[str, ...] = ()
    #: Identifiers it should have, when not simply the cited keys of its kinds: ``(cited keys, sections) -> ids``.
    wants: Callable[[set[str], Mapping[str, Mapping[str, Any]], Config], set[str]] | None = None
    #: Adds what it knows to another source's typed record: ``(record, its own section) -> record``.
    annotate: Callable[[Any, Mapping[str, Any]], Any] | None = None
    #: What it means when the service has no record of an identifier (``{label}``: ``PMID 123``).
    not_found: str = "{label} does not exist according to {service}; check the identifier"

    def not_found_message(self, label: str) -> str:
        """The warning text for an identifier this service has no record of."""
        return self.not_found.format(label=label, service=self.label)


_BUDGET_ATTR = "_evidence_network_budget"


def set_budget(app: Sphinx, budget: Budget) -> None:
    """Make ``budget`` the one every client of this build's fetch stage shares."""
    setattr(app, _BUDGET_ATTR, budget)


def http_settings(app: Sphinx, min_interval: float) -> HttpSettings:
    """HTTP knobs from the ``evidence_http_*`` values, with the build's network budget."""
    cfg = app.config
    return HttpSettings(
        timeout=float(cfg.evidence_http_timeout),
        retries=int(cfg.evidence_http_retries),
        backoff=float(cfg.evidence_http_backoff),
        min_interval=min_interval,
        budget=getattr(app, _BUDGET_ATTR, None),
    )


def describe_batch(label: str, batch: list[str] | tuple[str, ...]) -> str:
    """``PMID 1, 2`` for a short batch, ``450 PMIDs (1…9)`` for a long one (for messages)."""
    if len(batch) <= 3:
        return f"{label} " + ", ".join(batch)
    return f"{len(batch)} {label}s ({batch[0]}…{batch[-1]})"


def path_segment(text: str, keep_slashes: bool = True) -> str:
    """``text`` percent-encoded for a URL path, so it cannot leave the path it is put under.

    Anything but plain path characters is encoded, and so is every ``.`` or
    ``..`` segment (which clients and servers would otherwise resolve).
    """
    parts = text.split("/") if keep_slashes else [text]
    encoded = [quote(part, safe=_PATH_SAFE) for part in parts]
    return "/".join(p.replace(".", "%2E") if p in (".", "..") else p for p in encoded)
