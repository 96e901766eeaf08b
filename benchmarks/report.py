"""The benchmark's results: ratios of medians, the targets they are held to, text, Markdown and a plot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from measure import median

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
PLOT = ROOT / "docs" / "_static" / "performance-scaling.png"
START, END = "% results: start (written by benchmarks/run.py --docs)", "% results: end"
VARIANTS = ("evidence-full", "plain-full", "bibtex-full", "markup-full", "evidence-jobs", "plain-jobs", "evidence-edit",
            "plain-edit")


def _medians(results: Any, name: str) -> dict[str, Any]:
    runs = results.runs.get(name, [])
    if not runs:
        return {}
    phases = {p: median([r.phases.get(p, 0.0) for r in runs]) for p in runs[0].phases}
    return {"wall": median([r.seconds for r in runs]), "cpu": median([r.cpu for r in runs]),
            "rss": median([r.rss_mb for r in runs]), "load": median([r.load for r in runs]),
            "written": median([r.written for r in runs]), "gc": median([r.gc for r in runs]),
            "runs": len(runs), "wall_all": [round(r.seconds, 2) for r in runs], "phases": phases}


def _div(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or not bottom else top / bottom


def summarise(results: Any) -> dict[str, Any]:
    """Medians per variant, the ratios between them and each target with whether it is met."""
    m = {name: _medians(results, name) for name in VARIANTS}

    def get(name: str, what: str) -> float | None:
        return m[name].get(what) if m[name] else None

    fetch = results.cold_fetch
    ratios = {
        "warm_vs_plain": _div(get("evidence-full", "wall"), get("plain-full", "wall")),
        "warm_vs_plain_cpu": _div(get("evidence-full", "cpu"), get("plain-full", "cpu")),
        "warm_vs_bibtex": _div(get("evidence-full", "wall"), get("bibtex-full", "wall")),
        "warm_vs_bibtex_cpu": _div(get("evidence-full", "cpu"), get("bibtex-full", "cpu")),
        "rss_vs_plain": _div(get("evidence-full", "rss"), get("plain-full", "rss")),
        "markup_vs_plain": _div(get("markup-full", "wall"), get("plain-full", "wall")),
        "warm_vs_markup": _div(get("evidence-full", "wall"), get("markup-full", "wall")),
        "jobs_speedup": _div(get("evidence-full", "wall"), get("evidence-jobs", "wall")),
        "plain_jobs_speedup": _div(get("plain-full", "wall"), get("plain-jobs", "wall")),
        "edit_vs_full": _div(get("evidence-edit", "wall"), get("evidence-full", "wall")),
        "edit_vs_plain_edit": _div(get("evidence-edit", "wall"), get("plain-edit", "wall")),
        "edit_vs_plain_edit_cpu": _div(get("evidence-edit", "cpu"), get("plain-edit", "cpu")),
        "fetch_requests": fetch.get("requests"),
        "fetch_expected_requests": fetch.get("expected_requests"),
        "fetch_vs_floor": fetch.get("ratio"),
    }
    plain_speedup = ratios["plain_jobs_speedup"] or 0.0
    targets = [
        ("full warm build ≤ 1.10× plain (wall)", ratios["warm_vs_plain"], lambda v: v <= 1.10),
        ("full warm build ≤ 0.25× bibtex (wall)", ratios["warm_vs_bibtex"], lambda v: v <= 0.25),
        ("peak RSS ≤ 1.10× plain", ratios["rss_vs_plain"], lambda v: v <= 1.10),
        ("one-page rebuild ≤ 5 % of full", ratios["edit_vs_full"], lambda v: v <= 0.05),
        ("one-page rebuild ≤ 1.10× plain's (wall)", ratios["edit_vs_plain_edit"], lambda v: v <= 1.10),
        (f"-j speed-up ≥ 1.3, or ≥ plain's own ({plain_speedup:.2f})", ratios["jobs_speedup"],
         lambda v: v >= min(1.3, plain_speedup)),
        ("cold fetch: requests = ⌈P/200⌉", ratios["fetch_requests"],
         lambda v: v == ratios["fetch_expected_requests"]),
        ("cold fetch: wall ≤ 1.2× the rate limit's floor", ratios["fetch_vs_floor"], lambda v: v <= 1.2),
    ]
    scaling = [{**p, "ratio": _div(p["evidence"]["wall"], p["plain"]["wall"]),
                "ratio_cpu": _div(p["evidence"]["cpu"], p["plain"]["cpu"]),
                "rss_ratio": _div(p["evidence"]["rss"], p["plain"]["rss"])} for p in results.scaling]
    return {"settings": results.settings, "machine": results.machine, "medians": m, "ratios": ratios,
            "targets": [{"target": t, "value": v, "met": None if v is None else bool(ok(v))} for t, v, ok in targets],
            "counts": results.counts, "unchanged_written": results.unchanged_written,
            "cold_fetch": {k: v for k, v in fetch.items() if k != "runs"},
            "cold_fetch_runs": fetch.get("runs", []), "scaling": scaling}


def _f(value: Any, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _variant_rows(s: dict[str, Any]) -> list[str]:
    rows = []
    for name, data in s["medians"].items():
        if not data:
            continue
        phases = ", ".join(f"{k} {v:.2f}" for k, v in data["phases"].items())
        rows.append(f"| {name} | {data['wall']:.2f} | {data['cpu']:.2f} | {data['rss']:.0f} | {data['written']:.0f} "
                    f"| {data['gc']:.2f} | {phases} | {data['load']:.2f} | {data['wall_all']} |")
    return rows


def _options(st: dict[str, Any]) -> str:
    """The command-line options a run was made with, where they differ from the full run's."""
    scale = ",".join(str(p) for p in st.get("scale", ())) or "''"
    return (" --quick" if st.get("quick") else "") + (f" --scale {scale}" if scale != "50,200,1000,2000" else "")


