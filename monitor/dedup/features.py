"""Identity of an article and the features that find its copies and its story (docs/architecture.md §4).

Pure functions, no database:

- ``identity_keys``: canonical URL (tracking parameters, fragments, host case removed) and the
  feed's GUID. A GUID that is itself a URL is canonicalised the same way; a very short GUID ("1",
  "42") is only trusted within its own feed.
- ``fingerprint_key``: ``fp:`` + SHA-1 of the normalised title and text, so the same wire copy on
  several sites is one article. Only for texts long enough to be specific (``MIN_FP_WORDS``): a
  one-line item ("Wetter: sonnig") must not swallow a different article with the same line.
- ``content_hash``: the same hash without the length floor; it tells a changed version of a
  known article (an update of the same GUID) from a repeat.
- ``signature``: a datasketch MinHash over word 3-shingles, for near-duplicates (lightly edited
  copies, an added paragraph, a changed headline).
- ``story_terms``: the lemmatised nouns and names of an article, for story assignment.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from itertools import chain

import numpy as np

from monitor.dedup.urls import canonical_url
from monitor.model import Entry

MIN_GLOBAL_GUID = 8
MIN_FP_WORDS = 25  # words of title + text before a fingerprint identifies an article on its own
MIN_NEAR_WORDS = 20  # words before near-duplicate detection is trusted
SHINGLE = 3
NEAR_JACCARD = 0.6
NEAR_CONTAINED = 0.85
NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2 default; stored signatures depend on it
STORY_TEXT_CHARS = 1500  # story terms come from the title and the lead, not a 5,000-word body

_WORD = re.compile(r"\w+(?:[-']\w+)*")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero-width characters
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_STOP = frozenset("""
aber alle allem allen aller alles als also am an andere anderen auch auf aus bei beim bereits bis bisher
da dabei damit dann darauf darum das dass dem den denen der deren des deshalb die dies diese diesem
diesen dieser dieses doch dort durch ein eine einem einen einer eines er es etwa euch für gegen hat
hatte heute hier ihr ihre im in ist jetzt kann kein keine man mehr mit nach neue neuen nicht noch nun
nur ob oder ohne sein seine seit sich sie sind so sollen soll sowie über um und uns unter vom von vor
war waren was weil weiter wenn wer werden wie wieder will wir wird wurde wurden zu zum zur zwei drei
montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz april mai juni juli
august september oktober november dezember uhr jahr jahre jahren prozent millionen milliarden euro
mehr neue neuer neues laut sagte sagt erklärte angaben bericht berichte foto video audio live ticker
liveblog newsblog update zudem außerdem allerdings inzwischen zunächst demnach
""".split())  # noqa: SIM905


def identity_keys(entry: Entry, feed_id: int) -> tuple[str, ...]:
    keys: list[str] = []
    if entry.link:
        keys.append("url:" + canonical_url(entry.link))
    guid = (entry.guid or "").strip()
    if guid:
        if guid.lower().startswith(("http://", "https://")):
            key = "url:" + canonical_url(guid)
        elif len(guid) >= MIN_GLOBAL_GUID:
            key = "guid:" + guid
        else:
            key = f"guid:{feed_id}:{guid}"
        if key not in keys:
            keys.append(key)
    return tuple(key[:700] for key in keys)


def text_of(entry: Entry) -> str:
    """The article's text for dedup: the body where the feed carries one, else the summary."""
    return entry.body if len(entry.body) > len(entry.summary) else entry.summary


def words(text: str) -> list[str]:
    """Normalised words: NFKC, casefolded, soft hyphens and zero-width characters removed."""
    return _WORD.findall(unicodedata.normalize("NFKC", _visible(text)).casefold())


def _visible(text: str) -> str:
    """The text without soft hyphens and zero-width characters (a search first: most texts have none,
    and ``str.translate`` with a table walks every character in Python's slow path)."""
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def content_words(entry: Entry) -> list[str]:
    return words(entry.title) + words(text_of(entry))


