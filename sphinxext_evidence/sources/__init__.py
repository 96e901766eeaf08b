"""Clients for the metadata services: one module per service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class HttpSettings:
    """Knobs shared by every client; built from the ``evidence_http_*`` values."""

    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    min_interval: float = 1 / 3


@dataclass
class FetchResult:
    """What one fetch pass of a service produced.

    ``records`` maps identifier to its lockfile record; ``unknown`` holds the
    identifiers the service says do not exist; ``errors`` describes requests
    that failed for good (their identifiers are in neither of the other two).
    """

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