def markdown(s: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    st, mc = s["settings"], s["machine"]
    lines = [
        f"Measured with `python benchmarks/run.py{_options(st)}`: "
        f"{st['pages']} pages × {st['cites']} citations from a pool of {st['pool']} works, {st['repeat']} runs of "
        f"each variant (medians), on {mc['cores']} cores, Python {mc['python']}, Sphinx {mc['sphinx']}, docutils "
        f"{mc['docutils']}. Load average (1 min) at the start {mc['load_start']:.2f}, at the end "
        f"{mc.get('load_end', 0):.2f}.", "",
        "| Target | Measured | Met |", "|---|---|---|",
        *(f"| {t['target']} | {_f(t['value'])} | {'yes' if t['met'] else 'no' if t['met'] is not None else '—'} |"
          for t in s["targets"]), "",
        "| Ratio | Value |", "|---|---|",
        *(f"| {k} | {_f(v)} |" for k, v in s["ratios"].items()), "",
        "Per variant: medians of wall and CPU seconds (CPU includes forked workers), peak RSS (MiB), content pages "
        "written, CPU seconds in garbage collection, CPU seconds per phase of the main process, the load average "
        "before the runs and every run's wall time.", "",
        "| Variant | Wall s | CPU s | RSS MiB | Written | GC s | Phases (CPU s) | Load | Wall, each run |",
        "|---|---|---|---|---|---|---|---|---|", *_variant_rows(s), "",
        f"Pages written by a rebuild with nothing changed: {s['unchanged_written']}. "
        f"Counted in the output: {s['counts']}.", "",
    ]
    cf = s["cold_fetch"]
    if cf:
        lines += [f"Cold fetch of {cf['pool']} PMIDs from the loopback E-utilities double: {_f(cf['requests'], 0)} "
                  f"requests (⌈P/200⌉ = {cf['expected_requests']}), fetch stage {cf['stage']:.2f} s, first to last "
                  f"request {cf['span']:.2f} s, floor {cf['floor']:.2f} s: {_f(cf['ratio'])}× the floor "
                  f"({cf['records']} records saved).", ""]
    if s["scaling"]:
        lines += ["| Pages | Pool | Plain wall s | Evidence wall s | Ratio | Ratio (CPU) | Plain RSS | Evidence RSS | "
                  "RSS ratio | Load |", "|---|---|---|---|---|---|---|---|---|---|"]
        lines += [f"| {p['pages']} | {p['pool']} | {p['plain']['wall']:.2f} | {p['evidence']['wall']:.2f} | "
                  f"{_f(p['ratio'])} | {_f(p['ratio_cpu'])} | {p['plain']['rss']:.0f} | {p['evidence']['rss']:.0f} | "
                  f"{_f(p['rss_ratio'])} | {p['evidence']['load']:.2f} |" for p in s["scaling"]]
    return "\n".join(lines) + "\n"


def text(s: dict[str, Any]) -> str:
    """The results for the terminal (the Markdown tables read well as text)."""
    return markdown(s)


def plot(s: dict[str, Any], path: Path = PLOT) -> bool:
    """The scaling curve as a PNG; False when matplotlib is not installed or there is no curve."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    points = s["scaling"]
    if not points:
        return False
    pages = [p["pages"] for p in points]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for twin, style in (("plain", "o--"), ("evidence", "s-")):
        left.plot(pages, [p[twin]["wall"] for p in points], style, label=twin)
        right.plot(pages, [p[twin]["rss"] for p in points], style, label=twin)
    share = left.twinx()
    share.plot(pages, [p["ratio_cpu"] for p in points], "k:", label="evidence / plain (CPU)")
    share.set_ylim(0, max(2.0, max(p["ratio_cpu"] or 0 for p in points) * 1.2))
    share.set_ylabel("ratio")
    left.set(xlabel="pages", ylabel="full build, wall seconds", title="Build time")
    right.set(xlabel="pages", ylabel="peak RSS, MiB", title="Memory")
    left.legend(loc="upper left")
    share.legend(loc="lower right")
    right.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def write_docs(s: dict[str, Any], doc: Path = DOC, plot_to: Path = PLOT) -> None:
    """Put the results between the markers of docs/performance.md, and redraw the plot."""
    body = doc.read_text(encoding="utf-8")
    new = f"{START}\n\n{markdown(s)}\n{END}"
    doc.write_text(re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: new, body, flags=re.DOTALL),
                   encoding="utf-8")
    plot(s, plot_to)
