"""Where a role or directive is, for warnings and nodes, when Sphinx has put it on the page from ``conf.py``.

Sphinx reads ``rst_prolog`` and ``rst_epilog`` as part of every page, but
names their lines ``<rst_prologue>`` and ``<rst_epilogue>``, files that do not
exist, so a warning at such a line would name no page.  Here it names the
page's own file, at the line the text has in the page as Sphinx reads it:
the prolog's lines come first, the epilog's after the page's last line.
"""

from __future__ import annotations

from typing import Any

PROLOG, EPILOG = "<rst_prologue>", "<rst_epilogue>"


def on_the_page(env: Any, source: str | None, line: int | None) -> tuple[str | None, int | None]:
    """``(source, line)`` of a role or directive, with prolog and epilog lines moved to the page they are on."""
    if source not in (PROLOG, EPILOG) or env is None or not getattr(env, "docname", ""):
        return source, line
    page = str(env.doc2path(env.docname))
    if source == PROLOG:
        return page, line
    try:
        with open(page, encoding="utf-8-sig", errors="replace") as handle:
            length = sum(1 for _ in handle)
    except OSError:
        return page, None
    return page, length + (line or 1)


class OnThePage:
    """For a SphinxRole or SphinxDirective: warnings and nodes from ``rst_prolog``/``rst_epilog`` name the page."""

    env: Any

    def get_source_info(self, *args: Any) -> tuple[str, int]:
        """Sphinx's source and line, moved to the page for text from the prolog or epilog."""
        source, line = super().get_source_info(*args)  # type: ignore[misc]
        return on_the_page(self.env, source, line)  # type: ignore[return-value]


