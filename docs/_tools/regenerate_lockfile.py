"""Regenerate docs/evidence.lock.json without the internet, from recorded responses.

Run from the repository root:  .venv/bin/python docs/_tools/regenerate_lockfile.py

The loopback doubles of the test suite (tests/fakes) serve the recorded
E-utilities and openFDA responses in tests/fixtures plus the hand-written seed
records in example_site/fixtures/efetch_seed_pmids.xml; ``sphinx-evidence fetch``
then fills the lockfile exactly as it would from NCBI and the FDA.
``SOURCE_DATE_EPOCH`` fixes the "fetched"/"checked" dates to 2026-11-21.

The fetch runs twice: a page cites a paper by DOI as well as by PMID, and only
once the PubMed record (which carries the DOI) is in the lockfile does the
extension stop asking Crossref for that DOI.  Crossref itself is pointed at a
closed loopback port, so nothing ever leaves the machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from fakes.eutils import EUtilsDouble, split_records  # noqa: E402
from fakes.openfda import OpenFdaDouble  # noqa: E402
from fakes.server import FakeServer  # noqa: E402

SOURCE_DATE_EPOCH = "1795219200"  # 2026-11-21T00:00:00Z
SEED = ROOT / "example_site" / "fixtures" / "efetch_seed_pmids.xml"


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    """Serve the recordings on loopback and run ``sphinx-evidence fetch docs`` against them."""
    with FakeServer() as eutils_server, FakeServer() as openfda_server:
        eutils = EUtilsDouble(eutils_server)
        for element in split_records(SEED.read_bytes()).values():
            eutils.add_record(element)
        openfda = OpenFdaDouble(openfda_server)
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        env.pop("SPHINX_EVIDENCE_OFFLINE", None)
        env.pop("NCBI_API_KEY", None)
        env.pop("OPENFDA_API_KEY", None)
        command = [str(ROOT / ".venv" / "bin" / "sphinx-evidence"), "fetch", str(ROOT / "docs"),
                   "-D", f"evidence_eutils_url={eutils.base_url}",
                   "-D", f"evidence_openfda_url={openfda.base_url}",
                   "-D", f"evidence_crossref_url=http://127.0.0.1:{closed_port()}/",
                   "-D", "evidence_http_retries=0"]
        status = 0
        for attempt in (1, 2):
            status = subprocess.run(command, env=env, check=False).returncode
            print(f"pass {attempt}: exit {status}; efetch requests so far: {eutils.count}, "
                  f"openFDA requests so far: {openfda.count}", file=sys.stderr)
        return status


if __name__ == "__main__":
    sys.exit(main())
