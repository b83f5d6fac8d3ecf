"""Deeply nested queries and YAML: a clear error naming file, watchlist, key and position, exit 2;
a reload refuses them; generated queries and watchlist files only ever give a value or a ConfigError."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.cli import main
from monitor.config import EntityConfig
from monitor.daemon.reload import reread
from monitor.errors import ConfigError, QueryError
from monitor.match import validate_query
from monitor.match.query import MAX_NESTING, parse
from monitor.settings import load, load_watchlists
from tests.harness import WATCHLISTS, write_config

DEEP_QUERIES = {
    "brackets": "(" * 200 + "Gipfel" + ")" * 200,
    "not": "NOT " * 1000 + "Gipfel",
    "near": "Gipfel NEAR/2 " * 1000 + "Gipfel",
    "fields": "title:" * 1000 + "Gipfel",
}
ENTITIES = {"lawrow": EntityConfig(name="Sergej Lawrow", aliases=["Lawrow"])}


@pytest.mark.parametrize("shape", sorted(DEEP_QUERIES))
def test_a_deeply_nested_query_is_a_query_error_with_its_column(shape: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(DEEP_QUERIES[shape])
    assert f"nested more than {MAX_NESTING} levels" in str(caught.value)
    assert 1 < caught.value.column <= len(DEEP_QUERIES[shape])


def test_nesting_up_to_the_bound_still_parses_and_matches() -> None:
    depth = MAX_NESTING
    validate_query("(" * depth + "Gipfel" + ")" * depth, ENTITIES)
    validate_query("Gipfel " + "NOT " * depth + "Rubio", ENTITIES)
    validate_query("Gipfel NEAR/2 " * depth + "Gipfel", ENTITIES)


def _watchlist_with(tmp_path: Path, query: str) -> Path:
    watchlists = {**WATCHLISTS, "watchlists": [{"name": "tief", "query": query, "notify": ["hook"]}]}
    return write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, watchlists=watchlists)


def test_check_names_file_watchlist_key_and_column_of_a_deep_query_and_exits_2(tmp_path: Path) -> None:
    config = _watchlist_with(tmp_path, DEEP_QUERIES["brackets"])
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert str(tmp_path / "watchlists" / "test.yaml") in result.output
    assert "tief.query" in result.output and "nested more than" in result.output and "column" in result.output


def test_search_with_a_deep_query_exits_2_with_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    for query in DEEP_QUERIES.values():
        result = CliRunner().invoke(main, ["search", "--config", str(config), query])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("newsmon: error:") and "nested more than" in result.output


def _deep_yaml(depth: int) -> str:
    return "watchlists:\n  - name: tief\n    query: Gipfel\n    notify: " + "[" * depth + "]" * depth + "\n"


def _deep_block_yaml(depth: int) -> str:
    lines = ["entities:"] + ["  " * (level + 1) + f"k{level}:" for level in range(depth)]
    return "\n".join(lines) + " x\n"


@pytest.mark.parametrize("text", [_deep_yaml(5000), _deep_block_yaml(1000)], ids=["flow", "block"])
def test_a_watchlist_file_nested_5000_deep_is_a_config_error_naming_file_and_line(tmp_path: Path,
                                                                                  text: str) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    deep = tmp_path / "watchlists" / "tief.yaml"
    deep.write_text(text, "utf-8")
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"newsmon: error: {deep}: line ")
    assert "nested more than" in result.output
    with pytest.raises(ConfigError, match="nested more than"):
        load_watchlists(deep)


def test_nesting_within_the_bound_loads(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    (tmp_path / "watchlists" / "flach.yaml").write_text(
        "watchlists:\n  - name: flach\n    query: Gipfel\n    notify: [hook]\n", "utf-8")
    assert "flach" in [w.name for w in load(config).watchlists]


def test_a_reload_refuses_a_deep_file_and_keeps_the_running_config(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    running = load(write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}))
    deep = tmp_path / "watchlists" / "tief.yaml"
    deep.write_text(_deep_yaml(5000), "utf-8")
    with caplog.at_level(logging.ERROR):
        assert reread(running) is None
    assert "reload refused" in caplog.text and "nested more than" in caplog.text


def test_a_number_too_long_to_convert_is_a_config_error(tmp_path: Path) -> None:
    deep = tmp_path / "w.yaml"
    deep.write_text("watchlists:\n  - name: " + "1" * 5000 + "\n    query: Gipfel\n", "utf-8")
    with pytest.raises(ConfigError, match="line 2"):
        load_watchlists(deep)


def test_a_reload_refuses_any_unexpected_failure_and_keeps_the_running_config(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory running out inside the YAML library (third-party code, so it is made to fail here)."""
    import yaml.composer

    running = load(write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}))

    def exhausted(self: object) -> None:
        raise MemoryError

    monkeypatch.setattr(yaml.composer.Composer, "compose_document", exhausted)
    with caplog.at_level(logging.ERROR):
        assert reread(running) is None
    assert "reload refused" in caplog.text and "MemoryError" in caplog.text


# -- fuzzing: every outcome is a value or a ConfigError/QueryError ------------------------------------

