"""Similar cases are matched at intake: "N other customers reported something similar".

The detector is measured on a labelled corpus (tests/incidents/similarity_corpus.py): every
pair of cases it calls similar is checked against the groups the corpus was written in.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases import similarity
from cases.models import Case
from cases.similarity import similar_cases
from tests.factories import CustomerFactory
from tests.helpers import desk_url, page_text
from tests.incidents.similarity_corpus import CORPUS

pytestmark = pytest.mark.django_db

MIN_PRECISION = 0.9
MIN_RECALL = 0.9


def report(customer, title: str, description: str, *, days_ago: float = 0) -> Case:
    created = timezone.now() - timedelta(days=days_ago)
    return Case.objects.create(
        title=title,
        description=description,
        customer=customer,
        organization_id=customer.organization_id,
        created=created,
        updated=created,
    )


def load_corpus() -> dict[int, str]:
    """Each corpus text as a case of a customer of its own, all within the last 10 days;
    returns each case's group by primary key."""
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            title=title,
            description=description,
            customer=(customer := CustomerFactory()),
            organization_id=customer.organization_id,
            created=now - timedelta(hours=5 * i),
            updated=now - timedelta(hours=5 * i),
        )
        for i, (_group, title, description) in enumerate(CORPUS)
    )
    return {case.pk: group for case, (group, _t, _d) in zip(cases, CORPUS, strict=True)}


@pytest.mark.parametrize("trigram", [True, False], ids=["with-pg_trgm", "without-pg_trgm"])
def test_detection_precision_and_recall(trigram, monkeypatch, record_property):
    """Both with pg_trgm and without it (a production role may not create extensions)."""
    if connection.vendor != "postgresql":
        pytest.skip("the precision target is set for PostgreSQL full-text search")
    if trigram and not similarity._has_trigram():
        pytest.skip("pg_trgm is not installed in this database")
    monkeypatch.setattr(similarity, "_has_trigram", lambda: trigram)
    groups = load_corpus()
    truth = {(a, b) for a in groups for b in groups if a != b and groups[a] == groups[b] != "noise"}

    found = set()
    for case in Case.objects.all():
        for other in similar_cases(case.title, case.description, exclude=case):
            found.add((case.pk, other.pk))

    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth)
    figures = (
        f"precision {precision:.3f} ({hits}/{len(found)} pairs), "
        f"recall {recall:.3f} ({hits}/{len(truth)} pairs)"
    )
    print(f"\nsimilar-case detection ({'with' if trigram else 'without'} pg_trgm): {figures}")
    record_property("precision", round(precision, 3))
    record_property("recall", round(recall, 3))
    assert precision >= MIN_PRECISION, figures
    assert recall >= MIN_RECALL, figures


def test_cases_older_than_14_days_are_not_counted(customer, outsider):
    title, description = "Laptop battery does not charge", "The battery stays at 0%."
    mine = report(customer, title, description)
    recent = report(outsider, title, description, days_ago=13)
    report(CustomerFactory(), title, description, days_ago=15)

    assert similar_cases(title, description, exclude=mine) == [recent]


def test_the_same_customers_other_cases_are_not_counted(customer, outsider):
    title, description = "Laptop battery does not charge", "The battery stays at 0%."
    mine = report(customer, title, description)
    report(customer, "Laptop battery does not charge again", description)
    theirs = report(outsider, title, description)

    assert similar_cases(title, description, exclude=mine) == [theirs]


def test_desk_similar_panel_counts_other_customers(client, agent, customer, outsider):
    title = "Web program shows error 500 after sign in"
    description = "Users see an internal server error after signing in to the web program."
    mine = report(customer, title, description)
    theirs = [
        report(outsider, title, description),
        # Two cases of one customer count once.
        report(outsider, "Error 500 after sign in to the web program", description),
        report(CustomerFactory(), "Sign in to web program ends on error 500", description),
        report(CustomerFactory(), title, description, days_ago=2),
    ]
    report(customer, title, description)  # Alex's own second report: not "other"
    report(CustomerFactory(), title, description, days_ago=20)  # too old
    report(CustomerFactory(), "Printer paper jam", "Paper gets stuck in the printer.")

    client.force_login(agent)
    response = client.get(desk_url(mine, "similar/"))

    assert response.status_code == 200
    page = page_text(response)
    assert "3 other customers reported something similar in the last 14 days" in page
    for case in theirs:
        assert case.reference in page
    assert "Printer paper jam" not in page


def test_desk_similar_panel_counts_every_other_customer_not_only_those_listed(
    client, agent, customer
):
    title = "Web program shows error 500 after sign in"
    description = "Users see an internal server error after signing in to the web program."
    mine = report(customer, title, description)
    for _ in range(12):
        report(CustomerFactory(), title, description)

    client.force_login(agent)
    page = page_text(client.get(desk_url(mine, "similar/")))

    assert "12 other customers reported something similar in the last 14 days" in page


def test_desk_similar_panel_says_when_nobody_else_reported_it(client, agent, customer, outsider):
    mine = report(customer, "Laptop battery does not charge", "The battery stays at 0%.")
    report(outsider, "Printer paper jam", "Paper gets stuck in the printer.")

    client.force_login(agent)
    response = client.get(desk_url(mine, "similar/"))

    assert "No other customer reported something similar in the last 14 days." in (
        page_text(response)
    )


def test_customers_cannot_open_the_desk_similar_panel(client, customer):
    mine = report(customer, "Laptop battery does not charge", "The battery stays at 0%.")
    client.force_login(customer)

    response = client.get(desk_url(mine, "similar/"))

    assert response.status_code == 403
    assert "reported something similar" not in response.content.decode()
