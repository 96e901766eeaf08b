"""A polite HTTP session shared by the service clients.

Retries with exponential back-off (urllib3's ``Retry``, which honours
``Retry-After``), a timeout on every request, a minimum interval between
requests, and error messages scrubbed of API keys.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from sphinxext_evidence import __version__
from sphinxext_evidence.sources.base import HttpSettings, ServiceError

__all__ = ["HttpSettings", "PoliteSession", "ServiceError"]

RETRY_STATUSES = (429, 500, 502, 503, 504)

_KEY_IN_URL = re.compile(r"(api_key=)[^&\s'\"]+")


class _ScrubKeys(logging.Filter):
    """Redact ``api_key=...`` in urllib3's own log records (its retry messages quote the URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = _KEY_IN_URL.sub(r"\1***", record.getMessage())
            record.args = ()
        return True


for _name in ("urllib3.connectionpool", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(_ScrubKeys())


class PoliteSession:
    """A ``requests`` session with retries, back-off, a timeout and a request-rate cap."""

    def __init__(self, settings: HttpSettings, secrets: tuple[str, ...] = ()) -> None:
        self.settings = settings
        self.secrets = tuple(s for s in secrets if s)
        self._last = 0.0
        self._lock = threading.Lock()
        retry = Retry(
            total=settings.retries,
            connect=settings.retries,
            read=settings.retries,
            status=settings.retries,
            backoff_factor=settings.backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,  # POST is safe to repeat here: every request is a read
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"sphinxext-evidence/{__version__}"
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _wait_turn(self) -> None:
        with self._lock:
            delay = self._last + self.settings.min_interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._last = time.monotonic()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send one request (retried as configured); raise :class:`ServiceError` on failure."""
        self._wait_turn()
        try:
            return self.session.request(method, url, timeout=self.settings.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ServiceError(self.scrub(f"{type(exc).__name__}: {exc}")) from None

    def scrub(self, text: str) -> str:
        """Remove API keys from ``text`` before it is logged or shown."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _KEY_IN_URL.sub(r"\1***", text)

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()
