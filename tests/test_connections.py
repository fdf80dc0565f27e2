"""A process keeps its database connection from one request to the next (a new PostgreSQL
connection costs 5-11 ms), and checks it before reusing it.

Django's test client leaves connections alone, so the tests call what the request handler
calls at the start and the end of every request (`close_old_connections`)."""

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection

pytestmark = pytest.mark.django_db(transaction=True)


def conninfo() -> str:
    params = connection.get_connection_params()
    keys = ("dbname", "user", "host", "port", "password")
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if k in keys})


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def a_request(client, path: str = "/healthz") -> None:
    close_old_connections()
    client.get(path)
    backend_pid()  # the request's own use of the database
    close_old_connections()


def test_it_keeps_one_connection_across_requests(client):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 600
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    first = backend_pid()

    a_request(client)
    a_request(client, "/accounts/login/")

    assert backend_pid() == first


def test_without_persistence_each_request_opens_its_own(client):
    connection.settings_dict["CONN_MAX_AGE"] = 0
    try:
        first = backend_pid()
        a_request(client)
        assert backend_pid() != first
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 600


def test_a_connection_the_server_dropped_is_replaced(client):
    first = backend_pid()
    # As a database restart or an idle timeout would: another session ends this one.
    with psycopg.connect(conninfo(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])

    close_old_connections()  # the next request starts
    assert client.get("/accounts/login/").status_code == 200
    assert backend_pid() != first
