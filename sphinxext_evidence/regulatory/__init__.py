"""Regulatory status: the ``regulatory-status`` directive, checked against openFDA at build time."""

from __future__ import annotations

from sphinx.application import Sphinx

from sphinxext_evidence.regulatory.directive import RegulatoryStatusDirective, regulatory_status
from sphinxext_evidence.regulatory.render import render_regulatory_status
from sphinxext_evidence.resolve import register_renderer


def setup(app: Sphinx) -> None:
    """Register the directive and its renderer."""
    app.add_directive("regulatory-status", RegulatoryStatusDirective)
    register_renderer(app, regulatory_status, render_regulatory_status)
