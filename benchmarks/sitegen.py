"""A synthetic evidence site, its complete lockfile, and twins of the same pages without the extension.

Every page cites ``cites`` works, numbered in order of first citation, from a
pool of ``pool`` works; together the pages cite every work of the pool.  Each
page also carries two ``evidence-grade`` cards, a ``certainty-table`` of two
outcomes, a ``regulatory-status`` table (its US row checked against an
openFDA record) and a ``bottom-line``.  Four projects are written:

``evidence``
    the extension's markup, built from a lockfile holding every record a
    build needs (PubMed, Crossref correction links, openFDA), so a build with
    the lockfile present asks the network for nothing;
``plain``
    what an author types by hand with no extension loaded: each citation as
    its label ``[3]``, the reference list as an enumerated list of the entry
    text, each grade as a paragraph;
``bibtex``
    sphinxcontrib-bibtex: ``:footcite:`` and ``.. footbibliography::`` with a
    ``.bib`` holding the same works, grades as paragraphs;
``markup``
    the markup floor: the ``evidence`` pages, read by directives and roles
    that parse the same options and do nothing else (``markup_floor.py``),
    so that what the markup itself costs can be told from the extension's work.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinxext_evidence.citations.styles import get_style
from sphinxext_evidence.records import lockfile
from sphinxext_evidence.records.model import Article

FIRST_PMID = 30000000
SURNAMES = ("Smith", "Nguyen", "Garcia", "Müller", "Kowalski", "Okafor", "Tanaka", "Rossi", "Andersen", "Silva",
            "Haddad", "Novak", "Fischer", "Kim", "Dubois", "Ivanova", "Patel", "O'Brien", "Larsen", "Costa")
GIVEN = ("Anna", "Ben", "Chen", "Dara", "Eva", "Femi", "Goran", "Hana", "Ines", "Jonas", "Kofi", "Lea")
JOURNALS = (("The Lancet", "Lancet"), ("BMJ (Clinical research ed.)", "BMJ"), ("Stroke", "Stroke"),
            ("The New England journal of medicine", "N Engl J Med"), ("JAMA", "JAMA"),
            ("The Cochrane database of systematic reviews", "Cochrane Database Syst Rev"))
TYPES = (("Journal Article", "Randomized Controlled Trial"), ("Journal Article", "Systematic Review"),
         ("Journal Article", "Multicenter Study", "Randomized Controlled Trial"), ("Journal Article",))
TOPICS = ("blood pressure", "stroke recovery", "cognitive decline", "weight loss", "sleep quality", "back pain",
          "migraine", "type 2 diabetes", "atrial fibrillation", "depression")
WORDS = ("randomised", "placebo", "pooled", "adults", "trial", "cohort", "estimate", "follow-up", "outcome",
         "dose", "harm", "benefit", "uncertain", "modest", "large")

# Grades whose certainty follows from their ratings and whose effect agrees with their numbers: no warnings.
GRADES = (
    {"outcome": "All-cause death", "certainty": "moderate", "effect": "little-or-no",
     "relative": "RR 0.96 (0.65 to 1.41)", "participants": "1689", "studies": "6 RCTs",
     "downgrade": "imprecision -1 wide confidence interval that includes benefit and harm"},
    {"outcome": "Serious adverse events", "certainty": "low", "effect": "little-or-no",
     "relative": "RR 1.02 (0.80 to 1.30)", "participants": "1320", "studies": "5 RCTs",
     "downgrade": "risk-of-bias -1 unclear allocation concealment; imprecision -1 few events"},
    {"outcome": "Quality of life", "certainty": "very-low", "effect": "uncertain", "outcome-type": "desirable",
     "participants": "410", "studies": "3 RCTs",
     "downgrade": "risk-of-bias -1 open label; inconsistency -1 trials disagree; imprecision -1 small trials"},
)
GRADE_KEYS = ("certainty", "effect", "outcome-type", "relative", "participants", "studies", "downgrade")


@dataclass(frozen=True)
class Spec:
    """The size of a synthetic site."""

    pages: int = 500
    cites: int = 20
    pool: int = 5000
    drugs: int = 100
    seed: int = 1

    @property
    def pmids(self) -> list[str]:
        """The pool's PMIDs."""
        return [str(FIRST_PMID + i) for i in range(self.pool)]


def doi_of(pmid: str) -> str:
    """The synthetic DOI of a work."""
    return f"10.5555/bench.{pmid}"


def drug(i: int) -> str:
    """The name of synthetic drug ``i``."""
    return f"Benchmab{i:03d}"


