"""Handoffs, incidents, customers and organisations through the API, with the desk's
rules for each role."""

import pytest
from django.contrib.auth.models import Permission

from cases.models import EntryKind, HandoffStatus, Incident
from helpdesk.accounts.models import Organization, User
from tests.helpers import entries, fresh

pytestmark = pytest.mark.django_db


def test_a_handoff_goes_to_hardware_and_comes_back(
    api, agent, hw_agent, customer, hardware, laptop
):
    asked = api(agent).post(
        f"/api/v1/cases/{laptop.reference}/handoffs/",
        {
            "department": hardware.pk,
            "needed": "Replace the PSU",
            "customer_summary": "replacing the power supply",
        },
    )
    assert asked.status_code == 201, asked.content
    handoff = asked.json()
    assert handoff["department"] == "Hardware" and handoff["status"] == "requested"

    harper = api(hw_agent)
    assert harper.post(f"/api/v1/handoffs/{handoff['id']}/accept/").json()["status"] == "accepted"
    done = harper.post(f"/api/v1/handoffs/{handoff['id']}/complete/", {"result": "PSU replaced"})
    assert done.json()["status"] == "done"
    assert fresh(laptop).owner == agent  # the owner keeps the case
    listed = api(agent).get(f"/api/v1/cases/{laptop.reference}/handoffs/").json()
    assert [h["status"] for h in listed] == [HandoffStatus.DONE]


def test_only_the_department_asked_works_a_handoff(api, agent, teammate, parts, laptop):
    asked = (
        api(agent)
        .post(
            f"/api/v1/cases/{laptop.reference}/handoffs/",
            {"department": parts.pk, "needed": "Ship a battery"},
        )
        .json()
    )

    refused = api(teammate).post(f"/api/v1/handoffs/{asked['id']}/decline/", {"reason": "Not ours"})

    assert refused.status_code == 403
    assert (
        api(agent).get(f"/api/v1/cases/{laptop.reference}/handoffs/").json()[0]["status"]
        == "requested"
    )


def test_customers_never_reach_handoffs(api, customer, laptop):
    assert api(customer).get(f"/api/v1/cases/{laptop.reference}/handoffs/").status_code == 403


def test_an_incident_is_opened_linked_updated_and_resolved(api, agent, customer, laptop):
    dana = api(agent)

    opened = dana.post("/api/v1/incidents/", {"title": "Sign-in errors after release 4.2"})
    assert opened.status_code == 201
    incident = opened.json()
    linked = dana.post(f"/api/v1/incidents/{incident['id']}/link/", {"case": laptop.reference})
    assert linked.json()["linked_cases"] == 1
    dana.post(
        f"/api/v1/incidents/{incident['id']}/updates/",
        {"body": "We found the cause.", "status": "identified"},
    )
    resolved = dana.post(
        f"/api/v1/incidents/{incident['id']}/resolve/", {"body": "Fixed in 4.2.1."}
    )
    assert resolved.json()["status"] == "resolved"
    assert Incident.objects.get(pk=incident["id"]).resolved_at is not None
    assert entries(laptop, EntryKind.INCIDENT_LINK)
    assert api(customer).post("/api/v1/incidents/", {"title": "Mine"}).status_code == 403


def test_agents_read_customers_and_organisations(api, agent, customer, outsider):
    dana = api(agent)

    found = dana.get("/api/v1/customers/", {"q": "alex"}).json()["results"]
    assert [(c["name"], c["email"]) for c in found] == [("Alex Kim", "customer@example.test")]
    names = [o["name"] for o in dana.get("/api/v1/organizations/").json()["results"]]
    assert names == ["Acme", "Globex"]
    assert api(customer).get("/api/v1/customers/").status_code == 403


def test_adding_people_takes_the_admins_permission(api, agent, organization):
    dana = api(agent)
    new = {"name": "Robin Park", "email": "Robin@Acme.test", "organization": organization.pk}

    assert dana.post("/api/v1/customers/", new).status_code == 403
    agent.user_permissions.add(
        Permission.objects.get(codename="add_user"),
        Permission.objects.get(codename="add_organization"),
    )
    dana = api(User.objects.get(pk=agent.pk))
    made = dana.post("/api/v1/customers/", new)
    assert made.status_code == 201
    robin = User.objects.get(email="robin@acme.test")
    assert robin.is_customer and robin.organization == organization
    again = dana.post("/api/v1/customers/", new)
    assert again.json()["error"]["fields"] == {
        "email": ["Someone already signs in with this address."]
    }
    org = dana.post("/api/v1/organizations/", {"name": "Initech", "sla_tier": "premium"})
    assert org.status_code == 201 and Organization.objects.get(name="Initech").sla_tier == "premium"


def test_an_agent_opens_a_case_for_a_new_customer_by_script(api, agent, organization):
    agent.user_permissions.add(Permission.objects.get(codename="add_user"))
    dana = api(User.objects.get(pk=agent.pk))
    robin = dana.post(
        "/api/v1/customers/",
        {"name": "Robin Park", "email": "robin@acme.test", "organization": organization.pk},
    ).json()

    case = dana.post("/api/v1/cases/", {"title": "VPN drops hourly", "customer": robin["id"]})

    assert case.status_code == 201
    assert case.json()["organization"]["name"] == "Acme"