_PIECES = st.sampled_from(["(", ")", "(", ")", "NOT ", "-", "AND ", "OR ", "NEAR/3 ", "NEAR ", "title:", "body:",
                           "summary:", '"', '"Budapest-Gipfel"', "Gipfel", "Gipfel*", "*gipfel", "@lawrow", "@nobody",
                           "re:/", "re:/Gip+fel/", "re:/(/", "/", "\\", " ", "and ", "Or ", "ä", "ß", "\u00ad",
                           "*", ":", "@", "x", "12", "near/2 "])
_QUERIES = st.one_of(st.lists(_PIECES, max_size=40).map("".join), st.text(max_size=60))


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_QUERIES)
def test_fuzz_the_query_parser_gives_a_value_or_a_query_error(query: str) -> None:
    with contextlib.suppress(QueryError):
        validate_query(query, ENTITIES)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["(", "NOT ", "title:", "x NEAR/2 "]))
def test_fuzz_nesting_of_any_depth_gives_a_value_or_a_query_error(depth: int, opener: str) -> None:
    query = opener * depth + "Gipfel" + (")" * depth if opener == "(" else "")
    try:
        validate_query(query, ENTITIES)
    except QueryError as err:
        assert ("nested more than" in str(err)) == (depth > MAX_NESTING)


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                     st.sampled_from(["Gipfel", "(Gipfel", "hook", "instant", "digest:x", "story", "${HOME}",
                                      "${NICHT_GESETZT}", "@lawrow", "1s"]))
_KEYS = st.sampled_from(["entities", "watchlists", "name", "query", "exclude", "notify", "per", "mode", "aliases",
                         "fuzzy", "urgent", "trending", "outlets", "within", "followups", "lawrow", "x"])
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=30)
_DOCUMENTS = st.one_of(
    st.fixed_dictionaries({"watchlists": st.lists(
        st.fixed_dictionaries({"name": _SCALARS, "query": st.one_of(_QUERIES, _SCALARS)},
                              optional={"notify": _VALUES, "exclude": _QUERIES, "per": _SCALARS, "mode": _SCALARS}),
        max_size=3)}, optional={"entities": _VALUES}),
    st.dictionaries(_KEYS, _VALUES, max_size=4),
    _VALUES,
)
_YAML_NOISE = st.lists(st.sampled_from(["watchlists:", "\n", "  - ", "name: x", "query: ", "[", "]", "{", "}",
                                        "&a ", "*a ", "<<: *a", "!!python/object:os.system", "'", '"', ":", "- ",
                                        "\t", "---", "%YAML 1.1", "?", "|", ">", "#", "@", "`", "\x00", "\ufeff"]),
                       max_size=30).map("".join)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.function_scoped_fixture])
@given(st.one_of(_DOCUMENTS.map(lambda doc: yaml.safe_dump(doc, allow_unicode=True)), _YAML_NOISE,
                 st.text(max_size=80)))
def test_fuzz_the_watchlist_loader_gives_a_value_or_a_config_error(tmp_path_factory: pytest.TempPathFactory,
                                                                  text: str) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    file = folder / "w.yaml"
    file.write_text(text, "utf-8", errors="surrogatepass")
    with contextlib.suppress(ConfigError):
        load_watchlists(file, ENTITIES)


def test_sighup_with_a_deeply_nested_watchlist_is_refused_and_the_daemon_keeps_running(tmp_path: Path) -> None:
    import signal

    from tests.harness import Item, rss
    from tests.servers import FeedServer
    from tests.test_daemon import NotifySocket, Process, _one_second_feeds, wait_for

    with FeedServer() as server, NotifySocket() as systemd:
        url = server.serve("/feed.xml", rss([Item("Wetter: Sonne in Hamburg", "https://example.org/w.html")]))
        config = write_config(tmp_path, {"Testfeed": url}, {"hook": "json://127.0.0.1:9/h"})
        _one_second_feeds(config)
        env = {k: v for k, v in __import__("os").environ.items() if k not in ("JOURNAL_STREAM", "WATCHDOG_USEC")}
        daemon = Process(["run", "--config", str(config)], {**env, "NOTIFY_SOCKET": systemd.name})
        try:
            wait_for(lambda: systemd.count("READY=1") == 1, proc=daemon)
            deep = tmp_path / "watchlists" / "tief.yaml"
            deep.write_text(_deep_yaml(5000), "utf-8")
            daemon.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: daemon.logged("level=error", "reload refused", "nested more than"), proc=daemon)
            wait_for(lambda: systemd.count("READY=1") == 2, proc=daemon)
            polls = server.hits["/feed.xml"]
            wait_for(lambda: server.hits["/feed.xml"] > polls, proc=daemon)  # still polling
            daemon.proc.send_signal(signal.SIGTERM)
            assert daemon.proc.wait(timeout=15) == 0
            assert not daemon.logged("Traceback") and not daemon.logged("RecursionError")
        finally:
            daemon.close()


def test_aliases_that_multiply_a_small_file_are_a_config_error(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb = tmp_path / "w.yaml"
    bomb.write_text("\n".join(lines) + "\nwatchlists: []\n", "utf-8")
    with pytest.raises(ConfigError, match="aliases repeat more than"):
        load_watchlists(bomb)