def content_hash(entry: Entry, tokens: list[str] | None = None) -> str:
    """SHA-1 of the normalised title and text (``tokens``: ``content_words(entry)`` when known)."""
    tokens = content_words(entry) if tokens is None else tokens
    return hashlib.sha1(" ".join(tokens).encode()).hexdigest()


def fingerprint_key(entry: Entry, tokens: list[str] | None = None, digest: str | None = None) -> str | None:
    """``fp:<sha1>`` of the normalised title and text, or None for a text too short to be specific
    (``digest``: its ``content_hash`` when known, the same value)."""
    tokens = content_words(entry) if tokens is None else tokens
    if len(tokens) - len(words(entry.title)) < MIN_FP_WORDS:
        return None
    return "fp:" + (digest or content_hash(entry, tokens))


def shingles(tokens: list[str], size: int = SHINGLE) -> set[str]:
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    if size == SHINGLE:
        return {f"{a} {b} {c}" for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)}
    return {" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def signature(tokens: list[str]) -> np.ndarray | None:
    """MinHash (``NUM_PERM`` permutations) of the word shingles; None for too short a text.

    The values are datasketch's ``MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")`` after
    ``update_batch`` of the UTF-8 shingles (``tests/test_dedup_unit.py`` checks that they are equal):
    the first four bytes of each shingle's SHA-1, the MurmurHash3 finalizer, then ``a * h + b`` in
    uint32 for each permutation and the minimum. Computed here with one digest list and one array
    operation per text: datasketch's per-shingle Python hash function was a sixth of the ingest.
    """
    if len(tokens) < MIN_NEAR_WORDS:
        return None
    sha1 = hashlib.sha1
    digests = b"".join([sha1(shingle.encode()).digest()[:4] for shingle in shingles(tokens)])
    hashed = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32))
    a, b = _permutations()
    permuted = np.multiply.outer(a, hashed)
    permuted += b[:, None]
    values: np.ndarray = permuted.min(axis=1)
    return values


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, elementwise (uint32 arithmetic wraps, as intended)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> np.uint32(16))
    return mixed


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters for ``seed=1``, as uint32 arrays."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def similarity(left: np.ndarray, right: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(left == right)) / len(left)


def near_duplicate(left: list[str], right: list[str]) -> bool:
    """Lightly edited copies: the word 3-shingles mostly agree (``NEAR_JACCARD``), or one text holds
    nearly all of the other (``NEAR_CONTAINED``: an added paragraph, a longer version) and is at
    most twice as long (a round-up quoting a short item is not a version of it)."""
    if min(len(left), len(right)) < MIN_NEAR_WORDS:
        return False
    a, b = shingles(left), shingles(right)
    common = len(a & b)
    if common / len(a | b) >= NEAR_JACCARD:
        return True
    small, large = sorted((len(a), len(b)))
    return common / small >= NEAR_CONTAINED and large <= 2 * small


def story_terms(entry: Entry) -> frozenset[str]:
    """Capitalised words (German nouns and names) of title and lead, lemmatised and folded."""
    return title_terms(entry) | lead_terms(entry)


def title_terms(entry: Entry) -> frozenset[str]:
    return terms_of(entry.title)


def lead_terms(entry: Entry) -> frozenset[str]:
    return terms_of(text_of(entry)[:STORY_TEXT_CHARS])


def terms_of(text: str) -> frozenset[str]:
    found = _WORD.findall(unicodedata.normalize("NFKC", _visible(text)))
    return frozenset(chain.from_iterable(map(_word_terms, [word for word in found if word[0].isupper()])))


@lru_cache(maxsize=65536)
def _word_terms(word: str) -> tuple[str, ...]:
    """The terms of a capitalised word (a German noun or a name): each part of a hyphenated compound.
    Cached by word: a text's words are mostly ones seen before."""
    return tuple(term for part in word.split("-") if (term := _term(part)))


@lru_cache(maxsize=65536)
def _term(word: str) -> str | None:
    if len(word) < 3 or not word[0].isalpha():
        return None
    lowered = word.casefold()
    if lowered in _STOP:
        return None
    from monitor.text.tokens import lemma  # simplemma's table, shared with the matcher

    base = lemma(word).casefold()
    if base in _STOP:
        return None
    return base.translate(_FOLD)
