"""A watchdog that ends a request when the build's network deadline passes, whatever it is waiting for.

Read timeouts bound each wait for data, not a request: a server that sends a
byte now and then (a header or a chunk-size line that never ends) keeps every
read short while ``http.client`` waits for the end of the line.  The
connections of :class:`WatchedAdapter` hand their sockets to the watchdog of
the request that opened them; when the deadline comes, the watchdog shuts
those sockets down, which ends any read at once, and says it did, so that an
answer it cut short is never taken for a whole one.

TLS handshakes are not covered: the socket is handed over once connected.
"""

from __future__ import annotations

import contextvars
import socket
import threading
import weakref
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from sphinxext_evidence.sources.base import Budget

__all__ = ["WatchedAdapter", "Watchdog"]

#: Seconds the watchdog lets pass after the deadline, so that a read timeout due then (they are
#: cut to the time left) ends the request first, with its own message.
GRACE = 0.5

# The sockets of the session whose request is running in this thread (None: no watchdog).
_KEPT: contextvars.ContextVar[weakref.WeakSet[socket.socket] | None] = contextvars.ContextVar(
    "evidence_watched_sockets", default=None)


def _keep(sock: socket.socket | None) -> None:
    kept = _KEPT.get()
    if kept is not None and sock is not None:
        kept.add(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        """Connect, and let the running request's watchdog know the socket."""
        super().connect()
        _keep(self.sock)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        """Connect (TLS included), and let the running request's watchdog know the socket."""
        super().connect()
        _keep(self.sock)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection  # urllib3 reads it


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection  # urllib3 reads it


class WatchedAdapter(HTTPAdapter):
    """An adapter whose connections (pooled for the session) are known to its session's :class:`Watchdog`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Create the pool manager, with pools of watched connections."""
        super().init_poolmanager(*args, **kwargs)
        pools = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
        self.poolmanager.pool_classes_by_scheme = pools  # urllib3 reads it


class Watchdog:
    """Used as ``with watchdog:`` around a request: shuts the session's sockets down at the deadline.

    One per session: the sockets its connections opened stay known (as long
    as they exist) for later requests that reuse them.  ``fired`` says
    whether the deadline cut the last request short.
    """

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.fired = False
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._timer: threading.Timer | None = None
        self._token: contextvars.Token[weakref.WeakSet[socket.socket] | None] | None = None

    def __enter__(self) -> Watchdog:
        self.fired = False
        self._token = _KEPT.set(self._sockets)
        left = self.budget.left()
        if left is not None:
            self._timer = threading.Timer(left + GRACE, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._token is not None:
            _KEPT.reset(self._token)
            self._token = None

    def _fire(self) -> None:
        self.fired = True
        for sock in list(self._sockets):
            try:
                # The plain socket's shutdown, also for TLS: it wakes a read blocked in another thread.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed
