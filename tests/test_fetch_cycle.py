"""One cycle over every hostile server plus a good feed: finishes in time, bounded memory, no escape."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CYCLE = textwrap.dedent('''
    import json, random, resource, time
    from datetime import UTC, datetime
    from monitor.config import HttpConfig
    from monitor.errors import ParseError
    from monitor.feeds.fetcher import fetch_all
    from monitor.model import Validators
    from monitor.feeds.parse.reader import parse
    from monitor.feeds.schedule import next_poll
    from tests import servers
    from tests.test_parse_hostile import BOMB

    def peak_rss_mb():
        # VmHWM belongs to this process image; ru_maxrss would include the parent's RSS at fork
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    GOOD = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Gut</title>"
            "<item><title>Außenminister trifft Amtskollegen</title><link>/a</link></item>"
            "</channel></rss>").encode()
    XXE = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<rss version="2.0"><channel><title>&x;</title><item><title>&x;</title></item></channel></rss>')
    http = HttpConfig(timeout=2.0, max_bytes=5_000_000)
    with servers.FeedServer() as s:
        s.serve("/good", GOOD, etag='"g1"')
        s.handle("/endless", servers.endless())
        s.handle("/gzip-bomb", servers.gzip_bomb(500_000_000))
        s.handle("/trickle", servers.trickle(every=0.5))
        s.handle("/429", servers.retry_after(3600))
        s.handle("/500", servers.status(500))
        s.serve("/entity-bomb", BOMB)
        s.serve("/xxe", XXE)
        s.redirect("/loop-a", "/loop-b"); s.redirect("/loop-b", "/loop-a")
        for i in range(8):
            s.redirect(f"/chain{i}", f"/chain{i + 1}", status=302)
        jobs = [(p, s.url(p), Validators()) for p in
                ("/good", "/endless", "/gzip-bomb", "/trickle", "/429", "/500", "/entity-bomb", "/xxe",
                 "/loop-a", "/chain0")]
        jobs.append(("refused", servers.refused_url(), Validators()))
        started = time.monotonic()
        out = {}
        for key, result in fetch_all(jobs, http, per_host=4, workers=8):
            entry = {"error": result.error, "etag": result.etag, "retry_after": result.retry_after}
            if result.body is not None:
                try:
                    feed = parse(result.body, s.url(key))
                    entry["titles"] = [e.title for e in feed.entries]
                except ParseError as err:
                    entry["error"] = str(err)
            out[key] = entry
        elapsed = time.monotonic() - started
        second = dict(fetch_all([("/good", s.url("/good"), Validators(etag='"g1"'))], http))
        now = datetime(2026, 1, 1, tzinfo=UTC)
        from monitor.model import FetchResult
        wait = next_poll(now, 60, FetchResult(url="", retry_after=out["/429"]["retry_after"]), 1,
                         random.Random(0))
    print(json.dumps({"results": out, "elapsed": elapsed, "second_not_modified": second["/good"].not_modified,
                      "retry_wait": (wait - now).total_seconds(),
                      "peak_rss_mb": peak_rss_mb()}))
''')


def test_cycle_over_hostile_feeds_is_bounded_and_records_every_failure() -> None:
    done = subprocess.run([sys.executable, "-c", CYCLE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    results = report["results"]
    assert results["/good"]["error"] is None
    assert results["/good"]["titles"] == ["Außenminister trifft Amtskollegen"]
    assert results["/endless"]["error"] == "body over 5 MB"
    assert results["/gzip-bomb"]["error"] == "body over 5 MB"
    assert results["/trickle"]["error"] == "timed out after 2s"
    assert results["/429"]["error"] == "HTTP 429" and results["/429"]["retry_after"] == 3600
    assert results["/500"]["error"] == "HTTP 500"
    assert results["/loop-a"]["error"] == "redirect loop"
    assert results["/chain0"]["error"].startswith("too many redirects")
    assert results["refused"]["error"] == "connection refused"
    assert "root:" not in json.dumps(results["/xxe"])
    assert not any("lol" * 50 in t for t in results["/entity-bomb"].get("titles", []))
    assert report["elapsed"] < 10  # the trickle (1,250 s at full length) is cut at the 2s timeout
    assert report["second_not_modified"] is True
    assert report["retry_wait"] >= 3600
    assert report["peak_rss_mb"] < 200, report["peak_rss_mb"]
