"""The systemd units: they verify, and ``systemd-analyze security`` rates each service 2.0 or lower.

Skipped where systemd-analyze is not installed (``apt-get install systemd``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[1] / "systemd"
SERVICES = ["newsmon.service", "newsmon-once.service", "newsmon-web.service"]


def _analyze(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, timeout=60, cwd=cwd,
                          check=False)


@pytest.mark.parametrize("unit", SERVICES)
def test_the_sandbox_rates_two_or_lower(unit: str) -> None:
    result = _analyze("security", "--offline=yes", "--no-pager", str(UNITS / unit))
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d)", result.stdout)
    assert found, result.stdout + result.stderr
    assert float(found.group(1)) <= 2.0, result.stdout


def test_the_units_verify(tmp_path: Path) -> None:
    newsmon = Path(sys.executable).with_name("newsmon")
    if not newsmon.exists():
        pytest.skip("the newsmon console script is not installed beside this Python")
    for unit in [*SERVICES, "newsmon-once.timer"]:
        text = (UNITS / unit).read_text("utf-8").replace("/opt/newsmon/.venv/bin/newsmon", str(newsmon))
        (tmp_path / unit).write_text(text, "utf-8")
    result = _analyze("verify", *[f"./{u}" for u in [*SERVICES, "newsmon-once.timer"]], cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_daemon_unit_notifies_reloads_and_keeps_secrets_out_of_the_unit() -> None:
    unit = (UNITS / "newsmon.service").read_text("utf-8")
    settings = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))
    assert settings["Type"] == "notify" and settings["WatchdogSec"]
    assert settings["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert settings["EnvironmentFile"] == "-/etc/newsmon/newsmon.env"
    assert settings["StateDirectory"] == "newsmon" and settings["DynamicUser"] == "yes"
