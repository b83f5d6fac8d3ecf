"""Extraction quality on the 105 real German article pages of fundus (raw HTML beside expected text).

The figure is word-level F1 (bag of words, case-folded) between the extracted and the expected
article text; the chosen settings measured 0.96 mean (trafilatura defaults 0.95, readability-lxml
0.92, resiliparse 0.92). The floor below catches a regression in settings or library versions.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

from monitor.feeds.fulltext import extract

WORD = re.compile(r"\w+")


def f1(got: str, expected: str) -> float:
    found = Counter(w.casefold() for w in WORD.findall(got))
    wanted = Counter(w.casefold() for w in WORD.findall(expected))
    common = sum((found & wanted).values())
    if not common:
        return 0.0
    precision, recall = common / sum(found.values()), common / sum(wanted.values())
    return 2 * precision * recall / (precision + recall)


def _pages(root: Path) -> list[tuple[Path, str]]:
    """(html.gz, expected text): a publisher's pages sorted by date pair with its versions V1, V1_1, …"""
    expected = {(row["publisher"], row["version"]): row["text"]
                for row in map(json.loads, (root / "articles_flat.jsonl").read_text().splitlines())}
    pages = []
    for versions_file in sorted(root.glob("*/*.json")):
        publisher = versions_file.stem
        files = sorted(versions_file.parent.glob(f"{publisher}_*.html.gz"))
        versions = sorted(json.loads(versions_file.read_text()),
                          key=lambda v: [int(x) for x in v[1:].split("_")])
        pages.extend((page, expected[(publisher, version)]) for page, version in zip(files, versions, strict=True))
    return pages


def test_extraction_quality_on_fundus_pages(realdata: Path) -> None:
    pages = _pages(realdata / "fundus-german-articles")
    assert len(pages) == 105
    scores = [f1(extract(gzip.decompress(page.read_bytes())) or "", text) for page, text in pages]
    mean = sum(scores) / len(scores)
    print(f"fundus full-text extraction: mean word F1 {mean:.3f} over {len(scores)} pages")
    assert mean >= 0.94
    assert sum(score < 0.5 for score in scores) <= 1
