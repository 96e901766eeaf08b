"""Shared pytest setup: Sphinx test roots, and a guard so no test can reach a real service."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from sphinxext_evidence import config

ROOTS = Path(__file__).parent / "roots"
# A closed port on loopback: a test that forgets to point a client at its own
# fake server fails fast instead of reaching the internet.
NOWHERE = "http://127.0.0.1:9/"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the ``test-<name>`` projects."""
    return ROOTS


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(address: object) -> None:
    """Refuse any internet address: tests talk to servers on 127.0.0.1 only."""
    host = address[0] if isinstance(address, tuple) else None
    if host is None:  # a Unix socket path
        return
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise OSError(f"a test tried to connect to {address!r}; tests may only use servers on loopback")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _loopback_only(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _loopback_only(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with outgoing connections limited to loopback (no request can leave the machine)."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


@pytest.fixture(autouse=True)
def _no_real_services(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every default service URL at a dead loopback port and drop real API keys."""
    monkeypatch.setattr(config, "EUTILS_URL", NOWHERE)
    monkeypatch.setattr(config, "OPENFDA_URL", NOWHERE)
    monkeypatch.setattr(config, "CROSSREF_URL", NOWHERE)
    for name in ("NCBI_API_KEY", "OPENFDA_API_KEY", "SPHINX_EVIDENCE_OFFLINE", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)


pytest_plugins = ["fakes"]


@pytest.fixture
def project(tmp_path: Path):
    """Copy ``tests/roots/test-<name>`` to a fresh directory and return its path."""
    import shutil

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(ROOTS / f"test-{name}", dest)
        return dest

    return copy
