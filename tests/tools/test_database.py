"""`manage.py create_database` gives the tools a PostgreSQL database of their own (the
way `make simulate` and `make bench` call it: a fresh process, DATABASE_URL set)."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def server() -> dict:
    database = settings.DATABASES["default"]
    return {"host": database["HOST"], "port": database["PORT"], "user": database["USER"]}


def exists(name: str) -> bool:
    with psycopg.connect(dbname="postgres", **server()) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def create_database(database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "HELPDESK_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "manage.py", "create_database"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def missing_database():
    name = f"helpdesk_tools_{os.getpid()}"
    yield name
    with psycopg.connect(dbname="postgres", autocommit=True, **server()) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_it_creates_the_database_once(missing_database, tmp_path):
    s = server()
    url = f"postgres://{s['user']}@{s['host']}:{s['port']}/{missing_database}"
    assert not exists(missing_database)

    first = create_database(url, tmp_path)
    second = create_database(url, tmp_path)

    assert first.returncode == 0, first.stderr
    assert first.stdout == f"Created the database {missing_database}.\n"
    assert (second.returncode, second.stdout) == (0, "")
    assert exists(missing_database)


def test_it_refuses_sqlite(tmp_path):
    done = create_database(f"sqlite:///{tmp_path}/tools.sqlite3", tmp_path)

    assert done.returncode == 1
    assert done.stderr.strip() == (
        "CommandError: create_database works on PostgreSQL (set DATABASE_URL)."
    )
