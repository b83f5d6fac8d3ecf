"""Alerts: outbox rows (outbox.py), messages (render.py), apprise delivery (deliver.py)."""
