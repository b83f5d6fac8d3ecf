"""The query language of docs/architecture.md §3: text → tree, with errors that point at a column.

Grammar (AND binds tighter than OR, juxtaposition is AND, NEAR binds tightest)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | near
    near    := primary ("NEAR/n" primary)*
    primary := "(" or ")" | FIELD ":" primary | WORD | "PHRASE" | @ENTITY | re:/REGEX/

A WORD may carry wildcards (``Gipfel*``, ``*gipfel``) or the gender marker ``*in``/``*innen``
(``Minister*in``: Minister, Ministerin, Minister:innen, Minister*innen, MinisterInnen, …).

Operators are upper case only. "and", "or", "not", "near" in any other case are refused with a hint
(a watchlist "Trump or Biden" would otherwise quietly require the word "or"); quoted, they are words.
German "und", "oder", "nicht" are words like any other.

Nesting (brackets, ``NOT``/``-``, field scopes, chained ``NEAR``) is bounded at ``MAX_NESTING``
levels: a deeper query is a ``QueryError`` at the column where the bound is passed, never a
``RecursionError`` in the parser or in the stages that walk the tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from monitor.errors import QueryError
from monitor.model import FIELDS, Field
from monitor.text.normalise import fold_keys
from monitor.text.tokens import raw_words

if TYPE_CHECKING:
    from monitor.config import EntityConfig

DEFAULT_NEAR = 10
MAX_NESTING = 50  # brackets, NOT, field scopes and NEAR chains together; real queries use a handful
MIN_WILDCARD_STEM = 3
# ``Minister*in`` / ``Minister*innen``: the word in all its gendered forms (a star inside a word is
# otherwise refused, so no query that worked before changes its meaning)
_GENDERED = regex.compile(r"(?P<word>[^*]+)\*(?:in|innen)", regex.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Term:
    """A word, a phrase, or a word with a wildcard (``prefix``: ``Gipfel*``, ``suffix``: ``*gipfel``);
    ``gendered`` (``Minister*in``): the word and all its gendered forms."""

    text: str
    words: tuple[str, ...]
    prefix: bool = False
    suffix: bool = False
    phrase: bool = False
    fields: frozenset[Field] | None = None
    column: int = 1
    gendered: bool = False

    @property
    def key(self) -> tuple[object, ...]:
        return ("t", self.words, self.prefix, self.suffix, self.gendered)


@dataclass(frozen=True, slots=True)
class EntityRef:
    name: str
    fields: frozenset[Field] | None = None
    column: int = 1

    @property
    def key(self) -> tuple[object, ...]:
        return ("@", self.name)


@dataclass(frozen=True, slots=True)
class Regex:
    pattern: str
    fields: frozenset[Field] | None = None
    column: int = 1


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class Near:
    left: Node
    right: Node
    distance: int


Leaf = Term | EntityRef | Regex
Node = Term | EntityRef | Regex | And | Or | Not | Near


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # ( ) OR AND NOT - NEAR FIELD WORD PHRASE ENTITY REGEX END
    text: str
    column: int
    number: int = 0


_BREAK = set(' \t\r\n()"')
_NEAR = regex.compile(r"NEAR(?:/(\d+))?")


def _miscased_operator(word: str) -> bool:
    upper = word.upper()
    return word != upper and (upper in ("AND", "OR", "NOT") or _NEAR.fullmatch(upper) is not None)


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)

    def fail(message: str, at: int) -> QueryError:
        return QueryError(message, query=query, column=at + 1)

    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c in "()":
            toks.append(_Tok(c, c, i + 1))
            i += 1
        elif c == '"':
            close = query.find('"', i + 1)
            if close < 0:
                raise fail("unterminated phrase", i)
            toks.append(_Tok("PHRASE", query[i + 1 : close], i + 1))
            i = close + 1
        elif query.startswith("re:/", i):
            j = i + 4
            while j < n and query[j] != "/":
                j += 2 if query[j] == "\\" else 1
            if j >= n:
                raise fail("unterminated regular expression (end it with /)", i)
            pattern = query[i + 4 : j].replace("\\/", "/")
            try:
                regex.compile(pattern)
            except regex.error as exc:
                raise fail(f"bad regular expression: {exc}", i + 4) from None
            toks.append(_Tok("REGEX", pattern, i + 1))
            i = j + 1
        elif c == "@":
            j = i + 1
            while j < n and (query[j].isalnum() or query[j] in "_.-"):
                j += 1
            if j == i + 1:
                raise fail("@ must be followed by an entity name", i)
            toks.append(_Tok("ENTITY", query[i + 1 : j], i + 1))
            i = j
        elif c == "-" and i + 1 < n and query[i + 1] not in _BREAK and (i == 0 or query[i - 1] in _BREAK):
            toks.append(_Tok("-", c, i + 1))
            i += 1
        else:
            j = i
            while j < n and query[j] not in _BREAK:
                if query[j] == ":" and query[i:j].lower() in FIELDS:
                    break
                j += 1
            word = query[i:j]
            if j < n and query[j] == ":":
                toks.append(_Tok("FIELD", word.lower(), i + 1))
                i = j + 1
                continue
            near = _NEAR.fullmatch(word)
            if _miscased_operator(word):
                hint = f'operators are written in capitals: {word.upper()}; to find the word, quote it: "{word}"'
                raise fail(hint, i)
            if word in ("AND", "OR", "NOT"):
                toks.append(_Tok(word, word, i + 1))
            elif near:
                toks.append(_Tok("NEAR", word, i + 1, int(near.group(1) or DEFAULT_NEAR)))
            else:
                toks.append(_Tok("WORD", word, i + 1))
            i = j
    toks.append(_Tok("END", "", n + 1))
    return toks


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = _lex(query)
        self.pos = 0
        self.depth = 0

    def enter(self, tok: _Tok) -> None:
        """One level deeper (a bracket, NOT, a field scope, a NEAR); refused past ``MAX_NESTING``."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail(f"query nested more than {MAX_NESTING} levels (brackets, NOT, NEAR, fields)", tok)

    def fail(self, message: str, tok: _Tok) -> QueryError:
        return QueryError(message, query=self.query, column=tok.column)

    @property
    def tok(self) -> _Tok:
        return self.toks[self.pos]

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "END":
            raise self.fail("empty query", self.tok)
        node = self.or_()
        if self.tok.kind != "END":
            raise self.fail(f"unexpected {self.tok.text!r}", self.tok)
        return node

    def or_(self, fields: frozenset[Field] | None = None) -> Node:
        items = [self.and_(fields)]
        while self.tok.kind == "OR":
            self.take()
            items.append(self.and_(fields))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self, fields: frozenset[Field] | None) -> Node:
        items = [self.unary(fields)]
        while self.tok.kind not in ("OR", ")", "END"):
            if self.tok.kind == "AND":
                self.take()
            items.append(self.unary(fields))
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, fields: frozenset[Field] | None) -> Node:
        if self.tok.kind in ("NOT", "-"):
            self.enter(self.take())
            node: Node = Not(self.unary(fields))
            self.depth -= 1
            return node
        return self.near(fields)

    def near(self, fields: frozenset[Field] | None) -> Node:
        node = self.primary(fields)
        chained = 0
        while self.tok.kind == "NEAR":
            tok = self.take()
            self.enter(tok)  # each NEAR nests the tree one level deeper on the left
            chained += 1
            right = self.primary(fields)
            for side in (node, right):
                if not _positive_only(side):
                    raise self.fail("NEAR needs terms on both sides (no NOT, no re:)", tok)
            node = Near(node, right, tok.number)
        self.depth -= chained
        return node

    def primary(self, fields: frozenset[Field] | None) -> Node:
        tok = self.take()
        if tok.kind == "(":
            self.enter(tok)
            node = self.or_(fields)
            if self.tok.kind != ")":
                raise self.fail("this ( is never closed", tok)
            self.take()
            self.depth -= 1
            return node
        if tok.kind == "FIELD":
            if self.tok.kind in ("END", ")", "OR", "AND"):
                raise self.fail(f"{tok.text}: needs a term", self.tok)
            self.enter(tok)
            node = self.primary(frozenset({tok.text}) if fields is None else fields & {tok.text})  # type: ignore[arg-type]
            self.depth -= 1
            return node
        if tok.kind == "ENTITY":
            return EntityRef(tok.text, fields, tok.column)
        if tok.kind == "REGEX":
            return Regex(tok.text, fields, tok.column)
        if tok.kind in ("WORD", "PHRASE"):
            return self.term(tok, fields)
        if tok.kind == "END":
            raise self.fail("query ends too early", tok)
        raise self.fail(f"unexpected {tok.text!r}", tok)

    def term(self, tok: _Tok, fields: frozenset[Field] | None) -> Term:
        text = tok.text
        suffix = tok.kind == "WORD" and text.startswith("*")
        gendered = _GENDERED.fullmatch(text[1:] if suffix else text) if tok.kind == "WORD" else None
        prefix = tok.kind == "WORD" and text.endswith("*") and gendered is None
        core = text.strip("*") if tok.kind == "WORD" else text
        if gendered is not None:
            core = gendered.group("word")
            if len(raw_words(core)) != 1:
                raise self.fail("a gendered term (Minister*in) is one word", tok)
        if "*" in core:
            raise self.fail("a wildcard goes at the start or the end of a word", tok)
        words = raw_words(core)
        folded = tuple(fold_keys(w).strip() for w in words)
        if not words or not all(folded):
            raise self.fail("a term needs letters or digits", tok)
        if (prefix or suffix) and (len(words) > 1 or len(folded[0]) < MIN_WILDCARD_STEM):
            raise self.fail(f"a wildcard needs one word of at least {MIN_WILDCARD_STEM} letters", tok)
        return Term(text, tuple(words), prefix, suffix, tok.kind == "PHRASE", fields, tok.column, gendered is not None)


