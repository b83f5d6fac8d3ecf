"""Config: the example loads; every mistake is one message naming file and key, exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from monitor.cli import main
from monitor.errors import ConfigError
from monitor.settings import load
from tests.harness import WATCHLISTS, write_config

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_example_loads_with_real_german_outlets() -> None:
    settings = load(ROOT / "config" / "monitor.yaml")
    hosts = {feed.url.split("/")[2] for feed in settings.feeds}
    assert len(hosts) >= 8
    assert any(h.endswith(".at") for h in hosts) and any(h.endswith(".ch") for h in hosts)
    names = {w.name for w in settings.watchlists}
    assert "ukraine-diplomatie" in names
    query = next(w.query for w in settings.watchlists if w.name == "ukraine-diplomatie")
    for word in ("Budapest-Gipfel", "Tomahawk", "@lawrow", "@rubio"):
        assert word in query
    assert "Selenskyj" in settings.entities["selenskyj"].aliases


def test_durations_sizes_and_env_substitution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_URL", "json://127.0.0.1:9/secret-token")
    config = write_config(tmp_path, {"a": "feed.xml"}, {"hook": "${HOOK_URL}"},
                          http={"timeout": "45s", "max_bytes": "512KB"}, poll={"interval": "2h"})
    settings = load(config)
    assert settings.monitor.targets["hook"].url == "json://127.0.0.1:9/secret-token"
    assert settings.monitor.http.timeout == 45 and settings.monitor.http.max_bytes == 512_000
    assert settings.monitor.poll.interval == 7200
    assert settings.feeds[0].url == str(tmp_path / "feed.xml")  # relative paths are relative to the config


def _expect(config: Path, *fragments: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(config)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_missing_environment_variable_names_file_and_key(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "${NEWSMON_TEST_UNSET_VARIABLE}"})
    _expect(config, "monitor.yaml", "targets.hook", "NEWSMON_TEST_UNSET_VARIABLE")


def test_unknown_target_in_notify_names_the_watchlist_file(tmp_path: Path) -> None:
    bad = {"watchlists": [{"name": "x", "query": "Rubio", "notify": ["nirgends"]}]}
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, watchlists=bad)
    _expect(config, "test.yaml", "x.notify", "unknown target 'nirgends'")


def test_query_that_does_not_parse_points_at_the_column(tmp_path: Path) -> None:
    bad = {"watchlists": [{"name": "kaputt", "query": "(Tomahawk OR", "notify": ["hook"]}]}
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, watchlists=bad)
    _expect(config, "test.yaml", "kaputt.query", "column")


def test_missing_field_and_unknown_key(tmp_path: Path) -> None:
    bad = {"watchlists": [{"name": "ohne-query", "notify": ["hook"]}]}
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, watchlists=bad)
    _expect(config, "test.yaml", "watchlists[0] (ohne-query).query", "required")
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, delivery={"max_attemps": 3})
    _expect(config, "monitor.yaml", "delivery.max_attemps", "unknown key")
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, poll={"interval": "fünf Minuten"})
    _expect(config, "monitor.yaml", "poll.interval", "duration")


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    (tmp_path / "watchlists" / "zweite.yaml").write_text("watchlists:\n  - name: [unclosed\n", "utf-8")
    _expect(config, "zweite.yaml", "line")


def test_two_files_merge_and_duplicate_names_are_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    extra = {"watchlists": [{"name": "nahost", "query": "Gaza", "notify": ["hook"]}]}
    (tmp_path / "watchlists" / "nahost.yaml").write_text(yaml.safe_dump(extra), "utf-8")
    assert {w.name for w in load(config).watchlists} == {"ukraine", "trump", "nahost"}
    (tmp_path / "watchlists" / "doppelt.yaml").write_text(yaml.safe_dump(WATCHLISTS), "utf-8")
    _expect(config, "already defined in", "doppelt.yaml", "test.yaml")


def test_check_exits_2_naming_a_broken_watchlist(tmp_path: Path) -> None:
    bad = {"watchlists": [{"name": "kaputt", "query": "Tomahawk AND", "notify": ["hook"]}]}
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, watchlists=bad)
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert "test.yaml" in result.output and "kaputt" in result.output


def test_check_prints_targets_in_privacy_form(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "tgram://123456789:ABCdefSecretToken/987654"})
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert result.exit_code == 0, result.output
    assert "config ok" in result.output and "ABCdefSecretToken" not in result.output
