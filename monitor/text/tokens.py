"""German words: split a query term into words and list the inflected forms of a word.

Inflection is done on the query side, once at compile time: a term is expanded to the forms that
simplemma's German dictionary (1.1M forms → lemma) files under the same lemma, read backwards
(lemma → forms) once per compile. So "Gipfel" gains "Gipfels" and "Gipfeln", "Gast" gains "Gäste",
"Museum" gains "Museen", and "Gas" never gains "Gast" or "Gasse" (their lemmas differ). Weak nouns,
whose -en forms the lexicon sometimes files under a lemma of their own ("Bären" under "Bäre"), gain
those too. Words the dictionary does not know are names or
compounds: a closed compound inflects like its known head ("Friedensgipfel" → "Friedensgipfels"),
a name gets its genitive/possessive ``-s`` ("Lawrows", "Selenskyjs"). The match itself never calls
the lemmatiser, so its cost does not depend on how many terms there are.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")
_SOFT = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_MIN_HEAD = 4
_MIN_PREFIX = 3


@lru_cache(maxsize=1)
def dictionary() -> Mapping[str, str]:
    """simplemma's German form → lemma table (loaded once, about a second)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    table: Mapping[str, str] = DefaultDictionaryFactory().get_dictionary("de")
    return table


@lru_cache(maxsize=1)
def _encoded() -> dict[bytes, bytes]:
    """The same table as UTF-8 bytes → bytes, which simplemma keeps underneath (a plain dict lookup
    is what compiling 10,000 terms spends its time on)."""
    table = dictionary()
    raw = getattr(table, "_dict", None)
    if isinstance(raw, dict):
        return raw
    return {form.encode(): lemma.encode() for form, lemma in table.items()}


def lemma(word: str) -> str:
    """The dictionary's lemma of a word form, or the word itself where it has none."""
    found = _encoded().get(word.encode())
    return word if found is None else found.decode()


@lru_cache(maxsize=1)
def _inverse() -> dict[bytes, bytes | list[bytes]]:
    """Lemma → the forms the lexicon files under it (the lexicon's own word lists, read backwards)."""
    inverse: dict[bytes, bytes | list[bytes]] = {}
    for form, lemma in _encoded().items():
        if form == lemma:
            continue
        got = inverse.get(lemma)
        if got is None:
            inverse[lemma] = form
        elif type(got) is bytes:
            inverse[lemma] = [got, form]
        else:
            got.append(form)  # type: ignore[union-attr]
    return inverse


def filed_under(lemma: str) -> frozenset[str]:
    """Every form the lexicon files under ``lemma`` (without the lemma itself; empty if none)."""
    got = _inverse().get(lemma.encode())
    if got is None:
        return frozenset()
    if type(got) is bytes:
        return frozenset({got.decode()})
    return frozenset(form.decode() for form in got)  # type: ignore[union-attr]


def is_word(word: str) -> bool:
    """Whether the lexicon knows ``word`` as written."""
    return word.encode() in _encoded()


def _headword(word: str) -> bool:
    """Whether the lexicon has ``word`` as its own lemma."""
    return _encoded().get(word.encode()) == word.encode()


@lru_cache(maxsize=1)
def word_parts() -> frozenset[str]:
    """The words a German compound is built of, lower case with umlauts and ß written out ("erde",
    "frieden", "heizen"): every lemma the lexicon inflects, and names of four letters or more
    ("ukraine"); neither acronyms ("VAR") nor a bare spelling the lexicon lists with no forms."""
    parts = {plain_spelling(lemma.decode().lower()) for lemma in _inverse() if not lemma.isupper()}  # not "VAR"
    parts |= {plain_spelling(form.decode().lower()) for form, lemma in _encoded().items()
              if form == lemma and len(form) >= 4 and form[:1].isupper()}
    return frozenset(parts)


def compounds_of(head: str) -> frozenset[str]:
    """Forms of the lexicon's compounds of ``head`` that inflect like it (Abgas, Abgase, Erdgases;
    not "Vargas", which merely ends like it)."""
    head = head[:1].upper() + head[1:].lower()
    endings = {form[len(head) :] for form in filed_under(head) if form.startswith(head)}
    tail = head.lower().encode()
    out: set[str] = set()
    for lemma, forms in _inverse().items():
        if len(lemma) <= len(tail) or not lemma.lower().endswith(tail):
            continue
        known = {forms.decode()} if type(forms) is bytes else {f.decode() for f in forms}  # type: ignore[union-attr]
        word = lemma.decode()
        if not endings or any(word + ending in known for ending in endings):
            out |= {word} | known
    return frozenset(out)