def make_records(spec: Spec, day: str) -> lockfile.Sections:
    """Every record the evidence twin needs, in the lockfile's shapes (CSL-JSON for PubMed)."""
    rng = random.Random(spec.seed)
    pubmed: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    for n, pmid in enumerate(spec.pmids):
        authors = [{"family": rng.choice(SURNAMES), "given": rng.choice(GIVEN)} for _ in range(rng.randint(1, 9))]
        journal, short = rng.choice(JOURNALS)
        year = 1995 + n % 30
        title = (f"Effect of {drug(n % spec.drugs)} on {rng.choice(TOPICS)} in adults: "
                 f"a {rng.choice(WORDS)} {rng.choice(WORDS)} study of {100 + n % 900} participants")
        if n % 7 == 0:
            title = title.replace(drug(n % spec.drugs), f"<i>{drug(n % spec.drugs)}</i>")
        pubmed[pmid] = {
            "id": f"pmid:{pmid}", "type": "article-journal", "title": title + ".", "author": authors,
            "container-title": journal, "container-title-short": short, "ISSN": "0140-6736",
            "issued": {"date-parts": [[year, 1 + n % 12]]}, "volume": str(10 + n % 300), "issue": str(1 + n % 12),
            "page": f"{100 + n % 800}-{110 + n % 800}", "PMID": pmid, "DOI": doi_of(pmid), "language": "en",
            "custom": {"fetched": day, "initials": [a["given"][0] for a in authors],
                       "publication-types": list(TYPES[n % len(TYPES)]), "source": "pubmed"},
        }
        updates[doi_of(pmid).lower()] = {"checked": day, "in-crossref": True, "notices": []}
    fda = {drug(i).lower(): {"name": drug(i).lower(), "checked": day, "data_updated": day, "total": 1,
                             "applications": [{"application_number": f"NDA{200000 + i}", "sponsor": "Bench Ltd",
                                               "brand_names": [drug(i).upper()], "approved": "2015-06-01",
                                               "marketing_status": ["Prescription"]}]}
           for i in range(spec.drugs)}
    return {"pubmed": pubmed, "crossref-updates": updates, "openfda": fda}


def plan(spec: Spec) -> list[list[str]]:
    """The works each page cites, in order: ``cites`` distinct works per page, the pages covering the pool."""
    rng = random.Random(spec.seed)

    def stream() -> Iterator[str]:
        while True:
            order = spec.pmids
            rng.shuffle(order)
            yield from order

    source, waiting, pages = stream(), [], []
    for _ in range(spec.pages):
        page: list[str] = []
        while len(page) < min(spec.cites, spec.pool):
            pmid = next((w for w in waiting if w not in page), None)
            if pmid is not None:
                waiting.remove(pmid)
            elif (pmid := next(source)) in page:
                waiting.append(pmid)  # cited on a later page instead
                continue
            page.append(pmid)
        pages.append(page)
    return pages


def _rst(text: str) -> str:
    """``text`` with reStructuredText's inline markup characters escaped."""
    for ch in "\\*`_|":
        text = text.replace(ch, "\\" + ch)
    return text


def entry_text(record: dict[str, Any]) -> str:
    """A reference-list entry as an author would paste it: the extension's entry text and identifiers."""
    article = Article.from_csl(record["id"], record)
    text = "".join(node.astext() for node in get_style().entry(article)).strip()
    ids = f"PMID {article.pmid}" + ("" if f"doi:{article.doi}" in text else f" · doi:{article.doi}")
    return f"{_rst(text)} {ids}"


@dataclass
class Twin:
    """How one project writes citations, grades and the other directives."""

    name: str

    def cite(self, pmid: str, number: int) -> str:
        """An inline citation."""
        return {"evidence": f":pmid:`{pmid}`", "plain": f"[{number}]", "bibtex": f":footcite:`pmid{pmid}`"}[self.name]

    def grade(self, grade: dict[str, str], source: str, number: int, indent: str = "") -> str:
        """One graded outcome: a card, or a paragraph."""
        if self.name == "evidence":
            lines = [f"{indent}.. evidence-grade:: {grade['outcome']}"]
            lines += [f"{indent}   :{k}: {grade[k]}" for k in GRADE_KEYS if k in grade]
            return "\n".join([*lines, f"{indent}   :source: {source}", ""]) + "\n"
        facts = "; ".join(f"{k}: {grade[k]}" for k in GRADE_KEYS if k in grade)
        return f"{indent}**{grade['outcome']}** — {facts} {self.cite(source, number)}\n\n"

    def table(self, title: str, rows: list[str]) -> str:
        """A summary of findings holding ``rows``."""
        if self.name == "evidence":
            return (f".. certainty-table:: {title}\n   :population: Adults\n   :intervention: {title.split()[0]}\n"
                    "   :comparison: Placebo\n\n" + "".join(rows))
        return f"*{title}*\n\n" + "".join(rows)

    def regulatory(self, substance: str, day: str) -> str:
        """Where regulators stand."""
        body = (f"   :US: approved — for {TOPICS[0]}\n   :EU: not-approved — not centrally authorised\n"
                "   :CN: approved\n")
        if self.name == "evidence":
            return f".. regulatory-status:: {substance}\n   :as-of: {day}\n\n{body}\n"
        return f"Regulatory status of {substance}, as of {day}:\n\n{body.replace('   ', '')}\n"

    def bottom_line(self, text: str) -> str:
        """The conclusion."""
        if self.name == "evidence":
            return f".. bottom-line::\n   :certainty: low\n\n   {text}\n\n"
        return f".. rubric:: The honest bottom line\n\nCertainty of the evidence: low. {text}\n\n"

    def references(self, entries: list[str]) -> str:
        """The page's reference list."""
        if self.name == "evidence":
            return ".. references::\n"
        if self.name == "bibtex":
            return ".. footbibliography::\n"
        return "".join(f"#. {e}\n" for e in entries)


