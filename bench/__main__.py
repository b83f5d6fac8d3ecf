"""Run every benchmark: ``python -m bench --quick`` (under a minute) or ``python -m bench --full``.

Each measurement runs in its own process (``bench.worker``) on input made at run time from
``../shared/realdata`` in a temporary folder; the tables are printed as Markdown and written with
the raw figures (JSON) and the plot (PNG) to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import corpus, report
from bench.common import machine, versions

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("newsmon", "naive", "fast")


MODES: dict[str, dict[str, Any]] = {
    "quick": {"captures": 4, "generated": 2, "repeat": 1, "terms": [10, 10_000], "termsets": ["lexicon"],
              "match_repeat": 1, "naive_budget": 0.3, "sizes": [500, 1_500], "cycle_feeds": 200, "cycle_items": 2,
              "trials": 2, "runtime_repeat": 3},
    "full": {"captures": 99, "generated": 30, "repeat": 3, "terms": [10, 100, 1_000, 10_000],
             "termsets": ["lexicon", "corpus"], "match_repeat": 3, "naive_budget": 2.0,
             "sizes": [1_000, 3_000, 10_000, 30_000, 100_000], "cycle_feeds": 1_000, "cycle_items": 5, "trials": 7,
             "runtime_repeat": 5},
}


def save(results: dict[str, Any], out: Path, name: str) -> None:
    """After every section: a run stopped half-way keeps what it measured."""
    (out / f"{name}.json").write_text(json.dumps(results, indent=1), "utf-8")


def worker(job: dict[str, Any]) -> Any:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.worker", json.dumps(job)], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench worker failed for {job.get('section')}/{job.get('kind', '')}:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    label = " ".join(str(job.get(k, "")) for k in ("section", "kind", "termset", "terms")).strip()
    print(f"  {label}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return result


def write_feeds(folder: Path, captures: int, generated: int) -> dict[str, Any]:
    pool = corpus.article_pool()
    real = corpus.capture_feeds()[:captures]
    made = corpus.generated_feeds(pool, generated)
    for number, (_, body) in enumerate(real):
        (folder / f"capture-{number:03d}.xml").write_bytes(body)
    for number, (_, body) in enumerate(made):
        (folder / f"generated-{number:03d}.xml").write_bytes(body)
    size = sum(len(b) for _, b in real + made)
    return {"captures": len(real), "generated": len(made), "megabytes": size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", const="quick", dest="mode", help="under a minute (default)")
    mode.add_argument("--full", action="store_const", const="full", dest="mode", help="all sizes; takes minutes")
    parser.add_argument("--only", nargs="*", choices=["stages", "matching", "growth", "cycle", "latency", "runtime"],
                        help="run only these sections (the other sections of an earlier run in --out are kept)")
    parser.add_argument("--out", type=Path, help="where to write results (default: bench/results for --full, "
                                                 "bench/out for --quick)")
    args = parser.parse_args()
    name = args.mode or "quick"
    settings = MODES[name]
    sections = set(args.only or ["stages", "matching", "growth", "cycle", "latency", "runtime"])
    out = args.out or ROOT / "bench" / ("results" if name == "full" else "out")
    stem, picture = ("results", "curves") if name == "full" else (name, name)  # the README shows the full run's
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"mode": name, "machine": machine(), "versions": versions(), "settings": settings}
    previous = out / f"{stem}.json"
    if args.only and previous.exists():  # a partial run updates its sections of the last full one
        results = {**json.loads(previous.read_text("utf-8")), **results}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as feeds:
        if "stages" in sections:
            print("stages and whole ingest", file=sys.stderr)
            results["input"] = write_feeds(Path(feeds), settings["captures"], settings["generated"])
            watchlists = report.ingest_watchlists()
            results["stages"] = {kind: worker({"section": "stages", "kind": kind, "feeds": feeds,
                                               "watchlists": watchlists, "repeat": settings["repeat"]})
                                 for kind in KINDS}
        save(results, out, stem)
        if "matching" in sections:
            print("matching against the number of terms", file=sys.stderr)
            results["matching"] = [point for termset in settings["termsets"] for n in settings["terms"]
                                   for point in worker({"section": "matching", "terms": n, "termset": termset,
                                                        "repeat": settings["match_repeat"],
                                                        "budget": settings["naive_budget"]})]
        save(results, out, stem)
        if "growth" in sections:
            print("ingest as the database grows", file=sys.stderr)
            results["growth"] = worker({"section": "growth", "sizes": settings["sizes"]})
        save(results, out, stem)
        if "cycle" in sections:
            print("poll cycle", file=sys.stderr)
            results["cycle"] = worker({"section": "cycle", "feeds": settings["cycle_feeds"],
                                       "per_feed": settings["cycle_items"]})
        save(results, out, stem)
        if "latency" in sections:
            print("alert latency", file=sys.stderr)
            results["latency"] = worker({"section": "latency", "trials": settings["trials"]})
        save(results, out, stem)
        if "runtime" in sections:
            print("whole processes: daemon RSS, one-feed match, run --once, long texts", file=sys.stderr)
            results["runtime"] = worker({"section": "runtime", "repeat": settings["runtime_repeat"]})
    results["seconds"] = time.perf_counter() - started + (results.get("seconds", 0.0) if args.only else 0.0)
    (out / f"{stem}.json").write_text(json.dumps(results, indent=1), "utf-8")
    text = report.markdown(results)
    (out / f"{stem}.md").write_text(text, "utf-8")
    if "matching" in results or "growth" in results or "cycle" in results:
        report.plot(results, out / f"{picture}.png")
    print(text)
    print(f"\nwritten to {out} ({results['seconds']:.0f}s)", file=sys.stderr)


if __name__ == "__main__":
    main()
