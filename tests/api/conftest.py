"""API callers: each person of the suite with a personal token, and a client that sends
it as a script would (JSON, `Authorization: Bearer`)."""

import json

import pytest
from django.test import Client

from helpdesk.api import tokens
from tests.helpers import LAPTOP, open_case


class ApiClient:
    """Django's test client speaking JSON with a bearer token: real HTTP handling, the
    middleware included."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method, path, data=None, **headers):
        body = json.dumps(data) if data is not None else None
        send = getattr(self.client, method)
        return send(
            path, body, content_type="application/json", headers={**self.headers, **headers}
        )

    def get(self, path, params=None, **headers):
        return self.client.get(path, params or {}, headers={**self.headers, **headers})

    def post(self, path, data=None, **headers):
        return self._send("post", path, data if data is not None else {}, **headers)

    def delete(self, path, **headers):
        return self._send("delete", path, **headers)


def token_for(user, scope="write", days=90, name="Script") -> str:
    return tokens.issue_token(user=user, name=name, scope=scope, days=days)[1]


@pytest.fixture
def api():
    """`api(user)`: a client with a new read-and-write token of `user`'s; `api(user,
    "read")` a read-only one; `api(None)` no token."""

    made = iter(range(1, 1000))

    def make(user, scope="write"):
        if user is None:
            return ApiClient(None)
        return ApiClient(token_for(user, scope, name=f"Script {next(made)}"))

    return make


@pytest.fixture
def laptop(agent, customer):
    """Alex's laptop at Acme, owned by Dana of Support."""
    return open_case(agent, customer, **LAPTOP, owner=agent)
