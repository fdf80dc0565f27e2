"""Every case action through the API calls the desk's service with the token's owner as
the actor: the same refusals (403 not allowed, 409 the case moved on, 422 invalid), the
version as ETag and If-Match, every write in the audit trail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import EntryKind, Priority, Status, Visibility
from helpdesk.accounts.models import AuditEvent
from tests.helpers import entries, fresh, notices, report_case

pytestmark = pytest.mark.django_db


def url(case, action: str) -> str:
    return f"/api/v1/cases/{case.reference}/{action}/"


def test_the_owner_replies_once_the_version_matches(api, agent, customer, laptop):
    response = api(agent).post(
        url(laptop, "reply"), {"body": "A new power supply ships today."},
        **{"If-Match": f'"{laptop.version}"'},
    )  # fmt: skip

    assert response.status_code == 200, response.content
    reply = entries(laptop, EntryKind.AGENT_REPLY)[-1]
    assert reply.body == "A new power supply ships today." and reply.actor == agent
    assert reply.visibility == Visibility.PUBLIC
    assert response.json()["timeline"][-1]["id"] == reply.pk
    assert response.headers["ETag"] == f'"{fresh(laptop).version}"'
    assert notices(customer).exists()  # the customer hears it, as from the desk
    audited = AuditEvent.objects.get(kind=AuditEvent.Kind.API_WRITE)
    assert audited.actor == agent and audited.data["status"] == 200


def test_a_stale_version_changes_nothing_and_shows_the_case_as_it_is(api, agent, laptop):
    stale = laptop.version
    services.change_priority(
        case=laptop, acting_user=agent, priority=Priority.HIGH, expected_version=stale
    )

    response = api(agent).post(url(laptop, "wait"), {}, **{"If-Match": f'"{stale}"'})

    assert response.status_code == 412
    body = response.json()
    assert body["error"]["code"] == "precondition_failed"
    assert body["case"]["priority"] == "high" and body["case"]["status"] == "open"
    assert response.headers["ETag"] == f'"{fresh(laptop).version}"'
    assert fresh(laptop).status == Status.OPEN


def test_taking_a_case_someone_just_took_is_a_conflict_with_the_fresh_state(
    api, agent, teammate, customer
):
    new = report_case(customer, "Dock flickers")
    services.take_ownership(case=new, acting_user=teammate, expected_version=new.version)

    response = api(agent).post(url(new, "take"))

    assert response.status_code == 409
    body = response.json()
    assert body["error"]["code"] == "conflict"
    assert "Sam Ortiz" in body["error"]["message"]
    assert body["case"]["owner"]["name"] == "Sam Ortiz"


def test_one_voice_another_department_notes_but_does_not_reply(api, teammate, laptop):
    sam = api(teammate)

    refused = sam.post(url(laptop, "reply"), {"body": "We will swap the board."})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert not entries(laptop, EntryKind.AGENT_REPLY)
    noted = sam.post(url(laptop, "note"), {"body": "Board in stock."})
    assert noted.status_code == 200
    assert entries(laptop, EntryKind.INTERNAL_NOTE)[-1].actor == teammate


def test_a_customer_writes_and_confirms_but_never_steers(api, agent, customer, laptop):
    alex = api(customer)

    assert alex.post(url(laptop, "reply"), {"body": "Still dead."}).status_code == 200
    assert entries(laptop, EntryKind.CUSTOMER_MESSAGE)[-1].body == "Still dead."
    for action, data in (("note", {"body": "x"}), ("take", {}), ("close", {"reason": "x"})):
        assert alex.post(url(laptop, action), data).status_code == 403, action
    services.propose_resolution(
        case=laptop, acting_user=agent, body="We replaced the PSU.", expected_version=None
    )
    assert alex.post(url(laptop, "confirm")).status_code == 200
    assert fresh(laptop).status == Status.CLOSED


def test_an_outsider_cannot_reach_the_case_to_act(api, outsider, laptop):
    response = api(outsider).post(url(laptop, "reply"), {"body": "Hello?"})

    assert response.status_code == 404
    assert not entries(laptop, EntryKind.CUSTOMER_MESSAGE)


def test_transfer_says_what_is_missing(api, agent, teammate, laptop):
    dana = api(agent)

    missing = dana.post(url(laptop, "transfer"), {"to": teammate.pk})
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"] == {"reason": ["This field is required."]}
    to_a_customer = dana.post(url(laptop, "transfer"), {"to": laptop.customer_id, "reason": "x"})
    assert to_a_customer.json()["error"]["fields"] == {"to": ["The id of an active agent."]}
    moved = dana.post(url(laptop, "transfer"), {"to": teammate.pk, "reason": "Hardware fault"})
    assert moved.status_code == 200
    assert moved.json()["owner"]["name"] == "Sam Ortiz"


def test_the_lifecycle_from_the_api(api, agent, customer, laptop):
    dana = api(agent)
    eta = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    assert dana.post(url(laptop, "priority"), {"priority": "urgent"}).json()["priority"] == "urgent"
    assert dana.post(url(laptop, "wait"), {"message": "Which model?"}).json()["status"] == (
        "waiting_on_customer"
    )
    assert dana.post(url(laptop, "resume")).json()["status"] == "open"
    assert dana.post(url(laptop, "estimate"), {"eta": eta.isoformat()}).json()["eta"] == (
        eta.isoformat().replace("+00:00", "Z")
    )
    later = (eta + timedelta(days=1)).isoformat()
    delayed = dana.post(url(laptop, "delay-notice"), {"message": "Held at customs.", "eta": later})
    assert delayed.status_code == 200
    assert entries(laptop, EntryKind.DELAY_NOTICE)[-1].body.startswith("Held at customs.")
    proposed = dana.post(url(laptop, "propose"), {"body": "We replaced the PSU."})
    assert proposed.json()["status"] == "pending_confirmation"
    reopened = api(customer).post(url(laptop, "reopen"), {"reason": "Still dead."})
    assert reopened.json()["status"] == "open"
    closed = dana.post(url(laptop, "close"), {"reason": "Customer bought a new one."})
    assert closed.json()["status"] == "closed"


def test_identifiers_are_added_and_removed(api, agent, laptop):
    dana = api(agent)

    added = dana.post(url(laptop, "identifiers"), {"name": "Serial number", "value": "5CD1"})
    assert added.status_code == 200
    [identifier] = added.json()["identifiers"]
    assert identifier["value"] == "5CD1"
    removed = dana.delete(f"{url(laptop, 'identifiers')}{identifier['id']}/")
    assert removed.status_code == 200 and removed.json()["identifiers"] == []
