"""Markdown tables and the PNG plot from one run's results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import corpus
from bench.stages import STAGES

NAMES = {"newsmon": "newsmon", "naive": "naive", "fast": "fastest parts"}


def ingest_watchlists() -> dict[str, list[str]]:
    """Ten watchlists of ten terms each: the usual watch words and words of the corpus."""
    terms = corpus.vocabulary_terms(corpus.article_pool(), 100)
    return {f"liste-{i // 10}": terms[i:i + 10] for i in range(0, 100, 10)}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}" if seconds >= 0.01 else f"{seconds * 1000:.1f}"


def _x(ratio: float) -> str:
    return f"{ratio:.1f}x" if ratio < 100 else f"{ratio:,.0f}x"


def _vs(other: float, ours: float) -> str:
    """newsmon against another column: "3.1x faster" or "1.4x slower"."""
    return f"{_x(other / ours)} faster" if other >= ours else f"{_x(ours / other)} slower"


def markdown(results: dict[str, Any]) -> str:
    lines = [f"Machine: {results['machine']}. Mode `--{results['mode']}`, "
             f"{results['seconds']:.0f} s in all.", ""]
    if "stages" in results:
        lines += _stages(results)
    if "matching" in results:
        lines += _matching(results["matching"])
    if "growth" in results:
        lines += _growth(results["growth"])
    if "cycle" in results:
        lines += _cycle(results["cycle"])
    if "latency" in results:
        lat = results["latency"]
        trials = ", ".join(f"{t:.2f}" for t in lat["trials"])
        lines += ["**Alert latency** (item appears in the served feed → alert at the webhook; real `newsmon run`, "
                  f"poll interval 1 s): median **{lat['median']:.2f} s**, min {lat['min']:.2f} s, max "
                  f"{lat['max']:.2f} s ({len(lat['trials'])} trials: {trials}).", ""]
    if "runtime" in results:
        from bench.runtime import column

        load = results["runtime"]["load"]
        lines += [f"**Whole processes** (`bench/runtime.py`: fresh processes, start-up included; wall time, "
                  f"median of {results['settings']['runtime_repeat']} runs; load average {load[0]:.1f} at the start)",
                  "", column(results["runtime"]), ""]
    versions = ", ".join(f"{k} {v}" for k, v in results["versions"].items())
    lines += [f"Versions: {versions}.", ""]
    return "\n".join(lines)


def _stages(results: dict[str, Any]) -> list[str]:
    runs = results["stages"]
    items = runs["newsmon"]["stages"]["items"]
    source = results["input"]
    repeat = results["settings"]["repeat"]
    lines = [f"**Stages and whole ingest**: {source['captures']} real feed captures + {source['generated']} feeds "
             f"made of real articles ({source['megabytes']:.1f} MB, {items:,} items), the same files for every "
             f"column; CPU milliseconds for all of them, median of {repeat} runs. newsmon's *store* row is its dedup "
             "stage as `ingest` runs it (keys, fingerprints, MinHash near-duplicates, story assignment, inserts).", "",
             "| stage | newsmon ms | naive ms | fastest parts ms | newsmon vs naive | newsmon vs fastest |",
             "|---|---:|---:|---:|---:|---:|"]
    for stage in STAGES:
        ours, naive, fast = (runs[k]["stages"][stage] for k in ("newsmon", "naive", "fast"))
        lines.append(f"| {stage} | {_ms(ours)} | {_ms(naive)} | {_ms(fast)} | {_vs(naive, ours)} | {_vs(fast, ours)} |")
    ours, naive, fast = (runs[k]["ingest"] for k in ("newsmon", "naive", "fast"))
    lines.append(f"| **whole ingest** | **{_ms(ours)}** | {_ms(naive)} | {_ms(fast)} | **{_vs(naive, ours)}** | "
                 f"{_vs(fast, ours)} |")
    lines.append(f"| articles/s | **{items / ours:,.0f}** | {items / naive:,.0f} | {items / fast:,.0f} | | |")
    lines.append(f"| peak RSS MB | {runs['newsmon']['rss_mb']:.0f} | {runs['naive']['rss_mb']:.0f} | "
                 f"{runs['fast']['rss_mb']:.0f} | | |")
    lines.append(f"| stored / alerts | {runs['newsmon']['new']:,} / {runs['newsmon']['alerts']:,} | "
                 f"{runs['naive']['new']:,} / {runs['naive']['alerts']:,} | "
                 f"{runs['fast']['new']:,} / {runs['fast']['alerts']:,} | | |")
    return [*lines, ""]


def _matching(points: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for termset in sorted({p["termset"] for p in points}, reverse=True):
        lines += _matching_set([p for p in points if p["termset"] == termset], termset)
    return lines


def _matching_set(points: list[dict[str, Any]], termset: str) -> list[str]:
    by = {(p["kind"], p["terms"]): p for p in points}
    sizes = sorted({p["terms"] for p in points})
    what = ("nouns of the German lexicon, most absent from a given article" if termset == "lexicon" else
            "words of the articles themselves: nearly all occur, the worst case")
    lines = [f"**Matching, term set `{termset}`** ({what}): {points[0]['docs']:,} real articles, watchlists of ten "
             "OR-ed terms; MB of text per CPU second, and the cost relative to 10 terms. newsmon's *scan* is "
             "folding plus the automaton (the part that sees every term); *match* adds evaluating the touched "
             "watchlists and explaining every match (hits, offsets, score). newsmon's costs relative to 10 terms "
             "and pyahocorasick's are measured in one process, each pass next to one of a 10-term matcher (median "
             "of the pairs); the MB/s columns come from separate processes, whose speed on a shared machine "
             "varies more.", "",
             "| terms | newsmon scan cost vs 10 | newsmon match MB/s | match cost vs 10 | matches | compile s | RSS MB "
             "| naive (re.search per term) MB/s | cost vs 10 | pyahocorasick MB/s | cost vs 10 |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base = {k: by[(k, sizes[0])]["seconds"] for k in ("newsmon", "naive", "fast")}
    for n in sizes:
        o, v, f = by[("newsmon", n)], by[("naive", n)], by[("fast", n)]
        scan = o.get("scan_vs_10", o["scan"] / by[("newsmon", sizes[0])]["scan"])
        match = o.get("match_vs_10", o["seconds"] / base["newsmon"])
        lines.append(f"| {n:,} | **{scan:.2f}x** | {o['mb_per_s']:.2f} | **{match:.2f}x** | "
                     f"{o['matches']:,} | "
                     f"{o['compile']:.2f} | {o['rss_mb']:.0f} | {v['mb_per_s']:.3f} | "
                     f"{v['seconds'] / base['naive']:.1f}x | {f['mb_per_s']:.1f} | "
                     f"{f.get('match_vs_10', f['seconds'] / base['fast']):.2f}x |")
    return [*lines, ""]


def _growth(growth: dict[str, Any]) -> list[str]:
    lines = ["**Ingest as the database grows** (newsmon, SQLite): filled through `ingest` at 10,000 new articles "
             "a day of a simulated clock; at each size, feeds of new articles and then the same feeds again "
             "(every item known) are ingested. *Indexed*: articles in the in-memory story index (its horizon is "
             "seven days).", "",
             "| stored articles | days | indexed | new articles/s | known articles/s | peak RSS MB | database MB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for p in growth["points"]:
        lines.append(f"| {p['stored']:,} | {p.get('days', 0):.1f} | {p.get('indexed', 0):,} | {p['new_per_s']:,.0f} | "
                     f"{p['known_per_s']:,.0f} | {p['rss_mb']:.0f} | {p['db_mb']:.0f} |")
    lines.append(f"\nFilling the database through `ingest` took {growth['fill_seconds']:.0f} s.")
    return [*lines, ""]


def _cycle(cycle: dict[str, Any]) -> list[str]:
    lines = [f"**A poll cycle of {cycle['feeds']:,} feeds** on 127.0.0.1 (`Runner.cycle()`, {cycle['per_feed']} "
             "items a feed, one host: at most two requests at a time).", "",
             "| cycle | seconds | feeds/s | new articles | errors | peak RSS MB |", "|---|---:|---:|---:|---:|---:|"]
    for name in ("200 new bodies", "304 not modified", "200 unchanged body"):
        c = cycle[name]
        lines.append(f"| {name} | {c['seconds']:.2f} | {c['feeds_per_s']:,.0f} | {c['new']:,} | {c['errors']} | "
                     f"{c['rss_mb']:.0f} |")
    return [*lines, ""]


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [k for k in ("matching", "growth", "cycle") if k in results]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), dpi=80, squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=True):
        if panel == "matching":
            for kind, style in (("newsmon", "o-"), ("naive", "s--"), ("fast", "^:")):
                for termset, alpha in (("lexicon", 1.0), ("corpus", 0.45)):
                    pts = sorted((p["terms"], p["mb_per_s"]) for p in results["matching"]
                                 if p["kind"] == kind and p["termset"] == termset)
                    if pts:
                        ax.plot([t for t, _ in pts], [v for _, v in pts], style, alpha=alpha,
                                label=f"{NAMES[kind]} ({termset})")
            ax.set(xscale="log", yscale="log", xlabel="terms", ylabel="MB of text / s", title="matching")
        elif panel == "growth":
            pts = results["growth"]["points"]
            ax.plot([p["stored"] for p in pts], [p["new_per_s"] for p in pts], "o-", label="new articles")
            ax.plot([p["stored"] for p in pts], [p["known_per_s"] for p in pts], "s--", label="known articles")
            ax.set(xscale="log", xlabel="stored articles", ylabel="articles / s", title="ingest vs database size")
            ax.set_ylim(bottom=0)
        else:
            names = ["200 new bodies", "304 not modified", "200 unchanged body"]
            values = [results["cycle"][n]["seconds"] for n in names]
            ax.bar(["200 new", "304", "200 same"], values, color=["#4c72b0", "#55a868", "#c44e52"])
            ax.set(ylabel="seconds", title=f"poll cycle, {results['cycle']['feeds']:,} feeds")
        ax.grid(alpha=0.3)
        if panel != "cycle":
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
