"""Feed parsing: bytes → ``Entry`` (the lxml fast path, feedparser underneath, JSON Feed, encodings, HTML → text)."""
