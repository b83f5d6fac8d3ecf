"""The query language: what parses, and errors that point at the right column."""

from __future__ import annotations

import pytest

from monitor.config import EntityConfig
from monitor.errors import ConfigError, QueryError
from monitor.match import validate_query
from monitor.match.query import And, EntityRef, Near, Not, Or, Regex, Term, parse

ENTITIES = {"lawrow": EntityConfig(name="Sergej Lawrow", aliases=["Lawrow"])}


def test_and_binds_tighter_than_or_and_juxtaposition_is_and() -> None:
    tree = parse("Gipfel Budapest OR Wien AND Prag")
    assert isinstance(tree, Or)
    assert all(isinstance(item, And) for item in tree.items)


def test_not_minus_near_fields_entities_regex() -> None:
    tree = parse('title:(Gipfel NEAR/4 "Budapest") -@lawrow re:/G\\d+/')
    assert isinstance(tree, And)
    near, negated, pattern = tree.items
    assert isinstance(near, Near) and near.distance == 4
    assert isinstance(near.left, Term) and near.left.fields == frozenset({"title"})
    assert isinstance(negated, Not) and isinstance(negated.item, EntityRef)
    assert isinstance(pattern, Regex) and pattern.pattern == "G\\d+"


def test_hyphen_inside_a_word_is_not_negation() -> None:
    tree = parse("Nato-Chef")
    assert isinstance(tree, Term) and tree.words == ("Nato", "Chef")


def test_wildcards() -> None:
    prefix, suffix = parse("Tomahawk*"), parse("*gipfel")
    assert isinstance(prefix, Term) and prefix.prefix and not prefix.suffix
    assert isinstance(suffix, Term) and suffix.suffix and not suffix.prefix


@pytest.mark.parametrize(
    ("query", "column", "says"),
    [
        ("Gipfel AND", 11, "ends too early"),
        ('Gipfel "Budapest', 8, "unterminated phrase"),
        ("(Gipfel OR Wien", 1, "never closed"),
        ("Gipfel )", 8, "unexpected"),
        ("Gipfel OR @unbekannt", 11, "unknown entity"),
        ("Sel*kyj", 1, "wildcard"),
        ("Gipfel OR a*", 11, "at least 3"),
        ("Gipfel re:/(unclosed/", 12, "bad regular expression"),
        ("Gipfel re:/abc", 8, "unterminated regular expression"),
        ("NOT Fußball", 1, "absence"),
        ("", 1, "empty"),
        ("Gipfel NEAR/3 (NOT Wien)", 8, "NEAR"),
        ("Gipfel NEAR/3 -Wien", 15, "unexpected"),
        ("Trump or Biden", 7, "capitals: OR"),
        ("Gipfel near/3 Wien", 8, "capitals: NEAR/3"),
        ("Gipfel And Wien", 8, "capitals: AND"),
    ],
)
def test_errors_point_at_the_column(query: str, column: int, says: str) -> None:
    with pytest.raises(QueryError) as info:
        validate_query(query, ENTITIES)
    assert info.value.column == column
    assert says in str(info.value)


def test_query_error_is_a_config_error_with_a_pointer() -> None:
    with pytest.raises(ConfigError) as info:
        validate_query("Gipfel OR OR Wien", ENTITIES)
    assert "column 11" in str(info.value)
    assert str(info.value).splitlines()[-1].endswith("^")


def test_valid_queries_pass() -> None:
    for query in [
        '"Budapest-Gipfel" OR (Gipfel NEAR/6 Budapest) OR Tomahawk OR (@lawrow AND Rubio)',
        *("title:Tomahawk*", "summary:*gipfel", 'body:"Sergej Lawrow"', "und oder nicht", "Gipfel NEAR Wien"),
        'Trump "or" Biden',
    ]:
        validate_query(query, ENTITIES)
