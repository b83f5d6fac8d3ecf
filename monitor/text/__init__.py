"""German text: folding with offsets back to the original (normalise), words and their forms (tokens).

The names below are the package's face; they are imported on first use, so importing one module
of the package does not load the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import exports

if TYPE_CHECKING:
    from monitor.text.normalise import Normalised, fold_keys, keys
    from monitor.text.tokens import lemma, release_lexicon, word_forms

__all__ = ["Normalised", "fold_keys", "keys", "lemma", "release_lexicon", "word_forms"]
__getattr__ = exports(__name__, {
    "Normalised": "normalise", "fold_keys": "normalise", "keys": "normalise",
    "lemma": "tokens", "release_lexicon": "tokens", "word_forms": "tokens",
})
