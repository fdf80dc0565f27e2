"""A real Celery worker on the real broker fans a public update out to every linked case."""

import pytest

from cases.models import Case, EntryKind, TimelineEntry
from cases.services import incidents
from tests.helpers import OUTAGE_CASE, bulk_cases, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

NEWS = "A fix for the sign-in error is deployed; please try again."


def test_worker_fans_out_a_public_update_to_every_linked_case(
    celery_worker, settings, smtp_sink, agent, customer, outage, outage_cases
):
    # One voice holds a second email for 15 minutes; here the update may go at once.
    settings.CUSTOMER_EMAIL_THROTTLE = 0
    bulk_cases(20, customer=customer, incident=outage, **OUTAGE_CASE)
    linked = Case.objects.filter(incident=outage)
    assert linked.count() == 23

    incidents.post_update(incident=outage, acting_user=agent, body=NEWS, public=True)

    def reached() -> int:
        return (
            TimelineEntry.objects.filter(kind=EntryKind.INCIDENT_UPDATE, case__incident=outage)
            .values("case")
            .distinct()
            .count()
        )

    assert wait_for(lambda: reached() == 23, timeout=15), (
        f"the worker reached {reached()} of 23 linked cases within 15 s"
    )
    for case in linked:
        assert TimelineEntry.objects.filter(case=case, kind=EntryKind.INCIDENT_UPDATE).count() == 1
    assert wait_for(lambda: outage.updates.get().fanned_out_at is not None, timeout=5)
    for person in {case.customer for case in outage_cases}:
        assert wait_for(lambda p=person: smtp_sink.saying(p.email, NEWS), timeout=15), (
            f"{person.email} did not receive the update within 15 s"
        )
