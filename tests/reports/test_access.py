"""Reports are for managers: a customer and an agent who is not a manager are refused every
report and its CSV; someone signed out is sent to sign in first."""

import pytest

from tests.helpers import REPORTS, TABLE_REPORTS

pytestmark = pytest.mark.django_db

PAGES = [(name, {}) for name in REPORTS] + [(name, {"format": "csv"}) for name in TABLE_REPORTS]
IDS = [f"{name}{'-csv' if params else ''}" for name, params in PAGES]


@pytest.mark.parametrize(("name", "params"), PAGES, ids=IDS)
@pytest.mark.parametrize("who", ["customer", "agent", "outsider"])
def test_only_managers_see_reports(name, params, who, client, request):
    client.force_login(request.getfixturevalue(who))

    response = client.get(REPORTS[name], params)

    assert response.status_code == 403
    assert "text/csv" not in response["Content-Type"]


@pytest.mark.parametrize(("name", "params"), PAGES, ids=IDS)
def test_signed_out_visitor_is_sent_to_sign_in(name, params, client):
    response = client.get(REPORTS[name], params)

    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={REPORTS[name]}")


@pytest.mark.parametrize(("name", "params"), PAGES, ids=IDS)
def test_manager_sees_every_report(name, params, manager_client):
    response = manager_client.get(REPORTS[name], params)

    assert response.status_code == 200
    if params:
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="')
    else:
        assert b'data-testid="csv-link"' in response.content or name == "index"


def test_reports_only_answer_get(manager_client):
    for url in REPORTS.values():
        assert manager_client.post(url).status_code == 405
