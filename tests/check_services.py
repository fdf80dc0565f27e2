"""Say clearly, before any test runs, whether PostgreSQL and Redis answer."""

import os
import sys

import psycopg
import redis


def main() -> int:
    failures = []
    database_url = os.environ["DATABASE_URL"]
    try:
        # The test database is created by pytest-django; check the server via `postgres`.
        base = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(base, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        failures.append(f"PostgreSQL is not answering at {database_url}: {exc}")
    broker_url = os.environ["CELERY_BROKER_URL"]
    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        failures.append(f"Redis is not answering at {broker_url}: {exc}")
    for failure in failures:
        print(f"make test: {failure}", file=sys.stderr)
    if failures:
        print(
            "make test: start PostgreSQL and Redis on localhost, then run it again.",
            file=sys.stderr,
        )
        return 1
    print("PostgreSQL and Redis answer.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
