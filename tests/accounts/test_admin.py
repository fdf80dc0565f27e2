"""People are managed in the Django admin; one email is one person, whatever its case."""

import pytest
from django.db import IntegrityError, transaction

from helpdesk.accounts.models import User
from tests.factories import UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(
        UserFactory(
            role=User.Role.MANAGER, is_staff=True, is_superuser=True, email="root@example.test"
        )
    )
    return client


def add_user(admin_client, email, organization):
    return admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": email,
            "full_name": "New Person",
            "role": User.Role.CUSTOMER,
            "organization": organization.pk,
            "password1": "a-long-enough-password-91",
            "password2": "a-long-enough-password-91",
        },
    )


def test_admin_adds_a_customer_who_can_then_sign_in(admin_client, client, organization):
    response = add_user(admin_client, "New.Person@Example.TEST", organization)

    assert response.status_code == 302
    user = User.objects.get(full_name="New Person")
    assert user.email == "new.person@example.test"
    assert user.organization == organization
    client.logout()
    signed_in = sign_in(client, "new.person@example.test", "a-long-enough-password-91", follow=True)
    assert signed_in.redirect_chain[-1][0] == "/portal/"


def test_admin_refuses_an_email_that_differs_only_in_case(admin_client, customer, organization):
    response = add_user(admin_client, customer.email.upper(), organization)

    assert response.status_code == 200
    assert "already exists" in response.text
    assert User.objects.filter(email__iexact=customer.email).count() == 1


def test_database_refuses_an_email_that_differs_only_in_case(customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            email=customer.email.upper(),
            role=User.Role.CUSTOMER,
            organization=customer.organization,
        )


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/organization/",
        "/admin/accounts/department/",
        "/admin/accounts/department/add/",
    ],
)
def test_admin_pages_open(admin_client, agent, path):
    assert admin_client.get(path).status_code == 200


def test_admin_opens_a_person(admin_client, agent):
    response = admin_client.get(f"/admin/accounts/user/{agent.pk}/change/")

    assert response.status_code == 200
    assert agent.email in response.text
