"""Helpers for tests that build Sphinx projects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.testing.util import SphinxTestApp


def warnings(app: SphinxTestApp) -> str:
    """The build's warnings without ANSI colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())


def read(app: SphinxTestApp, name: str) -> str:
    """A file from the build's output directory."""
    return Path(app.outdir, name).read_text(encoding="utf-8")


def build_with(make_app: Any, src: Path, builder: str = "html", *, eutils: Any = None, crossref: Any = None,
               retries: int | None = None, **conf: Any) -> SphinxTestApp:
    """A fresh build of ``src`` with the given service doubles as the services, and fast, short retries."""
    if crossref is not None:
        conf.setdefault("evidence_crossref_url", crossref.base_url)
    if eutils is not None:
        conf.setdefault("evidence_eutils_url", eutils.base_url)
        conf.setdefault("evidence_crossref_url", eutils.server.url)  # its server answers Crossref too
    if retries is not None:
        conf.setdefault("evidence_http_retries", retries)
    conf.setdefault("evidence_http_backoff", 0.01)
    conf.setdefault("evidence_http_timeout", 2)
    app = make_app(builder, srcdir=src, confoverrides=conf, freshenv=True)
    app.build()
    return app


def build_example_site(workdir: Path) -> Path:
    """Build a copy of ``example_site/`` offline (from its lockfile) in ``workdir``; return the HTML folder."""
    import shutil

    root = Path(__file__).resolve().parent.parent
    src = workdir / "site"
    shutil.copytree(root / "example_site", src, ignore=shutil.ignore_patterns("_build"))
    app = SphinxTestApp("html", srcdir=src, confoverrides={"evidence_offline": True})
    try:
        app.build()
    finally:
        app.cleanup()
    return Path(app.outdir)


def strings(value: Any) -> list[str]:
    """Every string in a record (keys included), at any depth."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(k) + strings(v)]
    return [s for v in value for s in strings(v)] if isinstance(value, (list, tuple)) else []


#: How late a loopback server's thread may record a request's arrival on a busy machine (0.16 s was seen in CI).
SCHEDULING_SLACK = 0.2


def assert_paced(times: list[float], interval: float, slack: float = SCHEDULING_SLACK) -> None:
    """Requests recorded at ``times`` were sent at least ``interval`` apart, allowing for when the server ran.

    The server stamps a request when its thread gets to it, so one gap can look
    shorter and the next longer than the client made them; the span of all of
    them still shows the pace.  A client that did not wait sends them within
    milliseconds, far inside the slack.
    """
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps and min(gaps) >= interval - slack, gaps
    assert times[-1] - times[0] >= len(gaps) * interval - slack, gaps
