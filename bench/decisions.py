"""The dedup and story decisions on the Dec-2024 captures, as a digest to compare two versions of newsmon
(run by hand; needs ../shared/realdata).

    python -m bench.decisions [--out FILE] [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]

The 13 feeds go through ``Deduplicator.store`` into a fresh SQLite file (or, with ``--url``, a fresh
schema of that PostgreSQL, which decides on the per-feed story snapshot) as ``ingest`` runs it (twice:
the second poll is all repeats). Printed: articles and revisions stored, stories, the biggest story's
size, how many of the articles naming Magdeburg it holds, and a SHA-1 of the partition of the articles
(by link) into stories: equal digests mean equal decisions. ``--out`` writes the partition, one story
a line, to diff.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import uuid
from collections import defaultdict
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.bench_dedup import DATA, feed_states, load, poll
from monitor.dedup.stage import Deduplicator
from monitor.store.db import open_database


def partition(url: str) -> dict[str, object]:
    feeds = load()
    db = open_database(url, upgrade=True)
    states = feed_states(db, feeds)
    stage = Deduplicator()
    for _poll in range(2):
        poll(db, stage, feeds, states)
    with db.session() as session:
        rows = session.execute(text("SELECT a.link, a.title, a.summary, f.story_id FROM articles a "
                                    "JOIN article_features f ON f.article_id = a.id")).all()
        revisions = session.execute(text("SELECT count(*) FROM article_revisions")).scalar_one()
    db.dispose()
    stories: dict[int, list[str]] = defaultdict(list)
    naming: set[str] = set()
    for link, title, summary, story_id in rows:
        stories[story_id].append(link)
        if "Magdeburg" in f"{title} {summary}":
            naming.add(link)
    groups = sorted(sorted(links) for links in stories.values())
    biggest = max(groups, key=len)
    return {"articles": len(rows), "revisions": revisions, "stories": len(groups), "biggest": len(biggest),
            "magdeburg": f"{len(naming & set(biggest))} of {len(naming)}",
            "digest": hashlib.sha1("\n".join(" ".join(g) for g in groups).encode()).hexdigest()[:16],
            "groups": groups}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path)
    parser.add_argument("--url", help="a PostgreSQL to decide in (a fresh schema, dropped after)")
    args = parser.parse_args()
    assert DATA.is_dir(), f"{DATA}: the captures are not there"
    if args.url:
        found = _on_postgres(args.url)
    else:
        with tempfile.TemporaryDirectory() as folder:
            found = partition(f"sqlite:///{Path(folder) / 'decisions.db'}")
    groups = found.pop("groups")
    print(found)
    if args.out:
        args.out.write_text("".join(" ".join(g) + "\n" for g in groups))  # type: ignore[attr-defined]


def _on_postgres(base: str) -> dict[str, object]:
    name = f"decisions_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {name}"))
        try:
            return partition(f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{name}")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
    finally:
        admin.dispose()


if __name__ == "__main__":
    main()
