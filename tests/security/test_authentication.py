"""Signing in and staying signed in: guessing is stopped, a changed password or a
deactivation ends every other session, sign-in links work once and expire, and no POST
(HTMX or not) is accepted without its CSRF token."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from cases import services
from cases.models import Case, TimelineEntry
from tests.helpers import HTMX, open_case, sign_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+(/accounts/link/[\w-]+/)")


# --- guessing -------------------------------------------------------------------------------


def test_ten_failures_lock_the_account_for_five_minutes_even_with_the_right_password(client, agent):
    start = timezone.now()
    # Frozen: the ten attempts fall in one rate-limit window, whatever the clock says.
    with time_machine.travel(start, tick=False):
        for attempt in range(10):
            # From ten addresses: the per-address limit stops the guessing, not the per-IP one.
            response = sign_in(client, agent.email.upper() if attempt % 2 else agent.email,
                               "guess", REMOTE_ADDR=f"198.51.100.{attempt}")  # fmt: skip
            assert response.status_code == 200, attempt
            assert "Please enter a correct email and password" in response.text

        locked = sign_in(client, agent.email, "pw", REMOTE_ADDR="198.51.100.99")

        assert locked.status_code == 429
        assert "Too many attempts" in locked.text
        assert "_auth_user_id" not in client.session

    with time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False):
        later = sign_in(client, agent.email, "pw", REMOTE_ADDR="198.51.100.99")

        assert later.status_code == 302
        assert client.get("/desk/").status_code == 200


def test_one_address_is_slowed_down_across_accounts(client, agent, customer, manager):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        statuses = [
            sign_in(client, f"nobody{n}@example.test", "guess").status_code for n in range(20)
        ]
        assert statuses == [200] * 20
        assert sign_in(client, customer.email, "pw").status_code == 429


# --- sessions end -----------------------------------------------------------------------------


def test_changing_the_password_signs_out_every_other_session(agent):
    laptop, phone = Client(), Client()
    assert sign_in(laptop, agent.email).status_code == 302
    assert sign_in(phone, agent.email).status_code == 302
    assert phone.get("/desk/").status_code == 200

    response = laptop.post(
        "/accounts/password_change/",
        {
            "old_password": "pw",
            "new_password1": "a-new-and-long-passphrase-71",
            "new_password2": "a-new-and-long-passphrase-71",
        },
    )

    assert response.status_code == 302
    assert laptop.get("/desk/").status_code == 200  # the session that changed it stays
    gone = phone.get("/desk/")
    assert gone.status_code == 302
    assert gone["Location"].startswith("/accounts/login/")
    assert sign_in(Client(), agent.email, "pw").status_code == 200  # the old one is refused


def test_a_password_reset_by_an_administrator_signs_the_person_out(customer):
    browser = Client()
    sign_in(browser, customer.email)
    assert browser.get("/portal/").status_code == 200

    customer.set_password("reset-by-the-admin-8812")
    customer.save()

    assert browser.get("/portal/").status_code == 302


def test_deactivating_an_agent_ends_their_session(agent, manager):
    browser = Client()
    sign_in(browser, agent.email)
    assert browser.get("/desk/").status_code == 200

    services.deactivate_agent(agent=agent, acting_user=manager)

    response = browser.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert sign_in(Client(), agent.email).status_code == 200  # and cannot sign in again


def test_deactivating_a_customer_ends_their_session(customer):
    browser = Client()
    sign_in(browser, customer.email)
    assert browser.get("/portal/").status_code == 200

    customer.is_active = False
    customer.save(update_fields=["is_active"])

    assert browser.get("/portal/").status_code == 302


# --- sign-in links ------------------------------------------------------------------------


def request_link(email: str) -> str:
    before = len(mail.outbox)
    assert Client().post("/accounts/link/", {"email": email}).status_code == 200
    assert len(mail.outbox) == before + 1
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_a_sign_in_link_works_once(customer):
    path = request_link(customer.email)

    first = Client()
    assert first.post(path).status_code == 302
    assert first.get("/portal/").status_code == 200

    second = Client()
    again = second.post(path)
    assert again.status_code == 410
    assert second.get("/portal/").status_code == 302


def test_a_sign_in_link_expires(customer, settings):
    path = request_link(customer.email)

    with time_machine.travel(
        timezone.now() + timedelta(minutes=settings.SIGN_IN_LINK_MINUTES, seconds=5)
    ):
        browser = Client()
        assert browser.post(path).status_code == 410
        assert browser.get("/portal/").status_code == 302


def test_a_sign_in_link_of_a_deactivated_customer_does_not_sign_in(customer):
    path = request_link(customer.email)
    customer.is_active = False
    customer.save(update_fields=["is_active"])

    browser = Client()
    assert browser.post(path).status_code == 410
    assert browser.get("/portal/").status_code == 302


def test_a_made_up_link_signs_nobody_in(customer):
    browser = Client()
    assert browser.post("/accounts/link/made-up-token-0123456789/").status_code == 410
    assert browser.get("/portal/").status_code == 302


# --- CSRF --------------------------------------------------------------------------------


@pytest.fixture
def owned_case(agent, customer) -> Case:
    return open_case(agent, customer, "CSRF probe", description=".", owner=agent)


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def token_of(client: Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return client.cookies["csrftoken"].value


def test_posts_without_a_csrf_token_are_refused(agent, customer, owned_case):
    ref = owned_case.reference
    before = TimelineEntry.objects.filter(case=owned_case).count()
    desk, portal, anonymous = csrf_client(agent), csrf_client(customer), csrf_client()
    attempts = [
        (desk, f"/desk/cases/{ref}/priority/", {"priority": "30", "version": owned_case.version}),
        (desk, f"/desk/cases/{ref}/entries/", {"kind": "note", "body": "forged"}),
        (desk, f"/desk/cases/{ref}/identifiers/", {"name": "Serial", "value": "forged"}),
        (desk, "/desk/notices/", {}),
        (portal, f"/portal/cases/{ref}/reply/", {"body": "forged"}),
        (portal, "/portal/cases/new/", {"title": "forged", "description": "x", "priority": 20}),
        (anonymous, "/accounts/login/", {"username": customer.email, "password": "pw"}),
        (anonymous, "/accounts/link/", {"email": customer.email}),
    ]
    for client, path, data in attempts:
        for headers in ({}, HTMX, {**HTMX, "X-CSRFToken": "forged-token-" + "x" * 20}):
            response = client.post(path, data, headers=headers)
            assert response.status_code == 403, (path, headers)
            assert "CSRF" in response.text

    assert TimelineEntry.objects.filter(case=owned_case).count() == before
    assert Case.objects.count() == 1
    assert len(mail.outbox) == 0
    assert "_auth_user_id" not in anonymous.session


def test_the_same_posts_with_the_page_token_go_through(agent, customer, owned_case):
    """The refusal above is CSRF's, not something else's: HTMX sends the page's token in
    the X-CSRFToken header (base.html's hx-headers) and is let in."""
    ref = owned_case.reference
    desk = csrf_client(agent)
    token = token_of(desk, f"/desk/cases/{ref}/")

    response = desk.post(
        f"/desk/cases/{ref}/entries/",
        {"kind": "note", "body": "real"},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert response.status_code == 200

    portal = csrf_client(customer)
    token = token_of(portal, f"/portal/cases/{ref}/")
    response = portal.post(
        f"/portal/cases/{ref}/reply/", {"body": "real", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302

    anonymous = csrf_client()
    token = token_of(anonymous, "/accounts/login/")
    response = anonymous.post(
        "/accounts/login/",
        {"username": customer.email, "password": "pw", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
