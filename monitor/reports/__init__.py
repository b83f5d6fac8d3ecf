"""Read-side services behind the CLI: status, feed list, stories, search, backtest, offline match, outbox."""
