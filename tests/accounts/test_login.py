"""Signing in, landing on the right surface, and each surface kept to its role."""

import pytest
from django.db import IntegrityError, transaction

from helpdesk.accounts.models import User
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def landed_on(response) -> str:
    return (
        response.redirect_chain[-1][0] if response.redirect_chain else response.request["PATH_INFO"]
    )


def test_agent_lands_on_the_desk(client, agent):
    response = sign_in(client, agent.email, follow=True)

    assert landed_on(response) == "/desk/"
    assert response.status_code == 200
    assert "My cases" in response.text
    assert 'Dana Lee<span class="visually-hidden"> · Agent</span>' in response.text


def test_agent_does_not_see_the_reports_link(client, agent):
    response = sign_in(client, agent.email, follow=True)

    assert 'href="/reports/"' not in response.text


def test_manager_lands_on_the_desk_with_a_link_to_reports(client, manager):
    response = sign_in(client, manager.email, follow=True)

    assert landed_on(response) == "/desk/"
    assert 'href="/reports/"' in response.text
    assert client.get("/reports/").status_code == 200


def test_customer_lands_on_the_portal(client, customer):
    response = sign_in(client, customer.email, follow=True)

    assert landed_on(response) == "/portal/"
    assert response.status_code == 200
    assert "Acme" in response.text
    assert "Portal preview" not in response.text


def test_customer_sees_their_own_organisation_on_the_portal(client, customer, outsider):
    sign_in(client, outsider.email, follow=True)

    response = client.get("/portal/")

    assert "Globex" in response.text
    assert "Acme" not in response.text


def test_signed_in_person_visiting_the_login_page_goes_to_their_surface(client, customer):
    client.force_login(customer)

    response = client.get("/accounts/login/", follow=True)

    assert landed_on(response) == "/portal/"


def test_customer_is_refused_on_the_desk(client, customer):
    client.force_login(customer)

    response = client.get("/desk/")

    assert response.status_code == 403
    assert "The desk is for agents." in response.text


def test_customer_is_refused_on_the_reports(client, customer):
    client.force_login(customer)

    response = client.get("/reports/")

    assert response.status_code == 403
    assert "Reports are for managers." in response.text


def test_agent_is_refused_on_the_reports(client, agent):
    client.force_login(agent)

    response = client.get("/reports/")

    assert response.status_code == 403
    assert "Reports are for managers." in response.text


def test_agent_can_preview_the_portal(client, agent):
    client.force_login(agent)

    response = client.get("/portal/")

    assert response.status_code == 200
    assert "Portal preview" in response.text
    assert 'href="/desk/"' in response.text


@pytest.mark.parametrize("path", ["/", "/desk/", "/portal/", "/reports/"])
def test_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_email_login_ignores_letter_case(client, agent):
    response = sign_in(client, "Agent@EXAMPLE.test", follow=True)

    assert landed_on(response) == "/desk/"


def test_new_users_are_stored_with_a_lower_case_email(db):
    user = User.objects.create_user(
        "Mixed.Case@Example.TEST", "pw", full_name="Mixed Case", role=User.Role.AGENT
    )

    assert user.email == "mixed.case@example.test"


def test_wrong_password_is_refused_on_the_login_page(client, agent):
    response = sign_in(client, agent.email, password="not-the-password", follow=True)

    assert response.redirect_chain == []
    assert "Please enter a correct email and password" in response.text
    assert "_auth_user_id" not in client.session


def test_signing_out_returns_to_the_login_page(client, agent):
    client.force_login(agent)

    response = client.post("/accounts/logout/", follow=True)

    assert landed_on(response) == "/accounts/login/"
    assert client.get("/desk/").status_code == 302


def test_database_refuses_a_customer_without_an_organisation(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="lost@example.test", role=User.Role.CUSTOMER)


def test_database_refuses_an_agent_in_a_customer_organisation(organization):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            email="staff@example.test", role=User.Role.AGENT, organization=organization
        )
