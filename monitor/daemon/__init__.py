"""The daemon: scheduler and run-once cycle, polling over leased feeds, supervisor, reload, sd_notify, metrics."""
