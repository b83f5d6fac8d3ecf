"""Shared fixtures: where the real third-party data lives, and skipping cleanly without it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture
def realdata() -> Path:
    """``../shared/realdata`` beside the checkout; the test is skipped where it is absent."""
    if not REALDATA.is_dir():
        pytest.skip(f"real data not present at {REALDATA}")
    return REALDATA
