"""The OpenAPI schema is generated from the code, valid OpenAPI 3, and names every
endpoint; the docs page loads nothing from another host."""

import re

import pytest
from drf_spectacular.validation import validate_schema

from helpdesk.api.views.actions import ACTIONS
from helpdesk.api.views.work import HANDOFF_ACTIONS

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_and_names_every_action(client):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on anything invalid
    assert schema["openapi"].startswith("3.")
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    expected = {f"cases_{name.replace('-', '_')}" for name in ACTIONS}
    expected |= {f"handoffs_{name}" for name in HANDOFF_ACTIONS}
    assert expected <= operations
    take = schema["paths"]["/api/v1/cases/{reference}/take/"]["post"]
    assert "If-Match" in [p["name"] for p in take["parameters"]]
    assert {"409", "412", "403"} <= set(take["responses"])
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_docs_come_from_this_server(client):
    page = client.get("/api/v1/docs/").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
