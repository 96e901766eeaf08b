"""The extension's static files (one CSS file, one small script), served by HTML builders."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

STATIC = Path(__file__).parent / "static"


def add_static_path(app: Sphinx) -> None:
    """``builder-inited``: let HTML builders copy ``static/`` into ``_static``."""
    if hasattr(app.config, "html_static_path") and str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))
