"""Raw-socket loopback servers, for answers no HTTP server library would send.

A :class:`RawServer` accepts connections on a loopback address (127.0.0.2
serves as a second host), records everything each connection sends, and
hands every connection to a script: :func:`trickled_header` sends a header
one byte at a time, :func:`trickled_chunk_size` a chunk-size line that never
ends, and :func:`not_found` answers 404 (for a host that should never be
asked at all, whose :attr:`RawServer.received` a test checks is empty).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from types import TracebackType

Script = Callable[[socket.socket, threading.Event], None]


def _read_head(conn: socket.socket) -> bytes:
    """What the client sent up to the end of its request head (and any body bytes that came with it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def not_found(conn: socket.socket, stopping: threading.Event) -> None:
    """Answer ``404`` and close."""
    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def _trickled(opening: bytes, byte: bytes, every: float) -> Script:
    """``opening``, then ``byte`` every ``every`` seconds, never ending."""

    def script(conn: socket.socket, stopping: threading.Event) -> None:
        conn.sendall(opening)
        while not stopping.wait(every):
            conn.sendall(byte)

    return script


def trickled_header(every: float) -> Script:
    """A status line, then a header line that gains one byte every ``every`` seconds and never ends."""
    return _trickled(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a", every)


def trickled_chunk_size(every: float) -> Script:
    """A chunked answer whose first chunk-size line gains a ``0`` every ``every`` seconds and never ends."""
    return _trickled(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                     b"0", every)


class RawServer:
    """A loopback listener that runs ``script`` on every connection after reading its request head."""

    def __init__(self, script: Script = not_found, host: str = "127.0.0.1") -> None:
        self.script = script
        self.host = host
        #: What each connection sent before the script took over, in order of arrival.
        self.received: list[bytes] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._stopping = threading.Event()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """Base URL with a trailing slash."""
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}/"

    @property
    def netloc(self) -> str:
        """``host:port``."""
        host, port = self._sock.getsockname()[:2]
        return f"{host}:{port}"

    def __enter__(self) -> RawServer:
        self._sock.bind((self.host, 0))
        self._sock.listen(16)
        threading.Thread(target=self._accept, name="raw-http", daemon=True).start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stopping.set()
        self._sock.close()
        with self._lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            head = _read_head(conn)
            with self._lock:
                self.received.append(head)
            if head:
                self.script(conn, self._stopping)
        except OSError:
            pass  # the client hung up, or the server is stopping
