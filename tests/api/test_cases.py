"""Cases through the API, as each role may see them: the list with its filters and pages,
one case with its timeline (internal notes for agents only), a new case, the SLA clocks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, Priority, Status
from tests.helpers import open_case, report_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(agent, teammate, customer, outsider, laptop):
    """Alex's laptop (Dana's), a new unowned case of Alex's, and Jordan's case at Globex
    owned by Sam, with an internal note on the laptop."""
    services.add_internal_note(case=laptop, acting_user=agent, body="PSU reads 0V on pin 3.")
    new = report_case(customer, "Dock flickers")
    globex = open_case(teammate, outsider, "Water on the kitchen floor", owner=teammate)
    return {"laptop": laptop, "new": new, "globex": globex}


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [case["reference"] for case in response.json()["results"]]


def test_each_role_lists_the_cases_it_may_see(
    api, desk, agent, teammate, manager, customer, outsider
):
    everyone = [desk["globex"].reference, desk["new"].reference, desk["laptop"].reference]
    for person in (agent, teammate, manager):
        assert references(api(person).get("/api/v1/cases/")) == everyone  # newest first
    assert references(api(customer).get("/api/v1/cases/")) == everyone[1:]
    assert references(api(outsider).get("/api/v1/cases/")) == everyone[:1]


def test_the_list_filters_as_the_desk_does(api, desk, agent, teammate):
    dana = api(agent)
    laptop, new, globex = desk["laptop"].reference, desk["new"].reference, desk["globex"].reference

    assert references(dana.get("/api/v1/cases/", {"owner": "me"})) == [laptop]
    assert references(dana.get("/api/v1/cases/", {"owner": "none"})) == [new]
    assert references(dana.get("/api/v1/cases/", {"owner": teammate.pk})) == [globex]
    assert references(dana.get("/api/v1/cases/", {"status": "new"})) == [new]
    assert references(dana.get("/api/v1/cases/", {"status": "new,open"})) == [globex, new, laptop]
    assert references(
        dana.get("/api/v1/cases/", {"organization": desk["globex"].organization_id})
    ) == [globex]
    Case.objects.filter(pk=desk["laptop"].pk).update(priority=Priority.URGENT)
    assert references(dana.get("/api/v1/cases/", {"priority": "urgent"})) == [laptop]
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert references(dana.get("/api/v1/cases/", {"updated_since": later})) == []
    Case.objects.filter(pk=desk["new"].pk).update(updated=timezone.now() + timedelta(minutes=2))
    assert references(dana.get("/api/v1/cases/", {"updated_since": later})) == [new]


def test_breaching_before_finds_the_nearest_running_deadline(api, desk, agent, customer):
    soon = timezone.now() + timedelta(minutes=30)
    Case.objects.filter(pk=desk["laptop"].pk).update(
        resolution_due=soon, first_response_due=None, next_update_due=None
    )
    Case.objects.exclude(pk=desk["laptop"].pk).update(
        resolution_due=soon + timedelta(days=2), first_response_due=None, next_update_due=None
    )
    within_an_hour = (timezone.now() + timedelta(hours=1)).isoformat()

    found = api(agent).get("/api/v1/cases/", {"breaching_before": within_an_hour})
    assert references(found) == [desk["laptop"].reference]
    refused = api(customer).get("/api/v1/cases/", {"breaching_before": within_an_hour})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {
        "breaching_before": ["SLA deadlines are for agents."]
    }


def test_a_bad_filter_says_what_is_wrong(api, agent):
    response = api(agent).get("/api/v1/cases/", {"status": "lost", "updated_since": "yesterday"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"status": ["Unknown status: lost."]}


def test_pages_follow_a_cursor(api, agent, customer):
    for n in range(5):
        open_case(agent, customer, f"Case {n}")

    first = api(agent).get("/api/v1/cases/", {"page_size": 2}).json()
    second = api(agent).get(first["next"]).json()
    third = api(agent).get(second["next"]).json()

    titles = [c["title"] for page in (first, second, third) for c in page["results"]]
    assert titles == ["Case 4", "Case 3", "Case 2", "Case 1", "Case 0"]
    assert third["next"] is None


def test_a_case_reads_with_what_the_caller_may_see(api, policies, desk, agent, customer, outsider):
    laptop = desk["laptop"]

    as_agent = api(agent).get(f"/api/v1/cases/{laptop.reference}/")
    assert as_agent.status_code == 200
    assert as_agent.headers["ETag"] == f'"{laptop.version}"'
    body = as_agent.json()
    assert body["owner"]["name"] == "Dana Lee" and body["department"] == "Support"
    assert "PSU reads 0V on pin 3." in [e["body"] for e in body["timeline"]]
    assert body["clocks"]["resolution_due"] is not None

    as_customer = api(customer).get(f"/api/v1/cases/{laptop.reference}/").json()
    assert "PSU reads 0V on pin 3." not in str(as_customer)  # an internal note
    assert {e["visibility"] for e in as_customer["timeline"]} == {"public"}
    assert as_customer["clocks"] is None
    assert as_customer["status_text"] == "We're working on it"

    hidden = api(outsider).get(f"/api/v1/cases/{laptop.reference}/")
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"


def test_the_timeline_follows_newer_entries(api, desk, agent, customer):
    laptop = desk["laptop"]
    seen = api(customer).get(f"/api/v1/cases/{laptop.reference}/").json()["timeline"][-1]["id"]
    services.reply_to_customer(
        case=laptop, acting_user=agent, body="A new power supply ships today."
    )
    services.add_internal_note(case=laptop, acting_user=agent, body="Courier booked.")

    newer = api(customer).get(f"/api/v1/cases/{laptop.reference}/timeline/", {"after": seen}).json()

    assert [e["body"] for e in newer] == ["A new power supply ships today."]
    assert newer[0]["author"]["name"] == "Dana Lee"
    assert "<p>A new power supply ships today.</p>" in newer[0]["html"]


def test_a_customer_opens_a_case_of_their_own(api, customer):
    response = api(customer).post(
        "/api/v1/cases/",
        {"title": "Printer jams", "description": "Every third page.",
         "identifiers": [{"name": "Serial number", "value": "PR-77"}]},
    )  # fmt: skip

    assert response.status_code == 201, response.content
    case = Case.objects.get(title="Printer jams")
    assert case.customer == customer and case.status == Status.NEW
    assert response.json()["identifiers"][0]["value"] == "PR-77"
    assert response.headers["ETag"] == f'"{case.version}"'


def test_an_agent_opens_a_case_for_a_customer(api, agent, customer):
    dana = api(agent)

    missing = dana.post("/api/v1/cases/", {"title": "Printer jams"})
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"] == {"customer": ["The id of an active customer."]}
    made = dana.post("/api/v1/cases/", {"title": "Printer jams", "customer": customer.pk})
    assert made.status_code == 201
    assert made.json()["customer"] == {"id": customer.pk, "name": "Alex Kim"}


def test_a_customer_asking_a_priority_their_tier_refuses_is_told(api, customer):
    response = api(customer).post("/api/v1/cases/", {"title": "Printer jams", "priority": "urgent"})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "Your plan allows these priorities: low, normal, high."
    )
    assert not Case.objects.filter(title="Printer jams").exists()


def test_clocks_are_for_agents(api, policies, desk, agent, customer):
    laptop = desk["laptop"]

    clocks = api(agent).get(f"/api/v1/cases/{laptop.reference}/clocks/").json()
    assert clocks["reference"] == laptop.reference
    assert clocks["resolution_due"] == laptop.resolution_due.isoformat()
    assert api(customer).get(f"/api/v1/cases/{laptop.reference}/clocks/").status_code == 403


def test_search_finds_what_a_customer_wrote_in_another_departments_case(api, desk, agent, customer):
    services.add_customer_message(
        case=desk["globex"],
        acting_user=desk["globex"].customer,
        body="The dock shows error E-4471.",
    )

    found = api(agent).get("/api/v1/cases/search/", {"q": "E-4471"}).json()
    assert [c["reference"] for c in found["results"]] == [desk["globex"].reference]
    assert api(customer).get("/api/v1/cases/search/", {"q": "E-4471"}).json()["results"] == []
