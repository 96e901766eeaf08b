"""A manual records file is untrusted input: a value YAML cannot build costs only its entry, never the build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import read, warnings

from sphinxext_evidence.sources.manual import read as read_file

GOOD = "- id: good\n  title: The good one\n  issued: 2023-06-14\n"
BAD_VALUES = [
    ("accessed: 2026-02-29", "'accessed' '2026-02-29' is not a date"),
    ("issued: 2023-02-30", "'issued' '2023-02-30' is not a date"),
    ("issued: 2023-13-45", "'issued' '2023-13-45' is not a date"),
    ("issued: 2023-01-01 25:00:00", "'issued' '2023-01-01 25:00:00' is not a date"),
    ("issued: !!timestamp 2023-02-30", "'issued' cannot be read"),
    ('volume: !!int "abc"', "'volume' cannot be read"),
    ('volume: !!float "abc"', "'volume' cannot be read"),
    ("volume: " + "1" * 5000, "'volume' cannot be read"),
    ("note: " + "[" * 3000 + "]" * 3000, "'note' is a list, not text"),
]


@pytest.mark.parametrize(("line", "expected"), BAD_VALUES)
def test_a_value_yaml_cannot_build_costs_only_its_field_or_entry(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text(f"{GOOD}- id: bad\n  title: The bad one\n  {line}\n", encoding="utf-8")
    found = read_file(path)
    assert found.records["good"]["issued"] == {"date-parts": [[2023, 6, 14]]}
    messages = [(p.line, p.message) for p in found.problems]
    assert len(messages) == 1 and messages[0][0] == 6, messages
    assert messages[0][1].startswith("entry 'bad'") and expected in messages[0][1], messages


def test_dates_and_times_stay_usable_and_a_date_may_be_an_id(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text("- id: 2023-02-30\n  title: An id that looks like a date\n"
                    "- id: 2023-06-14\n  title: Another\n  issued: 2023-06-14 10:30:00\n"
                    "  accessed: 2024-02-29T23:59:59Z\n", encoding="utf-8")
    found = read_file(path)
    assert found.problems == []
    assert sorted(found.records) == ["2023-02-30", "2023-06-14"]
    assert found.records["2023-06-14"]["issued"] == {"date-parts": [[2023, 6, 14]]}
    assert found.records["2023-06-14"]["accessed"] == {"date-parts": [[2024, 2, 29]]}


def test_an_unbuildable_key_in_the_mapping_form_is_named(tmp_path: Path) -> None:
    path = tmp_path / "refs.yaml"
    path.write_text('good:\n  title: Fine\n!!int "abc":\n  title: Not fine\n', encoding="utf-8")
    found = read_file(path)
    assert list(found.records) == ["good"]
    assert [p.line for p in found.problems] == [3] and "cannot be read" in found.problems[0].message


def test_the_build_warns_and_uses_the_other_entries(make_app, project) -> None:
    src = project("manual")
    yaml_file = src / "references.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text + "- id: broken-date\n  title: Broken\n  issued: 2023-02-30\n"
                         '- id: broken-int\n  title: Broken\n  volume: !!int "abc"\n'
                         "- id: too-deep\n  title: Deep\n  note: " + "[" * 3000 + "]" * 3000 + "\n",
                         encoding="utf-8")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    log = warnings(app)
    where = re.escape(str(yaml_file))
    assert re.search(rf"{where}:\d+: WARNING: entry 'broken-date': 'issued' '2023-02-30' is not a date.*"
                     r"\[evidence\.manual-record\]", log)
    assert re.search(rf"{where}:\d+: WARNING: entry 'broken-int': 'volume' cannot be read .*the entry is ignored "
                     r"\[evidence\.manual-record\]", log)
    assert re.search(rf"{where}:\d+: WARNING: entry 'too-deep': 'note' is a list, not text", log)
    assert "Exception" not in log and "Traceback" not in log
    assert "Example Health Agency" in read(app, "index.html")
