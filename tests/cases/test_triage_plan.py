"""The triage queue's page is read from its index in date order, however few of all the
cases wait: PostgreSQL knows that "new" and "no owner" go together (extended statistics),
so it never fetches and sorts every waiting case for one page."""

import pytest
from django.db import connection

from cases import selectors
from tests.helpers import bulk_cases

pytestmark = pytest.mark.django_db


def test_the_triage_page_walks_its_index_without_sorting(agent, customer, support):
    bulk_cases(3000, customer=customer, owner=agent, department=support, status="closed")
    bulk_cases(300, customer=customer)  # waiting in triage, 1 case in 11
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")

    plan = selectors.triage_queue(agent)[:25].explain()

    assert "case_triage_order_idx" in plan, plan
    assert "Sort" not in plan, plan
