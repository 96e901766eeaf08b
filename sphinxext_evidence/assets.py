"""The extension's static files (one CSS file, one small script), served by HTML builders."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

STATIC = Path(__file__).parent / "static"


def add_static_path(app: Sphinx, config: Config) -> None:
    """``config-inited``: let HTML builders copy ``static/`` into ``_static``.

    Done before the saved environment is compared with the configuration, so
    the added path does not count as a configuration change on every build.
    """
    paths = getattr(config, "html_static_path", None)
    if paths is not None and str(STATIC) not in paths:
        config.html_static_path = [*paths, str(STATIC)]


def setup(app: Sphinx) -> None:
    """Serve ``static/`` and load the stylesheet on every HTML page."""
    app.connect("config-inited", add_static_path)
    app.add_css_file("evidence.css")
