"""Dedup: identity keys, canonical URLs, fingerprints, MinHash signatures, band and story indexes, the stage."""
