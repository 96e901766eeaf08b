"""sphinxext-evidence: evidence-based health writing for Sphinx."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def setup(app: Any) -> dict[str, Any]:
    """Wire the extension into Sphinx: shared stages first, then each feature."""
    from sphinxext_evidence import (
        article,
        assets,
        citations,
        config,
        domain,
        fetch,
        grade,
        html_text,
        latex,
        log,
        regulatory,
        resolve,
    )

    for part in (log, config, domain, fetch, resolve, html_text, latex, assets, citations, grade, regulatory, article):
        part.setup(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
