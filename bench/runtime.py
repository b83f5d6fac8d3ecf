"""Whole-process figures, start-up included, as a user pays them: every row is a fresh process.

``python -m bench.runtime [--python PY] [--repeat N] [--out FILE]`` measures the ``newsmon`` that
``PY`` imports (default: this interpreter), so the same script measures two checkouts side by side
(``--compare BEFORE AFTER`` prints the table of two such files):

* ``daemon``: ``newsmon run`` over the 13 captured Dec-2024 feeds (local files), RSS once its first
  cycle is done and it has idled for a few seconds, and its peak RSS (``VmHWM``);
* ``nothing_due``: ``newsmon run --once`` against that database right after (no feed is due);
* ``match``: ``newsmon match --watchlists config/watchlists FEED`` on the 40-item tagesschau
  capture, beside ``bench/naive_match.py`` (feedparser + one ``re`` per word) on the same file;
* ``commands``: ``newsmon --help``, ``check`` and ``status`` (wall time, peak RSS);
* ``distinct`` and ``long``: ``newsmon run --once`` ingesting long real articles (every 10kGNAD
  article and every fundus body, the full text as the RSS description, 50 items a feed; ``long``:
  each article in the feeds of four outlets, as wire copies are) into a fresh database, beside
  the naive pipeline of ``bench/naive.py`` (feedparser, bs4, ``re``, ORM) in a process of its own;
* ``teaser``: the same two over the real captures (short teasers), for comparison;
* ``terms``: ``newsmon match --json`` over the German feed files with 10 and with 10,000 watch
  terms (``bench_match``'s lexicon set), the cost ratio of the whole process.

Wall time and CPU time (user + system) of each child, medians of ``--repeat`` runs; the machine is
shared, so the load average is recorded, and ``--pair`` measures two checkouts row by row in turn.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.corpus import REALDATA, full_articles, make_feed

ROOT = Path(__file__).resolve().parents[1]
CAPTURES = REALDATA / "corss-dec2024-snapshot"
ONE_FEED = CAPTURES / "tagesschau.xml"
WATCHLISTS = ROOT / "config" / "watchlists"
IDLE_WAIT = 5.0
PER_FEED = 50
COPIES = 4  # as in the long-text corpus: 4 outlets, 4,476 items


def timed(command: list[str], env: dict[str, str], cwd: Path, repeat: int) -> dict[str, float]:
    """Median wall time and peak RSS over ``repeat`` runs (rusage of each child alone)."""
    walls, peaks, cpus = [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty child never blocks on it
            started = time.perf_counter()
            child = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            walls.append(time.perf_counter() - started)
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                err.seek(0)
                raise SystemExit(f"{' '.join(command)} failed:\n{err.read().decode(errors='replace')[-2000:]}")
        peaks.append(usage.ru_maxrss / 1024)
        cpus.append(usage.ru_utime + usage.ru_stime)
    return {"seconds": statistics.median(walls), "min": min(walls), "rss_mb": statistics.median(peaks),
            "cpu": statistics.median(cpus), "runs": len(walls)}


def newsmon(python: str) -> list[str]:
    return [python, "-m", "monitor"]


def write_config(folder: Path, feeds: list[Path], interval: str = "1h", watchlists: Path = WATCHLISTS) -> Path:
    """A config over local feed files; alerts of the ingest runs' watchlists go into a yearly digest,
    so that ``run --once`` measures the ingest (outbox rows included), not sending them."""
    entries = "\n".join(f"  - {{name: {json.dumps(p.stem)}, url: {json.dumps(str(p))}, interval: {interval}}}"
                        for p in feeds)
    config = folder / "monitor.yaml"
    config.write_text(f"""database: sqlite:///{folder / 'newsmon.db'}
watchlists: {watchlists}
targets:
  redaktion-chat: json://127.0.0.1:9/newsmon
  desk-mail: json://127.0.0.1:9/desk
default_target: redaktion-chat
digests:
  yearly: {{cron: "0 7 1 1 *", targets: [redaktion-chat]}}
