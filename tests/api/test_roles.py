"""Nothing through the API that the desk or the portal would refuse the same person: each
role against each kind of endpoint, on Dana's case at Acme (Alex's laptop)."""

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["customer", "agent", "teammate", "manager", "outsider"]
NEW_CUSTOMER = {"name": "Robin", "email": "r@acme.test", "organization": 1}
# (method, path after /api/v1/, body, the status of each role in ROLES' order)
EXPECTED = [
    ("get", "cases/{ref}/", None, [200, 200, 200, 200, 404]),
    ("get", "cases/{ref}/timeline/", None, [200, 200, 200, 200, 404]),
    ("get", "cases/{ref}/clocks/", None, [403, 200, 200, 200, 403]),
    ("post", "cases/{ref}/note/", {"body": "A note"}, [403, 200, 200, 200, 404]),
    ("post", "cases/{ref}/reply/", {"body": "A word"}, [200, 200, 403, 200, 404]),
    ("post", "cases/{ref}/priority/", {"priority": "high"}, [403, 200, 403, 200, 404]),
    ("post", "cases/{ref}/close/", {"reason": "Done"}, [403, 200, 403, 200, 404]),
    ("post", "cases/{ref}/identifiers/", {"name": "Serial", "value": "S1"},
     [200, 200, 200, 200, 404]),
    ("get", "cases/{ref}/handoffs/", None, [403, 200, 200, 200, 403]),
    ("get", "incidents/", None, [403, 200, 200, 200, 403]),
    ("get", "customers/", None, [403, 200, 200, 200, 403]),
    ("post", "customers/", NEW_CUSTOMER, [403, 403, 403, 403, 403]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "statuses"), EXPECTED, ids=[f"{m} {p}" for m, p, _, _ in EXPECTED]
)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_desk_and_portal_allow(
    request, api, laptop, role, method, path, body, statuses
):
    caller = api(request.getfixturevalue(role))
    url = "/api/v1/" + path.format(ref=laptop.reference)

    response = caller.get(url) if method == "get" else caller.post(url, body)

    assert response.status_code == statuses[ROLES.index(role)], response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"code", "message"}
