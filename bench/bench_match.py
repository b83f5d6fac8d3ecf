"""Benchmark: matching real German articles with 10 / 100 / 1,000 / 10,000 terms, side by side with
a regex baseline; plus the German inflection options (simplemma, PyStemmer) and text folding.

Run by hand (not in CI), on an otherwise idle machine::

    python bench/bench_match.py [--repeat 5] [--realdata ../shared/realdata]

Two term sets, each starting with the same 10 typical watchlist words:

* ``lexicon``: then nouns drawn at random (seeded) from simplemma's German lexicon, like a big
  watchlist of specific names and things, most of which are not in any given article;
* ``corpus``: then capitalised words drawn from the articles' own vocabulary (skipping its 300 most
  frequent words): the worst case, nearly every term occurs somewhere, and the number of matches
  grows with the number of terms (so the work of explaining them does too).

Watchlists hold 10 terms each, OR-ed. "scan" is folding + the automaton alone; "match" is the whole
``Matcher.match`` (evaluation, hits, scores) with the default automaton (ahocorasick_rs), "pyaho"
the same with pyahocorasick. Times are CPU seconds of this process (less disturbed
by other load than wall time), medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import WatchlistConfig  # noqa: E402
from monitor.match import compile_matcher  # noqa: E402
from monitor.match.engine import Matcher  # noqa: E402
from monitor.model import Document  # noqa: E402
from monitor.text.normalise import fold_keys  # noqa: E402
from monitor.text.tokens import word_forms  # noqa: E402

BASE_TERMS = ["Ukraine", "Trump", "Gipfel", "Bundesregierung", "Nato", "Selenskyj", "Tomahawk", "Pandemie",
              "Lawrow", "Budapest"]  # fmt: skip
SIZES = (10, 100, 1_000, 10_000)
REGEX_BUDGET = 4.0  # seconds per regex run; slow runs are measured on the documents done by then


def load(root: Path) -> list[Document]:
    docs: list[Document] = []
    with (root / "fundus-german-articles" / "articles_flat.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            docs.append(Document(title=item.get("title") or "", body=item.get("text") or ""))
    with (root / "german_feed_items.csv").open(encoding="utf-8", newline="") as rows:
        docs += [Document(title=row["title"], summary=row["summary"]) for row in csv.DictReader(rows)]
    with (root / "10kGNAD" / "test.csv").open(encoding="utf-8") as lines:
        docs += [Document(title="", body=line.split(";", 1)[1].strip("'\n")) for line in lines if ";" in line]
    return docs


def size_of(docs: list[Document]) -> int:
    return sum(len(d.title.encode()) + len(d.summary.encode()) + len(d.body.encode()) for d in docs)


def corpus_terms(docs: list[Document]) -> dict[int, list[str]]:
    counts: Counter[str] = Counter()
    for doc in docs:
        for text in (doc.title, doc.summary, doc.body):
            counts.update(w for w in re.findall(r"\b[A-ZÄÖÜ][a-zäöüß]{3,}\b", text))
    pool = [w for w, _ in counts.most_common()[300:] if w not in BASE_TERMS]
    random.Random(3).shuffle(pool)
    return {n: BASE_TERMS + pool[: n - len(BASE_TERMS)] for n in SIZES}


def lexicon_terms() -> dict[int, list[str]]:
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    table = DefaultDictionaryFactory(cache_max_size=0).get_dictionary("de")
    lemmas = {w for w in table.values() if w[:1].isupper() and w.isalpha() and len(w) >= 6}
    pool = sorted(lemmas - set(BASE_TERMS))
    random.Random(3).shuffle(pool)
    return {n: BASE_TERMS + pool[: n - len(BASE_TERMS)] for n in SIZES}


def watchlists(terms: list[str]) -> list[WatchlistConfig]:
    quoted = [f'"{term}"' for term in terms]  # a corpus word may be "Near" or "And"
    queries = [" OR ".join(quoted[i : i + 10]) for i in range(0, len(quoted), 10)]
    return [WatchlistConfig(name=f"w{i}", query=query, notify=[]) for i, query in enumerate(queries)]


def median_time(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def bench_matcher(docs: list[Document], terms: list[str], repeat: int) -> dict[str, float]:
    start = time.process_time()
    matcher = compile_matcher(watchlists(terms), {})
    compiled = time.process_time() - start
    found = sum(len(matcher.match(d)) for d in docs)
    # Each result is dropped at once: a list of them all would have the garbage collector walk it.
    scan = median_time(lambda: sum(len(matcher._scan(d)[1]) for d in docs), repeat)
    seconds = median_time(lambda: sum(len(matcher.match(d)) for d in docs), repeat)
    pyaho = Matcher(watchlists(terms), {}, engine="python")
    python = median_time(lambda: sum(len(pyaho.match(d)) for d in docs), repeat)
    return {"compile": compiled, "scan": scan, "seconds": seconds, "matches": found, "python": python}


def bench_regex(docs: list[Document], terms: list[str], repeat: int) -> dict[str, float]:
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\b", re.IGNORECASE)

    def run() -> tuple[float, int]:
        start, done = time.process_time(), 0
        for doc in docs:
            for text in (doc.title, doc.summary, doc.body):
                pattern.findall(text)
            done += 1
            if time.process_time() - start > REGEX_BUDGET:
                break
        return time.process_time() - start, done

    runs = [run() for _ in range(max(1, repeat // 2))]
    seconds, done = sorted(runs)[len(runs) // 2]
    return {"seconds": seconds * len(docs) / done, "measured_docs": done}


def bench_inflection(docs: list[Document]) -> None:
    import simplemma

    tokens = [w for d in docs[:800] for w in re.findall(r"\w+", d.body or d.summary or d.title)]
    print(f"\nGerman inflection, {len(tokens):,} tokens of real text (tokens/s):")
    simplemma.lemmatize("warm", lang="de")
    start = time.perf_counter()
    for token in tokens:
        simplemma.lemmatize(token, lang="de")
    first = time.perf_counter() - start
    again = median_time(lambda: [simplemma.lemmatize(t, lang="de") for t in tokens], 3)
    rates = f"first pass {len(tokens) / first:>12,.0f}   cached {len(tokens) / again:>12,.0f}"
    print(f"  simplemma.lemmatize     {rates}")
    try:
        import Stemmer

        stemmer = Stemmer.Stemmer("german")
        stems = median_time(lambda: stemmer.stemWords(tokens), 3)
        print(f"  PyStemmer stemWords                       {len(tokens) / stems:>12,.0f}")
    except ImportError:
        stemmer = None
        print("  PyStemmer not installed")
    fresh = sorted({t for t in tokens if t[:1].isupper()})[:3000]
    word_forms.cache_clear()
    per_term = median_time(lambda: [word_forms(t) for t in fresh], 1) / len(fresh)
    print(f"  newsmon word_forms (compile time, per term)  {per_term * 1e6:8.1f} µs")
    pairs = [("Gipfel", "Gipfels", True), ("Gast", "Gäste", True), ("Haus", "Häusern", True),
             ("Tomahawk", "Tomahawks", True), ("Trump", "Trumps", True), ("Lawrow", "Lawrows", True),
             ("Außenminister", "Außenministers", True), ("Trump", "Trumpf", False), ("Gas", "Gast", False),
             ("Gas", "Gasse", False), ("Rat", "Rate", False), ("Arm", "Armee", False)]  # fmt: skip
    ours = sum((fold_keys(b).strip() in {fold_keys(f).strip() for f in word_forms(a)}) == want for a, b, want in pairs)
    line = f"  inflection cases right: newsmon (simplemma dictionary) {ours}/{len(pairs)}"
    if stemmer is not None:
        same = [stemmer.stemWord(a.lower()) == stemmer.stemWord(b.lower()) for a, b, _ in pairs]
        right = sum(got == want for got, (_, _, want) in zip(same, pairs, strict=True))
        line += f", PyStemmer stems {right}/{len(pairs)}"
    print(line)


HEADER = (
    f"{'terms':>7} | {'compile':>7} | {'scan s':>6} {'x10':>5} | {'match s':>7} {'MB/s':>5} {'x10':>5}"
    f" {'matches':>7} | {'pyaho s':>7} {'x10':>5} | {'regex s':>8} {'MB/s':>6} {'x10':>7}"
)


def row(n: int, ours: dict[str, float], theirs: dict[str, float], base: dict[str, float], mb: float) -> str:
    scan, match, regex = ours["scan"], ours["seconds"], theirs["seconds"]
    return (
        f"{n:>7,} | {ours['compile']:>7.2f} | {scan:>6.3f} {scan / base['scan']:>5.2f} |"
        f" {match:>7.3f} {mb / match:>5.1f} {match / base['match']:>5.2f} {ours['matches']:>7,.0f} |"
        f" {ours['python']:>7.3f} {ours['python'] / base['python']:>5.2f} |"
        f" {regex:>8.2f} {mb / regex:>6.2f} {regex / base['regex']:>7.1f}"
    )


def german_feeds(root: Path) -> list[Path]:
    """The German feed files the flattened feed items came from (about 2,300 items)."""
    with (root / "german_feed_items.csv").open(encoding="utf-8", newline="") as rows:
        names = {row["file"] for row in csv.DictReader(rows)}
    return sorted(root / name for name in names if name.endswith((".xml", ".atom")) and "bbc" not in name)


def bench_end_to_end(root: Path, sets: dict[int, list[str]], repeat: int) -> None:
    """``newsmon match --json`` as a user runs it (a new process: imports, lexicon, compile, parse, match)."""
    feeds = german_feeds(root)
    print(f"\nend to end: newsmon match --json over {len(feeds)} German feed files (CPU s of the process)")
    base = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for n in (10, 10_000):
            path = Path(tmp) / f"w{n}.yaml"
            lists = [{"name": w.name, "query": w.query} for w in watchlists(sets[n])]
            path.write_text(json.dumps({"watchlists": lists}), encoding="utf-8")  # JSON is YAML
            command = [sys.executable, "-m", "monitor", "match", "--watchlists", str(path), "--json", *map(str, feeds)]
            times, lines = [], 0
            for _ in range(repeat):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                times.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                lines = done.stdout.count("\n")
            seconds = statistics.median(times)
            base = base or seconds
            print(f"{n:>7,} terms: {seconds:6.2f} s  x10 {seconds / base:5.2f}  ({lines:,} matches)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-regex", action="store_true", help="skip the regex baseline")
    parser.add_argument("--only-end-to-end", action="store_true", help="just the newsmon match runs")
    args = parser.parse_args()
    if args.only_end_to_end:
        bench_end_to_end(args.realdata, lexicon_terms(), args.repeat)
        return
    docs = load(args.realdata)
    megabytes = size_of(docs) / 1e6
    print(f"{len(docs):,} documents, {megabytes:.1f} MB of text; medians of {args.repeat} runs\n")
    fold_time = median_time(lambda: [fold_keys(d.body + d.summary + d.title) for d in docs], args.repeat)
    print(f"folding (keys) alone: {megabytes / fold_time:.1f} MB/s")
    for name, sets in (("lexicon", lexicon_terms()), ("corpus", corpus_terms(docs))):
        print(f"\nterm set {name!r}:")
        print(HEADER)
        base: dict[str, float] = {}
        for n in SIZES:
            ours = bench_matcher(docs, sets[n], args.repeat)
            theirs = {"seconds": float("nan")} if args.no_regex else bench_regex(docs, sets[n], args.repeat)
            base.setdefault("scan", ours["scan"])
            base.setdefault("match", ours["seconds"])
            base.setdefault("python", ours["python"])
            base.setdefault("regex", theirs["seconds"])
            print(row(n, ours, theirs, base, megabytes))
    bench_inflection(docs)
    bench_end_to_end(args.realdata, lexicon_terms(), args.repeat)


if __name__ == "__main__":
    main()
