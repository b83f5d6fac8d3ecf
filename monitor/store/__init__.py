"""Storage: SQLAlchemy 2 typed tables, engine and session set-up, and the queries the stages need.

The only package that touches tables or SQL. The stages above hold a ``Session`` (the open
transaction a feed's articles and their outbox rows share) and pass it to the functions here.
"""

from sqlalchemy.orm import Session

__all__ = ["Session"]
