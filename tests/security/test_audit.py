"""The audit trail: who signed in (or tried to), whose role changed, who downloaded which
file and who was turned away, each with the time and the address it came from; managers
read it at /reports/audit/, nobody else does; a tried password is never kept."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from cases import services
from helpdesk.accounts.models import AuditEvent, User
from tests.factories import UserFactory
from tests.helpers import portal_url, signed_in, streamed, upload

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
SECRET = "Tr0ub4dor&3-never-stored"


def events(kind: str):
    return AuditEvent.objects.filter(kind=kind).order_by("pk")


def assert_recent(event: AuditEvent, since) -> None:
    assert since <= event.created <= timezone.now()
    assert event.ip == ADDRESS


def test_a_sign_in_is_recorded_with_who_when_and_from_where(customer):
    since = timezone.now()

    response = Client(REMOTE_ADDR=ADDRESS).post(
        "/accounts/login/", {"username": customer.email, "password": "pw"}
    )

    assert response.status_code == 302
    [event] = events(AuditEvent.Kind.SIGN_IN)
    assert event.actor == customer
    assert event.path == "/accounts/login/"
    assert_recent(event, since)


def test_a_sign_in_by_link_is_recorded(customer, mailoutbox):
    Client().post("/accounts/link/", {"email": customer.email})
    path = mailoutbox[-1].body.split("/accounts/link/")[1].split("/")[0]
    since = timezone.now()

    Client(REMOTE_ADDR=ADDRESS).post(f"/accounts/link/{path}/")

    [event] = events(AuditEvent.Kind.SIGN_IN)
    assert event.actor == customer
    assert_recent(event, since)


def test_a_failed_sign_in_keeps_the_address_tried_and_never_the_password(client, customer):
    since = timezone.now()

    response = Client(REMOTE_ADDR=ADDRESS).post(
        "/accounts/login/", {"username": customer.email, "password": SECRET}
    )
    Client(REMOTE_ADDR=ADDRESS).post(
        "/accounts/login/", {"username": "nobody@example.test", "password": SECRET}
    )

    assert response.status_code == 200
    first, second = events(AuditEvent.Kind.SIGN_IN_FAILED)
    assert first.actor is None
    assert first.data == {"username": customer.email}
    assert second.data == {"username": "nobody@example.test"}
    assert_recent(first, since)
    for event in AuditEvent.objects.all():
        stored = f"{event.path} {event.data} {event.ip}"
        assert SECRET not in stored and "Tr0ub4dor" not in stored


def test_a_role_change_in_the_admin_is_recorded(agent, support):
    root = UserFactory(
        role=User.Role.MANAGER, is_staff=True, is_superuser=True, email="root@example.test"
    )
    admin = Client(REMOTE_ADDR=ADDRESS)
    admin.force_login(root)
    since = timezone.now()

    response = admin.post(
        f"/admin/accounts/user/{agent.pk}/change/",
        {
            "email": agent.email,
            "full_name": agent.full_name,
            "role": User.Role.MANAGER,
            "departments": [support.pk],
            "availability": "available",
            "capacity": "15",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2025-01-06",
            "date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    agent.refresh_from_db()
    assert agent.role == User.Role.MANAGER and agent.is_staff
    [event] = events(AuditEvent.Kind.ROLE_CHANGE)
    assert event.actor == root
    assert event.data["user"] == agent.email
    assert event.data["fields"] == ["is_staff", "role"]
    assert event.data["role"] == User.Role.MANAGER and event.data["is_staff"] is True
    assert_recent(event, since)


def test_an_attachment_download_is_recorded(agent, customer):
    case = services.open_case(acting_user=agent, customer=customer, title="Log", description=".")
    services.take_ownership(case=case, acting_user=agent, expected_version=None)
    services.reply_to_customer(
        case=case, acting_user=agent, body="Here", files=[upload("invoice.pdf", b"%PDF")]
    )
    attachment = case.attachments.get()
    browser = Client(REMOTE_ADDR=ADDRESS)
    browser.force_login(customer)
    since = timezone.now()

    response = browser.get(portal_url(case, f"attachments/{attachment.pk}/"))

    assert streamed(response) == b"%PDF"
    [event] = events(AuditEvent.Kind.ATTACHMENT_DOWNLOAD)
    assert event.actor == customer
    assert event.data == {
        "attachment": attachment.pk,
        "case": case.pk,
        "filename": "invoice.pdf",
    }
    assert_recent(event, since)


def test_denied_accesses_are_recorded(agent, customer, outsider):
    case = services.open_case(acting_user=agent, customer=customer, title="Acme's", description=".")
    since = timezone.now()
    customer_browser = Client(REMOTE_ADDR=ADDRESS)
    customer_browser.force_login(customer)
    outsider_browser = Client(REMOTE_ADDR=ADDRESS)
    outsider_browser.force_login(outsider)
    agent_browser = Client(REMOTE_ADDR=ADDRESS)
    agent_browser.force_login(agent)

    assert customer_browser.get("/desk/").status_code == 403
    assert agent_browser.get("/reports/audit/").status_code == 403
    assert outsider_browser.get(portal_url(case)).status_code == 404
    assert outsider_browser.get(portal_url(case, "attachments/1/")).status_code == 404

    denied = list(events(AuditEvent.Kind.ACCESS_DENIED))
    assert [(e.actor, e.path) for e in denied] == [
        (customer, "/desk/"),
        (agent, "/reports/audit/"),
        (outsider, portal_url(case)),
        (outsider, portal_url(case, "attachments/1/")),
    ]
    assert denied[0].data == {"reason": "The desk is for agents."}
    assert denied[2].data == {"reason": "case"}
    for event in denied:
        assert_recent(event, since)


def test_managers_read_the_audit_trail_and_nobody_else_does(manager, agent, customer):
    Client(REMOTE_ADDR=ADDRESS).post(
        "/accounts/login/", {"username": "mallory@example.test", "password": SECRET}
    )
    Client(REMOTE_ADDR=ADDRESS).post(
        "/accounts/login/", {"username": customer.email, "password": "pw"}
    )

    for user in (agent, customer):
        browser = signed_in(user)
        assert browser.get("/reports/audit/").status_code == 403
        assert browser.get("/reports/audit/?format=csv").status_code == 403
    anonymous = Client().get("/reports/audit/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")

    reader = signed_in(manager)
    page = reader.get("/reports/audit/")
    assert page.status_code == 200
    assert "Failed sign-in" in page.text and "mallory@example.test" in page.text
    assert "Signed in" in page.text and customer.email in page.text
    assert ADDRESS in page.text
    assert SECRET not in page.text

    only_failures = reader.get("/reports/audit/", {"kind": AuditEvent.Kind.SIGN_IN_FAILED})
    assert "mallory@example.test" in only_failures.text
    assert customer.email not in only_failures.text

    export = reader.get("/reports/audit/?format=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == ["time", "event", "actor", "ip", "path", "details"]
    assert ["Failed sign-in", "", ADDRESS] in [row[1:4] for row in rows]
    assert ["Signed in", customer.email, ADDRESS] in [row[1:4] for row in rows]
    assert SECRET not in export.content.decode()
