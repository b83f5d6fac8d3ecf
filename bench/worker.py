"""One measurement in a fresh process (clean imports, its own peak RSS): ``python -m bench.worker JSON``.

The JSON names the section and its arguments; the result is printed as one JSON line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def dispatch(job: dict[str, Any]) -> Any:
    section = job["section"]
    if section == "stages":
        from bench import stages

        return stages.run(job["kind"], Path(job["feeds"]), job["watchlists"], job["repeat"])
    if section == "matching":
        from bench import matching

        return matching.run(job["terms"], job["repeat"], job["budget"], job["termset"])
    if section == "growth":
        from bench import growth

        return growth.run(job["sizes"])
    if section == "cycle":
        from bench import cycle

        return cycle.run(job["feeds"], job["per_feed"])
    if section == "latency":
        from bench import latency

        return latency.run(job["trials"])
    if section == "runtime":
        from bench import runtime

        return runtime.measure(sys.executable, job["repeat"], set())
    raise SystemExit(f"unknown section {section!r}")


def main() -> None:
    print(json.dumps(dispatch(json.loads(sys.argv[1]))))


if __name__ == "__main__":
    main()
