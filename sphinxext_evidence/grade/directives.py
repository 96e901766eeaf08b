"""GRADE directives: ``evidence-grade``, ``certainty-table`` and ``evidence-index``.

``evidence-grade`` (argument: the outcome) options:

``:certainty:``   high, moderate, low, very-low (``very low`` accepted) — required
``:effect:``      large-benefit, benefit, small-benefit, little-or-no, small-harm, harm,
                  large-harm, uncertain (aliases: no-difference, slight-benefit, very-uncertain …)
``:outcome-type:`` undesirable (default: a benefit *reduces* it, e.g. death) or desirable
                  (a benefit *improves* it, e.g. cognitive function)
``:intervention:``, ``:comparison:`` (inherited from an enclosing ``certainty-table``)
``:relative:``    relative effect with CI, e.g. ``RR 0.96 (0.65 to 1.41)``
``:absolute:``    anticipated absolute effects, free text
``:participants:``, ``:studies:`` (e.g. ``1689`` and ``6 RCTs``), ``:followup:``
``:design:``      randomised or observational (else inferred from ``:studies:``); sets where
                  the certainty starts for the consistency check
``:source:``      one or more PMIDs, cited on the page like ``:pmid:``
``:downgrade:``   ``domain -1|-2 [reason]`` (risk-of-bias, inconsistency, indirectness,
                  imprecision, publication-bias), one per line or separated by ``;``
``:upgrade:``     ``domain +1|+2 [reason]`` (large-effect, dose-response, confounding)

The body is the author's comment.  Warnings (``evidence.<subtype>``):
``invalid-option`` (a value not in the allowed list), ``missing-option``,
``grade-inconsistent`` (certainty does not follow from design, downgrades and upgrades),
``grade-effect`` (a direction claimed on very-low certainty, or "uncertain" on higher),
``grade-retracted-source`` (at resolve time), ``invalid-pmid``, ``empty``.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

from sphinxext_evidence.directive import EvidenceDirective, option_spec
from sphinxext_evidence.domain import get_domain
from sphinxext_evidence.grade import rules as grade
from sphinxext_evidence.grade.nodes import certainty_table, grade_card
from sphinxext_evidence.identifiers import parse_pmid, pmid_key, split_ids
from sphinxext_evidence.text import slug

GRADE_BUCKET = "grade"
_TABLE_KEY = "evidence_certainty_table"

TEXT_FIELDS = ("intervention", "comparison", "relative", "absolute", "participants", "studies", "followup")
GRADE_OPTIONS = ("certainty", "effect", "outcome-type", *TEXT_FIELDS, "design", "source", "downgrade", "upgrade")
TABLE_OPTIONS = ("population", "setting", "intervention", "comparison")


class EvidenceGradeDirective(EvidenceDirective):
    """``.. evidence-grade:: All-cause death`` with ``:certainty:``, ``:effect:`` and friends."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = option_spec(*GRADE_OPTIONS)

    def _choice(self, name: str, value: str, parse: Any, allowed: tuple[str, ...]) -> Any:
        result = parse(value)
        if result is None:
            self.warn(f"{self.name}: invalid :{name}: {value.strip()!r} (allowed: {', '.join(allowed)})",
                      "invalid-option")
        return result

    def run(self) -> list[nodes.Node]:
        """Validate, check consistency, note the grade for the index, leave a :class:`grade_card`."""
        self.check_options()
        outcome = " ".join(self.arguments[0].split())
        table = self.env.temp_data.get(_TABLE_KEY) or {}
        opts = {k: " ".join((v or "").split()) for k, v in self.options.items() if k not in ("downgrade", "upgrade")}

        certainty_text = opts.get("certainty", "")
        if not certainty_text:
            self.warn(f"{self.name}: {outcome!r} needs :certainty: (one of {', '.join(grade.CERTAINTY_NAMES)}); "
                      "the grade is not shown", "missing-option")
            return []
        certainty = self._choice("certainty", certainty_text, grade.parse_certainty, grade.CERTAINTY_NAMES)
        effect = None
        if opts.get("effect"):
            effect = self._choice("effect", opts["effect"], grade.parse_effect, grade.EFFECTS)
        if certainty is None:
            return []
        if effect is None and certainty is not grade.Certainty.VERY_LOW and not opts.get("effect"):
            self.warn(f"{self.name}: {outcome!r} has no :effect: (one of {', '.join(grade.EFFECTS)}), so no "
                      "plain-language sentence is shown", "missing-option")
        outcome_type = "undesirable"
        if opts.get("outcome-type"):
            outcome_type = self._choice("outcome-type", opts["outcome-type"],
                                        lambda v: v if v in grade.OUTCOME_TYPES else None,
                                        grade.OUTCOME_TYPES) or "undesirable"
        design = None
        if opts.get("design"):
            design = self._choice("design", opts["design"], grade.parse_design, grade.DESIGNS)
        if design is None:
            design = grade.infer_design(opts.get("studies", ""))

        ratings: list[grade.Rating] = []
        for kind in ("downgrade", "upgrade"):
            if kind in self.options:
                parsed = grade.parse_ratings(self.options[kind] or "", kind)
                for text in parsed.problems:
                    self.warn(f"{self.name}: {text}", "invalid-option")
                ratings.extend(parsed.ratings)

        keys: list[str] = []
        for raw in split_ids(opts.get("source", "")):
            pmid = parse_pmid(raw)
            if pmid is None:
                self.warn(f"{self.name}: invalid PMID {raw!r} in :source: (1 to 9 digits); it is not cited",
                          "invalid-pmid")
            elif pmid_key(pmid) not in keys:
                keys.append(pmid_key(pmid))
        for name in TEXT_FIELDS + ("source",):
            if name in self.options and not opts.get(name):
                self.warn(f"{self.name}: option :{name}: is empty; give it a value or leave it out", "empty")

        problem = grade.consistency_problem(certainty, design, ratings)
        if problem:
            self.warn(f"{self.name} {outcome!r}: {problem}", "grade-inconsistent")
        problem = grade.effect_problem(certainty, effect)
        if problem:
            self.warn(f"{self.name} {outcome!r}: {problem}", "grade-effect")

        fields = {name: opts.get(name) or table.get(name, "") for name in TEXT_FIELDS}
        # Unique across the project (singlehtml and LaTeX put every page in one document).
        page = slug(self.env.docname, "index")
        anchor = f"evidence-grade-{page}-{self.env.new_serialno('evidence-grade') + 1}"
        data = {
            "outcome": outcome,
            "certainty": certainty.slug,
            "effect": effect or "",
            "outcome_type": outcome_type,
            "design": design or "",
            **fields,
            "ratings": [r.as_tuple() for r in ratings],
            "sentence": grade.plain_language(certainty, effect, fields["intervention"], outcome, outcome_type),
            "anchor": anchor,
            "table": table.get("title", ""),
        }
        node = self.place(grade_card(keys=keys, grade=data, anchor=anchor, in_table=bool(table)))
        body = nodes.container(classes=["evidence-grade-comment"])
        self.state.nested_parse(self.content, self.content_offset, body)
        node += body
        domain = get_domain(self.env)
        domain.note_citations(self.env.docname, keys)
        domain.note(self.env.docname, GRADE_BUCKET, {
            "outcome": outcome, "certainty": certainty.slug, "effect": effect or "",
            "intervention": fields["intervention"], "comparison": fields["comparison"],
            "anchor": anchor, "line": self.lineno, "sources": list(keys),
        })
        return [node]