_PLAIN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def plain_spelling(folded: str) -> str:
    """Umlauts and ß written out, so both spellings of a word compare equal."""
    return folded.translate(_PLAIN)


def release_lexicon() -> None:
    """Let the lexicon go (about 100 MB); the next compile loads it again. A daemon calls this once
    its matcher is built: matching never needs the lexicon, only compiling does (a compound head's
    word parts, when a watchlist uses one, stay with the matcher)."""
    dictionary.cache_clear()
    _encoded.cache_clear()
    _inverse.cache_clear()
    word_parts.cache_clear()


def raw_words(text: str) -> list[str]:
    """The words of ``text`` as written (letters and digits; soft hyphens dropped)."""
    return _WORD.findall(_SOFT.sub("", text))


def _forms_of_lemma(lemma: str) -> set[str]:
    """The lemma and what the lexicon files under it: regular endings and irregular plurals alike
    (Museum → Museen, Thema → Themen, Virus → Viren)."""
    return {lemma} | filed_under(lemma)


def _weak_forms(noun: str) -> set[str]:
    """A weak masculine noun's -en/-n forms where the lexicon files them under a lemma of their own:
    "Bären" under "Bäre", "Russen" under "Russe" while "Russe" itself is filed under "Russ"."""
    forms = set(filed_under(noun))
    ghost = noun + "e"
    if _headword(ghost):
        forms |= {form for form in filed_under(ghost) if form.startswith(noun)}
    if noun.endswith("e") and _headword(noun + "n"):  # Glaube → Glauben, Friede → Frieden
        forms |= {noun + "n"} | filed_under(noun + "n")
    return forms


def _readings(word: str, table: Mapping[str, str]) -> list[tuple[str, str]]:
    """(form, lemma) readings of ``word`` to expand: the noun, and the word as written when it is
    the same lemma in lower case ("russisch"/"Russisch"), never an unrelated one ("gast" → gasen)."""
    upper = word[:1].upper() + word[1:]
    lower = word[:1].lower() + word[1:]
    readings: list[tuple[str, str]] = []
    for candidate in (upper, lower):
        lemma = table.get(candidate)
        if lemma is None:
            continue
        if readings and lemma.casefold() != readings[0][1].casefold():
            break
        readings.append((candidate, lemma))
    return readings


_UMLAUT_SPELLING = re.compile(r"ä|ö|ü|ß|(?<![aeiouq])(?:ae|oe|ue)|ss")
_SWAP = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}
MAX_UMLAUT_SPELLINGS = 16


def umlaut_spellings(folded: str) -> set[str]:
    """A key-folded text in every spelling of its umlauts and ß: "außenminister" and
    "aussenminister", "müller" and "mueller" (at most 16; "ue" after a vowel or q is left alone)."""
    if _UMLAUT_SPELLING.search(folded) is None:
        return {folded}
    pieces: list[tuple[str, ...]] = []
    last = 0
    for spot in _UMLAUT_SPELLING.finditer(folded):
        pieces += [(folded[last : spot.start()],), (spot.group(), _SWAP[spot.group()])]
        last = spot.end()
    pieces.append((folded[last:],))
    combos = itertools.islice(itertools.product(*pieces), MAX_UMLAUT_SPELLINGS)
    return {"".join(combo) for combo in combos}


@lru_cache(maxsize=65536)
def attributive_forms(word: str) -> frozenset[str]:
    """``word`` and, for a place name, the form that stands before a noun when the dictionary knows
    it as a word of its own: Budapest → Budapester, Wien → Wiener (for "Budapester Gipfel")."""
    table = dictionary()
    candidate = word + "er"
    if word[:1].isupper() and table.get(candidate) == candidate:
        return frozenset({word, candidate})
    return frozenset({word})


