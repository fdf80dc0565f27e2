"""The rules of a case: one owner, one voice, an append-only story, and the database
refusing what the code might forget."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases import services
from cases.models import (
    AppendOnlyError,
    Case,
    EntryKind,
    Priority,
    Status,
    TimelineEntry,
    Visibility,
)
from helpdesk.accounts.models import User
from notifications.models import Notice
from tests.factories import AgentFactory
from tests.helpers import HTMX, desk_url, entries, fresh

pytestmark = pytest.mark.django_db


# --- invariants held by the database ----------------------------------------------------


def test_open_case_cannot_lose_its_owner(owned_case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=owned_case.pk).update(owner=None)

    assert fresh(owned_case).owner_id is not None


@pytest.mark.parametrize("who", ["customer", "inactive agent"])
def test_owner_must_be_an_active_agent(owned_case, customer, support, who):
    if who == "customer":
        owner = customer
    else:
        owner = AgentFactory(full_name="Gone Agent", departments=[support], is_active=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=owned_case.pk).update(owner=owner)

    assert fresh(owned_case).owner.full_name == "Dana Lee"


def test_service_refuses_an_inactive_new_owner_with_a_message(owned_case, agent, support):
    gone = AgentFactory(full_name="Gone Agent", departments=[support], is_active=False)

    with pytest.raises(services.CaseError, match="not an active agent"):
        services.transfer_ownership(
            case=owned_case, acting_user=agent, to=gone, reason="Leaving", expected_version=None
        )


def test_timeline_is_append_only(owned_case):
    entry = entries(owned_case, EntryKind.OWNERSHIP_CHANGE)[0]

    entry.body = "rewritten history"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        TimelineEntry.objects.filter(pk=entry.pk).update(body="rewritten history")
    with pytest.raises(AppendOnlyError):
        TimelineEntry.objects.filter(pk=entry.pk).delete()
    # Code that bypasses the ORM meets the trigger.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_timelineentry SET body = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_timelineentry WHERE id = %s", [entry.pk])

    stored = TimelineEntry.objects.get(pk=entry.pk)
    assert stored.body == ""
    assert stored.data["summary"] == "taken by Dana Lee"


# --- ownership ----------------------------------------------------------------------------


def test_take_ownership_from_triage(client, new_case, agent, teammate):
    client.force_login(agent)
    dashboard = client.get("/desk/")
    assert 'data-testid="triage-count">1<' in dashboard.text
    assert "Take ownership" in dashboard.text

    response = client.post(
        desk_url(new_case, "take/"),
        {"version": new_case.version, "from": "dashboard"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert 'data-testid="mine-count">1<' in response.text
    assert 'data-testid="triage-count">0<' in response.text
    assert "Nobody's problem is unowned" in response.text
    taken = fresh(new_case)
    assert taken.owner == agent
    assert taken.status == Status.OPEN
    assert taken.owning_department.name == "Support"
    assert taken.first_owned_at is not None
    [ownership] = entries(new_case, EntryKind.OWNERSHIP_CHANGE)
    assert ownership.visibility == Visibility.PUBLIC
    assert ownership.data["summary"] == "taken by Dana Lee"
    [status] = entries(new_case, EntryKind.STATUS_CHANGE)
    assert status.data["summary"] == "New → Open"

    # Someone else taking it now gets told who owns it, and nothing changes.
    client.force_login(teammate)
    late = client.post(desk_url(new_case, "take/"), {"version": new_case.version}, headers=HTMX)
    assert late.status_code == 409
    assert f"{new_case.reference} is already owned by Dana Lee" in late.text
    assert fresh(new_case).owner == agent


def test_take_ownership_twice_is_a_double_click_not_a_conflict(owned_case, agent):
    again = services.take_ownership(case=owned_case, acting_user=agent, expected_version=None)

    assert again.owner == agent
    assert len(entries(owned_case, EntryKind.OWNERSHIP_CHANGE)) == 1


def test_transfer_tells_new_owner_in_app(client, owned_case, agent, teammate):
    client.force_login(agent)

    response = client.post(
        desk_url(owned_case, "transfer/"),
        {"version": owned_case.version, "to": teammate.pk, "reason": "Power supply swap"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Sam Ortiz, Hardware" in response.text
    assert fresh(owned_case).owner == teammate
    [notice] = Notice.objects.filter(recipient=teammate)
    assert notice.channel == Notice.Channel.IN_APP
    assert notice.subject == f"You now own {owned_case.reference}: Laptop will not power on"
    transfer = entries(owned_case, EntryKind.OWNERSHIP_CHANGE)[-1]
    assert transfer.visibility == Visibility.PUBLIC
    assert transfer.data["summary"] == "transferred to Sam Ortiz"
    # The reason is for staff only.
    assert "Power supply swap" not in transfer.body
    [why] = entries(owned_case, EntryKind.INTERNAL_NOTE)
    assert why.body == "Transferred to Sam Ortiz: Power supply swap"

    client.force_login(teammate)
    notices = client.get("/desk/notices/")
    assert f"You now own {owned_case.reference}: Laptop will not power on" in notices.text
    assert "Dana Lee: Power supply swap" in notices.text
    assert f'href="/desk/cases/{owned_case.reference}/"' in notices.text
    bell = client.get("/desk/notices/bell/", headers=HTMX)
    assert 'data-testid="unread-count">1<' in bell.text

    client.post("/desk/notices/")
    assert 'data-testid="unread-count"' not in client.get("/desk/notices/bell/").text


def test_transfer_needs_a_reason(client, owned_case, agent, teammate):
    client.force_login(agent)

    response = client.post(
        desk_url(owned_case, "transfer/"),
        {"version": owned_case.version, "to": teammate.pk, "reason": ""},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Say why: the new owner reads it first." in response.text
    with pytest.raises(services.CaseError, match="Say why the case is transferred"):
        services.transfer_ownership(
            case=owned_case, acting_user=agent, to=teammate, reason="   ", expected_version=None
        )
    assert fresh(owned_case).owner == agent
    assert not Notice.objects.filter(recipient=teammate).exists()


def test_only_owner_or_manager_can_transfer_an_owned_case(client, owned_case, teammate, support):
    another = AgentFactory(full_name="Kim Park", departments=[support])
    client.force_login(teammate)

    response = client.post(
        desk_url(owned_case, "transfer/"),
        {"version": owned_case.version, "to": another.pk, "reason": "I think Kim should"},
        headers=HTMX,
    )

    assert response.status_code == 403
    assert "Only the case&#x27;s owner or a manager can transfer it." in response.text
    assert fresh(owned_case).owner.full_name == "Dana Lee"


def test_only_owner_or_manager_can_propose_resolution_or_close(
    client, owned_case, agent, teammate, manager
):
    client.force_login(teammate)
    page = client.get(desk_url(owned_case))
    assert "Propose resolution" not in page.text
    assert "Close case" not in page.text

    propose = client.post(
        desk_url(owned_case, "propose/"),
        {"version": owned_case.version, "body": "Replaced the fan."},
        headers=HTMX,
    )
    close = client.post(
        desk_url(owned_case, "close/"),
        {"version": owned_case.version, "reason": "Fixed"},
        headers=HTMX,
    )

    assert propose.status_code == 403
    assert "Only the case&#x27;s owner or a manager can propose a resolution." in propose.text
    assert close.status_code == 403
    assert "Only the case&#x27;s owner or a manager can close it." in close.text
    assert fresh(owned_case).status == Status.OPEN

    client.force_login(agent)
    proposed = client.post(
        desk_url(owned_case, "propose/"),
        {"version": owned_case.version, "body": "Replaced the power supply."},
        headers=HTMX,
    )
    assert proposed.status_code == 200
    assert "Pending confirmation" in proposed.text
    assert fresh(owned_case).status == Status.PENDING_CONFIRMATION

    client.force_login(manager)
    closed = client.post(
        desk_url(owned_case, "close/"),
        {"version": fresh(owned_case).version, "reason": ""},
        headers=HTMX,
    )
    assert closed.status_code == 200
    assert fresh(owned_case).status == Status.CLOSED
    assert fresh(owned_case).closed_at is not None
    last = entries(owned_case, EntryKind.STATUS_CHANGE)[-1]
    assert (last.actor, last.data["summary"]) == (manager, "Pending confirmation → Closed")


def test_closing_without_confirmation_needs_a_reason(client, owned_case, agent):
    client.force_login(agent)

    response = client.post(
        desk_url(owned_case, "close/"), {"version": owned_case.version}, headers=HTMX
    )

    assert response.status_code == 422
    assert "Say why the case is closed without the customer&#x27;s confirmation." in response.text
    assert fresh(owned_case).status == Status.OPEN


def test_any_agent_may_add_internal_note(client, owned_case, teammate):
    client.force_login(teammate)

    response = client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "note", "body": "PSU part 0957-2262 is in stock."},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Internal note added." in response.text
    [note] = entries(owned_case, EntryKind.INTERNAL_NOTE)
    assert note.actor == teammate
    assert note.department.name == "Hardware"
    assert note.visibility == Visibility.INTERNAL
    page = client.get(desk_url(owned_case))
    assert "PSU part 0957-2262 is in stock." in page.text
    assert "Sam Ortiz (Hardware)" in page.text


def test_only_owner_replies_to_customer(client, owned_case, agent, teammate, manager):
    client.force_login(teammate)
    refused = client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "reply", "body": "It is fixed, can we close it?"},
        headers=HTMX,
    )

    assert refused.status_code == 403
    assert "Only the case&#x27;s owner or a manager can write to the customer." in refused.text
    # What they wrote is kept in the composer, not lost.
    assert "It is fixed, can we close it?" in refused.text
    assert entries(owned_case, EntryKind.AGENT_REPLY) == []

    for author in (agent, manager):
        client.force_login(author)
        sent = client.post(
            desk_url(owned_case, "entries/"),
            {"kind": "reply", "body": f"{author.full_name} here: the battery ships today."},
        )
        assert sent.status_code == 302

    replies = entries(owned_case, EntryKind.AGENT_REPLY)
    assert [r.actor for r in replies] == [agent, manager]
    assert all(r.visibility == Visibility.PUBLIC for r in replies)


def test_transition_table_refuses_invalid_moves(client, new_case, owned_case, agent, manager):
    # new → pending confirmation: a case nobody took cannot be "resolved".
    unowned = services.open_case(
        acting_user=agent, customer=new_case.customer, title="Printer jams", description=""
    )
    client.force_login(manager)
    response = client.post(
        desk_url(unowned, "propose/"),
        {"version": unowned.version, "body": "Cleared the jam."},
        headers=HTMX,
    )
    # The page that offered it is out of date (the case is not where the button assumed):
    # 409 with the fresh state, and the case did not move.
    assert response.status_code == 409
    assert "A case that is new cannot become pending confirmation." in response.text
    assert fresh(unowned).status == Status.NEW

    # closed → waiting on customer.
    services.close_case(
        case=owned_case, acting_user=agent, reason="Customer fixed it", expected_version=None
    )
    with pytest.raises(services.InvalidTransition, match="closed cannot become waiting"):
        services.wait_on_customer(case=owned_case, acting_user=agent, expected_version=None)
    assert fresh(owned_case).status == Status.CLOSED
    assert not Case(status=Status.NEW).can_move_to(Status.CLOSED)
    assert not Case(status=Status.CLOSED).can_move_to(Status.WAITING_ON_CUSTOMER)


def test_wait_on_customer_and_resume(client, owned_case, agent):
    client.force_login(agent)

    waiting = client.post(
        desk_url(owned_case, "wait/"),
        {"version": owned_case.version, "message": "Please send the serial on the charger."},
        headers=HTMX,
    )
    assert waiting.status_code == 200
    assert "Waiting on customer" in waiting.text
    assert "Resume work" in waiting.text

    resumed = client.post(
        desk_url(owned_case, "resume/"), {"version": fresh(owned_case).version}, headers=HTMX
    )
    assert resumed.status_code == 200
    assert fresh(owned_case).status == Status.OPEN
    summaries = [e.data["summary"] for e in entries(owned_case, EntryKind.STATUS_CHANGE)]
    assert summaries[-2:] == ["Open → Waiting on customer", "Waiting on customer → Open"]


@pytest.mark.parametrize("state", [Status.PENDING_CONFIRMATION, Status.CLOSED])
def test_customer_reply_reopens_pending_case_with_same_owner(owned_case, agent, customer, state):
    services.propose_resolution(
        case=owned_case, acting_user=agent, body="New battery fitted.", expected_version=None
    )
    if state == Status.CLOSED:
        services.confirm_resolution(case=owned_case, acting_user=customer, expected_version=None)

    services.add_customer_message(
        case=owned_case, acting_user=customer, body="It died again this morning."
    )

    reopened = fresh(owned_case)
    assert reopened.status == Status.OPEN
    assert reopened.owner == agent
    assert reopened.closed_at is None
    [reopen] = entries(owned_case, EntryKind.REOPEN)
    assert reopen.visibility == Visibility.PUBLIC
    assert reopen.body == "The customer wrote again."
    assert entries(owned_case, EntryKind.STATUS_CHANGE)[-1].data["to"] == Status.OPEN
    [notice] = Notice.objects.filter(recipient=agent, kind="customer_message")
    assert notice.body == "It died again this morning."


def test_customer_reply_on_closed_case_of_deactivated_owner_reaches_the_lead(
    owned_case, agent, customer, support
):
    lead = AgentFactory(full_name="Lee Lead", departments=[support])
    support.lead = lead
    support.save()
    services.close_case(
        case=owned_case, acting_user=agent, reason="Works now", expected_version=None
    )
    services.deactivate_agent(agent=agent, acting_user=None)

    services.add_customer_message(case=owned_case, acting_user=customer, body="Broken again.")

    reopened = fresh(owned_case)
    assert reopened.status == Status.OPEN
    assert reopened.owner == lead
    handover = entries(owned_case, EntryKind.OWNERSHIP_CHANGE)[-1]
    assert handover.visibility == Visibility.PUBLIC
    assert handover.actor is None
    assert handover.data["summary"] == "moved to Lee Lead (previous owner deactivated)"
    subjects = set(Notice.objects.filter(recipient=lead).values_list("kind", flat=True))
    assert subjects == {"case_inherited", "customer_message"}


def test_stale_edit_is_refused_not_overwritten(client, owned_case, agent, manager):
    seen = owned_case.version
    # The manager raises the priority while Dana still has the old page open.
    services.change_priority(
        case=owned_case, acting_user=manager, priority=Priority.URGENT, expected_version=seen
    )
    with pytest.raises(services.Conflict) as refused:
        services.change_priority(
            case=owned_case, acting_user=agent, priority=Priority.LOW, expected_version=seen
        )
    assert refused.value.case.priority == Priority.URGENT

    client.force_login(agent)
    response = client.post(
        desk_url(owned_case, "priority/"),
        {"version": seen, "priority": Priority.LOW},
        headers=HTMX,
    )

    assert response.status_code == 409
    assert "Someone else changed this case." in response.text
    assert f"Morgan Reyes changed {owned_case.reference} (priority Normal → Urgent)" in (
        response.text
    )
    # The fresh state: the winner's priority and the new version to retry with.
    assert "Urgent priority" in response.text
    assert f'name="version" value="{fresh(owned_case).version}"' in response.text
    assert fresh(owned_case).priority == Priority.URGENT


def test_conflict_message_tells_the_time_on_the_desks_clock(owned_case, manager, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # UTC+9 all year: the hour always differs from UTC
    seen = owned_case.version
    services.change_priority(
        case=owned_case, acting_user=manager, priority=Priority.HIGH, expected_version=seen
    )
    change = entries(owned_case, EntryKind.PRIORITY_CHANGE)[-1]

    with pytest.raises(services.Conflict) as refused:
        services.change_priority(
            case=owned_case, acting_user=manager, priority=Priority.LOW, expected_version=seen
        )

    assert f"at {timezone.localtime(change.created):%H:%M}." in str(refused.value)


def test_deactivated_agents_cases_move_to_lead(owned_case, agent, customer, support, manager):
    lead = AgentFactory(full_name="Lee Lead", departments=[support])
    support.lead = lead
    support.save()
    second = services.open_case(
        acting_user=agent, customer=customer, title="Dock flickers", description=""
    )
    services.take_ownership(case=second, acting_user=agent, expected_version=None)
    done = services.open_case(
        acting_user=agent, customer=customer, title="Mouse lost", description=""
    )
    services.take_ownership(case=done, acting_user=agent, expected_version=None)
    services.close_case(case=done, acting_user=agent, reason="Found it", expected_version=None)

    moved = services.deactivate_agent(agent=agent, acting_user=manager)

    assert {c.pk for c in moved} == {owned_case.pk, second.pk}
    for case in (owned_case, second):
        assert fresh(case).owner == lead
        handover = entries(case, EntryKind.OWNERSHIP_CHANGE)[-1]
        assert handover.visibility == Visibility.PUBLIC
        assert handover.data["summary"] == "moved to Lee Lead (previous owner deactivated)"
        assert handover.actor == manager
    assert fresh(done).owner == agent  # history keeps who owned a closed case
    assert not User.objects.get(pk=agent.pk).is_active
    assert Notice.objects.filter(recipient=lead, kind="case_inherited").count() == 2


def test_lead_keeps_an_inherited_case_and_it_stops_being_lapsed(
    client, owned_case, agent, support, manager
):
    lead = AgentFactory(full_name="Lee Lead", departments=[support])
    support.lead = lead
    support.save()
    services.deactivate_agent(agent=agent, acting_user=manager)
    assert fresh(owned_case).ownership_lapsed

    client.force_login(lead)
    page = client.get(desk_url(owned_case))
    assert "Keep ownership" in page.text
    response = client.post(
        f"{desk_url(owned_case)}take/", {"version": fresh(owned_case).version}, headers=HTMX
    )

    assert response.status_code == 200
    kept = fresh(owned_case)
    assert kept.owner == lead and not kept.ownership_lapsed and not kept.bounced
    assert "Keep ownership" not in response.text
    assert "keeps the case as its owner" in entries(owned_case, EntryKind.INTERNAL_NOTE)[-1].body


def test_deactivation_is_refused_when_nobody_can_take_the_cases(owned_case, agent):
    # No department lead and no manager exist: ownership would lapse.
    with pytest.raises(services.CaseError, match="appoint a department lead"):
        services.deactivate_agent(agent=agent, acting_user=None)

    assert User.objects.get(pk=agent.pk).is_active
    assert fresh(owned_case).owner == agent


def test_only_a_manager_deactivates_an_agent(owned_case, agent, teammate):
    with pytest.raises(services.NotAllowed):
        services.deactivate_agent(agent=agent, acting_user=teammate)

    assert User.objects.get(pk=agent.pk).is_active


def test_database_refuses_deactivating_an_owner_of_open_cases(owned_case, agent):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=agent.pk).update(is_active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=agent.pk).update(role=User.Role.CUSTOMER, organization=None)

    assert User.objects.get(pk=agent.pk).is_active


def test_customer_never_sees_internal_note(owned_case, agent, customer, outsider):
    note = services.add_internal_note(
        case=owned_case, acting_user=agent, body="Customer sounds annoyed; be quick."
    )
    reply = services.reply_to_customer(
        case=owned_case, acting_user=agent, body="A technician comes tomorrow."
    )

    seen_by_customer = TimelineEntry.objects.visible_to(customer).filter(case=owned_case)
    seen_by_agent = TimelineEntry.objects.visible_to(agent).filter(case=owned_case)

    assert reply in seen_by_customer
    assert note not in seen_by_customer
    assert not seen_by_customer.filter(visibility=Visibility.INTERNAL).exists()
    assert note in seen_by_agent
    assert not TimelineEntry.objects.visible_to(outsider).filter(case=owned_case).exists()


def test_a_note_cannot_be_stored_as_public(owned_case, agent):
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEntry.objects.create(
            case=owned_case, kind=EntryKind.INTERNAL_NOTE, visibility=Visibility.PUBLIC, actor=agent
        )


def test_customer_of_another_organisation_cannot_write_on_the_case(owned_case, outsider):
    with pytest.raises(services.NotAllowed):
        services.add_customer_message(case=owned_case, acting_user=outsider, body="Hi")
    with pytest.raises(services.NotAllowed):
        services.confirm_resolution(case=owned_case, acting_user=outsider, expected_version=None)

    assert entries(owned_case, EntryKind.CUSTOMER_MESSAGE) == []


def test_case_opened_for_a_customer_lands_in_triage(client, agent, customer):
    client.force_login(agent)

    response = client.post(
        "/desk/cases/new/",
        {
            "customer": customer.pk,
            "title": "Screen is black",
            "description": "Since the update.",
            "priority": Priority.HIGH,
            "identifiers": "Order ID: A-778",
        },
    )

    case = Case.objects.get(title="Screen is black")
    assert response.status_code == 302
    assert response["Location"] == desk_url(case)
    assert case.status == Status.NEW and case.owner is None
    assert case.organization.name == "Acme"
    assert [str(i) for i in case.identifiers.all()] == ["Order ID: A-778"]
    assert 'data-testid="triage-count">1<' in client.get("/desk/").text
