"""Storage: SQLAlchemy 2 typed tables, engine/session set-up, and the queries the stages need."""
