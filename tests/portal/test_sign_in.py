"""Customers sign in with a password or a one-time link by email, reset a forgotten
password, and whoever hammers a form is slowed down with a 429 "Too many attempts"."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from helpdesk.accounts.models import SignInLink
from tests.helpers import page_text, sign_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/accounts/link/([\w-]+)/")


def test_password_sign_in_lands_on_the_portal(client, customer):
    response = sign_in(client, customer.email, follow=True)

    assert response.redirect_chain[-1][0] == "/portal/"
    assert "My cases" in page_text(response)
    assert "Alex Kim · Customer" in page_text(response)


def test_a_wrong_password_is_refused(client, customer):
    response = sign_in(client, customer.email, "nope", follow=True)

    assert response.status_code == 200
    assert "Please enter a correct email and password." in page_text(response)
    assert client.get("/portal/").status_code == 302


# --- sign-in links ------------------------------------------------------------------------------


def _request_link(client, email: str):
    return client.post("/accounts/link/", {"email": email})


def _link_path(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return f"/accounts/link/{match.group(1)}/"


def test_sign_in_link_signs_in_once(client, customer):
    response = _request_link(client, "Customer@Example.test")

    assert response.status_code == 200
    assert "Check your email" in page_text(response)
    (message,) = mail.outbox
    assert message.to == ["customer@example.test"]
    assert message.subject == "Your sign-in link"
    assert "It works once, within 15 minutes" in message.body
    path = _link_path(message)
    # Only a hash is kept: the token in the email is nowhere in the database.
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert not SignInLink.objects.filter(token_hash=token).exists()

    # Opening the link (as a mail scanner would) shows a button and spends nothing.
    page = client.get(path)
    assert page.status_code == 200
    assert "Sign me in" in page_text(page)
    assert client.get(path).status_code == 200
    assert client.get("/portal/").status_code == 302

    signed_in = client.post(path, follow=True)
    assert signed_in.redirect_chain[-1][0] == "/portal/"
    assert "My cases" in page_text(signed_in)
    assert "Alex Kim · Customer" in page_text(signed_in)

    # The second use fails, even from another browser.
    client.logout()
    again = client.post(path)
    assert again.status_code == 410
    assert "This link no longer works" in page_text(again)
    assert client.get("/portal/").status_code == 302
    assert "This link no longer works" in page_text(client.get(path))


def test_sign_in_link_expires_after_15_minutes(client, customer, time_machine):
    time_machine.move_to("2025-03-03 09:00Z", tick=False)
    _request_link(client, customer.email)
    path = _link_path(mail.outbox[0])

    time_machine.move_to("2025-03-03 09:15:01Z", tick=False)
    page = client.get(path)
    response = client.post(path)

    assert "This link no longer works" in page_text(page)
    assert response.status_code == 410
    assert "Sign-in links work once and for 15 minutes." in page_text(response)
    assert client.get("/portal/").status_code == 302


def test_sign_in_link_works_within_15_minutes(client, customer, time_machine):
    time_machine.move_to("2025-03-03 09:00Z", tick=False)
    _request_link(client, customer.email)
    path = _link_path(mail.outbox[0])

    time_machine.move_to("2025-03-03 09:14Z", tick=False)
    response = client.post(path)

    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200


def test_sign_in_link_lifetime_follows_the_setting(settings, client, customer, time_machine):
    settings.SIGN_IN_LINK_MINUTES = 30
    time_machine.move_to("2025-03-03 09:00Z", tick=False)

    form = client.get("/accounts/link/")
    sent = _request_link(client, customer.email)

    assert "within 30 minutes" in page_text(form)
    assert "It works once, for 30 minutes." in page_text(sent)
    assert "within 30 minutes" in mail.outbox[0].body
    path = _link_path(mail.outbox[0])
    time_machine.move_to("2025-03-03 09:29Z", tick=False)
    assert client.post(path).status_code == 302
    assert "Sign-in links work once and for 30 minutes." in page_text(client.post(path))


def test_unknown_email_gets_the_same_answer_and_no_email(client, customer, agent):
    known = _request_link(client, customer.email)
    mail.outbox.clear()

    unknown = _request_link(client, "nobody@example.test")
    staff = _request_link(client, agent.email)

    for response, email in ((unknown, "nobody@example.test"), (staff, agent.email)):
        assert response.status_code == 200
        assert page_text(response) == page_text(known).replace(customer.email, email)
    assert mail.outbox == []


def test_a_made_up_link_does_not_sign_in(client, customer):
    response = client.post("/accounts/link/not-a-real-token/")

    assert response.status_code == 410
    assert client.get("/portal/").status_code == 302


# --- password reset ---------------------------------------------------------------------------


def test_password_reset_sends_an_email(client, customer):
    response = client.post("/accounts/password_reset/", {"email": customer.email}, follow=True)

    assert "Check your email" in page_text(response)
    (message,) = mail.outbox
    assert message.to == [customer.email]
    assert "Choose a new one here" in message.body
    assert re.search(r"/accounts/reset/[\w-]+/[\w-]+/", message.body)


def test_password_reset_link_points_to_the_site(settings, client, customer):
    settings.SITE_URL = "https://help.example.test"

    client.post("/accounts/password_reset/", {"email": customer.email})

    (message,) = mail.outbox
    path = re.search(r"https://help\.example\.test(/accounts/reset/[\w-]+/[\w-]+/)", message.body)
    assert path, message.body
    # The link works: it leads to the form for a new password.
    response = client.get(path.group(1), follow=True)
    assert "Choose a new password" in page_text(response)


def test_password_reset_says_nothing_of_unknown_addresses(client, customer):
    response = client.post(
        "/accounts/password_reset/", {"email": "nobody@example.test"}, follow=True
    )

    assert "Check your email" in page_text(response)
    assert mail.outbox == []


# --- rate limits ------------------------------------------------------------------------------


def _assert_too_many(response) -> None:
    assert response.status_code == 429
    assert "Too many attempts" in page_text(response)


def test_login_is_rate_limited(client, customer):
    for _ in range(10):
        assert sign_in(client, customer.email, "guess", follow=True).status_code == 200

    response = client.post("/accounts/login/", {"username": customer.email, "password": "pw"})

    _assert_too_many(response)
    assert client.get("/portal/").status_code == 302  # the right password is refused too


def test_login_rate_limit_counts_per_address(client, customer, outsider):
    for _ in range(10):
        sign_in(client, customer.email, "guess", follow=True)

    response = sign_in(client, outsider.email, follow=True)

    assert response.redirect_chain[-1][0] == "/portal/"


def test_login_rate_limit_ignores_the_case_of_the_address(client, customer):
    spellings = ["customer@example.test", "Customer@example.test", "CUSTOMER@example.test"]
    for attempt in range(10):
        sign_in(client, spellings[attempt % 3], "guess", follow=True)

    response = client.post(
        "/accounts/login/", {"username": "cUsToMeR@ExAmPlE.TeSt", "password": "x"}
    )

    _assert_too_many(response)


def test_sign_in_link_requests_are_rate_limited(client, customer):
    for _ in range(5):
        assert _request_link(client, customer.email).status_code == 200

    response = _request_link(client, customer.email)

    _assert_too_many(response)
    assert len(mail.outbox) == 5


def test_sign_in_link_rate_limit_ignores_the_case_of_the_address(client, customer):
    for spelling in [
        "customer@example.test",
        "Customer@example.test",
        "CUSTOMER@example.test",
        "customer@EXAMPLE.test",
        "Customer@Example.Test",
    ]:
        _request_link(client, spelling)

    _assert_too_many(_request_link(client, "CUSTOMER@EXAMPLE.TEST"))
    assert len(mail.outbox) == 5


def test_password_reset_is_rate_limited(client, customer):
    for _ in range(5):
        client.post("/accounts/password_reset/", {"email": customer.email})

    response = client.post("/accounts/password_reset/", {"email": customer.email})

    _assert_too_many(response)
    assert len(mail.outbox) == 5


def test_reporting_cases_is_rate_limited(customer_client, customer):
    from cases.models import Case

    data = {"title": "Printer jams", "description": "Again.", "priority": "20"}
    for _ in range(20):
        assert customer_client.post("/portal/cases/new/", data).status_code == 302

    response = customer_client.post("/portal/cases/new/", data)

    _assert_too_many(response)
    assert Case.objects.filter(customer=customer).count() == 20


def test_rate_limits_recover_after_the_window(client, customer, time_machine):
    time_machine.move_to("2025-03-03 09:00Z", tick=False)
    for _ in range(5):
        _request_link(client, customer.email)
    _assert_too_many(_request_link(client, customer.email))

    time_machine.move_to("2025-03-03 10:00:01Z", tick=False)

    assert _request_link(client, customer.email).status_code == 200


def test_sign_in_links_expire_in_the_database_too(client, customer, time_machine):
    time_machine.move_to("2025-03-03 09:00Z", tick=False)
    _request_link(client, customer.email)

    link = SignInLink.objects.get(user=customer)

    assert link.expires - link.created == timedelta(minutes=15)
    assert len(link.token_hash) == 64