delivery: {{backoff: 1h, max_attempts: 2}}
feeds:
{entries}
""", "utf-8")
    return config


def environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    env["NEWSMON_STATE_DIR"] = str(folder / "state")
    env["NEWSMON_CONFIG"] = str(folder / "monitor.yaml")
    return env


def status_rss(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def daemon(python: str, folder: Path) -> dict[str, float]:
    """A real ``newsmon run``: its RSS after the first cycle over the captures, idle, and its peak."""
    feeds = sorted(CAPTURES.glob("*.xml"))
    write_config(folder, feeds)
    env = environment(folder)
    started = time.perf_counter()
    child = subprocess.Popen([*newsmon(python), "run"], env=env, cwd=folder, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    polled = 0
    cycle = 0.0
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if "polled" in line or "poll failed" in line:
                polled += 1
                if polled == len(feeds):
                    cycle = time.perf_counter() - started
                    break
        time.sleep(IDLE_WAIT)
        rss, peak = status_rss(child.pid)
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(60)
        except subprocess.TimeoutExpired:
            child.kill()
    articles = _count_articles(folder / "newsmon.db")
    return {"idle_rss_mb": rss, "peak_rss_mb": peak, "first_cycle_s": cycle, "articles": articles}


def _count_articles(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from articles").fetchone()[0])


def long_feeds(folder: Path, copies: int = COPIES) -> tuple[list[Path], int, int]:
    """Feeds of every 10kGNAD article and fundus body, the full text as the description; ``copies``
    outlets carry each article (their own links and GUIDs: a wire story on several sites)."""
    articles = full_articles()
    paths = []
    size = 0
    for copy in range(copies):
        for number in range(0, len(articles), PER_FEED):
            site = f"lang-{copy}-{number // PER_FEED}.example.de"
            body = make_feed(articles[number:number + PER_FEED], site, number, full_description=True)
            path = folder / f"long-{copy}-{number // PER_FEED:03d}.xml"
            path.write_bytes(body)
            paths.append(path)
            size += len(body)
    return paths, copies * len(articles), size


def ingest(python: str, folder: Path, feeds: list[Path], items: int, repeat: int) -> dict[str, Any]:
    """``newsmon run --once`` into a fresh database against the naive pipeline's script, per run."""
    from bench.report import ingest_watchlists

    lists = ingest_watchlists()
    (folder / "terms.json").write_text(json.dumps(lists), "utf-8")
    (folder / "watchlists.yaml").write_text(json.dumps({"watchlists": [
        {"name": name, "query": " OR ".join(f'"{t}"' for t in words), "notify": ["redaktion-chat"],
         "mode": "digest:yearly"}
        for name, words in lists.items()]}), "utf-8")
    ours, naive = [], []
    for number in range(repeat):
        work = folder / f"run-{number}"
        work.mkdir()
        write_config(work, feeds, interval="1s", watchlists=folder / "watchlists.yaml")
        ours.append(timed([*newsmon(python), "run", "--once"], environment(work), work, 1))
        naive.append(timed([python, "-m", "bench.naive_ingest", str(work / "naive.db"), str(folder / "terms.json"),
                            *map(str, feeds)],
                           dict(os.environ, PYTHONPATH=str(ROOT)), ROOT, 1))
        shutil.rmtree(work)
    seconds = statistics.median(r["seconds"] for r in ours)
    base = statistics.median(r["seconds"] for r in naive)
    return {"items": items, "seconds": seconds, "naive_seconds": base, "per_s": items / seconds,
            "naive_per_s": items / base, "vs_naive": base / seconds,
            "cpu": statistics.median(r["cpu"] for r in ours), "naive_cpu": statistics.median(r["cpu"] for r in naive),
            "rss_mb": statistics.median(r["rss_mb"] for r in ours),
            "naive_rss_mb": statistics.median(r["rss_mb"] for r in naive)}


