"""What storage knows of a feed's entries before the dedup stage decides them (``decisions.Known``):
the stored keys, the articles they name and the near-duplicate candidates (text, content hash,
revision, story, whether the feed is already a source), and ids reserved for the new articles and
stories. A few queries per feed, one per 500 ids."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.batch import chunks, sourced_by
from monitor.store.decisions import Known, KnownArticle
from monitor.store.ids import reserve
from monitor.store.tables import Article, ArticleFeatures, Story


def snapshot(session: Session, feed_id: int, keys: Mapping[str, int], candidates: Iterable[int],
             fresh: int) -> Known:
    """The snapshot for one feed: ``keys`` as ``batch.known_keys`` found them, the articles they name and
    the ``candidates``, and ids for at most ``fresh`` new articles and as many stories."""
    wanted = set(keys.values()) | set(candidates)
    articles = known_articles(session, feed_id, wanted)
    article_ids = reserve(session, Article, fresh) if fresh else ()
    story_ids = reserve(session, Story, fresh) if fresh else ()
    return Known(dict(keys), articles, article_ids, story_ids)


def known_articles(session: Session, feed_id: int, ids: Iterable[int]) -> dict[int, KnownArticle]:
    """The stored articles among ``ids`` (one that retention removed is simply absent)."""
    wanted = set(ids)
    sourced = sourced_by(session, feed_id, wanted)
    found: dict[int, KnownArticle] = {}
    for part in chunks(wanted):
        query = (select(Article.id, Article.feed_id, Article.title, Article.summary, Article.body,
                        ArticleFeatures.content_hash, ArticleFeatures.revision, ArticleFeatures.story_id)
                 .outerjoin(ArticleFeatures, ArticleFeatures.article_id == Article.id)
                 .where(Article.id.in_(part)))
        for article_id, feed, title, summary, body, digest, revision, story_id in session.execute(query):
            found[article_id] = KnownArticle(article_id, feed, title, summary, body, digest, revision, story_id,
                                             article_id in sourced)
    return found
