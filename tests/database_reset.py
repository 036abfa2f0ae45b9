"""Emptying a PostgreSQL database for a test or benchmark run: never point it at yours."""

import sqlalchemy


def reset_public_schema(url: str) -> None:
    """Drop every table, type and sequence: what `flask db upgrade` starts from."""
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("DROP SCHEMA public CASCADE"))
        conn.execute(sqlalchemy.text("CREATE SCHEMA public"))
    engine.dispose()