@lru_cache(maxsize=65536)
def adjective_forms(word: str) -> frozenset[str]:
    """``word`` and, when the lexicon reads it as a declined adjective, that adjective's declension
    before a noun: Weißes → weiß, weiße, weißem, weißen, weißer (for "im Weißen Haus"); Deutsche →
    deutschen ("der Deutschen Bahn"), not the noun *Deutscher*'s forms only. Comparatives are left out."""
    lower = word.lower()
    base = lemma(lower)
    if not is_word(lower) or not base[:1].islower():
        return frozenset({word})
    forms = {f for f in filed_under(base) if f[:1].islower()}
    if not any(f.endswith("em") for f in forms):  # only adjectives decline to -em: not a verb's forms
        return frozenset({word})
    return frozenset({word, base} | {f for f in forms if len(f) <= len(base) + 2})


def _feminine(word: str) -> str | None:
    """The -in form of a role noun the lexicon knows: Minister → Ministerin, Arzt → Ärztin, Kollege
    → Kollegin."""
    stems = [word, word[:-1]] if word.endswith("e") else [word]
    # the umlauted stem first: the lexicon also lists a few wrong plain ones ("Arztin")
    for stem in [umlauted for stem in stems if (umlauted := _umlauted(stem)) is not None] + stems:
        candidate = stem + "in"
        if _headword(candidate):
            return candidate
    return None


def _umlauted(stem: str) -> str | None:
    for plain, umlaut in (("au", "äu"), ("a", "ä"), ("o", "ö"), ("u", "ü")):
        at = stem.lower().rfind(plain)
        if at >= 0:
            umlaut = umlaut.capitalize() if stem[at].isupper() else umlaut
            return stem[:at] + umlaut + stem[at + len(plain) :]
    return None


_PLAIN_VOWEL = {"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U"}


def masculine(stem: str) -> str:
    """The role noun a gendered spelling is built on: "Ärzt" (of Ärzt*in) → Arzt, "Kolleg" →
    Kollege; a word the lexicon knows stays as it is."""
    if _headword(stem):
        return stem
    plain = "".join(_PLAIN_VOWEL.get(c, c) for c in stem)
    for candidate in (plain, stem + "e", plain + "e"):
        if _headword(candidate):
            return candidate
    return stem


@lru_cache(maxsize=4096)
def feminine_forms(word: str) -> frozenset[str]:
    """The feminine forms of a role noun, singular and plural: Minister → Ministerin, Ministerinnen.
    A compound the lexicon does not know takes its head's (Gesundheitsminister → …ministerin); a noun
    with no -in form in the lexicon gets the regular one."""
    feminine = _feminine(word)
    for cut in range(_MIN_PREFIX, len(word) - _MIN_HEAD + 1) if feminine is None else ():
        head = _feminine(word[cut].upper() + word[cut + 1 :])
        if head is not None:
            feminine = word[:cut] + head.lower()
            break
    if feminine is None:
        feminine = (word[:-1] if word.endswith("e") else word) + "in"
    return frozenset({feminine, feminine + "nen"} | filed_under(feminine))


@lru_cache(maxsize=65536)
def word_forms(word: str) -> frozenset[str]:
    """``word`` and its inflected forms, as written (fold them before matching)."""
    table = dictionary()
    if len(word) < 2 or word.isdigit():
        return frozenset({word})
    if word.isupper():  # an acronym: NATO, NATOs
        return frozenset({word, word + "s"})
    readings = _readings(word, table)
    if readings:
        forms = {word}
        for form, base in readings:
            # a noun's forms filed under itself, or a weak noun's under a lemma of their own (Bären)
            own = _weak_forms(form) if form[:1].isupper() else set()
            lexical = _forms_of_lemma(base)
            if form[:1].islower() and readings[0][0][:1].isupper():
                # the noun's lower-case twin (Polen/polen): its endings, not the verb's whole paradigm
                lexical = {known for known in lexical if known.startswith(base)}
            forms |= lexical | own | {form}
            if form[:1].isupper() and table.get(form + "s") is None:
                forms.add(form + "s")
        return frozenset(forms)
    for cut in range(_MIN_PREFIX, len(word) - _MIN_HEAD + 1):
        head = word[cut].upper() + word[cut + 1 :]
        if table.get(head) == head:
            prefix = word[:cut]
            return frozenset({word} | {prefix + f.lower() for f in _forms_of_lemma(head)})
    return frozenset({word, word + "s"})
