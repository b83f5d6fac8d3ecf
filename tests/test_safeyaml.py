"""Config files read through libyaml give what PyYAML's own parser gives, bounds and messages
included (the loader newsmon reads every monitor.yaml and watchlist file with)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from monitor import safeyaml

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted([*ROOT.glob("config/**/*.yaml"), *ROOT.glob("config/*.yaml")])


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_the_shipped_configs_read_the_same_through_libyaml(path: Path) -> None:
    text = path.read_text("utf-8")
    assert safeyaml.load(text) == safeyaml._load(safeyaml._PyLoader, text) == yaml.safe_load(text)


def test_libyaml_is_used_where_pyyaml_has_it() -> None:
    assert (safeyaml._LOADER is not safeyaml._PyLoader) == yaml.__with_libyaml__


@pytest.mark.parametrize(("text", "message"), [
    ("a: [" * 100, "nested more than 64 levels"),
    ("- " * 70 + "1", "nested more than 64 levels"),
    ("a: &x [" + ", ".join(["1"] * 400) + "]\n" + "".join(f"b{n}: [{', '.join(['*x'] * 10)}]\n" for n in range(30)),
     "aliases repeat more than 100,000 values"),
    ("n: 1" + "0" * 5000, "integer string conversion"),
    ("watchlists:\n\t- name: x", "found character '\\t' that cannot start any token"),
])
def test_refused_files_say_why_with_line_and_column(text: str, message: str) -> None:
    with pytest.raises(yaml.YAMLError) as refused:
        safeyaml.load(text)
    assert message in str(refused.value)
    assert getattr(refused.value, "problem_mark", None) is not None
