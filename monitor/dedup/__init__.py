"""Dedup: identity keys and canonical URLs, fingerprints, MinHash signatures, band keys, the story
state (a snapshot from the database per feed, or SQLite's in-process index), and the stage that
decides each entry of a feed (docs/architecture.md §4).

The names below are the package's face; they are imported on first use, so importing one module
of the package does not load the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import exports

if TYPE_CHECKING:
    from monitor.dedup.features import identity_keys
    from monitor.dedup.stage import Deduplicator
    from monitor.dedup.urls import canonical_url

__all__ = ["Deduplicator", "canonical_url", "identity_keys"]
__getattr__ = exports(__name__, {
    "identity_keys": "features",
    "canonical_url": "urls",
    "Deduplicator": "stage",
})