def page_text(twin: Twin, p: int, works: list[str], sections: lockfile.Sections, spec: Spec, day: str) -> str:
    """The reStructuredText of page ``p``."""
    rng = random.Random(spec.seed * 100003 + p)
    number = {pmid: i + 1 for i, pmid in enumerate(works)}
    title = f"Page {p}: {TOPICS[p % len(TOPICS)]}"
    out = [f"{title}\n{'=' * len(title)}\n\n", f"What the trials say about {TOPICS[p % len(TOPICS)]}.\n\n",
           "Trials\n------\n\n"]
    for i in range(0, len(works), 2):
        pair = works[i:i + 2]
        words = " ".join(rng.choice(WORDS) for _ in range(18))
        cites = " and ".join(twin.cite(w, number[w]) for w in pair)
        out.append(f"Outcome {i // 2 + 1}: the {words} {cites}. The certainty was judged low.\n\n")
    substance = drug(p % spec.drugs)
    out.append("Grades\n------\n\n")
    out.append(twin.grade(GRADES[p % 3], works[0], 1))
    out.append(twin.grade(GRADES[(p + 1) % 3], works[-1], len(works)))
    rows = [twin.grade(GRADES[(p + k) % 3], works[k % len(works)], k % len(works) + 1, "   ") for k in (1, 2)]
    out.append(twin.table(f"{substance} compared with placebo", rows))
    out.append("Regulators\n----------\n\n" + twin.regulatory(substance, day))
    out.append(twin.bottom_line(f"{substance} has not been shown to help {twin.cite(works[0], 1)}."))
    entries = [entry_text(sections["pubmed"][w]) for w in works]
    out.append("References\n----------\n\n" + twin.references(entries))
    return "".join(out)


def bib_entry(record: dict[str, Any]) -> str:
    """A BibTeX ``@article`` for a CSL record."""
    authors = " and ".join(f"{a['family']}, {a['given']}" for a in record["author"])
    title = record["title"].replace("<i>", "\\textit{").replace("</i>", "}")
    return (f"@article{{pmid{record['PMID']},\n  author = {{{authors}}},\n  title = {{{title}}},\n"
            f"  journal = {{{record['container-title-short']}}},\n  year = {{{record['issued']['date-parts'][0][0]}}},\n"
            f"  volume = {{{record['volume']}}},\n  number = {{{record['issue']}}},\n"
            f"  pages = {{{record['page'].replace('-', '--')}}},\n  doi = {{{record['DOI']}}},\n}}\n")


CONF = {
    "evidence": "extensions = ['sphinxext_evidence']\nevidence_email = 'bench@example.org'\n",
    "plain": "extensions = []\n",
    "markup": "extensions = ['markup_floor']\n",
    "bibtex": "extensions = ['sphinxcontrib.bibtex']\nbibtex_bibfiles = ['works.bib']\n",
}


def write_twin(dest: Path, name: str, spec: Spec, pages: list[list[str]], sections: lockfile.Sections,
               day: str) -> Path:
    """Write one project into ``dest`` and return it."""
    dest.mkdir(parents=True, exist_ok=True)
    probe = f"import sys\nsys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\nextensions.append('bench_probe')\n"
    (dest / "conf.py").write_text(f"project = 'Benchmark'\n{CONF[name]}{probe}exclude_patterns = ['_build']\n")
    (dest / "index.rst").write_text("Benchmark\n=========\n\n.. toctree::\n   :glob:\n\n   p*\n")
    twin = Twin("evidence" if name == "markup" else name)  # the markup floor reads the extension's very pages
    for p, works in enumerate(pages):
        (dest / f"p{p:05d}.rst").write_text(page_text(twin, p, works, sections, spec, day), encoding="utf-8")
    if name == "bibtex":
        text = "".join(bib_entry(sections["pubmed"][pmid]) for pmid in spec.pmids)
        (dest / "works.bib").write_text(text, encoding="utf-8")
    if name == "evidence":
        (dest / "evidence.lock.json").write_text(lockfile.dumps(sections), encoding="utf-8")
    return dest


def generate(root: Path, spec: Spec, day: str, twins: tuple[str, ...] = ("evidence", "plain", "bibtex")) -> dict[str, Path]:
    """Write the requested twins of one synthetic site under ``root``."""
    sections = make_records(spec, day)
    pages = plan(spec)
    return {name: write_twin(root / name, name, spec, pages, sections, day) for name in twins}


def counts(spec: Spec) -> dict[str, int]:
    """What a build of the site should contain: citations, reference entries, grades and tables."""
    cited = {w for page in plan(spec) for w in page}
    per_page = min(spec.cites, spec.pool)
    return {"pages": spec.pages, "citations": spec.pages * per_page, "entries": spec.pages * per_page,
            "works_cited": len(cited), "grades": spec.pages * 4, "regulatory": spec.pages,
            "records": len(json.loads(lockfile.dumps(make_records(spec, "2000-01-01")))["pubmed"])}
