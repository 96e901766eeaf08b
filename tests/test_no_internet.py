"""The suite's guard: a test cannot open a connection to anything but loopback."""

from __future__ import annotations

import socket

import pytest
import requests


def test_internet_addresses_are_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(OSError, match="loopback"):
        sock.connect(("93.184.216.34", 80))


def test_real_service_urls_fail_before_leaving_the_machine():
    # Even if a test pointed a client at NCBI by mistake, the connection is refused locally.
    with pytest.raises(requests.ConnectionError):
        requests.get("http://130.14.29.110/entrez/eutils/einfo.fcgi", timeout=2)


def test_loopback_is_allowed(fake_server):
    assert requests.get(fake_server.url + "nothing", timeout=2).status_code == 404