def terms(python: str, folder: Path, repeat: int) -> dict[str, Any]:
    from bench import bench_match

    sets = bench_match.lexicon_terms()
    feeds = bench_match.german_feeds(REALDATA)
    out: dict[str, Any] = {}
    for n in (10, 10_000):
        path = folder / f"w{n}.yaml"
        lists = [{"name": w.name, "query": w.query} for w in bench_match.watchlists(sets[n])]
        path.write_text(json.dumps({"watchlists": lists}), encoding="utf-8")
        out[str(n)] = timed([*newsmon(python), "match", "--watchlists", str(path), "--json", *map(str, feeds)],
                            environment(folder), folder, repeat)
    out["ratio"] = out["10000"]["seconds"] / out["10"]["seconds"]
    out["cpu_ratio"] = out["10000"]["cpu"] / out["10"]["cpu"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.runtime", description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter whose newsmon is measured")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=ROWS)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                        help="print the before/after table of two earlier --out files")
    parser.add_argument("--pair", nargs=2, metavar=("BEFORE_PY", "AFTER_PY"),
                        help="measure two interpreters row by row in turn (the same load for both); "
                             "--out is then a folder for before.json and after.json")
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text("utf-8")) for p in args.compare)
        print(table(before, after))
        return
    if args.pair:
        print(table(*pair(args.pair, args.repeat, args.only or list(ROWS), args.out)))
        return
    print(json.dumps(measure(args.python, args.repeat, set(args.only or []), args.out), indent=1))


ROWS = ("daemon", "commands", "match", "distinct", "long", "teaser", "terms")


def pair(pythons: list[str], repeat: int, rows: list[str], out: Path | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each row for both interpreters, one after the other, so both see the machine's load alike."""
    before: dict[str, Any] = {"python": pythons[0], "load": os.getloadavg()}
    after: dict[str, Any] = {"python": pythons[1], "load": before["load"]}
    for row in rows:
        for python, into in zip(pythons, (before, after), strict=True):
            found = measure(python, repeat, {row})
            into.update({k: v for k, v in found.items() if k not in ("python", "load")})
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / "before.json").write_text(json.dumps(before, indent=1), "utf-8")
            (out / "after.json").write_text(json.dumps(after, indent=1), "utf-8")
    return before, after


