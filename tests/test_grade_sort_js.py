"""The evidence index's sort script, run under Node.js against a minimal stand-in DOM."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "sphinxext_evidence" / "static" / "evidence-sort.js"

HARNESS = r"""
const fs = require("fs");
function el(tag, attrs) {
  const e = { tagName: tag, children: [], attrs: {}, className: (attrs && attrs.className) || "",
              textContent: (attrs && attrs.text) || "", handlers: {} };
  e.appendChild = (c) => { const i = e.children.indexOf(c); if (i >= 0) e.children.splice(i, 1);
                           if (c.parent && c.parent !== e) { const j = c.parent.children.indexOf(c);
                             if (j >= 0) c.parent.children.splice(j, 1); }
                           c.parent = e; e.children.push(c); return c; };
  Object.defineProperty(e, "firstChild", { get: () => e.children[0] || null });
  e.setAttribute = (k, v) => { e.attrs[k] = v; };
  e.getAttribute = (k) => (k in e.attrs ? e.attrs[k] : null);
  e.removeAttribute = (k) => { delete e.attrs[k]; };
  e.addEventListener = (n, f) => { e.handlers[n] = f; };
  return e;
}
const data = JSON.parse(process.argv[3]);
const ths = data.header.map((h) => { const th = el("th"); th.appendChild(el("p", { text: h })); return th; });
const body = el("tbody");
data.rows.forEach((cells) => { const tr = el("tr");
  tr.cells = cells.map(([text, cls]) => el("td", { text: text, className: cls || "" })); body.appendChild(tr); });
Object.defineProperty(body, "rows", { get: () => body.children });
const table = { tHead: { rows: [{ cells: ths }] }, tBodies: [body] };
global.document = { readyState: "complete", createElement: (t) => el(t),
                    querySelectorAll: (sel) => (sel === "table.evidence-index-table" ? [table] : []),
                    addEventListener: () => {} };
eval(fs.readFileSync(process.argv[2], "utf8"));
const out = { buttons: ths.map((th) => th.children[0].tagName), orders: [] };
for (const [col, times] of data.clicks) {
  for (let k = 0; k < times; k++) ths[col].children[0].handlers.click();
  out.orders.push({ sort: ths[col].getAttribute("aria-sort"),
                    rows: body.rows.map((r) => r.cells[2].textContent) });
}
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
def test_sort_by_text_and_by_certainty_level(tmp_path):
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS, encoding="utf-8")
    data = {
        "header": ["Intervention", "Comparison", "Outcome", "Certainty", "Effect", "Page"],
        "rows": [
            [["B"], ["Placebo"], ["Death"], ["⊕⊕⊕◯ Moderate", "evidence-sort-3"], ["Benefit", "evidence-sort-2"], ["p"]],
            [["A"], ["Placebo"], ["Pain"], ["⊕◯◯◯ Very low", "evidence-sort-1"], ["Uncertain", "evidence-sort-8"], ["p"]],
            [["C"], ["Placebo"], ["Cognition"], ["⊕⊕⊕⊕ High", "evidence-sort-4"], ["Harm", "evidence-sort-6"], ["p"]],
        ],
        "clicks": [[2, 1], [2, 1], [3, 1], [0, 1]],
    }
    result = subprocess.run(["node", str(harness), str(SCRIPT), json.dumps(data)], capture_output=True, text=True,
                            check=True, timeout=30)
    out = json.loads(result.stdout)
    assert out["buttons"] == ["button"] * 6  # headers become buttons only when the script runs
    assert out["orders"][0] == {"sort": "ascending", "rows": ["Cognition", "Death", "Pain"]}
    assert out["orders"][1] == {"sort": "descending", "rows": ["Pain", "Death", "Cognition"]}
    # Certainty sorts by level (very low < moderate < high), not alphabetically.
    assert out["orders"][2] == {"sort": "ascending", "rows": ["Pain", "Death", "Cognition"]}
    assert out["orders"][3] == {"sort": "ascending", "rows": ["Pain", "Death", "Cognition"]}
