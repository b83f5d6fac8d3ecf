"""``newsmon schema``: the JSON Schema editors use accepts what newsmon accepts and flags typos."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from monitor.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _schema(kind: str, tmp_path: Path) -> dict[str, object]:
    out = tmp_path / f"{kind}.schema.json"
    result = CliRunner().invoke(main, ["schema", kind, "--output", str(out)])
    assert result.exit_code == 0, result.output
    schema = json.loads(out.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema  # type: ignore[no-any-return]


def _errors(schema: dict[str, object], data: object) -> list[str]:
    return [error.message for error in jsonschema.Draft202012Validator(schema).iter_errors(data)]


def test_the_example_config_and_watchlists_validate(tmp_path: Path) -> None:
    monitor = _schema("monitor", tmp_path)
    assert _errors(monitor, yaml.safe_load((ROOT / "config" / "monitor.yaml").read_text("utf-8"))) == []
    watchlist = _schema("watchlist", tmp_path)
    files = sorted((ROOT / "config" / "watchlists").glob("*.yaml"))
    assert files
    for file in files:
        assert _errors(watchlist, yaml.safe_load(file.read_text("utf-8"))) == [], file


def test_typos_and_bad_values_are_flagged(tmp_path: Path) -> None:
    monitor = _schema("monitor", tmp_path)
    assert any("intervall" in e for e in _errors(monitor, {"poll": {"intervall": "5m"}}))
    assert _errors(monitor, {"poll": {"interval": "fünf Minuten"}})
    assert _errors(monitor, {"targets": {"chat": {"url": "json://x", "format": "pdf"}}})
    good = {"targets": {"chat": "tgram://t/c", "mail": {"url": "mailto://x", "format": "html"}},
            "retention": {"bodies": "90d"}, "metrics": {"listen": "127.0.0.1:9464"}, "http": {"max_bytes": "5MB"}}
    assert _errors(monitor, good) == []
    watchlist = _schema("watchlist", tmp_path)
    assert _errors(watchlist, {"watchlists": [{"name": "x", "query": "y", "per": "artikel"}]})


def test_defaults_are_shown_as_written() -> None:
    result = CliRunner().invoke(main, ["schema"])
    schema = json.loads(result.output)
    assert schema["$defs"]["PollConfig"]["properties"]["interval"]["default"] == "5m"
    assert schema["$defs"]["HttpConfig"]["properties"]["max_bytes"]["default"] == "10MB"
