"""German text: folding with offsets back to the original (normalise), words and their forms (tokens)."""
