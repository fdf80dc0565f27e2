"""Single sign-on for staff through OpenID Connect, against a real provider on loopback:
an admin connects it in the admin; its groups give a role and departments at every sign-on;
a person in no listed group, or holding a customer's address, is refused and the refusal
audited; with password sign-in off for staff, a superuser still gets in (break-glass)."""

import json
import urllib.request
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialApp
from django.test import Client

from helpdesk.accounts.models import AuditEvent, DirectoryGroup, SignInPolicy, User
from tests.accounts.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/oidc/company/login/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def provider():
    with Provider() as running:
        yield running


@pytest.fixture
def connected(provider):
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="company",
        name="Company SSO",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={"server_url": provider.url},
    )


@pytest.fixture
def groups(support, hardware):
    agents = DirectoryGroup.objects.create(name="helpdesk-agents", role=User.Role.AGENT)
    agents.departments.set([support])
    leads = DirectoryGroup.objects.create(name="helpdesk-managers", role=User.Role.MANAGER)
    leads.departments.set([hardware])
    return agents, leads


def person(email: str, *groups: str, name: str = "Riley Chen") -> dict:
    return {"sub": f"id-{email}", "email": email, "email_verified": True, "name": name,
            "groups": list(groups)}  # fmt: skip


def sign_on(client: Client, provider: Provider, who: dict):
    """The browser's round trip: our button, the provider's authorization, our callback."""
    provider.person = who
    to_provider = client.post(LOGIN)
    assert to_provider.status_code == 302, to_provider.content.decode()[:500]
    assert to_provider["Location"].startswith(f"{provider.url}/authorize?")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(to_provider["Location"])
    except urllib.error.HTTPError as answer:
        back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_a_new_staff_member_is_given_the_groups_role_and_departments(
    settings, provider, connected, groups, support
):
    settings.MFA_REQUIRED_FOR_STAFF = True  # the provider's own factor stands
    client = Client()

    done = sign_on(client, provider, person("riley@example.test", "helpdesk-agents", "other"))

    assert done.status_code == 302
    riley = User.objects.get(email="riley@example.test")
    assert (riley.role, riley.full_name) == (User.Role.AGENT, "Riley Chen")
    assert list(riley.departments.all()) == [support]
    assert not riley.has_usable_password()
    assert client.get("/desk/").status_code == 200
    assert provider.token_requests == 1


def test_a_change_at_the_provider_reaches_an_existing_agent(provider, connected, groups, agent):
    client = Client()

    sign_on(client, provider, person(agent.email, "helpdesk-agents", "helpdesk-managers"))

    agent.refresh_from_db()
    assert agent.role == User.Role.MANAGER
    assert {d.name for d in agent.departments.all()} == {"Support", "Hardware"}
    change = AuditEvent.objects.get(kind=AuditEvent.Kind.ROLE_CHANGE)
    assert change.data["source"] == "single sign-on" and change.data["role"] == "manager"
    assert client.get("/reports/").status_code == 200


@pytest.mark.parametrize(
    "who, reason",
    [
        (person("stranger@example.test", "marketing"), "in no group"),
        (person("customer@example.test", "helpdesk-agents"), "a customer account"),
    ],
)
def test_people_the_helpdesk_does_not_know_as_staff_are_refused(
    provider, connected, groups, customer, who, reason
):
    client = Client()

    refused = sign_on(client, provider, who)

    assert refused.status_code == 403 and reason in refused.content.decode()
    assert client.get("/desk/")["Location"].startswith("/accounts/login/")
    assert not User.objects.filter(email="stranger@example.test").exists()
    customer.refresh_from_db()
    assert customer.role == User.Role.CUSTOMER
    audit = AuditEvent.objects.get(kind=AuditEvent.Kind.SSO_REFUSED)
    assert audit.data["email"] == who["email"] and reason in audit.data["reason"]


def test_with_password_sign_in_off_only_a_superuser_uses_a_password(provider, connected, agent):
    SignInPolicy.objects.create(staff_password_sign_in=False)
    User.objects.create_superuser("root@example.test", "pw", full_name="Root")

    page = Client().get("/accounts/login/")
    refused = sign_in(Client(), agent.email)
    glass = Client()
    broken = sign_in(glass, "root@example.test")

    assert "Sign in with Company SSO" in page.content.decode()
    assert f"form-action 'self' {provider.url}" in page["Content-Security-Policy"]
    assert refused.status_code == 200
    assert "Staff sign in through single sign-on" in refused.content.decode()
    assert broken.status_code == 302 and glass.get("/admin/").status_code == 200


def test_an_admin_connects_the_provider_in_the_admin(provider, groups, admin_client):
    added = admin_client.post(
        "/admin/socialaccount/socialapp/add/",
        {
            "provider": "openid_connect",
            "provider_id": "company",
            "name": "Company SSO",
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "key": "",
            "settings": json.dumps({"server_url": provider.url}),
        },
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    client = Client()

    sign_on(client, provider, person("new@example.test", "helpdesk-agents"))

    assert client.get("/desk/").status_code == 200
