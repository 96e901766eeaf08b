"""A polite HTTP session shared by the service clients.

Every request waits its turn (a minimum interval between requests) and has a
timeout; 429 and 5xx answers, timeouts and dropped connections are retried
with exponential back-off, honouring ``Retry-After``.  The build's network
:class:`~sphinxext_evidence.sources.base.Budget` bounds it all: nothing starts
after the deadline, no wait or timeout runs past it, a watchdog
(:mod:`~sphinxext_evidence.sources.http_watchdog`) ends a request still
running when it passes, and a connection that cannot be made (no DNS,
refused, unreachable) marks the network as gone after one quick retry.
Bodies are streamed and capped in size.  Redirects are followed only within
the origin asked (scheme, host and port, read as the request is sent), and
never to an address with backslashes, spaces, odd characters or a user name,
so API keys and contact addresses never travel anywhere else.  Error messages
are scrubbed of API keys.
"""

from __future__ import annotations

import email.utils
import io
import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions

from sphinxext_evidence import __version__
from sphinxext_evidence.sources.base import MAX_INTERVAL, Budget, HttpSettings, NetworkDown, ServiceError, Skipped
from sphinxext_evidence.sources.http_watchdog import Watchdog, WatchedAdapter

__all__ = ["HttpSettings", "PoliteSession", "ServiceError"]

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_REDIRECTS = 5
#: Longest wait for a connection to open (the read timeout may be longer).
CONNECT_TIMEOUT = 10.0
#: Longest back-off between two tries (as urllib3's default), and the longest ``Retry-After`` waited for.
BACKOFF_MAX = 120.0
CHUNK_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

_KEY_IN_URL = re.compile(r"(api_key=)[^&\s'\"]+")


class _ScrubKeys(logging.Filter):
    """Redact ``api_key=...`` in urllib3's own log records (its retry messages quote the URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record``'s message without the key; always keep the record."""
        if record.args:
            record.msg = _KEY_IN_URL.sub(r"\1***", record.getMessage())
            record.args = ()
        return True


