"""The 13 feeds captured together on 21 Dec 2024 (../shared/realdata/corss-dec2024-snapshot).

1,532 items, 1,000 distinct by URL/GUID (Deutschlandfunk repeats articles across its section
feeds). Stored: 999. The one pair that dedup joins is a true copy: Deutschlandfunk's
"Das Gespenst der Ordnung" under two URLs and GUIDs, a rebroadcast ("Wdh.") whose teaser differs
by a few words, same title, same publication time; it is kept as a revision of the first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from monitor.daemon.scheduler import Runner
from monitor.settings import load
from monitor.store import storyrows as stories
from monitor.store.tables import Alert, Article, ArticleFeatures, ArticleRevision, Story
from tests.harness import Clock, write_config
from tests.receivers import Webhook

QUERY = "Magdeburg AND (Anschlag OR Weihnachtsmarkt OR Todesfahrt OR Amokfahrt OR Attentat OR Täter OR Attentäter)"
WATCHLISTS: dict[str, object] = {"watchlists": [
    {"name": "magdeburg", "query": QUERY, "notify": ["hook"], "per": "story",
     "trending": {"outlets": 5, "within": "60m"}},
    {"name": "magdeburg-jeder-artikel", "query": QUERY, "notify": ["hook"]},
]}


def test_the_captured_feeds_give_999_articles_and_a_handful_of_story_alerts(realdata: Path, tmp_path: Path) -> None:
    folder = realdata / "corss-dec2024-snapshot"
    feeds = {path.stem: str(path) for path in sorted(folder.glob("*.xml"))}
    assert len(feeds) == 13
    clock = Clock(datetime(2024, 12, 21, 19, 30, tzinfo=UTC))
    with Webhook() as hook:
        runner = Runner(load(write_config(tmp_path, feeds, {"hook": hook.url}, WATCHLISTS)), clock=clock)
        assert runner.cycle().new_articles == 999
        clock.advance(minutes=31)
        runner.deliver()  # the follow-up messages
    assert 2 <= len([m for m in hook.messages if m["title"].startswith("[magdeburg]")]) <= 6
    with runner.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 999
        (revision,) = session.scalars(select(ArticleRevision))
        original = session.get_one(Article, revision.article_id)
        assert original.title == revision.title == "Das Chaos bändigen - Das Gespenst der Ordnung"
        assert original.link != revision.link

        every = {a.article_id for a in
                 session.scalars(select(Alert).where(Alert.watchlist == "magdeburg-jeder-artikel"))}
        per_story = list(session.scalars(select(Alert).where(Alert.watchlist == "magdeburg")))
        kinds = sorted(a.kind for a in per_story)
        assert len(every) >= 45  # the event, article by article
        assert len(per_story) <= 6, kinds  # per story: a handful of messages
        assert kinds.count("trending") == 1
        first = {a.article_id for a in per_story if a.kind == "article"}
        followed = {item["article_id"] for a in per_story if a.kind == "followup" for item in a.payload["followups"]}
        assert first | followed == every and not first & followed  # each matching article once, none lost
        for article_id in every:
            story_id = stories.story_of(session, article_id)
            assert story_id is not None
            view = stories.story_view(session, story_id)
            assert view is not None and article_id in {a["id"] for a in view.articles}
        biggest = session.scalars(select(Story).order_by(Story.article_count.desc()).limit(1)).one()
        assert biggest.outlet_count == 5 and biggest.article_count >= 40
        in_biggest = session.scalar(select(func.count()).select_from(ArticleFeatures)
                                    .where(ArticleFeatures.story_id == biggest.id,
                                           ArticleFeatures.article_id.in_(every)))
        assert in_biggest is not None and in_biggest >= 0.9 * len(every)
    runner.close()
