"""A PostgreSQL database of the tools' own: `make simulate` and `make bench` create theirs
on first use, so neither touches the database the product or the suite runs on."""

import psycopg
from psycopg import sql


def create_if_missing(database: dict) -> bool:
    """Create the database Django's settings name (`DATABASES["default"]`, PostgreSQL);
    True if it was missing. Connects to the server's `postgres` database to do so."""
    with psycopg.connect(
        dbname="postgres",
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        autocommit=True,
    ) as connection:
        name = database["NAME"]
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True
