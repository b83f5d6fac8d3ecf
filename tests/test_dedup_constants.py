"""The constants that stand in for datasketch at run time are datasketch's values, and the
commands a user starts often import neither datasketch (scipy) nor simplemma's dictionary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from monitor.dedup import features
from monitor.dedup.bands import PARAMETERS, parameters

ROOT = Path(__file__).resolve().parents[1]
FEED = ROOT.parent / "shared" / "realdata" / "corss-dec2024-snapshot" / "tagesschau.xml"


def test_permutations_are_datasketchs() -> None:
    from datasketch import MinHash

    a, b = MinHash(num_perm=features.NUM_PERM, seed=1, scheme=features.SCHEME).permutations
    mine_a, mine_b = features._permutations()
    assert mine_a.dtype == np.uint32 and mine_b.dtype == np.uint32
    assert mine_a.tolist() == a.tolist() and mine_b.tolist() == b.tolist()


@pytest.mark.parametrize(("threshold", "num_perm"), sorted(PARAMETERS))
def test_band_parameters_are_the_ones_minhashlsh_picks(threshold: float, num_perm: int) -> None:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    assert parameters(threshold, num_perm) == (lsh.b, lsh.r)


def test_the_near_duplicate_index_uses_a_listed_parameter_pair() -> None:
    from monitor.dedup.nearindex import LSH_THRESHOLD

    assert (LSH_THRESHOLD, features.NUM_PERM) in PARAMETERS


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(done.stdout.split())


def test_the_package_imports_without_datasketch_or_scipy() -> None:
    loaded = _modules_after("import monitor.cli, monitor.pipeline, monitor.daemon.scheduler, monitor.dedup.stage")
    assert not loaded & {"datasketch", "scipy", "simplemma"}


def test_match_over_a_feed_loads_no_heavy_module(realdata: Path) -> None:
    """``newsmon match`` runs to the end without datasketch, scipy, or simplemma's dictionary: the
    lexicon's tries (built by an earlier run) are all it maps."""
    code = ("from monitor.cli import main\n"
            "try:\n"
            f"    main(['match', '--watchlists', {str(ROOT / 'config' / 'watchlists')!r}, {str(FEED)!r}])\n"
            "except SystemExit as done:\n"
            "    assert done.code in (0, None), done.code\n")
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, cwd=ROOT)  # builds the tries once
    loaded = _modules_after(code)
    assert "monitor.reports.offline" in loaded
    assert not loaded & {"datasketch", "scipy", "simplemma", "alembic"}
