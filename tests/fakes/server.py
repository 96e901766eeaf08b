"""A small real HTTP server on loopback for tests that talk to web services.

Service doubles (E-utilities, openFDA, Crossref) register a handler per path;
a test can queue canned responses on a path (faults, delays, odd bodies,
bodies that trickle in byte by byte, redirects), which are served first, in
order, before the handler takes over again.  Every request is recorded with
its method, path, query, form body and arrival time.

For network faults below HTTP there are :class:`SilentListener` (a port that
takes connections and never answers) and :func:`closed_port_url` (a port that
refuses them).
"""

from __future__ import annotations

import collections
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

_CLIENT_WENT_AWAY = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that stays quiet when a client hangs up.

    A client may drop a kept-alive connection at any time (urllib3 does after
    an error status); the standard server prints that as a traceback on
    stderr, which tests that read the program's stderr would take for ours.
    """

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore a client hanging up; report anything else as usual."""
        if isinstance(sys.exc_info()[1], _CLIENT_WENT_AWAY):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass
class Canned:
    """One scripted response: status, headers, body and an optional delay before answering.

    ``trickle`` sends the body one byte at a time, that many seconds apart;
    ``length=False`` leaves out ``Content-Length`` (the body ends when the
    connection closes).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    delay: float = 0.0
    trickle: float = 0.0
    length: bool = True

    def payload(self) -> bytes:
        """The body as bytes (text is sent as UTF-8)."""
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class RecordedRequest:
    """A request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    time: float  # time.monotonic() on arrival

    def param(self, name: str) -> str | None:
        """First value of ``name`` from the form body, else from the query string."""
        values = self.form.get(name) or self.query.get(name)
        return values[0] if values else None

    def params(self) -> dict[str, str]:
        """Query and form parameters merged (first value each; form wins)."""
        merged = {k: v[0] for k, v in self.query.items() if v}
        merged.update({k: v[0] for k, v in self.form.items() if v})
        return merged


Handler = Callable[[RecordedRequest], Canned]


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 with per-path handlers and fault queues."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._handlers: dict[str, Handler] = {}
        #: Answers requests to paths without a handler (None: a plain 404).
        self.fallback: Handler | None = None
        self._queues: dict[str, collections.deque[Canned]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- set-up --------------------------------------------------------------

    def route(self, path: str, handler: Handler) -> None:
        """Answer requests to ``path`` (exact match, query string ignored) with ``handler``."""
        self._handlers[path] = handler

    def queue(self, path: str, *responses: Canned) -> None:
        """Serve ``responses`` in order to the next requests on ``path``, then the handler again."""
        with self._lock:
            self._queues[path].extend(responses)

    @property
    def url(self) -> str:
        """Base URL with a trailing slash, e.g. ``http://127.0.0.1:40123/``."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Recorded requests whose path is ``path``."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # -- life cycle ----------------------------------------------------------

    def start(self) -> FakeServer:
        """Bind to a free port on loopback and serve in a background thread."""
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._handle(self)

            do_POST = do_GET
            do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # keep pytest output clean

        self._httpd = LoopbackHTTPServer(("127.0.0.1", 0), RequestHandler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; delayed responses still in progress are abandoned."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- serving -------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        form: dict[str, list[str]] = {}
        if "application/x-www-form-urlencoded" in (request.headers.get("Content-Type") or ""):
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        recorded = RecordedRequest(
            method=request.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            form=form,
            headers={k: v for k, v in request.headers.items()},
            body=body,
            time=time.monotonic(),
        )
        with self._lock:
            self.requests.append(recorded)
            queue = self._queues.get(parts.path)
            canned = queue.popleft() if queue else None
        if canned is None:
            handler = self._handlers.get(parts.path, self.fallback)
            if handler is None:
                canned = Canned(404, {"Content-Type": "text/plain"}, b"not found")
            else:
                canned = handler(recorded)
        if canned.delay and self._stopping.wait(canned.delay):
            return
        payload = canned.payload()
        try:
            request.send_response(canned.status)
            headers = {"Content-Type": "text/plain; charset=UTF-8", **canned.headers}
            for name, value in headers.items():
                request.send_header(name, value)
            if canned.length:
                request.send_header("Content-Length", str(len(payload)))
            else:
                request.send_header("Connection", "close")
                request.close_connection = True
            request.end_headers()
            if request.command == "HEAD":
                return
            if not canned.trickle:
                request.wfile.write(payload)
                return
            for index in range(len(payload)):
                request.wfile.write(payload[index : index + 1])
                request.wfile.flush()
                if self._stopping.wait(canned.trickle):
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. after its timeout)


class SilentListener:
    """A loopback port that takes connections (the kernel completes them) and never reads or answers."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    @property
    def url(self) -> str:
        """Base URL with a trailing slash."""
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> SilentListener:
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        return self

    def __exit__(self, *exc: object) -> None:
        self._sock.close()


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
