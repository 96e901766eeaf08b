"""GRADE directives: ``evidence-grade`` (one outcome) and ``certainty-table`` (a summary of findings).

The options of ``evidence-grade`` are documented in ``docs/reference/grade.rst``.
Every check runs here, at read time, so each warning points at the directive;
the node keeps only validated values for the renderers.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes

from sphinxext_evidence.directive import EvidenceDirective, option_spec
from sphinxext_evidence.domain import get_domain
from sphinxext_evidence.grade import absolute, levels, rules
from sphinxext_evidence.grade.estimate import Estimate, parse_estimate
from sphinxext_evidence.grade.judgement import judge
from sphinxext_evidence.grade.nodes import certainty_table, grade_card
from sphinxext_evidence.grade.statements import OUTCOME_TYPES, events_counted, is_time_to_event, plain_language
from sphinxext_evidence.identifiers import parse_pmid, pmid_key, split_ids
from sphinxext_evidence.text import slug

GRADE_BUCKET = "grade"
_TABLE_KEY = "evidence_certainty_table"

TEXT_FIELDS = ("intervention", "comparison", "relative", "absolute", "participants", "studies", "followup")
GRADE_OPTIONS = ("certainty", "effect", "outcome-type", *TEXT_FIELDS, "design", "source", "downgrade", "upgrade",
                 "baseline-risk", "statement", "importance")
TABLE_OPTIONS = ("population", "setting", "intervention", "comparison")
IMPORTANCE = ("critical", "important", "not-important")
LINE_LISTS = ("downgrade", "upgrade", "baseline-risk")
_COMPARING = r"(?:(?:as\s+)?compared\s+(?:to|with)|in\s+comparison\s+(?:to|with)|relative\s+to|versus|vs\.?|against)"
_COMPARED_RE = re.compile(rf"^(?:{_COMPARING}|comparison|comparator)\s*:?\s*", re.IGNORECASE)
# "against" and "relative to" are left alone inside an intervention ("Vaccination against influenza").
_NAMES_COMPARISON_RE = re.compile(r"^(.+?)\s+(?:versus|vs\.?|(?:as\s+)?compared\s+(?:to|with)|in\s+comparison\s+"
                                  r"(?:to|with))\s+(.+)$", re.IGNORECASE)


def comparator(text: str) -> str:
    """The comparison without a leading "compared with"/"versus", which the renderers add themselves."""
    text = " ".join(text.split())
    stripped = _COMPARED_RE.sub("", text)
    return stripped if stripped else text


def split_comparison(intervention: str, comparison: str) -> tuple[str, str, str | None]:
    """``Drug A versus placebo`` → ``Drug A`` and ``placebo``; the third item says why it was not split."""
    match = _NAMES_COMPARISON_RE.match(intervention)
    if not match:
        return intervention, comparison, None
    named = comparator(match.group(2))
    if len(match.group(1).split()) == 1 and len(named.split()) > 1:
        # "Early versus delayed surgery": one word against a longer phrase may share its noun, so the word
        # alone would not be the intervention; it is kept whole.
        if comparison:
            return intervention, comparison, (f":intervention: {intervention!r} may name its comparison, but "
                                              f"{match.group(1)!r} alone may not be the intervention; name only "
                                              f"the intervention, in full (as in '{match.group(1)} "
                                              f"{named.split()[-1]}')")
        return intervention, comparison, None
    if comparison and comparison.lower() != named.lower():
        return intervention, comparison, (f":intervention: {intervention!r} names a comparison ({named!r}) other "
                                          f"than :comparison: {comparison!r}; name only the intervention")
    return match.group(1), comparison or named, None


def parse_importance(text: str) -> str | None:
    """``critical``, ``important`` or ``not-important`` (spaces or hyphens), else None."""
    value = levels.norm(text)
    return value if value in IMPORTANCE else None


class EvidenceGradeDirective(EvidenceDirective):
    """``.. evidence-grade:: All-cause death`` with ``:certainty:``, ``:effect:`` and friends."""

    optional_arguments = 1  # a missing outcome is warned about (see EvidenceDirective.argument)
    final_argument_whitespace = True
    has_content = True
    option_spec = option_spec(*GRADE_OPTIONS)

    def _choice(self, name: str, parse: Any, allowed: tuple[str, ...]) -> Any:
        value = " ".join((self.options.get(name) or "").split())
        if not value:
            return None
        result = parse(value)
        if result is None:
            self.warn(f"{self.name}: invalid :{name}: {value!r} (allowed: {', '.join(allowed)})", "invalid-option")
        return result

    def run(self) -> list[nodes.Node]:
        """Validate, check the grade against its numbers and design, note it for the index, leave a card."""
        self.check_options()
        found = self.argument("All-cause death")
        if found is None:
            return []
        outcome = found
        table = self.env.temp_data.get(_TABLE_KEY) or {}
        # Lists keep their line breaks: each line of :downgrade:, :upgrade: or :baseline-risk: may be an entry.
        opts = {k: " ".join((v or "").split()) for k, v in self.options.items() if k not in LINE_LISTS}
        if not opts.get("certainty"):
            self.warn(f"{self.name}: {outcome!r} needs :certainty: (one of {', '.join(levels.CERTAINTY_NAMES)}); "
                      "the grade is not shown", "missing-option")
            return []
        certainty = self._choice("certainty", levels.parse_certainty, levels.CERTAINTY_NAMES)
        effect = self._choice("effect", levels.parse_effect, levels.EFFECTS)
        declared_type = self._choice("outcome-type", lambda v: levels.norm(v) if levels.norm(v) in OUTCOME_TYPES
                                     else None, OUTCOME_TYPES)
        importance = self._choice("importance", parse_importance, IMPORTANCE)
        if certainty is None:
            return []
        fields = {name: opts.get(name) or table.get(name, "") for name in TEXT_FIELDS}
        fields["comparison"] = comparator(fields["comparison"])
        fields["intervention"], fields["comparison"], problem = split_comparison(fields["intervention"],
                                                                                 fields["comparison"])
        if problem:
            self.warn(f"{self.name} {outcome!r}: {problem}", "invalid-option")
        design = self._design(opts)
        ratings = self._ratings()
        estimate = self._estimate(fields["relative"], outcome)
        keys = self._sources(opts.get("source", ""))
        for name in (*TEXT_FIELDS, "source", "statement", *LINE_LISTS):
            if name in self.options and not (self.options[name] or "").strip():
                self.warn(f"{self.name}: option :{name}: is empty; give it a value or leave it out", "empty")

        problem = rules.consistency_problem(certainty, design, ratings)
        if problem:
            self.warn(f"{self.name} {outcome!r}: {problem}", "grade-inconsistent")
        for message in rules.unexplained(ratings):
            self.warn(f"{self.name} {outcome!r}: {message}", "grade-reason")
        problem = rules.effect_problem(certainty, effect)
        if problem:
            self.warn(f"{self.name} {outcome!r}: {problem}", "grade-effect")
        judgement = judge(outcome, certainty, effect, declared_type, estimate, ratings, fields["intervention"])
        for subtype, message in judgement.problems:
            self.warn(f"{self.name} {outcome!r}: {message}", subtype)
        if effect is None and not judgement.derived and certainty is not levels.Certainty.VERY_LOW \
                and estimate is None:
            self.warn(f"{self.name}: {outcome!r} has no :effect: (one of {', '.join(levels.EFFECTS)}) and no "
                      ":relative: estimate to read it from, so no plain-language sentence is shown", "missing-option")

        sentence = "" if judgement.contradicted else plain_language(
            certainty, judgement.effect or judgement.sentence_effect, fields["intervention"], outcome,
            judgement.outcome_type, judgement.increase)
        if opts.get("statement") and not judgement.contradicted:
            sentence = opts["statement"]
        anchor = f"evidence-grade-{slug(self.env.docname, 'index')}-{self.env.new_serialno('evidence-grade') + 1}"
        risks = self._risks((self.options.get("baseline-risk") or "").strip(), estimate, fields, outcome)
        data = {
            "outcome": outcome,
            "certainty": certainty.slug,
            "effect": judgement.effect or "",
            "effect_derived": judgement.derived,
            "outcome_type": judgement.outcome_type or "",
            "design": design or "",
            **fields,
            "ratings": [r.as_tuple() for r in ratings],
            "sentence": sentence,
            "author_statement": bool(opts.get("statement")) and not judgement.contradicted,
            "risks": risks,
            "importance": importance or "",
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
            "outcome": outcome, "certainty": certainty.slug, "effect": judgement.effect or "",
            "intervention": fields["intervention"], "comparison": fields["comparison"],
            "importance": importance or "", "anchor": anchor, "line": self.lineno, "sources": list(keys),
            "contradicted": judgement.contradicted,
        })
        return [node]

    def _design(self, opts: dict[str, str]) -> str | None:
        """The design from ``:design:`` or ``:studies:``; a mix is named and left to the author."""
        design = rules.parse_design(opts["design"]) if opts.get("design") else None
        if opts.get("design") and design is None:
            self.warn(f"{self.name}: :design: {opts['design']!r} names no study design that can be read, so the "
                      "certainty is not checked against it; write 'randomised' or 'non-randomised' (or "
                      "'non-randomised (ROBINS-I)')", "invalid-option")
        if design is None and not opts.get("design"):
            design = rules.infer_design(opts.get("studies", ""))
        if design == rules.MIXED:
            self.warn(f"{self.name}: :studies: {opts.get('studies', '')!r} mixes randomised and non-randomised "
                      "studies, which start at different certainty; say which body of evidence the grade rests on "
                      "with :design: randomised or :design: non-randomised", "grade-design")
        return design

    def _ratings(self) -> list[rules.Rating]:
        found: list[rules.Rating] = []
        for kind in ("downgrade", "upgrade"):
            if kind in self.options:
                parsed = rules.parse_ratings(self.options[kind] or "", kind)
                for text in parsed.problems:
                    self.warn(f"{self.name}: {text}", "invalid-option")
                found.extend(parsed.ratings)
        return found

    def _estimate(self, text: str, outcome: str) -> Estimate | None:
        if not text:
            return None
        estimate, problem = parse_estimate(text)
        if problem:
            self.warn(f"{self.name} {outcome!r}: :relative: {problem} (until then the effect is not checked "
                      "against it)", "invalid-option")
        return estimate

    def _sources(self, text: str) -> list[str]:
        keys: list[str] = []
        for raw in split_ids(text):
            pmid = parse_pmid(raw)
            if pmid is None:
                self.warn(f"{self.name}: invalid PMID {raw!r} in :source: (1 to 9 digits); it is not cited",
                          "invalid-pmid")
            elif pmid_key(pmid) not in keys:
                keys.append(pmid_key(pmid))
        return keys

    def _risks(self, text: str, estimate: Estimate | None, fields: dict[str, str],
               outcome: str) -> list[dict[str, str]]:
        """Anticipated absolute effects per 1,000 for each baseline risk, as text for the renderers."""
        if not text:
            return []
        where = f"{self.name} {outcome!r}: :baseline-risk:"
        baselines, problems = absolute.parse_baseline(text)
        for problem in problems:
            self.warn(f"{where} {problem}", "invalid-option")
        if estimate is None or not estimate.is_ratio or estimate.low is None or estimate.high is None:
            self.warn(f"{where} needs a ratio with its confidence interval in :relative: (RR, OR or HR, as in "
                      "'RR 0.75 (0.60 to 0.90)'); no absolute effect is computed", "invalid-option")
            return []
        if fields["absolute"]:
            self.warn(f"{self.name} {outcome!r}: both :absolute: and :baseline-risk: are given; the computed absolute "
                      "effect is shown and :absolute: is ignored; drop one of them", "invalid-option")
            fields["absolute"] = ""
        # A hazard ratio of a time-to-event outcome counts events, not people surviving or free of the event.
        events = events_counted(outcome) if estimate.measure == "HR" and is_time_to_event(outcome) else ""
        rows = []
        for baseline in baselines:
            too_high = absolute.ratio_problem(estimate.measure, max(estimate.value, estimate.high), baseline.per_1000)
            if too_high:
                self.warn(f"{where} {too_high}; no absolute effect is shown for this baseline. Give an odds ratio, "
                          "or drop the baseline and give the review's absolute effect in :absolute:", "invalid-option")
                rows.append({"label": baseline.label, "comparator": f"{baseline.per_1000:,.4g} per 1,000",
                             "intervention": "not computed",
                             "difference": f"Not computed: {estimate.written} cannot be applied to this risk"})
                continue
            effect = absolute.absolute_effect(estimate.measure, estimate.value, estimate.low, estimate.high, baseline)
            counted = f" {events}" if events else ""
            rows.append({"label": baseline.label, "comparator": f"{effect.baseline:,}{counted} per {effect.per:,}",
                         "intervention": absolute.describe_risk(effect, events),
                         "difference": absolute.describe_difference(effect, events)})
        return rows


class CertaintyTableDirective(EvidenceDirective):
    """``.. certainty-table:: Title`` holding ``evidence-grade`` directives: a summary-of-findings table."""

    optional_arguments = 1  # a missing title is warned about and replaced
    final_argument_whitespace = True
    has_content = True
    option_spec = option_spec(*TABLE_OPTIONS)

    def run(self) -> list[nodes.Node]:
        """Parse the body with the table's intervention and comparison inherited by its grades."""
        self.check_options()
        title = " ".join(self.arguments[0].split()) if self.arguments else ""
        if not title:
            title = "Summary of findings"
            self.warn(f"{self.name}: the title is missing, as in '.. {self.name}:: Drug X compared with placebo'; "
                      f"the table is titled {title!r}", "empty")
        info = {name: " ".join((self.options.get(name) or "").split()) for name in TABLE_OPTIONS}
        info["comparison"] = comparator(info["comparison"])
        info["intervention"], info["comparison"], problem = split_comparison(info["intervention"], info["comparison"])
        if problem:
            self.warn(f"{self.name}: {problem}", "invalid-option")
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
