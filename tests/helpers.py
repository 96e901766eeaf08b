"""Helpers for tests that build Sphinx projects."""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.testing.util import SphinxTestApp


def warnings(app: SphinxTestApp) -> str:
    """The build's warnings without ANSI colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())


def read(app: SphinxTestApp, name: str) -> str:
    """A file from the build's output directory."""
    return Path(app.outdir, name).read_text(encoding="utf-8")
