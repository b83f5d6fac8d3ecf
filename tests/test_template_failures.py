"""A template that fails while rendering one message costs that message an attempt, nothing more.

Jinja's own errors were caught; a ZeroDivisionError, or the sandbox's OverflowError for a huge
``range``, escaped and crashed the delivery round: no attempt was counted, the message never went
dead and every message behind it waited. ``check`` renders each template once with a sample article.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.errors import ConfigError
from monitor.reports.status import collect
from monitor.settings import load
from tests.harness import Clock, Item, rss, write_config
from tests.receivers import Webhook
from tests.servers import FeedServer

LISTS = {"watchlists": [{"name": "ukraine", "query": "Tomahawk", "notify": ["hook"]}]}
# fails for one article only: the sample article of ``check`` passes, the delivery meets it
PICKY = "{% if 'kaputt' in a.title %}{{ 1 // 0 }}{% endif %}{{ a.title }}\n{{ a.link }}"


def _config(folder: Path, feed: str, hook: str, templates: dict[str, str]) -> Path:
    (folder / "vorlagen").mkdir(exist_ok=True)
    for name, source in templates.items():
        (folder / "vorlagen" / name).write_text(source, "utf-8")
    return write_config(folder, {"Testfeed": feed}, {"hook": hook}, watchlists=LISTS, templates="vorlagen")


def test_a_message_whose_template_fails_retries_goes_dead_and_holds_up_no_other(tmp_path: Path) -> None:
    from monitor.daemon.scheduler import Runner

    clock = Clock()
    items = [Item("Tomahawk kaputt", "https://example.org/1.html", guid="eins-0001"),
             Item("Tomahawk heil", "https://example.org/2.html", guid="zwei-0002")]
    with FeedServer() as server, Webhook() as hook:
        config = _config(tmp_path, server.serve("/f.xml", rss(items)), hook.url, {"alert.text.j2": PICKY})
        run = Runner(load(config), clock=clock)
        report = run.cycle()
        assert report.delivery.sent == 1 and report.delivery.retried == 1
        assert any("alert.text.j2" in error and "ZeroDivisionError" in error for error in report.delivery.errors)
        for _ in range(5):  # max_attempts 4 in the harness
            clock.advance(hours=1)
            run.deliver()
        run.close()
    assert [m["title"] for m in hook.messages] == ["[ukraine] Tomahawk heil"]
    assert collect(run.settings)["outbox"] == {"pending": 0, "sent": 1, "dead": 1}
    dead = CliRunner().invoke(main, ["--config", str(config), "alerts", "list", "--dead", "--json"])
    assert "ZeroDivisionError" in dead.output and '"attempts": 4' in dead.output


@pytest.mark.parametrize(("name", "source", "error"), [
    ("alert.markdown.j2", "{{ range(10 ** 9) | list | length }}", "OverflowError"),
    ("batch.html.j2", "{{ items | length / 0 }}", "ZeroDivisionError"),
    ("admin.title.j2", "{{ e.feed.nope.deeper }}", "UndefinedError"),
])
def test_check_renders_every_template_once_and_names_the_failing_file(tmp_path: Path, name: str, source: str,
                                                                      error: str) -> None:
    config = _config(tmp_path, "http://127.0.0.1:9/f.xml", "json://127.0.0.1:9/h", {name: source})
    with pytest.raises(ConfigError) as caught:
        load(config)
    assert str(tmp_path / "vorlagen" / name) in str(caught.value) and error in str(caught.value)
    shown = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert shown.exit_code == 2 and name in shown.output


def test_a_template_failing_only_for_some_articles_passes_check_and_the_bundled_ones_render(tmp_path: Path) -> None:
    config = _config(tmp_path, "http://127.0.0.1:9/f.xml", "json://127.0.0.1:9/h", {"alert.text.j2": PICKY})
    assert load(config).templates["alert.text.j2"] == PICKY