class CertaintyTableDirective(EvidenceDirective):
    """``.. certainty-table:: Title`` holding ``evidence-grade`` directives: a summary-of-findings table."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = option_spec(*TABLE_OPTIONS)

    def run(self) -> list[nodes.Node]:
        """Parse the body with the table's intervention and comparison inherited by its grades."""
        self.check_options()
        title = " ".join(self.arguments[0].split())
        info = {name: " ".join((self.options.get(name) or "").split()) for name in TABLE_OPTIONS}
        node = self.place(certainty_table(title=title, **info))
        outer = self.env.temp_data.get(_TABLE_KEY)
        if outer:
            self.warn(f"{self.name}: tables cannot be nested (inside {outer['title']!r}); "
                      "this one is rendered on its own", "nested-table")
        self.env.temp_data[_TABLE_KEY] = {"title": title, **info}
        try:
            self.state.nested_parse(self.content, self.content_offset, node)
        finally:
            if outer:
                self.env.temp_data[_TABLE_KEY] = outer
            else:
                self.env.temp_data.pop(_TABLE_KEY, None)
        if not any(isinstance(child, grade_card) for child in node.children):
            self.warn(f"{self.name}: {title!r} has no evidence-grade rows; put '.. evidence-grade::' "
                      "directives in its body", "empty")
        return [node]