def _positive_only(node: Node) -> bool:
    if isinstance(node, Term | EntityRef):
        return True
    if isinstance(node, Or | And):
        return all(_positive_only(item) for item in node.items)
    if isinstance(node, Near):
        return _positive_only(node.left) and _positive_only(node.right)
    return False


def needs_a_hit(node: Node) -> bool:
    """True when the query can only be true because something occurred (not by absence alone)."""
    if isinstance(node, Term | EntityRef | Regex | Near):
        return True
    if isinstance(node, Or):
        return all(needs_a_hit(item) for item in node.items)
    if isinstance(node, And):
        return any(needs_a_hit(item) for item in node.items)
    return False


def leaves(node: Node) -> list[Leaf]:
    if isinstance(node, Term | EntityRef | Regex):
        return [node]
    if isinstance(node, Not):
        return leaves(node.item)
    if isinstance(node, Near):
        return leaves(node.left) + leaves(node.right)
    return [leaf for item in node.items for leaf in leaves(item)]


@lru_cache(maxsize=16_384)
def parse(query: str) -> Node:
    """Parse ``query``; raises QueryError with the 1-based column of the problem.

    Trees are immutable, so the loader's check and the matcher's compile share one parse of each
    query (a tenth of compiling 10,000 terms was parsing every query twice)."""
    return _Parser(query).parse()


def checked(text: str, entities: Mapping[str, EntityConfig], *, exclude: bool = False) -> Node:
    """Parse and check a query: entities exist, and (unless an exclude) something must occur."""
    node = parse(text)
    for leaf in leaves(node):
        if isinstance(leaf, EntityRef) and leaf.name not in entities:
            raise QueryError(f"unknown entity @{leaf.name}", query=text, column=leaf.column)
    if not exclude and not needs_a_hit(node):
        message = "the query matches by absence only; add a term that must occur"
        raise QueryError(message, query=text, column=1)
    return node


def validate_query(text: str, entities: Mapping[str, EntityConfig]) -> None:
    """Raise QueryError (with the 1-based column) if ``text`` is not a valid query."""
    checked(text, entities)
