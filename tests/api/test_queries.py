"""Every list the API answers costs the same queries at 10 rows as at 1,000."""

import pytest

from cases.models import Case, Handoff, Incident
from helpdesk.accounts.models import Organization, User
from tests.cases.test_query_counts import bulk_serials
from tests.factories import CustomerFactory
from tests.helpers import bulk_cases, bulk_timeline

pytestmark = pytest.mark.django_db

SIZES = [10, 1000]
# Token (with its owner); the page of cases with their people and department.
CASES_LIST_QUERIES = 2
# Token; the case (people, incident, rating); identifiers; entries; their files.
CASE_QUERIES = 5
# Token; the case (and its identifiers); the entries and their files.
TIMELINE_QUERIES = 5
# Token; the page of customers / organisations.
PEOPLE_QUERIES = 2
# Token; the incidents with their linked cases counted.
INCIDENTS_QUERIES = 2
# Token; the case (and its identifiers); its handoffs with department and people.
HANDOFFS_QUERIES = 4


def many_incidents() -> int:
    return Incident.objects.count()


def many_customers() -> int:
    return User.objects.filter(role=User.Role.CUSTOMER).count()


@pytest.fixture
def many(request, agent, teammate, customer, support, hardware):
    n = request.param
    bulk_serials(bulk_cases(n, customer=customer, owner=agent, department=support))
    CustomerFactory.create_batch(min(n, 60), organization=customer.organization)
    Organization.objects.bulk_create(Organization(name=f"Org {i}") for i in range(min(n, 60)))
    case = Case.objects.filter(owner=agent).first()
    bulk_timeline(case, min(n, 150), agent=agent, teammate=teammate)
    Incident.objects.bulk_create(
        Incident(title=f"Incident {i}", created_by=agent) for i in range(min(n, 120))
    )
    Handoff.objects.bulk_create(
        Handoff(case=case, requested_by=agent, department=hardware, needed=f"Part {i}")
        for i in range(min(n, 60))
    )
    return case


@pytest.mark.parametrize("many", SIZES, indirect=True)
def test_lists_cost_the_same_at_any_size(api, agent, many, django_assert_num_queries):
    dana = api(agent, "read")
    dana.get("/api/v1/me")  # the token's last use is written once a minute, not here

    with django_assert_num_queries(CASES_LIST_QUERIES):
        cases = dana.get("/api/v1/cases/", {"page_size": 50})
    assert len(cases.json()["results"]) == min(Case.objects.count(), 50)
    with django_assert_num_queries(CASE_QUERIES):
        case = dana.get(f"/api/v1/cases/{many.reference}/")
    assert case.json()["timeline"]
    with django_assert_num_queries(TIMELINE_QUERIES):
        dana.get(f"/api/v1/cases/{many.reference}/timeline/", {"after": 0})
    with django_assert_num_queries(PEOPLE_QUERIES):
        people = dana.get("/api/v1/customers/")
    assert len(people.json()["results"]) == min(many_customers(), 50)
    with django_assert_num_queries(PEOPLE_QUERIES):
        dana.get("/api/v1/organizations/")
    with django_assert_num_queries(INCIDENTS_QUERIES):
        incidents = dana.get("/api/v1/incidents/")
    assert len(incidents.json()) == min(many_incidents(), 100)
    with django_assert_num_queries(HANDOFFS_QUERIES):
        handoffs = dana.get(f"/api/v1/cases/{many.reference}/handoffs/")
    assert len(handoffs.json()) == min(Handoff.objects.count(), 60)
