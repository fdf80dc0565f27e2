"""One update to every linked customer: public updates reach each linked case's timeline and
customer exactly once; internal ones only the timelines; resolving asks each customer to
confirm and never closes a case."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import Case, EntryKind, Incident, Status, TimelineEntry, Visibility
from cases.services import incidents
from cases.services.incidents import RESOLVED_WORDS
from notifications.models import Notice
from tests.helpers import deliver_due_email, desk_url, entries, page_text, portal_url, signed_in
from tests.smtp import body_text

pytestmark = pytest.mark.django_db

FIX_NEWS = "We found the cause: release 4.2 changed how sessions are stored. A fix ships today."
INTERNAL_NEWS = "Rolling back 4.2 on the EU cluster; do not promise a time yet."
RESOLVED_NEWS = "Release 4.2.1 is live and fixes signing in to the web program."


def after_the_throttle(settings):
    """Later than the one-voice window that holds a second email to the same customer."""
    return time_machine.travel(
        timezone.now() + timedelta(seconds=settings.CUSTOMER_EMAIL_THROTTLE + 60), tick=True
    )


def test_public_update_reaches_each_linked_customer_once(
    settings, smtp_sink, agent, outage, outage_cases, outsider
):
    unlinked = services.open_case(
        acting_user=agent,
        customer=outsider,
        title="Web program shows an error after sign in",
        description="Error page after signing in.",
    )
    # Each linked customer heard of the link when it was made.
    deliver_due_email()
    linked_customers = [case.customer for case in outage_cases]
    for person in linked_customers:
        assert len(smtp_sink.saying(person.email, "linked to a known problem")) == 1

    update = incidents.post_update(incident=outage, acting_user=agent, body=FIX_NEWS, public=True)
    assert incidents.fan_out(update.pk) == 3
    assert incidents.fan_out(update.pk) == 0  # a re-delivered task reaches nobody twice
    with after_the_throttle(settings):
        deliver_due_email()
        incidents.fan_out(update.pk)
        deliver_due_email()

    for person in linked_customers:
        emails = smtp_sink.saying(person.email, FIX_NEWS)
        assert len(emails) == 1, f"{person.email} received the update {len(emails)} times"
        assert outage.title in emails[0]["Subject"]
    assert smtp_sink.to(outsider.email) == []
    for case in outage_cases:
        (entry,) = entries(case, EntryKind.INCIDENT_UPDATE)
        assert entry.visibility == Visibility.PUBLIC
        assert entry.body == FIX_NEWS
        assert entry.actor == agent
    assert entries(unlinked, EntryKind.INCIDENT_UPDATE) == []
    assert Incident.objects.get(pk=outage.pk).updates.get().fanned_out_at is not None

    page = signed_in(outage_cases[0].customer).get(portal_url(outage_cases[0]))
    assert FIX_NEWS in page_text(page)


def test_internal_update_reaches_no_customer(settings, smtp_sink, agent, outage, outage_cases):
    deliver_due_email()
    last_notice = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    update = incidents.post_update(
        incident=outage, acting_user=agent, body=INTERNAL_NEWS, public=False
    )
    incidents.fan_out(update.pk)
    with after_the_throttle(settings):
        deliver_due_email()

    assert not Notice.objects.filter(pk__gt=last_notice, recipient__role="customer").exists()
    assert not [m for m in smtp_sink.messages if INTERNAL_NEWS in body_text(m)]
    desk = signed_in(agent)
    for case in outage_cases:
        (entry,) = entries(case, EntryKind.INCIDENT_UPDATE)
        assert entry.visibility == Visibility.INTERNAL
        assert INTERNAL_NEWS in page_text(desk.get(desk_url(case)))
        portal = signed_in(case.customer).get(portal_url(case))
        assert portal.status_code == 200
        assert INTERNAL_NEWS not in page_text(portal)
    incident_page = signed_in(outage_cases[0].customer).get(f"/portal/incidents/{outage.pk}/")
    assert INTERNAL_NEWS not in page_text(incident_page)


def test_resolving_asks_for_confirmation_never_closes(smtp_sink, agent, outage, outage_cases):
    open_case, waiting_case, _ = outage_cases
    waiting_case = services.wait_on_customer(
        case=waiting_case,
        acting_user=agent,
        expected_version=None,
        message="Which browser do your staff use?",
    )
    newcomer = services.open_case(
        acting_user=agent,
        customer=outage_cases[2].customer,
        title="Web program error again",
        description="Still an error page after sign in.",
    )
    incidents.link_case(case=newcomer, incident=outage, acting_user=agent)

    update = incidents.post_update(
        incident=outage, acting_user=agent, body=RESOLVED_NEWS, public=True, status="resolved"
    )
    incidents.fan_out(update.pk)
    incidents.fan_out(update.pk)
    deliver_due_email()

    outage.refresh_from_db()
    assert outage.status == "resolved"
    assert outage.resolved_at is not None
    for case in (open_case, waiting_case):
        case.refresh_from_db()
        assert case.status == Status.PENDING_CONFIRMATION
        assert case.owner == agent  # the owner stays the owner
        (asked,) = TimelineEntry.objects.filter(case=case, kind=EntryKind.STATUS_CHANGE).filter(
            data__to=Status.PENDING_CONFIRMATION
        )
        assert asked.visibility == Visibility.PUBLIC
        assert asked.body == RESOLVED_WORDS
        page = page_text(signed_in(case.customer).get(portal_url(case)))
        assert "Please confirm it works for you" in page
        (email,) = smtp_sink.saying(case.customer.email, "Please confirm it works for you")
        assert RESOLVED_NEWS in body_text(email)
    newcomer.refresh_from_db()
    assert newcomer.status == Status.NEW  # no owner to confirm with: it stays in triage
    assert not TimelineEntry.objects.filter(case=newcomer, kind=EntryKind.STATUS_CHANGE).exists()
    assert len(entries(newcomer, EntryKind.INCIDENT_UPDATE)) == 1
    assert not Case.objects.filter(status=Status.CLOSED).exists()


def test_resolved_incident_takes_no_more_updates_or_cases(agent, outage, outage_cases, outsider):
    incidents.post_update(
        incident=outage, acting_user=agent, body=RESOLVED_NEWS, public=True, status="resolved"
    )
    late = services.open_case(
        acting_user=agent, customer=outsider, title="Web program error", description="Error."
    )

    with pytest.raises(services.CaseError):
        incidents.post_update(incident=outage, acting_user=agent, body="More.", public=True)
    with pytest.raises(services.CaseError):
        incidents.link_case(case=late, incident=outage, acting_user=agent)
    late.refresh_from_db()
    assert late.incident is None


def test_customers_cannot_post_incident_updates(customer, outage):
    with pytest.raises(services.NotAllowed):
        incidents.post_update(incident=outage, acting_user=customer, body="Hi", public=True)
    assert not outage.updates.exists()


def test_resolving_counts_as_our_public_word_on_a_case_still_in_triage(agent, outage, outsider):
    newcomer = services.open_case(
        acting_user=agent, customer=outsider, title="Web program error", description="Error."
    )
    incidents.link_case(case=newcomer, incident=outage, acting_user=agent)

    update = incidents.post_update(
        incident=outage, acting_user=agent, body=RESOLVED_NEWS, public=True, status="resolved"
    )
    incidents.fan_out(update.pk)

    newcomer.refresh_from_db()
    assert newcomer.status == Status.NEW
    # As with every other public incident update: the customer heard from us.
    assert newcomer.last_public_update is not None
    assert newcomer.first_responded_at is not None


def test_resolving_gives_a_long_waiting_customer_time_to_confirm(agent, outage, outage_cases):
    """The confirmation clock (reminder, then auto-close) starts when we ask, not when the
    case began waiting on the customer."""
    from notifications.sweep import run_sweep

    waiting = services.wait_on_customer(
        case=outage_cases[0], acting_user=agent, expected_version=None, message="Which browser?"
    )
    # Alex has not answered for eight days (longer than reminder + auto-close).
    Case.objects.filter(pk=waiting.pk).update(paused_at=timezone.now() - timedelta(days=8))

    update = incidents.post_update(
        incident=outage, acting_user=agent, body=RESOLVED_NEWS, public=True, status="resolved"
    )
    incidents.fan_out(update.pk)
    run_sweep(now=timezone.now() + timedelta(minutes=1))

    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING_CONFIRMATION


def test_a_lost_fan_out_is_found_by_the_redrive(agent, outage, outage_cases):
    update = incidents.post_update(incident=outage, acting_user=agent, body=FIX_NEWS, public=True)
    # The broker lost the task: nothing reached the cases.
    assert all(entries(case, EntryKind.INCIDENT_UPDATE) == [] for case in outage_cases)
    assert update.pk not in incidents.unfinished_updates()  # too fresh: its task may be queued

    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        assert incidents.unfinished_updates() == [update.pk]
        incidents.fan_out(update.pk)
        assert incidents.unfinished_updates() == []

    assert all(len(entries(case, EntryKind.INCIDENT_UPDATE)) == 1 for case in outage_cases)