for _name in ("urllib3.connectionpool", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(_ScrubKeys())


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` a request to ``url`` connects to, with the scheme's default port filled in.

    The URL is read as requests prepares it for sending (with urllib3's
    parser), not as :func:`urllib.parse.urlsplit` reads it: the two disagree
    on addresses such as ``http://a\\@b/``.  An unreadable URL has no origin.
    """
    try:
        parts = urlsplit(requests.Request("GET", url).prepare().url or "")
        port = parts.port
    except (requests.RequestException, ValueError):
        return "", "", None
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


def odd_location(location: str) -> str:
    """Why a redirect's ``Location`` is not followed whatever its origin (``""`` when it is a plain address).

    Backslashes, spaces, control and non-ASCII characters, and user names
    before an ``@`` are read differently by different URL parsers (and
    browsers), so such an address may lead elsewhere than it seems to.
    """
    if not location:
        return "no address"
    if "\\" in location:
        return "a backslash"
    if any(not "!" <= c <= "~" for c in location):
        return "spaces, control or non-ASCII characters"
    if "@" in urlsplit(location).netloc:
        return "a user name"
    return ""


def check_url(url: str) -> None:
    """Raise :class:`ServiceError` unless ``url`` is an http(s) URL with a host."""
    scheme, host, _ = origin(url)
    if scheme not in ("http", "https") or not host:
        raise ServiceError(f"not fetched: only http:// and https:// URLs are used, not {url.split('?')[0]!r}")


def backoff(settings: HttpSettings, failures: int) -> float:
    """The wait after ``failures`` failed tries in a row: none after the first, then doubling."""
    if failures <= 1:
        return 0.0
    return float(min(settings.backoff * 2 ** (failures - 1), BACKOFF_MAX))


def retry_after(response: requests.Response) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (None when absent or unreadable)."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(exc: BaseException) -> BaseException | None:
    """The urllib3 error behind a requests exception (a MaxRetryError's reason, when there is one)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
    return getattr(inner, "reason", inner)


def unreachable(exc: requests.RequestException) -> tuple[str, bool]:
    """Why no connection could be made, if that is what ``exc`` means (else ``""``), and whether it failed fast.

    A refused connection or a name that does not resolve fails at once, so one
    more try costs nothing; a connection that timed out has waited already.
    """
    if isinstance(exc, requests.exceptions.SSLError):
        return "", False
    if isinstance(exc, requests.ConnectTimeout):
        return "no answer to the connection", False
    reason = _reason(exc)
    resolution = getattr(urllib3.exceptions, "NameResolutionError", ())
    if resolution and isinstance(reason, resolution):
        return "the host name does not resolve", True
    if isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ProxyError)):
        text = str(reason)
        return (text.split("connection: ", 1)[-1] if "connection: " in text else text), True
    return "", False


class _DotSegmentsStayEncoded(WatchedAdapter):
    """Sends ``.`` and ``..`` path segments percent-encoded.

    requests decodes the ``%2E`` that :func:`~sphinxext_evidence.sources.base.path_segment`
    puts in an identifier's dot segments after it has resolved the path, so a
    server or proxy on the way would resolve them.  Encoded again here, they
    stay part of the identifier.
    """

    def request_url(self, request: requests.PreparedRequest, proxies: Any) -> str:
        """The URL sent, with dot segments encoded."""
        url = super().request_url(request, proxies)
        start = 0 if url.startswith("/") else url.find("/", url.find("//") + 2)
        if start < 0:
            return url
        path, mark, query = url[start:].partition("?")
        segments = ("%2E" * len(s) if s in (".", "..") else s for s in path.split("/"))
        return url[:start] + "/".join(segments) + mark + query


class _NoRedirects(requests.Session):
    """A session that does not even prepare the next request of a redirect (whose address may not parse)."""

    def resolve_redirects(self, *args: Any, **kwargs: Any) -> Iterator[Any]:  # requests calls it
        """Nothing: :meth:`PoliteSession.request` checks and follows redirects itself."""
        return iter(())


class PoliteSession:
    """A ``requests`` session with retries, back-off, timeouts, a rate cap, a size cap and safe redirects."""

    def __init__(self, settings: HttpSettings, secrets: tuple[str, ...] = ()) -> None:
        self.settings = settings
        self.budget = settings.budget or Budget()
        self.secrets = tuple(s for s in secrets if s)
        self._last = 0.0
        self._lock = threading.Lock()
        # The adapters retry nothing and follow no redirect themselves: the loop in request() does both.
        self.session = _NoRedirects()
        self.session.headers["User-Agent"] = f"sphinxext-evidence/{__version__}"
        self._watchdog = Watchdog(self.budget)
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _DotSegmentsStayEncoded())

    def _wait_turn(self) -> None:
        """Wait out the interval since the last request (at most :data:`MAX_INTERVAL`, never past the deadline)."""
        with self._lock:
            delay = min(self._last + self.settings.min_interval - time.monotonic(), MAX_INTERVAL)
            left = self.budget.left()
            if delay > 0:
                time.sleep(delay if left is None else min(delay, left))
            self.budget.check()  # a turn that would come after the deadline does not come
            self._last = time.monotonic()

    def _timeouts(self) -> tuple[float, float]:
        """``(connect, read)`` timeouts, neither running past the deadline."""
        read = self.settings.timeout
        left = self.budget.left()
        if left is not None:
            read = min(read, round(max(left, 0.01), 2))
        return min(CONNECT_TIMEOUT, read), read

    def _pause(self, delay: float, failure: str) -> None:
        """Wait ``delay`` seconds before the next try, or fail with ``failure`` if the deadline comes first."""
        if delay > BACKOFF_MAX:
            raise ServiceError(f"{failure}; not tried again: the server asks for a wait of {delay:.0f} s, "
                               f"more than the {BACKOFF_MAX:g} s waited at most")
        left = self.budget.left()
        if left is not None and delay >= left:
            deadline = f"the network deadline (evidence_network_deadline = {self.budget.seconds:g} s)"
            why = (f"the {delay:g} s wait before the next try is more than the {left:.0f} s left of {deadline}"
                   if delay else f"{deadline} has passed")
            raise ServiceError(f"{failure}; not tried again: {why}")
        if delay > 0:
            time.sleep(delay)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send one request (retried and redirected as configured); raise :class:`ServiceError` on failure."""
        check_url(url)
        self.budget.check()
        with self._watchdog:
            return self._send(method, url, kwargs)

    def _send(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        """The tries of :meth:`request`, while the watchdog keeps the deadline."""
        failures = redirects = 0
        while True:
            self._wait_turn()
            try:
                response = self.session.request(method, url, timeout=self._timeouts(), stream=True,
                                                allow_redirects=False, **kwargs)
            except requests.RequestException as exc:
                if self._watchdog.fired:
                    raise self._cut_short() from None
                message = self._describe(exc, method, url, kwargs.get("params"))
                why, fast = unreachable(exc)
                if why:
                    if not fast or failures or self.settings.retries < 1 or self.budget.over():
                        _, host, port = origin(url)
                        self.budget.unreachable = self.scrub(f"cannot connect to {host}:{port}: {why}")
                        raise NetworkDown(message) from None
                    failures += 1  # one quick retry, no back-off
                    continue
                retryable = isinstance(exc, (requests.ConnectionError, requests.Timeout)) and not isinstance(
                    exc, requests.exceptions.SSLError)
                if not retryable or failures >= self.settings.retries:
                    raise ServiceError(message) from None
                failures += 1
                self._pause(backoff(self.settings, failures), message)
                continue
            if self._watchdog.fired:  # what came before the cut may read as headers and an empty body
                response.close()
                raise self._cut_short()
            if response.status_code in RETRY_STATUSES and failures < self.settings.retries:
                failures += 1
                status = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
                response.close()
                asked = retry_after(response)
                self._pause(backoff(self.settings, failures) if asked is None else asked, status)
                continue
            if response.is_redirect:
                method, url, kwargs = self._redirect(response, method, url, kwargs, redirects)
                redirects += 1
                if self.budget.over():
                    raise ServiceError("redirected, but the network deadline passed before the new request")
                continue
            self._read_body(response)
            return response

    def _redirect(self, response: requests.Response, method: str, url: str, kwargs: dict[str, Any],
                  redirects: int) -> tuple[str, str, dict[str, Any]]:
        """The request to send for a redirect, which must stay within the origin of ``url``."""
        status = response.status_code
        response.close()
        location = response.headers.get("Location", "")
        odd = odd_location(location)
        target = "" if odd else urljoin(url, location)
        if odd or origin(target) != origin(url):
            scheme, host, port = origin(target)
            where = f"an address with {odd} ({location[:200]!r})" if odd else f"{scheme}://{host}:{port}/"
            raise ServiceError(self.scrub(
                f"HTTP {status}: redirected to {where}, which is not followed: requests carry API keys and "
                f"contact addresses only to the address configured; if the service moved, set its "
                f"evidence_*_url to the new address"))
        if redirects >= MAX_REDIRECTS:
            raise ServiceError(f"HTTP {status}: more than {MAX_REDIRECTS} redirects")
        kwargs = {k: v for k, v in kwargs.items() if k != "params"}  # the new address carries its own query
        if status == 303 or (status in (301, 302) and method == "POST"):
            method = "GET"
            kwargs.pop("data", None)
            kwargs.pop("json", None)
        return method, target, kwargs

    def _read_body(self, response: requests.Response) -> None:
        """Read the body in chunks (so the deadline is checked while it arrives) up to the size cap."""
        cap = self.settings.max_body
        length = (response.headers.get("Content-Length") or "").strip()
        if length.isdigit() and int(length) > cap:
            response.close()
            raise ServiceError(f"the answer is too large ({int(length):,} bytes; at most {cap:,} are read)")
        raw = response.raw
        read = getattr(raw, "read1", None) or raw.read  # read1: at most one read from the socket
        body = bytearray()
        try:
            while True:
                if self.budget.over() or self._watchdog.fired:
                    raise self._cut_short(len(body))
                chunk = read(CHUNK_BYTES, decode_content=True)
                if not chunk:
                    break
                body += chunk
                if len(body) > cap:
                    raise ServiceError(f"the answer is too large (more than {cap:,} bytes)")
            if self._watchdog.fired:  # the end may have been the watchdog's
                raise self._cut_short(len(body))
        except ServiceError:
            response.close()
            raise
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            response.close()
            if self._watchdog.fired:
                raise self._cut_short(len(body)) from None
            raise ServiceError(self.scrub(f"{type(exc).__name__} while reading the answer: {exc}")) from None
        release = getattr(raw, "release_conn", None)
        if release is not None:
            release()
        response.raw = io.BytesIO(bytes(body))  # what response.content reads

    def _cut_short(self, received: int | None = None) -> ServiceError:
        """An answer the network deadline cut short (after ``received`` bytes of its body).

        Its identifiers were skipped, not refused: the next build asks for them again at once.
        """
        so_far = "" if received is None else f" ({received:,} bytes so far)"
        return Skipped(f"the network deadline of {self.budget.seconds:g} s (evidence_network_deadline) "
                       f"passed while the answer was arriving{so_far}")

    def _describe(self, exc: Exception, method: str, url: str, params: Any) -> str:
        """The message of a failed try, naming the address asked (scrubbed)."""
        text = f"{type(exc).__name__}: {exc}"
        try:
            asked = requests.Request(method, url, params=params).prepare().path_url
        except requests.RequestException:
            asked = ""
        if asked and asked not in text:
            text += f" (url: {asked})"
        return self.scrub(text)

    def scrub(self, text: str) -> str:
        """Remove API keys from ``text`` before it is logged or shown."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _KEY_IN_URL.sub(r"\1***", text)

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()
