"""Test doubles of the web services, served by a real HTTP server on loopback.

Use the pytest fixtures below from a test module with
``from fakes import fake_server, eutils  # noqa: F401`` or, project-wide, by
listing this package as a plugin in ``tests/conftest.py``::

    pytest_plugins = ["fakes"]

``fake_server`` is a started :class:`FakeServer` (register routes, queue
faults, inspect ``requests``); ``eutils`` is an :class:`EUtilsDouble` on its
own server, whose ``base_url`` is what ``evidence_eutils_url`` (and, for the
correction-links pass, ``evidence_crossref_url``) should be.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .crossref import CrossrefDouble
from .eutils import EFETCH_PATH, EUtilsDouble
from .server import Canned, FakeServer, RecordedRequest

__all__ = ["EFETCH_PATH", "Canned", "EUtilsDouble", "FakeServer", "RecordedRequest", "eutils", "fake_server"]


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    """A started loopback server with no routes; stopped after the test."""
    with FakeServer() as server:
        yield server


@pytest.fixture
def eutils(fake_server: FakeServer) -> EUtilsDouble:
    """The E-utilities double on the ``fake_server`` loopback server.

    The same server also answers Crossref's ``/works`` (from the Crossref
    fixtures), which every online build asks for the correction links of the
    DOIs it cites.
    """
    CrossrefDouble(fake_server)
    return EUtilsDouble(fake_server)
