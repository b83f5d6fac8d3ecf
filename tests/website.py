"""A newsmon site for the web view's tests: the real captures (and a few feeds of our own) served on
127.0.0.1, one ``newsmon run --once`` over them, and ``newsmon web`` as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.harness import Item, rss, write_config
from tests.receivers import Webhook, free_port
from tests.servers import FeedServer

ROOT = Path(__file__).resolve().parents[1]
# The alert tests' hostile title: an article literally titled with markup, to be shown as text.
HOSTILE = Item("Lawrow: &lt;script&gt;alert(1)&lt;/script&gt; Grüße aus Moskau – „Gipfel“ in Budapest",
               "https://example.org/lawrow.html?a=1&b=2", guid="lawrow-1",
               description="Außenminister Lawrow &lt;b&gt;sagte&lt;/b&gt; am Montag, der Gipfel sei gut vorbereitet.")
HOSTILE_TEXT = "Lawrow: <script>alert(1)</script> Grüße aus Moskau"
FEED_PASSWORD = "s3cret-feed-pass"
TARGET_SECRET = "s3cret-target-token"
MAGDEBURG = "Magdeburg AND (Anschlag OR Weihnachtsmarkt OR Todesfahrt OR Amokfahrt OR Attentat OR Täter)"
WATCHLISTS: dict[str, object] = {"watchlists": [
    {"name": "magdeburg", "query": MAGDEBURG, "notify": ["hook"], "per": "story"},
    {"name": "lawrow", "query": "Lawrow", "notify": ["broken"]},
]}
PREVIEWED: dict[str, object] = {"watchlists": [{"name": "weihnachtsmarkt", "query": "Weihnachtsmarkt",
                                                "notify": ["hook"]}]}


@dataclass
class Site:
    folder: Path
    config: Path
    hook: Webhook
    broken: Webhook

    def newsmon(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "monitor", "--config", str(self.config), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=300, env=_env(), check=False)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NEWSMON_CONFIG", None)
    return env


@contextmanager
def site(folder: Path, captures: Path, **extra: object) -> Iterator[Site]:
    """The captured feeds plus a hostile one, one behind a password and one failing; ``run --once``
    over them (no age limit: the captures are old): articles, stories, alerts sent to ``hook``,
    dead ones for ``broken`` (it always answers 500, and one attempt is all an alert gets)."""
    with ExitStack() as stack:
        server = stack.enter_context(FeedServer())
        hook = stack.enter_context(Webhook())
        broken = stack.enter_context(Webhook(always_fail=True))
        feeds = {path.stem: server.serve(f"/{path.name}", path.read_bytes()) for path in sorted(captures.glob("*.xml"))}
        feeds["hostile"] = server.serve("/hostile.xml", rss([HOSTILE]))
        feeds["private"] = server.url("/private.xml").replace("http://", f"http://reader:{FEED_PASSWORD}@")
        server.serve("/private.xml", rss([Item("Ein Artikel hinter einem Passwort", "https://example.org/p1")]))
        feeds["gone"] = server.serve("/gone.xml", b"gone", status=500)
        targets = {"hook": hook.url, "broken": broken.url + "/" + TARGET_SECRET}
        config = write_config(folder, feeds, targets, WATCHLISTS,
                              delivery={"backoff": "30s", "max_attempts": 1, "max_age": None}, **extra)
        (folder / "watchlists" / "preview.yaml").write_text(yaml.safe_dump(PREVIEWED, allow_unicode=True), "utf-8")
        made = Site(folder, config, hook, broken)
        done = made.newsmon("run", "--once")
        assert done.returncode == 0, done.stderr
        yield made


class WebProcess:
    """``newsmon web --listen 127.0.0.1:PORT`` as a subprocess, ready when its port answers."""

    def __init__(self, config: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "web",
                                      "--listen", f"127.0.0.1:{self.port}", *args], cwd=ROOT, env=_env(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_for_port(self.port, self.proc)

    def close(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err

    def __enter__(self) -> WebProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def wait_for_port(port: int, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")