def measure(python: str, repeat: int, only: set[str], out: Path | None = None) -> dict[str, Any]:
    """Every row (``only``: some); with ``out``, the figures so far are written after each row."""
    def wanted(name: str) -> bool:
        if out is not None:
            out.write_text(json.dumps(results, indent=1), "utf-8")
        return not only or name in only

    results: dict[str, Any] = {"python": python, "load": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as tmp:
        folder = Path(tmp)
        if wanted("daemon"):
            work = folder / "daemon"
            work.mkdir()
            results["daemon"] = daemon(python, work)
            results["nothing_due"] = timed([*newsmon(python), "run", "--once"], environment(work), work, repeat)
        if wanted("commands"):
            work = folder / "commands"
            work.mkdir()
            write_config(work, sorted(CAPTURES.glob("*.xml")))
            env = environment(work)
            timed([*newsmon(python), "db", "upgrade"], env, work, 1)
            results["commands"] = {name: timed([*newsmon(python), *argv], env, work, repeat)
                                   for name, argv in (("help", ["--help"]), ("check", ["check"]),
                                                      ("status", ["status"]))}
        if wanted("match"):
            env = environment(folder)
            ours = timed([*newsmon(python), "match", "--watchlists", str(WATCHLISTS), str(ONE_FEED)], env, folder,
                         repeat)
            naive = timed([python, str(ROOT / "bench" / "naive_match.py"), str(WATCHLISTS), str(ONE_FEED)], env,
                          folder, repeat)
            results["match"] = {"newsmon": ours, "naive": naive, "vs_naive": ours["seconds"] / naive["seconds"]}
        for row, copies in (("distinct", 1), ("long", COPIES)):
            if wanted(row):
                work = folder / row
                work.mkdir()
                feeds, items, size = long_feeds(work, copies)
                results[row] = {**ingest(python, work, feeds, items, max(3, repeat // 2)), "megabytes": size / 1e6,
                                "feeds": len(feeds)}
        if wanted("teaser"):
            work = folder / "teaser"
            work.mkdir()
            feeds = sorted(CAPTURES.glob("*.xml"))
            results["teaser"] = ingest(python, work, feeds, sum(p.read_bytes().count(b"<item") for p in feeds),
                                       max(3, repeat // 2))
        if wanted("terms"):
            work = folder / "terms"
            work.mkdir()
            results["terms"] = terms(python, work, max(3, repeat // 2))
    results["load_after"] = os.getloadavg()
    if out is not None:
        out.write_text(json.dumps(results, indent=1), "utf-8")
    return results



def _row(name: str, target: str, before: str, after: str) -> str:
    return f"| {name} | {before} | {after} | {target} |"


def _s(run: dict[str, Any]) -> str:
    return f"{run['seconds']:.2f} s ({run['cpu']:.2f} s CPU), {run['rss_mb']:.0f} MB"


def _ingest(run: dict[str, Any]) -> str:
    return (f"{run['per_s']:,.0f}/s ({run['vs_naive']:.2f}x; CPU {run['naive_cpu'] / run['cpu']:.2f}x, "
            f"{run['rss_mb']:.0f} MB)")


def table(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The issue's rows, before and after, as Markdown (a missing row reads "–")."""
    def cell(results: dict[str, Any], row: str) -> str:
        try:
            return _CELLS[row](results)
        except KeyError:
            return "–"

    lines = ["| figure | before | after | target |", "|---|---:|---:|---|"]
    lines += [_row(name, target, cell(before, name), cell(after, name)) for name, target in _TARGETS]
    return "\n".join(lines)


def column(results: dict[str, Any]) -> str:
    """The issue's rows for one run, as Markdown."""
    lines = ["| figure | this run | target |", "|---|---:|---|"]
    for name, target in _TARGETS:
        try:
            value = _CELLS[name](results)
        except KeyError:
            value = "–"
        lines.append(f"| {name} | {value} | {target} |")
    return "\n".join(lines)


_TARGETS = [
    ("idle `newsmon run` after one cycle over the 13 Dec-2024 captures, RSS (peak)", "≤ 100 MB"),
    ("`newsmon match --watchlists config/watchlists` one 40-item feed", "≤ 0.6 s, ≤ 100 MB"),
    ("… against the naive feedparser + `re` script on the same file", "≤ 3.5x"),
    ("`run --once` with nothing due", "≤ 0.8 s"),
    ("`run --once` ingest of long real articles, each once (1,119 items, 3.9 MB), articles/s (vs naive)",
     "≥ 3x naive"),
    ("… the same articles in four outlets' feeds (4,476 items, 15.6 MB)", "≥ 3x naive"),
    ("`run --once` ingest of the 13 captures (teasers), articles/s (vs naive script)", "as long texts"),
    ("`newsmon match --json`, 10,000 terms vs 10 (whole process)", "≤ 1.5x"),
    ("`newsmon --help` / `check` / `status`", "well under 1 s"),
]
_CELLS: dict[str, Any] = {
    _TARGETS[0][0]: lambda r: f"{r['daemon']['idle_rss_mb']:.0f} MB ({r['daemon']['peak_rss_mb']:.0f} MB)",
    _TARGETS[1][0]: lambda r: _s(r["match"]["newsmon"]),
    _TARGETS[2][0]: lambda r: f"{r['match']['vs_naive']:.1f}x ({r['match']['naive']['seconds']:.2f} s; CPU "
                              f"{r['match']['newsmon']['cpu'] / r['match']['naive']['cpu']:.1f}x)",
    _TARGETS[3][0]: lambda r: _s(r["nothing_due"]),
    _TARGETS[4][0]: lambda r: _ingest(r["distinct"]),
    _TARGETS[5][0]: lambda r: _ingest(r["long"]),
    _TARGETS[6][0]: lambda r: _ingest(r["teaser"]),
    _TARGETS[7][0]: lambda r: f"{r['terms']['ratio']:.2f}x ({r['terms']['10']['seconds']:.2f} → "
                              f"{r['terms']['10000']['seconds']:.2f} s; CPU {r['terms']['cpu_ratio']:.2f}x)",
    _TARGETS[8][0]: lambda r: " / ".join(f"{r['commands'][c]['seconds']:.2f}" for c in ("help", "check", "status"))
                              + " s (CPU " + " / ".join(f"{r['commands'][c]['cpu']:.2f}"
                                                       for c in ("help", "check", "status")) + ")",
}


if __name__ == "__main__":
    main()
