"""The suite's guard: a test cannot open a connection to anything but loopback."""

from __future__ import annotations

import socket
import struct
import time

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


def test_a_client_hanging_up_leaves_no_traceback_on_stderr(fake_server, capsys):
    # urllib3 may reset a kept-alive connection after an error status; the
    # double must not print that as a traceback into the stderr a test reads.
    with socket.create_connection(("127.0.0.1", int(fake_server.url.rsplit(":", 1)[1].strip("/")))) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.recv(1024)
    time.sleep(0.3)  # the server notices the reset in its own thread
    assert requests.get(fake_server.url + "nothing", timeout=2).status_code == 404
    assert "Traceback" not in capsys.readouterr().err
